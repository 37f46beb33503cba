//! vidspec compiles short YAML specs of AI-avatar videos into AI Studios v3 project JSON.
//!
//! The pipeline, one module per stage: [`load`] (YAML → spanned tree) → [`inputs`] (typed
//! variables) → [`expand`] (minijinja templates) → `lower` (presets and clip templates →
//! the v3 body) → [`check`] (JSON Schema and cross-field rules) → [`emit`] (JSON bytes).
//! [`compile`] ties them together. Around them: `cli` (clap's types), `commands` (one file
//! per command), `report` (everything written to the terminal), `rows` and `batch` (rows in
//! parallel) and `api` (AI Studios). [`run`] is the whole command line.
//!
//! What is `pub` here is what the binary, the tests and the benches use; everything else is
//! `pub(crate)`, so the compiler reports what nothing uses.

/// The AI Studios client and its mock: only with the `submit` feature (the network stack).
#[cfg(feature = "submit")]
pub(crate) mod api;
pub(crate) mod batch;
pub(crate) mod bounded;
pub mod check;
pub(crate) mod cli;
pub(crate) mod clobber;
pub(crate) mod commands;
pub mod compile;
pub mod decompile;
pub mod diag;
pub mod emit;
pub mod error;
pub mod expand;
pub(crate) mod init;
pub mod inputs;
pub(crate) mod library;
pub(crate) mod lint;
pub mod load;
pub(crate) mod lower;
pub(crate) mod lsp;
pub(crate) mod preview;
pub(crate) mod report;
pub(crate) mod rows;
#[cfg_attr(not(feature = "submit"), allow(dead_code))]
pub(crate) mod speech;
pub(crate) mod watch;

pub use error::Error;

/// Runs the command line (`args` includes the program name); returns the exit code. Nothing
/// here panics on a closed stdout or stderr: what cannot be written is lost, the code is not.
pub fn run(args: impl IntoIterator<Item = std::ffi::OsString>) -> i32 {
    let cli = match cli::parse(args) {
        Ok(cli) => cli,
        Err(error) => return report::clap_error(&error),
    };
    let reporter = report::Reporter::new(cli.color.into());
    match commands::run(cli.command, &reporter) {
        Ok(()) => error::exit::OK,
        Err(error) => {
            reporter.error(&error);
            error.exit_code()
        }
    }
}

/// A JSON number for `f`: integers print without a fraction, other floats shortest-round-trip.
pub(crate) fn json_number(f: f64) -> serde_json::Value {
    const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53
    if f.fract() == 0.0 && f.abs() < EXACT {
        serde_json::Value::from(f as i64)
    } else {
        serde_json::Number::from_f64(f).map_or(serde_json::Value::Null, serde_json::Value::Number)
    }
}

/// A short description of a JSON value for messages.
pub(crate) fn describe_json(value: &serde_json::Value) -> String {
    use serde_json::Value;
    match value {
        Value::String(s) => format!("\"{s}\""),
        Value::Array(_) => "a list".to_owned(),
        Value::Object(_) => "a mapping".to_owned(),
        other => other.to_string(),
    }
}

/// A path as the user wrote it, for messages.
pub(crate) fn display_path(path: &std::path::Path) -> String {
    if path.as_os_str() == "-" {
        return load::STDIN_NAME.to_owned();
    }
    path.display().to_string()
}
