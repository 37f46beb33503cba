//! The ordered end of a batch: each row's bytes as a line or a file (kept in its folder,
//! never two rows to one path), or its project sent on to be submitted.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::mpsc::SyncSender;

use super::Sink;
use super::output::{self, Written};
use super::render::Rendered;
use crate::error::Error;
use crate::rows::{RowAt, RowError};

pub(super) struct Writer {
    lines: Option<Lines>,
    folder: Option<PathBuf>,
    written: Written,
    /// The command's input files, which no row's path may overwrite.
    inputs: crate::clobber::Known,
    projects: Option<SyncSender<super::Compiled>>,
    /// Set when stdout failed: the batch ends with it.
    fatal: Option<Error>,
}

impl Writer {
    pub(super) fn new(sink: Sink, folder: Option<PathBuf>, inputs: crate::load::Inputs) -> Writer {
        let written = folder
            .as_deref()
            .map_or_else(Written::default, Written::below);
        let mut writer = Writer {
            lines: None,
            folder,
            written,
            inputs: crate::clobber::Known::of(&inputs),
            projects: None,
            fatal: None,
        };
        match sink {
            Sink::Lines(out) => writer.lines = Some(Lines::new(out)),
            Sink::Projects(projects) => writer.projects = Some(projects),
            Sink::Files { .. } => {}
        }
        writer
    }

    /// A row stopped before it was rendered: a submission is told, to report it not started.
    pub(super) fn stopped_before(&mut self, row: RowAt) {
        if let Some(projects) = &self.projects {
            let _ = projects.send(super::Compiled {
                row,
                project: None,
                inputs: crate::inputs::Inputs::new(),
                file: None,
            });
        }
    }

    /// Writes one row; the file written, if any.
    pub(super) fn output(
        &mut self,
        row: RowAt,
        rendered: Rendered,
    ) -> Result<Option<PathBuf>, RowError> {
        let (bytes, path) = match rendered {
            Rendered::Project(project, inputs, path) => {
                let file = match (path, self.folder.clone()) {
                    (Some(path), Some(folder)) => Some(
                        self.claim(row, &path, &folder)
                            .map_err(RowError::after_compiling)?,
                    ),
                    _ => None,
                };
                let compiled = super::Compiled {
                    row,
                    project: Some(project),
                    inputs,
                    file,
                };
                let sent = self
                    .projects
                    .as_ref()
                    .is_some_and(|p| p.send(compiled).is_ok());
                return if sent {
                    Ok(None)
                } else {
                    Err(RowError::unsent(row))
                };
            }
            Rendered::Bytes { bytes, path } => (bytes, path),
        };
        let (Some(path), Some(folder)) = (path, &self.folder) else {
            return self.line(row.number, &bytes).map(|()| None);
        };
        let folder = folder.clone();
        let place = self
            .claim(row, &path, &folder)
            .map_err(RowError::after_compiling)?;
        crate::emit::write_confined(&place.folder, place.inside(), &bytes).map_err(|e| {
            RowError::new(format!(
                "{row}: writing {}: {e}; nothing was written",
                place.path.display()
            ))
            .after_compiling()
        })?;
        Ok(Some(place.path))
    }

    /// A row's rendered path checked (inside `folder`, every name valid) and claimed: a second
    /// row that maps to it fails instead of overwriting the first one's file.
    fn claim(&mut self, row: RowAt, path: &Path, folder: &Path) -> Result<super::Place, RowError> {
        let text = path.to_string_lossy().into_owned();
        let path =
            output::safe_path(&text, folder).map_err(|m| RowError::new(format!("{row}: {m}")))?;
        if let Some(input) = self.inputs.clash(&path) {
            return Err(RowError::new(format!(
                "{row}: output path {} is {input}, which this batch reads; not overwritten",
                path.display()
            )));
        }
        if let Err(first) = self.written.claim(&path, row) {
            return Err(RowError::new(format!(
                "{row}: output path {} was already written by {first}; not overwritten",
                path.display()
            )));
        }
        Ok(super::Place {
            folder: folder.to_owned(),
            path,
        })
    }

    /// Adds a row's line; stdout failing (a full disk, or closed by its reader: `| head`)
    /// ends the batch, named by the first row that did not get out.
    fn line(&mut self, row: u64, bytes: &[u8]) -> Result<(), RowError> {
        let Some(lines) = self.lines.as_mut() else {
            return Ok(());
        };
        match lines.push(row, bytes) {
            Err(cut) => {
                let message = cut.message();
                self.fatal = Some(cut.into_error());
                Err(RowError::new(message))
            }
            Ok(()) => Ok(()),
        }
    }

