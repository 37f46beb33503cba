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
