//! `vidspec check`: lint warnings for valid projects that are probably mistakes.

use crate::support::Test;

/// Each folder of `tests/lints/` is a spec; the snapshot is `vidspec check spec.yaml`'s exit
/// code and stderr. Warnings never fail a check on their own.
#[test]
fn each_lint_names_the_place_and_check_still_succeeds() {
    insta::glob!("lints/*/spec.yaml", |path| {
        let spec = std::fs::read(path).unwrap();
        let out = Test::new()
            .write("spec.yaml", spec)
            .args(["check", "spec.yaml"])
            .run();
        assert_eq!(out.code, 0, "{}", out.stderr);
        insta::assert_snapshot!(format!("exit {}\n{}", out.code, out.stderr));
    });
}

#[test]
fn deny_warnings_turns_lints_into_failure() {
    let spec = "avatar: { preset: anna-navy-suit }\nscenes:\n  - say: \"<b>Hi</b>\"\n";
    let out = Test::new()
        .write("s.yaml", spec)
        .args(["check", "s.yaml", "--deny-warnings"])
        .run()
        .failure(1);
    out.stderr_has("warning: speech contains `<b>`");
    assert!(
        out.stderr
            .contains("--deny-warnings turns them into errors"),
        "{}",
        out.stderr
    );
}

/// `build` and `preview` print the same lints as `check`, and still succeed; with
/// `--deny-warnings` they fail and write nothing.
#[test]
fn every_command_prints_checks_lints_and_takes_deny_warnings() {
    let spec = "avatar: { preset: anna-navy-suit }\nscenes:\n  - say: \"<b>Hi</b>\"\n";
    let checked = Test::new()
        .write("s.yaml", spec)
        .args(["check", "s.yaml"])
        .run()
        .success();
    let lint = checked.stderr.lines().next().unwrap().to_owned();
    assert!(lint.starts_with("warning: speech contains `<b>`"), "{lint}");
    for command in ["build", "preview"] {
        let out = Test::new()
            .write("s.yaml", spec)
            .args([command, "s.yaml"])
            .run()
            .success();
        assert!(out.stderr.starts_with(&lint), "{command}: {}", out.stderr);
        assert!(!out.stdout.is_empty(), "{command} still writes its output");
        let out = Test::new()
            .write("s.yaml", spec)
            .args([command, "s.yaml", "-o", "out", "--deny-warnings"])
            .run()
            .failure(1);
        out.stderr_has("1 warning, and --deny-warnings turns them into errors");
        assert!(
            !out.dir.path().join("out").exists(),
            "{command} wrote its output"
        );
    }
}

#[test]
fn check_names_clips_partly_off_the_canvas_and_text_wider_than_its_box() {
    let spec = "avatar: { preset: anna-navy-suit }\nscenes:\n  - say: Hi\n    clips:\n      - shape: Square\n        left: 1800\n        top: 100\n        width: 300\n        height: 100\n      - text: A rather long headline\n        left: 100\n        top: 500\n        width: 200\n";
    let out = Test::new()
        .write("s.yaml", spec)
        .args(["check", "s.yaml"])
        .run()
        .success();
    out.stderr_has("warning: this clip lies partly outside the canvas: it spans 1800–2100 × 100–200 on a 1920×1080 canvas")
        .stderr_has("s.yaml:5:9")
        .stderr_has("warning: this text needs about 634 px at size 48, and its box is 200 px wide")
        .stderr_has("s.yaml:10:15");
}

#[test]
fn long_speech_and_empty_media_are_warnings() {
    let spec = "vars:\n  bg: { type: string, default: \"\" }\navatar: { preset: anna-navy-suit }\nscenes:\n  - say: \"{{ 'word ' * 30 }}\"\n    background: { image: \"{{ bg }}\", color: \"rgb(1,2,3)\" }\n    clips:\n      - video: https://example.com/a.mp4\n        poster: \"{{ bg }}\"\n";
    let out = Test::new()
        .write("s.yaml", spec)
        .args(["check", "s.yaml", "--max-speech", "100"])
        .run()
        .success();
    out.stderr_has("warning: this scene's speech is 150 characters, more than 100")
        .stderr_has("warning: this background image's URL is empty")
        .stderr_has("warning: this clip's media URL is empty");
    let out = Test::new()
        .write("s.yaml", spec)
        .args(["check", "s.yaml"])
        .run()
        .success();
    assert!(
        !out.stderr.contains("characters, more than"),
        "{}",
        out.stderr
    );
}

