//! Batches: one project per CSV row, compiled once and rendered per row in parallel,
//! written in input order, in constant memory.
//!
//! A reader thread streams records in chunks; worker threads render them (through a prebuilt
//! project when the spec allows, see `compile::prebuilt`); the calling thread writes results
//! in row order. A fixed number of chunks may be in flight, so memory does not grow with the
//! number of rows. A failed row is reported as `row N, column C: …` (or with the spec location
//! when the spec is at fault) and the others are still produced.

pub mod output;
pub mod rows;

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::compile::{Options, Program, RowRenderer};
use crate::diag::Diagnostic;
use crate::emit::{self, Format};
use crate::error::Error;
use crate::report::progress::Progress;
use output::{Report, Written};
use rows::{Header, Rows};

/// Rows a worker takes at a time.
const CHUNK: usize = 64;

/// Where rows' projects go.
#[derive(Clone, Debug)]
pub enum Sink {
    /// One JSON document per line on stdout.
    Ndjson,
    /// One file per row, the path a template over the row's inputs and `row`.
    Files { pattern: String, format: Format },
    /// Each row's project created (and exported) on AI Studios.
    Submit {
        options: crate::api::SubmitOptions,
        api: crate::api::ApiOptions,
    },
}

/// What `vidspec batch` was asked to do, past the compile options.
#[derive(Clone, Debug)]
pub struct BatchOptions {
    /// The CSV file, or `-` for stdin.
    pub csv: PathBuf,
    pub sink: Sink,
    /// The CSV's field separator (`,` unless `--delimiter`).
    pub delimiter: u8,
    /// Worker threads; 0 means one per core.
    pub jobs: usize,
    /// `(k, n)`: process rows whose number is k modulo n (1-based k).
    pub shard: Option<(u64, u64)>,
    pub fail_fast: bool,
    pub report: Option<PathBuf>,
    /// No progress bar, no summary.
    pub quiet: bool,
    pub color: bool,
}

/// How a batch went.
#[derive(Clone, Debug, Default)]
pub struct Summary {
    pub ok: u64,
    pub failed: u64,
    pub elapsed: Duration,
    /// Rows were filled into a prebuilt project.
    pub prebuilt: bool,
    /// …and written straight from its bytes.
    pub bytes: bool,
    /// Rows went to be submitted (the submission reports its own outcome).
    pub submitting: bool,
    /// What the submission did, with `--submit`.
    pub submitted: Option<crate::api::Summary>,
}

/// Worker threads for `--jobs N`: N, or one per core for 0.
pub fn workers(jobs: usize) -> usize {
    if jobs == 0 {
        std::thread::available_parallelism().map_or(2, usize::from)
    } else {
        jobs
    }
}

/// What a worker made of one row.
struct Done {
    row: u64,
    result: Result<Rendered, String>,
}

struct Rendered {
    bytes: Vec<u8>,
    path: Option<PathBuf>,
    /// The project itself, when it is to be submitted.
    project: Option<serde_json::Value>,
}

