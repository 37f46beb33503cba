//! The submission engine behind `vidspec submit` and `vidspec batch --submit`: rows go out
//! `jobs` at a time, paced by the client's `--rate`, each recorded in the journal before it is
//! sent and again when its answer comes; Ctrl-C (or SIGTERM) stops new requests and lets the
//! ones in flight finish.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};
use tokio::task::JoinSet;

use super::Event;
use super::client::{ApiError, Client, ErrorKind};
use super::download::{Downloaded, is_downloaded};
use super::event::Overall;
use super::journal::{Journal, Plan, Record, Status, hash_project};
use crate::batch::Place;
use crate::error::Error;
use crate::rows::RowAt;

/// One project to submit; `row` names it in messages (with its CSV line, when it has one) and
/// its number names it in the journal.
#[derive(Clone, Debug)]
pub(crate) struct SubmitItem {
    pub(crate) row: RowAt,
    /// The compiled project body (as `vidspec build` prints it); `None` for a row the batch
    /// was stopped before compiling (it ends not started).
    pub(crate) project: Option<Value>,
    /// The row's input values, journaled with each of its records.
    pub(crate) inputs: Option<Value>,
    /// The row's key (`name=Ada`), which finds it again in an edited or reordered CSV.
    pub(crate) key: Option<String>,
    /// `--download`: where the row's video goes once exported.
    pub(crate) file: Option<Place>,
}

/// `--changed`: what to do with a row whose content changed since its project was created.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Changed {
    /// Create a new project (journaled as superseding the old one).
    Create,
    /// Leave the row's earlier project as it is.
    Skip,
}

/// How to submit: the flags shared by `submit` and `batch --submit`.
#[derive(Clone, Debug)]
pub(crate) struct SubmitOptions {
    /// Render the video after creating the project; `false` (`--no-export`) sets `isExport: false`.
    pub(crate) export: bool,
    /// `--webhook URL` → `webhookUrl`.
    pub(crate) webhook: Option<String>,
    /// `--resolution R` → `resolution`.
    pub(crate) resolution: Option<String>,
    /// `--workspace ID` → `workspaceId`.
    pub(crate) workspace: Option<String>,
    /// Poll each project's export progress until 100 and report its download URL.
    pub(crate) wait: bool,
    /// Requests in flight at once (`--jobs`).
    pub(crate) jobs: usize,
    /// `--journal FILE`.
    pub(crate) journal: Option<PathBuf>,
    /// Submit rows whose earlier outcome is unknown (they may be created twice).
    pub(crate) retry_unknown: bool,
    /// `--changed`: rows changed since their project was created.
    pub(crate) changed: Option<Changed>,
    /// `--export-timeout`: an export whose progress has not moved this long is stalled.
    pub(crate) export_timeout: Option<Duration>,
    /// Tell each row's failure as it happens (a batch); `submit` reports its one row itself.
    pub(crate) report_rows: bool,
    /// The first wait between progress polls; it grows ×1.5 up to 30 s.
    pub(crate) poll_interval: Duration,
    /// `--download`: rows' videos are downloaded (each item says where); implies `wait`.
    pub(crate) download: bool,
    /// `--max-exporting`: at most this many projects exporting at once; the next row is
    /// created only when one of them ends (implies `wait`).
    pub(crate) max_exporting: Option<usize>,
    /// Raised when the run stops (Ctrl-C, SIGTERM, a fatal error), so that whoever feeds it
    /// rows (a batch) stops too.
    pub(crate) stop: Option<Arc<AtomicBool>>,
}

impl Default for SubmitOptions {
    fn default() -> SubmitOptions {
        SubmitOptions {
            export: true,
            webhook: None,
            resolution: None,
            workspace: None,
            wait: false,
            jobs: 4,
            journal: None,
            retry_unknown: false,
            changed: None,
            export_timeout: None,
            report_rows: true,
            poll_interval: Duration::from_secs(1),
            max_exporting: None,
            download: false,
            stop: None,
        }
    }
}

impl SubmitOptions {
    /// The request body for a project: the project with the options' fields set.
    pub(crate) fn body(&self, mut project: Value) -> Value {
        if let Value::Object(map) = &mut project {
            if !self.export {
                map.insert("isExport".into(), Value::Bool(false));
            }
            let fields = [
                ("webhookUrl", &self.webhook),
                ("resolution", &self.resolution),
                ("workspaceId", &self.workspace),
            ];
            for (key, value) in fields {
                if let Some(value) = value {
                    map.insert(key.into(), Value::String(value.clone()));
                }
            }
        }
        project
    }
}

/// A row created by this run, or by an earlier one and waited for by this one.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Created {
    pub(crate) row: RowAt,
    pub(crate) project_id: String,
    /// With `wait`: the video, once exported.
    pub(crate) download_url: Option<String>,
    /// With `wait`: why waiting for the export stopped short.
    pub(crate) wait_error: Option<String>,
    /// The export's progress stopped moving (`--export-timeout`).
    pub(crate) stalled: bool,
    /// With `--download`: the video on disk.
    pub(crate) downloaded: Option<Downloaded>,
}

