//! The ordered end of a batch: each row's bytes as a line or a file (kept in its folder,
//! never two rows to one path), or its project sent on to be submitted.

use std::io::Write;
use std::path::PathBuf;
use std::sync::mpsc::SyncSender;

use super::Sink;
use super::output::{self, Written};
use super::render::Rendered;
use crate::error::Error;
use crate::rows::RowError;

pub(super) struct Writer {
    lines: Option<std::io::BufWriter<Box<dyn Write>>>,
    /// A closed pipe: lines are dropped, not errors (`vidspec batch … | head`).
    closed: bool,
    folder: Option<PathBuf>,
    written: Written,
    projects: Option<SyncSender<(u64, serde_json::Value)>>,
}

impl Writer {
    pub(super) fn new(sink: Sink, folder: Option<PathBuf>) -> Writer {
        let mut writer = Writer {
            lines: None,
            closed: false,
            folder,
            written: Written::default(),
            projects: None,
        };
        match sink {
            Sink::Lines(out) => {
                writer.lines = Some(std::io::BufWriter::with_capacity(1 << 16, out))
            }
            Sink::Projects(projects) => writer.projects = Some(projects),
            Sink::Files { .. } => {}
        }
        writer
    }

    /// Writes one row; the file written, if any.
    pub(super) fn output(
        &mut self,
        row: u64,
        rendered: Rendered,
    ) -> Result<Option<PathBuf>, RowError> {
        let (bytes, path) = match rendered {
            Rendered::Project(project) => {
                let sent = self.projects.as_ref().map(|p| p.send((row, project)));
                return match sent {
                    Some(Ok(())) => Ok(None),
                    _ => Err(RowError::new(
                        row,
                        format!("row {row}: the submission stopped before this row"),
                    )),
                };
            }
            Rendered::Bytes { bytes, path } => (bytes, path),
        };
        let (Some(path), Some(folder)) = (path, &self.folder) else {
            return self.line(row, &bytes).map(|()| None);
        };
        let text = path.to_string_lossy().into_owned();
        let path = output::safe_path(&text, folder)
            .map_err(|m| RowError::new(row, format!("row {row}: {m}")))?;
        if let Err(first) = self.written.claim(&path, row) {
            return Err(RowError::new(
                row,
                format!(
                    "row {row}: output path {} was already written by row {first}; not overwritten",
                    path.display()
                ),
            ));
        }
        crate::emit::write_atomic(&path, &bytes).map_err(|e| {
            RowError::new(row, format!("row {row}: writing {}: {e}", path.display()))
        })?;
        Ok(Some(path))
    }

    fn line(&mut self, row: u64, bytes: &[u8]) -> Result<(), RowError> {
        let Some(lines) = self.lines.as_mut().filter(|_| !self.closed) else {
            return Ok(());
        };
        match lines.write_all(bytes) {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
                self.closed = true;
                Ok(())
            }
            Err(e) => Err(RowError::new(
                row,
                format!("row {row}: writing stdout: {e}"),
            )),
            Ok(()) => Ok(()),
        }
    }

    /// No more projects: the submission sees the end of its rows.
    pub(super) fn close(&mut self) {
        self.projects = None;
    }

    pub(super) fn finish(mut self) -> Result<(), Error> {
        match self.lines.as_mut().map(Write::flush) {
            Some(Err(e)) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                Err(Error::io("writing stdout", e))
            }
            _ => Ok(()),
        }
    }
}
