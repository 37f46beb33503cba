//! The threads of a batch: a reader streams CSV records in chunks, workers render them, and
//! the calling thread writes results in row order. At most a fixed number of chunks are read
//! and not yet written (the reader takes a credit per chunk, the writer gives it back), so
//! memory does not grow with the number of rows.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, Sender, SyncSender};
use std::sync::{Mutex, PoisonError, mpsc};

use super::render::{self, Rendered, Target};
use super::sink::Writer;
use super::{BatchOptions, CHUNK, Observer, Summary};
use crate::compile::{Program, RowRenderer};
use crate::diag::Diagnostic;
use crate::error::Error;
use crate::rows::{Header, RawRow, RowAt, RowError, Rows};

/// What every thread of a batch reads.
pub(super) struct Job<'a> {
    pub(super) program: &'a Program,
    pub(super) renderer: &'a RowRenderer<'a>,
    pub(super) header: &'a Header,
    pub(super) options: &'a BatchOptions,
    pub(super) target: Target,
    pub(super) observer: &'a dyn Observer,
}

/// Why rows stop: the batch is over (or failed fast) here, or was stopped from outside.
struct Stop<'a> {
    here: AtomicBool,
    outside: &'a AtomicBool,
}

impl Stop<'_> {
    fn now(&self) -> bool {
        self.here.load(Ordering::Relaxed) || self.outside.load(Ordering::Relaxed)
    }

    fn raise(&self) {
        self.here.store(true, Ordering::Relaxed);
    }
}

/// A chunk of rows, numbered in reading order.
type Chunk<T> = (u64, Vec<T>);

/// What a worker made of one row; `None` when the batch stopped before it.
struct Done {
    row: RowAt,
    result: Option<Result<(Rendered, Vec<Diagnostic>), RowError>>,
}

pub(super) fn run(
    job: &Job<'_>,
    rows: Rows,
    mut writer: Writer,
    summary: &mut Summary,
) -> Result<(), Error> {
    let jobs = super::workers(job.options.jobs);
    let in_flight = jobs * 4;
    let (work_tx, work_rx) = mpsc::sync_channel::<Chunk<RawRow>>(in_flight);
    let (done_tx, done_rx) = mpsc::channel::<Chunk<Done>>();
    let (credit_tx, credit_rx) = mpsc::sync_channel::<()>(in_flight);
    for _ in 0..in_flight {
        credit_tx.send(()).expect("credits fit the channel");
    }
    let work_rx = Mutex::new(work_rx);
    let stop = Stop {
        here: AtomicBool::new(false),
        outside: &job.options.stop,
    };
    let (stop, work_rx) = (&stop, &work_rx);
    std::thread::scope(|scope| {
        // Owned here, so that leaving early (a failed write) releases the reader.
        let credit_tx = credit_tx;
        scope.spawn(move || read(job, rows, &work_tx, &credit_rx, stop));
        for _ in 0..jobs {
            let done_tx = done_tx.clone();
            scope.spawn(move || work(job, work_rx, &done_tx, stop));
        }
        drop(done_tx);
        let written = write_in_order(job, done_rx, &credit_tx, &mut writer, summary, stop);
        // Whatever happened, let every other thread finish: no more rows, no more projects.
        stop.raise();
        drop(credit_tx);
        writer.close();
        written
    })?;
    writer.finish()
}

fn read(
    job: &Job<'_>,
    mut rows: Rows,
    work: &SyncSender<Chunk<RawRow>>,
    credits: &Receiver<()>,
    stop: &Stop<'_>,
) {
    let mut sequence = 0;
    let mut chunk = Vec::with_capacity(CHUNK);
    // Stopped from outside, rows are still read (not rendered): each is told as stopped
    // before, so that every row of the CSV ends in a state.
    while !stop.here.load(Ordering::Relaxed) {
        let Some(row) = rows.next_row() else { break };
        if !in_shard(job, row.number) {
            continue;
        }
        chunk.push(row);
        if chunk.len() == CHUNK {
            job.observer.read_up_to(rows.position());
            if credits.recv().is_err() || work.send((sequence, std::mem::take(&mut chunk))).is_err()
            {
                return;
            }
            sequence += 1;
        }
    }
    if !chunk.is_empty() && credits.recv().is_ok() {
        let _ = work.send((sequence, chunk));
    }
}

fn in_shard(job: &Job<'_>, number: u64) -> bool {
    job.options
        .shard
        .is_none_or(|(k, n)| (number - 1) % n == k - 1)
}

fn work(
    job: &Job<'_>,
    queue: &Mutex<Receiver<Chunk<RawRow>>>,
    done: &Sender<Chunk<Done>>,
    stop: &Stop<'_>,
) {
    loop {
        let next = queue.lock().unwrap_or_else(PoisonError::into_inner).recv();
        let Ok((sequence, chunk)) = next else { break };
        let results = chunk
            .into_iter()
            .map(|raw| {
                let row = raw.at();
                let result = (!stop.now()).then(|| {
                    // A bug must cost one row, not hang the batch waiting for it.
                    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| render::row(job, raw)))
                        .unwrap_or_else(|_| {
                            Err(RowError::new(format!(
                                "row {row}: internal error in vidspec (please report it)"
                            )))
                        })
                });
                Done { row, result }
            })
            .collect();
        if done.send((sequence, results)).is_err() {
            break;
        }
    }
}

fn write_in_order(
    job: &Job<'_>,
    done: Receiver<Chunk<Done>>,
    credits: &SyncSender<()>,
    writer: &mut Writer,
    summary: &mut Summary,
    stop: &Stop<'_>,
) -> Result<(), Error> {
    let mut pending = BTreeMap::new();
    let mut next = 0;
    for (sequence, results) in done {
        pending.insert(sequence, results);
        while let Some(results) = pending.remove(&next) {
            next += 1;
            for Done { row, result } in results {
                let Some(result) = result.filter(|_| !stop.now()) else {
                    if stop.outside.load(Ordering::Relaxed) {
                        writer.stopped_before(row);
                        job.observer.stopped_before(row.number);
                    }
                    continue;
                };
                let outcome = result.and_then(|(rendered, lints)| {
                    job.observer.warnings(row, &lints);
                    writer.output(row, rendered)
                });
                if let Some(fatal) = writer.take_fatal() {
                    return Err(fatal);
                }
                match &outcome {
                    Ok(_) => summary.ok += 1,
                    Err(error) => {
                        summary.failed += 1;
                        summary.failed_after_compiling += u64::from(error.compiled);
                    }
                }
                job.observer
                    .row(row, outcome.as_ref().map(Option::as_deref))?;
                if outcome.is_err() && job.options.fail_fast {
                    stop.raise();
                }
            }
            let _ = credits.send(());
        }
    }
    Ok(())
}
