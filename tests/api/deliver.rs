//! From a CSV to videos on disk: `batch --submit --download PATTERN` against the mock's video
//! host, through faults, kills and reruns.

use super::*;

/// `vidspec batch` of [`MINI_SPEC`] over `rows` names with `--submit`, the journal
/// `j.journal` and `--download HOME/videos/{{ row }}.mp4`, plus `extra`; the command itself,
/// for a test that kills it.
fn deliver_command(api: &Api, rows: usize, extra: &[&str]) -> Command {
    let pattern = format!("{}/{{{{ row }}}}.mp4", api.path("videos").display());
    let args = api.batch_submit_args(
        &name_rows(rows),
        &[&["--download", &pattern], extra].concat(),
    );
    let mut command = api.command(&args.iter().map(String::as_str).collect::<Vec<_>>());
    command.stderr(Stdio::piped()).stdout(Stdio::piped());
    command
}

/// Runs [`deliver_command`] to its end.
fn deliver(api: &Api, rows: usize, extra: &[&str]) -> Output {
    let out = deliver_command(api, rows, extra).output().unwrap();
    Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        dir: tempfile::tempdir().unwrap(),
    }
}

/// The bytes the mock serves for `project` with no fault: what a download must equal.
fn reference(mock: &Mock, project: &str) -> Vec<u8> {
    let addr = mock.url.trim_start_matches("http://");
    let mut stream = TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "GET /__mock/reference/{project}.mp4 HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).unwrap();
    let end = answer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("an HTTP answer");
    let head = String::from_utf8_lossy(&answer[..end]);
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    answer[end + 4..].to_vec()
}

/// The files below `dir`, by name.
fn files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

fn videos_done(dir: &Path) -> usize {
    files(dir)
        .iter()
        .filter(|n| n.ends_with(".mp4") && !n.starts_with('.'))
        .count()
}

