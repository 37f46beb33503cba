//! `vidspec batch`: one project per CSV row.

use crate::support::{Output, Test, repo};

const SPEC: &str = r#"
name: "Welcome, {{ name }}"
vars:
  name:  { type: string, required: true }
  plan:  { type: string, default: Pro, enum: [Free, Pro, Enterprise] }
  seats: { type: integer, default: 1, min: 1 }
avatar: { preset: anna-navy-suit }
scenes:
  - say: "Hello {{ name }}, {{ plan }} plan."
    clips:
      - text: "{{ seats }} seats"
"#;

/// `vidspec batch s.yaml --csv rows.csv ARGS…` with [`SPEC`] and `csv`, in a fresh folder.
fn batch(csv: &str, args: &[&str]) -> Output {
    Test::new()
        .write("s.yaml", SPEC)
        .write("rows.csv", csv)
        .args(["batch", "s.yaml", "--csv", "rows.csv"])
        .args(args)
        .run()
}

/// The `name` of each project of an NDJSON stdout, in order.
fn project_names(stdout: &str) -> Vec<String> {
    lines(stdout)
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_owned())
        .collect()
}

fn lines(stdout: &str) -> Vec<serde_json::Value> {
    stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn speech(project: &serde_json::Value) -> &str {
    project["scenes"][0]["scripts"][0]["org"].as_str().unwrap()
}

#[test]
fn real_world_csv_is_read_faithfully() {
    let csv = "\u{feff}name,plan,seats\r\n\"Kim, \"\"Min-su\"\"\",Pro,3\r\n\"Line one\nLine two\",Free,1\r\n김민수,Enterprise,2\r\n";
    let out = batch(csv, &["--ndjson"]).success();
    let rows = lines(&out.stdout);
    assert_eq!(rows.len(), 3);
    assert_eq!(speech(&rows[0]), "Hello Kim, \"Min-su\", Pro plan.");
    assert_eq!(speech(&rows[1]), "Hello Line one\nLine two, Free plan.");
    assert_eq!(speech(&rows[2]), "Hello 김민수, Enterprise plan.");
    assert_eq!(rows[0]["scenes"][0]["clips"][1]["text"], "3 seats");
    assert!(
        !out.stderr.contains("warning"),
        "a BOM does not make an unknown column: {}",
        out.stderr
    );
}

#[test]
fn an_empty_cell_takes_the_default() {
    let out = batch("name,plan,seats\nAda,,\n", &["--ndjson"]).success();
    assert_eq!(speech(&lines(&out.stdout)[0]), "Hello Ada, Pro plan.");
}

#[test]
fn a_bad_cell_fails_its_row_naming_row_and_column_and_the_others_are_produced() {
    let csv = "name,plan,seats\nAda,Pro,2\nBob,Pro,4x2\nCy,Gold,1\nDee,Free,5\n";
    let out = batch(csv, &["--ndjson", "--report", "report.jsonl"]).failure(3);
    let names = project_names(&out.stdout);
    assert_eq!(names, ["Welcome, Ada", "Welcome, Dee"]);
    assert!(
        out.stderr
            .contains("row 2 (line 3), column seats: expected an integer, got `4x2`"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains("row 3 (line 4), column plan: \"Gold\" is not one of"),
        "{}",
        out.stderr
    );
    out.stderr_has("batch: 2 ok, 2 failed, 4 rows");
    let report: Vec<serde_json::Value> = out
        .file("report.jsonl")
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(report.len(), 4);
    assert_eq!(report[1]["status"], "failed");
    assert_eq!(report[1]["row"], 2);
    assert_eq!(report[3]["status"], "ok");
}

#[test]
fn an_empty_required_cell_is_a_row_error() {
    let out = batch("name,plan\n,Pro\nAda,Pro\n", &["--ndjson"]).failure(3);
    out.stderr_has("row 1 (line 2), column name: the cell is empty");
    assert_eq!(lines(&out.stdout).len(), 1);
}

#[test]
fn an_unknown_column_is_warned_about_once() {
    let out = batch("name,plna\nAda,x\nBob,y\n", &["--ndjson"]).success();
    assert_eq!(
        out.stderr
            .matches("column `plna` is not a variable")
            .count(),
        1,
        "{}",
        out.stderr
    );
    out.stderr_has("did you mean `plan`?");
}

#[test]
fn a_missing_required_column_fails_before_any_row_runs() {
    let out = batch(
        "plan,seats\nPro,1\n",
        &["--out", "out/{{ row }}.json", "--report", "r.jsonl"],
    )
    .failure(1);
    assert!(
        out.stderr
            .contains("the CSV has no column for it: missing required variable `name`"),
        "{}",
        out.stderr
    );
    assert!(!out.dir.path().join("out").exists());
}

#[test]
fn a_cell_holding_template_syntax_reaches_the_output_literally() {
    let csv = "name\n{{ 7*7 }}\n\"{% for x in range(9) %}x{% endfor %}\"\n";
    let out = batch(csv, &["--ndjson"]).success();
    let rows = lines(&out.stdout);
    assert_eq!(rows[0]["name"], "Welcome, {{ 7*7 }}");
    assert_eq!(
        speech(&rows[1]),
        "Hello {% for x in range(9) %}x{% endfor %}, Pro plan."
    );
}

#[test]
fn out_pattern_writes_one_file_per_row() {
    let out = batch(
        "name\nAda Lovelace\n김민수\n",
        &["--out", "out/{{ row }}-{{ name | slug }}.json"],
    )
    .success();
    let first: serde_json::Value =
        serde_json::from_str(&out.file("out/1-ada-lovelace.json")).unwrap();
    assert_eq!(first["name"], "Welcome, Ada Lovelace");
    let second: serde_json::Value = serde_json::from_str(&out.file("out/2-김민수.json")).unwrap();
    assert_eq!(second["name"], "Welcome, 김민수");
}

#[test]
fn hostile_output_paths_never_write_outside_the_output_folder() {
    let csv = "name\n../../escaped\n/etc/passwd\n\"nul\u{0}byte\"\nCON\nsafe\n";
    let out = batch(csv, &["--out", "out/{{ name }}.json"]).failure(3);
    let mut everything = Vec::new();
    for entry in walk(out.dir.path()) {
        everything.push(
            entry
                .strip_prefix(out.dir.path())
                .unwrap()
                .display()
                .to_string(),
        );
    }
    everything.sort();
    assert_eq!(everything, ["out", "out/safe.json", "rows.csv", "s.yaml"]);
    assert!(!std::path::Path::new("/etc/passwd.json").exists());
    out.stderr_has("leaves the output folder out");
    out.stderr_has("contains a NUL byte");
    out.stderr_has("batch: 1 ok, 4 failed");
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            found.extend(walk(&path));
        }
        found.push(path);
    }
    found
}

