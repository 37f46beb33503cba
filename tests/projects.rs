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
