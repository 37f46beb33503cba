//! The API commands against `vidspec mock-server` on loopback: tokens, retries, the journal,
//! secrets. Each test starts its own mock (port 0) and counts what it saw via `/__mock/stats`.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::strace::{self, Call, TRACED};
use crate::support::{BIN, Output, Test, name_rows, repo};

pub(crate) const APP_ID: &str = "app-test";
pub(crate) const USER_KEY: &str = "uk-7f3a9c-DO-NOT-PRINT";

/// A one-scene spec: small bodies keep the thousand-row tests quick.
pub(crate) const MINI_SPEC: &str = r#"
name: "{{ name }}"
vars:
  name: { type: string, required: true }
avatar:
  preset: anna-navy-suit
scenes:
  - say: "Hello {{ name }}"
"#;

/// A running `vidspec mock-server`, killed when dropped.
pub(crate) struct Mock {
    child: Child,
    _stdout: BufReader<ChildStdout>,
    pub(crate) url: String,
}

impl Mock {
    pub(crate) fn start(args: &[&str]) -> Mock {
        let mut child = Command::new(BIN)
            .args(["mock-server", "--port", "0"])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the mock starts");
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        let url = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line from the mock: {line:?}"))
            .to_owned();
        assert!(url.starts_with("http://127.0.0.1:"), "{url}");
        Mock {
            child,
            _stdout: stdout,
            url,
        }
    }

    /// A request to the mock with a plain HTTP/1.1 client; the JSON body of the answer.
    pub(crate) fn http(&self, method: &str, path: &str, body: &str) -> Value {
        let addr = self.url.trim_start_matches("http://");
        let mut stream = TcpStream::connect(addr).unwrap();
        write!(
            stream,
            "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        let (_, body) = answer.split_once("\r\n\r\n").expect("an HTTP answer");
        serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"))
    }

    pub(crate) fn stats(&self) -> Value {
        self.http("GET", "/__mock/stats", "")
    }

    fn requests(&self, endpoint: &str) -> u64 {
        self.stats()["requests"][endpoint].as_u64().unwrap_or(0)
    }

    fn faults(&self, faults: Value) {
        self.http("POST", "/__mock/faults", &faults.to_string());
    }
}

impl Drop for Mock {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A mock plus a private home (config, cache, journals) shared by the commands of one test.
pub(crate) struct Api {
    pub(crate) mock: Mock,
    home: tempfile::TempDir,
}

impl Api {
    pub(crate) fn new(mock_args: &[&str]) -> Api {
        Api {
            mock: Mock::start(mock_args),
            home: tempfile::tempdir().unwrap(),
        }
    }

    pub(crate) fn path(&self, name: &str) -> PathBuf {
        self.home.path().join(name)
    }

    fn env(&self) -> Vec<(&'static str, String)> {
        let home = self.home.path().display().to_string();
        vec![
            ("HOME", home.clone()),
            ("XDG_CONFIG_HOME", format!("{home}/config")),
            ("XDG_CACHE_HOME", format!("{home}/cache")),
            ("VIDSPEC_CACHE_DIR", format!("{home}/cache/vidspec")),
        ]
    }

    /// `vidspec` with this test's home but no credentials in the environment.
    fn bare(&self) -> Test {
        self.env()
            .iter()
            .fold(Test::new(), |test, (k, v)| test.env(k, v))
    }

    /// `vidspec` with credentials in the environment.
    pub(crate) fn vidspec(&self) -> Test {
        self.bare()
            .env("AISTUDIOS_APP_ID", APP_ID)
            .env("AISTUDIOS_USER_KEY", USER_KEY)
    }

    /// Runs `args` followed by `--api-base URL`.
    pub(crate) fn run(&self, args: &[&str]) -> Output {
        self.vidspec()
            .args(args)
            .args(["--api-base", &self.mock.url])
            .run()
    }

    /// `vidspec batch` of [`MINI_SPEC`] over `csv` with `--submit` and the journal
    /// `j.journal` of this test's home, plus `extra` flags.
    pub(crate) fn batch_submit(&self, csv: &str, extra: &[&str]) -> Output {
        let args = self.batch_submit_args(csv, extra);
        self.run(&args.iter().map(String::as_str).collect::<Vec<_>>())
    }

    /// The arguments of [`Api::batch_submit`], its spec and CSV written.
    pub(crate) fn batch_submit_args(&self, csv: &str, extra: &[&str]) -> Vec<String> {
        let spec = self.path("mini.yaml");
        std::fs::write(&spec, MINI_SPEC).unwrap();
        let csv_path = self.path("people.csv");
        std::fs::write(&csv_path, csv).unwrap();
        let journal = self.path("j.journal");
        let fixed = [
            "batch",
            spec.to_str().unwrap(),
            "--csv",
            csv_path.to_str().unwrap(),
            "--submit",
            "--journal",
            journal.to_str().unwrap(),
        ];
        fixed.iter().chain(extra).map(|a| (*a).to_owned()).collect()
    }

    fn token_cache(&self) -> PathBuf {
        self.path("cache/vidspec/token.json")
    }

