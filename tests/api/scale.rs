//! Many machines: `--shard auto/N` from a job runner's index, `--rate-total`, and journals
//! of shards merged (`vidspec journal merge`) against one mock.

use super::*;

#[test]
fn auto_shard_takes_its_index_from_the_job_runner() {
    let api = Api::new(&[]);
    let out = {
        let spec = api.path("mini.yaml");
        std::fs::write(&spec, MINI_SPEC).unwrap();
        let csv = api.path("people.csv");
        std::fs::write(&csv, name_rows(6)).unwrap();
        api.vidspec()
            .env("JOB_COMPLETION_INDEX", "1")
            .args([
                "batch",
                spec.to_str().unwrap(),
                "--csv",
                csv.to_str().unwrap(),
            ])
            .args(["--submit", "--shard", "auto/2", "--rate-total", "200"])
            .args(["--api-base", &api.mock.url])
            .run()
            .success()
    };
    out.stderr_has("shard 2/2 (from JOB_COMPLETION_INDEX=1)");
    let rows: Vec<&str> = out
        .stdout
        .lines()
        .filter_map(|l| l.split('\t').next())
        .collect();
    assert_eq!(rows, ["2", "4", "6"], "{}", out.stdout);
    let names = assert_no_duplicates(&api.mock.stats());
    assert_eq!(names.keys().collect::<Vec<_>>(), ["n2", "n4", "n6"]);
}

#[test]
fn auto_shard_without_a_task_index_sends_nothing() {
    let api = Api::new(&[]);
    let out = api
        .batch_submit(&name_rows(3), &["--shard", "auto/3"])
        .failure(2);
    out.stderr_has("no job runner task index is set")
        .stderr_has("JOB_COMPLETION_INDEX");
    assert_eq!(api.mock.stats()["projectsCreated"], 0);
}

#[test]
fn rate_total_goes_with_a_shard_and_not_with_rate() {
    let api = Api::new(&[]);
    api.batch_submit(&name_rows(2), &["--rate-total", "4"])
        .failure(2)
        .stderr_has("--shard");
    api.batch_submit(
        &name_rows(2),
        &["--rate-total", "4", "--shard", "1/2", "--rate", "1"],
    )
    .failure(2)
    .stderr_has("cannot be used with");
}

/// `vidspec journal merge ARGS`, in the test's home.
fn merge(api: &Api, args: &[&str]) -> Output {
    api.bare().args(["journal", "merge"]).args(args).run()
}

fn record(row: u64, hash: &str, status: &str, project: Option<&str>, at: &str) -> String {
    let mut value = json!({ "row": row, "hash": hash, "status": status, "at": at });
    if let Some(id) = project {
        value["projectId"] = json!(id);
    }
    value.to_string()
}

#[test]
fn merged_journals_of_shards_let_a_whole_rerun_create_nothing() {
    let api = Api::new(&[]);
    let spec = api.path("mini.yaml");
    std::fs::write(&spec, MINI_SPEC).unwrap();
    let csv = api.path("people.csv");
    std::fs::write(&csv, name_rows(9)).unwrap();
    let run = |extra: &[&str]| {
        api.run(
            &[
                &[
                    "batch",
                    spec.to_str().unwrap(),
                    "--csv",
                    csv.to_str().unwrap(),
                    "--submit",
                ][..],
                extra,
            ]
            .concat(),
        )
    };
    let journals: Vec<String> = (1..=3)
        .map(|k| api.path(&format!("j{k}.jsonl")).display().to_string())
        .collect();
    for (k, journal) in journals.iter().enumerate() {
        let shard = format!("{}/3", k + 1);
        run(&["--shard", &shard, "--journal", journal]).success();
    }
    assert_eq!(api.mock.stats()["projectsCreated"], 9);
    let merged = api.path("all.jsonl");
    let args: Vec<&str> = journals
        .iter()
        .map(String::as_str)
        .chain(["-o", merged.to_str().unwrap()])
        .collect();
    let lines = |path: &str| std::fs::read_to_string(path).unwrap().lines().count();
    let records: usize = journals.iter().map(|j| lines(j)).sum();
    merge(&api, &args)
        .success()
        .stderr_has(&format!("3 journals, {records} records, 9 rows"));
    // Merging again with one journal given twice: its lines are duplicates, not conflicts.
    let again: Vec<&str> = args.iter().copied().chain([journals[0].as_str()]).collect();
    merge(&api, &again)
        .success()
        .stderr_has(&format!("{} duplicate lines dropped", lines(&journals[0])));
    let out = run(&["--journal", merged.to_str().unwrap()]).success();
    assert_eq!(api.mock.stats()["projectsCreated"], 9, "{}", out.stderr);
    assert_no_duplicates(&api.mock.stats());
}

