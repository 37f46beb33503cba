//! The conventions of a command-line tool: `-` for stdin and stdout, colour from the
//! environment, shell completion, a man page, a batch whose reader went away.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use crate::support::{BIN, Test, fixture, journal_record, name_rows, on_path, repo};

const SPEC: &str = "vars:\n  name: { type: string, default: Ada }\navatar: { preset: anna-navy-suit }\nscenes:\n  - say: \"Hello {{ name }}\"\n";

#[test]
fn a_spec_on_stdin_builds_and_checks_with_paths_from_the_current_folder() {
    let preset = std::fs::read_to_string(repo().join("templates/models/anna-navy-suit.yaml"))
        .unwrap()
        .replace("alias: anna-navy-suit", "alias: anna-here");
    let spec =
        "presets: [presets/anna-here.yaml]\navatar: { preset: anna-here }\nscenes:\n  - say: Hi\n";
    let out = Test::new()
        .write("presets/anna-here.yaml", &preset)
        .args(["build", "-"])
        .stdin(spec)
        .run()
        .success();
    assert_eq!(out.json()["scenes"][0]["scripts"][0]["org"], "Hi");
    assert_eq!(
        out.json()["name"],
        "vidspec",
        "a spec from stdin has no file name to name its project by"
    );
    let out = Test::new()
        .write("presets/anna-here.yaml", &preset)
        .args(["check", "-"])
        .stdin(spec)
        .run()
        .success();
    out.stderr_has("ok: <stdin> compiles to a valid project (1 scene)");

    let out = Test::new()
        .args(["check", "-"])
        .stdin("avatar: { preset: anna-navy-suit }\nscenes:\n  - sy: Hi\n")
        .run()
        .failure(1);
    out.stderr_has(" --> <stdin>:3:5");
    out.stderr_has("did you mean `say`?");
}

#[test]
fn stdin_is_read_once_so_watching_it_or_reading_two_things_from_it_is_refused() {
    // Refused before stdin is read (so none is given: the write would meet a closed pipe).
    Test::new()
        .args(["check", "-", "--watch"])
        .run()
        .failure(2)
        .stderr_has("a spec, CSV or vars file on stdin (`-`) can be read only once");
    let both = |inputs: &str| {
        format!(
            "error: {inputs} cannot both come from stdin, which can be read only once; give one of them as a file\n"
        )
    };
    let spec_and_csv = both("SPEC `-` and `--csv -`");
    let spec_and_vars = both("SPEC `-` and `--vars -`");
    let refused: [(&[&str], &str); 9] = [
        (&["preview", "-", "--csv", "-"], &spec_and_csv),
        (
            &["preview", "-", "--csv", "-", "--rows", "all"],
            &spec_and_csv,
        ),
        (&["batch", "-", "--csv", "-", "--ndjson"], &spec_and_csv),
        (&["batch", "-", "--csv", "-", "--submit"], &spec_and_csv),
        (&["build", "-", "--vars", "-"], &spec_and_vars),
        (&["check", "-", "--vars", "-"], &spec_and_vars),
        (&["submit", "-", "--vars", "-"], &spec_and_vars),
        (
            &["batch", "s.yaml", "--vars", "-", "--csv", "-", "--ndjson"],
            &both("`--vars -` and `--csv -`"),
        ),
        (
            &["lsp", "--vars", "-"],
            &both("the language server's messages and `--vars -`"),
        ),
    ];
    for (args, message) in refused {
        refused_before_reading(args, message);
    }
    let three = Test::new()
        .args(["batch", "-", "--vars", "-", "--csv", "-", "--ndjson"])
        .run()
        .failure(2);
    three.stderr_has(
        "SPEC `-`, `--vars -` and `--csv -` cannot all come from stdin, which can be read only once; give all but one of them as a file",
    );
}