impl Created {
    fn new(row: RowAt, project_id: &str) -> Created {
        Created {
            row,
            project_id: project_id.to_owned(),
            download_url: None,
            wait_error: None,
            stalled: false,
            downloaded: None,
        }
    }

    fn state(&self) -> RowState {
        let status = if self.stalled {
            Status::Stalled
        } else if self.downloaded.is_some() {
            Status::Downloaded
        } else if self.download_url.is_some() {
            Status::Exported
        } else {
            Status::Created
        };
        RowState {
            project_id: Some(self.project_id.clone()),
            download_url: self.download_url.clone(),
            error: self.wait_error.clone(),
            path: self
                .downloaded
                .as_ref()
                .map(|d| crate::display_path(&d.path)),
            ..RowState::new(self.row, status)
        }
    }
}

/// Where one row ended: exactly one state, with what that state carries.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct RowState {
    pub(crate) row: RowAt,
    pub(crate) status: Status,
    pub(crate) project_id: Option<String>,
    pub(crate) download_url: Option<String>,
    pub(crate) error: Option<String>,
    /// `downloaded`: the video's file.
    pub(crate) path: Option<String>,
}

impl RowState {
    pub(crate) fn new(row: RowAt, status: Status) -> RowState {
        RowState {
            row,
            status,
            project_id: None,
            download_url: None,
            error: None,
            path: None,
        }
    }
}

/// What a run did, row by row (each list in row order).
#[derive(Clone, Debug, Default)]
pub(crate) struct Summary {
    /// Rows handed to the engine.
    pub(crate) total: usize,
    pub(crate) created: Vec<Created>,
    /// Rows the journal says were created by an earlier run: (row, projectId).
    pub(crate) already_created: Vec<(RowAt, String)>,
    /// Rows that failed, with the reason; a rerun tries them again.
    pub(crate) failed: Vec<(RowAt, String)>,
    /// Rows that may or may not have been created, with the reason.
    pub(crate) unknown: Vec<(RowAt, String)>,
    /// Rows not sent because the run was stopped first.
    pub(crate) not_started: Vec<RowAt>,
    /// Ctrl-C or SIGTERM stopped the run.
    pub(crate) interrupted: bool,
    /// An error that stopped the run (credentials refused, the journal unwritable).
    pub(crate) fatal: Option<String>,
}

impl Summary {
    /// The run as a result: interrupted → [`Error::Interrupted`] (exit 130); a fatal error →
    /// [`Error::Api`] (exit 4); rows failed, unknown or not exported → [`Error::RowsFailed`] (exit 3).
    pub(crate) fn result(&self) -> Result<(), Error> {
        if self.interrupted {
            return Err(Error::Interrupted);
        }
        if let Some(fatal) = &self.fatal {
            return Err(Error::Api(fatal.clone()));
        }
        let waits = self
            .created
            .iter()
            .filter(|c| c.wait_error.is_some())
            .count();
        let failed = self.failed.len() + self.unknown.len() + waits;
        if failed > 0 {
            return Err(Error::RowsFailed {
                failed,
                total: self.total,
                unknown: self.unknown.len(),
                unfinished: waits,
            });
        }
        Ok(())
    }

    /// Each row's state, in row order.
    pub(crate) fn states(&self) -> Vec<RowState> {
        let mut states: Vec<RowState> = self.created.iter().map(Created::state).collect();
        let skipped = self.already_created.iter().map(|(row, id)| RowState {
            project_id: Some(id.clone()),
            ..RowState::new(*row, Status::Skipped)
        });
        let failed = self.failed.iter().map(|(row, reason)| RowState {
            error: Some(reason.clone()),
            ..RowState::new(*row, Status::Failed)
        });
        let unknown = self.unknown.iter().map(|(row, reason)| RowState {
            error: Some(reason.clone()),
            ..RowState::new(*row, Status::Unknown)
        });
        let not_started = self
            .not_started
            .iter()
            .map(|row| RowState::new(*row, Status::NotStarted));
        states.extend(skipped.chain(failed).chain(unknown).chain(not_started));
        states.sort_by_key(|s| s.row.number);
        states
    }

    /// One line, every row counted once by the state it ended in, as the `--report` file and
    /// the journal say: `1000 rows: 990 exported, 5 skipped, 3 failed, 2 unknown`.
    pub(crate) fn line(&self) -> String {
        let states = self.states();
        let parts: Vec<String> = Status::ALL
            .iter()
            .filter_map(|status| {
                let n = states.iter().filter(|s| s.status == *status).count();
                let hint = match status {
                    Status::Unknown => " (see above; --retry-unknown submits them again)",
                    _ => "",
                };
                (n > 0).then(|| format!("{n} {}{hint}", status.name()))
            })
            .collect();
        let rows = if self.total == 1 { "row" } else { "rows" };
        let parts = if parts.is_empty() {
            "nothing to do".to_owned()
        } else {
            parts.join(", ")
        };
        format!("{} {rows}: {parts}", self.total)
    }
}

