//! The API's events on the terminal: `--verbose` request lines, row notes, warnings, and the
//! progress of exports being waited for — a bar per row on a terminal, a line each quarter
//! otherwise.

use std::collections::HashMap;
use std::io::IsTerminal;
use std::sync::{Mutex, PoisonError};

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::Reporter;
use crate::api::Event;
use crate::diag::Diagnostic;

/// Shows a command's API events.
pub(crate) struct Display {
    reporter: Reporter,
    bars: Option<MultiProgress>,
    rows: Mutex<HashMap<u64, Shown>>,
}

/// How far a row's export has been shown.
enum Shown {
    Bar(ProgressBar),
    /// Off a terminal: the percentage last told.
    Told(f64),
}

impl Display {
    /// Export bars are drawn when `wait`ing with a terminal on stderr.
    pub(crate) fn new(reporter: Reporter, wait: bool) -> Display {
        let bars = (wait && std::io::stderr().is_terminal())
            .then(|| MultiProgress::with_draw_target(ProgressDrawTarget::stderr()));
        Display {
            reporter,
            bars,
            rows: Mutex::new(HashMap::new()),
        }
    }

    pub(crate) fn show(&self, event: &Event) {
        match event {
            Event::Request(line) => self.line(format!("api: {line}")),
            Event::Warning(message) => {
                let text = super::text::diagnostic(&Diagnostic::warning(message), self.reporter.color());
                self.suspended(|| super::stderr(text.as_bytes()));
            }
            Event::Row { row, message } => self.line(format!("row {row}: {message}")),
            Event::Export {
                row,
                project_id,
                percent,
            } => self.export(*row, project_id, *percent),
            Event::ExportOver { row } => {
                let shown = self.rows.lock().unwrap_or_else(PoisonError::into_inner).remove(row);
                if let Some(Shown::Bar(bar)) = shown {
                    bar.finish_and_clear();
                }
            }
            Event::Interrupted => self.line(
                "interrupted: no new requests; finishing the ones in flight (Ctrl-C again to quit now)".to_owned(),
            ),
            Event::QuitNow => {}
        }
    }

    fn export(&self, row: u64, project_id: &str, percent: f64) {
        let mut rows = self.rows.lock().unwrap_or_else(PoisonError::into_inner);
        let shown = rows.entry(row).or_insert_with(|| match &self.bars {
            Some(multi) => Shown::Bar(bar(multi, row)),
            None => Shown::Told(0.0),
        });
        match shown {
            Shown::Bar(bar) => bar.set_position(percent.clamp(0.0, 100.0) as u64),
            Shown::Told(told) => {
                if percent >= *told + 25.0 || (*told == 0.0 && percent > 0.0) {
                    *told = percent.floor();
                    self.reporter
                        .note(format!("row {row}: export {told}% ({project_id})"));
                }
            }
        }
    }

    fn line(&self, line: String) {
        self.suspended(|| self.reporter.note(line));
    }

    fn suspended(&self, f: impl FnOnce()) {
        match &self.bars {
            Some(multi) => multi.suspend(f),
            None => f(),
        }
    }
}

fn bar(multi: &MultiProgress, row: u64) -> ProgressBar {
    let bar = multi.add(ProgressBar::new(100));
    if let Ok(style) = ProgressStyle::with_template("{prefix:>8} [{bar:40}] {pos:>3}% {elapsed}") {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_prefix(format!("row {row}"));
    bar
}