    /// `rows` compiled projects named `row 1` … `row N`, one per line.
    pub(crate) fn projects(&self, name: &str, rows: usize) -> PathBuf {
        let spec = self.path("mini.yaml");
        std::fs::write(&spec, MINI_SPEC).unwrap();
        let options = vidspec::compile::Options {
            sets: vec!["name=x".into()],
            ..Default::default()
        };
        let (lowered, _) = vidspec::compile::build(&spec, &options).unwrap();
        let mut text = String::new();
        for row in 1..=rows {
            let mut project = lowered.project.clone();
            project["name"] = json!(format!("row {row}"));
            text.push_str(&format!("{project}\n"));
        }
        let path = self.path(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    /// A command line for `vidspec submit-projects` that a test can kill.
    fn submit_command(&self, args: &[&str]) -> Command {
        self.command(&[&["submit-projects"], args].concat())
    }

    /// A command line for `vidspec ARGS --api-base URL` that a test can kill.
    fn command(&self, args: &[&str]) -> Command {
        self.command_after(Command::new(BIN), args)
    }

    /// `command` (the binary, or a tracer's command line ending in it) followed by `ARGS
    /// --api-base URL`, with this test's credentials and home.
    fn command_after(&self, mut command: Command, args: &[&str]) -> Command {
        command
            .args(args)
            .args(["--api-base", &self.mock.url])
            .env("AISTUDIOS_APP_ID", APP_ID)
            .env("AISTUDIOS_USER_KEY", USER_KEY)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        for (k, v) in self.env() {
            command.env(k, v);
        }
        command
    }
}

fn welcome() -> String {
    repo().join("examples/welcome.yaml").display().to_string()
}

/// The last record of every row.
pub(crate) fn journal(path: &Path) -> BTreeMap<u64, Value> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut last = BTreeMap::new();
    for line in text.lines().filter(|l| !l.is_empty()) {
        let record: Value = serde_json::from_str(line).unwrap();
        last.insert(record["row"].as_u64().unwrap(), record);
    }
    last
}

fn rows_with(records: &BTreeMap<u64, Value>, status: &str) -> Vec<u64> {
    records
        .iter()
        .filter(|(_, r)| r["status"] == status)
        .map(|(row, _)| *row)
        .collect()
}

/// How many projects the mock holds per name: no name may appear twice.
#[track_caller]
/// Waits until the journal records at least `rows` created rows (a run in progress).
fn wait_for_created(journal: &Path, rows: usize) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::fs::read_to_string(journal)
        .unwrap_or_default()
        .matches("\"status\":\"created\"")
        .count()
        < rows
    {
        assert!(Instant::now() < deadline, "the run made no progress");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn assert_no_duplicates(stats: &Value) -> BTreeMap<String, u64> {
    let names: BTreeMap<String, u64> =
        serde_json::from_value(stats["projectNames"].clone()).unwrap();
    let twice: Vec<_> = names.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "created more than once: {twice:?}");
    names
}

#[test]
fn the_token_is_fetched_once_and_reused_across_commands() {
    let api = Api::new(&[]);
    let id = api
        .run(&["submit", &welcome(), "--set", "name=Ada"])
        .success()
        .stdout;
    let id = id.trim();
    assert!(!id.is_empty());
    api.run(&["status", id]).success();
    api.run(&["models"]).success();
    api.run(&["auth", "status"]).success();
    let stats = api.mock.stats();
    assert_eq!(stats["tokensIssued"], 1, "{stats}");
    assert_eq!(stats["requests"]["token"], 1, "{stats}");
    assert_eq!(stats["projectsCreated"], 1, "{stats}");
}

/// The cached token expires on the mock's word (no lifetime to wait out, which a loaded
/// machine could overrun), and the mock answers the first 8 refusals together, so all 8 jobs
/// are known to have sent the stale token at once: one renewal serves them all.
#[test]
fn an_expired_token_is_renewed_exactly_once_under_concurrency() {
    let api = Api::new(&[]);
    api.run(&["models"]).success();
    assert_eq!(api.mock.stats()["tokensIssued"], 1);
    api.mock
        .faults(json!({ "expireTokens": true, "holdRefusals": 8 }));
    let file = api.projects("rows.ndjson", 24);
    let started = Instant::now();
    api.run(&["submit-projects", file.to_str().unwrap(), "--jobs", "8"])
        .success();
    let stats = api.mock.stats();
    assert_eq!(stats["tokensIssued"], 2, "renewed exactly once: {stats}");
    assert_eq!(
        stats["statuses"]["401"], 8,
        "the 8 jobs each sent the stale token once: {stats}"
    );
    assert_eq!(stats["requests"]["create"], 24 + 8, "{stats}");
    assert_eq!(stats["projectsCreated"], 24, "{stats}");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "the held refusals were answered together, not at the hold's limit"
    );
}

/// `--token-ttl 0`: every token is expired as issued, so the one renewal a 401 earns is
/// refused too, and the command says so instead of renewing for ever.
#[test]
fn a_token_refused_as_soon_as_it_is_issued_is_renewed_once_then_an_error() {
    let api = Api::new(&["--token-ttl", "0"]);
    api.run(&["models"])
        .failure(4)
        .stderr_has("the API refused a freshly issued token");
    let stats = api.mock.stats();
    assert_eq!(stats["tokensIssued"], 2, "{stats}");
    assert_eq!(stats["statuses"]["401"], 2, "{stats}");
}

#[test]
fn rate_limited_and_failed_requests_are_retried_until_they_succeed() {
    // A bucket of one request per second: the token takes it, `models` gets a 429 first.
    let api = Api::new(&["--rate-limit", "1"]);
    let started = Instant::now();
    let out = api.run(&["models", "--verbose"]).success();
    assert!(out.stdout.contains("M000045058"), "{}", out.stdout);
    out.stderr_has("→ 429");
    let stats = api.mock.stats();
    assert_eq!(stats["requests"]["models"], 2, "{stats}");
    assert_eq!(stats["statuses"]["429"], 1, "{stats}");
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "Retry-After was not honoured"
    );

