//! `vidspec status ID`: a project's export progress, and its download URL once done.

use crate::api::Client;
use crate::cli::StatusArgs;
use crate::error::Error;
use crate::report::Reporter;

pub(super) fn run(args: StatusArgs, reporter: &Reporter) -> Result<(), Error> {
    check_id(&args.id)?;
    let client = Client::new(&super::api_options(&args.api, None, false, reporter))?;
    let progress = crate::api::block_on(client.progress(&args.id))??;
    let mut out = format!("progress  {}%\n", progress.progress);
    if let Some(url) = &progress.download_url {
        out.push_str(&format!("download  {url}\n"));
    }
    reporter.out(out.as_bytes())
}

fn check_id(id: &str) -> Result<(), Error> {
    let valid = !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if valid {
        Ok(())
    } else {
        Err(Error::Usage(format!(
            "`{id}` is not a project id (letters, digits, - and _)"
        )))
    }
}
