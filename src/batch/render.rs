//! One row through the pipeline, on a worker thread: inputs, project, bytes, output path.

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::Sink;
use super::engine::Job;
use crate::diag::{Diagnostic, Severity};
use crate::emit::Format;
use crate::rows::{RawRow, RowError};

/// The name the `--out` (or `--download`) pattern is registered under in the spec's engine.
pub(super) const PATH: &str = "--out";

/// What a row becomes, by sink.
#[derive(Clone, Copy)]
pub(super) enum Target {
    Lines,
    Files(Format),
    Projects,
}

impl Target {
    pub(super) fn of(sink: &Sink) -> Target {
        match sink {
            Sink::Lines(_) => Target::Lines,
            Sink::Files(format) => Target::Files(*format),
            Sink::Projects(_) => Target::Projects,
        }
    }
}

/// A rendered row, ready for the writer.
pub(super) enum Rendered {
    Bytes {
        bytes: Vec<u8>,
        /// The rendered `--out` path, not yet checked.
        path: Option<PathBuf>,
    },
    /// A project to submit, with the rendered `--download` path (not yet checked).
    Project(serde_json::Value, crate::inputs::Inputs, Option<PathBuf>),
}

/// A row's output and the lints of its project (with the row's values).
pub(super) fn row(job: &Job<'_>, raw: RawRow) -> Result<(Rendered, Vec<Diagnostic>), RowError> {
    let at = raw.at();
    let inputs = job.header.inputs(job.program, raw)?;
    let located = |diags| RowError::located(at, diags);
    let (rendered, lints) = output(job, at.number, &inputs).map_err(located)?;
    if job.options.deny_warnings && !lints.is_empty() {
        let mut denied: Vec<Diagnostic> = lints
            .into_iter()
            .map(|mut d| {
                d.severity = Severity::Error;
                d
            })
            .collect();
        denied.push(Diagnostic::error(
            "this row has warnings, and --deny-warnings turns them into errors",
        ));
        return Err(located(denied));
    }
    Ok((rendered, lints))
}

fn output(
    job: &Job<'_>,
    number: u64,
    inputs: &crate::inputs::Inputs,
) -> Result<(Rendered, Vec<Diagnostic>), Vec<Diagnostic>> {
    let format = match job.target {
        Target::Projects => {
            let (project, lints) = job.renderer.render_linted(inputs).map_err(|d| d.items)?;
            let path = match job.options.download {
                Some(_) => Some(path(job, number, inputs)?),
                None => None,
            };
            return Ok((Rendered::Project(project, inputs.clone(), path), lints));
        }
        Target::Lines => Format::Compact,
        Target::Files(format) => format,
    };
    let (bytes, lints) = job
        .renderer
        .render_bytes_linted(inputs, format)
        .map_err(|d| d.items)?;
    let path = match job.target {
        Target::Files(_) => Some(path(job, number, inputs)?),
        _ => None,
    };
    Ok((Rendered::Bytes { bytes, path }, lints))
}

/// The row's file: the path pattern rendered over its inputs and `row` (checked by the sink).
fn path(
    job: &Job<'_>,
    number: u64,
    inputs: &crate::inputs::Inputs,
) -> Result<PathBuf, Vec<Diagnostic>> {
    let mut ctx: BTreeMap<String, minijinja::Value> = inputs
        .iter()
        .map(|(k, v)| (k.clone(), crate::expand::engine::from_json(v)))
        .collect();
    ctx.insert("row".into(), minijinja::Value::from(number));
    let rendered = job
        .program
        .render_file_template(PATH, &minijinja::Value::from(ctx))
        .map_err(|d| vec![d])?;
    Ok(PathBuf::from(rendered))
}