/// Submits every item: `options.jobs` at a time, each paced by the client's rate cap and
/// recorded in `options.journal`. Rows the journal marks as done are skipped; rows it marks as
/// unknown are reported and skipped unless `options.retry_unknown`. With `wait`, a row the
/// journal says was created but whose export was not seen to end is waited for again, without
/// creating anything.
///
/// `journal` is `options.journal` opened (and locked) by the caller before anything else runs.
/// Failed rows, Ctrl-C and the rest are in the [`Summary`], whose [`Summary::result`] gives the
/// command's exit status. Must run inside a tokio runtime (see [`submit_items`] for a blocking
/// call).
pub(crate) async fn submit_all(
    client: &Client,
    items: impl IntoIterator<Item = SubmitItem>,
    options: &SubmitOptions,
    journal: Journal,
) -> Result<Summary, Error> {
    if journal.unreadable > 0 {
        client.tell(Event::Warning(format!(
            "{} in the journal ignored",
            crate::report::plural(journal.unreadable, "unreadable line")
        )));
    }
    let journal = Arc::new(Mutex::new(journal));
    let stop = Stop::new(options.stop.clone());
    let signals = tokio::spawn(stop.clone().on_signals(client.clone()));
    let slots = Arc::new(Semaphore::new(options.jobs.max(1)));
    // `--max-exporting`: a permit from before a create until its export ends.
    let exporting = options
        .max_exporting
        .map(|most| Arc::new(Semaphore::new(most.max(1))));
    let tally = Tally::new(client.clone(), options.wait, options.download);
    // Downloads at once: as many as requests in flight.
    let downloads = Arc::new(Semaphore::new(options.jobs.max(1)));
    let mut tasks = JoinSet::new();
    let mut summary = Summary::default();
    let mut same_in_run: std::collections::HashMap<String, RowAt> =
        std::collections::HashMap::new();
    let mut duplicates: Vec<(RowAt, RowAt)> = Vec::new();

    for mut item in items {
        summary.total += 1;
        let Some(project) = item.project.take() else {
            not_started(&journal, &item, "", &mut summary);
            continue;
        };
        let hash = hash_project(&project);
        // The same project twice in one run (identical rows) is one video.
        if let Some(first) = same_in_run.get(&hash) {
            client.tell(Event::Row {
                row: item.row,
                message: format!("the same project as {first}; not created twice"),
            });
            duplicates.push((item.row, *first));
            continue;
        }
        same_in_run.insert(hash.clone(), item.row);
        let (supersedes, resume) = match planned(client, &journal, &item, &hash, options) {
            Ok(Planned::Send(earlier)) => (earlier, None),
            Ok(Planned::Skipped(id)) => {
                summary.already_created.push((item.row, id));
                continue;
            }
            Ok(Planned::Resume(record)) => (None, Some(record)),
            Ok(Planned::Unknown(reason)) => {
                summary.unknown.push((item.row, reason));
                continue;
            }
            Err(fatal) => {
                summary.fatal = Some(fatal);
                break;
            }
        };
        if stop.is_stopped() {
            not_started(&journal, &item, &hash, &mut summary);
            continue;
        }
        tally.waiting();
        // An export still to wait for holds an exporting permit (a resumed one only while the
        // journal does not already say it ended).
        let exports = resume
            .as_ref()
            .is_none_or(|record| !matches!(record.status, Status::Exported | Status::Downloaded));
        let export = match exporting.as_ref().filter(|_| exports) {
            Some(exporting) => tokio::select! {
                permit = Arc::clone(exporting).acquire_owned() => Some(permit.expect("the semaphore is never closed")),
                () = stop.wait() => { not_started(&journal, &item, &hash, &mut summary); continue; }
            },
            None => None,
        };
        let permit = tokio::select! {
            permit = Arc::clone(&slots).acquire_owned() => permit.expect("the semaphore is never closed"),
            () = stop.wait() => { not_started(&journal, &item, &hash, &mut summary); continue; }
        };
        if resume.is_none() {
            tokio::select! {
                () = client.pace() => {}
                () = stop.wait() => { not_started(&journal, &item, &hash, &mut summary); continue; }
            }
        }
        while let Some(done) = tasks.try_join_next() {
            absorb(&mut summary, done);
        }
        let body = options.body(project);
        let row = Row {
            client: client.clone(),
            journal: Arc::clone(&journal),
            stop: stop.clone(),
            options: options.clone(),
            tally: tally.clone(),
            row: item.row,
            hash,
            key: item.key,
            inputs: item.inputs,
            name: body.get("name").and_then(Value::as_str).map(str::to_owned),
            supersedes,
            file: item.file,
            downloads: Arc::clone(&downloads),
        };
        tasks.spawn(async move {
            match resume {
                Some(record) => {
                    drop(permit);
                    row.resume(record, export).await
                }
                None => row.run(body, permit, export).await,
            }
        });
    }
    while let Some(done) = tasks.join_next().await {
        absorb(&mut summary, done);
    }
    tally.change(|o| o.finished = true);
    for (row, first) in duplicates {
        let created = summary
            .created
            .iter()
            .find(|c| c.row == first)
            .map(|c| c.project_id.clone());
        let before = summary
            .already_created
            .iter()
            .find(|a| a.0 == first)
            .map(|a| a.1.clone());
        match created.or(before) {
            Some(id) => summary.already_created.push((row, id)),
            None => summary.failed.push((
                row,
                format!("the same project as {first}, which was not created"),
            )),
        }
    }
    signals.abort();
    summary.interrupted = stop.interrupted();
    summary.fatal = stop.fatal().or(summary.fatal.take());
    summary.not_started.sort_unstable_by_key(|row| row.number);
    summary.created.sort_by_key(|c| c.row.number);
    summary.failed.sort_by_key(|f| f.0.number);
    summary.unknown.sort_by_key(|u| u.0.number);
    summary.already_created.sort_by_key(|a| a.0.number);
    Ok(summary)
}

