//! No output of a command is a file it reads: `-o`, `--report`, `--journal` and the paths of
//! `--out`/`--download` rows are refused when they are the spec, the CSV or a `--vars` file
//! (the same file: a link or a hard link to it counts), before anything is written.

use crate::support::{Test, journal_record};

use crate::api::MINI_SPEC as SPEC;

const CSV: &str = "name\nAda\nGrace\n";

fn test() -> Test {
    Test::new()
        .write("s.yaml", SPEC)
        .write("rows.csv", CSV)
        .write("v.yaml", "name: Ada\n")
}

/// `batch s.yaml --csv rows.csv --out PATTERN`.
fn batch_out(test: Test, pattern: &str) -> Test {
    test.args(["batch", "s.yaml", "--csv", "rows.csv", "--out", pattern])
}

#[test]
fn build_onto_its_own_spec_or_vars_file_is_refused_and_both_are_kept() {
    let out = test()
        .args(["build", "s.yaml", "-o", "s.yaml"])
        .run()
        .failure(2);
    out.stderr_has("-o s.yaml is the spec (s.yaml), which this command reads");
    assert_eq!(out.file("s.yaml"), SPEC);
    let out = test()
        .args(["build", "s.yaml", "--vars", "v.yaml", "-o", "./v.yaml"])
        .run()
        .failure(2);
    out.stderr_has("is the --vars file (v.yaml)");
    assert_eq!(out.file("v.yaml"), "name: Ada\n");
}

#[cfg(unix)]
#[test]
fn a_link_to_the_spec_is_the_spec() {
    let test = test();
    std::os::unix::fs::symlink("s.yaml", test.path().join("link.json")).unwrap();
    let out = test
        .args(["build", "s.yaml", "--set", "name=Ada", "-o", "link.json"])
        .run()
        .failure(2);
    out.stderr_has("-o link.json is the spec (s.yaml)");
    assert_eq!(out.file("s.yaml"), SPEC);
}

#[test]
fn a_report_onto_the_csv_being_read_is_refused_before_any_row() {
    let out = batch_out(test(), "r/{{ row }}.json")
        .args(["--report", "rows.csv"])
        .run()
        .failure(2);
    out.stderr_has("--report rows.csv is the --csv file (rows.csv), which this command reads");
    assert_eq!(out.file("rows.csv"), CSV);
    assert!(!out.dir.path().join("r").exists(), "no row was written");
}

#[test]
fn a_journal_onto_the_spec_or_a_report_onto_the_journal_is_refused() {
    for (flags, said) in [
        (
            &["--journal", "s.yaml"][..],
            "--journal s.yaml is the spec (s.yaml)",
        ),
        (
            &["--journal", "j.journal", "--report", "j.journal"][..],
            "--report j.journal is the --journal file (j.journal)",
        ),
    ] {
        let out = test()
            .args(["batch", "s.yaml", "--csv", "rows.csv", "--submit"])
            .args(flags)
            .run()
            .failure(2);
        out.stderr_has(said);
        assert_eq!(out.file("s.yaml"), SPEC);
        assert!(!out.dir.path().join("j.journal").exists());
    }
    let out = test()
        .args([
            "submit",
            "s.yaml",
            "--set",
            "name=Ada",
            "--journal",
            "s.yaml",
        ])
        .run()
        .failure(2);
    out.stderr_has("--journal s.yaml is the spec (s.yaml)");
    assert_eq!(out.file("s.yaml"), SPEC);
}

#[test]
fn a_row_whose_path_is_the_csv_fails_and_the_others_are_written() {
    let out = Test::new()
        .write("s.yaml", SPEC)
        .write("Ada.csv", CSV)
        .args([
            "batch",
            "s.yaml",
            "--csv",
            "Ada.csv",
            "--out",
            "{{ name }}.csv",
        ])
        .run()
        .failure(3);
    out.stderr_has("row 1 (line 2): output path Ada.csv is the --csv file (Ada.csv), which this batch reads; not overwritten");
    assert_eq!(out.file("Ada.csv"), CSV);
    assert!(out.file("Grace.csv").contains("\"name\": \"Grace\""));
}

#[test]
fn a_preview_onto_its_csv_is_refused() {
    let out = test()
        .args(["preview", "s.yaml", "--csv", "rows.csv", "-o", "rows.csv"])
        .run()
        .failure(2);
    out.stderr_has("-o rows.csv is the --csv file (rows.csv)");
    assert_eq!(out.file("rows.csv"), CSV);
}

/// Names that differ only in case are two files where the filesystem tells them apart (the
/// output folder is probed), so neither row is refused.
#[cfg(target_os = "linux")]
#[test]
fn rows_whose_paths_differ_in_case_are_two_files_on_linux() {
    let rows = Test::new()
        .write("s.yaml", SPEC)
        .write("rows.csv", "name\nAda\nZoe\nzoe\n");
    let out = batch_out(rows, "case/{{ name }}.json").run().success();
    assert!(out.file("case/Zoe.json").contains("\"name\": \"Zoe\""));
    assert!(out.file("case/zoe.json").contains("\"name\": \"zoe\""));
    assert_eq!(
        std::fs::read_dir(out.dir.path().join("case"))
            .unwrap()
            .count(),
        3,
        "no probe file is left behind"
    );
}

/// `journal merge A B -o A` would replace a journal it reads with the merge: refused as any
/// output onto an input is (exit 2, before anything is read), whichever input it names and
/// however it is spelled, and both journals are left as they were.
#[test]
fn a_journal_merge_onto_one_of_its_journals_is_refused_and_both_are_kept() {
    let (a, b) = (journal_record(1, "P1"), journal_record(2, "P2"));
    for (output, said) in [
        (
            "a.jsonl",
            "-o a.jsonl is an input journal (a.jsonl), which this command reads",
        ),
        (
            "./b.jsonl",
            "-o ./b.jsonl is an input journal (b.jsonl), which this command reads",
        ),
        ("sub/../a.jsonl", "is an input journal (a.jsonl)"),
    ] {
        let test = Test::new().write("a.jsonl", &a).write("b.jsonl", &b);
        std::fs::create_dir(test.path().join("sub")).unwrap();
        let out = test
            .args(["journal", "merge", "a.jsonl", "b.jsonl", "-o", output])
            .run()
            .failure(2);
        out.stderr_has(said);
        out.stderr_has("give the output another name (nothing was read or written)");
        assert_eq!(out.file("a.jsonl"), a);
        assert_eq!(out.file("b.jsonl"), b);
    }
    let merged = Test::new()
        .write("a.jsonl", &a)
        .write("b.jsonl", &b)
        .args(["journal", "merge", "a.jsonl", "b.jsonl", "-o", "ab.jsonl"])
        .run()
        .success();
    assert_eq!(merged.file("ab.jsonl"), format!("{a}{b}"));
}

#[cfg(unix)]
#[test]
fn a_journal_merge_onto_a_hard_link_to_a_journal_is_refused() {
    let record = journal_record(1, "P1");
    let test = Test::new().write("a.jsonl", &record).write("b.jsonl", "");
    std::fs::hard_link(test.path().join("a.jsonl"), test.path().join("same.jsonl")).unwrap();
    let out = test
        .args(["journal", "merge", "a.jsonl", "b.jsonl", "-o", "same.jsonl"])
        .run()
        .failure(2);
    out.stderr_has("-o same.jsonl is an input journal (a.jsonl)");
    assert_eq!(out.file("a.jsonl"), record);
}
