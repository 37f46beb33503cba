//! Batch throughput and memory: `cargo bench --bench batch`.
//!
//! Compiles N rows of a one-scene spec (avatar, speech, one text clip using three variables)
//! to NDJSON with the real binary, for N = 10,000, 100,000 and 1,000,000, and reads rows/s and
//! peak memory from its summary line. In the same run, a serialize-only baseline — clone a
//! prebuilt project value, set one string, write it as JSON, on as many threads as the batch
//! uses — shows the machine's floor. Set `VIDSPEC_BENCH_ROWS=10000,100000` to choose counts.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Instant;

use vidspec::compile::{Options, Program};

const SPEC: &str = r##"name: "Welcome, {{ name }}"
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

fn write_csv(path: &std::path::Path, rows: usize) {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).expect("csv"));
    writeln!(out, "name,plan,city").expect("write");
    for i in 0..rows {
        writeln!(out, "Customer {i},{},City {}", PLANS[i % 3], i % 97).expect("write");
    }
}

/// Runs the batch; returns (rows/s, peak MiB) from its summary line.
fn run_batch(spec: &std::path::Path, csv: &std::path::Path) -> (f64, f64) {
    let started = Instant::now();
    let output = Command::new(env!("CARGO_BIN_EXE_vidspec"))
        .args([
            "batch",
            spec.to_str().expect("utf-8"),
            "--csv",
            csv.to_str().expect("utf-8"),
            "--ndjson",
        ])
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

/// Clone a prebuilt project, set one string, write it as JSON: rows/s over `threads` threads.
fn baseline(project: &serde_json::Value, rows: usize, threads: usize) -> f64 {
    let started = Instant::now();
    std::thread::scope(|scope| {
        for t in 0..threads {
            scope.spawn(move || {
                let mut sink = std::io::BufWriter::new(std::io::sink());
                let mut buffer = Vec::with_capacity(8192);
                for i in (t..rows).step_by(threads) {
                    let mut row = project.clone();
                    row["name"] = serde_json::Value::String(format!("Welcome, Customer {i}"));
                    buffer.clear();
                    serde_json::to_writer(&mut buffer, &row).expect("serializes");
                    buffer.push(b'\n');
                    sink.write_all(&buffer).expect("sink");
                }
            });
        }
    });
    rows as f64 / started.elapsed().as_secs_f64()
}

fn main() {
    let counts: Vec<usize> = std::env::var("VIDSPEC_BENCH_ROWS")
        .ok()
        .map(|v| v.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![10_000, 100_000, 1_000_000]);
    let dir = tempfile::tempdir().expect("temp dir");
    let spec = dir.path().join("one-scene.yaml");
    std::fs::write(&spec, SPEC).expect("spec");
    let threads = std::thread::available_parallelism().map_or(2, usize::from);
    let program = Program::load(
        &spec,
        &Options {
            sets: vec!["name=Customer 0".into()],
            ..Options::default()
        },
    )
    .expect("compiles");
    let project = program
        .render(&program.inputs(&Default::default()).expect("inputs"))
        .expect("renders")
        .project;

    println!(
        "{:>10}  {:>12}  {:>12}  {:>6}  {:>10}",
        "rows", "batch rows/s", "floor rows/s", "ratio", "peak MiB"
    );
    let mut peaks = Vec::new();
    for &rows in &counts {
        let csv = dir.path().join(format!("rows-{rows}.csv"));
        write_csv(&csv, rows);
        let (rate, peak) = run_batch(&spec, &csv);
        let floor = baseline(&project, rows, threads);
        println!(
            "{rows:>10}  {rate:>12.0}  {floor:>12.0}  {:>5.0}%  {peak:>10.1}",
            100.0 * rate / floor
        );
        peaks.push((rows, peak));
        std::fs::remove_file(&csv).ok();
    }
    if let (Some(first), Some(last)) = (peaks.first(), peaks.last()) {
        if first.0 != last.0 {
            println!(
                "peak memory at {} rows / at {} rows: {:.2}x",
                last.0,
                first.0,
                last.1 / first.1
            );
        }
    }
}