/// The run's exports so far, told as [`Event::Overall`] each time they change (with `wait`).
#[derive(Clone)]
struct Tally {
    client: Client,
    wait: bool,
    now: Arc<Mutex<Overall>>,
}

impl Tally {
    fn new(client: Client, wait: bool, downloading: bool) -> Tally {
        let now = Overall {
            downloading,
            ..Overall::default()
        };
        Tally {
            client,
            wait,
            now: Arc::new(Mutex::new(now)),
        }
    }

    fn change(&self, f: impl FnOnce(&mut Overall)) {
        if !self.wait {
            return;
        }
        let now = {
            let mut now = self
                .now
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            f(&mut now);
            *now
        };
        self.client.tell(Event::Overall(now));
    }

    /// One more row to wait for.
    fn waiting(&self) {
        self.change(|o| o.rows += 1);
    }

    /// A row's wait is over: its video ready (`exported`), and on disk (`downloaded`).
    fn over(&self, exported: bool, downloaded: bool) {
        self.change(|o| {
            o.done += 1;
            o.exported += u64::from(exported);
            o.downloaded += u64::from(downloaded);
        });
    }

    /// A download that had `before` bytes has `now`: counted into the run's bytes.
    fn bytes(&self, before: u64, now: u64) {
        self.change(|o| o.bytes = o.bytes.saturating_sub(before) + now);
    }
}

/// Refuses a submission that could not authorize, before any row is compiled, sent or
/// journaled: no credentials and no fresh cached token (exit 1), or a token the API would not
/// give — credentials it refuses, as `auth login` and `models` report them, or the network —
/// (exit 4): each row would otherwise ask for a token and fail alike. The token it gets is
/// cached for the submission.
pub fn check_credentials(api: &super::ApiOptions) -> Result<(), Error> {
    let client = Client::new(api)?;
    client.require_credentials()?;
    Ok(super::runtime()?.block_on(client.authorize())?)
}

/// Submits items from synchronous code: builds a runtime and a client from `api`, runs
/// [`submit_all`], and returns its summary; [`Summary::result`] gives the exit status.
pub(crate) fn submit_items(
    items: impl IntoIterator<Item = SubmitItem>,
    options: &SubmitOptions,
    api: &super::ApiOptions,
    journal: Journal,
) -> Result<Summary, Error> {
    let client = Client::new(api)?;
    client.require_credentials()?;
    super::runtime()?.block_on(submit_all(&client, items, options, journal))
}

/// What the journal says to do with a row before anything is sent.
enum Planned {
    /// Send it; a changed row names the project it supersedes.
    Send(Option<String>),
    /// Created earlier with the same content: its projectId.
    Skipped(String),
    /// Created earlier with the same content, but its export was not seen to end: wait for
    /// it (the journal's record of it), creating nothing.
    Resume(Box<Record>),
    /// Sent earlier, no answer: the reason told.
    Unknown(String),
}

