//! The submit journal (`--journal FILE`): JSON Lines, appended and flushed one record at a time,
//! saying what each row became — `created` (with its projectId), `failed` (with the reason),
//! `unknown` (sent, no answer: maybe created), `not-started` (the run stopped before sending
//! it), `exported` (with the download URL), `stalled` (the export stopped moving) or
//! `downloaded` (with the file's path, size and sha256). Each record carries the row's input
//! values, so a changed row can be shown as a diff of variables.
//!
//! Creating a project is not idempotent, so the journal is what makes a rerun safe: the last
//! record of a row wins; a row already created with the same content hash is skipped, a failed
//! one is tried again, an unknown one is reported and left alone unless `--retry-unknown`.
//! Before a create is sent an `unknown` record is written, so even a run killed mid-request
//! leaves the truth behind: that row's outcome is unknown.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::error::Error;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Created,
    Failed,
    Unknown,
    Exported,
    /// The run stopped (Ctrl-C, SIGTERM, a fatal error) before this row was sent.
    NotStarted,
    /// Created; its export's progress stopped moving for `--export-timeout`.
    Stalled,
    /// Exported, and the video is on disk.
    Downloaded,
    /// A run-level state, never written: created by an earlier run with the same content.
    Skipped,
    /// The project was deleted (`projects delete --superseded`): its content is new again
    /// to a rerun. Not a row's state: the row keeps its last one.
    Deleted,
}

impl Status {
    /// The state's name, as in the journal and `--report`.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Status::Created => "created",
            Status::Failed => "failed",
            Status::Unknown => "unknown",
            Status::Exported => "exported",
            Status::NotStarted => "not-started",
            Status::Stalled => "stalled",
            Status::Downloaded => "downloaded",
            Status::Skipped => "skipped",
            Status::Deleted => "deleted",
        }
    }

    /// Every state, in the order summaries list them.
    pub(crate) const ALL: [Status; 8] = [
        Status::Created,
        Status::Skipped,
        Status::Exported,
        Status::Downloaded,
        Status::NotStarted,
        Status::Unknown,
        Status::Failed,
        Status::Stalled,
    ];

    /// A project exists for the row (created, maybe exported or downloaded since).
    pub(crate) fn has_project(self) -> bool {
        matches!(
            self,
            Status::Created
                | Status::Exported
                | Status::Stalled
                | Status::Downloaded
                | Status::Skipped
        )
    }
}

/// One line of the journal.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Record {
    pub row: u64,
    /// sha256 of the row's compact project JSON: a changed row is a new row.
    pub hash: String,
    pub status: Status,
    #[serde(rename = "projectId", default, skip_serializing_if = "Option::is_none")]
    pub project_id: Option<String>,
    #[serde(
        rename = "downloadUrl",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub download_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The project's name as sent, so `projects reconcile` can find an unknown row's project.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The row's key (`name=Ada`: the values of the key columns), which finds the row again in
    /// a reordered or edited CSV.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// The row's input values (variable → value), to name the row and diff a changed one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inputs: Option<Value>,
    /// The project an earlier run created for this row, replaced by this one
    /// (`--changed create`); `projects delete --superseded` reads it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supersedes: Option<String>,
    /// `downloaded`: where the video is, its size and its sha256.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bytes: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    /// When the record was written (RFC 3339, UTC).
    pub at: String,
}

impl Record {
    pub fn new(row: u64, hash: &str, status: Status) -> Record {
        Record {
            row,
            hash: hash.to_owned(),
            status,
            project_id: None,
            download_url: None,
            error: None,
            name: None,
            key: None,
            inputs: None,
            supersedes: None,
            path: None,
            bytes: None,
            sha256: None,
            at: super::now_rfc3339(),
        }
    }
}