#[test]
fn two_rows_mapping_to_one_file_fail_the_second_not_overwrite() {
    let out = batch(
        "name,plan\nAda,Pro\n\nAda,Free\n",
        &["--out", "out/{{ name | slug }}.json"],
    )
    .failure(3);
    assert!(
        out.stderr.contains(
            "row 2 (line 4): output path out/ada.json was already written by row 1 (line 2); not overwritten"
        ),
        "{}",
        out.stderr
    );
    let kept: serde_json::Value = serde_json::from_str(&out.file("out/ada.json")).unwrap();
    assert_eq!(speech(&kept), "Hello Ada, Pro plan.");
}

fn many_rows(count: usize) -> String {
    let mut csv = String::from("name,seats\n");
    for i in 1..=count {
        csv.push_str(&format!("Person {i},{}\n", i % 7 + 1));
    }
    csv
}

#[test]
fn output_keeps_input_order_whatever_the_parallelism() {
    let out = batch(&many_rows(700), &["--ndjson", "--jobs", "4"]).success();
    let names = project_names(&out.stdout);
    let expected: Vec<String> = (1..=700).map(|i| format!("Welcome, Person {i}")).collect();
    assert_eq!(names, expected);
}

#[test]
fn shards_together_equal_the_unsharded_output() {
    let run = |extra: &[&str]| {
        let args: Vec<&str> = ["--ndjson"].iter().chain(extra).copied().collect();
        batch(&many_rows(100), &args).success().stdout
    };
    let whole: Vec<String> = run(&[]).lines().map(str::to_owned).collect();
    let shards: Vec<Vec<String>> = ["1/3", "2/3", "3/3"]
        .iter()
        .map(|s| run(&["--shard", s]).lines().map(str::to_owned).collect())
        .collect();
    assert_eq!(shards.iter().map(Vec::len).sum::<usize>(), whole.len());
    let mut merged = Vec::new();
    for row in 0..whole.len() {
        merged.push(shards[row % 3][row / 3].clone());
    }
    assert_eq!(merged, whole);
}

