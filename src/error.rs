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
    /// `failed` counts every row that did not end well; of them, `unknown` were sent without an
    /// answer and `unfinished` were created but not exported or downloaded (a submission's).
    RowsFailed {
        failed: usize,
        total: usize,
        unknown: usize,
        unfinished: usize,
    },
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

    /// `failed` of `total` rows failed (none of them unknown or unfinished).
    pub(crate) fn rows_failed(failed: usize, total: usize) -> Error {
        Error::RowsFailed {
            failed,
            total,
            unknown: 0,
            unfinished: 0,
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
            Error::RowsFailed {
                failed,
                total,
                unknown,
                unfinished,
            } => {
                let rows = if *total == 1 { "row" } else { "rows" };
                if unknown + unfinished == 0 {
                    return write!(f, "{failed} of {total} {rows} failed");
                }
                let failed_only = failed - unknown - unfinished;
                let parts = [
                    (failed_only, "failed".to_owned()),
                    (
                        *unknown,
                        "unknown (sent without an answer: the project may exist)".to_owned(),
                    ),
                    (
                        *unfinished,
                        "created but not exported or downloaded".to_owned(),
                    ),
                ];
                let parts: Vec<String> = parts
                    .iter()
                    .filter(|(n, _)| *n > 0)
                    .map(|(n, what)| format!("{n} {what}"))
                    .collect();
                write!(
                    f,
                    "{failed} of {total} {rows} not done: {}",
                    parts.join(", ")
                )
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
