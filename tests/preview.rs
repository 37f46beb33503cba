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

/// A spec for a Korean listing campaign (the contact sheet benchmark's): a name in a title box
/// 700 px wide, the speech in Korean with the markup the vendor allows, two scenes.
const LISTING: &str = include_str!("../benches/sheet-listing.yaml");

/// Rows whose names overflow the title box (too wide for 700 px at size 72).
const OVERFLOWING: [u64; 3] = [17, 88, 150];
/// A row that does not compile (`rooms` is not a number).
const BROKEN: u64 = 120;

/// 200 rows of Korean names; the `OVERFLOWING` rows have a long Latin name, the `BROKEN` row
/// a word for its number of rooms.
fn listing_rows(delimiter: char) -> String {
    let family = ["김", "이", "박", "최", "정"];
    let given = ["민수", "서연", "지훈", "하은", "도윤"];
    let mut csv = format!("name{delimiter}rooms\n");
    for row in 1..=200u64 {
        let name = if OVERFLOWING.contains(&row) {
            format!("Maximilian Alexander von Hohenzollern-Sigmaringen {row}")
        } else {
            format!(
                "{}{}",
                family[row as usize % 5],
                given[(row as usize / 5) % 5]
            )
        };
        let rooms = if row == BROKEN {
            "many".to_owned()
        } else {
            (row % 4 + 1).to_string()
        };
        csv.push_str(&format!("{name}{delimiter}{rooms}\n"));
    }
    csv
}

/// The `data-row` numbers of the strips in page order, and their `data-status`.
fn strips_in_order(html: &str) -> Vec<(u64, String)> {
    html.split("<section class=\"strip")
        .skip(1)
        .map(|strip| {
            let field = |name: &str| {
                let start = strip.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
                strip[start..strip[start..].find('"').unwrap() + start].to_owned()
            };
            (field("data-row").parse().unwrap(), field("data-status"))
        })
        .collect()
}

/// The order a sheet of `listing_rows` must have: the broken row, the overflowing ones, the rest.
fn expected_order() -> Vec<(u64, String)> {
    let mut order = vec![(BROKEN, "error".to_owned())];
    order.extend(OVERFLOWING.iter().map(|&r| (r, "warning".to_owned())));
    order.extend(
        (1..=200)
            .filter(|r| *r != BROKEN && !OVERFLOWING.contains(r))
            .map(|r| (r, "ok".to_owned())),
    );
    order
}

/// `vidspec preview listing.yaml --csv rows.csv ARGS` over the 200 `listing_rows`.
fn listing_sheet(delimiter: char, args: &[&str]) -> Test {
    Test::new()
        .write("listing.yaml", LISTING)
        .write("rows.csv", listing_rows(delimiter))
        .args(["preview", "listing.yaml", "--csv", "rows.csv"])
        .args(args)
}

#[test]
fn contact_sheet_of_200_rows_lists_broken_and_overflowing_rows_first_in_a_real_browser() {
    let test = listing_sheet(',', &["--rows", "all", "-o", "sheet.html"]);
    let page = test.path().join("sheet.html");
    let out = test.run().failure(3);
    out.stderr_has("contact sheet: 200 rows, 1 failed, 3 with warnings (listed first)");
    // The lint every row shares is said once, on stderr and above the strips.
    assert_eq!(
        out.stderr.matches("is not one the preset").count(),
        1,
        "{}",
        out.stderr
    );
    let html = std::fs::read_to_string(&page).unwrap();
    assert_eq!(strips_in_order(&html), expected_order());
    assert_eq!(html.matches("is not one the preset").count(), 1);
    assert!(html.len() < 1_000_000, "{} bytes for 200 rows", html.len());
    for needle in [" src=", " href=", "<script", "<link", "<img", "@import"] {
        assert!(
            !html.contains(needle),
            "the sheet is self-contained: {needle:?}"
        );
    }
    assert!(html.contains("default-src 'none'"));
    let Some(exe) = browser() else { return };

    let dom = chromium(&exe, &page, &["--dump-dom"]);
    assert_eq!(strips_in_order(&dom), expected_order());
    assert_eq!(
        dom.matches("<svg class=\"frame\"").count(),
        199 * 2,
        "two frames a row"
    );
    let flagged: Vec<&str> = dom
        .split("<section class=\"strip flagged")
        .skip(1)
        .collect();
    assert_eq!(flagged.len(), 3);
    for (strip, row) in flagged.iter().zip(OVERFLOWING) {
        assert!(strip.contains(&format!("data-row=\"{row}\"")));
        assert!(
            strip.contains("this text needs about") && strip.contains("listing.yaml:12:15"),
            "the warning and where it is:\n{strip}"
        );
        assert!(strip.contains("class=\"over\""), "the clip is outlined");
    }
    let broken = dom.split("<section class=\"strip failed").nth(1).unwrap();
    assert!(
        broken.contains("row 120 (line 121), column rooms:"),
        "the row's error, as batch says it:\n{broken}"
    );
    assert!(
        !dom.contains("&lt;p&gt;") && !dom.contains("&lt;span"),
        "no raw markup"
    );
    assert!(dom.contains("안녕하세요 김민수님."));
    assert!(
        dom.contains("class=\"figure\""),
        "the presenter is a silhouette"
    );

    let png = out.dir.path().join("sheet.png");
    let screenshot = format!("--screenshot={}", png.display());
    chromium(&exe, &page, &[&screenshot, "--window-size=1200,1600"]);
    let bytes = std::fs::read(&png).expect("Chromium wrote the screenshot");
    assert_eq!(png_size(&bytes), (1200, 1600));
    assert!(
        bytes.len() > 60_000,
        "a drawn sheet, not a blank page ({} bytes)",
        bytes.len()
    );
}

