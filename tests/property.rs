//! Property tests: random mutations of the example specs and CSVs never panic, finish within a
//! bound of time and memory, and whatever they produce is valid v3 project JSON. The cases are
//! seeded (the same every run, reproducible from the seed a failure prints) and few enough for
//! `cargo test`; `benches/fuzz.sh` runs the same mutations for as long as it is asked to.
//!
//! The hostile files of `tests/fixtures/hostile/` go through the same checks.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{BIN, examples, repo};

/// Tokens a mutation may insert into a spec: YAML structure, template syntax, values at the
/// edges of what numbers hold, bytes that are not text.
const SPEC_TOKENS: &[&str] = &[
    "*a",
    "&a ",
    "{{ ",
    " }}",
    "{% ",
    " %}",
    "[",
    "]",
    "{",
    "}",
    ": ",
    "\n",
    "\n  ",
    "- ",
    "'",
    "\"",
    "!!int ",
    "!!str ",
    "!!binary ",
    "~",
    "1e309",
    ".nan",
    "-.inf",
    "99999999999999999999999",
    "\t",
    " #",
    "\u{feff}",
    "\0",
    "\u{fffd}",
    "{{ 1e308 * 10 }}",
    "{{ name * 100000 }}",
    "{{ range(100000) | list }}",
    "each: ",
    "when: ",
    "use: ",
    "with: ",
    "clips:",
    "scenes:",
    "vars:",
    "? ",
    "|\n",
    ">-\n",
    "%YAML 1.2\n",
    "---\n",
    "...\n",
    "&b [*a, *a, *a, *a]",
];

/// Tokens a mutation may insert into a CSV.
const CSV_TOKENS: &[&str] = &[
    ",",
    "\"",
    "\n",
    "\r\n",
    "\"\"",
    "\0",
    ";",
    "\t",
    "name",
    "1e309",
    "-1",
    "{{ row }}",
    "\u{feff}",
    "\"Ada\nBob\"",
    ",,,,,,,,",
    "99999999999999999999999",
    "true",
    "\u{fffd}",
];

/// A seeded mutator: a few edits, each an inserted token, a flipped or deleted byte, a deleted
/// or repeated range, or a cut.
pub struct Mutator {
    rng: fastrand::Rng,
    tokens: &'static [&'static str],
}

impl Mutator {
    pub fn new(seed: u64, tokens: &'static [&'static str]) -> Mutator {
        Mutator {
            rng: fastrand::Rng::with_seed(seed),
            tokens,
        }
    }

    pub fn spec(seed: u64) -> Mutator {
        Mutator::new(seed, SPEC_TOKENS)
    }

    pub fn csv(seed: u64) -> Mutator {
        Mutator::new(seed, CSV_TOKENS)
    }

    pub fn mutate(&mut self, input: &[u8]) -> Vec<u8> {
        let mut bytes = input.to_vec();
        for _ in 0..self.rng.usize(1..=4) {
            let at = self.rng.usize(0..=bytes.len());
            match self.rng.u8(0..6) {
                0 => {
                    let token = self.tokens[self.rng.usize(0..self.tokens.len())];
                    bytes.splice(at..at, token.bytes());
                }
                1 if at < bytes.len() => bytes[at] ^= 1 << self.rng.u8(0..8),
                2 => {
                    let end = (at + self.rng.usize(1..=16)).min(bytes.len());
                    bytes.drain(at..end);
                }
                3 => {
                    let end = (at + self.rng.usize(1..=64)).min(bytes.len());
                    let copy = bytes[at..end].repeat(self.rng.usize(2..=8));
                    bytes.splice(at..at, copy);
                }
                4 if self.rng.u8(0..8) == 0 => bytes.truncate(at),
                _ => {
                    let byte = self.rng.u8(..);
                    bytes.insert(at, byte);
                }
            }
        }
        bytes
    }
}

