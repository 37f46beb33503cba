//! Batch throughput and memory: `cargo bench --bench batch`.
//!
//! Two specs, side by side, each to NDJSON with the real binary:
//! - **text-only**: one scene (avatar, speech, one text clip using three variables); rows
//!   change only text;
//! - **structural**: `benches/listing.yaml`; rows decide an `each` over a list column (1–4
//!   features), a `when` on a column (a discount in one row of three), a number from a column
//!   and a scene template argument.
//!
//! For each, N = 10,000, 100,000 and 1,000,000 rows (`VIDSPEC_BENCH_ROWS=10000,100000` to
//! choose), with rows/s and peak memory read from the batch's summary line. In the same run,
//! the spec's serialize-only floor on one core: the documents of its first 64 rows,
//! prebuilt as values; per row, clone one, set one string, write it as JSON (at most 50,000
//! rows, since the rate does not depend on the count). With `VIDSPEC_BENCH_PYTHON=1` (and
//! `pip install fastjsonschema orjson`), `benches/ref_structural.py` — the Python a user
//! would write for the structural spec — runs on the structural rows of the first count.
//! `VIDSPEC_BENCH_BIN=path/to/vidspec` runs that binary instead of this build's (to set two
//! builds side by side on the same machine); `VIDSPEC_BENCH_ARGS` adds arguments to the batch.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use vidspec::compile::{Options, Program};
use vidspec::inputs::{Inputs, Raw};

const TEXT_ONLY: &str = r##"name: "Welcome, {{ name }}"
vars:
  name: { type: string, required: true }
  plan: { type: string, default: Pro }
  city: { type: string, default: Seoul }
avatar: { preset: anna-navy-suit, effect: head-only }
scenes:
  - background: { image: https://cdn.example.com/bg.png, color: "rgb(0,0,0)" }
    say: "Hello {{ name }}, welcome to the {{ plan }} plan."
    clips:
      - text: "{{ name }} · {{ plan }} · {{ city }}"
        left: 120
        top: 80
        font: { size: 72, color: "#ffffff", weight: 700 }
"##;

const PLANS: [&str; 3] = ["Free", "Pro", "Enterprise"];
const FEATURES: [&str; 7] = [
    "Parking",
    "Garden",
    "Sea view",
    "Balcony",
    "Gym",
    "Pool",
    "Metro 3 min",
];

fn text_only_rows(out: &mut impl Write, rows: usize) {
    writeln!(out, "name,plan,city").expect("write");
    for i in 0..rows {
        writeln!(out, "Customer {i},{},City {}", PLANS[i % 3], i % 97).expect("write");
    }
}

/// Rows like `gen_listing.py`'s: a name, a plan, 1–500 seats, 1–4 of seven features, a
/// discount in one row of three.
fn structural_rows(out: &mut impl Write, rows: usize) {
    let mut rng = fastrand::Rng::with_seed(3);
    writeln!(out, "name,plan,seats,features,discount").expect("write");
    for i in 0..rows {
        let mut features = FEATURES.to_vec();
        rng.shuffle(&mut features);
        features.truncate(rng.usize(1..=4));
        let discount = if rng.usize(..3) == 1 { "10%" } else { "" };
        writeln!(
            out,
            "Kim {i},{},{},{},{discount}",
            ["Free", "Pro"][rng.usize(..2)],
            rng.u32(1..=500),
            features.join("|"),
        )
        .expect("write");
    }
}

struct Spec {
    label: &'static str,
    path: PathBuf,
    rows: fn(&mut dyn Write, usize),
}

/// The binary under test: `VIDSPEC_BENCH_BIN`, or this build's.
fn binary() -> PathBuf {
    std::env::var_os("VIDSPEC_BENCH_BIN").map_or_else(
        || PathBuf::from(env!("CARGO_BIN_EXE_vidspec")),
        PathBuf::from,
    )
}

/// Runs the batch; returns (rows/s, peak MiB) from its summary line.
fn run_batch(spec: &Path, csv: &Path) -> (f64, f64) {
    let extra = std::env::var("VIDSPEC_BENCH_ARGS").unwrap_or_default();
    let started = Instant::now();
    let output = Command::new(binary())
        .args([
            "batch",
            spec.to_str().expect("utf-8"),
            "--csv",
            csv.to_str().expect("utf-8"),
            "--ndjson",
        ])
        .args(extra.split_whitespace())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .expect("vidspec runs");
    let wall = started.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let rows: f64 = stderr
        .split_whitespace()
        .nth(5)
        .and_then(|t| t.parse().ok())
        .expect("summary names the rows");
    let peak = stderr
        .split("peak memory ")
        .nth(1)
        .and_then(|t| t.split_whitespace().next())
        .and_then(|t| t.parse().ok())
        .unwrap_or(f64::NAN);
    (rows / wall, peak)
}

/// The documents of the first rows of `csv`, through the full pipeline.
fn documents(spec: &Path, csv: &Path, count: usize) -> Vec<serde_json::Value> {
    let program = Program::load(spec, &Options::default()).expect("compiles");
    let mut reader = csv::Reader::from_path(csv).expect("csv");
    let header: Vec<String> = reader
        .headers()
        .expect("header")
        .iter()
        .map(str::to_owned)
        .collect();
    reader
        .records()
        .take(count)
        .map(|record| {
            let record = record.expect("record");
            let mut row = Inputs::new();
            for (name, cell) in header.iter().zip(record.iter()) {
                if !cell.is_empty() {
                    program
                        .vars
                        .set(&mut row, name, Raw::Text(cell))
                        .expect("typed");
                }
            }
            let inputs = program.inputs(&row).expect("inputs");
            program.render(&inputs).expect("renders").project
        })
        .collect()
}

/// Clone a prebuilt document, set one string, write it as JSON, on one thread: rows/s.
fn floor(documents: &[serde_json::Value], rows: usize) -> f64 {
    let rows = rows.min(50_000);
    let mut sink = std::io::BufWriter::new(std::io::sink());
    let mut buffer = Vec::with_capacity(16_384);
    let started = Instant::now();
    for i in 0..rows {
        let mut row = documents[i % documents.len()].clone();
        row["name"] = serde_json::Value::String(format!("Row {i}"));
        buffer.clear();
        serde_json::to_writer(&mut buffer, &row).expect("serializes");
        buffer.push(b'\n');
        sink.write_all(&buffer).expect("sink");
    }
    rows as f64 / started.elapsed().as_secs_f64()
}

/// The Python reference on the structural rows: rows/s.
fn python(spec: &Path, csv: &Path, dir: &Path) -> Option<f64> {
    let base = dir.join("base.json");
    let built = Command::new(binary())
        .args(["build", spec.to_str()?, "--compact", "-o", base.to_str()?])
        .args([
            "--set",
            "name=NAMEX",
            "--set",
            "plan=Pro",
            "--set",
            "seats=3",
        ])
        .args(["--set", "features=FEATA|FEATB", "--set", "discount=DISCX"])
        .status()
        .ok()?;
    assert!(built.success(), "base document builds");
    let schema = Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/project.v3.schema.json");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/ref_structural.py");
    let rows = csv::Reader::from_path(csv).ok()?.records().count();
    let started = Instant::now();
    let status = Command::new("python3")
        .arg(script)
        .args([
            &base,
            &csv.to_path_buf(),
            &schema,
            &dir.join("python.ndjson"),
        ])
        .stderr(Stdio::null())
        .status()
        .ok()?;
    status
        .success()
        .then(|| rows as f64 / started.elapsed().as_secs_f64())
}