#[test]
fn watching_stdin_is_refused_before_an_output_is_asked_for() {
    let stdin = "error: --watch reads its inputs again when they change; a spec, CSV or vars file on stdin (`-`) can be read only once\n";
    let no_output =
        "error: --watch writes the document again after each change, so it needs --output FILE\n";
    let cases: [(&[&str], &str); 6] = [
        (&["build", "-", "--watch"], stdin),
        (&["build", "-", "--watch", "-o", "p.json"], stdin),
        (&["preview", "-", "--watch"], stdin),
        (
            &["preview", "s.yaml", "--csv", "-", "--watch", "-o", "p.html"],
            stdin,
        ),
        (&["build", "s.yaml", "--watch"], no_output),
        (&["preview", "s.yaml", "--watch"], no_output),
    ];
    for (args, message) in cases {
        refused_before_reading(args, message);
    }
}

/// `vidspec ARGS` (beside `s.yaml`) is a usage error of exactly `message`. No stdin is given
/// (a write would meet the pipe closed): were it read first, it would be an empty spec, CSV or
/// vars file, and the error would be about that instead.
#[track_caller]
fn refused_before_reading(args: &[&str], message: &str) {
    let out = Test::new()
        .write("s.yaml", SPEC)
        .args(args)
        .run()
        .failure(2);
    assert_eq!(out.stderr, message, "vidspec {}", args.join(" "));
    assert_eq!(out.stdout, "", "vidspec {}", args.join(" "));
}

#[test]
fn a_vars_file_or_a_csv_alone_on_stdin_is_read() {
    let out = Test::new()
        .write("s.yaml", SPEC)
        .args(["build", "s.yaml", "--vars", "-"])
        .stdin("name: Zed\n")
        .run()
        .success();
    assert_eq!(out.json()["scenes"][0]["scripts"][0]["org"], "Hello Zed");
    let out = Test::new()
        .write("s.yaml", SPEC)
        .args(["preview", "s.yaml", "--csv", "-", "--row", "2"])
        .stdin("name\nAnn\nBo\n")
        .run()
        .success();
    assert!(out.stdout.contains("Hello Bo"), "{}", out.stdout);
}

#[test]
fn dash_as_output_is_stdout_for_every_command_that_takes_one() {
    let out = Test::new()
        .write("s.yaml", SPEC)
        .args(["build", "s.yaml", "-o", "-"])
        .run()
        .success();
    assert_eq!(out.json()["scenes"][0]["scripts"][0]["org"], "Hello Ada");
    assert!(!out.dir.path().join("-").exists(), "no file named `-`");

    let out = Test::new()
        .write("s.yaml", SPEC)
        .args(["preview", "s.yaml", "-o", "-"])
        .run()
        .success();
    assert!(out.stdout.starts_with("<!DOCTYPE html>"), "{}", out.stdout);
    assert!(!out.dir.path().join("-").exists());

    let project = fixture("seed-project.json").to_string();
    let out = Test::new()
        .write("p.json", &project)
        .args(["decompile", "p.json", "-o", "-"])
        .run()
        .success();
    assert!(out.stdout.contains("scenes:"), "{}", out.stdout);
    assert!(!out.dir.path().join("-").exists());

    let out = Test::new()
        .write("p.json", &project)
        .args(["presets", "extract", "p.json", "--alias", "mine", "-o", "-"])
        .run()
        .success();
    assert!(out.stdout.contains("alias: mine"), "{}", out.stdout);
    assert!(!out.dir.path().join("-").exists());
    assert!(
        !out.dir.path().join("mine.yaml").exists(),
        "printed, not written"
    );

    let out = Test::new()
        .write("a.jsonl", journal_record(1, "P1"))
        .write("b.jsonl", journal_record(2, "P2"))
        .args(["journal", "merge", "a.jsonl", "b.jsonl", "-o", "-"])
        .run()
        .success();
    assert_eq!(out.stdout.lines().count(), 2, "{}", out.stdout);
    assert!(out.stdout.contains("\"P2\""));
    out.stderr_has("→ stdout");
    assert!(!out.dir.path().join("-").exists());

    let out = Test::new().args(["man", "-o", "-"]).run().success();
    assert!(out.stdout.contains(".TH vidspec 1"), "{}", out.stdout);
}

