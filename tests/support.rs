//! The one way tests drive the real binary: `Test::new().write(..).args(..).run()`.

use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub const BIN: &str = env!("CARGO_BIN_EXE_vidspec");

/// The repository root (for `examples/`, `templates/`, fixtures).
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The bundled example specs (`examples/*.yaml`), sorted.
pub fn examples() -> Vec<PathBuf> {
    let mut examples: Vec<PathBuf> = std::fs::read_dir(repo().join("examples"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    examples.sort();
    examples
}

/// Whether the tests run under CI (`CI` set to anything but empty, `0` or `false`), where a
/// missing external tool (a browser, an editor) fails a test instead of skipping it.
pub fn on_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !matches!(v.trim(), "" | "0" | "false"))
}

/// An executable of that name on PATH.
pub fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

/// A CSV with one `name` column and `count` rows `n1` … `nN`.
pub fn name_rows(count: usize) -> String {
    let mut csv = String::from("name\n");
    for i in 1..=count {
        csv.push_str(&format!("n{i}\n"));
    }
    csv
}

/// One journal line (JSON Lines, newline included): row `row` created as project `id`, with a
/// made-up hash `h{row}` and a time `row` seconds into 2026 (rows 0 to 59).
pub fn journal_record(row: u64, id: &str) -> String {
    format!(
        "{{\"row\":{row},\"hash\":\"h{row}\",\"status\":\"created\",\"projectId\":\"{id}\",\"at\":\"2026-01-01T00:00:{row:02}Z\"}}\n"
    )
}

/// The path of a vendor fixture.
pub fn fixture_path(name: &str) -> PathBuf {
    repo().join("tests/fixtures").join(name)
}

/// The vendor's documented request bodies (`tests/fixtures/*.json`).
pub fn fixture(name: &str) -> serde_json::Value {
    let path = fixture_path(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

pub struct Test {
    dir: tempfile::TempDir,
    cwd_repo: bool,
    args: Vec<OsString>,
    env: Vec<(String, String)>,
    stdin: Option<Vec<u8>>,
}

impl Default for Test {
    fn default() -> Test {
        Test::new()
    }
}

impl Test {
    /// A test that runs in a fresh temporary folder.
    pub fn new() -> Test {
        Test {
            dir: tempfile::tempdir().unwrap(),
            cwd_repo: false,
            args: Vec::new(),
            env: Vec::new(),
            stdin: None,
        }
    }

    /// A test that runs in the repository root, so `examples/…` paths work as in the README.
    pub fn in_repo() -> Test {
        Test {
            cwd_repo: true,
            ..Test::new()
        }
    }

    /// The temporary folder (also available when running in the repository).
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn write(self, name: &str, content: impl AsRef<[u8]>) -> Test {
        let path = self.dir.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(path, content).unwrap();
        self
    }

    pub fn arg(mut self, arg: impl Into<OsString>) -> Test {
        self.args.push(arg.into());
        self
    }

    pub fn args<I: IntoIterator<Item = S>, S: Into<OsString>>(mut self, args: I) -> Test {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    pub fn env(mut self, key: &str, value: &str) -> Test {
        self.env.push((key.to_owned(), value.to_owned()));
        self
    }

    pub fn stdin(mut self, input: impl Into<Vec<u8>>) -> Test {
        self.stdin = Some(input.into());
        self
    }

    pub fn run(self) -> Output {
        let cwd = if self.cwd_repo {
            repo()
        } else {
            self.dir.path().to_owned()
        };
        let mut command = Command::new(BIN);
        command
            .args(&self.args)
            .current_dir(&cwd)
            .env("NO_COLOR", "1")
            .env_remove("AISTUDIOS_APP_ID")
            .env_remove("AISTUDIOS_USER_KEY")
            .stdin(if self.stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in &self.env {
            command.env(k, v);
        }
        let mut child = command.spawn().expect("the vidspec binary runs");
        if let Some(input) = &self.stdin {
            child.stdin.take().unwrap().write_all(input).unwrap();
        }
        let output = child.wait_with_output().unwrap();
        let temp = self.dir.path().display().to_string();
        let clean = |bytes: &[u8]| String::from_utf8_lossy(bytes).replace(&temp, "[TEMP]");
        Output {
            code: output.status.code().unwrap_or(-1),
            stdout: clean(&output.stdout),
            stderr: clean(&output.stderr),
            dir: self.dir,
        }
    }
}

pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    pub dir: tempfile::TempDir,
}

impl Output {
    #[track_caller]
    pub fn success(self) -> Output {
        assert_eq!(
            self.code, 0,
            "expected success\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }

    #[track_caller]
    pub fn failure(self, code: i32) -> Output {
        assert_eq!(
            self.code, code,
            "expected exit {code}\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }

    #[track_caller]
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }

    /// Asserts that stderr contains `needle`, printing stderr when it does not.
    #[track_caller]
    pub fn stderr_has(&self, needle: &str) -> &Output {
        assert!(
            self.stderr.contains(needle),
            "stderr lacks {needle:?}:\n{}",
            self.stderr
        );
        self
    }

    /// A file the run wrote into the test's folder.
    pub fn file(&self, name: &str) -> String {
        std::fs::read_to_string(self.dir.path().join(name))
            .unwrap_or_else(|e| panic!("{name}: {e}"))
    }
}

/// Every key and value of `expected` appears unchanged in `actual` (which may hold more).
#[track_caller]
pub fn assert_contains(expected: &serde_json::Value, actual: &serde_json::Value) {
    let mut problems = Vec::new();
    contains(expected, actual, String::new(), &mut problems);
    assert!(
        problems.is_empty(),
        "output differs from the expected document:\n{}",
        problems.join("\n")
    );
}

fn contains(
    expected: &serde_json::Value,
    actual: &serde_json::Value,
    at: String,
    problems: &mut Vec<String>,
) {
    use serde_json::Value;
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            for (k, v) in e {
                match a.get(k) {
                    Some(av) => contains(v, av, format!("{at}/{k}"), problems),
                    None => problems.push(format!("{at}/{k}: missing")),
                }
            }
        }
        (Value::Array(e), Value::Array(a)) if e.len() == a.len() => {
            for (i, (ev, av)) in e.iter().zip(a).enumerate() {
                contains(ev, av, format!("{at}/{i}"), problems);
            }
        }
        _ if expected == actual => {}
        _ => problems.push(format!("{at}: expected {expected}, found {actual}")),
    }
}
