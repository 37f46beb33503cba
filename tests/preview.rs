//! `vidspec preview`: the storyboard page, loaded in a real headless Chromium.
//!
//! The browser is `VIDSPEC_CHROMIUM`, or `chromium` / `chromium-browser` / `google-chrome` on
//! PATH. Under `CI=true` a missing browser fails the test; locally it is skipped with a note.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{Test, on_ci, on_path};

/// A browser run may take this long before the test gives up on it.
const BROWSER_TIMEOUT: Duration = Duration::from_secs(120);

/// The browser to load pages in, or None (locally only) when there is none.
fn browser() -> Option<PathBuf> {
    let found = std::env::var_os("VIDSPEC_CHROMIUM")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            ["chromium", "chromium-browser", "google-chrome"]
                .into_iter()
                .find_map(on_path)
        });
    if found.is_none() {
        assert!(
            !on_ci(),
            "CI=true and no browser for the preview test: install Debian's `chromium` package \
             (.ci/run does), or set VIDSPEC_CHROMIUM to a Chromium binary"
        );
        eprintln!(
            "note: preview test skipped its browser checks: no chromium, chromium-browser or \
             google-chrome on PATH (set VIDSPEC_CHROMIUM to run them)"
        );
    }
    found
}

/// Runs headless Chromium on `page` with `args`, in a fresh profile; returns its stdout.
#[track_caller]
fn chromium(exe: &Path, page: &Path, args: &[&str]) -> String {
    let scratch = tempfile::tempdir().unwrap();
    let profile = scratch.path().join("profile");
    let stdout_path = scratch.path().join("stdout");
    let stderr_path = scratch.path().join("stderr");
    let mut flags: Vec<OsString> = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ]
    .into_iter()
    .map(OsString::from)
    .collect();
    let mut user_data = OsString::from("--user-data-dir=");
    user_data.push(&profile);
    flags.push(user_data);
    flags.extend(args.iter().map(OsString::from));
    flags.push(format!("file://{}", page.display()).into());
    let mut child = Command::new(exe)
        .args(&flags)
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&stdout_path).unwrap())
        .stderr(std::fs::File::create(&stderr_path).unwrap())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", exe.display()));
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > BROWSER_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "{} did not finish within {BROWSER_TIMEOUT:?}",
                exe.display()
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let stderr = std::fs::read_to_string(&stderr_path).unwrap_or_default();
    assert!(
        status.success(),
        "{} {flags:?} failed ({status}):\n{stderr}",
        exe.display()
    );
    std::fs::read_to_string(&stdout_path).unwrap()
}

/// The PNG's width and height, after checking its signature.
#[track_caller]
fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert!(
        bytes.starts_with(b"\x89PNG\r\n\x1a\n") && &bytes[12..16] == b"IHDR",
        "not a PNG"
    );
    let be = |at: usize| u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap());
    (be(16), be(20))
}

#[test]
fn preview_of_the_welcome_example_shows_a_frame_per_scene_in_a_real_browser() {
    let test = Test::in_repo();
    let page = test.path().join("storyboard.html");
    let out = test
        .args([
            "preview",
            "examples/welcome.yaml",
            "--set",
            "name=Ada",
            "-o",
        ])
        .arg(&page)
        .run()
        .success();
    let html = std::fs::read_to_string(&page).unwrap();
    assert_eq!(html.matches("<section class=\"scene\"").count(), 3);
    let Some(exe) = browser() else { return };

    let dom = chromium(&exe, &page, &["--dump-dom"]);
    assert_eq!(dom.matches("data-scene=").count(), 3, "{dom}");
    assert_eq!(dom.matches("<svg class=\"frame\"").count(), 3, "{dom}");
    assert_eq!(dom.matches("viewBox=\"0 0 1920 1080\"").count(), 3);
    for text in [
        "Welcome, Ada",
        "Hello Ada, welcome to the Pro plan.",
        "Pro · 1 seat",
        "Reply to this email",
        "https://example.com/logo.png",
        "https://example.com/clip.mp4",
        "blue-gradient.png",
        "No presenter in this scene",
    ] {
        assert!(dom.contains(text), "the page shows {text:?}:\n{dom}");
    }
    assert!(
        dom.contains("class=\"head\""),
        "the avatar's head box is drawn"
    );
    assert!(!dom.contains("<script"), "the page has no scripts");

    let png = out.dir.path().join("storyboard.png");
    let screenshot = format!("--screenshot={}", png.display());
    chromium(&exe, &page, &[&screenshot, "--window-size=1280,2400"]);
    let bytes = std::fs::read(&png).expect("Chromium wrote the screenshot");
    assert_eq!(png_size(&bytes), (1280, 2400));
    assert!(
        bytes.len() > 30_000,
        "a drawn storyboard, not a blank page ({} bytes)",
        bytes.len()
    );
}

