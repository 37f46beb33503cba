//! Progress bars on a terminal (indicatif), and nothing off one.

use std::io::IsTerminal;
use std::time::Duration;

/// A batch's bar: over the CSV's bytes when its size is known, else a row counter.
pub(crate) struct Progress {
    bar: Option<indicatif::ProgressBar>,
    by_bytes: bool,
}

impl Progress {
    /// A bar unless `quiet` or stderr is not a terminal; `size` is the CSV's, when a file.
    pub(crate) fn new(quiet: bool, size: Option<u64>) -> Progress {
        if quiet || !std::io::stderr().is_terminal() {
            return Progress {
                bar: None,
                by_bytes: false,
            };
        }
        let (bar, by_bytes) = match size {
            Some(size) => (indicatif::ProgressBar::new(size), true),
            None => (indicatif::ProgressBar::new_spinner(), false),
        };
        let template = if by_bytes {
            "{spinner} [{elapsed_precise}] {wide_bar} {percent}% {msg}"
        } else {
            "{spinner} [{elapsed_precise}] {pos} rows {per_sec} {msg}"
        };
        if let Ok(style) = indicatif::ProgressStyle::with_template(template) {
            bar.set_style(style);
        }
        bar.enable_steady_tick(Duration::from_millis(200));
        Progress {
            bar: Some(bar),
            by_bytes,
        }
    }

    /// The reader has got this far into the CSV.
    pub(crate) fn bytes(&self, position: u64) {
        if let (Some(bar), true) = (&self.bar, self.by_bytes) {
            bar.set_position(position);
        }
    }

    /// One more row is done.
    pub(crate) fn row(&self) {
        if let (Some(bar), false) = (&self.bar, self.by_bytes) {
            bar.inc(1);
        }
    }

    /// Runs `f` (which writes to stderr) with the bar out of the way.
    pub(crate) fn suspend(&self, f: impl FnOnce()) {
        match &self.bar {
            Some(bar) => bar.suspend(f),
            None => f(),
        }
    }

    pub(crate) fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
