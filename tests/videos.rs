//! The mock's video host: each exported project's download URL serves its own MP4 with
//! `Content-Length`, an `ETag`, byte ranges and `If-Range`, renders again (`rerender`), faults
//! (`--download-fail-rate`) decided by `--seed`, URLs that expire (`--video-url-ttl`), and the
//! fault-free reference route.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use serde_json::Value;

use crate::api::Api;

/// An answer read off the wire: status, headers (lowercase names), the body bytes received.
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    fn promised(&self) -> usize {
        self.header("content-length").unwrap().parse().unwrap()
    }
}

/// `GET url` with extra header lines; whatever arrives before the connection closes.
fn get(url: &str, extra: &str) -> Answer {
    let rest = url.strip_prefix("http://").unwrap();
    let (addr, path) = rest.split_at(rest.find('/').unwrap());
    let mut stream = TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n{extra}\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    let mut buffer = [0; 16 * 1024];
    loop {
        match stream.read(&mut buffer) {
            Ok(0) | Err(_) => break,
            Ok(n) => raw.extend_from_slice(&buffer[..n]),
        }
    }
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("an HTTP head");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.lines();
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    Answer {
        status,
        headers,
        body: raw[split + 4..].to_vec(),
    }
}

/// Creates `rows` exported projects; `(id, download URL)` of each, from `projects list`.
fn exported(api: &Api, rows: usize) -> Vec<(String, String)> {
    let file = api.projects("videos.ndjson", rows);
    api.run(&["submit-projects", file.to_str().unwrap()])
        .success();
    let listed = api.run(&["projects", "list", "--json"]).success().json();
    let mut out: Vec<(String, String)> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let text = |k: &str| p[k].as_str().unwrap().to_owned();
            (text("id"), text("downloadUrl"))
        })
        .collect();
    out.sort();
    assert_eq!(out.len(), rows);
    out
}

fn reference(api: &Api, id: &str) -> Vec<u8> {
    let answer = get(&format!("{}/__mock/reference/{id}.mp4", api.mock.url), "");
    assert_eq!(answer.status, 200);
    answer.body
}

#[test]
fn each_video_is_served_with_its_length_and_byte_ranges() {
    let api = Api::new(&["--export-seconds", "0"]);
    let projects = exported(&api, 2);
    let mut sizes = Vec::new();
    for (id, url) in &projects {
        let whole = get(url, "");
        assert_eq!(whole.status, 200);
        assert_eq!(whole.header("content-type"), Some("video/mp4"));
        assert_eq!(whole.header("accept-ranges"), Some("bytes"));
        assert_eq!(whole.promised(), whole.body.len());
        assert!((50 * 1024..=200 * 1024).contains(&whole.body.len()));
        assert_eq!(&whole.body[4..8], b"ftyp");
        assert!(whole.body.windows(4).any(|w| w == b"mdat"));
        assert_eq!(whole.body, reference(&api, id), "the same bytes every time");
        let len = whole.body.len();
        sizes.push(len);

        let tail = get(url, "Range: bytes=100-\r\n");
        assert_eq!(tail.status, 206);
        assert_eq!(
            tail.header("content-range"),
            Some(format!("bytes 100-{}/{len}", len - 1).as_str())
        );
        assert_eq!(tail.body, whole.body[100..]);
        let middle = get(url, "Range: bytes=10-19\r\n");
        assert_eq!((middle.status, middle.promised()), (206, 10));
        assert_eq!(middle.body, whole.body[10..20]);
        let past = get(url, &format!("Range: bytes={len}-\r\n"));
        assert_eq!(past.status, 416);
        assert_eq!(
            past.header("content-range"),
            Some(format!("bytes */{len}").as_str())
        );
    }
    assert_ne!(sizes[0], sizes[1], "sizes vary per project");
    let missing = get(
        &format!("{}/__mock/videos/nosuchproject.mp4", api.mock.url),
        "",
    );
    assert_eq!(missing.status, 404);
    let videos = &api.mock.stats()["videos"];
    assert_eq!(videos["requests"], 9);
    assert_eq!(videos["ranged"], 6);
    assert_eq!(
        (videos["served"].as_u64(), videos["partial"].as_u64()),
        (Some(6), Some(4))
    );
    assert_eq!(videos["unsatisfiable"], 2);
    assert_eq!(videos["notFound"], 1);
    assert_eq!(videos["reference"], 2);
    let sent: usize = sizes.iter().map(|len| len + (len - 100) + 10).sum();
    assert_eq!(videos["bytes"], sent as u64);
}

