//! `batch --report FILE`: one JSON line per row — `{row, status: "ok", output?}` or
//! `{row, status: "failed", error, diagnostics}` with the row's diagnostics as data; with
//! `--submit`, each row's one state (`created`, `skipped`, `not-started`, `unknown`,
//! `failed`, `exported`, `stalled`, `downloaded`) with its projectId, URL or reason.

use std::io::Write;
use std::path::Path;

use crate::api::submit::RowState;
use crate::diag::Diagnostic;

pub(crate) struct RowReport {
    out: std::io::BufWriter<std::fs::File>,
}

impl RowReport {
    pub(crate) fn create(path: &Path) -> std::io::Result<RowReport> {
        Ok(RowReport {
            out: std::io::BufWriter::new(std::fs::File::create(path)?),
        })
    }

    pub(crate) fn ok(&mut self, row: u64, output: Option<&Path>) -> std::io::Result<()> {
        let line = match output {
            Some(path) => {
                serde_json::json!({ "row": row, "status": "ok", "output": path.display().to_string() })
            }
            None => serde_json::json!({ "row": row, "status": "ok" }),
        };
        self.line(&line)
    }

    /// A failed row: `error` is the first diagnostic's message, `diagnostics` all of them.
    pub(crate) fn failed(&mut self, row: u64, diagnostics: &[Diagnostic]) -> std::io::Result<()> {
        let error = diagnostics
            .first()
            .map(|d| d.message.lines().next().unwrap_or_default())
            .unwrap_or_default();
        let all: Vec<serde_json::Value> = diagnostics.iter().map(super::json::diagnostic).collect();
        self.line(&serde_json::json!({
            "row": row, "status": "failed", "error": error, "diagnostics": all,
        }))
    }

    /// A submitted row's state.
    pub(crate) fn state(&mut self, state: &RowState) -> std::io::Result<()> {
        let mut line = serde_json::json!({ "row": state.row, "status": state.status.name() });
        let fields = [
            ("projectId", &state.project_id),
            ("downloadUrl", &state.download_url),
            ("error", &state.error),
        ];
        for (key, value) in fields {
            if let Some(value) = value {
                line[key] = serde_json::Value::String(value.clone());
            }
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

/// `label: 300 rows: 280 created, 15 exported, 5 failed` — the rows of `records` by state.
pub(crate) fn state_counts(label: &str, records: &[&crate::api::journal::Record]) -> String {
    use crate::api::journal::Status;
    let parts: Vec<String> = Status::ALL
        .iter()
        .filter_map(|status| {
            let n = records.iter().filter(|r| r.status == *status).count();
            (n > 0).then(|| format!("{n} {}", status.name()))
        })
        .collect();
    let rows = if records.len() == 1 { "row" } else { "rows" };
    format!("{label}: {} {rows}: {}", records.len(), parts.join(", "))
}
