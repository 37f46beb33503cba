//! `batch --report FILE`: one JSON line per row — `{row, line, status: "ok", output?}` or
//! `{row, line, status: "failed", error, diagnostics}` with the row's diagnostics as data
//! (`line`: the CSV line the row's record starts on, left out for a row from no CSV); with
//! `--submit`, each row's one state (`created`, `skipped`, `not-started`, `unknown`,
//! `failed`, `exported`, `stalled`, `downloaded`) with its projectId, URL or reason; with
//! `--plan`, each row's plan.

use std::io::Write;
use std::path::Path;

#[cfg(feature = "submit")]
use crate::api::plan::PlannedRow;
#[cfg(feature = "submit")]
use crate::api::submit::RowState;
use crate::diag::Diagnostic;
use crate::rows::RowAt;

pub(crate) struct RowReport {
    out: std::io::BufWriter<std::fs::File>,
}

impl RowReport {
    pub(crate) fn create(path: &Path) -> std::io::Result<RowReport> {
        Ok(RowReport {
            out: std::io::BufWriter::new(std::fs::File::create(path)?),
        })
    }

    pub(crate) fn ok(&mut self, row: RowAt, output: Option<&Path>) -> std::io::Result<()> {
        let mut line = at(row);
        line["status"] = "ok".into();
        if let Some(path) = output {
            line["output"] = path.display().to_string().into();
        }
        self.line(&line)
    }

    /// A failed row: `error` is the first diagnostic's message, `diagnostics` all of them.
    pub(crate) fn failed(&mut self, row: RowAt, diagnostics: &[Diagnostic]) -> std::io::Result<()> {
        let error = diagnostics
            .first()
            .map(|d| d.message.lines().next().unwrap_or_default())
            .unwrap_or_default();
        let all: Vec<serde_json::Value> = diagnostics.iter().map(super::json::diagnostic).collect();
        let mut line = at(row);
        line["status"] = "failed".into();
        line["error"] = error.into();
        line["diagnostics"] = all.into();
        self.line(&line)
    }

    /// A submitted row's state.
    #[cfg(feature = "submit")]
    pub(crate) fn state(&mut self, state: &RowState) -> std::io::Result<()> {
        let mut line = at(state.row);
        line["status"] = state.status.name().into();
        let fields = [
            ("projectId", &state.project_id),
            ("downloadUrl", &state.download_url),
            ("error", &state.error),
            ("path", &state.path),
        ];
        for (key, value) in fields {
            if let Some(value) = value {
                line[key] = serde_json::Value::String(value.clone());
            }
        }
        self.line(&line)
    }

    /// `--plan`: what a submission would do with a row, its estimated speech, its diff.
    #[cfg(feature = "submit")]
    pub(crate) fn planned(&mut self, row: &PlannedRow) -> std::io::Result<()> {
        let mut line = at(row.row);
        line["plan"] = row.step.name().into();
        line["speechSeconds"] = ((row.seconds * 10.0).round() / 10.0).into();
        if let Some(key) = &row.key {
            line["key"] = key.clone().into();
        }
        if let Some(id) = &row.project_id {
            line["projectId"] = id.clone().into();
        }
        if !row.diff.is_empty() {
            let changes: serde_json::Map<String, serde_json::Value> = row
                .diff
                .iter()
                .map(|c| {
                    (
                        c.name.clone(),
                        serde_json::json!({"before": c.before, "after": c.after}),
                    )
                })
                .collect();
            line["changes"] = changes.into();
        }
        self.line(&line)
    }

    fn line(&mut self, value: &serde_json::Value) -> std::io::Result<()> {
        serde_json::to_writer(&mut self.out, value)?;
        self.out.write_all(b"\n")
    }

    pub(crate) fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

/// `{"row": N, "line": L}` of a report line (`line` only for a row read from a CSV), to which
/// the line's other fields are added.
fn at(row: RowAt) -> serde_json::Value {
    let mut line = serde_json::json!({ "row": row.number });
    if let Some(number) = row.line {
        line["line"] = number.into();
    }
    line
}

/// `label: 300 rows: 280 created, 15 exported, 5 failed` — the rows of `records` by state.
#[cfg(feature = "submit")]
pub(crate) fn state_counts(label: &str, records: &[&crate::api::journal::Record]) -> String {
    use crate::api::journal::Status;
    let counts = Status::ALL.iter().map(|status| {
        let n = records.iter().filter(|r| r.status == *status).count();
        (n, status.name())
    });
    format!("{label}: {}", counts_line(records.len(), counts))
}

/// `300 rows: 280 created, 20 failed`: the nonzero counts, in the order given.
#[cfg(feature = "submit")]
pub(crate) fn counts_line<'a>(
    total: usize,
    counts: impl Iterator<Item = (usize, &'a str)>,
) -> String {
    let parts: Vec<String> = counts
        .filter(|(n, _)| *n > 0)
        .map(|(n, name)| format!("{n} {name}"))
        .collect();
    let rows = super::plural(total, "row");
    if parts.is_empty() {
        return rows;
    }
    format!("{rows}: {}", parts.join(", "))
}