#[test]
fn colour_follows_no_color_only_when_set_and_clicolor_force() {
    let bad = "avatar: { preset: anna-navy-suit }\nscenes:\n  - sy: Hi\n";
    let stderr_of = |env: &[(&str, &str)], extra: &[&str]| {
        let mut test = Test::new().write("s.yaml", bad).args(["check", "s.yaml"]);
        test = test.args(extra);
        for (k, v) in env {
            test = test.env(k, v);
        }
        test.run().failure(1).stderr
    };
    let coloured = |s: &str| s.contains("\x1b[");
    // Piped stderr: no colour by default…
    assert!(!coloured(&stderr_of(&[("NO_COLOR", "")], &[])));
    // …unless CLICOLOR_FORCE, which an empty NO_COLOR does not override…
    assert!(coloured(&stderr_of(
        &[("NO_COLOR", ""), ("CLICOLOR_FORCE", "1")],
        &[]
    )));
    // …but a set NO_COLOR does; `0` or empty does not force.
    assert!(!coloured(&stderr_of(
        &[("NO_COLOR", "1"), ("CLICOLOR_FORCE", "1")],
        &[]
    )));
    assert!(!coloured(&stderr_of(
        &[("NO_COLOR", ""), ("CLICOLOR_FORCE", "0")],
        &[]
    )));
    assert!(!coloured(&stderr_of(
        &[("NO_COLOR", ""), ("CLICOLOR_FORCE", "")],
        &[]
    )));
    // An explicit --color wins over both.
    assert!(!coloured(&stderr_of(
        &[("NO_COLOR", ""), ("CLICOLOR_FORCE", "1")],
        &["--color", "never"]
    )));
    assert!(coloured(&stderr_of(
        &[("NO_COLOR", "1")],
        &["--color", "always"]
    )));
}

/// Runs bash's completion function of `vidspec completions bash` on `words` (the last one
/// being completed) in a folder with a spec, a CSV and a templates folder; the candidates.
fn complete(words: &[&str]) -> Vec<String> {
    let test = Test::new()
        .write("spec.yaml", SPEC)
        .write("rows.csv", "name\nAda\n")
        .write("mine/scenes/card.yaml", "say: hi\n");
    let script = Command::new(BIN)
        .args(["completions", "bash"])
        .output()
        .unwrap()
        .stdout;
    std::fs::write(test.path().join("vidspec.bash"), script).unwrap();
    let quoted: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
    let program = format!(
        "source ./vidspec.bash\n\
         COMP_WORDS=({words})\n\
         COMP_CWORD=$(( ${{#COMP_WORDS[@]}} - 1 ))\n\
         _vidspec vidspec \"${{COMP_WORDS[COMP_CWORD]}}\" \"${{COMP_WORDS[COMP_CWORD-1]}}\" 2>/dev/null\n\
         printf '%s\\n' \"${{COMPREPLY[@]}}\"\n",
        words = quoted.join(" ")
    );
    let out = Command::new("bash")
        .arg("-c")
        .arg(program)
        .current_dir(test.path())
        .output()
        .expect("bash runs");
    let mut found: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect();
    found.sort();
    found
}

#[test]
fn bash_completes_files_for_a_spec_folders_for_templates_and_hides_hidden_commands() {
    let script = Test::new()
        .args(["completions", "bash"])
        .run()
        .success()
        .stdout;
    assert!(
        !script.contains("submit-projects"),
        "a hidden command is never offered"
    );
    if on_path("bash").is_none() {
        return; // the script's text is checked above; running it needs bash
    }
    let commands = complete(&["vidspec", ""]);
    assert!(commands.contains(&"build".to_owned()), "{commands:?}");
    assert!(!commands.iter().any(|c| c.contains("submit-projects")));
    let specs = complete(&["vidspec", "build", ""]);
    assert!(specs.contains(&"spec.yaml".to_owned()), "{specs:?}");
    assert!(
        !specs.iter().any(|s| s.starts_with('-')),
        "files, not flags: {specs:?}"
    );
    assert_eq!(complete(&["vidspec", "check", "sp"]), ["spec.yaml"]);
    let flags = complete(&["vidspec", "build", "--"]);
    assert!(flags.contains(&"--templates".to_owned()), "{flags:?}");
    assert_eq!(
        complete(&["vidspec", "build", "spec.yaml", "--templates", ""]),
        ["mine"],
        "folders only"
    );
    let csv = complete(&["vidspec", "batch", "spec.yaml", "--csv", "ro"]);
    assert_eq!(csv, ["rows.csv"]);
}

