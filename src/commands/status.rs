//! `vidspec status ID`: a project's export progress, and its download URL once done.
//! `vidspec status --journal J…`: the rows of one or more journals counted by state, offline.

use std::collections::HashMap;

use crate::api::journal::{Journal, Record};
use crate::cli::StatusArgs;
use crate::error::Error;
use crate::report::Reporter;

pub(super) fn run(args: StatusArgs, reporter: &Reporter) -> Result<(), Error> {
    let Some(id) = &args.id else {
        return journals(&args, reporter);
    };
    check_id(id)?;
    let client = super::plain_client(&args.api, reporter)?;
    let progress = crate::api::block_on(client.progress(id))??;
    let mut out = format!("progress  {}%\n", progress.progress);
    if let Some(url) = &progress.download_url {
        out.push_str(&format!("download  {url}\n"));
    }
    reporter.out(out.as_bytes())
}

/// One line per journal, then (with several) the rows of all of them: a row in more than one
/// journal counts once, by its latest record.
fn journals(args: &StatusArgs, reporter: &Reporter) -> Result<(), Error> {
    let mut all: HashMap<u64, Record> = HashMap::new();
    let mut out = String::new();
    for path in &args.journal {
        let journal = Journal::read(path)?;
        let latest: Vec<&Record> = journal.latest();
        let label = crate::display_path(path);
        out.push_str(&crate::report::rows::state_counts(&label, &latest));
        if journal.unreadable > 0 {
            let lines = super::plural(journal.unreadable, "unreadable line");
            out.push_str(&format!(" ({lines})"));
        }
        out.push('\n');
        for record in latest {
            let newer = all.get(&record.row).is_none_or(|r| r.at <= record.at);
            if newer {
                all.insert(record.row, record.clone());
            }
        }
    }
    if args.journal.len() > 1 {
        let records: Vec<&Record> = all.values().collect();
        out.push_str(&crate::report::rows::state_counts("all", &records));
        out.push('\n');
    }
    reporter.out(out.as_bytes())
}

pub(super) fn check_id(id: &str) -> Result<(), Error> {
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