fn planned(
    client: &Client,
    journal: &Mutex<Journal>,
    item: &SubmitItem,
    hash: &str,
    options: &SubmitOptions,
) -> Result<Planned, String> {
    let changed = lock(journal)
        .changed(item.key.as_deref(), item.row.number, hash)
        .cloned();
    if let Some(earlier) = changed {
        let id = earlier.project_id.clone().unwrap_or_default();
        let diff = super::plan::diff(earlier.inputs.as_ref(), item.inputs.as_ref());
        let diff = super::plan::diff_text(&diff);
        let Some(changed) = options.changed else {
            // The command plans every row first and refuses; this is the engine's own guard.
            return Err(format!(
                "{}: {}",
                item.row,
                crate::report::plan::changed_refusal(1, false)
            ));
        };
        let skip = changed == Changed::Skip;
        let what = if skip {
            "skipped (--changed skip)"
        } else {
            "creating a new project"
        };
        client.tell(Event::Row {
            row: item.row,
            message: format!("changed since it was created as project {id} ({diff}); {what}"),
        });
        return Ok(if skip {
            Planned::Skipped(id)
        } else {
            Planned::Send(Some(id))
        });
    }
    let plan = lock(journal).plan(hash);
    match plan {
        Plan::Submit => Ok(Planned::Send(None)),
        Plan::Done(record) => {
            let id = record.project_id.clone().unwrap_or_default();
            lock(journal)
                .adopt(item.row.number, hash, &id)
                .map_err(|e| format!("writing the journal: {e}"))?;
            Ok(
                if options.wait && !id.is_empty() && !finished(&record, item) {
                    Planned::Resume(Box::new(record))
                } else {
                    Planned::Skipped(id)
                },
            )
        }
        Plan::Unknown(_) if options.retry_unknown => Ok(Planned::Send(None)),
        Plan::Unknown(record) => {
            let reason = format!(
                "outcome unknown since {} ({}); skipped: check the account, then rerun with --retry-unknown to submit it again",
                record.at,
                record
                    .error
                    .as_deref()
                    .unwrap_or("sent, no answer recorded")
            );
            client.tell(Event::Row {
                row: item.row,
                message: reason.clone(),
            });
            Ok(Planned::Unknown(reason))
        }
    }
}

/// Whether a row created earlier (its content's last record) needs nothing more of a run that
/// waits: its export was seen to end, and with `--download` its file is there with the size
/// journaled.
fn finished(record: &Record, item: &SubmitItem) -> bool {
    match &item.file {
        Some(place) => {
            record.status == Status::Downloaded
                && record
                    .bytes
                    .is_some_and(|bytes| is_downloaded(&place.path, bytes))
        }
        None => !matches!(record.status, Status::Created | Status::Stalled),
    }
}

/// A row the run stopped before sending: journaled `not-started` (a rerun sends it).
fn not_started(journal: &Mutex<Journal>, item: &SubmitItem, hash: &str, summary: &mut Summary) {
    let mut record = Record::new(item.row.number, hash, Status::NotStarted);
    record.inputs = item.inputs.clone();
    record.key = item.key.clone();
    // Not synced record by record: a lost `not-started` line means the same as none.
    let written = lock(journal).append_unsynced(record);
    if let Err(e) = written {
        summary
            .fatal
            .get_or_insert(format!("writing the journal: {e}"));
    }
    summary.not_started.push(item.row);
}

enum Outcome {
    Created(Created),
    NotStarted(RowAt),
    Failed(RowAt, String),
    Unknown(RowAt, String),
}

fn absorb(summary: &mut Summary, done: Result<Outcome, tokio::task::JoinError>) {
    match done {
        Ok(Outcome::Created(created)) => summary.created.push(created),
        Ok(Outcome::NotStarted(row)) => summary.not_started.push(row),
        Ok(Outcome::Failed(row, reason)) => summary.failed.push((row, reason)),
        Ok(Outcome::Unknown(row, reason)) => summary.unknown.push((row, reason)),
        Err(e) => summary.fatal = Some(format!("a submission task failed: {e}")),
    }
}

fn lock(journal: &Mutex<Journal>) -> std::sync::MutexGuard<'_, Journal> {
    journal
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// One row in flight.
struct Row {
    client: Client,
    journal: Arc<Mutex<Journal>>,
    stop: Stop,
    options: SubmitOptions,
    tally: Tally,
    row: RowAt,
    hash: String,
    key: Option<String>,
    inputs: Option<Value>,
    /// The project's name, journaled for `projects reconcile`.
    name: Option<String>,
    supersedes: Option<String>,
    /// `--download`: where the video goes.
    file: Option<Place>,
    /// A permit per download at once.
    downloads: Arc<Semaphore>,
}

