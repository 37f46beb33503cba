//! Batches: one project per CSV row, compiled once and rendered per row in parallel, written
//! in input order, in constant memory.
//!
//! [`prepare`] loads the spec and opens the row source (`crate::rows`), so that every mistake
//! of the command is found before any row runs; [`Batch::run`] then streams the rows through
//! worker threads (`engine`) to a [`Sink`] in row order. Nothing here prints and nothing here
//! knows the API: each row's outcome goes to an [`Observer`] (the command reports it), and
//! projects to be submitted leave through a channel.

mod engine;
pub(crate) mod output;
mod render;
mod sink;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::sync::mpsc::SyncSender;
use std::time::{Duration, Instant};

use crate::compile::{Options, Program};
use crate::diag::Diagnostic;
use crate::emit::Format;
use crate::error::Error;
use crate::rows::{Header, RowAt, RowError, Rows};

/// Rows a worker takes at a time.
pub(crate) const CHUNK: usize = 64;

/// Where rows' projects go.
pub(crate) enum Sink {
    /// One compact JSON document per line (`--ndjson`: stdout).
    Lines(Box<dyn Write>),
    /// One file per row, the path from `BatchOptions::out` (a template over the row's inputs
    /// and `row`).
    Files(Format),
    /// Each row's project, in row order (to be submitted); closed when the batch ends.
    #[cfg_attr(not(feature = "submit"), allow(dead_code))]
    Projects(SyncSender<Compiled>),
}

/// A row compiled for submission: its number, project and input values.
#[cfg_attr(not(feature = "submit"), allow(dead_code))]
pub(crate) struct Compiled {
    pub(crate) row: RowAt,
    /// `None`: the batch was stopped before rendering it (the row is not started).
    pub(crate) project: Option<serde_json::Value>,
    pub(crate) inputs: crate::inputs::Inputs,
    /// `--download`: where the row's video goes, checked as `--out` paths are.
    pub(crate) file: Option<Place>,
}

/// A file of a row inside the batch's folder: the path as rendered and checked, and the same
/// below the folder (which `emit::confined` walks, refusing links).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Place {
    pub(crate) folder: PathBuf,
    pub(crate) path: PathBuf,
}

impl Place {
    /// The path below the folder.
    pub(crate) fn inside(&self) -> &Path {
        self.path.strip_prefix(&self.folder).unwrap_or(&self.path)
    }
}

/// What `vidspec batch` was asked to do, past the compile options and the sink.
pub(crate) struct BatchOptions {
    /// The CSV file, or `-` for stdin.
    pub(crate) csv: PathBuf,
    /// `--out PATTERN`, when rows go to files.
    pub(crate) out: Option<String>,
    /// `--download PATTERN`, when submitted rows' videos go to files.
    pub(crate) download: Option<String>,
    /// `--key`: the columns that name a row (none given: the CSV's first column).
    pub(crate) key: Vec<String>,
    /// The CSV's field separator (`,` unless `--delimiter`).
    pub(crate) delimiter: u8,
    /// Worker threads; None means one per core.
    pub(crate) jobs: Option<usize>,
    /// `(k, n)`: process rows whose number is k modulo n (1-based k).
    pub(crate) shard: Option<(u64, u64)>,
    pub(crate) fail_fast: bool,
    /// A row whose project has lints fails (`--deny-warnings`).
    pub(crate) deny_warnings: bool,
    /// Raised from outside (the submission was interrupted): no more rows are rendered; the
    /// rest are read only to be told to the observer as stopped before.
    pub(crate) stop: Arc<AtomicBool>,
    /// The files the command reads (spec, CSV, vars files, journal, report): no row's
    /// `--out` or `--download` path may be one of them.
    pub(crate) inputs: crate::load::Inputs,
}

/// Hears each row's outcome, in row order, and how far the reader has got.
pub(crate) trait Observer: Sync {
    /// The reader has read this many bytes of the CSV.
    fn read_up_to(&self, position: u64);
    /// A row is done: written (to this file, when files), or failed. An error ends the batch.
    fn row(&self, row: RowAt, outcome: Result<Option<&Path>, &RowError>) -> Result<(), Error>;
    /// A row the batch did not render because it was stopped from outside (`stop`), in row
    /// order with the others.
    fn stopped_before(&self, row: u64) {
        let _ = row;
    }
    /// The lints of a row's project, told before the row is written.
    fn warnings(&self, _row: RowAt, _warnings: &[Diagnostic]) {}
}

/// How a batch went.
#[derive(Clone, Debug, Default)]
pub(crate) struct Summary {
    pub(crate) ok: u64,
    pub(crate) failed: u64,
    /// Of the failed rows, those that compiled (their output path was refused, their file
    /// could not be written).
    pub(crate) failed_after_compiling: u64,
    pub(crate) elapsed: Duration,
    /// Rows were filled into a prebuilt project.
    pub(crate) prebuilt: bool,
    /// …and written straight from its bytes.
    pub(crate) bytes: bool,
}

/// A batch ready to run: the spec compiled, the CSV open and its header checked.
pub(crate) struct Batch {
    program: Program,
    rows: Rows,
    header: Header,
    /// The folder files are kept in (`--out`).
    folder: Option<PathBuf>,
    options: BatchOptions,
    started: Instant,
    /// The columns that name a row, checked against the header (`--key`).
    key: Vec<String>,
    /// Found while preparing: the spec's, and the header's (unknown columns).
    pub(crate) warnings: Vec<Diagnostic>,
}