#[test]
fn the_man_page_renders() {
    let out = Test::new().args(["man"]).run().success();
    let roff = out.stdout;
    assert!(roff.starts_with(".ie \\n(.g .ds Aq"), "{roff}");
    assert!(roff.contains(".TH vidspec 1"), "{roff}");
    assert!(roff.contains(".SH ENVIRONMENT"), "{roff}");
    assert!(roff.contains("NO_COLOR"));
    assert!(!roff.contains("submit\\-projects") && !roff.contains("submit-projects"));

    let out = Test::new().args(["man", "-o", "pages"]).run().success();
    let pages = out.dir.path().join("pages");
    for page in [
        "vidspec.1",
        "vidspec-build.1",
        "vidspec-batch.1",
        "vidspec-presets-extract.1",
    ] {
        assert!(pages.join(page).is_file(), "{page}");
    }
    assert!(!pages.join("vidspec-submit-projects.1").exists());
    out.stderr_has("man pages into pages");

    if on_path("man").is_none() {
        return; // the roff text is checked above
    }
    let rendered = Command::new("man")
        .args(["-l", "-"])
        .env("MANWIDTH", "80")
        .stdin(std::fs::File::open(pages.join("vidspec-build.1")).unwrap())
        .output()
        .unwrap();
    assert!(rendered.status.success(), "{rendered:?}");
    // Bold and underline come as overstrikes (`N\x08N`): keep the last character of each.
    let mut text = String::new();
    for c in String::from_utf8_lossy(&rendered.stdout).chars() {
        if c == '\x08' {
            text.pop();
        } else {
            text.push(c);
        }
    }
    assert!(text.contains("SYNOPSIS"), "{text}");
    assert!(text.contains("--templates"), "{text}");
    assert!(text.contains("-o, --output"), "{text}");
}

#[test]
fn a_batch_whose_stdout_closes_early_says_so_and_fails() {
    let dir = Test::new()
        .write("s.yaml", SPEC)
        .write("rows.csv", name_rows(5_000));
    let mut child = Command::new(BIN)
        .args(["batch", "s.yaml", "--csv", "rows.csv", "--ndjson"])
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    assert!(first.starts_with('{'), "{first}");
    drop(stdout); // `| head -1`
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("stdout was closed by its reader before row "),
        "{stderr}"
    );
    assert!(stderr.contains("the batch stopped there"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn flag_values_without_a_meaning_are_refused_before_anything_runs() {
    let batch = "batch s.yaml --csv rows.csv --ndjson";
    let refused = [
        (batch, "--jobs", "0"),
        ("submit-projects p.ndjson", "--jobs", "0"),
        (batch, "--delimiter", "\""),
        (batch, "--delimiter", "\n"),
        ("preview s.yaml --csv rows.csv", "--delimiter", "\r"),
        ("submit s.yaml", "--webhook", "not-a-url"),
        ("submit s.yaml", "--webhook", "ftp://example.com/hook"),
        ("submit s.yaml", "--webhook", "https://"),
        ("submit s.yaml", "--webhook", "https://example.com/a hook"),
    ];
    let mut shown = String::new();
    for (command, flag, value) in refused {
        let args: Vec<&str> = command.split(' ').chain([flag, value]).collect();
        let out = Test::new()
            .write("s.yaml", SPEC)
            .write("rows.csv", "name\nAda\n")
            .args(&args)
            .run()
            .failure(2);
        assert_eq!(out.stdout, "", "vidspec {}", args.join(" "));
        let message = out.stderr.split("\n\nFor more information").next().unwrap();
        shown.push_str(&message.replace('\n', "\\n").replace('\r', "\\r"));
        shown.push('\n');
    }
    insta::assert_snapshot!(shown);
    // A web URL is taken: the run goes on to ask for credentials.
    Test::new()
        .write("s.yaml", SPEC)
        .args([
            "submit",
            "s.yaml",
            "--webhook",
            "https://example.com/hook?v=1",
        ])
        .run()
        .failure(1)
        .stderr_has("error: no credentials");
}