/// Runs a batch: every row of the CSV through the spec.
pub fn run(spec: &Path, compile: &Options, options: &BatchOptions) -> Result<Summary, Error> {
    let started = Instant::now();
    let mut program = Program::load(spec, compile)?;
    let folder = match &options.sink {
        Sink::Files { pattern, .. } => {
            check_out_pattern(&mut program, pattern)?;
            Some(output::output_folder(pattern))
        }
        Sink::Ndjson | Sink::Submit { .. } => None,
    };
    let input: Box<dyn Read + Send> = if options.csv.as_os_str() == "-" {
        Box::new(std::io::stdin())
    } else {
        let file = std::fs::File::open(&options.csv)
            .map_err(|e| Error::io(format!("opening {}", crate::display_path(&options.csv)), e))?;
        Box::new(std::io::BufReader::with_capacity(1 << 16, file))
    };
    let csv_size = std::fs::metadata(&options.csv)
        .map(|m| m.len())
        .ok()
        .filter(|_| options.csv.as_os_str() != "-");
    let mut rows = Rows::new(input, options.delimiter).map_err(|m| {
        Error::Invalid(vec![Diagnostic::error(format!(
            "{}: {m}",
            crate::display_path(&options.csv)
        ))])
    })?;
    let (header, warnings) = Header::check(&program, &rows.columns).map_err(Error::Invalid)?;
    for warning in program.warnings.iter().chain(&warnings) {
        crate::report::stderr(warning.render(options.color).as_bytes());
    }
    let program = &program;
    let renderer = program.rows(&rows.columns);
    let renderer = &renderer;
    let header = &header;
    let jobs = workers(options.jobs);
    let progress = Progress::new(options.quiet, csv_size);
    let stop = AtomicBool::new(false);

    let mut summary = Summary {
        prebuilt: renderer.is_prebuilt(),
        bytes: renderer.fills_bytes() && !matches!(options.sink, Sink::Submit { .. }),
        submitting: matches!(options.sink, Sink::Submit { .. }),
        ..Summary::default()
    };
    let mut writer = Writer::new(options, folder)?;
    let (submit_tx, submit_rx) = mpsc::sync_channel::<crate::api::SubmitItem>(jobs * CHUNK);
    if matches!(options.sink, Sink::Submit { .. }) {
        writer.submit = Some(submit_tx);
    } else {
        drop(submit_tx);
    }
    // At most `in_flight` chunks are read and not yet written: the reader takes a credit per
    // chunk and the writer gives it back once the chunk is out.
    let in_flight = jobs * 4;
    let (work_tx, work_rx) = mpsc::sync_channel::<(u64, Vec<rows::RawRow>)>(in_flight);
    let (done_tx, done_rx) = mpsc::channel::<(u64, Vec<Done>)>();
    let (credit_tx, credit_rx) = mpsc::sync_channel::<()>(in_flight);
    for _ in 0..in_flight {
        credit_tx.send(()).expect("credits fit the channel");
    }
    let work_rx = std::sync::Mutex::new(work_rx);
    let (work_rx, stop, progress_ref) = (&work_rx, &stop, &progress);
    let submitted = std::thread::scope(|scope| -> Result<Option<crate::api::Summary>, Error> {
        // Owned here, so that leaving early (a failed write) releases the reader.
        let credit_tx = credit_tx;
        let submitter = match &options.sink {
            Sink::Submit { options, api } => {
                Some(scope.spawn(move || crate::api::submit_items(submit_rx, options, api)))
            }
            _ => None,
        };
        scope.spawn(move || {
            let mut sequence = 0;
            let mut chunk = Vec::with_capacity(CHUNK);
            while !stop.load(Ordering::Relaxed) {
                let Some(row) = rows.next_row() else { break };
                if options
                    .shard
                    .is_some_and(|(k, n)| (row.number - 1) % n != k - 1)
                {
                    continue;
                }
                chunk.push(row);
                if chunk.len() == CHUNK {
                    progress_ref.bytes(rows.position());
                    if credit_rx.recv().is_err()
                        || work_tx
                            .send((sequence, std::mem::take(&mut chunk)))
                            .is_err()
                    {
                        return;
                    }
                    sequence += 1;
                }
            }
            if !chunk.is_empty() && credit_rx.recv().is_ok() {
                let _ = work_tx.send((sequence, chunk));
            }
        });
        for _ in 0..jobs {
            let done_tx = done_tx.clone();
            scope.spawn(move || {
                loop {
                    let next = work_rx.lock().expect("work queue").recv();
                    let Ok((sequence, chunk)) = next else { break };
                    let results = chunk
                        .into_iter()
                        .map(|raw| {
                            let row = raw.number;
                            let result = if stop.load(Ordering::Relaxed) {
                                Err(String::new())
                            } else {
                                // A bug must cost one row, not hang the batch waiting for it.
                                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                                    render_row(program, renderer, header, raw, options)
                                }))
                                .unwrap_or_else(|_| {
                                    Err(format!(
                                        "row {row}: internal error in vidspec (please report it)"
                                    ))
                                })
                            };
                            Done { row, result }
                        })
                        .collect();
                    if done_tx.send((sequence, results)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(done_tx);
        let write_all = || -> Result<(), Error> {
            let mut pending = BTreeMap::new();
            let mut next = 0;
            for (sequence, results) in done_rx {
                pending.insert(sequence, results);
                while let Some(results) = pending.remove(&next) {
                    next += 1;
                    for done in results {
                        if stop.load(Ordering::Relaxed) {
                            break;
                        }
                        let ok = writer.write(done, &progress, &mut summary)?;
                        if !ok && options.fail_fast {
                            stop.store(true, Ordering::Relaxed);
                        }
                    }
                    let _ = credit_tx.send(());
                }
            }
            Ok(())
        };
        let written = write_all();
        // Whatever happened, let every other thread finish: no more rows, no more submissions.
        stop.store(true, Ordering::Relaxed);
        drop(credit_tx);
        writer.submit = None;
        written?;
        match submitter.map(|handle| handle.join()) {
            None => Ok(None),
            Some(Ok(summary)) => summary.map(Some),
            Some(Err(_)) => Err(Error::Api("the submission thread panicked".into())),
        }
    })?;
    writer.finish()?;
    progress.finish();
    summary.elapsed = started.elapsed();
    summary.submitted = submitted;
    Ok(summary)
}

impl Summary {
    /// The closing line: rows ok and failed, time, rate, how rows were made, peak memory.
    pub fn line(&self) -> String {
        let total = self.ok + self.failed;
        let seconds = self.elapsed.as_secs_f64();
        let rate = total as f64 / seconds.max(1e-9);
        let rate = if rate < 10.0 {
            format!("{rate:.1}")
        } else {
            format!("{rate:.0}")
        };
        let path = match (self.prebuilt, self.bytes) {
            (true, true) => "prebuilt project, filled as bytes",
            (true, false) => "prebuilt project",
            _ => "full compile per row",
        };
        let memory = peak_memory().map_or(String::new(), |kib| {
            format!(", peak memory {:.1} MiB", kib as f64 / 1024.0)
        });
        let (ok, failed) = if self.submitting {
            ("compiled", "failed to compile")
        } else {
            ("ok", "failed")
        };
        format!(
            "batch: {} {ok}, {} {failed}, {total} rows in {seconds:.2} s ({rate} rows/s; {path}{memory})",
            self.ok, self.failed
        )
    }
}

/// The process's peak resident memory in KiB, where the system tells it (Linux).
pub fn peak_memory() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Registers the `--out` pattern, refusing before any row runs one that cannot give each row
/// its own file: no template in it, or a name that is not a variable (nor `row`).
fn check_out_pattern(program: &mut Program, pattern: &str) -> Result<(), Error> {
    if !crate::expand::engine::is_template(pattern) {
        return Err(Error::Usage(format!(
            "--out {pattern}: every row would write the same file; put a template in it, e.g. 'out/{{{{ row }}}}.json'"
        )));
    }
    program
        .engine_mut()
        .add_file("--out", pattern)
        .map_err(|d| Error::Usage(format!("--out: {}", d.message)))?;
    let names: Vec<&str> = program.vars.names().chain(["row"]).collect();
    for name in program.engine().file_vars("--out") {
        if !names.contains(&name.as_str()) {
            return Err(Error::Usage(format!(
                "--out: `{name}` is not a variable of this spec (nor `row`); {}",
                crate::diag::suggestion(&name, names.iter().copied())
            )));
        }
    }
    Ok(())
}

/// One row through the pipeline: inputs, output path, project, bytes.
fn render_row(
    program: &Program,
    renderer: &RowRenderer<'_>,
    header: &Header,
    raw: rows::RawRow,
    options: &BatchOptions,
) -> Result<Rendered, String> {
    let number = raw.number;
    let cells = raw.cells.map_err(|m| match m.strip_prefix("column ") {
        Some(rest) => format!("row {number}, column {rest}"),
        None => format!("row {number}: {m}"),
    })?;
    let row_inputs = header.inputs(program, number, &cells)?;
    let inputs = program.resolve(&row_inputs).map_err(|missing| {
        let names: Vec<String> = missing.iter().map(|d| d.name.clone()).collect();
        let column = names.join(", ");
        format!("row {number}, column {column}: the cell is empty, and the variable is required")
    })?;
    let located = |diags: Vec<Diagnostic>| {
        diags
            .into_iter()
            .map(|mut d| {
                d.message = format!("row {number}: {}", d.message);
                d.render(options.color)
            })
            .collect::<String>()
    };
    let (format, out) = match &options.sink {
        Sink::Ndjson => (Format::Compact, false),
        Sink::Files { format, .. } => (*format, true),
        Sink::Submit { .. } => {
            let project = renderer.render(&inputs).map_err(|d| located(d.items))?;
            return Ok(Rendered {
                bytes: Vec::new(),
                path: None,
                project: Some(project),
            });
        }
    };
    let bytes = renderer
        .render_bytes(&inputs, format)
        .map_err(|d| located(d.items))?;
    let path = if out {
        let mut ctx: BTreeMap<String, minijinja::Value> = inputs
            .iter()
            .map(|(k, v)| (k.clone(), crate::expand::engine::from_json(v)))
            .collect();
        ctx.insert("row".into(), minijinja::Value::from(number));
        let rendered = program
            .engine()
            .render_file("--out", &minijinja::Value::from(ctx))
            .map_err(|d| located(vec![d]))?;
        Some(PathBuf::from(rendered))
    } else {
        None
    };
    Ok(Rendered {
        bytes,
        path,
        project: None,
    })
}

/// Writes results in row order: NDJSON lines or files, the report, errors on stderr.
struct Writer {
    stdout: std::io::BufWriter<std::io::Stdout>,
    folder: Option<PathBuf>,
    written: Written,
    report: Option<Report>,
    color: bool,
    /// Where rows go to be submitted (`--submit`).
    submit: Option<mpsc::SyncSender<crate::api::SubmitItem>>,
}

impl Writer {
    fn new(options: &BatchOptions, folder: Option<PathBuf>) -> Result<Writer, Error> {
        let report = match &options.report {
            Some(path) => Some(
                Report::create(path)
                    .map_err(|e| Error::io(format!("creating {}", crate::display_path(path)), e))?,
            ),
            None => None,
        };
        Ok(Writer {
            stdout: std::io::BufWriter::with_capacity(1 << 16, std::io::stdout()),
            folder,
            written: Written::default(),
            report,
            color: options.color,
            submit: None,
        })
    }

    /// Writes one row's result; false when the row failed.
    fn write(
        &mut self,
        done: Done,
        progress: &Progress,
        summary: &mut Summary,
    ) -> Result<bool, Error> {
        let outcome = match done.result {
            Ok(rendered) => self.output(done.row, rendered),
            Err(message) => Err(message),
        };
        progress.row();
        match outcome {
            Ok(path) => {
                summary.ok += 1;
                if let Some(report) = &mut self.report {
                    report
                        .ok(done.row, path.as_deref())
                        .map_err(|e| Error::io("writing the report", e))?;
                }
                Ok(true)
            }
            Err(message) => {
                summary.failed += 1;
                let text = if message.starts_with("error:") || message.contains("\n") {
                    message.clone()
                } else {
                    Diagnostic::error(message.clone()).render(self.color)
                };
                progress.suspend(|| {
                    crate::report::stderr((text.trim_end().to_owned() + "\n").as_bytes())
                });
                if let Some(report) = &mut self.report {
                    let first = message
                        .lines()
                        .next()
                        .unwrap_or_default()
                        .trim_start_matches("error: ");
                    report
                        .failed(done.row, first)
                        .map_err(|e| Error::io("writing the report", e))?;
                }
                Ok(false)
            }
        }
    }

    fn output(&mut self, row: u64, rendered: Rendered) -> Result<Option<PathBuf>, String> {
        if let (Some(project), Some(submit)) = (rendered.project, &self.submit) {
            submit
                .send(crate::api::SubmitItem { row, project })
                .map_err(|_| format!("row {row}: the submission stopped before this row"))?;
            return Ok(None);
        }
        let (Some(path), Some(folder)) = (rendered.path, &self.folder) else {
            return match self.stdout.write_all(&rendered.bytes) {
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(None),
                Err(e) => Err(format!("row {row}: writing stdout: {e}")),
                Ok(()) => Ok(None),
            };
        };
        let text = path.to_string_lossy().into_owned();
        let path = output::safe_path(&text, folder).map_err(|m| format!("row {row}: {m}"))?;
        if let Err(first) = self.written.claim(&path, row) {
            return Err(format!(
                "row {row}: output path {} was already written by row {first}; not overwritten",
                path.display()
            ));
        }
        emit::write_atomic(&path, &rendered.bytes)
            .map_err(|e| format!("row {row}: writing {}: {e}", path.display()))?;
        Ok(Some(path))
    }

    fn finish(mut self) -> Result<(), Error> {
        match self.stdout.flush() {
            Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                return Err(Error::io("writing stdout", e));
            }
            _ => {}
        }
        if let Some(report) = self.report {
            report
                .finish()
                .map_err(|e| Error::io("writing the report", e))?;
        }
        Ok(())
    }
}