#[test]
fn a_row_created_twice_is_a_named_conflict_and_nothing_is_written() {
    let api = Api::new(&[]);
    let a = api.path("a.jsonl");
    let b = api.path("b.jsonl");
    let out_path = api.path("m.jsonl");
    std::fs::write(
        &a,
        record(1, "h1", "created", Some("P1"), "2026-01-01T00:00:00Z") + "\n",
    )
    .unwrap();
    let b_text = [
        record(1, "h1", "created", Some("P2"), "2026-01-01T00:00:01Z"),
        record(2, "h2", "unknown", None, "2026-01-01T00:00:02Z"),
    ]
    .join("\n");
    std::fs::write(&b, b_text + "\n").unwrap();
    let paths = [
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        "-o",
        out_path.to_str().unwrap(),
    ];
    let out = merge(&api, &paths).failure(1);
    out.stderr_has("conflict: row 1")
        .stderr_has("as P1 in ")
        .stderr_has("as P2 in ")
        .stderr_has("a.jsonl")
        .stderr_has("nothing written");
    assert!(!out_path.exists(), "nothing is written on a conflict");
    let kept = merge(&api, &[&paths[..], &["--keep-conflicts"]].concat()).success();
    kept.stderr_has("warning: conflict: row 1");
    let text = std::fs::read_to_string(&out_path).unwrap();
    assert_eq!(text.lines().count(), 3, "every record kept:\n{text}");
}

/// Rows are told apart by their key, not their number: the same row number with other keys
/// (a CSV reordered between runs) is no conflict; the same key created with two contents on
/// two row numbers is, named by its key.
#[test]
fn merge_judges_rows_by_their_key() {
    let api = Api::new(&[]);
    let keyed = |row: u64, key: &str, hash: &str, id: &str, at: &str| {
        let mut value: Value =
            serde_json::from_str(&record(row, hash, "created", Some(id), at)).unwrap();
        value["key"] = json!(key);
        value.to_string() + "\n"
    };
    let a = api.path("a.jsonl");
    let b = api.path("b.jsonl");
    let m = api.path("m.jsonl");
    let paths = [
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        "-o",
        m.to_str().unwrap(),
    ];
    std::fs::write(&a, keyed(1, "name=Ada", "h1", "P1", "2026-01-01T00:00:00Z")).unwrap();
    std::fs::write(&b, keyed(1, "name=Bo", "h2", "P2", "2026-01-01T00:00:01Z")).unwrap();
    merge(&api, &paths).success();
    std::fs::write(&b, keyed(7, "name=Ada", "h9", "P9", "2026-01-01T00:00:01Z")).unwrap();
    merge(&api, &paths)
        .failure(1)
        .stderr_has("row 1 (name=Ada): different contents in ");
}

#[test]
fn created_in_one_journal_and_unknown_in_another_is_a_conflict() {
    let api = Api::new(&[]);
    let a = api.path("a.jsonl");
    let b = api.path("b.jsonl");
    std::fs::write(
        &a,
        record(4, "h4", "created", Some("P4"), "2026-01-01T00:00:00Z") + "\n",
    )
    .unwrap();
    std::fs::write(
        &b,
        record(4, "h4", "unknown", None, "2026-01-01T00:00:09Z") + "\n",
    )
    .unwrap();
    let m = api.path("m.jsonl");
    merge(
        &api,
        &[
            a.to_str().unwrap(),
            b.to_str().unwrap(),
            "-o",
            m.to_str().unwrap(),
        ],
    )
    .failure(1)
    .stderr_has("row 4: created as P4")
    .stderr_has("may have created a second project");
}

#[test]
fn a_project_wins_over_a_failure_elsewhere_and_unknown_fields_are_carried_verbatim() {
    let api = Api::new(&[]);
    let a = api.path("a.jsonl");
    let b = api.path("b.jsonl");
    let created = r#"{"row":1,"hash":"h1","status":"created","projectId":"P1","inputs":{"name":"Ada"},"future":{"z":[1,2.50,"é"]},"at":"2026-01-01T00:00:00Z"}"#;
    let newer_state = r#"{"row":3,"hash":"h3","status":"archived-someday","projectId":"P3","at":"2026-01-01T00:00:03Z"}"#;
    std::fs::write(&a, format!("{created}\n{newer_state}\n")).unwrap();
    let failed = record(1, "h1", "failed", None, "2026-01-01T00:00:05Z");
    // A torn last line (a run writing it): named, not merged, not fatal.
    std::fs::write(&b, format!("{failed}\n{{\"row\":2,\"ha")).unwrap();
    let m = api.path("m.jsonl");
    let out = merge(
        &api,
        &[
            a.to_str().unwrap(),
            b.to_str().unwrap(),
            "-o",
            m.to_str().unwrap(),
        ],
    )
    .success();
    out.stderr_has("b.jsonl line 2: not a journal record")
        .stderr_has("1 record restated so its project wins");
    let text = std::fs::read_to_string(&m).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines,
        [created, newer_state, failed.as_str(), created],
        "{text}"
    );
    let out = api
        .bare()
        .args(["status", "--journal", m.to_str().unwrap()])
        .run()
        .success();
    assert!(
        !out.stdout.contains("failed"),
        "the project counts, not the failure:\n{}",
        out.stdout
    );
}