impl Row {
    /// Creates the row's project (holding a job slot for the request, and `export` — a
    /// `--max-exporting` permit — until its export ends), then waits for it with `wait`.
    async fn run(
        self,
        body: Value,
        slot: OwnedSemaphorePermit,
        export: Option<OwnedSemaphorePermit>,
    ) -> Outcome {
        let row = self.row;
        let mut intent = Record::new(row.number, &self.hash, Status::Unknown);
        intent.error = Some("sent; no answer recorded yet".into());
        if self.record(intent).is_err() {
            // Nothing was sent: the row is not started (the run's error says why).
            self.tally.over(false, false);
            return Outcome::NotStarted(row);
        }
        if let Some(fatal) = self.stop.fatal() {
            // Another row's record failed after this one's intent was written: nothing is
            // sent, but the journal says `unknown`, and so does the run.
            self.tally.over(false, false);
            let reason = format!(
                "not sent: the run stopped ({fatal}) after its intent was journaled, so the journal says unknown; rerun with --retry-unknown to send it"
            );
            self.tell(&format!("outcome unknown: {reason}"));
            return Outcome::Unknown(row, reason);
        }
        let created = self.client.create_project(&body, true).await;
        let project_id = match created {
            Ok(id) => id,
            Err(error) => return self.failure(error),
        };
        let mut record = Record::new(row.number, &self.hash, Status::Created);
        record.project_id = Some(project_id.clone());
        record.supersedes.clone_from(&self.supersedes);
        let journaled = self.record(record);
        // The slot is given back once the answer is journaled: a journal that cannot be
        // written stops the run before the next row waiting for a slot is sent.
        drop(slot);
        if let Err(reason) = journaled {
            // The journal still says `unknown` for the row: so does the run, naming the
            // project that was created, never printing it as created.
            self.tally.over(false, false);
            if self.options.wait {
                self.client.tell(Event::ExportOver { row });
            }
            let reason = format!(
                "created as project {project_id}, but its `created` record could not be journaled ({reason}); the journal says unknown, so a rerun does not create it again"
            );
            self.tell(&format!("outcome unknown: {reason}"));
            return Outcome::Unknown(row, reason);
        }
        let outcome = Created::new(row, &project_id);
        self.follow(outcome, export).await
    }

    /// A row created by an earlier run whose export was not seen to end (waited for), or
    /// whose video is not on disk (downloaded): nothing is created.
    async fn resume(self, record: Box<Record>, export: Option<OwnedSemaphorePermit>) -> Outcome {
        let project_id = record.project_id.clone().unwrap_or_default();
        let mut outcome = Created::new(self.row, &project_id);
        let ended = matches!(record.status, Status::Exported | Status::Downloaded);
        if let Some(url) = record.download_url.clone().filter(|_| ended) {
            // The URL may have expired since: the download reads the progress for a new one.
            outcome.download_url = Some(url);
            return self.deliver(outcome).await;
        }
        self.follow(outcome, export).await
    }

    /// With `wait`, polls the created project's export until it ends (then `export`, the
    /// row's `--max-exporting` permit, is given back) and journals how it ended.
    async fn follow(&self, mut outcome: Created, export: Option<OwnedSemaphorePermit>) -> Outcome {
        let row = self.row;
        if !self.options.wait {
            return Outcome::Created(outcome);
        }
        let waited = self.wait_for_export(&outcome.project_id).await;
        drop(export);
        match waited {
            Ok(Some(url)) => {
                let mut exported = Record::new(row.number, &self.hash, Status::Exported);
                exported.project_id = Some(outcome.project_id.clone());
                exported.download_url = Some(url.clone());
                outcome.download_url = Some(url);
                if let Err(reason) = self.record(exported) {
                    outcome.wait_error = Some(reason);
                }
            }
            Ok(None) => outcome.wait_error = Some("stopped before the export finished".into()),
            Err(error) if error.kind == ErrorKind::Stalled => {
                let mut stalled = Record::new(row.number, &self.hash, Status::Stalled);
                stalled.project_id = Some(outcome.project_id.clone());
                stalled.error = Some(error.message.clone());
                outcome.stalled = true;
                outcome.wait_error = Some(error.message.clone());
                self.tell(&error.message);
                if let Err(reason) = self.record(stalled) {
                    outcome.wait_error = Some(reason);
                }
            }
            Err(error) => {
                let reason = format!(
                    "created as {}, but waiting for its export failed: {error}",
                    outcome.project_id
                );
                self.tell(&reason);
                outcome.wait_error = Some(reason);
            }
        }
        self.client.tell(Event::ExportOver { row });
        self.deliver(outcome).await
    }

    /// The end of a row's wait: with `--download` and its video exported, the download; then
    /// the row counted as over.
    async fn deliver(&self, mut outcome: Created) -> Outcome {
        if let (Some(place), Some(url)) = (&self.file, outcome.download_url.clone())
            && outcome.wait_error.is_none()
        {
            match self.download(&outcome.project_id, &url, place).await {
                Ok(Some(downloaded)) => outcome.downloaded = Some(downloaded),
                Ok(None) => {
                    outcome.wait_error = Some("stopped before the download finished".into())
                }
                Err(reason) => {
                    self.tell(&reason);
                    outcome.wait_error = Some(reason);
                }
            }
        }
        self.tally
            .over(outcome.download_url.is_some(), outcome.downloaded.is_some());
        Outcome::Created(outcome)
    }