#[test]
fn a_video_has_an_etag_and_one_rendered_again_answers_a_stale_if_range_in_full() {
    let api = Api::new(&["--export-seconds", "0"]);
    let projects = exported(&api, 1);
    let (id, url) = &projects[0];
    let first = get(url, "");
    let etag = first.header("etag").expect("an ETag").to_owned();
    assert!(
        etag.starts_with('"') && etag.ends_with('"'),
        "a strong ETag: {etag}"
    );
    let resumed = get(url, &format!("Range: bytes=100-\r\nIf-Range: {etag}\r\n"));
    assert_eq!(resumed.status, 206);
    assert_eq!(resumed.body, first.body[100..]);

    let rerendered = api.mock.http(
        "POST",
        "/__mock/faults",
        &serde_json::json!({ "rerender": id }).to_string(),
    );
    assert!(rerendered.is_object(), "{rerendered}");
    let stale = get(url, &format!("Range: bytes=100-\r\nIf-Range: {etag}\r\n"));
    assert_eq!(stale.status, 200, "the whole new video");
    assert_ne!(stale.header("etag"), Some(etag.as_str()));
    assert_ne!(stale.body, first.body);
    assert_eq!(
        stale.body,
        reference(&api, id),
        "the reference follows the new render"
    );
    let fresh = stale.header("etag").unwrap().to_owned();
    let again = get(url, &format!("Range: bytes=100-\r\nIf-Range: {fresh}\r\n"));
    assert_eq!(
        (again.status, again.body.as_slice()),
        (206, &stale.body[100..])
    );
    let videos = &api.mock.stats()["videos"];
    assert_eq!(
        (videos["ifRange"].as_u64(), videos["ifRangeStale"].as_u64()),
        (Some(3), Some(1))
    );
}

/// What the first `gets` GETs of each of `rows` projects met: 200, a 5xx, or `cut`.
fn faults_met(seed: &str, rows: usize, gets: usize) -> Vec<Vec<String>> {
    let api = Api::new(&[
        "--export-seconds",
        "0",
        "--download-fail-rate",
        "0.5",
        "--seed",
        seed,
    ]);
    let met: Vec<Vec<String>> = exported(&api, rows)
        .iter()
        .map(|(_, url)| {
            (0..gets)
                .map(|_| {
                    let answer = get(url, "");
                    match answer.status {
                        200 if answer.body.len() < answer.promised() => "cut".to_owned(),
                        status => status.to_string(),
                    }
                })
                .collect()
        })
        .collect();
    let videos = &api.mock.stats()["videos"];
    let cut = met
        .iter()
        .flatten()
        .filter(|m: &&String| *m == "cut")
        .count();
    assert_eq!(videos["cut"], cut as u64, "{videos}");
    met
}

#[test]
fn download_faults_are_the_same_for_a_seed_and_cut_bodies_short() {
    let first = faults_met("5", 3, 8);
    assert_eq!(first, faults_met("5", 3, 8));
    assert_ne!(first, faults_met("6", 3, 8));
    let all: Vec<&String> = first.iter().flatten().collect();
    for kind in ["200", "cut"] {
        assert!(all.iter().any(|m| *m == kind), "{kind} in {all:?}");
    }
    assert!(all.iter().any(|m| *m == "500" || *m == "503"), "{all:?}");
}

#[test]
fn an_expired_url_answers_403_and_the_progress_hands_out_a_fresh_one() {
    let api = Api::new(&["--export-seconds", "0", "--video-url-ttl", "1"]);
    let (id, url) = exported(&api, 1).remove(0);
    assert!(
        url.contains("?expires=") && url.contains("&token="),
        "{url}"
    );
    assert_eq!(get(&url, "").status, 200);
    let forged = format!("{}0", url);
    assert_eq!(get(&forged, "").status, 403);
    let unsigned = url.split('?').next().unwrap();
    assert_eq!(get(unsigned, "").status, 403);
    std::thread::sleep(Duration::from_millis(2100));
    assert_eq!(get(&url, "").status, 403);
    let (_, fresh) = exported_again(&api, &id);
    assert_ne!(fresh, url);
    let answer = get(&fresh, "");
    assert_eq!(answer.status, 200);
    assert_eq!(answer.body, reference(&api, &id));
    assert_eq!(api.mock.stats()["videos"]["expired"], 3);
}

/// The project `id` as `projects list` shows it now.
fn exported_again(api: &Api, id: &str) -> (String, String) {
    let listed: Value = api.run(&["projects", "list", "--json"]).success().json();
    let project = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == id)
        .unwrap();
    (
        id.to_owned(),
        project["downloadUrl"].as_str().unwrap().to_owned(),
    )
}
