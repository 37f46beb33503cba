//! Authoring helpers: `init`, `--watch`, shell completions.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{BIN, Test};

#[test]
fn init_makes_a_project_that_build_and_batch_accept_as_is() {
    let out = Test::new().args(["init", "starter"]).run().success();
    let dir = out.dir.path().join("starter");
    for file in ["video.yaml", "people.csv", "README.md", "spec.schema.json"] {
        assert!(dir.join(file).is_file(), "{file} was not written");
    }
    let spec = std::fs::read_to_string(dir.join("video.yaml")).unwrap();
    assert!(spec.starts_with("# yaml-language-server: $schema=spec.schema.json"));
    let run = |args: &[&str]| {
        Command::new(BIN)
            .args(args)
            .current_dir(&dir)
            .output()
            .unwrap()
    };
    let built = run(&["build", "video.yaml", "--set", "name=Ada"]);
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    let batch = run(&["batch", "video.yaml", "--csv", "people.csv", "--ndjson"]);
    assert!(
        batch.status.success(),
        "{}",
        String::from_utf8_lossy(&batch.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&batch.stdout).lines().count(), 3);
}

#[test]
fn init_never_overwrites() {
    let out = Test::new()
        .write("video.yaml", "mine")
        .args(["init"])
        .run()
        .failure(1);
    assert!(
        out.stderr
            .contains("video.yaml already exists; nothing was written"),
        "{}",
        out.stderr
    );
    assert_eq!(out.file("video.yaml"), "mine");
    assert!(!out.dir.path().join("people.csv").exists());
}

fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "timed out waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn watch_rebuilds_when_the_spec_changes_and_stops_cleanly_on_ctrl_c() {
    let test = Test::new().write(
        "s.yaml",
        "avatar: { preset: anna-navy-suit }\nscenes:\n  - say: first\n",
    );
    let dir = test.path().to_owned();
    let mut child = Command::new(BIN)
        .args(["build", "s.yaml", "-o", "out.json", "--watch"])
        .current_dir(&dir)
        .env("NO_COLOR", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The watcher's messages, read as they come, so the test waits for what it checks.
    let stderr_so_far = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let reader = {
        let sink = std::sync::Arc::clone(&stderr_so_far);
        let mut pipe = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            let mut chunk = [0u8; 4096];
            while let Ok(n @ 1..) = std::io::Read::read(&mut pipe, &mut chunk) {
                sink.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&chunk[..n]));
            }
        })
    };
    let out = dir.join("out.json");
    let speech = || {
        std::fs::read_to_string(&out)
            .ok()
            .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
            .and_then(|v| {
                v["scenes"][0]["scripts"][0]["org"]
                    .as_str()
                    .map(str::to_owned)
            })
    };
    wait_for("the first build", || speech().as_deref() == Some("first"));
    std::thread::sleep(Duration::from_millis(300));
    std::fs::write(
        dir.join("s.yaml"),
        "avatar: { preset: anna-navy-suit }\nscenes:\n  - say: second\n",
    )
    .unwrap();
    wait_for("the rebuild", || speech().as_deref() == Some("second"));
    std::fs::write(
        dir.join("s.yaml"),
        "avatar: { preset: anna-navy-suit }\nscenes:\n  - say: \"{{ oops }}\"\n",
    )
    .unwrap();
    wait_for("the failed rebuild", || {
        stderr_so_far
            .lock()
            .unwrap()
            .contains("undefined variable `oops`")
    });
    assert_eq!(
        speech().as_deref(),
        Some("second"),
        "a failed rebuild keeps the last good output"
    );
    let interrupted = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(interrupted.success());
    let status = child.wait().unwrap();
    reader.join().unwrap();
    let stderr = stderr_so_far.lock().unwrap().clone();
    assert_eq!(status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("changed; running again"), "{stderr}");
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        leftovers.len(),
        2,
        "only the spec and out.json: {leftovers:?}"
    );
}

#[test]
fn completions_are_printed_for_bash() {
    let out = Test::new().args(["completions", "bash"]).run().success();
    assert!(out.stdout.contains("vidspec"));
    assert!(out.stdout.contains("batch"));
}
