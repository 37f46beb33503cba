//! Running the real binary under `strace -f` and reading back the system calls it made, in the
//! order the kernel saw them: what durability tests assert on (a sync before a send, say).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::support::{on_ci, on_path};

/// The calls a journal durability test needs: opening, writing, syncing and sending.
pub const TRACED: &str =
    "trace=openat,fdatasync,fsync,write,writev,pwrite64,sendto,sendmsg,connect";

/// `strace`, or None (locally only) when it is missing or cannot trace here (ptrace refused).
pub fn strace() -> Option<PathBuf> {
    let found = on_path("strace");
    let works = found.as_ref().is_some_and(|exe| {
        Command::new(exe)
            .args(["-f", "-o", "/dev/null", "true"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    });
    if !works {
        let why = if found.is_none() {
            "no strace on PATH"
        } else {
            "strace cannot trace a process here (ptrace refused?)"
        };
        assert!(
            !on_ci(),
            "CI=true and {why}: the journal durability test needs Debian's `strace` package \
             (.ci/run installs it)"
        );
        eprintln!("note: the journal durability test was skipped: {why}");
        return None;
    }
    found
}

/// One system call: who made it, its arguments as strace printed them (string escapes for
/// `"` undone), its result, and the trace lines where it started and where it returned.
#[derive(Debug)]
pub struct Call {
    pub name: String,
    pub args: String,
    pub result: Option<i64>,
    pub start: usize,
    pub end: usize,
}

impl Call {
    /// The first argument as a number (the file descriptor of `write`, `fsync`, `sendto` …).
    pub fn fd(&self) -> Option<i64> {
        let digits: String = self
            .args
            .chars()
            .take_while(|c| c.is_ascii_digit())
            .collect();
        digits.parse().ok()
    }

    /// Whether the call writes data to a file descriptor.
    pub fn writes(&self) -> bool {
        matches!(
            self.name.as_str(),
            "write" | "writev" | "pwrite64" | "sendto" | "sendmsg"
        )
    }

    /// Whether the call flushes a file descriptor to disk and succeeded.
    pub fn syncs(&self, fd: i64) -> bool {
        matches!(self.name.as_str(), "fdatasync" | "fsync")
            && self.fd() == Some(fd)
            && self.result == Some(0)
    }
}

/// The calls of an `strace -f -o FILE` trace, in the order they started. A call split by
/// another thread (`… <unfinished ...>`, then `<... name resumed> …`) is one call spanning
/// both lines.
pub fn parse(trace: &str) -> Vec<Call> {
    let mut calls: Vec<Call> = Vec::new();
    let mut pending: HashMap<(String, String), usize> = HashMap::new();
    for (line_number, line) in trace.lines().enumerate() {
        let (pid, rest) = match line.split_once(' ') {
            Some((pid, rest)) if pid.chars().all(|c| c.is_ascii_digit()) => (pid, rest.trim()),
            _ => ("", line.trim()),
        };
        let rest = rest.replace("\\\"", "\"");
        if let Some(resumed) = rest.strip_prefix("<... ") {
            let Some((name, tail)) = resumed.split_once(" resumed>") else {
                continue;
            };
            if let Some(i) = pending.remove(&(pid.to_owned(), name.to_owned())) {
                calls[i].args.push_str(tail);
                calls[i].result = result(tail);
                calls[i].end = line_number;
            }
            continue;
        }
        let Some((name, args)) = rest.split_once('(') else {
            continue;
        };
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            continue; // `--- SIGCHLD …`, `+++ exited …`
        }
        let unfinished = args.ends_with("<unfinished ...>");
        if unfinished {
            pending.insert((pid.to_owned(), name.to_owned()), calls.len());
        }
        calls.push(Call {
            name: name.to_owned(),
            args: args.to_owned(),
            result: if unfinished { None } else { result(args) },
            start: line_number,
            end: line_number,
        });
    }
    calls
}

/// The number after the closing parenthesis and `=` (strace pads short calls:
/// `fsync(4)        = 0`); None for `= ?` or an unfinished call.
fn result(text: &str) -> Option<i64> {
    let (call, after) = text.rsplit_once(" = ")?;
    if !call.trim_end().ends_with(')') {
        return None;
    }
    after.split_whitespace().next()?.parse().ok()
}

/// The file descriptors `openat` returned for `path`.
pub fn opened(calls: &[Call], path: &Path) -> Vec<i64> {
    let quoted = format!("\"{}\"", path.display());
    calls
        .iter()
        .filter(|c| c.name == "openat" && c.args.contains(&quoted))
        .filter_map(|c| c.result.filter(|fd| *fd >= 0))
        .collect()
}
