//! Compiling realistic specs, in process and as a process: `cargo bench --bench compile`.
//!
//! Two specs of several scenes: `examples/welcome.yaml` (variables, a built-in scene
//! template, a scene without the presenter: 3 scenes) and `benches/listing.yaml` with one
//! row's values (`each` over a list, `when`, computed numbers, the `outro` template: 4
//! scenes). For each, the median time of `vidspec build` as a process, of a whole build in
//! process (load, compile templates, presets, render, check, JSON), and of a render with a
//! compiled program (+ check + JSON: what a batch row costs without the row plan).

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use vidspec::compile::{self, Options, Program};
use vidspec::emit::{self, Format};

/// A spec of the repository and the `--set` values of one build of it.
struct Case {
    name: &'static str,
    spec: &'static str,
    sets: &'static [&'static str],
}

const CASES: [Case; 2] = [
    Case {
        name: "examples/welcome.yaml",
        spec: "examples/welcome.yaml",
        sets: &["name=Ada"],
    },
    Case {
        name: "benches/listing.yaml, one row",
        spec: "benches/listing.yaml",
        sets: &["name=Ada", "plan=Pro", "seats=3", "discount=10%"],
    },
];

/// Runs `f` for about a second (at least 20 times) and returns the median of per-call times.
fn measure(mut f: impl FnMut()) -> Duration {
    let mut samples = Vec::new();
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(1) || samples.len() < 20 {
        let t = Instant::now();
        f();
        samples.push(t.elapsed());
    }
    samples.sort();
    samples[samples.len() / 2]
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for case in &CASES {
        let spec: PathBuf = root.join(case.spec);
        let options = Options {
            sets: case.sets.iter().map(|s| (*s).to_owned()).collect(),
            ..Options::default()
        };
        let (lowered, _) = compile::build(&spec, &options).expect("builds");
        let scenes = lowered.project["scenes"].as_array().map_or(0, Vec::len);
        assert!(scenes > 1, "{}: a spec of several scenes", case.name);

        let process = measure(|| {
            let status = std::process::Command::new(env!("CARGO_BIN_EXE_vidspec"))
                .arg("build")
                .arg(&spec)
                .args(case.sets.iter().flat_map(|set| ["--set", set]))
                .stdout(std::process::Stdio::null())
                .status()
                .expect("vidspec runs");
            assert!(status.success());
        });
        let whole = measure(|| {
            let (lowered, _) = compile::build(black_box(&spec), &options).expect("builds");
            black_box(emit::to_bytes(&lowered.project, Format::Pretty));
        });
        let program = Program::load(&spec, &options).expect("compiles");
        let inputs = program.inputs(&Default::default()).expect("inputs");
        let render = measure(|| {
            let lowered = program.render(black_box(&inputs)).expect("renders");
            black_box(emit::to_bytes(&lowered.project, Format::Compact));
        });
        println!("{} ({scenes} scenes):", case.name);
        println!("  `vidspec build` as a process:                             {process:?} median");
        println!("  whole build (load + compile + render + check + JSON):     {whole:?} median");
        println!("  render with a compiled program (+ check + JSON):          {render:?} median");
    }
}
