//! What vidspec writes to the terminal, whatever state the terminal is in.

use std::process::{Command, Stdio};

use crate::support::{BIN, repo};

/// Runs vidspec with stderr a pipe whose reader is already gone; the exit code.
fn with_stderr_closed(args: &[&str]) -> i32 {
    let mut child = Command::new(BIN)
        .args(args)
        .current_dir(repo())
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the vidspec binary runs");
    drop(child.stderr.take());
    child.wait().unwrap().code().unwrap_or(-1)
}

#[test]
fn a_closed_stderr_does_not_panic_and_keeps_the_exit_code() {
    let ok = ["check", "examples/welcome.yaml", "--set", "name=A"];
    assert_eq!(
        with_stderr_closed(&ok),
        0,
        "the `ok:` line is lost, not the exit code"
    );
    let invalid = ["check", "examples/welcome.yaml"];
    assert_eq!(
        with_stderr_closed(&invalid),
        1,
        "the diagnostics are lost, not exit 1"
    );
    let usage = ["batch", "examples/welcome.yaml", "--csv", "x.csv"];
    assert_eq!(with_stderr_closed(&usage), 2);
}