    let api = Api::new(&[]);
    api.run(&["models"]).success();
    api.mock.faults(json!({ "failNext": 2 }));
    api.run(&["models"]).success();
    assert_eq!(api.mock.requests("models"), 1 + 3);
    assert_eq!(api.mock.stats()["statuses"]["500"], 2);
}

#[test]
fn server_errors_are_retried_a_bounded_number_of_times() {
    let api = Api::new(&["--fail-rate", "1"]);
    let out = api.run(&["models"]).failure(4);
    assert!(
        out.stderr.contains("HTTP 500") && out.stderr.contains("after 5 attempts"),
        "{}",
        out.stderr
    );
    assert_eq!(api.mock.requests("token"), 5);
    assert_eq!(api.mock.requests("models"), 0);
}

#[test]
fn dropped_connections_are_retried_for_reads_but_a_dropped_create_is_reported_unknown() {
    let api = Api::new(&[]);
    api.run(&["models"]).success();
    api.mock.faults(json!({ "dropNext": 2 }));
    api.run(&["models"]).success();
    assert_eq!(api.mock.requests("models"), 1 + 3);

    let journal_path = api.path("one.jsonl");
    let journal_arg = journal_path.to_str().unwrap();
    api.mock.faults(json!({ "dropNext": 1 }));
    let out = api
        .run(&[
            "submit",
            &welcome(),
            "--set",
            "name=Ada",
            "--journal",
            journal_arg,
        ])
        .failure(4);
    out.stderr_has("outcome is unknown");
    assert_eq!(
        api.mock.requests("create"),
        1,
        "a create that may have arrived is not resent"
    );
    assert_eq!(journal(&journal_path)[&1]["status"], "unknown");

    let out = api
        .run(&[
            "submit",
            &welcome(),
            "--set",
            "name=Ada",
            "--journal",
            journal_arg,
        ])
        .failure(4);
    out.stderr_has("--retry-unknown");
    assert_eq!(
        api.mock.requests("create"),
        1,
        "an unknown row is reported, not resubmitted"
    );

    let out = api.run(&[
        "submit",
        &welcome(),
        "--set",
        "name=Ada",
        "--journal",
        journal_arg,
        "--retry-unknown",
    ]);
    let id = out.success().stdout;
    assert_eq!(api.mock.requests("create"), 2);
    assert_eq!(journal(&journal_path)[&1]["projectId"], id.trim());
}

/// The mock checks bodies by the vendor's documented rules, not by vidspec's own checker: a
/// clip at opacity 0 (the documents say 1–100) is refused.
#[test]
fn the_mock_refuses_what_the_vendor_documents_as_out_of_range() {
    let api = Api::new(&[]);
    let file = api.projects("rows.ndjson", 1);
    let text = std::fs::read_to_string(&file).unwrap();
    let mut project: Value = serde_json::from_str(text.trim()).unwrap();
    project["scenes"][0]["clips"][0]["opacity"] = json!(0);
    std::fs::write(&file, format!("{project}\n")).unwrap();
    let out = api
        .run(&["submit-projects", file.to_str().unwrap()])
        .failure(3);
    out.stderr_has(
        "code INVALID_PROJECT: /scenes/0/clips/0/opacity: opacity is not a number from 1 to 100",
    );
}

#[test]
fn bad_requests_and_missing_projects_are_not_retried() {
    let api = Api::new(&[]);
    let bad = api.path("bad.ndjson");
    std::fs::write(&bad, "{\"name\": \"empty\", \"scenes\": []}\n").unwrap();
    let out = api
        .run(&["submit-projects", bad.to_str().unwrap()])
        .failure(3);
    out.stderr_has(
        "row 1: failed: POST /api/odin/v3/editor/project: HTTP 400, code INVALID_PROJECT",
    );
    assert_eq!(api.mock.requests("create"), 1);

    let out = api.run(&["status", "nosuchproject"]).failure(4);
    assert!(
        out.stderr
            .contains("HTTP 404, code PROJECT_NOT_FOUND: no project nosuchproject"),
        "{}",
        out.stderr
    );
    assert_eq!(api.mock.requests("progress"), 1);
}

#[test]
fn a_thousand_rows_with_injected_failures_are_each_created_once_or_reported() {
    let api = Api::new(&["--fail-rate", "0.1"]);
    let file = api.projects("rows.ndjson", 1000);
    let journal_path = api.path("rows.jsonl");
    let out = api
        .vidspec()
        .args([
            "submit-projects",
            file.to_str().unwrap(),
            "--jobs",
            "16",
            "--journal",
        ])
        .arg(&journal_path)
        .args(["--api-base", &api.mock.url])
        .run();
    assert!(
        out.code == 0 || out.code == 3,
        "exit {}: {}",
        out.code,
        out.stderr
    );
    let records = journal(&journal_path);
    assert_eq!(records.len(), 1000);
    let created = rows_with(&records, "created");
    let failed = rows_with(&records, "failed");
    assert_eq!(
        created.len() + failed.len(),
        1000,
        "no row is left unknown: {records:?}"
    );
    for row in &failed {
        assert!(
            out.stderr.contains(&format!("row {row}: failed: ")),
            "row {row} failed silently"
        );
    }
    let stats = api.mock.stats();
    assert!(stats["statuses"]["500"].as_u64().unwrap() > 50, "{stats}");
    assert_eq!(
        stats["projectsCreated"].as_u64().unwrap(),
        created.len() as u64
    );
    let names = assert_no_duplicates(&stats);
    for row in &created {
        assert_eq!(names.get(&format!("row {row}")), Some(&1), "row {row}");
    }
    assert_eq!(out.stdout.lines().count(), created.len());
}

#[test]
fn a_killed_run_rerun_with_its_journal_creates_no_row_twice() {
    let api = Api::new(&["--latency", "5"]);
    let file = api.projects("rows.ndjson", 300);
    let journal_path = api.path("rows.jsonl");
    let args = [
        file.to_str().unwrap(),
        "--jobs",
        "4",
        "--rate",
        "150",
        "--journal",
        journal_path.to_str().unwrap(),
    ];
    let mut child = api.submit_command(&args).spawn().unwrap();
    wait_for_created(&journal_path, 60);
    child.kill().unwrap(); // SIGKILL: no chance to tidy up
    child.wait().unwrap();
    let before = api.mock.stats()["projectsCreated"].as_u64().unwrap();
    assert!(before < 300, "the run was killed mid-way");

    let out = api
        .vidspec()
        .arg("submit-projects")
        .args(args)
        .args(["--api-base", &api.mock.url])
        .run();
    let records = journal(&journal_path);
    let created = rows_with(&records, "created");
    let unknown = rows_with(&records, "unknown");
    assert_eq!(created.len() + unknown.len(), 300, "{}", out.stderr);
    assert!(
        unknown.len() <= 4,
        "only requests in flight at the kill are unknown: {unknown:?}"
    );
    assert_eq!(
        out.code,
        if unknown.is_empty() { 0 } else { 3 },
        "{}",
        out.stderr
    );
    for row in &unknown {
        out.stderr_has(&format!("row {row}: outcome unknown"));
    }
    let stats = api.mock.stats();
    let names = assert_no_duplicates(&stats);
    for row in &created {
        assert_eq!(
            names.get(&format!("row {row}")),
            Some(&1),
            "row {row} is in the journal but not in the mock"
        );
    }
    let unknown_but_created = unknown
        .iter()
        .filter(|row| names.contains_key(&format!("row {row}")))
        .count();
    assert_eq!(
        stats["projectsCreated"].as_u64().unwrap(),
        (created.len() + unknown_but_created) as u64
    );
}

#[cfg(unix)]
#[test]
fn ctrl_c_finishes_requests_in_flight_exits_130_and_a_rerun_completes_every_row_once() {
    stop_mid_way_then_rerun("-INT");
}

/// `kill` (SIGTERM, what job runners send first) stops a run as cleanly as Ctrl-C.
#[cfg(unix)]
#[test]
fn a_run_killed_mid_way_and_rerun_with_its_journal_creates_every_row_exactly_once() {
    stop_mid_way_then_rerun("-TERM");
}

#[cfg(unix)]
fn stop_mid_way_then_rerun(signal: &str) {
    let api = Api::new(&["--latency", "20"]);
    let file = api.projects("rows.ndjson", 200);
    let journal_path = api.path("rows.jsonl");
    let args = [
        file.to_str().unwrap(),
        "--jobs",
        "4",
        "--rate",
        "100",
        "--journal",
        journal_path.to_str().unwrap(),
    ];
    let mut child = api.submit_command(&args).spawn().unwrap();
    wait_for_created(&journal_path, 30);
    let interrupt = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(interrupt.success());
    assert_eq!(child.wait().unwrap().code(), Some(130));
    let records = journal(&journal_path);
    let created = rows_with(&records, "created").len();
    assert!(created < 200, "the run stopped early");
    assert_eq!(
        created + rows_with(&records, "not-started").len(),
        200,
        "requests in flight finished, every other row is not started: {records:?}"
    );
    assert_eq!(
        api.mock.stats()["projectsCreated"].as_u64().unwrap(),
        created as u64
    );

    let out = api
        .vidspec()
        .arg("submit-projects")
        .args(args)
        .args(["--api-base", &api.mock.url])
        .run()
        .success();
    let done = created;
    let line = format!("200 rows: {} created, {done} skipped", 200 - done);
    out.stderr_has(&line);
    assert_eq!(rows_with(&journal(&journal_path), "created").len(), 200);
    let stats = api.mock.stats();
    assert_no_duplicates(&stats);
    assert_eq!(stats["projectsCreated"], 200, "{stats}");
}

/// Ctrl-C in `batch --submit` stops the batch compiling, and every row of the CSV still ends
/// in exactly one state — in the summary line, the `--report` file and the journal: rows in
/// flight finish `created`, every row not sent is `not-started`.
#[cfg(unix)]
#[test]
fn ctrl_c_in_batch_submit_leaves_every_row_in_one_state() {
    let api = Api::new(&["--latency", "50"]);
    let spec = api.path("mini.yaml");
    std::fs::write(&spec, MINI_SPEC).unwrap();
    let rows = 20_000;
    let csv: String = std::iter::once("name\n".to_owned())
        .chain((1..=rows).map(|n| format!("person {n}\n")))
        .collect();
    let csv_path = api.path("people.csv");
    std::fs::write(&csv_path, csv).unwrap();
    let journal_path = api.path("j.journal");
    let report_path = api.path("report.jsonl");
    let mut command = Command::new(BIN);
    command
        .args([
            "batch",
            spec.to_str().unwrap(),
            "--csv",
            csv_path.to_str().unwrap(),
        ])
        .args([
            "--submit",
            "--jobs",
            "2",
            "--journal",
            journal_path.to_str().unwrap(),
            "--report",
            report_path.to_str().unwrap(),
        ])
        .args(["--api-base", &api.mock.url])
        .env("AISTUDIOS_APP_ID", APP_ID)
        .env("AISTUDIOS_USER_KEY", USER_KEY)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    for (k, v) in api.env() {
        command.env(k, v);
    }
    let child = command.spawn().unwrap();
    wait_for_created(&journal_path, 4);
    let interrupt = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(interrupt.success());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{stderr}");
    let line = stderr
        .lines()
        .find(|l| l.starts_with("batch: "))
        .unwrap_or_else(|| panic!("no summary line:\n{stderr}"));
    let compiled: u64 = line
        .split(' ')
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{line}"));
    assert!(
        compiled < rows / 2,
        "the batch went on compiling after Ctrl-C: {line}"
    );

    let created = api.mock.stats()["projectsCreated"].as_u64().unwrap();
    let expected = format!(
        "{rows} rows: {created} created, {} not-started",
        rows - created
    );
    assert!(stderr.contains(&expected), "{expected}\n{stderr}");
    let report = std::fs::read_to_string(&report_path).unwrap();
    let mut states: BTreeMap<u64, String> = BTreeMap::new();
    for line in report.lines() {
        let value: Value = serde_json::from_str(line).unwrap();
        let row = value["row"].as_u64().unwrap();
        let state = value["status"].as_str().unwrap().to_owned();
        assert!(states.insert(row, state).is_none(), "row {row} twice");
    }
    assert_eq!(states.len() as u64, rows, "every row in the report");
    let count = |s: &BTreeMap<u64, String>, state: &str| s.values().filter(|v| *v == state).count();
    assert_eq!(count(&states, "created") as u64, created);
    assert_eq!(count(&states, "not-started") as u64, rows - created);
    let records = journal(&journal_path);
    assert_eq!(records.len() as u64, rows, "every row in the journal");
    assert_eq!(rows_with(&records, "created").len() as u64, created);
    assert_eq!(
        rows_with(&records, "not-started").len() as u64,
        rows - created
    );
    let first = &records[&1];
    assert_eq!(first["inputs"]["name"], "person 1", "{first}");

    let status = api
        .vidspec()
        .args(["status", "--journal", journal_path.to_str().unwrap()])
        .run()
        .success();
    assert!(
        status.stdout.contains(&format!(
            ": {rows} rows: {created} created, {} not-started",
            rows - created
        )),
        "{}",
        status.stdout
    );
}

#[test]
fn secrets_never_appear_in_output_even_verbose_and_files_are_private() {
    let api = Api::new(&["--export-seconds", "0"]);
    let mut outputs = Vec::new();
    let login = api
        .bare()
        .args(["auth", "login", "--verbose", "--api-base", &api.mock.url])
        .stdin(format!("{APP_ID}\n{USER_KEY}\n"))
        .run()
        .success();
    outputs.push(login.stdout + &login.stderr);
    let runs: [&[&str]; 4] = [
        &["models", "--verbose"],
        &["auth", "status", "--verbose"],
        &[
            "submit",
            &welcome(),
            "--set",
            "name=Ada",
            "--wait",
            "--verbose",
        ],
        &["status", "nosuchproject", "--verbose"],
    ];
    for args in runs {
        let out = api
            .bare()
            .args(args)
            .args(["--api-base", &api.mock.url])
            .run();
        outputs.push(out.stdout + &out.stderr);
    }
    let refused = Mock::start(&["--user-key", "another-key"]);
    let out = api
        .vidspec()
        .args(["models", "--verbose", "--api-base", &refused.url])
        .run()
        .failure(4);
    out.stderr_has("refused the credentials");
    outputs.push(out.stdout + &out.stderr);

    let cache: Value =
        serde_json::from_str(&std::fs::read_to_string(api.token_cache()).unwrap()).unwrap();
    let token = cache["token"].as_str().unwrap();
    assert!(token.len() >= 20);
    for output in &outputs {
        assert!(!output.contains(USER_KEY), "the UserKey leaked:\n{output}");
        assert!(!output.contains(token), "the token leaked:\n{output}");
    }
    assert!(
        outputs[1].contains("api: GET /api/odin/v3/model → 200 (attempt 1,"),
        "{}",
        outputs[1]
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: PathBuf| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(api.token_cache()), 0o600);
        assert_eq!(mode(api.path("config/vidspec/credentials.json")), 0o600);
    }
}

