//! The API's events on the terminal: `--verbose` request lines, row notes, warnings, and the
//! progress of exports being waited for. One project (`submit --wait`): a bar on a terminal,
//! a line each quarter otherwise. Many (a batch): one overall bar — rows exported (or
//! downloaded) of those waited for, bytes, ETA — on a terminal, a line at most every ten
//! seconds otherwise.

use std::collections::HashMap;
use std::io::IsTerminal;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::Reporter;
use crate::api::Event;
use crate::api::event::Overall;
use crate::diag::Diagnostic;
use crate::rows::RowAt;

/// What a command waits for: exports it shows the progress of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Waits {
    /// Nothing, or nothing to show (`--quiet`): export progress is not shown.
    Nothing,
    /// One project's export (`submit --wait`).
    One,
    /// The exports of many rows (`batch --submit --wait`).
    Many,
}

/// Shows a command's API events.
pub(crate) struct Display {
    reporter: Reporter,
    bars: Option<MultiProgress>,
    rows: Mutex<HashMap<u64, Shown>>,
    /// Export progress is shown.
    exports: bool,
    /// Many rows: one bar (or line) for all of them instead of one per row.
    overall: Option<Mutex<Whole>>,
}

/// The overall bar of a batch, or when its line was last written off a terminal.
struct Whole {
    bar: Option<ProgressBar>,
    told: Instant,
}

/// Off a terminal, the overall line is written at most this often (and once at the end).
const LINE_EVERY: Duration = Duration::from_secs(10);

/// How far a row's export has been shown.
enum Shown {
    Bar(ProgressBar),
    /// Off a terminal: the percentage last told.
    Told(f64),
}

impl Display {
    /// Export bars are drawn when waiting with a terminal on stderr: one per row for one
    /// project, one for the whole run for many.
    pub(crate) fn new(reporter: Reporter, waits: Waits) -> Display {
        let wait = waits != Waits::Nothing;
        let overall = waits == Waits::Many;
        let bars = (wait && std::io::stderr().is_terminal())
            .then(|| MultiProgress::with_draw_target(ProgressDrawTarget::stderr()));
        let overall = overall.then(|| {
            // Off a terminal the first line comes after LINE_EVERY, not at the first row.
            Mutex::new(Whole {
                bar: bars.as_ref().map(whole_bar),
                told: Instant::now(),
            })
        });
        Display {
            reporter,
            bars,
            rows: Mutex::new(HashMap::new()),
            exports: wait,
            overall,
        }
    }

    pub(crate) fn show(&self, event: &Event) {
        match event {
            Event::Request(line) => self.line(format!("api: {line}")),
            Event::Warning(message) => {
                let text = super::text::diagnostic(&Diagnostic::warning(message), self.reporter.color());
                self.suspended(|| super::stderr(text.as_bytes()));
            }
            Event::Row { row, message } => self.line(format!("{row}: {message}")),
            Event::Overall(now) => self.whole(now),
            Event::Export { .. } | Event::ExportOver { .. }
                if !self.exports || self.overall.is_some() => {}
            Event::Export {
                row,
                project_id,
                percent,
            } => self.export(*row, project_id, *percent),
            Event::ExportOver { row } => {
                let shown = self.rows.lock().unwrap_or_else(PoisonError::into_inner).remove(&row.number);
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

    fn export(&self, row: RowAt, project_id: &str, percent: f64) {
        let mut rows = self.rows.lock().unwrap_or_else(PoisonError::into_inner);
        let shown = rows.entry(row.number).or_insert_with(|| match &self.bars {
            Some(multi) => Shown::Bar(bar(multi, row)),
            None => Shown::Told(0.0),
        });
        match shown {
            Shown::Bar(bar) => bar.set_position(percent.clamp(0.0, 100.0) as u64),
            Shown::Told(told) => {
                if percent >= *told + 25.0 || (*told == 0.0 && percent > 0.0) {
                    *told = percent.floor();
                    self.reporter
                        .note(format!("{row}: export {told}% ({project_id})"));
                }
            }
        }
    }

    /// The run's exports so far: the overall bar, or a line now and then.
    fn whole(&self, now: &Overall) {
        let Some(whole) = &self.overall else {
            return;
        };
        let mut whole = whole.lock().unwrap_or_else(PoisonError::into_inner);
        let text = overall_text(now);
        if let Some(bar) = &whole.bar {
            bar.set_length(now.rows);
            bar.set_position(now.done);
            bar.set_message(text);
            if now.finished {
                bar.finish();
            }
            return;
        }
        if whole.told.elapsed() >= LINE_EVERY || now.finished {
            whole.told = Instant::now();
            self.reporter.note(format!("exports: {text}"));
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

fn bar(multi: &MultiProgress, row: RowAt) -> ProgressBar {
    let bar = multi.add(ProgressBar::new(100));
    if let Ok(style) = ProgressStyle::with_template("{prefix:>8} [{bar:40}] {pos:>3}% {elapsed}") {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_prefix(row.to_string());
    bar
}

/// The overall bar: rows whose wait is over of those waited for, what they came to, ETA.
fn whole_bar(multi: &MultiProgress) -> ProgressBar {
    let bar = multi.add(ProgressBar::new(0));
    let template = "{spinner} [{elapsed_precise}] [{bar:30}] {msg} · ETA {eta}";
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

/// `120/300 exported, 2 stalled or failed` or `118/300 downloaded, 35.2 MB`.
pub(crate) fn overall_text(now: &Overall) -> String {
    let (good, what) = if now.downloading {
        (now.downloaded, "downloaded")
    } else {
        (now.exported, "exported")
    };
    let mut text = format!("{good}/{} {what}", now.rows);
    if now.downloading || now.bytes > 0 {
        text.push_str(&format!(", {:.1} MB", now.bytes as f64 / 1e6));
    }
    let other = now.done.saturating_sub(good);
    if other > 0 {
        text.push_str(&format!(", {other} ended otherwise"));
    }
    text
}
