//! The account against the mock: stalled exports, the most exporting at once, the webhook
//! posted to a loopback receiver, and the `projects` commands (list, delete, reconcile).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::mpsc;
use std::time::Duration;

use serde_json::{Value, json};

use crate::api::Api;

/// A tiny HTTP server on loopback that answers 200 to every POST and hands on its JSON body.
fn receiver() -> (String, mpsc::Receiver<Value>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let (send, receive) = mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut length = 0;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some((name, value)) = line.split_once(':') {
                    if name.eq_ignore_ascii_case("content-length") {
                        length = value.trim().parse().unwrap_or(0);
                    }
                }
            }
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            let _ = stream
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            if send.send(serde_json::from_slice(&body).unwrap()).is_err() {
                return;
            }
        }
    });
    (url, receive)
}

/// An NDJSON file of `rows` projects named `row 1` … with `extra` merged into each body.
fn projects_with(api: &Api, name: &str, rows: usize, extra: &Value) -> String {
    let path = api.projects(name, rows);
    let text: String = std::fs::read_to_string(&path)
        .unwrap()
        .lines()
        .map(|line| {
            let mut project: Value = serde_json::from_str(line).unwrap();
            for (k, v) in extra.as_object().unwrap() {
                project[k] = v.clone();
            }
            format!("{project}\n")
        })
        .collect();
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

#[test]
fn a_loopback_webhook_gets_the_payloads_in_order_ending_at_100_with_credit() {
    let api = Api::new(&["--export-seconds", "1"]);
    let (url, payloads) = receiver();
    let file = projects_with(&api, "hook.ndjson", 1, &json!({ "webhookUrl": url }));
    let out = api.run(&["submit-projects", &file]).success();
    let id = out.stdout.split('\t').nth(1).unwrap().trim().to_owned();
    let mut seen = Vec::new();
    while seen.last().is_none_or(|p: &Value| p["progress"] != 100.0) {
        let payload = payloads
            .recv_timeout(Duration::from_secs(10))
            .unwrap_or_else(|_| panic!("no payload ending at 100: {seen:?}"));
        seen.push(payload);
    }
    assert!(
        seen.len() >= 3,
        "progress reported as it advances: {seen:?}"
    );
    let progress: Vec<f64> = seen
        .iter()
        .map(|p| p["progress"].as_f64().unwrap())
        .collect();
    assert!(progress.windows(2).all(|w| w[0] < w[1]), "{progress:?}");
    let (last, earlier) = seen.split_last().unwrap();
    for payload in earlier {
        assert_eq!(payload.get("credit"), None, "{payload}");
        assert_eq!(payload.get("download_url"), None, "{payload}");
        assert_eq!(payload["backendTaskId"], id.as_str());
    }
    assert_eq!(last["credit"], 1, "{last}");
    assert!(
        last["download_url"].as_str().unwrap().contains(&id),
        "{last}"
    );
    // The mock counts a post once the receiver has answered it.
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(
        api.mock.stats()["webhooks"]["sent"].as_u64(),
        Some(seen.len() as u64)
    );
}

#[test]
fn a_webhook_off_this_machine_is_refused() {
    let api = Api::new(&[]);
    let hook = json!({ "webhookUrl": "http://10.0.0.1/hook" });
    let file = projects_with(&api, "hook.ndjson", 1, &hook);
    let out = api.run(&["submit-projects", &file]);
    assert_ne!(out.code, 0);
    out.stderr_has("webhooks only to http:// on loopback");
    assert_eq!(api.mock.stats()["projectsCreated"], 0);
}

/// Which of 20 projects (by row) a mock with these flags leaves short of 100.
fn stalled_rows(flags: &[&str]) -> Vec<usize> {
    let api = Api::new(&[&["--export-seconds", "0"], flags].concat());
    let file = api.projects("rows.ndjson", 20);
    let out = api
        .run(&["submit-projects", file.to_str().unwrap(), "--jobs", "1"])
        .success();
    let mut stalled = Vec::new();
    for line in out.stdout.lines() {
        let (row, id) = line.split_once('\t').unwrap();
        let status = api.run(&["status", id]).success().stdout;
        if !status.contains("progress  100%") {
            assert!(!status.contains("download"), "{status}");
            stalled.push(row.parse().unwrap());
        }
    }
    stalled
}

#[test]
fn stalled_exports_are_the_same_for_a_seed_and_never_finish() {
    let first = stalled_rows(&["--stall-rate", "0.5", "--seed", "3"]);
    assert!(!first.is_empty() && first.len() < 20, "{first:?}");
    assert_eq!(first, stalled_rows(&["--stall-rate", "0.5", "--seed", "3"]));
    assert_ne!(first, stalled_rows(&["--stall-rate", "0.5", "--seed", "4"]));
    assert_eq!(stalled_rows(&["--stall-rate", "1"]).len(), 20);
    assert!(stalled_rows(&[]).is_empty());
}

#[test]
fn the_stats_count_the_most_projects_exporting_at_once() {
    let api = Api::new(&["--export-seconds", "30"]);
    let file = api.projects("rows.ndjson", 6);
    api.run(&["submit-projects", file.to_str().unwrap(), "--jobs", "6"])
        .success();
    let stats = api.mock.stats();
    assert_eq!(stats["maxExporting"], 6, "{stats}");
    assert_eq!(stats["exporting"], 6, "{stats}");
    let quick = Api::new(&["--export-seconds", "0"]);
    let file = quick.projects("rows.ndjson", 6);
    quick
        .run(&["submit-projects", file.to_str().unwrap()])
        .success();
    assert_eq!(quick.mock.stats()["maxExporting"], 0);
}

/// Creates `rows` projects (named `row 1` … unless `extra` names them) through
/// `submit-projects`; their ids in row order.
fn create(api: &Api, file: &str, rows: usize, extra: &Value) -> Vec<String> {
    let file = projects_with(api, file, rows, extra);
    let out = api.run(&["submit-projects", &file]).success();
    out.stdout
        .lines()
        .map(|line| line.split('\t').nth(1).unwrap().to_owned())
        .collect()
}

/// A journal written by hand, one record a line.
fn write_journal(api: &Api, records: &[Value]) -> String {
    let path = api.path("hand.journal");
    let text: String = records.iter().map(|r| format!("{r}\n")).collect();
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

fn record(row: u64, status: &str, more: Value) -> Value {
    let mut record = json!({ "row": row, "hash": format!("h{row}"), "status": status, "at": "2026-01-01T00:00:00Z" });
    record
        .as_object_mut()
        .unwrap()
        .extend(more.as_object().unwrap().clone());
    record
}

/// The ids `projects list --json` shows.
fn listed_ids(api: &Api) -> Vec<String> {
    let out = api.run(&["projects", "list", "--json"]).success();
    let mut ids: Vec<String> = out
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    ids
}

#[test]
fn projects_list_shows_exported_projects_only_and_says_so() {
    let api = Api::new(&["--export-seconds", "0"]);
    let exported = create(&api, "a.ndjson", 2, &json!({}));
    create(
        &api,
        "draft.ndjson",
        1,
        &json!({ "isExport": false, "name": "draft" }),
    );
    let out = api.run(&["projects", "list"]).success();
    let lines: Vec<Vec<&str>> = out
        .stdout
        .lines()
        .map(|l| l.split('\t').collect())
        .collect();
    assert_eq!(lines.len(), 2, "{}", out.stdout);
    // Rows are created concurrently: the list's order is the mock's, not the rows'.
    for (id, name) in exported.iter().zip(["row 1", "row 2"]) {
        let line = lines
            .iter()
            .find(|l| l[0] == id)
            .expect("each exported project listed");
        assert_eq!(&line[1..3], &[name, "exported"]);
        assert!(line[3].starts_with("http://127.0.0.1:"), "{line:?}");
    }
    out.stderr_has("2 exported projects (the vendor lists only exported projects");
    let json = api.run(&["projects", "list", "--json"]).success().json();
    let first = json
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == exported[0].as_str())
        .unwrap();
    assert_eq!(first["name"], "row 1");
    assert_eq!(first["state"], "exported");
    assert!(
        first["downloadUrl"]
            .as_str()
            .unwrap()
            .contains(&exported[0])
    );
    let help = api.run(&["projects", "list", "--help"]).success();
    assert!(
        help.stdout.contains("holds only exported projects"),
        "{}",
        help.stdout
    );
}

#[test]
fn projects_delete_needs_yes_off_a_terminal_and_deletes_what_it_names() {
    let api = Api::new(&["--export-seconds", "0"]);
    let ids = create(&api, "a.ndjson", 3, &json!({}));
    let out = api.run(&["projects", "delete", &ids[0]]).failure(2);
    out.stderr_has("stdin is not a terminal; add --yes");
    assert_eq!(api.mock.stats()["requests"]["delete"], Value::Null);
    let out = api
        .run(&["projects", "delete", &ids[0], &ids[2], "--yes"])
        .success();
    out.stderr_has("deleted 2 projects");
    assert_eq!(listed_ids(&api), vec![ids[1].clone()]);
    let out = api.run(&["projects", "delete", &ids[0], "--yes"]).success();
    out.stderr_has("deleted 0 of 1 project; the API did not find 1");
    api.run(&["projects", "delete", "no/such", "--yes"])
        .failure(2);
}

#[test]
fn projects_delete_superseded_deletes_what_changed_rows_replaced_while_a_run_holds_the_journal() {
    let api = Api::new(&["--export-seconds", "0"]);
    let ids = create(&api, "a.ndjson", 4, &json!({}));
    let journal = write_journal(
        &api,
        &[
            record(1, "created", json!({ "projectId": ids[0] })),
            record(
                1,
                "created",
                json!({ "projectId": ids[1], "supersedes": ids[0] }),
            ),
            record(1, "exported", json!({ "projectId": ids[1] })),
            record(2, "created", json!({ "projectId": ids[2] })),
            record(
                3,
                "created",
                json!({ "projectId": ids[3], "supersedes": ids[3] }),
            ),
        ],
    );
    // A run holds the journal's write lock: reading it for --superseded is still fine.
    let held = std::fs::OpenOptions::new()
        .append(true)
        .open(&journal)
        .unwrap();
    held.lock().unwrap();
    api.run(&["projects", "delete", "--superseded", "--journal", &journal])
        .failure(2);
    let out = api
        .run(&[
            "projects",
            "delete",
            "--superseded",
            "--journal",
            &journal,
            "--yes",
        ])
        .success();
    out.stderr_has("deleted 1 project");
    let mut left = ids[1..].to_vec();
    left.sort();
    assert_eq!(listed_ids(&api), left);
    api.run(&["projects", "delete", "--superseded"]).failure(2);
}

#[test]
fn reconcile_journals_an_unknown_row_created_when_one_exported_project_has_its_name() {
    let api = Api::new(&["--export-seconds", "0"]);
    let one = create(&api, "one.ndjson", 1, &json!({ "name": "only" }));
    // Two runs without a journal: the same body twice is two projects.
    for _ in 0..2 {
        create(&api, "dup.ndjson", 1, &json!({ "name": "twice" }));
    }
    let journal = write_journal(
        &api,
        &[
            record(
                1,
                "unknown",
                json!({ "name": "only", "inputs": { "name": "a" } }),
            ),
            record(2, "unknown", json!({ "name": "twice" })),
            record(3, "unknown", json!({ "name": "nobody" })),
            record(4, "unknown", json!({})),
            record(5, "failed", json!({ "name": "only" })),
        ],
    );
    let held = std::fs::OpenOptions::new()
        .append(true)
        .open(&journal)
        .unwrap();
    held.lock().unwrap();
    let out = api
        .run(&["projects", "reconcile", "--journal", &journal])
        .failure(1);
    out.stderr_has("is submitting with it");
    drop(held);
    let out = api
        .run(&["projects", "reconcile", "--journal", &journal])
        .success();
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), 4, "{}", out.stdout);
    assert_eq!(
        lines[0],
        format!(
            "row 1 (\"only\"): created as {}: the one exported project of that name; journaled as created",
            one[0]
        )
    );
    assert!(
        lines[1].starts_with("row 2 (\"twice\"): left unknown: 2 exported projects have that name"),
        "{}",
        lines[1]
    );
    assert!(lines[2].starts_with("row 3 (\"nobody\"): left unknown: no exported project has that name (the vendor lists only exported projects"), "{}", lines[2]);
    assert!(
        lines[3].starts_with("row 4: left unknown: the journal holds no project name"),
        "{}",
        lines[3]
    );
    out.stderr_has("reconciled 4 unknown rows: 1 journaled as created, 3 left unknown");
    let records = crate::api::journal(std::path::Path::new(&journal));
    assert_eq!(records[&1]["status"], "created");
    assert_eq!(records[&1]["projectId"], one[0].as_str());
    assert_eq!(records[&1]["hash"], "h1");
    assert_eq!(records[&1]["inputs"], json!({ "name": "a" }));
    assert_eq!(records[&5]["status"], "failed");
    let again = api
        .run(&["projects", "reconcile", "--journal", &journal])
        .success();
    again.stderr_has("reconciled 3 unknown rows: 0 journaled as created, 3 left unknown");
}

#[test]
fn a_create_whose_answer_was_lost_is_reconciled_and_the_rerun_creates_nothing() {
    let api = Api::new(&["--export-seconds", "0"]);
    let csv = "name\nAda\n";
    // The create is carried out, but its answer is lost: the row is unknown.
    api.mock.http(
        "POST",
        "/__mock/faults",
        &json!({ "loseNext": 1 }).to_string(),
    );
    let out = api.batch_submit(csv, &[]);
    assert_ne!(out.code, 0, "{}", out.stderr);
    let journal = api.path("j.journal");
    let records = crate::api::journal(&journal);
    assert_eq!(records[&1]["status"], "unknown", "{records:?}");
    assert_eq!(records[&1]["name"], "Ada");
    assert_eq!(api.mock.stats()["projectsCreated"], 1);
    let out = api
        .run(&[
            "projects",
            "reconcile",
            "--journal",
            journal.to_str().unwrap(),
        ])
        .success();
    assert!(
        out.stdout.starts_with("row 1 (\"Ada\"): created as "),
        "{}",
        out.stdout
    );
    api.batch_submit(csv, &[]).success();
    assert_eq!(
        api.mock.stats()["projectsCreated"],
        1,
        "the rerun skipped the reconciled row"
    );
}
