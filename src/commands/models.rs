//! `vidspec models`: the account's models and, under each, its clothing, each marked with
//! the preset that gives it here (the built-in library and `--templates` folders, as every
//! command finds them) or with how to get one.

use serde_json::Value;

use crate::cli::ModelsArgs;
use crate::error::Error;
use crate::lower::Presets;
use crate::report::Reporter;

/// How to get a preset for a clothing that has none, as `models` says it.
const HOW_TO_GET_ONE: &str = "pull a project that uses it: vidspec pull PROJECT_ID \
     (design one with that model and clothing in the AI Studios editor)";

pub(super) fn run(args: ModelsArgs, reporter: &Reporter) -> Result<(), Error> {
    // The presets first: a broken --templates folder is found before any request.
    let presets = crate::decompile::presets::known(&args.templates)?;
    let client = super::plain_client(&args.api, reporter)?;
    let mut models = crate::api::block_on(client.models())??;
    let (missing, total) = mark(&mut models, &presets);
    if args.json {
        let mut text = serde_json::to_string_pretty(&models).expect("JSON values serialize");
        text.push('\n');
        return reporter.out(text.as_bytes());
    }
    if models.is_empty() {
        reporter.note("the account has no models");
    }
    reporter.out(text(&models).as_bytes())?;
    if missing > 0 {
        let verb = if missing == 1 { "has" } else { "have" };
        reporter.note(format!(
            "note: {missing} of {total} clothes {verb} no preset here; to get one, {HOW_TO_GET_ONE}"
        ));
    }
    Ok(())
}

/// Adds to each clothing of each model `presets`: the aliases of the presets for that model
/// in that clothing (empty when there is none). Returns how many clothes have none, and how
/// many there are.
fn mark(models: &mut [Value], presets: &Presets) -> (usize, usize) {
    let (mut missing, mut total) = (0, 0);
    for model in models.iter_mut() {
        let id = model["id"].as_str().unwrap_or_default().to_owned();
        let Some(clothes) = model.get_mut("clothes").and_then(Value::as_array_mut) else {
            continue;
        };
        for cloth in clothes.iter_mut().filter(|c| c.is_object()) {
            let clothing = cloth["id"].as_str().unwrap_or_default();
            let aliases: Vec<Value> = presets
                .by_alias
                .values()
                .filter(|p| p.ai_name == id && p.clothing == clothing)
                .map(|p| Value::String(p.alias.clone()))
                .collect();
            missing += usize::from(aliases.is_empty());
            total += 1;
            cloth["presets"] = Value::Array(aliases);
        }
    }
    (missing, total)
}

/// One line per model (`ID  LABEL`), one per clothing under it (`  ID  LABEL  MARK`), the
/// marks in one column.
fn text(models: &[Value]) -> String {
    let label = |item: &Value| {
        let label = &item["label"];
        label["en"]
            .as_str()
            .or(label["ko"].as_str())
            .or(label.as_str())
            .unwrap_or("")
            .to_owned()
    };
    let id = |item: &Value| item["id"].as_str().unwrap_or("?").to_owned();
    let clothes = |model: &Value| model["clothes"].as_array().cloned().unwrap_or_default();
    let width = models
        .iter()
        .flat_map(clothes)
        .map(|c| format!("{}  {}", id(&c), label(&c)).chars().count())
        .max()
        .unwrap_or(0);
    let mut out = String::new();
    for model in models {
        out.push_str(format!("{}  {}", id(model), label(model)).trim_end());
        out.push('\n');
        for cloth in clothes(model) {
            let aliases: Vec<&str> = cloth["presets"]
                .as_array()
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let mark = if aliases.is_empty() {
                "no preset".to_owned()
            } else {
                format!("preset: {}", aliases.join(", "))
            };
            let name = format!("{}  {}", id(&cloth), label(&cloth));
            out.push_str(&format!("  {name:width$}  {mark}\n"));
        }
    }
    out
}
