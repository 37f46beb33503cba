//! `vidspec journal merge`: the journals of shards (or of runs on several machines) joined
//! into one, read without their locks, every record carried byte for byte.
//!
//! Records are interleaved by time (`at`), each journal's own order kept. A line that is in an
//! earlier input already is dropped as a duplicate. A content (hash) or a row that two
//! journals disagree on is a conflict, named:
//! - the same content created as two different projects (one is a duplicate);
//! - the same content created in one journal and `unknown` in another (the second run sent it
//!   again, and may have made a second project);
//! - the same row — the same key, or the same number for records without one — created with
//!   different contents in two journals (the shards did not run over the same CSV and spec),
//!   unless the later record `supersedes` the earlier project.
//!
//! What is not a conflict: a content that failed or was not started in one journal and has a
//! project in another keeps the project — its record is written once more at the end, so a
//! rerun on the merged journal skips it instead of creating it again.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::Error;

/// The fields of a record the merge reads; every other field is carried as it is.
#[derive(Clone, Deserialize)]
struct Fields {
    row: u64,
    hash: String,
    status: String,
    #[serde(rename = "projectId", default)]
    project_id: Option<String>,
    #[serde(default)]
    supersedes: Option<String>,
    /// The row's key (its key columns' values), which names it whatever its row number.
    #[serde(default)]
    key: Option<String>,
    #[serde(default)]
    at: String,
}

impl Fields {
    /// What names the row: its key where journaled (a reordered CSV moves row numbers, not
    /// keys), else its number.
    fn who(&self) -> (Option<&str>, u64) {
        match self.key.as_deref() {
            Some(key) => (Some(key), 0),
            None => (None, self.row),
        }
    }
}

#[derive(Clone)]
struct Entry {
    input: usize,
    bytes: Vec<u8>,
    fields: Fields,
}

/// A merged journal, not yet written.
pub(crate) struct Merged {
    /// The merged journal's bytes (JSON Lines).
    pub(crate) bytes: Vec<u8>,
    /// Records written (restated ones included).
    pub(crate) records: usize,
    /// Rows the merged journal holds.
    pub(crate) rows: usize,
    /// Lines dropped because an earlier input holds the same line.
    pub(crate) duplicates: usize,
    /// Records written again at the end so a project wins over a failure elsewhere.
    pub(crate) restated: usize,
    /// What the journals disagree on, one sentence each.
    pub(crate) conflicts: Vec<String>,
    /// Lines that are not records: `(journal, line number)`.
    pub(crate) unreadable: Vec<(PathBuf, usize)>,
}

/// Reads `paths` (never taking their locks: a batch may be writing one) and merges them.
pub(crate) fn merge(paths: &[PathBuf]) -> Result<Merged, Error> {
    let mut inputs: Vec<Vec<Entry>> = Vec::new();
    let mut unreadable = Vec::new();
    for (input, path) in paths.iter().enumerate() {
        let mut entries = Vec::new();
        super::journal::read_lines(path, |number, line| {
            match line.and_then(|l| Some((l, serde_json::from_slice::<Fields>(l).ok()?))) {
                Some((bytes, fields)) => entries.push(Entry {
                    input,
                    bytes: bytes.to_vec(),
                    fields,
                }),
                None => unreadable.push((path.clone(), number)),
            }
        })?;
        inputs.push(entries);
    }
    let conflicts = conflicts(paths, &inputs);
    let (mut lines, duplicates) = interleave(inputs);
    let restated = restate(&mut lines);
    let rows: HashSet<u64> = lines.iter().map(|e| e.fields.row).collect();
    let mut bytes = Vec::new();
    for entry in &lines {
        bytes.extend_from_slice(&entry.bytes);
        bytes.push(b'\n');
    }
    Ok(Merged {
        bytes,
        records: lines.len(),
        rows: rows.len(),
        duplicates,
        restated,
        conflicts,
        unreadable,
    })
}

/// Every input's records in one sequence by time, each input's order kept (the earliest
/// next record first; a tie goes to the earlier input); lines already taken are dropped.
fn interleave(inputs: Vec<Vec<Entry>>) -> (Vec<Entry>, usize) {
    let total = inputs.iter().map(Vec::len).sum();
    let mut queues: Vec<std::collections::VecDeque<Entry>> =
        inputs.into_iter().map(Into::into).collect();
    let mut seen: HashSet<Vec<u8>> = HashSet::new();
    let mut out = Vec::with_capacity(total);
    let mut duplicates = 0;
    loop {
        let next = queues
            .iter()
            .enumerate()
            .filter_map(|(i, q)| Some((i, q.front()?)))
            .min_by(|(i, a), (j, b)| a.fields.at.cmp(&b.fields.at).then(i.cmp(j)))
            .map(|(i, _)| i);
        let Some(i) = next else { break };
        let entry = queues[i].pop_front().expect("the queue has a front");
        if seen.insert(entry.bytes.clone()) {
            out.push(entry);
        } else {
            duplicates += 1;
        }
    }
    (out, duplicates)
}