/// A batch lints each row with its values, dry runs included: the rows whose names overflow
/// the title are named, a lint the same in every row is printed once (for the first row), and
/// `--deny-warnings` fails those rows only. `--lint-rows`, which asked for this before it was
/// the default, is still accepted and changes nothing.
#[test]
fn batch_names_the_rows_whose_text_overflows() {
    let spec = "vars:\n  name: { type: string, required: true }\navatar: { preset: anna-navy-suit }\nscenes:\n  - say: \"<b>Hi</b> {{ name }}\"\n    clips:\n      - text: \"Welcome, {{ name }}!\"\n        left: 1200\n        top: 100\n        font: { size: 64 }\n";
    let csv =
        "name\nAda\nMaximiliana Alexandrina Bartholomew\nBo\nWolfeschlegelsteinhausenbergerdorff\n";
    let batch = |spec: &str, extra: &[&str]| {
        Test::new()
            .write("s.yaml", spec)
            .write("people.csv", csv)
            .args([
                "batch",
                "s.yaml",
                "--csv",
                "people.csv",
                "--out",
                "out/{{ row }}.json",
            ])
            .args(extra)
            .run()
    };
    let out = batch(spec, &[]).success();
    let warnings = |stderr: &str| -> Vec<String> {
        let lines = stderr.lines().filter(|l| !l.starts_with("batch: "));
        lines.map(str::to_owned).collect()
    };
    let again = batch(spec, &["--lint-rows"]).success();
    assert_eq!(warnings(&again.stderr), warnings(&out.stderr));
    let overflow = past_the_frame(&out.stderr);
    assert_eq!(overflow.len(), 2, "{}", out.stderr);
    assert!(
        overflow[0].starts_with("warning: row 2 (line 3): "),
        "{}",
        overflow[0]
    );
    assert!(
        overflow[1].starts_with("warning: row 4 (line 5): "),
        "{}",
        overflow[1]
    );
    assert_eq!(
        out.stderr.matches("speech contains `<b>`").count(),
        1,
        "{}",
        out.stderr
    );
    for row in 1..=4 {
        assert!(out.dir.path().join(format!("out/{row}.json")).exists());
    }

    let out = batch(&spec.replace("<b>Hi</b>", "Hi"), &["--deny-warnings"]).failure(3);
    out.stderr_has(
        "row 2 (line 3): this row has warnings, and --deny-warnings turns them into errors",
    );
    let written: Vec<bool> = (1..=4)
        .map(|row| out.dir.path().join(format!("out/{row}.json")).exists())
        .collect();
    assert_eq!(written, [true, false, true, false]);
}

/// The warnings of text past the frame in a batch's stderr.
fn past_the_frame(stderr: &str) -> Vec<&str> {
    let lines = stderr.lines();
    lines
        .filter(|l| l.contains("this text runs past the edge of the frame"))
        .collect()
}

/// A dry run to NDJSON, no flag: every row is linted with its values, so a name deep in the
/// file that overflows the title is named with its row and line; past the first 20 rows with
/// warnings, the rest are counted. Every row is still written.
#[test]
fn batch_to_ndjson_names_every_overflowing_row_up_to_the_cap() {
    let spec = "vars:\n  name: { type: string, required: true }\navatar: { preset: anna-navy-suit }\nscenes:\n  - say: \"Hi {{ name }}\"\n    clips:\n      - text: \"Welcome, {{ name }}!\"\n        left: 1000\n        top: 100\n        font: { size: 64 }\n";
    let mut csv = String::from("name\n");
    for row in 1..=60 {
        if row >= 23 {
            csv.push_str(&format!("Maximiliana Alexandrina Bartholomew {row}\n"));
        } else {
            csv.push_str(&format!("Bo {row}\n"));
        }
    }
    let out = Test::new()
        .write("s.yaml", spec)
        .write("people.csv", &csv)
        .args(["batch", "s.yaml", "--csv", "people.csv", "--ndjson"])
        .run()
        .success();
    assert_eq!(out.stdout.lines().count(), 60);
    let named = past_the_frame(&out.stderr);
    assert_eq!(named.len(), 20, "{}", out.stderr);
    assert!(
        named[0].starts_with(
            "warning: row 23 (line 24): this text runs past the edge of the frame: it spans 1000–"
        ),
        "{}",
        named[0]
    );
    assert!(
        named[19]
            .starts_with("warning: row 42 (line 43): this text runs past the edge of the frame"),
        "{}",
        named[19]
    );
    out.stderr_has("s.yaml:7:9");
    out.stderr_has("more in 18 other rows (the first 20 rows with warnings are shown)");
}
