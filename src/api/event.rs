//! What the API code has to tell while it works — a request logged, a row skipped, an export's
//! progress, Ctrl-C — as data. Nothing in `api` prints: the command hands in a [`Listener`]
//! and decides what reaches the terminal.

use std::fmt;
use std::sync::Arc;

use crate::rows::RowAt;

/// One thing worth telling.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Event {
    /// A request and its outcome (`--verbose`), secrets already scrubbed.
    Request(String),
    /// Something wrong that does not stop the command (a token that cannot be cached).
    Warning(String),
    /// A note about one row (skipped as a duplicate, changed since, failed, outcome unknown).
    Row { row: RowAt, message: String },
    /// An export being waited for is this far done (0–100).
    Export {
        row: RowAt,
        project_id: String,
        percent: f64,
    },
    /// Waiting for a row's export is over (done, failed or stopped).
    ExportOver { row: RowAt },
    /// The whole run's exports (and downloads) so far, for one overall bar.
    Overall(Overall),
    /// The first Ctrl-C or SIGTERM: no new requests; those in flight finish.
    Interrupted,
    /// A second Ctrl-C: quit at once (the journal is on disk, record by record).
    QuitNow,
}

/// A run's exports and downloads at one moment: told each time one of them changes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Overall {
    /// Rows this run waits for, so far (it grows as the rows are read).
    pub(crate) rows: u64,
    /// Of them, rows whose wait is over: exported (or downloaded), stalled or failed.
    pub(crate) done: u64,
    /// Of those, rows exported.
    pub(crate) exported: u64,
    /// Rows whose video is on disk.
    pub(crate) downloaded: u64,
    /// The run downloads the videos (`--download`): done means downloaded.
    pub(crate) downloading: bool,
    /// Bytes of video written so far.
    pub(crate) bytes: u64,
    /// The run is over: the last of these events.
    pub(crate) finished: bool,
}

/// Where events go; cheap to clone, shared by every task of a command.
#[derive(Clone)]
pub(crate) struct Listener(Arc<dyn Fn(Event) + Send + Sync>);

impl Listener {
    pub(crate) fn new(f: impl Fn(Event) + Send + Sync + 'static) -> Listener {
        Listener(Arc::new(f))
    }

    /// A listener that drops every event.
    pub(crate) fn none() -> Listener {
        Listener::new(|_| {})
    }

    pub(crate) fn tell(&self, event: Event) {
        (self.0)(event);
    }
}

impl Default for Listener {
    fn default() -> Listener {
        Listener::none()
    }
}

impl fmt::Debug for Listener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Listener")
    }
}
