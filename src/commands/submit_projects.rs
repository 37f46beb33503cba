//! The hidden `vidspec submit-projects FILE`: the compiled projects of an NDJSON file (one
//! per line, row = line number; `-` reads stdin) submitted as `batch --submit` would.

use std::path::Path;

use crate::api::{SubmitItem, Summary};
use crate::cli::SubmitProjectsArgs;
use crate::error::Error;
use crate::report::Reporter;

pub(super) fn run(args: SubmitProjectsArgs, reporter: &Reporter) -> Result<(), Error> {
    let inputs = crate::load::Inputs::new("FILE `-`", "the projects file", &args.file);
    crate::clobber::refuse(&inputs, [("--journal", args.rows.send.journal.as_deref())])?;
    let options = args.rows.options(args.jobs);
    let api = super::api_options(
        &args.rows.api,
        args.rows.rate,
        super::many(args.rows.waits()),
        reporter,
    );
    crate::api::submit::check_credentials(&api)?;
    let journal = crate::api::journal::Journal::for_run(options.journal.as_deref())?;
    let shown = crate::display_path(&args.file);
    let limit = crate::bounded::MAX_NDJSON;
    let text = if args.file == Path::new("-") {
        crate::bounded::read_text(std::io::stdin(), limit)
            .map_err(|e| crate::bounded::to_error("reading stdin", e))?
    } else {
        crate::bounded::read_file_or_error(&args.file, limit)?
    };
    let mut items = Vec::new();
    for (index, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let project = serde_json::from_str(line)
            .map_err(|e| Error::Usage(format!("{shown}:{}: not a JSON project: {e}", index + 1)))?;
        items.push(SubmitItem {
            // The row is the NDJSON line: a line beside it would say the same twice.
            row: crate::rows::RowAt::numbered(index as u64 + 1),
            project: Some(project),
            inputs: None,
            key: None,
            file: None,
        });
    }
    let summary = crate::api::submit_items(items, &options, &api, journal)?;
    print_created(&summary, false, reporter)?;
    summary.result()
}

/// Prints `row<TAB>projectId[<TAB>downloadUrl[<TAB>file]]` for every row created now or
/// before, in row order, then the summary line on stderr (unless `quiet`).
pub(super) fn print_created(
    summary: &Summary,
    quiet: bool,
    reporter: &Reporter,
) -> Result<(), Error> {
    let mut out = String::new();
    for state in summary.states() {
        let Some(id) = state.project_id.as_deref() else {
            continue;
        };
        out.push_str(&format!("{}\t{id}", state.row.number));
        for field in [&state.download_url, &state.path].into_iter().flatten() {
            out.push_str(&format!("\t{field}"));
        }
        out.push('\n');
    }
    reporter.out(out.as_bytes())?;
    if !quiet {
        reporter.note(summary.line());
    }
    Ok(())
}