/// A content whose last merged record has no project while some record gives it one: that
/// project's last record again at the end, so the merged journal skips the content.
fn restate(lines: &mut Vec<Entry>) -> usize {
    let mut last: HashMap<&str, usize> = HashMap::new();
    let mut last_project: HashMap<&str, usize> = HashMap::new();
    for (i, entry) in lines.iter().enumerate() {
        last.insert(&entry.fields.hash, i);
        if entry.fields.project_id.is_some() {
            last_project.insert(&entry.fields.hash, i);
        }
    }
    let mut again: Vec<usize> = last
        .iter()
        .filter_map(|(hash, &i)| {
            let project = *last_project.get(hash)?;
            (lines[i].fields.project_id.is_none() && lines[i].fields.status != "unknown")
                .then_some(project)
        })
        .collect();
    again.sort_unstable();
    let copies: Vec<Entry> = again.iter().map(|&i| lines[i].clone()).collect();
    let n = copies.len();
    lines.extend(copies);
    n
}

/// What the inputs disagree on, judged by each input's last record of a content and of a row.
fn conflicts(paths: &[PathBuf], inputs: &[Vec<Entry>]) -> Vec<String> {
    let name = |input: usize| crate::display_path(&paths[input]);
    // content → each input's last record of it; row → each input's last record of it.
    let mut by_hash: HashMap<&str, Vec<&Entry>> = HashMap::new();
    let mut by_row: HashMap<(Option<&str>, u64), Vec<&Entry>> = HashMap::new();
    for entries in inputs {
        let mut hash_last: HashMap<&str, &Entry> = HashMap::new();
        let mut row_last: HashMap<(Option<&str>, u64), &Entry> = HashMap::new();
        for entry in entries {
            hash_last.insert(&entry.fields.hash, entry);
            row_last.insert(entry.fields.who(), entry);
        }
        for (hash, entry) in hash_last {
            by_hash.entry(hash).or_default().push(entry);
        }
        for (row, entry) in row_last {
            by_row.entry(row).or_default().push(entry);
        }
    }
    let mut found: Vec<(u64, String)> = Vec::new();
    for finals in by_hash.values() {
        let with_project: Vec<&&Entry> = finals
            .iter()
            .filter(|e| e.fields.project_id.is_some())
            .collect();
        let Some(first) = with_project.first() else {
            continue;
        };
        let first_id = first.fields.project_id.as_deref().unwrap_or_default();
        for other in &with_project[1..] {
            let id = other.fields.project_id.as_deref().unwrap_or_default();
            if id != first_id {
                found.push((
                    first.fields.row,
                    format!(
                        "row {} ({}): the same content was created as {first_id} in {} and as {id} in {} (row {}); one of the two projects is a duplicate",
                        first.fields.row, first.fields.status, name(first.input), name(other.input), other.fields.row
                    ),
                ));
            }
        }
        for unknown in finals
            .iter()
            .filter(|e| e.fields.project_id.is_none() && e.fields.status == "unknown")
        {
            found.push((
                unknown.fields.row,
                format!(
                    "row {}: created as {first_id} in {} but unknown in {} (row {}): that run sent it again and may have created a second project",
                    first.fields.row, name(first.input), name(unknown.input), unknown.fields.row
                ),
            ));
        }
    }
    for finals in by_row.values() {
        let with_project: Vec<&&Entry> = finals
            .iter()
            .filter(|e| e.fields.project_id.is_some())
            .collect();
        for (i, a) in with_project.iter().enumerate() {
            for b in &with_project[i + 1..] {
                if a.fields.hash == b.fields.hash {
                    continue;
                }
                let replaces = |x: &Entry, y: &Entry| {
                    x.fields.supersedes.is_some() && x.fields.supersedes == y.fields.project_id
                };
                if replaces(a, b) || replaces(b, a) {
                    continue;
                }
                let row = a.fields.row;
                let named = a
                    .fields
                    .key
                    .as_deref()
                    .map_or_else(String::new, |key| format!(" ({key})"));
                found.push((
                    row,
                    format!(
                        "row {row}{named}: different contents in {} (project {}) and {} (project {}): were the shards run over the same CSV and spec?",
                        name(a.input),
                        a.fields.project_id.as_deref().unwrap_or_default(),
                        name(b.input),
                        b.fields.project_id.as_deref().unwrap_or_default()
                    ),
                ));
            }
        }
    }
    found.sort();
    found.into_iter().map(|(_, text)| text).collect()
}

/// Refuses an output that a run is writing (replacing it would lose that run's next records).
pub(crate) fn check_output(output: &Path) -> Result<(), Error> {
    match super::journal::writer_of(output) {
        Some(holder) => Err(Error::Usage(format!(
            "{} is the journal of a run in progress ({holder}); write the merge to another file",
            crate::display_path(output)
        ))),
        None => Ok(()),
    }
}
