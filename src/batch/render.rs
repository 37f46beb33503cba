//! One row through the pipeline, on a worker thread: inputs, project, bytes, output path.

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::Sink;
use super::engine::Job;
use crate::emit::Format;
use crate::rows::{RawRow, RowError};

/// The name the `--out` pattern is registered under in the spec's engine.
pub(super) const OUT: &str = "--out";

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
    Project(serde_json::Value, crate::inputs::Inputs),
}

pub(super) fn row(job: &Job<'_>, raw: RawRow) -> Result<Rendered, RowError> {
    let number = raw.number;
    let inputs = job.header.inputs(job.program, raw)?;
    let located = |diags| RowError::located(number, diags);
    let format = match job.target {
        Target::Projects => {
            let project = job.renderer.render(&inputs).map_err(|d| located(d.items))?;
            return Ok(Rendered::Project(project, inputs));
        }
        Target::Lines => Format::Compact,
        Target::Files(format) => format,
    };
    let bytes = job
        .renderer
        .render_bytes(&inputs, format)
        .map_err(|d| located(d.items))?;
    let path = match job.target {
        Target::Files(_) => {
            let mut ctx: BTreeMap<String, minijinja::Value> = inputs
                .iter()
                .map(|(k, v)| (k.clone(), crate::expand::engine::from_json(v)))
                .collect();
            ctx.insert("row".into(), minijinja::Value::from(number));
            let rendered = job
                .program
                .render_file_template(OUT, &minijinja::Value::from(ctx))
                .map_err(|d| located(vec![d]))?;
            Some(PathBuf::from(rendered))
        }
        _ => None,
    };
    Ok(Rendered::Bytes { bytes, path })
}