/// Every row's video equals the mock's for the row's journaled project.
#[track_caller]
fn assert_videos_match(api: &Api, rows: usize) {
    let records = journal(&api.path("j.journal"));
    for row in 1..=rows as u64 {
        let record = &records[&row];
        assert_eq!(record["status"], "downloaded", "row {row}: {record}");
        let id = record["projectId"].as_str().unwrap();
        let file = api.path(&format!("videos/{row}.mp4"));
        let bytes = std::fs::read(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        assert!(
            bytes == reference(&api.mock, id),
            "row {row}: {} differs from the mock's video of {id}",
            file.display()
        );
        assert_eq!(record["bytes"], bytes.len() as u64, "row {row}");
    }
}

/// The issue's end-to-end run: 300 rows against a mock that fails 10% of requests, drops 2%
/// of connections and fails 10% of video downloads (500s and bodies cut short); the batch is
/// killed (SIGKILL) once while it creates projects and once while it downloads, then rerun —
/// with `projects reconcile` and `--retry-unknown` for the rows whose answer was lost, as a
/// user would — until it exits 0. Then each of the 300 files is byte for byte the mock's
/// video of its row's project, the mock created each row exactly once, no temporary file is
/// left, and `vidspec status` counts 300 downloaded.
#[cfg(unix)]
#[test]
fn three_hundred_rows_to_videos_through_faults_and_two_kills() {
    let rows = 300;
    let api = Api::new(&[
        "--fail-rate",
        "0.1",
        "--drop-rate",
        "0.02",
        "--download-fail-rate",
        "0.1",
        "--export-seconds",
        "0.3",
    ]);
    let videos = api.path("videos");
    let journal_path = api.path("j.journal");
    let flags = ["--jobs", "8", "--rate", "150"];

    // Killed while creating: some rows created, none downloaded yet.
    let mut child = deliver_command(&api, rows, &flags).spawn().unwrap();
    wait_for_created(&journal_path, 40);
    child.kill().unwrap();
    child.wait().unwrap();
    let created = api.mock.stats()["projectsCreated"].as_u64().unwrap();
    assert!(created < rows as u64, "killed while creating: {created}");

    // Killed while downloading: some videos on disk, not all.
    let mut child = deliver_command(&api, rows, &flags).spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while videos_done(&videos) < 20 {
        assert!(Instant::now() < deadline, "no download started");
        std::thread::sleep(Duration::from_millis(10));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let on_disk = videos_done(&videos);
    assert!(on_disk < rows, "killed while downloading: {on_disk} files");

    // Rerun until done; rows left unknown are resolved as the tool says: reconcile (rows
    // whose project is in the account become created), then --retry-unknown sends the rest.
    let mut last = None;
    let mut retry: &[&str] = &[];
    for _ in 0..8 {
        let out = deliver(&api, rows, &[&flags[..], retry].concat());
        if out.code == 0 {
            last = Some(out);
            break;
        }
        assert_eq!(out.code, 3, "{}", out.stderr);
        // Exports of rows created just before the run ended finish first (0.3 s).
        std::thread::sleep(Duration::from_secs(1));
        api.vidspec()
            .args(["projects", "reconcile", "--journal"])
            .arg(&journal_path)
            .args(["--api-base", &api.mock.url])
            .run()
            .success();
        retry = &["--retry-unknown"];
    }
    let last = last.expect("a rerun exited 0 within eight runs");
    assert!(
        last.stderr.contains(&format!("{rows} rows: ")),
        "{}",
        last.stderr
    );

    let stats = api.mock.stats();
    let names = assert_no_duplicates(&stats);
    assert_eq!(names.len(), rows, "{stats}");
    assert_eq!(stats["projectsCreated"], rows as u64, "{stats}");
    assert_videos_match(&api, rows);
    let expected: Vec<String> = {
        let mut names: Vec<String> = (1..=rows).map(|r| format!("{r}.mp4")).collect();
        names.sort();
        names
    };
    assert_eq!(
        files(&videos),
        expected,
        "only the videos, no temporary file"
    );
    let status = api
        .vidspec()
        .args(["status", "--journal"])
        .arg(&journal_path)
        .run()
        .success();
    assert!(
        status
            .stdout
            .contains(&format!(": {rows} rows: {rows} downloaded")),
        "{}",
        status.stdout
    );
}

/// A rerun with `--download` fetches the videos of rows an earlier run created and exported,
/// creating nothing; the next rerun finds every file there with its journaled size and asks
/// for no video; a file removed since is downloaded again, alone.
#[test]
fn reruns_download_what_is_missing_and_create_nothing() {
    let api = Api::new(&["--export-seconds", "0.2"]);
    api.batch_submit(&name_rows(5), &["--wait"])
        .success()
        .stderr_has("5 rows: 5 exported");
    let out = deliver(&api, 5, &[]).success();
    out.stderr_has("5 rows: 5 downloaded");
    assert_eq!(api.mock.stats()["projectsCreated"], 5);
    assert_videos_match(&api, 5);
    let requests = api.mock.stats()["requests"].clone();
    deliver(&api, 5, &[])
        .success()
        .stderr_has("5 rows: 5 skipped");
    assert_eq!(
        api.mock.stats()["requests"],
        requests,
        "the rerun asked for nothing"
    );
    std::fs::remove_file(api.path("videos/3.mp4")).unwrap();
    deliver(&api, 5, &[])
        .success()
        .stderr_has("5 rows: 4 skipped, 1 downloaded");
    assert_eq!(api.mock.stats()["projectsCreated"], 5);
    assert_videos_match(&api, 5);
}

/// `--download` paths follow `--out`'s rules: a row whose path would leave the folder fails
/// (and is not submitted), the others are downloaded; a pattern without a template, or naming
/// no variable, is refused before anything is sent.
#[test]
fn download_paths_stay_in_their_folder_like_out_paths() {
    let api = Api::new(&["--export-seconds", "0.1"]);
    let folder = api.path("videos");
    let run =
        |pattern: &str| api.batch_submit("name\nada\n../evil\nbo\n", &["--download", pattern]);
    let pattern = format!("{}/{{{{ name }}}}.mp4", folder.display());
    let out = run(&pattern).failure(3);
    out.stderr_has("row 2 (line 3): output path")
        .stderr_has("../evil.mp4");
    assert_eq!(files(&folder), ["ada.mp4", "bo.mp4"]);
    assert_eq!(api.mock.stats()["projectsCreated"], 2, "row 2 was not sent");
    assert!(!api.path("evil.mp4").exists());

    run(&format!("{}/all.mp4", folder.display()))
        .failure(2)
        .stderr_has("--download")
        .stderr_has("every row would write the same file");
    run(&format!("{}/{{{{ nmae }}}}.mp4", folder.display()))
        .failure(2)
        .stderr_has("--download: `nmae` is not a variable of this spec");
    assert_eq!(api.mock.stats()["projectsCreated"], 2);
}

/// A video that cannot be downloaded leaves its row `exported` (the video is ready; the
/// journal keeps the project, so a rerun downloads it without creating it again), with the
/// reason, and the run exits 3.
#[test]
fn a_download_that_keeps_failing_leaves_its_row_exported_with_the_reason() {
    let api = Api::new(&["--export-seconds", "0.1", "--download-fail-rate", "1"]);
    let report = api.path("report.jsonl");
    let out = deliver(&api, 3, &["--report", report.to_str().unwrap()]).failure(3);
    out.stderr_has("3 rows: 3 exported")
        .stderr_has("but downloading it to ");
    let text = std::fs::read_to_string(&report).unwrap();
    assert_eq!(text.matches("\"status\":\"exported\"").count(), 3, "{text}");
    assert!(text.contains("\"error\":\"exported as "), "{text}");
    let records = journal(&api.path("j.journal"));
    assert_eq!(rows_with(&records, "exported").len(), 3, "{records:?}");
    assert_eq!(videos_done(&api.path("videos")), 0);
}

/// On a terminal a downloading batch draws one bar for the whole run — rows downloaded of
/// those waited for, megabytes — and no bar per row nor the CSV's.
#[cfg(unix)]
#[test]
fn a_terminal_shows_one_overall_bar() {
    let api = Api::new(&["--export-seconds", "0.2"]);
    let pattern = format!("{}/{{{{ row }}}}.mp4", api.path("videos").display());
    let args = api.batch_submit_args(&name_rows(6), &["--download", &pattern]);
    let quoted: Vec<String> = std::iter::once(BIN.to_owned())
        .chain(args)
        .chain(["--api-base".to_owned(), api.mock.url.clone()])
        .map(|a| format!("'{}'", a.replace('\'', r"'\''")))
        .collect();
    let mut script = Command::new("script");
    script.args(["-qec", &quoted.join(" "), "/dev/null"]);
    for (k, v) in api.env() {
        script.env(k, v);
    }
    let Ok(out) = script
        .env("AISTUDIOS_APP_ID", APP_ID)
        .env("AISTUDIOS_USER_KEY", USER_KEY)
        .stdin(Stdio::null())
        .output()
    else {
        assert!(
            !crate::support::on_ci(),
            "`script` (util-linux) is needed under CI"
        );
        eprintln!("skipped: no `script` on this machine");
        return;
    };
    let screen = String::from_utf8_lossy(&out.stdout);
    assert!(screen.contains("6/6 downloaded, "), "{screen}");
    assert!(screen.contains(" MB") && screen.contains("ETA"), "{screen}");
    assert!(!screen.contains("row 1 ["), "a bar per row:\n{screen}");
    assert!(!screen.contains('%'), "the CSV's bar:\n{screen}");
    assert!(screen.contains("6 rows: 6 downloaded"), "{screen}");
}
