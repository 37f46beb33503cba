//! Watching: run a command again whenever a file it reads changes.
//!
//! Polls modification times and sizes (no platform file-watching API, no extra dependency):
//! the spec, its vars files, the `--templates` folders, YAML and JSON files beside the spec
//! (presets it names), and whatever else the command reads. The loop itself, and what it
//! prints, is `commands::output`.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, SystemTime};

use crate::compile::Options;

const POLL: Duration = Duration::from_millis(200);

/// The files a compilation of `spec` with `options` may read, plus `extra`, minus `output`.
pub(crate) fn inputs_of(
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

/// The files a command reads, and how they were when last looked at.
pub(crate) struct Watcher {
    files: Vec<PathBuf>,
    seen: Fingerprint,
}

impl Watcher {
    pub(crate) fn new(files: Vec<PathBuf>) -> Watcher {
        let seen = fingerprint(&files);
        Watcher { files, seen }
    }

    /// How many files are watched.
    pub(crate) fn len(&self) -> usize {
        self.files.len()
    }

    /// Waits until a file changes and has stopped changing for a moment (a writer has
    /// finished); the files that changed, or `None` once `stop` is raised.
    pub(crate) fn changed(&self, stop: &AtomicBool) -> Option<Vec<PathBuf>> {
        while !stop.load(Ordering::SeqCst) {
            std::thread::sleep(POLL);
            let mut now = fingerprint(&self.files);
            if now == self.seen {
                continue;
            }
            loop {
                std::thread::sleep(POLL);
                let settled = fingerprint(&self.files);
                if settled == now {
                    break;
                }
                now = settled;
            }
            let changed = self
                .files
                .iter()
                .zip(now.iter().zip(&self.seen))
                .filter(|(_, (a, b))| a != b)
                .map(|(f, _)| f.clone())
                .collect();
            return Some(changed);
        }
        None
    }
}