    /// Downloads the exported video to `place` (at most `jobs` at once) and journals it
    /// `downloaded`; `None` if the run was stopped first. A failure is the row's reason: it
    /// stays `exported` in the journal, so a rerun downloads it without creating anything.
    async fn download(
        &self,
        project_id: &str,
        url: &str,
        place: &Place,
    ) -> Result<Option<Downloaded>, String> {
        let shown = crate::display_path(&place.path);
        let failed = |why: String| {
            format!("exported as {project_id}, but downloading it to {shown} failed: {why}")
        };
        let _slot = tokio::select! {
            slot = self.downloads.acquire() => slot.expect("the semaphore is never closed"),
            () = self.stop.wait() => return Ok(None),
        };
        // Checked again just before writing: no link below the folder, nothing but a file.
        let target = crate::emit::confined(&place.folder, place.inside())
            .map_err(|e| failed(e.to_string()))?;
        let received = std::sync::atomic::AtomicU64::new(0);
        let on_bytes = |now: u64, _total: Option<u64>| {
            let before = received.swap(now, Ordering::Relaxed);
            self.tally.bytes(before, now);
        };
        let downloaded = tokio::select! {
            done = self.client.download_export(project_id, url, &target, &on_bytes) => done,
            () = self.stop.wait() => return Ok(None),
        };
        let downloaded = downloaded.map_err(|e| failed(e.message))?;
        let mut record = Record::new(self.row.number, &self.hash, Status::Downloaded);
        record.project_id = Some(project_id.to_owned());
        record.download_url = Some(url.to_owned());
        record.path = Some(shown);
        record.bytes = Some(downloaded.bytes);
        record.sha256 = Some(downloaded.sha256.clone());
        self.record(record)?;
        Ok(Some(downloaded))
    }

    /// Tells the row's note when the run reports rows (a batch).
    fn tell(&self, message: &str) {
        if self.options.report_rows {
            self.client.tell(Event::Row {
                row: self.row,
                message: message.to_owned(),
            });
        }
    }

    fn failure(&self, error: ApiError) -> Outcome {
        let status = if error.kind == ErrorKind::Unknown {
            Status::Unknown
        } else {
            Status::Failed
        };
        let mut record = Record::new(self.row.number, &self.hash, status);
        record.error = Some(error.message.clone());
        let _ = self.record(record);
        if error.kind == ErrorKind::Auth {
            self.stop.fail(error.message.clone());
        }
        if self.options.wait {
            self.tally.over(false, false);
            self.client.tell(Event::ExportOver { row: self.row });
        }
        let what = if status == Status::Unknown {
            "outcome unknown"
        } else {
            "failed"
        };
        self.tell(&format!("{what}: {}", error.message));
        match status {
            Status::Unknown => Outcome::Unknown(self.row, error.message),
            _ => Outcome::Failed(self.row, error.message),
        }
    }

    /// Appends a record; a journal that cannot be written stops the run (going on would risk
    /// creating rows twice on the next run).
    fn record(&self, mut record: Record) -> Result<(), String> {
        record.inputs.clone_from(&self.inputs);
        record.name.clone_from(&self.name);
        record.key.clone_from(&self.key);
        let mut journal = lock(&self.journal);
        journal.append(record).map_err(|e| {
            let path = journal.path().map(crate::display_path).unwrap_or_default();
            let message = format!("cannot write the journal {path}: {e}");
            self.stop.fail(message.clone());
            message
        })
    }

    /// Polls progress (1 s, then ×1.5 up to 30 s) until 100; `None` if the run was stopped.
    async fn wait_for_export(&self, project_id: &str) -> Result<Option<String>, ApiError> {
        let mut delay = self.options.poll_interval;
        let mut moved = (std::time::Instant::now(), -1.0);
        self.client.tell(Event::Export {
            row: self.row,
            project_id: project_id.to_owned(),
            percent: 0.0,
        });
        loop {
            tokio::select! {
                () = tokio::time::sleep(delay) => {}
                () = self.stop.wait() => return Ok(None),
            }
            let progress = self.client.progress(project_id).await?;
            if progress.progress != moved.1 {
                moved = (std::time::Instant::now(), progress.progress);
            } else if let Some(limit) = self.options.export_timeout
                && moved.0.elapsed() >= limit
            {
                return Err(ApiError::new(
                    ErrorKind::Stalled,
                    format!(
                        "export of {project_id} stalled at {}% (no progress for {:.0} s)",
                        progress.progress,
                        limit.as_secs_f64()
                    ),
                ));
            }
            self.client.tell(Event::Export {
                row: self.row,
                project_id: project_id.to_owned(),
                percent: progress.progress,
            });
            if progress.progress >= 100.0 {
                if let Some(url) = progress.download_url {
                    return Ok(Some(url));
                }
                // Done but no URL in the progress answer: the stored project may carry it.
                let project = self.client.project(project_id).await?;
                return match project.get("download_url").and_then(Value::as_str) {
                    Some(url) if !url.is_empty() => Ok(Some(url.to_owned())),
                    _ => Err(ApiError::new(
                        ErrorKind::Refused { status: 200 },
                        "the export finished without a download URL",
                    )),
                };
            }
            delay = delay.mul_f64(1.5).min(Duration::from_secs(30));
        }
    }
}