#[test]
fn login_saves_credentials_that_later_commands_use_and_logout_forgets_them() {
    let api = Api::new(&["--user-key", USER_KEY]);
    let wrong = api
        .bare()
        .args(["auth", "login", "--api-base", &api.mock.url])
        .stdin(format!("{APP_ID}\nwrong-key\n"))
        .run()
        .failure(4);
    assert!(
        wrong
            .stderr
            .contains("refused the credentials of AppId app-test"),
        "{}",
        wrong.stderr
    );
    assert!(
        !api.path("config/vidspec/credentials.json").exists(),
        "refused credentials are not saved"
    );

    api.bare()
        .args(["auth", "login", "--api-base", &api.mock.url])
        .stdin(format!("{APP_ID}\n{USER_KEY}\n"))
        .run()
        .success();
    let status = api
        .bare()
        .args(["auth", "status", "--api-base", &api.mock.url])
        .run()
        .success();
    assert!(
        status.stdout.contains("credentials.json"),
        "{}",
        status.stdout
    );
    assert!(status.stdout.contains("m left)"), "{}", status.stdout);
    api.bare()
        .args(["models", "--api-base", &api.mock.url])
        .run()
        .success();
    assert_eq!(
        api.mock.stats()["tokensIssued"],
        1,
        "the refused login got none; models reuses login's"
    );

    api.bare().args(["auth", "logout"]).run().success();
    assert!(!api.path("config/vidspec/credentials.json").exists());
    assert!(!api.token_cache().exists());
    let out = api
        .bare()
        .args(["models", "--api-base", &api.mock.url])
        .run()
        .failure(1);
    out.stderr_has("no credentials");
}

#[test]
fn submit_wait_prints_the_download_url_and_no_export_leaves_a_draft() {
    let api = Api::new(&["--export-seconds", "1"]);
    let out = api
        .run(&[
            "submit",
            &welcome(),
            "--set",
            "name=Ada",
            "--wait",
            "--resolution",
            "720",
        ])
        .success();
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{}", out.stdout);
    out.stderr_has("row 1: export 100%");
    assert!(
        lines[1].ends_with(&format!("{}.mp4", lines[0])),
        "{}",
        out.stdout
    );
    let status = api.run(&["status", lines[0]]).success();
    assert!(
        status.stdout.contains("progress  100%") && status.stdout.contains(lines[1]),
        "{}",
        status.stdout
    );

    let draft = api
        .run(&["submit", &welcome(), "--set", "name=Bob", "--no-export"])
        .success()
        .stdout;
    std::thread::sleep(Duration::from_millis(1100));
    let status = api.run(&["status", draft.trim()]).success();
    assert_eq!(status.stdout, "progress  0%\n");
}

#[test]
fn batch_submit_creates_each_good_row_once_and_a_rerun_with_the_journal_creates_none() {
    let api = Api::new(&[]);
    let mut csv = String::from("name\n");
    for row in 1..=40 {
        csv.push_str(&format!("person {row}\n"));
    }
    csv.push('\n');
    let first = api.batch_submit(&csv, &["--jobs", "6"]).success();
    assert_eq!(first.stdout.lines().count(), 40, "{}", first.stdout);
    assert!(first.stdout.lines().all(|l| l.split('\t').count() >= 2));
    let names = assert_no_duplicates(&api.mock.stats());
    assert_eq!(names.len(), 40);
    let again = api.batch_submit(&csv, &["--jobs", "6"]).success();
    assert_eq!(
        again.stdout.lines().count(),
        40,
        "a rerun still lists every created row"
    );
    assert_eq!(
        assert_no_duplicates(&api.mock.stats()).len(),
        40,
        "and creates nothing new"
    );
    assert_eq!(api.mock.requests("create"), 40);
}