fn main() {
    let counts: Vec<usize> = std::env::var("VIDSPEC_BENCH_ROWS")
        .ok()
        .map(|v| v.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![10_000, 100_000, 1_000_000]);
    let dir = tempfile::tempdir().expect("temp dir");
    let text_only = dir.path().join("text-only.yaml");
    std::fs::write(&text_only, TEXT_ONLY).expect("spec");
    let specs = [
        Spec {
            label: "text-only",
            path: text_only,
            rows: |out, n| text_only_rows(&mut std::io::BufWriter::new(out), n),
        },
        Spec {
            label: "structural",
            path: Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/listing.yaml"),
            rows: |out, n| structural_rows(&mut std::io::BufWriter::new(out), n),
        },
    ];

    println!(
        "{:<11} {:>10}  {:>12}  {:>14}  {:>6}  {:>9}",
        "spec", "rows", "batch rows/s", "floor (1 core)", "ratio", "peak MiB"
    );
    for spec in &specs {
        let mut peaks = Vec::new();
        for &rows in &counts {
            let csv = dir.path().join(format!("{}-{rows}.csv", spec.label));
            (spec.rows)(&mut std::fs::File::create(&csv).expect("csv"), rows);
            let (rate, peak) = run_batch(&spec.path, &csv);
            let floor = floor(&documents(&spec.path, &csv, 64), rows);
            println!(
                "{:<11} {rows:>10}  {rate:>12.0}  {floor:>14.0}  {:>5.0}%  {peak:>9.1}",
                spec.label,
                100.0 * rate / floor
            );
            if spec.label == "structural"
                && rows == counts[0]
                && std::env::var_os("VIDSPEC_BENCH_PYTHON").is_some()
            {
                match python(&spec.path, &csv, dir.path()) {
                    Some(py) => println!(
                        "{:<11} {rows:>10}  {py:>12.0}  (Python reference: vidspec is {:.1}x)",
                        "python",
                        rate / py
                    ),
                    None => {
                        println!("python reference did not run (pip install fastjsonschema orjson)")
                    }
                }
            }
            peaks.push((rows, peak));
            std::fs::remove_file(&csv).ok();
        }
        if let (Some(first), Some(last)) = (peaks.first(), peaks.last()) {
            if first.0 != last.0 {
                println!(
                    "{}: peak memory at {} rows / at {} rows: {:.2}x",
                    spec.label,
                    last.0,
                    first.0,
                    last.1 / first.1
                );
            }
        }
    }
}
