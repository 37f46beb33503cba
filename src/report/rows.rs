//! `batch --report FILE`: one JSON line per row — `{row, status: "ok", output?}` or
//! `{row, status: "failed", error, diagnostics}` with the row's diagnostics as data.

use std::io::Write;
use std::path::Path;

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

    fn line(&mut self, value: &serde_json::Value) -> std::io::Result<()> {
        serde_json::to_writer(&mut self.out, value)?;
        self.out.write_all(b"\n")
    }

    pub(crate) fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}
