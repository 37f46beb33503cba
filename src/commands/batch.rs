//! `vidspec batch`: one project per CSV row — files from an `--out` pattern, NDJSON on
//! stdout, or submissions — with failed rows reported as they come and the others produced.

use std::collections::HashSet;
use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex, PoisonError};

use crate::batch::{Batch, BatchOptions, Observer, Sink, Summary};
use crate::cli::BatchArgs;
use crate::diag::Diagnostic;
use crate::emit::Format;
use crate::error::Error;
use crate::report::progress::Progress;
use crate::report::rows::RowReport;
use crate::report::{Reporter, plural};
use crate::rows::{RowAt, RowError};

/// Submitting rows (`--submit`) and planning a submission (`--plan`): only with the `submit`
/// feature, like the API client they use.
#[cfg(feature = "submit")]
mod send;

pub(super) fn run(args: BatchArgs, reporter: &Reporter) -> Result<(), Error> {
    #[cfg(not(feature = "submit"))]
    if args.submit || args.plan {
        return Err(super::offline(if args.submit {
            "batch --submit"
        } else {
            "batch --plan"
        }));
    }
    inputs(&args)?;
    let stop = Arc::new(AtomicBool::new(false));
    let shard = resolve_shard(&args, reporter)?;
    let batch = prepare(&args, shard, &stop, reporter)?;
    let rows = Rows::new(&args, reporter)?;
    #[cfg(feature = "submit")]
    if args.plan || args.submit {
        let summary = if args.plan {
            send::plan(batch, &args, &rows)?
        } else {
            send::submit(batch, &args, shard, &rows, stop)?
        };
        return failed(&summary);
    }
    let summary = {
        let sink = match &args.out {
            Some(_) if args.compact => Sink::Files(Format::Compact),
            Some(_) => Sink::Files(Format::Pretty),
            None => Sink::Lines(Box::new(std::io::stdout())),
        };
        let summary = batch.run(sink, &rows);
        rows.finish(summary, &args, false, None)?
    };
    failed(&summary)
}

/// The files the batch reads, and the journal and report it writes: refused (before anything
/// is read or written) when one is another, and kept to refuse a row's path that is one.
fn inputs(args: &BatchArgs) -> Result<crate::load::Inputs, Error> {
    let read = crate::load::Inputs::compile(&args.compile.spec, &args.compile.vars_files)
        .and("--csv", &args.csv);
    let journal = args.rows.send.journal.as_deref();
    crate::clobber::refuse(&read, [("--journal", journal)])?;
    let read = read.and_maybe("--journal", journal);
    crate::clobber::refuse(&read, [("--report", args.report.as_deref())])?;
    Ok(read.and_maybe("--report", args.report.as_deref()))
}

/// A batch with failed rows is an error (exit 3).
fn failed(summary: &Summary) -> Result<(), Error> {
    if summary.failed > 0 {
        return Err(Error::rows_failed(
            summary.failed as usize,
            (summary.ok + summary.failed) as usize,
        ));
    }
    Ok(())
}

/// The spec loaded and the CSV opened, every mistake of the command found before any row.
/// `--shard`, with `auto/N` resolved from the job runner's environment (said on stderr).
fn resolve_shard(args: &BatchArgs, reporter: &Reporter) -> Result<Option<(u64, u64)>, Error> {
    let Some(shard) = args.shard else {
        return Ok(None);
    };
    let (shard, source) = shard
        .resolve(|name| std::env::var(name).ok())
        .map_err(Error::Usage)?;
    if let Some(source) = source {
        reporter.note(format_args!(
            "batch: shard {}/{} (from {source})",
            shard.0, shard.1
        ));
    }
    Ok(Some(shard))
}

fn prepare(
    args: &BatchArgs,
    shard: Option<(u64, u64)>,
    stop: &Arc<AtomicBool>,
    reporter: &Reporter,
) -> Result<Batch, Error> {
    let options = BatchOptions {
        csv: args.csv.clone(),
        out: args.out.clone(),
        download: args.download.clone(),
        key: args.key.clone(),
        delimiter: args.delimiter,
        jobs: args.jobs,
        shard,
        fail_fast: args.fail_fast,
        deny_warnings: args.compile.deny_warnings,
        stop: Arc::clone(stop),
        inputs: inputs(args)?,
    };
    let batch = crate::batch::prepare(&args.compile.spec, &args.compile.options(), options)?;
    super::warnings(&batch.warnings, args.compile.deny_warnings, reporter)?;
    Ok(batch)
}

/// What the command does with each row's outcome: the error on stderr (above the progress
/// bar), a line in the `--report` file.
struct Rows<'a> {
    reporter: &'a Reporter,
    progress: Progress,
    report: Option<Mutex<RowReport>>,
    /// Submitting: a compiled row's line waits for its submission state.
    submitting: bool,
    lints: Mutex<RowLints>,
}

/// Rows whose own warnings are printed; past them, warnings are only counted.
const ROWS_WITH_WARNINGS_SHOWN: usize = 20;

/// The lints seen so far. One that depends on a row's values (a text too wide with that row's
/// name) is said for each row that has it; any other once, named by the first row that has
/// it; only for the first rows with warnings.
#[derive(Default)]
struct RowLints {
    seen: HashSet<(String, Option<String>)>,
    rows_shown: usize,
    not_shown: usize,
    rows_not_shown: usize,
}