/// The v3 project schema, compiled once.
fn project_schema() -> &'static jsonschema::Validator {
    static SCHEMA: std::sync::OnceLock<jsonschema::Validator> = std::sync::OnceLock::new();
    SCHEMA.get_or_init(|| {
        let text = std::fs::read_to_string(repo().join("schemas/project.v3.schema.json")).unwrap();
        jsonschema::validator_for(&serde_json::from_str(&text).unwrap()).unwrap()
    })
}

/// What a run produced, if anything, is valid project JSON (one document, or one per line).
pub fn assert_valid_projects(stdout: &[u8], what: &str) {
    let text =
        std::str::from_utf8(stdout).unwrap_or_else(|_| panic!("{what}: stdout is not UTF-8"));
    let documents: Vec<serde_json::Value> = if text.trim_start().starts_with("{\n") {
        vec![serde_json::from_str(text).unwrap_or_else(|e| panic!("{what}: not JSON: {e}"))]
    } else {
        text.lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{what}: not JSON: {e}")))
            .collect()
    };
    for document in documents {
        if let Some(error) = project_schema().iter_errors(&document).next() {
            panic!("{what}: the output breaks the project schema: {error}");
        }
    }
}

/// How a run of the binary went.
pub struct Run {
    pub code: Option<i32>,
    pub stdout: Vec<u8>,
    pub stderr: String,
    pub elapsed: Duration,
    /// The process's peak resident memory in KiB (Linux: its last `VmHWM` seen), if known.
    pub peak_kib: Option<u64>,
    pub timed_out: bool,
}

impl Run {
    /// A panic, or a death by signal (an abort when memory ran out).
    pub fn crashed(&self) -> bool {
        self.code.is_none_or(|c| c == 101) || self.stderr.contains("panicked at")
    }
}

