//! `batch --submit` and `batch --plan`: the rows' projects sent to a submission running
//! beside the batch, or planned against a journal with nothing sent. Built only with the
//! `submit` feature, as the API client is.

use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex, PoisonError, mpsc};

use super::{RowLints, Rows, prepare};
use crate::api::journal::Journal;
use crate::api::plan::{PlannedRow, Planner};
use crate::api::{SubmitItem, SubmitOptions};
use crate::batch::{Batch, Compiled, Sink, Summary};
use crate::cli::BatchArgs;
use crate::error::Error;
use crate::report::Reporter;
use crate::report::progress::Progress;

/// A compiled row as a submission item: its key is `column=value` of the key columns.
fn item(compiled: Compiled, key: &[String]) -> SubmitItem {
    let named: Vec<String> = key
        .iter()
        .filter_map(|column| {
            let value = compiled.inputs.get(column)?;
            let shown = value
                .as_str()
                .map_or_else(|| value.to_string(), str::to_owned);
            Some(format!("{column}={shown}"))
        })
        .collect();
    SubmitItem {
        row: compiled.row,
        project: compiled.project,
        inputs: Some(serde_json::to_value(&compiled.inputs).expect("inputs serialize")),
        key: (!named.is_empty()).then(|| named.join(", ")),
        file: compiled.file,
    }
}

/// Every row of `batch` planned against `journal`, sending nothing.
fn planned_rows(
    batch: Batch,
    rows: &Rows<'_>,
    journal: &Journal,
) -> Result<(Summary, Vec<PlannedRow>), Error> {
    let key = batch.key().to_vec();
    let (projects, received) = mpsc::sync_channel(crate::batch::CHUNK * 4);
    let (summary, planned) = std::thread::scope(|scope| {
        let planner = scope.spawn(move || {
            let mut planner = Planner::new(journal);
            let items = received.into_iter().map(|c: Compiled| item(c, &key));
            items.filter_map(|i| planner.row(&i)).collect::<Vec<_>>()
        });
        let summary = batch.run(Sink::Projects(projects), rows);
        (summary, planner.join())
    });
    let planned = planned.map_err(|_| Error::Api("the planning thread panicked".into()))?;
    Ok((summary?, planned))
}

/// `--plan`: what a submission would do, row by row; no request is sent.
pub(super) fn plan(batch: Batch, args: &BatchArgs, rows: &Rows<'_>) -> Result<Summary, Error> {
    let journal = match &args.rows.send.journal {
        Some(path) if path.exists() => Journal::read(path)?,
        _ => Journal::none(),
    };
    let (summary, planned) = planned_rows(batch, rows, &journal)?;
    rows.progress.finish();
    rows.planned(&planned)?;
    rows.reporter
        .out(crate::report::plan::rows(&planned).as_bytes())?;
    rows.reporter.note(crate::report::plan::summary(&planned));
    rows.finish(Ok(summary), args, true, None)
}

/// Without `--changed`, a run whose journal knows rows by key first plans every row, and
/// stops before sending anything when some changed since their project was created.
fn refuse_changed(
    args: &BatchArgs,
    shard: Option<(u64, u64)>,
    rows: &Rows<'_>,
    journal: &Journal,
) -> Result<(), Error> {
    if args.rows.send.changed.is_some() || !journal.has_projects() {
        return Ok(());
    }
    let stop = Arc::new(AtomicBool::new(false));
    let batch = prepare(args, shard, &stop, rows.reporter)?;
    let quiet = Rows::quiet(rows.reporter);
    let (_, planned) = planned_rows(batch, &quiet, journal)?;
    crate::report::plan::refuse_changed(&planned, true)
}

/// `--submit`: the rows' projects go to a submission running beside the batch; an interrupted
/// submission stops the batch reading rows.
pub(super) fn submit(
    batch: Batch,
    args: &BatchArgs,
    shard: Option<(u64, u64)>,
    rows: &Rows<'_>,
    stop: Arc<AtomicBool>,
) -> Result<Summary, Error> {
    let started = std::time::Instant::now();
    // --rate-total R over N shards: this shard's share.
    let rate = args
        .rows
        .rate
        .or_else(|| Some(args.rate_total? / shard?.1 as f64));
    let key = batch.key().to_vec();
    let jobs = crate::batch::workers(args.jobs);
    let options = SubmitOptions {
        stop: Some(stop),
        wait: args.waits(),
        download: args.download.is_some(),
        ..args.rows.options(jobs)
    };
    let api = super::super::api_options(
        &args.rows.api,
        rate,
        super::super::many(options.wait && !args.quiet),
        rows.reporter,
    );
    crate::api::submit::check_credentials(&api)?;
    // The journal is locked before the first row runs: a second run on it stops here.
    let journal = Journal::for_run(options.journal.as_deref())?;
    refuse_changed(args, shard, rows, &journal)?;
    let (projects, received) = mpsc::sync_channel(jobs * crate::batch::CHUNK);
    let (summary, submitted) = std::thread::scope(|scope| {
        let submission = scope.spawn(move || {
            let items = received.into_iter().map(|c: Compiled| item(c, &key));
            crate::api::submit_items(items, &options, &api, journal)
        });
        let summary = batch.run(Sink::Projects(projects), rows);
        let submitted = submission
            .join()
            .unwrap_or_else(|_| Err(Error::Api("the submission thread panicked".into())));
        (summary, submitted)
    });
    let summary = summary?;
    let submitted = submitted?;
    rows.progress.finish();
    rows.states(&submitted)?;
    super::super::submit_projects::print_created(&submitted, args.quiet, rows.reporter)?;
    let summary = rows.finish(Ok(summary), args, true, Some(started.elapsed()))?;
    submitted.result()?;
    Ok(summary)
}

impl<'a> Rows<'a> {
    /// For a pass whose rows are not told (the plan before a submission).
    fn quiet(reporter: &'a Reporter) -> Rows<'a> {
        Rows {
            reporter,
            progress: Progress::new(true, None),
            report: None,
            submitting: true,
            lints: Mutex::new(RowLints::default()),
        }
    }

    /// `--plan`: each row's plan in the `--report` file.
    fn planned(&self, planned: &[PlannedRow]) -> Result<(), Error> {
        let Some(report) = &self.report else {
            return Ok(());
        };
        let mut report = report.lock().unwrap_or_else(PoisonError::into_inner);
        planned
            .iter()
            .try_for_each(|row| report.planned(row))
            .map_err(|e| Error::io("writing the report", e))
    }

    /// Submitting: each submitted row's state in the `--report` file.
    fn states(&self, submitted: &crate::api::Summary) -> Result<(), Error> {
        let Some(report) = &self.report else {
            return Ok(());
        };
        let mut report = report.lock().unwrap_or_else(PoisonError::into_inner);
        submitted
            .states()
            .iter()
            .try_for_each(|state| report.state(state))
            .map_err(|e| Error::io("writing the report", e))
    }
}