/// The run's stop switch: Ctrl-C, SIGTERM, or a fatal error.
#[derive(Clone)]
struct Stop {
    switch: Arc<watch::Sender<bool>>,
    state: Arc<Mutex<(bool, Option<String>)>>,
    /// The caller's flag, raised with the switch.
    outside: Option<Arc<AtomicBool>>,
}

impl Stop {
    fn new(outside: Option<Arc<AtomicBool>>) -> Stop {
        Stop {
            switch: Arc::new(watch::channel(false).0),
            state: Arc::new(Mutex::new((false, None))),
            outside,
        }
    }

    fn raise(&self) {
        if let Some(outside) = &self.outside {
            outside.store(true, Ordering::Relaxed);
        }
        self.switch.send_replace(true);
    }

    fn is_stopped(&self) -> bool {
        *self.switch.borrow()
    }

    async fn wait(&self) {
        let mut receiver = self.switch.subscribe();
        let _ = receiver.wait_for(|stopped| *stopped).await;
    }

    fn interrupted(&self) -> bool {
        self.state.lock().map(|s| s.0).unwrap_or(false)
    }

    fn fatal(&self) -> Option<String> {
        self.state.lock().ok().and_then(|s| s.1.clone())
    }

    fn fail(&self, message: String) {
        if let Ok(mut state) = self.state.lock() {
            state.1.get_or_insert(message);
        }
        self.raise();
    }

    /// The first Ctrl-C or SIGTERM stops the run; a second Ctrl-C tells the command to quit
    /// at once (the journal is already on disk, record by record).
    async fn on_signals(self, client: Client) {
        #[cfg(unix)]
        let mut term =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
        #[cfg(unix)]
        let terminated = async {
            match term.as_mut() {
                Some(term) => {
                    term.recv().await;
                }
                None => std::future::pending().await,
            }
        };
        #[cfg(not(unix))]
        let terminated = std::future::pending::<()>();
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            () = terminated => {}
        }
        if let Ok(mut state) = self.state.lock() {
            state.0 = true;
        }
        self.raise();
        client.tell(Event::Interrupted);
        if tokio::signal::ctrl_c().await.is_ok() {
            client.tell(Event::QuitNow);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_set_the_documented_body_fields() {
        let options = SubmitOptions {
            export: false,
            webhook: Some("https://example.com/hook".into()),
            resolution: Some("720".into()),
            workspace: Some("ws1".into()),
            ..SubmitOptions::default()
        };
        let body = options.body(serde_json::json!({"name": "x", "isExport": true, "scenes": []}));
        assert_eq!(
            body,
            serde_json::json!({"name": "x", "isExport": false, "scenes": [], "webhookUrl": "https://example.com/hook",
                "resolution": "720", "workspaceId": "ws1"})
        );
        let unchanged = SubmitOptions::default().body(serde_json::json!({"isExport": false}));
        assert_eq!(unchanged, serde_json::json!({"isExport": false}));
    }

    /// Each row is counted once, by the state it ended in: an exported row is not also
    /// counted as created.
    #[test]
    fn the_summary_line_counts_each_row_by_its_one_state() {
        let exported = Created {
            download_url: Some("http://x/1.mp4".into()),
            ..Created::new(RowAt::numbered(1), "p1")
        };
        let stalled = Created {
            stalled: true,
            wait_error: Some("stalled".into()),
            ..Created::new(RowAt::numbered(2), "p2")
        };
        let summary = Summary {
            total: 6,
            created: vec![exported, stalled, Created::new(RowAt::numbered(3), "p3")],
            already_created: vec![(RowAt::numbered(4), "p4".into())],
            failed: vec![(RowAt::numbered(5), "no".into())],
            not_started: vec![RowAt::numbered(6)],
            ..Summary::default()
        };
        assert_eq!(
            summary.line(),
            "6 rows: 1 created, 1 skipped, 1 exported, 1 not-started, 1 failed, 1 stalled"
        );
        let states: Vec<Status> = summary.states().iter().map(|s| s.status).collect();
        assert_eq!(
            states,
            [
                Status::Exported,
                Status::Stalled,
                Status::Created,
                Status::Skipped,
                Status::Failed,
                Status::NotStarted
            ]
        );
    }

    #[test]
    fn the_summary_maps_to_exit_codes() {
        let mut summary = Summary {
            total: 3,
            ..Summary::default()
        };
        assert!(summary.result().is_ok());
        summary.unknown.push((RowAt::numbered(2), "x".into()));
        assert_eq!(summary.result().unwrap_err().exit_code(), 3);
        summary.fatal = Some("refused".into());
        assert_eq!(summary.result().unwrap_err().exit_code(), 4);
        summary.interrupted = true;
        assert_eq!(summary.result().unwrap_err().exit_code(), 130);
    }
}