#[test]
fn stdin_is_read_with_a_dash() {
    let out = Test::new()
        .write("s.yaml", SPEC)
        .stdin("name\nAda\n")
        .args(["batch", "s.yaml", "--csv", "-", "--ndjson", "--quiet"])
        .run()
        .success();
    assert_eq!(lines(&out.stdout).len(), 1);
    assert_eq!(out.stderr, "", "--quiet prints no summary");
}

/// A shard of a CSV on stdin: the shard's rows, each named by its number and line as in a file.
#[test]
fn a_shard_of_a_csv_on_stdin_takes_its_rows_and_names_them() {
    let out = Test::new()
        .write("s.yaml", SPEC)
        .stdin("name,seats\nAda,1\n\nBo,2\n\"Cy\nCy\",3\nDi,x\n")
        .args([
            "batch", "s.yaml", "--csv", "-", "--ndjson", "--shard", "2/2",
        ])
        .run()
        .failure(3);
    let names = project_names(&out.stdout);
    assert_eq!(
        names,
        ["Welcome, Bo"],
        "rows 2 and 4 of 4: Bo, and Di, which fails"
    );
    out.stderr_has("row 4 (line 7), column seats: expected an integer, got `x`")
        .stderr_has("batch: 1 ok, 1 failed, 2 rows");
}

#[test]
fn fail_fast_stops_at_the_first_failed_row() {
    let out = batch(
        "name,seats\nAda,1\nBob,x\nCy,2\n",
        &["--ndjson", "--fail-fast", "--jobs", "1"],
    )
    .failure(3);
    assert_eq!(lines(&out.stdout).len(), 1);
    assert!(!out.stdout.contains("Cy"));
}

#[test]
fn set_wins_over_the_csv_row_and_vars_files_lose_to_it() {
    let out = Test::new()
        .write("s.yaml", SPEC)
        .write("v.yaml", "plan: Free\nseats: 9\n")
        .write("rows.csv", "name,plan\nAda,Enterprise\n")
        .args([
            "batch", "s.yaml", "--csv", "rows.csv", "--ndjson", "--vars", "v.yaml", "--set",
            "name=Zed",
        ])
        .run()
        .success();
    let row = &lines(&out.stdout)[0];
    assert_eq!(speech(row), "Hello Zed, Enterprise plan.");
    assert_eq!(row["scenes"][0]["clips"][1]["text"], "9 seats");
}