#[test]
fn a_reordered_csv_with_a_new_row_on_top_creates_only_the_new_row() {
    let api = Api::new(&[]);
    let submit = |csv: &str| api.batch_submit(csv, &[]);
    submit("name\nann\nbob\ncy\n").success();
    let second = submit("name\nzed\ncy\nann\nbob\n").success();
    assert_eq!(second.stdout.lines().count(), 4, "{}", second.stdout);
    let names = assert_no_duplicates(&api.mock.stats());
    assert_eq!(names.len(), 4, "only `zed` was new: {names:?}");
    // A row whose key changed is a new row: created, not refused as changed (rows are found
    // by their key, not by their number).
    let third = submit("name\nzed\ncy\nann\nbobby\n").success();
    assert!(!third.stderr.contains("changed since"), "{}", third.stderr);
    assert_eq!(assert_no_duplicates(&api.mock.stats()).len(), 5);
}

/// A submitted row is named by its CSV line as well as its number — in its failure, in the
/// note about a duplicate, in the `--report` file — also where a blank line and a cell across
/// two lines put the line further down than the row number + 1.
#[test]
fn a_submitted_rows_messages_and_report_name_the_csv_line_it_starts_on() {
    let api = Api::new(&[]);
    // The mock refuses an opacity of 0, as the vendor documents (vidspec's schema allows it).
    let spec = api.path("faded.yaml");
    std::fs::write(
        &spec,
        r##"
name: "{{ name }}"
vars:
  name: { type: string, required: true }
  opacity: { type: number, required: true }
avatar:
  preset: anna-navy-suit
scenes:
  - say: "Hello {{ name }}"
    clips:
      - shape: Square
        left: 10
        top: 10
        width: 100
        height: 100
        fill: "#112233"
        opacity: "{{ opacity }}"
"##,
    )
    .unwrap();
    let csv = api.path("people.csv");
    // Lines: 1 header, 2 ann, 3 blank, 4–5 "bo\nb", 6 cy (refused), 7 ann again.
    std::fs::write(&csv, "name,opacity\nann,90\n\n\"bo\nb\",90\ncy,0\nann,90\n").unwrap();
    let report = api.path("report.jsonl");
    let journal_path = api.path("j.journal");
    let out = api
        .run(&[
            "batch",
            spec.to_str().unwrap(),
            "--csv",
            csv.to_str().unwrap(),
            "--submit",
            "--journal",
            journal_path.to_str().unwrap(),
            "--report",
            report.to_str().unwrap(),
        ])
        .failure(3);
    out.stderr_has(
        "row 3 (line 6): failed: POST /api/odin/v3/editor/project: HTTP 400, code INVALID_PROJECT: /scenes/0/clips/1/opacity",
    );
    out.stderr_has("row 4 (line 7): the same project as row 1 (line 2); not created twice");
    let lines: Vec<Value> = std::fs::read_to_string(&report)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let named: Vec<(u64, u64, &str)> = lines
        .iter()
        .map(|l| {
            let number = |key: &str| l[key].as_u64().unwrap_or_else(|| panic!("{key} in {l}"));
            (number("row"), number("line"), l["status"].as_str().unwrap())
        })
        .collect();
    assert_eq!(
        named,
        [
            (1, 2, "created"),
            (2, 4, "created"),
            (3, 6, "failed"),
            (4, 7, "skipped")
        ]
    );
    assert_eq!(journal(&journal_path)[&3]["status"], "failed");
}

#[test]
fn identical_rows_are_one_video_and_not_an_unknown_outcome() {
    let api = Api::new(&[]);
    let out = api
        .batch_submit("name\nada\nada\nbob\nada\n", &[])
        .success();
    out.stderr_has("row 2 (line 3): the same project as row 1 (line 2); not created twice");
    assert_eq!(out.stdout.lines().count(), 4, "{}", out.stdout);
    let ids: Vec<&str> = out
        .stdout
        .lines()
        .map(|l| l.split('\t').nth(1).unwrap())
        .collect();
    assert_eq!(ids[0], ids[1]);
    assert_eq!(ids[0], ids[3]);
    assert_eq!(assert_no_duplicates(&api.mock.stats()).len(), 2);
}

/// `submit --deny-warnings` of a spec with a clip off the canvas fails before anything is
/// sent: not even a token is asked for.
#[test]
fn submit_with_deny_warnings_sends_nothing_when_there_are_warnings() {
    let api = Api::new(&[]);
    let spec = api.path("off.yaml");
    std::fs::write(
        &spec,
        "avatar: { preset: anna-navy-suit }\nscenes:\n  - say: Hi\n    clips:\n      - text: Nobody sees me\n        left: 2400\n        top: 80\n",
    )
    .unwrap();
    let out = api
        .run(&["submit", spec.to_str().unwrap(), "--deny-warnings"])
        .failure(1);
    out.stderr_has("warning: this clip lies entirely outside the canvas")
        .stderr_has("1 warning, and --deny-warnings turns them into errors");
    assert_eq!(out.stdout, "");
    let stats = api.mock.stats();
    assert_eq!(
        stats["requests"]["create"].as_u64().unwrap_or(0),
        0,
        "{stats}"
    );
    assert_eq!(
        stats["requests"]["token"].as_u64().unwrap_or(0),
        0,
        "{stats}"
    );
    // Without the flag the warning is printed and the project is created.
    let out = api
        .run(&["submit", spec.to_str().unwrap(), "--no-export"])
        .success();
    out.stderr_has("warning: this clip lies entirely outside the canvas");
    assert_eq!(api.mock.requests("create"), 1);
}

#[test]
fn a_second_run_on_a_journal_in_use_is_refused_and_no_row_is_created_twice() {
    let api = Api::new(&["--latency", "20"]);
    let file = api.projects("rows.ndjson", 120);
    let journal_path = api.path("rows.jsonl");
    let args = [
        file.to_str().unwrap(),
        "--jobs",
        "8",
        "--journal",
        journal_path.to_str().unwrap(),
    ];
    let mut first = api.submit_command(&args).spawn().unwrap();
    wait_for_created(&journal_path, 1);
    let second = api
        .vidspec()
        .arg("submit-projects")
        .args(args)
        .args(["--api-base", &api.mock.url])
        .run()
        .failure(1);
    second.stderr_has(&format!("the journal {}", journal_path.display()));
    second.stderr_has(&format!("(pid {})", first.id()));
    assert!(first.wait().unwrap().success());
    let names = assert_no_duplicates(&api.mock.stats());
    assert_eq!(names.len(), 120);
}

/// A 429 slows the pacer every job shares: the jobs neither wait it out alone nor come back
/// together, and no row runs out of attempts.
#[test]
fn rate_limited_jobs_slow_down_together_and_no_row_fails() {
    let api = Api::new(&["--rate-limit", "10"]);
    let out = api.batch_submit(&name_rows(40), &["--rate", "100", "--jobs", "8"]);
    out.stderr_has("40 rows: 40 created");
    assert_eq!(out.code, 0, "{}", out.stderr);
    let stats = api.mock.stats();
    assert_eq!(assert_no_duplicates(&stats).len(), 40);
    let refused = stats["statuses"]["429"].as_u64().unwrap_or(0);
    // Alone, each job waited out its own Retry-After and they all came back together: 24 here.
    assert!(refused <= 12, "{refused} answers were 429");
}

