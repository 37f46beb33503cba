//! The one error type the stages fold into, and the exit code each kind means.

use std::fmt;

use crate::diag::Diagnostic;

/// Exit codes of the `vidspec` binary.
pub(crate) mod exit {
    pub(crate) const OK: i32 = 0;
    pub(crate) const INVALID: i32 = 1;
    pub(crate) const USAGE: i32 = 2;
    pub(crate) const SOME_ROWS_FAILED: i32 = 3;
    pub(crate) const API: i32 = 4;
    pub(crate) const INTERRUPTED: i32 = 130;
}

#[derive(Debug)]
pub enum Error {
    /// The spec, a template, a preset or the input data is wrong; each diagnostic says where.
    Invalid(Vec<Diagnostic>),
    /// The command line asks for something that cannot be done.
    Usage(String),
    /// Reading or writing a file failed.
    Io {
        what: String,
        source: std::io::Error,
    },
    /// A batch ran to the end but some rows failed (they were reported as they happened).
    RowsFailed { failed: usize, total: usize },
    /// The API (or the network on the way to it) failed.
    Api(String),
    /// Something the command needs is not set up (no credentials): exit 1, like other input
    /// the user must fix, not 4, which says the API or the network failed.
    Config(String),
    /// Ctrl-C: stopped cleanly.
    Interrupted,
}

impl Error {
    pub(crate) fn exit_code(&self) -> i32 {
        match self {
            Error::Invalid(_) | Error::Io { .. } | Error::Config(_) => exit::INVALID,
            Error::Usage(_) => exit::USAGE,
            Error::RowsFailed { .. } => exit::SOME_ROWS_FAILED,
            Error::Api(_) => exit::API,
            Error::Interrupted => exit::INTERRUPTED,
        }
    }

    pub(crate) fn io(what: impl Into<String>, source: std::io::Error) -> Error {
        Error::Io {
            what: what.into(),
            source,
        }
    }

    /// The error as printed on stderr (see [`crate::report::text`]).
    pub fn render(&self, color: bool) -> String {
        crate::report::text::error(self, color)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Invalid(diags) => {
                let first = diags.iter().find(|d| d.is_error()).or(diags.first());
                match first {
                    Some(d) => f.write_str(&d.message),
                    None => f.write_str("invalid input"),
                }
            }
            Error::Usage(message) | Error::Api(message) | Error::Config(message) => {
                f.write_str(message)
            }
            Error::Io { what, source } => write!(f, "{what}: {source}"),
            Error::RowsFailed { failed, total } => {
                write!(f, "{failed} of {total} rows failed")
            }
            Error::Interrupted => f.write_str("interrupted"),
        }
    }
}

impl std::error::Error for Error {}

impl From<Diagnostic> for Error {
    fn from(diagnostic: Diagnostic) -> Error {
        Error::Invalid(vec![diagnostic])
    }
}

impl From<crate::diag::Diagnostics> for Error {
    fn from(diags: crate::diag::Diagnostics) -> Error {
        Error::Invalid(diags.items)
    }
}
