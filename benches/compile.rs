//! Compiling a one-scene spec, in process: `cargo bench --bench compile`.
//!
//! Reports the median time of `vidspec build` as a process, of a whole `build` (load, compile templates, presets, schema,
//! render, check, serialize) and of a render with a compiled program (what a batch row costs).

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use vidspec::compile::{self, Options, Program};
use vidspec::emit::{self, Format};

const SPEC: &str = r##"
name: "Welcome, {{ name }}"
vars:
  name: { type: string, default: Ada }
  plan: { type: string, default: Pro }
  seats: { type: integer, default: 3 }
avatar: { preset: anna-navy-suit, effect: head-only }
scenes:
  - background: { image: https://cdn.example.com/bg.png }
    say: "Hello {{ name }}, welcome to the {{ plan }} plan."
    clips:
      - text: "{{ plan }} · {{ seats }} seats"
        left: 120
        top: 80
        font: { size: 72, color: "#ffffff", weight: 700 }
"##;

/// Runs `f` for about two seconds and returns the median of per-call times.
fn measure(mut f: impl FnMut()) -> Duration {
    let mut samples = Vec::new();
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(2) || samples.len() < 20 {
        let t = Instant::now();
        f();
        samples.push(t.elapsed());
    }
    samples.sort();
    samples[samples.len() / 2]
}

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let spec = dir.path().join("one-scene.yaml");
    std::fs::write(&spec, SPEC).expect("write spec");
    let options = Options::default();

    let whole = measure(|| {
        let (lowered, _) = compile::build(black_box(&spec), &options).expect("builds");
        black_box(emit::to_bytes(&lowered.project, Format::Pretty));
    });
    let program = Program::load(Path::new(&spec), &options).expect("compiles");
    let inputs = program.inputs(&Default::default()).expect("inputs");
    let render = measure(|| {
        let lowered = program.render(black_box(&inputs)).expect("renders");
        black_box(emit::to_bytes(&lowered.project, Format::Compact));
    });
    let process = measure(|| {
        let status = std::process::Command::new(env!("CARGO_BIN_EXE_vidspec"))
            .arg("build")
            .arg(&spec)
            .stdout(std::process::Stdio::null())
            .status()
            .expect("vidspec runs");
        assert!(status.success());
    });
    println!(
        "one-scene spec, `vidspec build` as a process:                          {process:?} median"
    );
    println!(
        "one-scene spec, whole build (load + compile + render + check + JSON): {whole:?} median"
    );
    println!(
        "one-scene spec, render with a compiled program (+ check + JSON):        {render:?} median"
    );
}