/// The prebuilt fast path must give exactly what the full compile gives, for every example
/// and inputs that vary per row.
#[test]
fn prebuilt_rows_equal_full_compiles() {
    use vidspec::compile::{Options, Program};
    use vidspec::emit::Format;
    let cases: &[(&str, &[(&str, &str)])] = &[
        (
            "welcome.yaml",
            &[
                ("name", "Ada \"the\" <b>first</b>"),
                ("plan", "Enterprise"),
                ("seats", "7"),
            ],
        ),
        (
            "product-tour.yaml",
            &[("product", "Zed ✨"), ("plan", "Enterprise")],
        ),
        (
            "podcast-teaser.yaml",
            &[
                ("title", "A much longer title\nover two lines"),
                ("guest", "Sam"),
            ],
        ),
        (
            "course-lesson.yaml",
            &[("topic", "Cash flow"), ("number", "3")],
        ),
    ];
    let mut prebuilt_seen = 0;
    for (file, row) in cases {
        let program =
            Program::load(&repo().join("examples").join(file), &Options::default()).unwrap();
        let columns: Vec<String> = row.iter().map(|(k, _)| (*k).to_owned()).collect();
        let renderer = program.rows(&columns);
        prebuilt_seen += usize::from(renderer.is_prebuilt());
        let mut inputs = vidspec::inputs::Inputs::new();
        for (k, v) in *row {
            program
                .vars
                .set(&mut inputs, k, vidspec::inputs::Raw::Text(v))
                .unwrap();
        }
        let inputs = program.inputs(&inputs).unwrap();
        let full = program.render(&inputs).unwrap().project;
        for format in [Format::Pretty, Format::Compact] {
            let fast = renderer.render_bytes(&inputs, format).unwrap();
            assert_eq!(
                String::from_utf8(fast).unwrap(),
                String::from_utf8(vidspec::emit::to_bytes(&full, format)).unwrap(),
                "{file}"
            );
        }
        assert_eq!(renderer.render(&inputs).unwrap(), full, "{file}");
    }
    assert!(
        prebuilt_seen >= 2,
        "the fast path serves most examples ({prebuilt_seen})"
    );
}

#[test]
fn a_row_that_breaks_the_spec_names_the_row_and_the_spec_location() {
    let spec = "vars:\n  form: { type: string, default: Circle }\navatar: { preset: anna-navy-suit }\nscenes:\n  - say: Hi\n    clips:\n      - shape: \"{{ form }}\"\n";
    let out = Test::new()
        .write("s.yaml", spec)
        .write("rows.csv", "form\nStar\nBlob\n")
        .args(["batch", "s.yaml", "--csv", "rows.csv", "--ndjson"])
        .run()
        .failure(3);
    out.stderr_has("row 2 (line 3): `Blob` is not a valid `shape`");
    out.stderr_has("--> s.yaml:7:16");
    assert_eq!(lines(&out.stdout).len(), 1);
}

#[test]
fn mistakes_in_the_command_are_refused_before_any_row_runs() {
    let run = |args: &[&str], csv: &str| batch(csv, args);
    run(&[], "name\nAda\n")
        .failure(2)
        .stderr_has("say where the rows go");
    run(&["--out", "out/fixed.json"], "name\nAda\n")
        .failure(2)
        .stderr_has("every row would write the same file");
    run(&["--out", "out/{{ nam }}.json"], "name\nAda\n")
        .failure(2)
        .stderr_has("did you mean `name`?");
    run(&["--ndjson", "--rate", "2"], "name\nAda\n")
        .failure(2)
        .stderr_has("go with --submit");
    run(&["--ndjson"], "name,name\nA,B\n")
        .failure(1)
        .stderr_has("names `name` twice");
    let semicolons = run(&["--ndjson"], "name;plan\nAda;Pro\n").failure(1);
    semicolons.stderr_has("pass `--delimiter ';'`");
    let read = run(&["--ndjson", "--delimiter", ";"], "name;plan\nAda;Pro\n").success();
    assert_eq!(speech(&lines(&read.stdout)[0]), "Hello Ada, Pro plan.");
}

/// Where the filesystem ignores case (macOS and Windows by default); on Linux they are two
/// files (`overwrite::rows_whose_paths_differ_in_case_are_two_files_on_linux`).
#[cfg(any(target_os = "macos", target_os = "windows"))]
#[test]
fn file_names_differing_only_in_case_are_one_file_where_the_filesystem_ignores_case() {
    let out = batch("name\nAda\nADA\n", &["--out", "out/{{ name }}.json"]).failure(3);
    out.stderr_has(
        "row 2 (line 3): output path out/ADA.json was already written by row 1 (line 2); not overwritten",
    );
}