#[test]
fn preview_of_a_csv_row_shows_markup_in_a_cell_as_text() {
    let spec = r#"
name: "Welcome, {{ name }}"
vars:
  name: { type: string, required: true }
avatar: { preset: anna-navy-suit }
scenes:
  - say: "Hello {{ name }}"
    clips:
      - text: "Hi {{ name }}"
"#;
    let csv = "name\nAda\n\"<script>alert('x')</script><img src=http://example.invalid/x.png>\"\n";
    let test = Test::new().write("s.yaml", spec).write("rows.csv", csv);
    let page = test.path().join("row2.html");
    let _out = test
        .args(["preview", "s.yaml", "--csv", "rows.csv", "--row", "2", "-o"])
        .arg(&page)
        .run()
        .success();
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.contains("Hi &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&lt;img"));
    assert!(
        !html.contains("<script") && !html.contains("<img"),
        "{html}"
    );
    let Some(exe) = browser() else { return };

    let dom = chromium(&exe, &page, &["--dump-dom"]);
    assert!(!dom.contains("<script") && !dom.contains("<img"), "{dom}");
    assert!(
        dom.contains("Hello &lt;script&gt;alert('x')&lt;/script&gt;"),
        "the cell is shown as text:\n{dom}"
    );
}

#[test]
fn preview_of_a_row_past_the_end_is_a_usage_error() {
    let spec = "vars: { name: { type: string } }\nscenes:\n  - say: \"Hi {{ name }}\"\n";
    let out = Test::new()
        .write("s.yaml", spec)
        .write("rows.csv", "name\nAda\n")
        .args(["preview", "s.yaml", "--csv", "rows.csv", "--row", "3"])
        .run()
        .failure(2);
    out.stderr_has("--row 3: rows.csv has 1 data row");
}

#[test]
fn preview_without_output_prints_the_page_and_portrait_frames_stand_up() {
    let out = Test::in_repo()
        .args(["preview", "examples/podcast-teaser.yaml"])
        .run()
        .success();
    assert!(out.stdout.starts_with("<!DOCTYPE html>"));
    assert_eq!(out.stdout.matches("viewBox=\"0 0 1080 1920\"").count(), 2);
    assert!(out.stdout.contains("Theme music"), "audio is listed");
}

#[test]
fn preview_reads_a_csv_with_the_delimiter_batch_takes() {
    let spec = "vars: { name: { type: string }, plan: { type: string } }\navatar: { preset: anna-navy-suit }\nscenes:\n  - say: \"Hi {{ name }}, {{ plan }}\"\n";
    let out = Test::new()
        .write("s.yaml", spec)
        .write("rows.csv", "name;plan\nAda;Pro\nBo;Team\n")
        .args([
            "preview",
            "s.yaml",
            "--csv",
            "rows.csv",
            "--delimiter",
            ";",
            "--row",
            "2",
        ])
        .run()
        .success();
    assert!(out.stdout.contains("Hi Bo, Team"), "{}", out.stdout);
}