impl<'a> Rows<'a> {
    fn new(args: &BatchArgs, reporter: &'a Reporter) -> Result<Rows<'a>, Error> {
        let report = match &args.report {
            Some(path) => Some(Mutex::new(RowReport::create(path).map_err(|e| {
                Error::io(format!("creating {}", crate::display_path(path)), e)
            })?)),
            None => None,
        };
        let size = std::fs::metadata(&args.csv)
            .map(|m| m.len())
            .ok()
            .filter(|_| args.csv.as_os_str() != "-");
        // Waiting for exports, the API's overall bar is the one bar.
        let bar_elsewhere = args.submit && args.waits();
        Ok(Rows {
            reporter,
            progress: Progress::new(args.quiet || bar_elsewhere, size),
            report,
            submitting: args.submit,
            lints: Mutex::new(RowLints::default()),
        })
    }

    /// The batch is over: the report closed, the bar cleared, the summary line unless quiet.
    /// The run's end: the report flushed, the closing line. `submitted`: the run's wall time,
    /// when rows went on to a submission after compiling (the batch's own time is compiling).
    fn finish(
        &self,
        summary: Result<Summary, Error>,
        args: &BatchArgs,
        submitting: bool,
        submitted: Option<std::time::Duration>,
    ) -> Result<Summary, Error> {
        self.progress.finish();
        let summary = summary?;
        if let Some(report) = &self.report {
            let mut report = report.lock().unwrap_or_else(PoisonError::into_inner);
            report
                .flush()
                .map_err(|e| Error::io("writing the report", e))?;
        }
        let lints = self.lints.lock().unwrap_or_else(PoisonError::into_inner);
        if lints.not_shown > 0 {
            self.reporter.note(format!(
                "warning: {} more in {} (the first {ROWS_WITH_WARNINGS_SHOWN} rows with warnings are shown)",
                super::plural(lints.not_shown, "warning"),
                super::plural(lints.rows_not_shown, "other row")
            ));
        }
        if !args.quiet {
            self.reporter
                .note(summary_line(&summary, submitting, submitted));
        }
        Ok(summary)
    }
}

impl Observer for Rows<'_> {
    fn read_up_to(&self, position: u64) {
        self.progress.bytes(position);
    }

    fn warnings(&self, row: RowAt, warnings: &[Diagnostic]) {
        let mut lints = self.lints.lock().unwrap_or_else(PoisonError::into_inner);
        let mut shown = Vec::new();
        let mut new_here = 0;
        for warning in warnings {
            let key = (
                warning.message.clone(),
                warning.span.as_ref().map(|s| s.location()),
            );
            if !crate::lint::is_row_aware(warning) && !lints.seen.insert(key) {
                continue; // the same in an earlier row: said once
            }
            new_here += 1;
            if lints.rows_shown < ROWS_WITH_WARNINGS_SHOWN {
                let mut warning = warning.clone();
                warning.message = format!("{row}: {}", warning.message);
                shown.push(warning);
            } else {
                lints.not_shown += 1;
            }
        }
        if new_here > 0 {
            if lints.rows_shown < ROWS_WITH_WARNINGS_SHOWN {
                lints.rows_shown += 1;
            } else {
                lints.rows_not_shown += 1;
            }
        }
        drop(lints);
        if !shown.is_empty() {
            self.progress.suspend(|| self.reporter.diagnostics(&shown));
        }
    }

    fn row(&self, row: RowAt, outcome: Result<Option<&Path>, &RowError>) -> Result<(), Error> {
        self.progress.row();
        if let Err(error) = outcome {
            self.progress.suspend(|| self.reporter.row_error(error));
        }
        let Some(report) = &self.report else {
            return Ok(());
        };
        let mut report = report.lock().unwrap_or_else(PoisonError::into_inner);
        match outcome {
            Ok(_) if self.submitting => Ok(()),
            Ok(path) => report.ok(row, path),
            #[cfg(feature = "submit")]
            Err(error) if error.unsent => report.state(&crate::api::submit::RowState::new(
                row,
                crate::api::journal::Status::NotStarted,
            )),
            Err(error) => report.failed(row, &error.diagnostics),
        }
        .map_err(|e| Error::io("writing the report", e))
    }
}

/// The closing line: rows ok and failed, time, rate, how rows were made, peak memory. After a
/// submission the time is the run's (`submitted`), and compiling's is told beside its rate.
fn summary_line(
    summary: &Summary,
    submitting: bool,
    submitted: Option<std::time::Duration>,
) -> String {
    let total = summary.ok + summary.failed;
    let seconds = summary.elapsed.as_secs_f64();
    let rate = total as f64 / seconds.max(1e-9);
    let rate = if rate < 10.0 {
        format!("{rate:.1}")
    } else {
        format!("{rate:.0}")
    };
    let path = match (summary.prebuilt, summary.bytes) {
        (true, true) => "prebuilt project, filled as bytes",
        (true, false) => "prebuilt project",
        _ => "full compile per row",
    };
    let memory = peak_memory().map_or(String::new(), |kib| {
        format!(", peak memory {:.1} MiB", kib as f64 / 1024.0)
    });
    let counts = if submitting {
        // A row refused for its path compiled: it was not sent, but did not fail to compile.
        let refused = summary.failed_after_compiling;
        let unsent = if refused > 0 {
            format!(" ({refused} of them not sent: output path refused)")
        } else {
            String::new()
        };
        format!(
            "{} compiled{unsent}, {} failed to compile",
            summary.ok + refused,
            summary.failed - refused
        )
    } else {
        format!("{} ok, {} failed", summary.ok, summary.failed)
    };
    let rows = plural(total as usize, "row");
    match submitted {
        Some(wall) => format!(
            "batch: {counts}, {rows} in {:.2} s (compiled in {seconds:.2} s, {rate} rows/s; {path}{memory})",
            wall.as_secs_f64()
        ),
        None => {
            format!("batch: {counts}, {rows} in {seconds:.2} s ({rate} rows/s; {path}{memory})")
        }
    }
}

/// The process's peak resident memory in KiB, where the system tells it (Linux).
fn peak_memory() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
