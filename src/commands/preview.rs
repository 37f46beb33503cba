//! `vidspec preview`: the compiled project (or one CSV row's) drawn as an HTML storyboard, or
//! with `--rows` a contact sheet of many rows.

use std::path::PathBuf;

use super::output::{Output, run_or_watch};
use crate::cli::PreviewArgs;
use crate::error::Error;
use crate::report::Reporter;

pub(super) fn run(args: PreviewArgs, reporter: &Reporter) -> Result<(), Error> {
    let options = args.compile.options();
    let spec = &args.compile.spec;
    let inputs = crate::load::Inputs::compile(spec, &options.vars_files);
    let inputs = inputs.and_maybe("--csv", args.csv.as_deref());
    crate::load::stdin_once(&inputs)?;
    crate::clobber::refuse(&inputs, [("-o", args.output.as_deref())])?;
    let output = Output {
        path: args.output.as_deref(),
        tell: args.watch,
    };
    let draw = || -> Result<(), Error> {
        match (&args.csv, &args.rows) {
            (Some(csv), Some(rows)) => {
                let sheet = crate::preview::sheet::contact_sheet(
                    spec,
                    &options,
                    csv,
                    args.delimiter,
                    rows,
                )?;
                super::warnings(&sheet.warnings, args.compile.deny_warnings, reporter)?;
                reporter.diagnostics(&sheet.row_warnings);
                output.write(sheet.html.as_bytes(), reporter)?;
                reporter.note(format!(
                    "contact sheet: {}, {} failed, {} with warnings{}",
                    super::plural(sheet.rows, "row"),
                    sheet.failed,
                    sheet.flagged,
                    if sheet.failed + sheet.flagged > 0 {
                        " (listed first)"
                    } else {
                        ""
                    }
                ));
                let failed = sheet.failed
                    + if args.compile.deny_warnings {
                        sheet.flagged
                    } else {
                        0
                    };
                if failed > 0 {
                    return Err(Error::RowsFailed {
                        failed,
                        total: sheet.rows,
                    });
                }
                Ok(())
            }
            _ => {
                let csv = args
                    .csv
                    .as_deref()
                    .map(|file| (file, args.row.unwrap_or(1), args.delimiter));
                let (project, warnings) = crate::preview::project(spec, &options, csv)?;
                super::warnings(&warnings, args.compile.deny_warnings, reporter)?;
                output.write(crate::preview::storyboard(&project).as_bytes(), reporter)
            }
        }
    };
    let extra: Vec<PathBuf> = args
        .csv
        .iter()
        .filter(|c| c.as_os_str() != "-")
        .cloned()
        .collect();
    let files = || crate::watch::inputs_of(spec, &options, &extra, output.path);
    run_or_watch(args.watch, files, draw, reporter)
}