    /// An error that ends the batch (stdout cannot be written: a full disk), once.
    pub(super) fn take_fatal(&mut self) -> Option<Error> {
        self.fatal.take()
    }

    /// No more projects: the submission sees the end of its rows.
    pub(super) fn close(&mut self) {
        self.projects = None;
    }

    pub(super) fn finish(mut self) -> Result<(), Error> {
        match self.lines.as_mut().map(Lines::flush) {
            Some(Err(cut)) => Err(cut.into_error()),
            _ => Ok(()),
        }
    }
}

/// Lines buffered for stdout that remember which row each byte belongs to, so that a failed
/// write (a full disk) names the first row that did not get out, not the row being added
/// when the buffer happened to fill.
struct Lines {
    out: Box<dyn Write>,
    buffer: Vec<u8>,
    /// (row, end of its line in `buffer`), in order.
    ends: Vec<(u64, usize)>,
}

/// Where a write of lines stopped: the first row not (completely) written, and why.
struct Cut {
    row: u64,
    error: std::io::Error,
}

impl Cut {
    /// `writing stdout from row 11 on (rows 1 to 10 were written)`; for a stdout its reader
    /// closed, `stdout was closed …` and that the batch stopped.
    fn what(&self) -> String {
        let before = match self.row {
            0 | 1 => "no row was written".to_owned(),
            2 => "row 1 was written".to_owned(),
            n => format!("rows 1 to {} were written", n - 1),
        };
        if self.error.kind() == std::io::ErrorKind::BrokenPipe {
            return format!(
                "stdout was closed by its reader before row {} ({before}); the batch stopped there",
                self.row
            );
        }
        format!("writing stdout from row {} on ({before})", self.row)
    }

    fn message(&self) -> String {
        format!("row {}: {}: {}", self.row, self.what(), self.error)
    }

    fn into_error(self) -> Error {
        Error::io(self.what(), self.error)
    }
}

const LINES_BUFFER: usize = 1 << 16;

impl Lines {
    fn new(out: Box<dyn Write>) -> Lines {
        Lines {
            out,
            buffer: Vec::with_capacity(LINES_BUFFER),
            ends: Vec::new(),
        }
    }

    fn push(&mut self, row: u64, bytes: &[u8]) -> Result<(), Cut> {
        self.buffer.extend_from_slice(bytes);
        self.ends.push((row, self.buffer.len()));
        if self.buffer.len() >= LINES_BUFFER {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), Cut> {
        let mut written = 0;
        while written < self.buffer.len() {
            match self.out.write(&self.buffer[written..]) {
                Ok(0) => return Err(self.cut(written, std::io::ErrorKind::WriteZero.into())),
                Ok(n) => written += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(self.cut(written, e)),
            }
        }
        let last = self.ends.last().map_or(0, |e| e.0);
        self.buffer.clear();
        self.ends.clear();
        self.out.flush().map_err(|error| Cut { row: last, error })
    }

    fn cut(&self, written: usize, error: std::io::Error) -> Cut {
        let row = self
            .ends
            .iter()
            .find(|(_, end)| *end > written)
            .map_or(0, |(row, _)| *row);
        Cut { row, error }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A disk with room for `room` bytes.
    struct Disk {
        room: usize,
    }

    impl Write for Disk {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            if self.room == 0 {
                return Err(std::io::Error::from_raw_os_error(28)); // ENOSPC
            }
            let n = bytes.len().min(self.room);
            self.room -= n;
            Ok(n)
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_full_disk_names_the_first_row_that_did_not_get_out() {
        // Lines of 1000 bytes; room for 10.5 of them: row 11 is the first not written, though
        // the buffer fills (and the error comes) while row 66 is added.
        let mut lines = Lines::new(Box::new(Disk { room: 10_500 }));
        let line = [b'x'; 1000];
        let cut = (1..=100)
            .find_map(|row| lines.push(row, &line).err().map(|cut| (row, cut)))
            .unwrap();
        assert_eq!(cut.0, 66, "the buffer filled at row 66");
        assert_eq!(cut.1.row, 11);
        assert!(
            cut.1
                .message()
                .starts_with("row 11: writing stdout from row 11 on (rows 1 to 10 were written): "),
            "{}",
            cut.1.message()
        );
    }
}
