//! Watching: run a command again whenever a file it reads changes.
//!
//! Polls modification times and sizes (no platform file-watching API, no extra dependency):
//! the spec, its vars files, the `--templates` folders, YAML and JSON files beside the spec
//! (presets it names), and whatever else the command reads. Ctrl-C ends the loop after the
//! current run, so an output file is never left half written.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, SystemTime};

use crate::compile::Options;
use crate::error::Error;

const POLL: Duration = Duration::from_millis(200);

/// The files a compilation of `spec` with `options` may read, plus `extra`, minus `output`.
pub fn inputs_of(
    spec: &Path,
    options: &Options,
    extra: &[PathBuf],
    output: Option<&Path>,
) -> Vec<PathBuf> {
    let mut files = vec![spec.to_owned()];
    files.extend(options.vars_files.iter().cloned());
    files.extend(extra.iter().cloned());
    match spec.parent().filter(|p| !p.as_os_str().is_empty()) {
        Some(folder) => files.extend(listing(folder, &["yaml", "yml", "json"])),
        None => files.extend(
            listing(Path::new("."), &["yaml", "yml", "json"])
                .into_iter()
                .filter_map(|p| p.strip_prefix(".").ok().map(Path::to_path_buf)),
        ),
    }
    for dir in &options.templates {
        for family in ["clips", "scenes", "models"] {
            files.extend(listing(&dir.join(family), &["json", "yaml", "yml"]));
        }
    }
    files.retain(|f| Some(f.as_path()) != output);
    files.sort();
    files.dedup();
    files
}

fn listing(dir: &Path, extensions: &[&str]) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| extensions.contains(&e))
        })
        .collect()
}

type Fingerprint = Vec<Option<(SystemTime, u64)>>;

fn fingerprint(files: &[PathBuf]) -> Fingerprint {
    files
        .iter()
        .map(|f| {
            std::fs::metadata(f)
                .ok()
                .and_then(|m| Some((m.modified().ok()?, m.len())))
        })
        .collect()
}

/// A flag that Ctrl-C raises (instead of ending the process at once).
fn interrupt_flag() -> Arc<AtomicBool> {
    let flag = Arc::new(AtomicBool::new(false));
    let raised = Arc::clone(&flag);
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build();
        if let Ok(runtime) = runtime {
            if runtime.block_on(tokio::signal::ctrl_c()).is_ok() {
                raised.store(true, Ordering::SeqCst);
            }
        }
    });
    flag
}

/// Runs `run` now and again after every change to `files()`, until Ctrl-C.
pub fn watch(files: impl Fn() -> Vec<PathBuf>, mut run: impl FnMut()) -> Result<(), Error> {
    let stop = interrupt_flag();
    let mut watched = files();
    let mut seen = fingerprint(&watched);
    run();
    let count = watched.len();
    let plural = if count == 1 { "" } else { "s" };
    eprintln!("watching {count} file{plural} for changes (Ctrl-C to stop)");
    while !stop.load(Ordering::SeqCst) {
        std::thread::sleep(POLL);
        let mut now = fingerprint(&watched);
        if now == seen {
            continue;
        }
        // Let a writer finish: run once the files have stopped changing for a moment.
        loop {
            std::thread::sleep(POLL);
            let settled = fingerprint(&watched);
            if settled == now {
                break;
            }
            now = settled;
        }
        let changed: Vec<String> = watched
            .iter()
            .zip(now.iter().zip(&seen))
            .filter(|(_, (a, b))| a != b)
            .map(|(f, _)| crate::display_path(f))
            .collect();
        eprintln!("\n[{}] changed; running again", changed.join(", "));
        run();
        watched = files();
        seen = fingerprint(&watched);
    }
    Err(Error::Interrupted)
}