#[test]
fn a_journal_a_batch_is_writing_is_merged_and_summarised_without_its_lock() {
    let api = Api::new(&["--latency", "20"]);
    let file = api.projects("rows.ndjson", 200);
    let journal = api.path("running.jsonl");
    let args = [
        file.to_str().unwrap(),
        "--jobs",
        "2",
        "--journal",
        journal.to_str().unwrap(),
    ];
    let mut running = api.submit_command(&args).spawn().unwrap();
    wait_for_created(&journal, 2);
    let m = api.path("m.jsonl");
    merge(
        &api,
        &[journal.to_str().unwrap(), "-o", m.to_str().unwrap()],
    )
    .success();
    api.bare()
        .args(["status", "--journal", journal.to_str().unwrap()])
        .run()
        .success();
    merge(
        &api,
        &[m.to_str().unwrap(), "-o", journal.to_str().unwrap()],
    )
    .failure(2)
    .stderr_has("is the journal of a run in progress");
    assert!(
        running.try_wait().unwrap().is_none(),
        "the run was still going: the readers did not wait for its lock"
    );
    assert!(
        std::fs::read_to_string(&m)
            .unwrap()
            .contains("\"status\":\"created\"")
    );
    assert!(
        running.wait().unwrap().success(),
        "the run was not disturbed"
    );
    let names = assert_no_duplicates(&api.mock.stats());
    assert_eq!(names.len(), 200);
}

/// Four shards at once under GNU parallel (Debian's `parallel`) against one mock, as a job
/// runner would start them: each row is created exactly once, and the merged journal holds
/// them all. Under CI a missing `parallel` fails the test; elsewhere it is skipped, said so.
#[test]
fn four_shards_under_gnu_parallel_create_each_row_once_and_merge() {
    let Some(parallel) = crate::support::on_path("parallel") else {
        assert!(
            !crate::support::on_ci(),
            "GNU parallel is not installed (apt-get install parallel); CI must run this test"
        );
        eprintln!("skipped: GNU parallel is not installed (apt-get install parallel)");
        return;
    };
    let api = Api::new(&["--latency", "5"]);
    let spec = api.path("mini.yaml");
    std::fs::write(&spec, MINI_SPEC).unwrap();
    let csv = api.path("people.csv");
    let rows = 60;
    std::fs::write(&csv, name_rows(rows)).unwrap();
    let journal = |k: &str| api.path(&format!("shard-{k}.jsonl")).display().to_string();
    let mut command = Command::new(parallel);
    command
        .args([
            "--will-cite",
            "--halt",
            "now,fail=1",
            "-j",
            "4",
            BIN,
            "batch",
        ])
        .args([
            spec.to_str().unwrap(),
            "--csv",
            csv.to_str().unwrap(),
            "--submit",
        ])
        .args(["--shard", "{}/4", "--rate-total", "400", "--quiet"])
        .args(["--journal", &journal("{}"), "--api-base", &api.mock.url])
        .args([":::", "1", "2", "3", "4"])
        .env("AISTUDIOS_APP_ID", APP_ID)
        .env("AISTUDIOS_USER_KEY", USER_KEY);
    for (k, v) in api.env() {
        command.env(k, v);
    }
    let out = command.output().unwrap();
    assert!(
        out.status.success(),
        "parallel failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stats = api.mock.stats();
    assert_eq!(stats["projectsCreated"], rows, "{stats}");
    let names = assert_no_duplicates(&stats);
    assert_eq!(names.len(), rows, "every row once: {names:?}");
    let merged = api.path("all.jsonl");
    let shards: Vec<String> = ["1", "2", "3", "4"].iter().map(|k| journal(k)).collect();
    let mut args: Vec<&str> = shards.iter().map(String::as_str).collect();
    args.extend(["-o", merged.to_str().unwrap()]);
    merge(&api, &args).success();
    let records = super::journal(&merged);
    assert_eq!(records.len(), rows);
    assert_eq!(rows_with(&records, "created").len(), rows, "{records:?}");
    let out = api
        .bare()
        .args(["status", "--journal", merged.to_str().unwrap()])
        .run()
        .success();
    assert!(
        out.stdout.contains(&format!("{rows} rows: {rows} created")),
        "{}",
        out.stdout
    );
}