/// What a rerun does with a row, given the journal.
#[derive(Debug, PartialEq)]
pub enum Plan {
    /// Never submitted, failed, or changed since: submit it.
    Submit,
    /// Created (or exported) with the same content: skip it.
    Done(Record),
    /// Sent with the same content, outcome unknown: report it; submit only with `--retry-unknown`.
    Unknown(Record),
}

/// The journal of one run: what earlier runs recorded, and the file new records go to.
#[derive(Debug, Default)]
pub struct Journal {
    path: Option<PathBuf>,
    file: Option<File>,
    last: HashMap<u64, Record>,
    /// The last record of each project content, whatever row it was on: a CSV that was
    /// reordered or grew rows at the top still finds what was created.
    by_hash: HashMap<String, Record>,
    /// Every record, in order (`supersedes` and projectIds of rows rewritten since).
    all: Vec<Record>,
    /// The last record with a project of each row key.
    by_key: HashMap<String, Record>,
    /// Lines that could not be read (a torn last line after a crash, say).
    pub unreadable: usize,
    /// The file does not end in a newline (its last record was torn).
    torn_end: bool,
    /// A write failed (a full disk, a file size limit): nothing more is appended.
    broken: bool,
}

/// The longest journal line read as a record; records are a few hundred bytes.
const MAX_LINE: u64 = 1024 * 1024;

/// A journal must be a regular file: a FIFO or a device would never end or never keep records.
fn regular(file: &File) -> std::io::Result<()> {
    if file.metadata()?.is_file() {
        Ok(())
    } else {
        Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "not a regular file",
        ))
    }
}

/// Reads past the rest of a line; false when the file ended first.
fn skip_line(reader: &mut impl BufRead) -> std::io::Result<bool> {
    loop {
        let buffer = reader.fill_buf()?;
        if buffer.is_empty() {
            return Ok(false);
        }
        if let Some(i) = buffer.iter().position(|&b| b == b'\n') {
            reader.consume(i + 1);
            return Ok(true);
        }
        let n = buffer.len();
        reader.consume(n);
    }
}

/// The process holding the lock on `file`, as a message names it.
fn holder_name(file: &File) -> String {
    lock_holder(file).map_or_else(
        || "another process".to_owned(),
        |pid| format!("another process (pid {pid})"),
    )
}

/// The process holding the lock on `file`, where the system says (Linux: `/proc/locks`).
fn lock_holder(file: &File) -> Option<u32> {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::fs::MetadataExt;
        let inode = file.metadata().ok()?.ino();
        let locks = crate::bounded::read_file(Path::new("/proc/locks"), 16 << 20).ok()?;
        locks.lines().find_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            // `1: FLOCK  ADVISORY  WRITE 4242 08:01:1234 0 EOF`; waiters have a `->` field.
            if fields.get(1) != Some(&"FLOCK") {
                return None;
            }
            let file_inode: u64 = fields.get(5)?.rsplit(':').next()?.parse().ok()?;
            (file_inode == inode).then(|| fields.get(4)?.parse().ok())?
        })
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = file;
        None
    }
}

/// Reads the journal file at `path` line by line, without writing it or taking its lock:
/// `each` gets every non-blank line's number (from 1) and bytes, or `None` for a line longer
/// than any record. True when the file does not end in a newline (its last line is torn, or
/// a run is writing it).
pub(crate) fn read_lines(
    path: &Path,
    each: impl FnMut(usize, Option<&[u8]>),
) -> Result<bool, Error> {
    let shown = || crate::display_path(path);
    let mut file = std::fs::File::open(path)
        .map_err(|e| Error::io(format!("opening the journal {}", shown()), e))?;
    regular(&file).map_err(|e| Error::io(format!("opening the journal {}", shown()), e))?;
    each_line(&mut file, each).map_err(|e| Error::io(format!("reading the journal {}", shown()), e))
}