/// On a terminal (a pseudo-terminal from `script`), a long batch shows a progress bar; piped,
/// it prints only the summary.
#[cfg(unix)]
#[test]
fn a_progress_bar_shows_on_a_terminal_only() {
    let test = Test::new()
        .write("s.yaml", SPEC)
        .write("rows.csv", many_rows(40_000));
    let dir = test.path().to_owned();
    let command = format!(
        "{} batch s.yaml --csv rows.csv --ndjson --jobs 2 > /dev/null",
        crate::support::BIN
    );
    let Ok(output) = std::process::Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .current_dir(&dir)
        .output()
    else {
        assert!(
            std::env::var_os("CI").is_none(),
            "`script` (util-linux) is needed for this test under CI"
        );
        eprintln!("skipped: no `script` on this machine");
        return;
    };
    let screen = String::from_utf8_lossy(&output.stdout);
    assert!(
        screen.contains('%') && screen.contains("\u{1b}["),
        "no progress bar drawn:\n{screen}"
    );
    assert!(screen.contains("batch: 40000 ok"), "{screen}");
    let piped = test
        .args(["batch", "s.yaml", "--csv", "rows.csv", "--ndjson"])
        .run()
        .success();
    assert!(!piped.stderr.contains('%'), "{}", piped.stderr);
    assert!(!piped.stderr.contains('\u{1b}'), "{}", piped.stderr);
}