/// Missing credentials are a configuration error (exit 1) and stop a run before its first
/// row; nothing reaches the API.
#[test]
fn missing_credentials_exit_1_before_any_request() {
    let api = Api::new(&[]);
    for args in [&["models"][..], &["auth", "status"]] {
        api.bare()
            .args(args)
            .args(["--api-base", &api.mock.url])
            .run()
            .failure(1)
            .stderr_has("no credentials: set AISTUDIOS_APP_ID and AISTUDIOS_USER_KEY");
    }
    let spec = api.path("mini.yaml");
    std::fs::write(&spec, MINI_SPEC).unwrap();
    let csv = api.path("people.csv");
    std::fs::write(&csv, name_rows(50)).unwrap();
    let out = api
        .bare()
        .args([
            "batch",
            spec.to_str().unwrap(),
            "--csv",
            csv.to_str().unwrap(),
        ])
        .args(["--submit", "--api-base", &api.mock.url])
        .run()
        .failure(1);
    out.stderr_has("no credentials");
    assert!(
        !out.stderr.contains("row 1"),
        "no row was tried:\n{}",
        out.stderr
    );
    assert_eq!(api.mock.stats()["requests"], json!({}));
}

/// A key the API refuses stops every submitting command at its one token request, before a
/// row is compiled or sent: one error, exit 4 (as `auth login` and `models` report it), and
/// the journal left as it was.
#[test]
fn refused_credentials_stop_a_submission_before_any_row_is_sent() {
    let api = Api::new(&["--user-key", "RightKey"]);
    let journal = api.path("j.journal");
    std::fs::write(&journal, "").unwrap();
    let batch = api.batch_submit(&name_rows(4), &["--jobs", "4"]).failure(4);
    let refused = "error: the API refused the credentials of AppId app-test";
    assert_eq!(
        batch.stderr.lines().collect::<Vec<_>>(),
        [format!("{refused}: POST /api/odin/v3/auth/token: HTTP 401, code INVALID_CREDENTIALS: appId or userKey is wrong").as_str()],
        "one error and nothing else"
    );
    assert_eq!(batch.stdout, "");
    assert_eq!(
        std::fs::read_to_string(&journal).unwrap(),
        "",
        "journal untouched"
    );
    let projects = api.projects("p.ndjson", 3);
    let journal_arg = journal.to_str().unwrap();
    let spec = api.path("mini.yaml");
    let others: [&[&str]; 2] = [
        &["submit", spec.to_str().unwrap(), "--set", "name=Ada"],
        &["submit-projects", projects.to_str().unwrap()],
    ];
    for args in others {
        let out = api
            .run(&[args, &["--journal", journal_arg]].concat())
            .failure(4);
        assert_eq!(out.stderr.lines().count(), 1, "{}", out.stderr);
        out.stderr_has(refused);
    }
    assert_eq!(
        std::fs::read_to_string(&journal).unwrap(),
        "",
        "journal untouched"
    );
    let stats = api.mock.stats();
    assert_eq!(
        stats["requests"]["token"], 3,
        "one token request a run: {stats}"
    );
    assert_eq!(
        stats["requests"]["create"],
        Value::Null,
        "nothing sent: {stats}"
    );
}

/// A submitting batch's closing lines: the time is the run's (its rows waited for the API), not
/// compiling's alone, and rows that ended `unknown` are called that, not "failed".
#[test]
fn a_submitting_batch_tells_its_wall_time_and_what_unknown_rows_are() {
    let api = Api::new(&["--latency", "400"]);
    api.run(&["models"]).success(); // the token is cached: the faults below hit creates
    api.mock.faults(json!({ "dropNext": 2 }));
    let out = api
        .batch_submit(&name_rows(4), &["--jobs", "1", "--no-export"])
        .failure(3);
    let lines: Vec<&str> = out.stderr.lines().collect();
    let summary = lines
        .iter()
        .find(|l| l.starts_with("batch: "))
        .unwrap_or_else(|| panic!("{}", out.stderr));
    let seconds: f64 = summary
        .split(" rows in ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("{summary}"));
    assert!(seconds >= 1.6, "four creates of 0.4 s each: {summary}");
    assert!(summary.contains("(compiled in 0."), "{summary}");
    assert_eq!(
        lines.last().copied(),
        Some(
            "error: 2 of 4 rows not done: 2 unknown (sent without an answer: the project may exist)"
        ),
        "{}",
        out.stderr
    );
}

/// Counts read as English: one row, one unreadable line, no rows at all.
#[test]
fn counts_of_one_and_of_none_read_as_english() {
    let api = Api::new(&[]);
    let projects = api.projects("p.ndjson", 1);
    let journal = api.path("j.journal");
    let journal_arg = journal.to_str().unwrap();
    api.run(&[
        "submit-projects",
        projects.to_str().unwrap(),
        "--journal",
        journal_arg,
    ])
    .success()
    .stderr_has("1 row: 1 created");
    let mut text = std::fs::read_to_string(&journal).unwrap();
    text.push_str("not a record\n");
    std::fs::write(&journal, text).unwrap();
    let empty = api.path("empty.journal");
    std::fs::write(&empty, "").unwrap();
    let status = api
        .vidspec()
        .args(["status", "--journal", journal_arg])
        .arg(empty.to_str().unwrap())
        .run()
        .success();
    let lines: Vec<&str> = status.stdout.lines().collect();
    assert!(
        lines[0].ends_with("j.journal: 1 row: 1 created (1 unreadable line)"),
        "{}",
        status.stdout
    );
    assert!(
        lines[1].ends_with("empty.journal: 0 rows"),
        "{}",
        status.stdout
    );
    assert_eq!(lines[2], "all: 1 row: 1 created");
}

/// A host name that does not resolve is not retried (it will not resolve a second later).
/// The name has a label longer than DNS allows, so the lookup fails on this machine without
/// asking any server.
#[test]
fn an_unknown_host_is_not_retried() {
    let api = Api::new(&[]);
    let base = format!("http://{}.invalid", "a".repeat(64));
    let out = api
        .vidspec()
        .args(["models", "--api-base", &base, "--verbose"])
        .run()
        .failure(4);
    out.stderr_has("cannot resolve the host of");
    assert_eq!(
        out.stderr.matches("(attempt ").count(),
        1,
        "one attempt:\n{}",
        out.stderr
    );
}

const PRICE_SPEC: &str = r#"
name: "{{ name }}"
vars:
  name: { type: string, required: true }
  price: { type: integer, required: true }
avatar:
  preset: anna-navy-suit
scenes:
  - say: "Hello {{ name }}, your price is {{ price }} won."
"#;

fn price_rows(rows: impl Iterator<Item = (u64, u64)>) -> String {
    std::iter::once("name,price\n".to_owned())
        .chain(rows.map(|(n, price)| format!("person {n},{price}\n")))
        .collect()
}

/// `--plan` sends nothing and says what a run would do: of 300 rows, 290 created before (the
/// CSV since reordered, 5 of them edited) and 10 added: 10 created, 5 changed, 285 skipped. A run
/// without `--changed` then refuses before sending; `--changed create` creates exactly 15
/// and journals which projects the changed rows supersede.
#[test]
fn a_plan_counts_created_changed_and_skipped_rows_and_sends_nothing() {
    let api = Api::new(&["--export-seconds", "0"]);
    let spec = api.path("price.yaml");
    std::fs::write(&spec, PRICE_SPEC).unwrap();
    let csv = api.path("rows.csv");
    let journal_path = api.path("j.jsonl");
    let report = api.path("plan.jsonl");
    std::fs::write(&csv, price_rows((1..=290).map(|n| (n, 850_000_000)))).unwrap();
    let batch = |extra: &[&str]| {
        api.vidspec()
            .args([
                "batch",
                spec.to_str().unwrap(),
                "--csv",
                csv.to_str().unwrap(),
            ])
            .args(["--submit", "--journal", journal_path.to_str().unwrap()])
            .args(["--api-base", &api.mock.url])
            .args(extra)
    };
    batch(&[]).run().success();
    assert_eq!(api.mock.stats()["projectsCreated"], 290);
    // Reversed, rows 1–5 with a new price, rows 291–300 added.
    let edited = (1..=300)
        .rev()
        .map(|n| (n, if n <= 5 { 820_000_000 } else { 850_000_000 }));
    std::fs::write(&csv, price_rows(edited)).unwrap();
    let requests = api.mock.stats()["requests"].clone();

    let out = batch(&["--plan", "--report", report.to_str().unwrap()])
        .run()
        .success();
    assert_eq!(
        api.mock.stats()["requests"],
        requests,
        "--plan sent a request"
    );
    out.stderr_has("plan: 300 rows: 10 created, 285 skipped, 5 changed;");
    out.stderr_has(", name=person 5, project ");
    out.stderr_has("price: 850000000 → 820000000");
    let lines: Vec<Value> = std::fs::read_to_string(&report)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 300);
    let changed: Vec<&Value> = lines.iter().filter(|l| l["plan"] == "changed").collect();
    assert_eq!(changed.len(), 5);
    assert_eq!(
        changed[0]["changes"]["price"],
        json!({"before": 850000000, "after": 820000000})
    );
    assert!(
        lines
            .iter()
            .all(|l| l["speechSeconds"].as_f64().unwrap() > 2.0)
    );
    assert!(
        out.stdout.lines().any(|l| l.starts_with("300\tchanged\t")),
        "{}",
        out.stdout
    );

    let refused = batch(&[]).run().failure(2);
    refused.stderr_has("5 row(s) changed since their project was created; nothing was sent");
    assert_eq!(
        api.mock.stats()["projectsCreated"],
        290,
        "the refusal sent nothing"
    );

    batch(&["--changed", "create"]).run().success();
    let stats = api.mock.stats();
    assert_eq!(stats["projectsCreated"], 290 + 15, "{stats}");
    let records = journal(&journal_path);
    let superseding: Vec<&Value> = records
        .values()
        .filter(|r| r["supersedes"].is_string())
        .collect();
    assert_eq!(superseding.len(), 5);
    assert_eq!(superseding[0]["inputs"]["price"], 820000000);
    let nothing_new = batch(&["--plan"]).run().success();
    nothing_new.stderr_has("plan: 300 rows: 300 skipped;");
    nothing_new.stderr_has(", 0.0 s in the rows to be created");
    assert!(
        !nothing_new.stderr.contains("-0.0"),
        "{}",
        nothing_new.stderr
    );
}