/// The lines of an open journal file, as [`read_lines`] gives them.
fn each_line(file: &mut File, mut each: impl FnMut(usize, Option<&[u8]>)) -> std::io::Result<bool> {
    let mut reader = std::io::BufReader::new(file);
    let mut line = Vec::new();
    let mut number = 0;
    let mut torn_end = false;
    loop {
        line.clear();
        let read = (&mut reader)
            .take(MAX_LINE + 1)
            .read_until(b'\n', &mut line)?;
        if read == 0 {
            break;
        }
        number += 1;
        let complete = line.last() == Some(&b'\n');
        if !complete && line.len() as u64 > MAX_LINE {
            // Far longer than a record: skip to the end of the line without keeping it.
            each(number, None);
            let ended = skip_line(&mut reader)?;
            torn_end = !ended;
            if !ended {
                break;
            }
            continue;
        }
        torn_end = !complete;
        if line.trim_ascii().is_empty() {
            continue;
        }
        each(number, Some(line.trim_ascii_end()));
    }
    Ok(torn_end)
}

/// The process writing the journal at `path` (a run holds its lock), if one is: `Some` with
/// how to name it. Nothing is locked or written.
pub(crate) fn writer_of(path: &Path) -> Option<String> {
    let file = std::fs::File::open(path).ok()?;
    match file.try_lock_shared() {
        Ok(()) => None,
        Err(_) => Some(holder_name(&file)),
    }
}

impl Journal {
    /// No journal: every row is submitted, nothing is recorded.
    pub fn none() -> Journal {
        Journal::default()
    }

