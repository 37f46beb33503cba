//! `vidspec batch`: one project per CSV row — files from an `--out` pattern, NDJSON on
//! stdout, or submissions — with failed rows reported and the others still produced.

use crate::batch::{BatchOptions, Sink};
use crate::cli::BatchArgs;
use crate::emit::Format;
use crate::error::Error;
use crate::report::Reporter;

pub(super) fn run(args: BatchArgs, reporter: &Reporter) -> Result<(), Error> {
    let sink = match args.out {
        Some(pattern) => Sink::Files {
            pattern,
            format: if args.compact {
                Format::Compact
            } else {
                Format::Pretty
            },
        },
        None if args.submit => Sink::Submit {
            options: args.rows.options(crate::batch::workers(args.jobs)),
            api: super::api_options(&args.rows.api, args.rows.rate, reporter),
        },
        None => Sink::Ndjson,
    };
    let options = BatchOptions {
        csv: args.csv,
        sink,
        delimiter: args.delimiter,
        jobs: args.jobs,
        shard: args.shard,
        fail_fast: args.fail_fast,
        report: args.report,
        quiet: args.quiet,
        color: reporter.color(),
    };
    let summary = crate::batch::run(&args.compile.spec, &args.compile.options(), &options)?;
    if let Some(submitted) = &summary.submitted {
        super::submit_projects::print_created(submitted, reporter)?;
    }
    if !args.quiet {
        reporter.note(summary.line());
    }
    if let Some(submitted) = &summary.submitted {
        submitted.result()?;
    }
    if summary.failed > 0 {
        return Err(Error::RowsFailed {
            failed: summary.failed as usize,
            total: (summary.ok + summary.failed) as usize,
        });
    }
    Ok(())
}