/// Worker threads for `--jobs N`: N, or one per core without it.
pub(crate) fn workers(jobs: Option<usize>) -> usize {
    jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(2, usize::from))
}

/// Loads the spec, registers the `--out` pattern and opens the CSV: every mistake that would
/// fail every row is an error here, before any row runs.
pub(crate) fn prepare(
    spec: &Path,
    compile: &Options,
    options: BatchOptions,
) -> Result<Batch, Error> {
    let started = Instant::now();
    let inputs = crate::load::Inputs::compile(spec, &compile.vars_files);
    crate::load::stdin_once(&inputs.and("--csv", &options.csv))?;
    let mut program = Program::load(spec, compile)?;
    let folder = match options.path_pattern() {
        Some((flag, pattern)) => {
            check_path_pattern(&mut program, flag, pattern)?;
            Some(output::output_folder(pattern))
        }
        None => None,
    };
    let (rows, header, header_warnings) =
        crate::rows::open(&options.csv, options.delimiter, &program)?;
    let key = key_columns(&options.key, &rows.columns, &program)?;
    let mut warnings = program.warnings.clone();
    warnings.extend(header_warnings);
    Ok(Batch {
        program,
        rows,
        header,
        folder,
        options,
        started,
        key,
        warnings,
    })
}

/// The columns that name a row: each `--key` a column of the CSV that feeds a variable (a
/// row keeps only its variables' values), or the CSV's first column. Checked for every batch,
/// a dry run too, so a mistyped key is found before a submission is even tried.
fn key_columns(
    key: &[String],
    columns: &[String],
    program: &Program,
) -> Result<Vec<String>, Error> {
    if key.is_empty() {
        return Ok(columns.iter().take(1).cloned().collect());
    }
    for column in key {
        let message = if !columns.contains(column) {
            format!("--key {column}: no such column ({})", columns.join(", "))
        } else if program.vars.get(column).is_none() {
            format!(
                "--key {column}: the column is not a variable of the spec, so rows keep no value of it to be named by; key on a variable's column"
            )
        } else {
            continue;
        };
        return Err(Error::Invalid(vec![Diagnostic::error(message)]));
    }
    Ok(key.to_vec())
}

impl Batch {
    /// The columns that name a row (`--key`, or the CSV's first column), known to be
    /// variables' columns.
    #[cfg_attr(not(feature = "submit"), allow(dead_code))]
    pub(crate) fn key(&self) -> &[String] {
        &self.key
    }

    /// Runs every row into `sink`, telling `observer` of each.
    pub(crate) fn run(self, sink: Sink, observer: &dyn Observer) -> Result<Summary, Error> {
        let renderer = self.program.rows(&self.rows.columns);
        let mut summary = Summary {
            prebuilt: renderer.is_prebuilt(),
            bytes: renderer.fills_bytes() && !matches!(sink, Sink::Projects(_)),
            ..Summary::default()
        };
        let job = engine::Job {
            program: &self.program,
            renderer: &renderer,
            header: &self.header,
            options: &self.options,
            target: render::Target::of(&sink),
            observer,
        };
        let writer = sink::Writer::new(sink, self.folder, self.options.inputs.clone());
        engine::run(&job, self.rows, writer, &mut summary)?;
        summary.elapsed = self.started.elapsed();
        Ok(summary)
    }
}

impl BatchOptions {
    /// The pattern of each row's file and its flag: `--out` (projects) or `--download`
    /// (videos); one rule for both.
    pub(crate) fn path_pattern(&self) -> Option<(&'static str, &str)> {
        match (&self.out, &self.download) {
            (Some(out), _) => Some(("--out", out)),
            (None, Some(download)) => Some(("--download", download)),
            (None, None) => None,
        }
    }
}

/// Registers the `--out` (or `--download`) pattern, refusing before any row runs one that
/// cannot give each row its own file: no template in it, or a name that is not a variable
/// (nor `row`).
fn check_path_pattern(program: &mut Program, flag: &str, pattern: &str) -> Result<(), Error> {
    if !crate::expand::engine::is_template(pattern) {
        let example = if flag == "--out" {
            "out/{{ row }}.json"
        } else {
            "videos/{{ row }}.mp4"
        };
        return Err(Error::Usage(format!(
            "{flag} {pattern}: every row would write the same file; put a template in it, e.g. '{example}'"
        )));
    }
    let read = program
        .add_file_template(render::PATH, pattern)
        .map_err(|d| Error::Usage(format!("{flag}: {}", d.message)))?;
    let names: Vec<&str> = program.vars.names().chain(["row"]).collect();
    for name in read {
        if !names.contains(&name.as_str()) {
            return Err(Error::Usage(format!(
                "{flag}: `{name}` is not a variable of this spec (nor `row`); {}",
                crate::diag::suggestion(&name, names.iter().copied())
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// No `--jobs` is one per core for rows and for submissions alike (submissions took 4).
    #[test]
    fn no_jobs_means_one_per_core() {
        let cores = std::thread::available_parallelism().map_or(2, usize::from);
        assert_eq!(workers(None), cores);
        assert_eq!(workers(Some(3)), 3);
    }
}