/// A headless Chromium driven over the DevTools protocol on a pipe (`--remote-debugging-pipe`:
/// messages are JSON ended by a NUL byte, read from its fd 3 and written to its fd 4, here two
/// FIFOs), attached to the one page it opened.
struct DevTools {
    child: std::process::Child,
    to: std::fs::File,
    from: std::sync::mpsc::Receiver<serde_json::Value>,
    next: u64,
    session: String,
    _scratch: tempfile::TempDir,
}

impl DevTools {
    #[track_caller]
    fn open(exe: &Path, page: &Path) -> DevTools {
        use std::io::{BufRead, BufReader};
        let scratch = tempfile::tempdir().unwrap();
        let (input, output) = (scratch.path().join("in"), scratch.path().join("out"));
        for fifo in [&input, &output] {
            let made = Command::new("mkfifo").arg(fifo).status().unwrap();
            assert!(made.success(), "mkfifo {}", fifo.display());
        }
        let child = Command::new("sh")
            .arg("-c")
            .arg(r#"exec "$@" 3<"$CDP_IN" 4>"$CDP_OUT""#)
            .arg("sh")
            .arg(exe)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--remote-debugging-pipe",
            ])
            .arg(format!(
                "--user-data-dir={}",
                scratch.path().join("profile").display()
            ))
            .arg(format!("file://{}", page.display()))
            .env("CDP_IN", &input)
            .env("CDP_OUT", &output)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // The shell opens fd 3 first, then fd 4: each open waits for this end.
        let to = std::fs::OpenOptions::new()
            .write(true)
            .open(&input)
            .unwrap();
        let reader = std::fs::File::open(&output).unwrap();
        let (send, from) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(reader);
            let mut message = Vec::new();
            while reader.read_until(0, &mut message).is_ok_and(|n| n > 0) {
                message.pop_if(|b| *b == 0);
                if let Ok(value) = serde_json::from_slice(&message) {
                    if send.send(value).is_err() {
                        break;
                    }
                }
                message.clear();
            }
        });
        let mut tools = DevTools {
            child,
            to,
            from,
            next: 0,
            session: String::new(),
            _scratch: scratch,
        };
        let targets = tools.call("Target.getTargets", serde_json::json!({}));
        let target = targets["targetInfos"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["type"] == "page")
            .unwrap_or_else(|| panic!("no page among {targets}"))["targetId"]
            .clone();
        let attached = tools.call(
            "Target.attachToTarget",
            serde_json::json!({ "targetId": target, "flatten": true }),
        );
        tools.session = attached["sessionId"].as_str().unwrap().to_owned();
        let started = Instant::now();
        // The page target may show about:blank before the file.
        let loaded = "location.protocol == 'file:' && document.readyState == 'complete' \
                      && document.fonts.status == 'loaded'";
        while tools.eval(loaded) != true {
            assert!(started.elapsed() < BROWSER_TIMEOUT, "the page never loaded");
            std::thread::sleep(Duration::from_millis(50));
        }
        tools
    }

    /// Sends a command (to the page, once attached) and waits for its answer's `result`.
    #[track_caller]
    fn call(&mut self, method: &str, params: serde_json::Value) -> serde_json::Value {
        use std::io::Write as _;
        self.next += 1;
        let mut message =
            serde_json::json!({ "id": self.next, "method": method, "params": params });
        if !self.session.is_empty() {
            message["sessionId"] = self.session.clone().into();
        }
        let mut bytes = serde_json::to_vec(&message).unwrap();
        bytes.push(0);
        self.to.write_all(&bytes).unwrap();
        loop {
            let answer = self
                .from
                .recv_timeout(BROWSER_TIMEOUT)
                .unwrap_or_else(|e| panic!("no answer to {method}: {e}"));
            if answer["id"] == self.next {
                assert!(answer["error"].is_null(), "{method}: {answer}");
                return answer["result"].clone();
            }
        }
    }

    /// The value of a JavaScript expression in the page (the page's own policy forbids
    /// scripts; the protocol's evaluation is the browser's, not the page's).
    #[track_caller]
    fn eval(&mut self, expression: &str) -> serde_json::Value {
        let result = self.call(
            "Runtime.evaluate",
            serde_json::json!({ "expression": expression, "returnByValue": true }),
        );
        result["result"]["value"].clone()
    }

    /// The fonts the browser drew the text of the first element matching `selector` with:
    /// (family, glyphs drawn with it). Asked again until the text is laid out (a strip is
    /// laid out once the browser has seen it is in view).
    #[track_caller]
    fn fonts_of(&mut self, selector: &str) -> Vec<(String, u64)> {
        let root = self.call("DOM.getDocument", serde_json::json!({ "depth": 0 }));
        let node = self.call(
            "DOM.querySelector",
            serde_json::json!({ "nodeId": root["root"]["nodeId"], "selector": selector }),
        );
        assert_ne!(node["nodeId"], 0, "nothing matches {selector}");
        let started = Instant::now();
        let fonts = loop {
            let fonts = self.call(
                "CSS.getPlatformFontsForNode",
                serde_json::json!({ "nodeId": node["nodeId"] }),
            );
            if fonts["fonts"].as_array().is_some_and(|f| !f.is_empty())
                || started.elapsed() > BROWSER_TIMEOUT / 4
            {
                break fonts;
            }
            std::thread::sleep(Duration::from_millis(100));
        };
        fonts["fonts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["familyName"].as_str().unwrap_or_default().to_owned(),
                    f["glyphCount"].as_u64().unwrap_or(0),
                )
            })
            .collect()
    }
}

