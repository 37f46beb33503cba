//! Reporting: the one place that writes to the terminal. A [`Reporter`] turns diagnostics,
//! errors and notes into bytes on stderr (text, with colour or not) and command output into
//! bytes on stdout. Writing never panics: a closed stderr or stdout loses the text, not the
//! exit code.
//!
//! - [`text`]: diagnostics and errors as the text a person reads (`file:line:col`, snippet).
//! - [`json`]: diagnostics as JSON values, for `batch --report` and editors.
//! - [`progress`]: progress bars on a terminal.
//! - `api`: the API's events (requests, row notes, exports being waited for).
//! - `rows`: the `batch --report` writer, one JSON line per row.

pub(crate) mod api;
pub(crate) mod json;
pub(crate) mod plan;
pub(crate) mod progress;
pub(crate) mod rows;
pub(crate) mod text;

use std::io::{IsTerminal, Write};

use crate::diag::Diagnostic;
use crate::error::Error;

/// When diagnostics are coloured (`--color`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Color {
    Auto,
    Always,
    Never,
}

/// Where a command's messages and output go.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Reporter {
    color: bool,
}

impl Reporter {
    /// A reporter; `Auto` colours when stderr is a terminal and `NO_COLOR` is unset.
    pub(crate) fn new(color: Color) -> Reporter {
        let color = match color {
            Color::Always => true,
            Color::Never => false,
            Color::Auto => {
                std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none()
            }
        };
        Reporter { color }
    }

    /// Whether diagnostics are coloured.
    pub(crate) fn color(&self) -> bool {
        self.color
    }

    /// Each diagnostic (warnings, mostly) as text on stderr.
    pub(crate) fn diagnostics<'a>(&self, diagnostics: impl IntoIterator<Item = &'a Diagnostic>) {
        let text: String = diagnostics
            .into_iter()
            .map(|d| text::diagnostic(d, self.color))
            .collect();
        stderr(text.as_bytes());
    }

    /// A failed batch row, as text on stderr.
    pub(crate) fn row_error(&self, error: &crate::rows::RowError) {
        stderr(text::row_error(&error.diagnostics, self.color).as_bytes());
    }

    /// A failed command's error, as text on stderr.
    pub(crate) fn error(&self, error: &Error) {
        stderr(text::error(error, self.color).as_bytes());
    }

    /// One line of information on stderr (`wrote out.json`, a summary).
    pub(crate) fn note(&self, line: impl std::fmt::Display) {
        stderr(format!("{line}\n").as_bytes());
    }

    /// Text on stderr without a newline, flushed (a prompt).
    pub(crate) fn prompt(&self, text: &str) {
        stderr(text.as_bytes());
    }

    /// A command's output on stdout; a closed pipe (`vidspec build x | head`) is not an error.
    pub(crate) fn out(&self, bytes: &[u8]) -> Result<(), Error> {
        crate::emit::write_stdout(bytes).map_err(|e| Error::io("writing stdout", e))
    }
}

/// Writes to stderr, ignoring failure: there is nowhere left to say that stderr failed.
pub(crate) fn stderr(bytes: &[u8]) {
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(bytes).and_then(|()| err.flush());
}

/// Prints clap's own message (usage errors, `--help`, `--version`) and gives its exit code.
pub(crate) fn clap_error(error: &clap::Error) -> i32 {
    let text = error.render().to_string();
    if error.use_stderr() {
        stderr(text.as_bytes());
        crate::error::exit::USAGE
    } else {
        let _ = crate::emit::write_stdout(text.as_bytes());
        crate::error::exit::OK
    }
}