    /// Opens (or creates) the journal at `path` for a run that writes it, and reads what it
    /// holds. The run holds an exclusive lock on the file until the journal is dropped (the
    /// kernel releases it if the process dies): a second run on the same journal is refused,
    /// naming the process that holds it, instead of creating every row a second time.
    pub fn open(path: &Path) -> Result<Journal, Error> {
        let shown = || crate::display_path(path);
        let mut file = std::fs::OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(path)
            .map_err(|e| Error::io(format!("opening the journal {}", shown()), e))?;
        regular(&file).map_err(|e| Error::io(format!("opening the journal {}", shown()), e))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                let holder = holder_name(&file);
                return Err(Error::io(
                    format!("opening the journal {}", shown()),
                    std::io::Error::new(
                        std::io::ErrorKind::WouldBlock,
                        format!(
                            "{holder} is submitting with it; wait for that run to end, or give this one another journal"
                        ),
                    ),
                ));
            }
            Err(std::fs::TryLockError::Error(e)) => {
                return Err(Error::io(format!("locking the journal {}", shown()), e));
            }
        }
        let mut journal = Journal::read_from(&mut file)
            .map_err(|e| Error::io(format!("reading the journal {}", shown()), e))?;
        journal.path = Some(path.to_owned());
        journal.is_a_journal()?;
        if journal.torn_end {
            // A record torn by a crash: start the next one on a line of its own.
            file.seek(SeekFrom::End(0))
                .and_then(|_| file.write_all(b"\n"))
                .and_then(|()| file.sync_data())
                .map_err(|e| Error::io(format!("writing the journal {}", shown()), e))?;
        }
        journal.file = Some(file);
        Ok(journal)
    }

    /// Reads the journal at `path` without writing it or taking its lock (a run may be
    /// appending to it meanwhile; its last line may then be torn, and is counted unreadable).
    pub fn read(path: &Path) -> Result<Journal, Error> {
        let mut journal = Journal::default();
        journal.torn_end = read_lines(path, |_, line| {
            match line.and_then(|l| serde_json::from_slice::<Record>(l).ok()) {
                Some(record) => journal.remember(record),
                None => journal.unreadable += 1,
            }
        })?;
        journal.path = Some(path.to_owned());
        journal.is_a_journal()?;
        Ok(journal)
    }

    /// A file with lines none of which is a record is not a journal (a spec or a CSV given
    /// by mistake): refused, so that nothing is appended to it. One torn line alone is a
    /// journal whose first record a crash cut short.
    fn is_a_journal(&self) -> Result<(), Error> {
        let torn_first = self.unreadable == 1 && self.torn_end;
        if !self.all.is_empty() || self.unreadable == 0 || torn_first {
            return Ok(());
        }
        let shown = self
            .path
            .as_deref()
            .map(crate::display_path)
            .unwrap_or_default();
        Err(Error::Invalid(vec![crate::diag::Diagnostic::error(
            format!(
                "{shown} is not a journal: none of its {} is a journal record (give --journal a new file, or one a submission wrote)",
                crate::report::plural(self.unreadable, "line")
            ),
        )]))
    }

    /// The records of a journal file, line by line. A line that is not a record — torn by a
    /// crash, not UTF-8, longer than any record — is counted in `unreadable` and skipped.
    fn read_from(file: &mut File) -> std::io::Result<Journal> {
        let mut journal = Journal::default();
        journal.torn_end = each_line(file, |_, line| {
            match line.and_then(|l| serde_json::from_slice::<Record>(l).ok()) {
                Some(record) => journal.remember(record),
                None => journal.unreadable += 1,
            }
        })?;
        Ok(journal)
    }

    /// The journal of a run: [`Journal::open`] at `path`, or none.
    pub fn for_run(path: Option<&Path>) -> Result<Journal, Error> {
        path.map_or_else(|| Ok(Journal::none()), Journal::open)
    }

    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Every record read or written, in order.
    pub(crate) fn records(&self) -> &[Record] {
        &self.all
    }

    fn remember(&mut self, record: Record) {
        if record.status == Status::Deleted {
            // Only the content whose project it was forgets it; the row keeps its state.
            let deleted = |r: &Record| r.project_id.is_some() && r.project_id == record.project_id;
            if self.by_hash.get(&record.hash).is_some_and(deleted) {
                self.by_hash.insert(record.hash.clone(), record.clone());
            }
            self.all.push(record);
            return;
        }
        self.all.push(record.clone());
        if let Some(key) = record.key.as_ref().filter(|_| record.status.has_project()) {
            self.by_key.insert(key.clone(), record.clone());
        }
        self.by_hash.insert(record.hash.clone(), record.clone());
        self.last.insert(record.row, record);
    }

    /// What to do with a project that hashes to `hash`. The content decides, not the
    /// row number: the same project on another row (the CSV was reordered) is the same video.
    pub fn plan(&self, hash: &str) -> Plan {
        match self.by_hash.get(hash) {
            Some(record) => match record.status {
                status if status.has_project() => Plan::Done(record.clone()),
                Status::Unknown => Plan::Unknown(record.clone()),
                _ => Plan::Submit,
            },
            None => Plan::Submit,
        }
    }

    /// The project created earlier for the row of `key` (or, for a row without a key or
    /// one journaled without keys, for row number `row` when its last record has no key:
    /// `vidspec submit`'s one row) when the row's content has changed since (no project has
    /// the content `hash`): that record.
    pub fn changed(&self, key: Option<&str>, row: u64, hash: &str) -> Option<&Record> {
        let by_row = || {
            self.last
                .get(&row)
                .filter(|r| r.key.is_none() && r.status.has_project())
        };
        let earlier = key.and_then(|k| self.by_key.get(k)).or_else(by_row)?;
        (earlier.hash != hash && self.plan(hash) == Plan::Submit).then_some(earlier)
    }

    /// The journal has records of created projects: rows can be found changed.
    pub fn has_projects(&self) -> bool {
        self.all.iter().any(|r| r.status.has_project())
    }

    /// The last record of content `hash` failed.
    pub fn failed_before(&self, hash: &str) -> bool {
        self.by_hash
            .get(hash)
            .is_some_and(|r| r.status == Status::Failed)
    }

    /// Records that `row` now holds the already created project `project_id` (the CSV was
    /// reordered), so the journal's rows stay current; nothing is written when they are.
    pub fn adopt(&mut self, row: u64, hash: &str, project_id: &str) -> std::io::Result<()> {
        if self.last.get(&row).is_some_and(|r| r.hash == hash) {
            return Ok(());
        }
        let mut record = match self.by_hash.get(hash) {
            Some(earlier) => Record {
                row,
                at: super::now_rfc3339(),
                ..earlier.clone()
            },
            None => Record::new(row, hash, Status::Created),
        };
        record.project_id = Some(project_id.to_owned());
        self.append(record)
    }

    /// Appends one record and waits until it is on disk (`fdatasync`): an intent record is
    /// durable before its request is sent, a created one before the run reports it.
    pub fn append(&mut self, record: Record) -> std::io::Result<()> {
        self.write(record, true)
    }

    /// Appends one record without waiting for the disk (records whose loss changes nothing).
    pub fn append_unsynced(&mut self, record: Record) -> std::io::Result<()> {
        self.write(record, false)
    }

    /// A record is on disk whole or not at all: a write that fails part way (a full disk, a
    /// file size limit) is cut back to the end of the last whole record, so no torn line is
    /// left to swallow the next one, and nothing more is appended by this run.
    fn write(&mut self, record: Record, sync: bool) -> std::io::Result<()> {
        if let Some(file) = &mut self.file {
            if self.broken {
                return Err(std::io::Error::other(
                    "an earlier record could not be written; nothing more is appended",
                ));
            }
            let mut line = serde_json::to_vec(&record).expect("records serialize");
            line.push(b'\n');
            let end = file.seek(SeekFrom::End(0))?;
            let written = file
                .write_all(&line)
                .and_then(|()| if sync { file.sync_data() } else { Ok(()) });
            if let Err(error) = written {
                self.broken = true;
                let _ = file.set_len(end).and_then(|()| file.sync_data());
                return Err(error);
            }
        }
        self.remember(record);
        Ok(())
    }

    /// Journals that the projects `ids` no longer exist (deleted): a content whose last record
    /// named one of them is new again to a rerun. Ids already journaled deleted are left.
    pub(crate) fn deleted(&mut self, ids: &[String]) -> std::io::Result<()> {
        for id in ids {
            let Some(held) = self
                .all
                .iter()
                .rev()
                .find(|r| r.project_id.as_deref() == Some(id.as_str()))
                .filter(|r| r.status != Status::Deleted)
            else {
                continue;
            };
            let mut record = Record::new(held.row, &held.hash, Status::Deleted);
            record.project_id = Some(id.clone());
            record.key.clone_from(&held.key);
            self.append(record)?;
        }
        Ok(())
    }

    /// The last record of every row, by row.
    pub fn latest(&self) -> Vec<&Record> {
        let mut records: Vec<&Record> = self.last.values().collect();
        records.sort_by_key(|r| r.row);
        records
    }
}