/// The request line of a create: what marks a create request among the bytes sent.
const CREATE_REQUEST: &str = "POST /api/odin/v3/editor/project ";

/// The row whose project a create request carries: [`MINI_SPEC`] names the project after the
/// row's `name`, and [`name_rows`] names row K `nK`. The body may follow the request line in a
/// later write on the same socket.
fn requested_row(calls: &[Call], request: usize) -> Option<u64> {
    let fd = calls[request].fd();
    calls[request..]
        .iter()
        .filter(|c| c.writes() && c.fd() == fd)
        .enumerate()
        .take_while(|(i, c)| *i == 0 || !c.args.contains(CREATE_REQUEST))
        .find_map(|(_, c)| {
            let (_, after) = c.args.split_once("\"name\":\"n")?;
            let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
            digits.parse().ok()
        })
}

/// Where a traced submit run broke the journal's promise: a create request sent before its
/// row's `unknown` (intent) record was written and synced to the journal (`fdatasync`/`fsync`
/// of `journal_fd` that started after the write returned and returned before the request was
/// sent), or a row reported (its project id written to stdout or stderr) before its `created`
/// record was synced. Also returns the rows whose create was requested, in order.
fn unsynced(calls: &[Call], journal_fd: i64) -> (Vec<String>, Vec<u64>) {
    let mut problems = Vec::new();
    let mut requested = Vec::new();
    let journal_writes: Vec<&Call> = calls
        .iter()
        .filter(|c| c.writes() && c.fd() == Some(journal_fd))
        .collect();
    let synced_between = |written: &Call, acted: &Call| {
        calls
            .iter()
            .any(|s| s.syncs(journal_fd) && s.start > written.end && s.end < acted.start)
    };
    for (i, request) in calls.iter().enumerate() {
        if !(request.writes() && request.args.contains(CREATE_REQUEST)) {
            continue;
        }
        let line = request.start + 1;
        let Some(row) = requested_row(calls, i) else {
            problems.push(format!("trace line {line}: a create request naming no row"));
            continue;
        };
        requested.push(row);
        let intent = journal_writes.iter().rev().find(|w| {
            w.end < request.start
                && w.args.contains(&format!("{{\"row\":{row},"))
                && w.args.contains("\"status\":\"unknown\"")
        });
        match intent {
            None => problems.push(format!(
                "row {row}: create request sent (trace line {line}) with no intent record written before it"
            )),
            Some(intent) if !synced_between(intent, request) => problems.push(format!(
                "row {row}: intent record written (trace line {}) but not synced before its create request was sent (trace line {line})",
                intent.end + 1
            )),
            Some(_) => {}
        }
    }
    for created in journal_writes
        .iter()
        .filter(|w| w.args.contains("\"status\":\"created\""))
    {
        let line = created.end + 1;
        let Some((_, after)) = created.args.split_once("\"projectId\":\"") else {
            problems.push(format!(
                "trace line {line}: a created record without a projectId"
            ));
            continue;
        };
        let id = after.split('"').next().unwrap_or_default();
        let report = calls
            .iter()
            .find(|c| c.writes() && matches!(c.fd(), Some(1 | 2)) && c.args.contains(id));
        match report {
            None => problems.push(format!("project {id}: created (trace line {line}) but never reported")),
            Some(report) if !synced_between(created, report) => problems.push(format!(
                "project {id}: created record written (trace line {line}) but not synced before the row was reported (trace line {})",
                report.start + 1
            )),
            Some(_) => {}
        }
    }
    (problems, requested)
}

