//! `vidspec models`: the account's models and, under each, its clothing.

use serde_json::Value;

use crate::cli::ApiArgs;
use crate::error::Error;
use crate::report::Reporter;

pub(super) fn run(args: ApiArgs, reporter: &Reporter) -> Result<(), Error> {
    let client = super::plain_client(&args, reporter)?;
    let models = crate::api::block_on(client.models())??;
    let label = |item: &Value| {
        let label = &item["label"];
        label["en"]
            .as_str()
            .or(label["ko"].as_str())
            .or(label.as_str())
            .unwrap_or("")
            .to_owned()
    };
    let mut out = String::new();
    for model in &models {
        let id = model["id"].as_str().unwrap_or("?");
        out.push_str(&format!("{id}  {}\n", label(model)));
        for cloth in model["clothes"].as_array().map_or(&[][..], Vec::as_slice) {
            let id = cloth["id"].as_str().unwrap_or("?");
            out.push_str(&format!("  {id}  {}\n", label(cloth)));
        }
    }
    if models.is_empty() {
        reporter.note("the account has no models");
    }
    reporter.out(out.as_bytes())
}
