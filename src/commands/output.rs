//! What several commands share: a document written to a file (atomically) or to stdout, and
//! the `--watch` loop that runs a command again when a file it reads changes.

use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::report::Reporter;
use crate::watch::Watcher;

/// Where a command's document goes: `-o FILE` (atomically), or stdout (no `-o`, or `-o -`).
pub(super) struct Output<'a> {
    pub(super) path: Option<&'a Path>,
    /// Say `wrote FILE` after each write (in watch mode, where nothing else shows it).
    pub(super) tell: bool,
}

impl Output<'_> {
    pub(super) fn write(&self, bytes: &[u8], reporter: &Reporter) -> Result<(), Error> {
        let Some(path) = self.path.filter(|p| !crate::emit::is_stdout(p)) else {
            return reporter.out(bytes);
        };
        let shown = crate::display_path(path);
        crate::emit::write_atomic(path, bytes)
            .map_err(|e| Error::io(format!("writing {shown}"), e))?;
        if self.tell {
            reporter.note(format!("wrote {shown}"));
        }
        Ok(())
    }
}

/// Runs `run` once; with `watch`, again after every change to `files()` until Ctrl-C (an
/// output is never left half written: the loop stops between runs). In watch mode a failed
/// run is reported and the loop goes on.
pub(super) fn run_or_watch(
    watch: bool,
    files: impl Fn() -> Vec<PathBuf>,
    run: impl Fn() -> Result<(), Error>,
    reporter: &Reporter,
) -> Result<(), Error> {
    if !watch {
        return run();
    }
    if files().iter().any(|f| f.as_os_str() == "-") {
        return Err(Error::Usage(
            "--watch reads its inputs again when they change; a spec, CSV or vars file on stdin (`-`) can be read only once"
                .to_owned(),
        ));
    }
    #[cfg(feature = "submit")]
    let stop = crate::api::ctrl_c_flag();
    // Without the runtime that catches it, Ctrl-C ends the process at once (outputs are
    // written atomically, so never half a file).
    #[cfg(not(feature = "submit"))]
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut watcher = Watcher::new(files());
    let again = || {
        if let Err(error) = run() {
            reporter.error(&error);
        }
    };
    again();
    reporter.note(format!(
        "watching {} for changes (Ctrl-C to stop)",
        super::plural(watcher.len(), "file")
    ));
    while let Some(changed) = watcher.changed(&stop) {
        let names: Vec<String> = changed.iter().map(|f| crate::display_path(f)).collect();
        reporter.note(format!("\n[{}] changed; running again", names.join(", ")));
        again();
        watcher = Watcher::new(files());
    }
    Err(Error::Interrupted)
}