/// Runs `vidspec ARGS` in `dir`, killed after `limit`; its peak memory watched meanwhile.
pub fn run_binary(dir: &Path, args: &[&str], limit: Duration) -> Run {
    let started = Instant::now();
    let mut child = Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let status_path = PathBuf::from(format!("/proc/{}/status", child.id()));
    let mut stdout_pipe = child.stdout.take().unwrap();
    let mut stderr_pipe = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = stdout_pipe.read_to_end(&mut bytes);
        bytes
    });
    let err = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr_pipe.read_to_string(&mut text);
        text
    });
    let mut peak_kib = None;
    let mut timed_out = false;
    let status = loop {
        if let Some(kib) = std::fs::read_to_string(&status_path)
            .ok()
            .and_then(|s| peak_of(&s))
        {
            peak_kib = Some(kib);
        }
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > limit {
            timed_out = true;
            let _ = child.kill();
            break child.wait().unwrap();
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    Run {
        code: status.code(),
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
        elapsed: started.elapsed(),
        peak_kib,
        timed_out,
    }
}

fn peak_of(status: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// A case that broke a property, kept where a failure message says.
fn keep(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join("vidspec-property-failures");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// The `--set` flags an example needs.
fn sets(example: &Path) -> Vec<String> {
    crate::schema::required_values(example)
        .chunks(2)
        .map(|pair| pair[1].clone())
        .collect()
}

/// A temporary folder holding a copy of every file in `examples/`, so the preset and scene
/// files beside an example are found beside its mutated copy.
fn examples_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(repo().join("examples")).unwrap() {
        let path = entry.unwrap().path();
        if !path.is_file() {
            continue; // examples/deploy/: job runner files, not specs
        }
        std::fs::copy(&path, dir.path().join(path.file_name().unwrap())).unwrap();
    }
    dir
}

/// Mutated examples, compiled in this process: no panic, an answer within the bound, and a
/// schema-valid project whenever the compile succeeds.
#[test]
fn mutated_specs_never_panic_and_what_compiles_is_valid() {
    const CASES_PER_EXAMPLE: u64 = 30;
    let dir = examples_copy();
    let mut compiled = 0;
    for (index, example) in examples().iter().enumerate() {
        let original = std::fs::read(example).unwrap();
        let options = vidspec::compile::Options {
            sets: sets(example),
            ..Default::default()
        };
        for case in 0..CASES_PER_EXAMPLE {
            let seed = (index as u64) << 32 | case;
            let mutated = Mutator::spec(seed).mutate(&original);
            let path = dir.path().join("mutated.yaml");
            std::fs::write(&path, &mutated).unwrap();
            let started = Instant::now();
            let result = std::panic::catch_unwind(|| vidspec::compile::build(&path, &options));
            let elapsed = started.elapsed();
            let name = format!("spec-{seed:x}.yaml");
            let Ok(result) = result else {
                panic!(
                    "seed {seed:#x} panicked: {}",
                    keep(&name, &mutated).display()
                );
            };
            // A hang detector, not a speed claim (those are in benches/).
            assert!(
                elapsed < Duration::from_secs(10),
                "seed {seed:#x} took {elapsed:?}: {}",
                keep(&name, &mutated).display()
            );
            if let Ok((lowered, _)) = result {
                compiled += 1;
                let bytes =
                    vidspec::emit::to_bytes(&lowered.project, vidspec::emit::Format::Pretty);
                assert_valid_projects(&bytes, &keep(&name, &mutated).display().to_string());
            }
        }
    }
    assert!(compiled > 0, "some mutations still compile");
}

/// Mutated CSVs through `vidspec batch --ndjson`: no panic, bounded time and memory, every
/// line a valid project, and a failed row never stops the others.
#[test]
fn mutated_csvs_never_panic_and_every_line_is_a_valid_project() {
    const CASES: u64 = 16;
    let dir = tempfile::tempdir().unwrap();
    let original = std::fs::read(repo().join("examples/people.csv")).unwrap();
    for seed in 0..CASES {
        let mutated = Mutator::csv(seed).mutate(&original);
        std::fs::write(dir.path().join("rows.csv"), &mutated).unwrap();
        let spec = repo().join("examples/welcome.yaml");
        let run = run_binary(
            dir.path(),
            &[
                "batch",
                spec.to_str().unwrap(),
                "--csv",
                "rows.csv",
                "--ndjson",
            ],
            Duration::from_secs(20),
        );
        let kept = || {
            keep(&format!("csv-{seed:x}.csv"), &mutated)
                .display()
                .to_string()
        };
        assert!(
            !run.crashed() && !run.timed_out,
            "seed {seed}: {}\n{}",
            kept(),
            run.stderr
        );
        assert!(
            matches!(run.code, Some(0 | 1 | 3)),
            "seed {seed}: exit {:?}: {}\n{}",
            run.code,
            kept(),
            run.stderr
        );
        if let Some(kib) = run.peak_kib {
            assert!(kib < 256 * 1024, "seed {seed}: {kib} KiB: {}", kept());
        }
        assert_valid_projects(&run.stdout, &kept());
    }
}

/// Every hostile fixture: a clear error (or a valid result), never a panic, within bounds.
#[test]
fn hostile_fixtures_are_refused_clearly_within_bounds() {
    let hostile = repo().join("tests/fixtures/hostile");
    let welcome = repo().join("examples/welcome.yaml");
    let mut seen = 0;
    for entry in std::fs::read_dir(&hostile).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        let args: Vec<String> = match path.extension().and_then(|e| e.to_str()) {
            Some("yaml") => vec!["check".into(), path.display().to_string()],
            Some("csv") => vec![
                "batch".into(),
                welcome.display().to_string(),
                "--csv".into(),
                path.display().to_string(),
                "--ndjson".into(),
            ],
            _ => continue,
        };
        seen += 1;
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let dir = tempfile::tempdir().unwrap();
        let run = run_binary(dir.path(), &args, Duration::from_secs(20));
        assert!(!run.crashed() && !run.timed_out, "{name}:\n{}", run.stderr);
        assert!(
            matches!(run.code, Some(1 | 3)),
            "{name} should be refused: exit {:?}\n{}",
            run.code,
            run.stderr
        );
        assert!(
            run.stderr.contains("error:"),
            "{name}: no error said:\n{}",
            run.stderr
        );
        assert!(
            run.stderr.len() < 64 * 1024,
            "{name}: {} bytes of errors",
            run.stderr.len()
        );
        if let Some(kib) = run.peak_kib {
            assert!(kib < 256 * 1024, "{name}: {kib} KiB");
        }
        assert_valid_projects(&run.stdout, &name);
    }
    assert!(seen >= 8, "the hostile fixtures are there");
}

/// `benches/fuzz.sh`: the same mutations through the binary for `VIDSPEC_FUZZ_SECONDS`
/// (default 60), reporting inputs, panics, timeouts and peak memory. Not part of `cargo test`.
#[test]
#[ignore = "a long fuzz run: benches/fuzz.sh"]
fn fuzz() {
    let seconds: u64 = std::env::var("VIDSPEC_FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60);
    let first_seed: u64 = std::env::var("VIDSPEC_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| fastrand::u64(..));
    let limit = Duration::from_secs(10);
    let dir = examples_copy();
    let specs = examples();
    let csv = std::fs::read(repo().join("examples/people.csv")).unwrap();
    let welcome = repo().join("examples/welcome.yaml").display().to_string();
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let (mut inputs, mut panics, mut timeouts, mut peak, mut slowest) = (
        0u64,
        Vec::new(),
        Vec::new(),
        (0u64, String::new()),
        (Duration::ZERO, String::new()),
    );
    let mut seed = first_seed;
    while Instant::now() < deadline {
        seed = seed.wrapping_add(1);
        let (name, bytes, args): (String, Vec<u8>, Vec<String>) = if seed.is_multiple_of(4) {
            let name = format!("csv-{seed}.csv");
            let bytes = Mutator::csv(seed).mutate(&csv);
            let args = vec![
                "batch".into(),
                welcome.clone(),
                "--csv".into(),
                name.clone(),
                "--ndjson".into(),
            ];
            (name, bytes, args)
        } else {
            let example = &specs[(seed as usize / 4) % specs.len()];
            let name = format!("spec-{seed}.yaml");
            let bytes = Mutator::spec(seed).mutate(&std::fs::read(example).unwrap());
            let mut args = vec!["build".to_owned(), name.clone()];
            for set in sets(example) {
                args.extend(["--set".to_owned(), set]);
            }
            (name, bytes, args)
        };
        std::fs::write(dir.path().join(&name), &bytes).unwrap();
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let run = run_binary(dir.path(), &args, limit);
        inputs += 1;
        if run.crashed() && !run.timed_out {
            panics.push(keep(&name, &bytes));
        }
        if run.timed_out {
            timeouts.push(keep(&name, &bytes));
        }
        if let Some(kib) = run.peak_kib.filter(|k| *k > peak.0) {
            peak = (kib, name.clone());
        }
        if run.elapsed > slowest.0 {
            slowest = (run.elapsed, name.clone());
        }
        let _ = std::fs::remove_file(dir.path().join(&name));
    }
    println!("fuzz: {seconds} s from seed {first_seed}");
    println!("inputs    {inputs}");
    println!("panics    {}", panics.len());
    for path in &panics {
        println!("  {}", path.display());
    }
    println!("timeouts  {} (over {} s)", timeouts.len(), limit.as_secs());
    for path in &timeouts {
        println!("  {}", path.display());
    }
    println!("peak      {:.1} MiB ({})", peak.0 as f64 / 1024.0, peak.1);
    println!("slowest   {:.2} s ({})", slowest.0.as_secs_f64(), slowest.1);
    assert!(panics.is_empty() && timeouts.is_empty(), "see above");
}