/// Runs `vidspec ARGS` under `strace -f` with `journal`; asserts from the system calls that
/// every create request went out after its intent record was on disk, and every created row
/// was on disk before it was reported. Returns the rows requested and the run's stdout.
fn assert_journal_synced_before_acting(
    api: &Api,
    strace: &Path,
    journal: &Path,
    args: &[&str],
) -> (Vec<u64>, String) {
    let trace_path = journal.with_extension("strace");
    let mut tracer = Command::new(strace);
    tracer
        .args(["-f", "-qq", "-s", "1000000", "-e", TRACED, "-o"])
        .arg(&trace_path)
        .arg(BIN);
    let out = api
        .command_after(tracer, args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let calls = strace::parse(&std::fs::read_to_string(&trace_path).unwrap());
    let fds = strace::opened(&calls, journal);
    assert_eq!(fds.len(), 1, "the journal is opened once: {fds:?}");
    let (problems, requested) = unsynced(&calls, fds[0]);
    assert!(
        problems.is_empty(),
        "the journal was not on disk before vidspec acted on it:\n{}",
        problems.join("\n")
    );
    (requested, stdout)
}

/// Durability as the kernel sees it: under `strace`, each create request (`batch --submit`
/// with concurrent jobs, and `submit`) is written to its socket only after an `fdatasync` of
/// the journal that followed the row's intent record, and each created row is synced before
/// it is printed. Without the sync in `Journal::append` the trace shows writes and requests
/// with no sync between them.
#[test]
fn the_journal_is_on_disk_before_each_create_is_sent_and_each_row_reported() {
    let Some(strace) = strace::strace() else {
        return;
    };
    let api = Api::new(&["--latency", "20"]);
    let spec = api.path("mini.yaml");
    std::fs::write(&spec, MINI_SPEC).unwrap();
    let csv = api.path("people.csv");
    std::fs::write(&csv, name_rows(4)).unwrap();
    let journal_path = api.path("batch.journal");
    let (mut requested, stdout) = assert_journal_synced_before_acting(
        &api,
        &strace,
        &journal_path,
        &[
            "batch",
            spec.to_str().unwrap(),
            "--csv",
            csv.to_str().unwrap(),
            "--submit",
            "--jobs",
            "3",
            "--journal",
            journal_path.to_str().unwrap(),
        ],
    );
    requested.sort_unstable();
    assert_eq!(requested, [1, 2, 3, 4], "one create per row");
    assert_eq!(stdout.lines().count(), 4, "{stdout}");
    assert_eq!(rows_with(&journal(&journal_path), "created"), [1, 2, 3, 4]);

    let journal_path = api.path("submit.journal");
    let (requested, stdout) = assert_journal_synced_before_acting(
        &api,
        &strace,
        &journal_path,
        &[
            "submit",
            spec.to_str().unwrap(),
            "--set",
            "name=n1",
            "--journal",
            journal_path.to_str().unwrap(),
        ],
    );
    assert_eq!(requested, [1], "{stdout}");
    assert_eq!(api.mock.requests("create"), 5);
}

/// The check itself: a trace where the sync came after the request, or the report before the
/// created record's sync, is caught.
#[test]
fn the_durability_check_catches_a_request_or_report_before_the_sync() {
    let trace = |first_sync_late: bool| {
        let intent =
            r#"7 write(4, "{\"row\":1,\"hash\":\"ab\",\"status\":\"unknown\"}\n", 40) = 40"#;
        let request = r#"8 writev(9, [{iov_base="POST /api/odin/v3/editor/project HTTP/1.1\r\n\r\n", iov_len=40}, {iov_base="{\"name\":\"n1\"}", iov_len=13}], 2) = 53"#;
        let created = r#"8 write(4, "{\"row\":1,\"hash\":\"ab\",\"status\":\"created\",\"projectId\":\"p-1\"}\n", 60 <unfinished ...>"#;
        let report = "7 write(1, \"1\\tp-1\\n\", 6) = 6";
        let lines = if first_sync_late {
            vec![
                intent,
                request,
                "7 fdatasync(4) = 0",
                created,
                "8 <... write resumed>) = 60",
                report,
                "8 fdatasync(4) = 0",
            ]
        } else {
            vec![
                intent,
                "7 fdatasync(4 <unfinished ...>",
                "7 <... fdatasync resumed>) = 0",
                request,
                created,
                "8 <... write resumed>) = 60",
                "8 fdatasync(4) = 0",
                report,
            ]
        };
        strace::parse(&lines.join("\n"))
    };
    let (problems, requested) = unsynced(&trace(false), 4);
    assert_eq!((problems, requested), (vec![], vec![1]));
    let (problems, _) = unsynced(&trace(true), 4);
    assert_eq!(problems.len(), 2, "{problems:#?}");
    assert!(
        problems[0].starts_with("row 1: intent record written"),
        "{problems:#?}"
    );
    assert!(
        problems[1].starts_with("project p-1: created record written"),
        "{problems:#?}"
    );
}

/// `--export-timeout`: exports whose progress stops moving end `stalled` (exit 3) in the
/// summary, the `--report` file and the journal, instead of being polled forever.
#[test]
fn an_export_that_stops_moving_is_stalled_after_the_export_timeout() {
    let api = Api::new(&["--export-seconds", "0.5", "--stall-rate", "0.5"]);
    let spec = api.path("mini.yaml");
    std::fs::write(&spec, MINI_SPEC).unwrap();
    let csv = api.path("rows.csv");
    std::fs::write(&csv, name_rows(8)).unwrap();
    let journal_path = api.path("j.jsonl");
    let report = api.path("report.jsonl");
    let started = Instant::now();
    let out = api
        .vidspec()
        .args([
            "batch",
            spec.to_str().unwrap(),
            "--csv",
            csv.to_str().unwrap(),
        ])
        .args(["--submit", "--wait", "--export-timeout", "2s"])
        .args(["--journal", journal_path.to_str().unwrap()])
        .args(["--report", report.to_str().unwrap()])
        .args(["--api-base", &api.mock.url])
        .run()
        .failure(3);
    assert!(started.elapsed() < Duration::from_secs(60));
    let records = journal(&journal_path);
    let stalled = rows_with(&records, "stalled");
    let exported = rows_with(&records, "exported");
    assert!(!stalled.is_empty() && !exported.is_empty(), "{records:?}");
    assert_eq!(stalled.len() + exported.len(), 8, "{records:?}");
    out.stderr_has("stalled at ");
    let text = std::fs::read_to_string(&report).unwrap();
    let states: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let in_report = states.iter().filter(|s| s["status"] == "stalled").count();
    assert_eq!(in_report, stalled.len(), "{text}");
}

mod deliver;
mod hardening;
mod scale;

/// `--max-exporting M`: the next row is created only when an export ends, so the mock never
/// sees more than M exporting at once; every progress poll takes its turn from the `--rate`
/// pacer, so a mock whose limit is just above that rate never answers 429.
#[test]
fn max_exporting_caps_exports_at_once_and_polls_share_the_rate() {
    let api = Api::new(&["--export-seconds", "0.6", "--rate-limit", "6"]);
    let report = api.path("report.jsonl");
    let out = api
        .batch_submit(
            &name_rows(10),
            &[
                "--max-exporting",
                "2",
                "--jobs",
                "6",
                "--rate",
                "5",
                "--report",
                report.to_str().unwrap(),
            ],
        )
        .success();
    out.stderr_has("10 rows: 10 exported");
    let stats = api.mock.stats();
    let most = stats["maxExporting"].as_u64().unwrap();
    assert!((1..=2).contains(&most), "{stats}");
    assert_eq!(stats["statuses"].get("429"), None, "{stats}");
    assert!(
        stats["requests"]["progress"].as_u64().unwrap() >= 10,
        "{stats}"
    );
    let records = journal(&api.path("j.journal"));
    assert_eq!(rows_with(&records, "exported").len(), 10, "{records:?}");
    let text = std::fs::read_to_string(&report).unwrap();
    assert_eq!(
        text.matches("\"status\":\"exported\"").count(),
        10,
        "{text}"
    );
}
