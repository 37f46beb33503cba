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
//! - `projects`: the `projects` commands' lists, questions and outcomes.

#[cfg(feature = "submit")]
pub(crate) mod api;
pub(crate) mod json;
#[cfg(feature = "submit")]
pub(crate) mod plan;
pub(crate) mod progress;
#[cfg(feature = "submit")]
pub(crate) mod projects;
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

/// Whether `--color auto` colours: `NO_COLOR` set to anything but the empty string turns
/// colour off (no-color.org); else `CLICOLOR_FORCE` set to anything but the empty string or
/// `0` turns it on, terminal or not; else colour is for a terminal.
fn auto_color(
    terminal: bool,
    no_color: Option<&std::ffi::OsStr>,
    force: Option<&std::ffi::OsStr>,
) -> bool {
    let set = |v: Option<&std::ffi::OsStr>| v.is_some_and(|v| !v.is_empty());
    if set(no_color) {
        return false;
    }
    if set(force) && force != Some(std::ffi::OsStr::new("0")) {
        return true;
    }
    terminal
}

/// Where a command's messages and output go.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Reporter {
    color: bool,
}

impl Reporter {
    /// A reporter; `Auto` follows the environment (see [`auto_color`]).
    pub(crate) fn new(color: Color) -> Reporter {
        let color = match color {
            Color::Always => true,
            Color::Never => false,
            Color::Auto => auto_color(
                std::io::stderr().is_terminal(),
                std::env::var_os("NO_COLOR").as_deref(),
                std::env::var_os("CLICOLOR_FORCE").as_deref(),
            ),
        };
        Reporter { color }
    }

    /// Whether diagnostics are coloured.
    #[cfg_attr(not(feature = "submit"), allow(dead_code))]
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
    #[cfg_attr(not(feature = "submit"), allow(dead_code))]
    pub(crate) fn prompt(&self, text: &str) {
        stderr(text.as_bytes());
    }

    /// A command's output on stdout; a closed pipe (`vidspec build x | head`) is not an error.
    pub(crate) fn out(&self, bytes: &[u8]) -> Result<(), Error> {
        crate::emit::write_stdout(bytes).map_err(|e| Error::io("writing stdout", e))
    }
}

/// `n word` or `n words`.
pub(crate) fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
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

#[cfg(test)]
mod tests {
    use super::auto_color;
    use std::ffi::OsStr;

    #[test]
    fn no_color_counts_only_when_set_and_clicolor_force_forces() {
        let v = |s: &'static str| Some(OsStr::new(s));
        assert!(auto_color(true, None, None));
        assert!(!auto_color(false, None, None));
        assert!(!auto_color(true, v("1"), None), "NO_COLOR=1");
        assert!(auto_color(true, v(""), None), "an empty NO_COLOR is unset");
        assert!(
            auto_color(false, None, v("1")),
            "CLICOLOR_FORCE=1 off a terminal"
        );
        assert!(!auto_color(false, None, v("0")), "CLICOLOR_FORCE=0");
        assert!(!auto_color(false, None, v("")), "an empty CLICOLOR_FORCE");
        assert!(!auto_color(false, v("1"), v("1")), "NO_COLOR wins");
        assert!(auto_color(false, v(""), v("1")));
    }
}