impl Drop for DevTools {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn korean_on_a_contact_sheet_is_drawn_in_a_cjk_font() {
    let test = listing_sheet(
        ';',
        &["--delimiter", ";", "--rows", "1-3", "-o", "sheet.html"],
    );
    let page = test.path().join("sheet.html");
    let _out = test.run().success();
    let Some(exe) = browser() else { return };
    let installed = Command::new("fc-list")
        .arg("Noto Sans CJK KR")
        .output()
        .is_ok_and(|out| !out.stdout.is_empty());
    if !installed && !on_ci() {
        eprintln!(
            "note: the CJK font check is skipped: no Noto Sans CJK KR font (Debian's \
             fonts-noto-cjk); under CI=true it fails"
        );
        return;
    }
    let mut tools = DevTools::open(&exe, &page);
    tools.call("DOM.enable", serde_json::json!({}));
    tools.call("CSS.enable", serde_json::json!({}));
    // Row 1 is 이민수: its speech under a frame, and its name drawn in the frame.
    for selector in [
        "[data-row=\"1\"] .said",
        "[data-row=\"1\"] svg text.content",
    ] {
        let fonts = tools.fonts_of(selector);
        let hangul = fonts
            .iter()
            .filter(|(family, _)| family.starts_with("Noto Sans CJK"))
            .map(|(_, glyphs)| glyphs)
            .sum::<u64>();
        assert!(
            hangul >= 3,
            "{selector} is drawn in a Noto Sans CJK font (Debian's fonts-noto-cjk; .ci/run \
             installs it), not in {fonts:?}"
        );
    }
    let family =
        tools.eval("getComputedStyle(document.querySelector('[data-row=\"1\"] .said')).fontFamily");
    assert!(
        family
            .as_str()
            .is_some_and(|f| f.starts_with("\"Noto Sans CJK KR\"")),
        "the page's stack puts the Korean face first: {family}"
    );
}

#[test]
fn contact_sheet_reads_rows_with_the_delimiter_and_shows_speech_and_durations() {
    let out = listing_sheet(';', &["--delimiter", ";", "--rows", "4,2,10-11,199-230"])
        .run()
        .success();
    out.stderr_has("--rows: rows.csv has 200 data rows; rows 201-230 are not in it")
        .stderr_has("contact sheet: 6 rows, 0 failed, 0 with warnings");
    let html = &out.stdout;
    let rows: Vec<u64> = strips_in_order(html).into_iter().map(|(r, _)| r).collect();
    assert_eq!(rows, [2, 4, 10, 11, 199, 200]);
    // Row 2 (박민수, 3 rooms): the speech as text, a paragraph a line, never its markup.
    let row2 = html.split("data-row=\"2\"").nth(1).unwrap();
    assert!(
        row2.contains("안녕하세요 박민수님.<br>방 3개짜리 새 매물을 소개합니다."),
        "{row2}"
    );
    assert!(row2.contains(">감사합니다!</span>"));
    assert!(!html.contains("&lt;p&gt;") && !html.contains("&lt;span"));
    // Durations: per scene and per row, marked as estimates; the header sums them.
    let first = 9.0 / 5.5 + 0.4 + 14.0 / 5.5 + 0.4; // 안녕하세요 박민수님. / 방 3개짜리 …
    let second = 5.0 / 5.5 + 0.4; // 감사합니다!
    assert!(
        row2.contains(&format!("<span class=\"duration\">≈ {first:.1} s</span>"))
            && row2.contains(&format!("<span class=\"duration\">≈ {second:.1} s</span>"))
            && row2.contains(&format!("speech ≈ {:.1} s", first + second)),
        "{row2}"
    );
    assert!(
        html.contains("data-field=\"seconds\" title=\"estimated from the length of the speech")
    );
}

/// `--rows` over a CSV on stdin: the rows asked for, numbered and located as in a file (a
/// blank line and a cell across lines counted), the count of rows told for the rest.
#[test]
fn contact_sheet_rows_are_selected_from_a_csv_on_stdin() {
    let spec = "vars:\n  name: { type: string, required: true }\n  seats: { type: integer, default: 1 }\navatar: { preset: anna-navy-suit }\nscenes:\n  - say: \"Hi {{ name }}, {{ seats }} seats\"\n";
    // Lines: 1 header, 2 Ada, 3 blank, 4–5 "Bo\nBo", 6 Cy, 7 Di (a bad number), 8 Ed.
    let csv = "name,seats\nAda,1\n\n\"Bo\nBo\",2\nCy,3\nDi,x\nEd,5\n";
    let out = Test::new()
        .write("s.yaml", spec)
        .args(["preview", "s.yaml", "--csv", "-", "--rows", "2-4,9"])
        .stdin(csv)
        .run()
        .failure(3);
    out.stderr_has("--rows: <stdin> has 5 data rows; row 9 is not in it")
        .stderr_has("contact sheet: 3 rows, 1 failed, 0 with warnings (listed first)");
    let html = &out.stdout;
    let strips = strips_in_order(html);
    let rows: Vec<(u64, &str)> = strips.iter().map(|(r, s)| (*r, s.as_str())).collect();
    assert_eq!(rows, [(4, "error"), (2, "ok"), (3, "ok")], "{html}");
    assert!(
        html.contains("row 4 (line 7), column seats: expected an integer, got `x`"),
        "{html}"
    );
    assert!(html.contains("Hi Bo<br>Bo, 2 seats"), "{html}");
    assert!(html.contains("Hi Cy, 3 seats"), "{html}");
    assert!(
        !html.contains("Hi Ada") && !html.contains("Hi Ed"),
        "{html}"
    );
}

/// A lint of a kind that is not about values (markup in speech, a URL the service cannot
/// fetch) that only some rows have came from their values: those rows are flagged, as `batch`
/// names them, and `--deny-warnings` fails them, not the whole sheet. A lint every row has is
/// the spec's, and `--deny-warnings` refuses the sheet for it.
#[test]
fn contact_sheet_flags_rows_whose_values_bring_a_lint_the_others_lack() {
    const SHEET: [&str; 8] = [
        "preview",
        "s.yaml",
        "--csv",
        "p.csv",
        "--rows",
        "all",
        "-o",
        "sheet.html",
    ];
    let spec = "vars:\n  name: { type: string, required: true }\n  logo: { type: string, default: \"https://example.com/a.png\" }\navatar: { preset: anna-navy-suit }\nscenes:\n  - say: \"Hi {{ name }}\"\n    clips:\n      - image: \"{{ logo }}\"\n        left: 10\n        top: 10\n        width: 100\n        height: 100\n";
    let csv = "name,logo\nAda,https://example.com/a.png\n<b>Bob</b>,https://example.com/b.png\nCy,./logo.png\n";
    let sheet = |deny: bool, code: i32| {
        let out = Test::new()
            .write("s.yaml", spec)
            .write("p.csv", csv)
            .args(SHEET)
            .args(deny.then_some("--deny-warnings"))
            .run();
        assert_eq!(out.code, code, "{}", out.stderr);
        let html = std::fs::read_to_string(out.dir.path().join("sheet.html")).unwrap();
        (out, html)
    };
    let (out, html) = sheet(false, 0);
    out.stderr_has(
        "speech contains `<b>`; the service documents only <p> and <span> in speech (in 1 of 3 rows)",
    )
    .stderr_has(
        "`./logo.png` is not an http(s) URL; the service cannot fetch local files (in 1 of 3 rows)",
    )
    .stderr_has("contact sheet: 3 rows, 0 failed, 2 with warnings (listed first)");
    let strips = strips_in_order(&html);
    let rows: Vec<(u64, &str)> = strips.iter().map(|(r, s)| (*r, s.as_str())).collect();
    assert_eq!(rows, [(2, "warning"), (3, "warning"), (1, "ok")], "{html}");
    assert!(html.contains("speech contains `&lt;b&gt;`"), "{html}");

    let (denied, html) = sheet(true, 3);
    denied.stderr_has("error: 2 of 3 rows failed");
    assert_eq!(strips_in_order(&html).len(), 3, "{html}");

    let same = spec.replace("https://example.com/a.png", "./same.png");
    let refused = Test::new()
        .write("s.yaml", same)
        .write("p.csv", "name\nAda\nBob\n")
        .args(SHEET)
        .arg("--deny-warnings")
        .run()
        .failure(1);
    refused
        .stderr_has("`./same.png` is not an http(s) URL")
        .stderr_has("1 warning, and --deny-warnings turns them into errors");
    assert!(!refused.dir.path().join("sheet.html").exists());
}

#[test]
fn contact_sheet_rows_are_checked_before_anything_is_read() {
    let spec = "vars: { name: { type: string } }\nscenes:\n  - say: \"Hi {{ name }}\"\n";
    for (rows, says) in [
        ("0", "`0`: rows are numbered from 1"),
        (
            "7-3",
            "`7-3`: the range ends before it starts (write `3-7`)",
        ),
        (
            "1-x",
            "`1-x` is not a row number or a range like `10-20` (or `all`)",
        ),
        ("", "give row numbers (`1-50`, `3,7,10-20`) or `all`"),
    ] {
        let out = Test::new()
            .write("s.yaml", spec)
            .write("rows.csv", "name\nAda\n")
            .args(["preview", "s.yaml", "--csv", "rows.csv", "--rows", rows])
            .run()
            .failure(2);
        out.stderr_has(says);
    }
    let out = Test::new()
        .write("s.yaml", spec)
        .args(["preview", "s.yaml", "--rows", "all"])
        .run()
        .failure(2);
    out.stderr_has("--csv <FILE>");
    let out = Test::new()
        .write("s.yaml", spec)
        .write("rows.csv", "name\nAda\n")
        .args(["preview", "s.yaml", "--csv", "rows.csv", "--rows", "3-4"])
        .run()
        .failure(2);
    out.stderr_has("--rows: rows.csv has 1 data row; no row asked for is in it");
}

#[test]
fn a_storyboard_shows_speech_as_text_with_its_estimated_duration() {
    let spec = r#"
vars: { name: { type: string, default: Ada } }
avatar: { preset: anna-navy-suit }
scenes:
  - say: "<p>Hello {{ name }}, <span>welcome</span>.</p><p>Fish &amp; chips?</p>"
"#;
    let out = Test::new()
        .write("s.yaml", spec)
        .args(["preview", "s.yaml"])
        .run()
        .success();
    let html = &out.stdout;
    assert!(
        html.contains("<q>Hello Ada, welcome.<br>Fish &amp; chips?</q>"),
        "{html}"
    );
    assert!(!html.contains("&lt;p&gt;") && !html.contains("&lt;span"));
    // 6 words (`&` is one) at 2.5 a second, two sentence ends; the tags count for nothing.
    let seconds = 6.0 / 2.5 + 0.8;
    assert!(
        html.contains(&format!("speech ≈ {seconds:.1} s</small>")),
        "{html}"
    );
    assert!(html.contains("data-field=\"seconds\" title=\"estimated"));
    assert!(
        html.contains("class=\"figure\""),
        "the presenter is a silhouette"
    );
    assert!(html.contains("class=\"head\""), "…with the head box");
    assert!(html.contains("--cjk:\"Noto Sans CJK KR\",\"Noto Sans CJK JP\",\"Noto Sans CJK SC\""));
}