/// A report that cannot be written stops the batch with an error; it must not leave the reader
/// and the workers waiting for each other.
#[cfg(target_os = "linux")]
#[test]
fn a_failing_report_ends_the_batch_instead_of_hanging() {
    let test = Test::new()
        .write("s.yaml", SPEC)
        .write("rows.csv", many_rows(20_000));
    let dir = test.path().to_owned();
    let mut child = std::process::Command::new(crate::support::BIN)
        .args([
            "batch",
            "s.yaml",
            "--csv",
            "rows.csv",
            "--ndjson",
            "--jobs",
            "1",
            "--report",
            "/dev/full",
        ])
        .current_dir(&dir)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > std::time::Duration::from_secs(60) {
            let _ = child.kill();
            panic!("the batch hung after its report failed");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    assert_eq!(status.code(), Some(1));
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert!(stderr.contains("writing the report"), "{stderr}");
}

/// Values placed with their own type, and text that looks like an internal placeholder, must
/// come out of a batch exactly as `build` makes them.
#[test]
fn batch_rows_equal_builds_for_typed_values_and_look_alike_text() {
    let spec = "vars:\n  name: { type: string, default: x }\n  w: { type: integer, default: 400 }\navatar: { preset: anna-navy-suit }\ndictionary: { weight: \"{{ w }}\" }\nscenes:\n  - say: \"Hello {{ name }}\"\n    clips:\n      - text: \"\u{E001}0\u{E001} {{ name }}\"\n        font: { weight: \"{{ w }}\" }\n      - text: \"\u{E001}99\u{E001}\"\n";
    let batch = Test::new()
        .write("s.yaml", spec)
        .write("rows.csv", "name,w\nAda,700\nBob,300\n")
        .args(["batch", "s.yaml", "--csv", "rows.csv", "--ndjson"])
        .run()
        .success();
    let rows: Vec<&str> = batch.stdout.lines().collect();
    for (i, (name, w)) in [("Ada", "700"), ("Bob", "300")].iter().enumerate() {
        let built = Test::new()
            .write("s.yaml", spec)
            .args([
                "build",
                "s.yaml",
                "--compact",
                "--set",
                &format!("name={name}"),
                "--set",
                &format!("w={w}"),
            ])
            .run()
            .success();
        assert_eq!(rows[i], built.stdout.trim_end(), "row {}", i + 1);
    }
}

#[test]
fn submission_flags_without_submit_are_named_as_given() {
    batch(
        "name\nAda\n",
        &["--ndjson", "--journal", "j.jsonl", "--verbose"],
    )
    .failure(2)
    .stderr_has("--journal, --verbose: these say how rows are submitted, and go with --submit");
    batch(
        "name\nAda\n",
        &["--out", "out/{{ row }}.json", "--region", "cn"],
    )
    .failure(2)
    .stderr_has("--region: these say how rows are submitted");
}

/// The flags of a submission that are not its request flags (`--plan`, `--download`,
/// `--rate-total`) go with `--submit` too: a dry run refuses them (exit 2) instead of planning
/// (`--ndjson --plan` printed a plan) or dropping them (`--out … --download …`). The rows go
/// to one of `--out`, `--ndjson` and `--submit`.
#[test]
fn a_dry_run_refuses_what_only_a_submission_does() {
    let csv = "name\nAda\n";
    for (flags, said) in [
        (
            &["--ndjson", "--plan"][..],
            "--plan needs --submit: a plan shows what a submission would do",
        ),
        (&["--plan"], "--plan needs --submit"),
        (
            &[
                "--out",
                "out/{{ row }}.json",
                "--download",
                "v/{{ row }}.mp4",
            ],
            "--download needs --submit: only a submitted row has a video",
        ),
        (
            &["--ndjson", "--rate-total", "4", "--shard", "1/2"],
            "--rate-total needs --submit: it shares out the request rate",
        ),
        (
            &["--ndjson", "--plan", "--download", "v/{{ row }}.mp4"],
            "--plan needs --submit: a plan shows what a submission would do with each row \
             (and sends nothing); --download needs --submit",
        ),
    ] {
        let out = batch(csv, flags).failure(2);
        out.stderr_has(said);
        assert_eq!(out.stdout, "", "{flags:?}: nothing planned or produced");
        assert!(!out.dir.path().join("out").exists(), "{flags:?}");
    }
    for (flags, said) in [
        (
            &["--out", "out/{{ row }}.json", "--ndjson"][..],
            "--out, --ndjson: the rows go to one place",
        ),
        (
            &["--ndjson", "--submit"],
            "--ndjson, --submit: the rows go to one place",
        ),
        (
            &["--out", "o/{{ row }}.json", "--submit"],
            "--out, --submit: the rows go to one place",
        ),
    ] {
        batch(csv, flags).failure(2).stderr_has(said);
    }
}

/// `--key` is checked by the one check a submission makes, in a dry run too: a key that is no
/// column, or a column that is no variable, is refused (exit 1) before any row is produced.
#[test]
fn a_dry_run_refuses_a_key_column_as_a_submission_does() {
    let csv = "name,plan,note\nAda,Pro,hi\n";
    let out = batch(csv, &["--ndjson", "--key", "nope"]).failure(1);
    out.stderr_has("error: --key nope: no such column (name, plan, note)");
    assert_eq!(out.stdout, "", "no row was produced");
    let files = batch(csv, &["--out", "out/{{ row }}.json", "--key", "name,nope"]).failure(1);
    files.stderr_has("error: --key nope: no such column");
    assert!(
        !files.dir.path().join("out").exists(),
        "no file was written"
    );
    batch(csv, &["--ndjson", "--key", "note"])
        .failure(1)
        .stderr_has("error: --key note: the column is not a variable of the spec");
    let keyed = batch(csv, &["--ndjson", "--key", "plan,name"]).success();
    assert_eq!(project_names(&keyed.stdout), ["Welcome, Ada"]);
}

/// `--export-timeout` limits a wait, so it needs one: `--wait`, or `--max-exporting`, which
/// implies it; `--no-export` has nothing to wait for.
#[test]
fn an_export_timeout_without_a_wait_is_refused() {
    batch("name\nAda\n", &["--submit", "--export-timeout", "5"])
        .failure(2)
        .stderr_has("--export-timeout limits waiting for exports: give it with --wait");
    batch(
        "name\nAda\n",
        &[
            "--submit",
            "--max-exporting",
            "2",
            "--export-timeout",
            "5",
            "--plan",
        ],
    )
    .success();
    batch(
        "name\nAda\n",
        &["--submit", "--no-export", "--download", "v/{{ row }}.mp4"],
    )
    .failure(2)
    .stderr_has("--no-export renders no video, so --download would wait for ever");
}

#[test]
fn the_report_keeps_row_errors_as_data_even_in_colour() {
    let csv = "name,plan,seats\nAda,Pro,1\nBo,Gold,1\nCy,Pro,zero\n";
    let out = batch(
        csv,
        &["--ndjson", "--color", "always", "--report", "r.jsonl"],
    )
    .failure(3);
    assert!(
        out.stderr.contains("\x1b["),
        "stderr is coloured: {}",
        out.stderr
    );
    let report: Vec<serde_json::Value> = lines(&out.file("r.jsonl"));
    assert_eq!(report[1]["status"], "failed");
    let error = report[1]["error"].as_str().unwrap();
    assert!(error.starts_with("row 2 (line 3), column plan:"), "{error}");
    assert!(
        !error.contains('\x1b'),
        "no colour codes in the report: {error}"
    );
    assert_eq!(report[1]["diagnostics"][0]["severity"], "error");
    assert_eq!(report[1]["diagnostics"][0]["message"], error);
    assert!(
        report[2]["error"]
            .as_str()
            .unwrap()
            .starts_with("row 3 (line 4), column seats:")
    );
}

#[test]
fn a_spec_located_row_error_is_reported_with_its_location_and_without_colour_codes() {
    let spec = "vars:\n  form: { type: string, default: Circle }\navatar: { preset: anna-navy-suit }\nscenes:\n  - say: Hi\n    clips:\n      - shape: \"{{ form }}\"\n";
    let out = Test::new()
        .write("s.yaml", spec)
        .write("rows.csv", "form\nStar\nBlob\n")
        .args([
            "batch", "s.yaml", "--csv", "rows.csv", "--ndjson", "--color", "always",
        ])
        .args(["--report", "r.jsonl"])
        .run()
        .failure(3);
    let report = lines(&out.file("r.jsonl"));
    let error = report[1]["error"].as_str().unwrap();
    assert!(
        error.starts_with("row 2 (line 3): `Blob` is not a valid `shape`"),
        "{error}"
    );
    let location = &report[1]["diagnostics"][0]["location"];
    assert_eq!(
        (&location["file"], &location["line"], &location["column"]),
        (&"s.yaml".into(), &7.into(), &16.into())
    );
}

/// A row's errors name the CSV line its record starts on (a quoted cell across lines makes
/// it differ from the row number), in the text and in `--report`; a number cell written for
/// people gets the number to write.
#[test]
fn row_errors_name_the_spreadsheet_line_and_hint_at_numbers_written_for_people() {
    let csv = "name,seats\n\"Ada\nLovelace\",\"12,000\"\nBob,3\nCy,3억\n";
    let out = batch(csv, &["--ndjson", "--report", "r.jsonl"]).failure(3);
    assert_eq!(lines(&out.stdout).len(), 1, "row 2 is produced");
    let errors: String = out
        .stderr
        .lines()
        .filter(|l| !l.starts_with("batch: "))
        .map(|l| format!("{l}\n"))
        .collect();
    insta::assert_snapshot!(errors);
    let report = lines(&out.file("r.jsonl"));
    let at: Vec<(u64, u64)> = report
        .iter()
        .map(|r| (r["row"].as_u64().unwrap(), r["line"].as_u64().unwrap()))
        .collect();
    assert_eq!(at, [(1, 2), (2, 4), (3, 5)]);
    assert_eq!(
        report[0]["diagnostics"][0]["help"],
        "write 12000 without the thousands separator"
    );
}

#[test]
fn a_row_with_fewer_or_more_fields_than_the_header_fails_and_the_other_rows_are_produced() {
    let csv = "name,plan,seats\nAda,Pro\nBob,Free,3\nCy,Pro,2,9\nDee,Pro,\n";
    let out = batch(csv, &["--ndjson"]).failure(3);
    let names = project_names(&out.stdout);
    assert_eq!(
        names,
        ["Welcome, Bob", "Welcome, Dee"],
        "an empty cell is a value"
    );
    out.stderr_has("batch: 2 ok, 2 failed, 4 rows in ")
        .stderr_has("error: row 1 (line 2): has 2 fields, but the header names 3 columns")
        .stderr_has("error: row 3 (line 4): has 4 fields, but the header names 3 columns");
}

#[test]
fn one_row_is_one_row() {
    let out = batch("name,seats\nAda,x\n", &["--ndjson"]).failure(3);
    out.stderr_has("batch: 0 ok, 1 failed, 1 row in ")
        .stderr_has("error: 1 of 1 row failed");
}