/// The journal hash of a project: sha256 of its compact JSON, in hex.
pub fn hash_project(project: &Value) -> String {
    let bytes = serde_json::to_vec(project).expect("JSON values serialize");
    Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(row: u64, hash: &str, status: Status) -> Record {
        Record::new(row, hash, status)
    }

    #[test]
    fn the_last_record_of_a_content_decides_what_a_rerun_does() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j.jsonl");
        {
            let mut journal = Journal::open(&path).unwrap();
            journal.append(record(1, "a", Status::Unknown)).unwrap();
            journal.append(record(1, "a", Status::Created)).unwrap();
            journal.append(record(2, "b", Status::Failed)).unwrap();
            journal.append(record(3, "c", Status::Created)).unwrap();
            journal.append(record(3, "c", Status::Unknown)).unwrap();
        }
        let journal = Journal::open(&path).unwrap();
        assert!(matches!(journal.plan("a"), Plan::Done(_)));
        assert_eq!(journal.plan("changed"), Plan::Submit);
        assert_eq!(journal.changed(None, 1, "changed").map(|r| r.row), Some(1));
        assert_eq!(journal.changed(None, 1, "a"), None);
        assert_eq!(journal.plan("b"), Plan::Submit);
        assert!(matches!(journal.plan("c"), Plan::Unknown(_)));
        assert_eq!(journal.plan("d"), Plan::Submit);
        assert_eq!(journal.latest().len(), 3);
    }

    #[test]
    fn a_torn_last_line_is_skipped_and_the_next_record_starts_cleanly() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j.jsonl");
        let good = serde_json::to_string(&record(1, "a", Status::Created)).unwrap();
        std::fs::write(&path, format!("{good}\n{{\"row\":2,\"ha")).unwrap();
        let mut journal = Journal::open(&path).unwrap();
        assert_eq!(journal.unreadable, 1);
        journal.append(record(2, "b", Status::Created)).unwrap();
        drop(journal);
        let journal = Journal::open(&path).unwrap();
        assert_eq!(journal.unreadable, 1);
        assert!(matches!(journal.plan("b"), Plan::Done(_)));
    }

    #[test]
    fn a_line_that_is_not_utf8_or_too_long_is_one_unreadable_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j.jsonl");
        let good = serde_json::to_string(&record(1, "a", Status::Created)).unwrap();
        let mut bytes = format!("{good}\n").into_bytes();
        bytes.extend_from_slice(b"{\"row\":2,\"hash\":\"\xff\"}\n");
        bytes.extend(std::iter::repeat_n(b'x', 3 * MAX_LINE as usize));
        bytes.push(b'\n');
        bytes.extend_from_slice(format!("{}\n", good.replace("\"a\"", "\"b\"")).as_bytes());
        std::fs::write(&path, bytes).unwrap();
        let journal = Journal::open(&path).unwrap();
        assert_eq!(journal.unreadable, 2);
        assert!(matches!(journal.plan("a"), Plan::Done(_)));
        assert!(matches!(journal.plan("b"), Plan::Done(_)));
    }

    #[test]
    fn a_journal_is_written_by_one_run_at_a_time_but_read_by_any() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j.jsonl");
        let mut first = Journal::open(&path).unwrap();
        first.append(record(1, "a", Status::Created)).unwrap();
        let err = Journal::open(&path).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("is submitting with it"), "{text}");
        #[cfg(target_os = "linux")]
        assert!(
            text.contains(&format!("(pid {})", std::process::id())),
            "{text}"
        );
        assert_eq!(err.exit_code(), crate::error::exit::INVALID);
        let reader = Journal::read(&path).unwrap();
        assert!(matches!(reader.plan("a"), Plan::Done(_)));
        drop(first);
        assert!(Journal::open(&path).is_ok(), "the lock ends with the run");
    }

    #[cfg(unix)]
    #[test]
    fn a_journal_that_is_not_a_regular_file_is_refused() {
        let err = Journal::open(Path::new("/dev/zero")).unwrap_err();
        assert!(err.to_string().contains("not a regular file"), "{err}");
    }

    #[test]
    fn records_are_json_lines_with_camel_case_ids() {
        let mut r = record(7, "h", Status::Created);
        r.project_id = Some("p1".into());
        r.at = "2025-01-01T00:00:00Z".into();
        assert_eq!(
            serde_json::to_string(&r).unwrap(),
            r#"{"row":7,"hash":"h","status":"created","projectId":"p1","at":"2025-01-01T00:00:00Z"}"#
        );
    }

    #[test]
    fn the_hash_is_sha256_of_compact_json() {
        let hash = hash_project(&serde_json::json!({"a": 1}));
        // sha256 of `{"a":1}`
        assert_eq!(
            hash,
            "015abd7f5cc57a2dd94b7590f04ad8084273905ee33ec5cebeae62276a97f862"
        );
    }
}
