//! The account's projects as data: the vendor's list (`GET /editor/project`, which holds only
//! exported projects), the projects a journal says were replaced (`supersedes`), and what
//! `projects reconcile` makes of each `unknown` row — matched by its exact project name to
//! exactly one exported project, or left unknown with the reason.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::Value;

use super::journal::{Journal, Record, Status};

/// One project of the vendor's list.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub(crate) struct Listed {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) state: String,
    #[serde(rename = "downloadUrl")]
    pub(crate) download_url: Option<String>,
}

impl Listed {
    /// An item of the list; `None` without an id.
    pub(crate) fn read(item: &Value) -> Option<Listed> {
        let text = |keys: &[&str]| {
            keys.iter()
                .find_map(|k| item.get(*k).and_then(Value::as_str))
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        Some(Listed {
            id: text(&["id", "_id", "projectId"])?,
            name: text(&["name"]).unwrap_or_default(),
            state: text(&["state"]).unwrap_or_else(|| "exported".into()),
            download_url: text(&["download_url", "downloadUrl"]),
        })
    }
}

/// The projects the journal's records say were replaced by a newer project of their row,
/// in the order they appear, without any project a row still holds.
pub(crate) fn superseded(journal: &Journal) -> Vec<String> {
    let held: BTreeSet<&str> = journal
        .latest()
        .into_iter()
        .filter(|r| r.status.has_project())
        .filter_map(|r| r.project_id.as_deref())
        .collect();
    let mut seen = BTreeSet::new();
    journal
        .records()
        .iter()
        .filter_map(|r| r.supersedes.as_deref())
        .filter(|id| !id.is_empty() && !held.contains(id))
        .filter(|id| seen.insert(*id))
        .map(str::to_owned)
        .collect()
}

/// What reconciling did with one `unknown` row.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Outcome {
    /// Exactly one exported project has the row's name: the row is journaled as created.
    Created(String),
    /// The journal holds no project name for the row.
    NoName,
    /// No exported project has the name (yet: one still exporting is not listed).
    NoMatch,
    /// More than one exported project has the name.
    Several(Vec<String>),
    /// The one project with the name is claimed by other unknown rows too.
    Shared { project_id: String, rows: Vec<u64> },
}

/// One `unknown` row and what became of it.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Reconciled {
    pub(crate) row: u64,
    pub(crate) name: Option<String>,
    pub(crate) outcome: Outcome,
    /// The record to append for a row now known to be created.
    pub(crate) record: Option<Record>,
}

/// Matches every row whose last record is `unknown` against the listed projects. A project
/// already journaled for some row is nobody else's.
pub(crate) fn reconcile(journal: &Journal, listed: &[Listed]) -> Vec<Reconciled> {
    let taken: BTreeSet<&str> = journal
        .records()
        .iter()
        .filter_map(|r| r.project_id.as_deref())
        .collect();
    let mut by_name: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for project in listed.iter().filter(|p| !taken.contains(p.id.as_str())) {
        by_name.entry(&project.name).or_default().push(&project.id);
    }
    let unknown: Vec<&Record> = journal
        .latest()
        .into_iter()
        .filter(|r| r.status == Status::Unknown)
        .collect();
    let mut claims: BTreeMap<&str, Vec<u64>> = BTreeMap::new();
    for record in &unknown {
        if let Some([only]) = record
            .name
            .as_deref()
            .and_then(|n| by_name.get(n))
            .map(Vec::as_slice)
        {
            claims.entry(only).or_default().push(record.row);
        }
    }
    unknown
        .into_iter()
        .map(|record| {
            let matches = record
                .name
                .as_deref()
                .map(|n| by_name.get(n).map_or(&[][..], Vec::as_slice));
            let outcome = match matches {
                None => Outcome::NoName,
                Some([]) => Outcome::NoMatch,
                Some([only]) if claims[only].len() > 1 => Outcome::Shared {
                    project_id: (*only).to_owned(),
                    rows: claims[only].clone(),
                },
                Some([only]) => Outcome::Created((*only).to_owned()),
                Some(several) => {
                    Outcome::Several(several.iter().map(|s| (*s).to_owned()).collect())
                }
            };
            let created = match &outcome {
                Outcome::Created(id) => Some(Record {
                    status: Status::Created,
                    project_id: Some(id.clone()),
                    error: None,
                    at: super::now_rfc3339(),
                    ..record.clone()
                }),
                _ => None,
            };
            Reconciled {
                row: record.row,
                name: record.name.clone(),
                outcome,
                record: created,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listed(id: &str, name: &str) -> Listed {
        Listed {
            id: id.into(),
            name: name.into(),
            state: "exported".into(),
            download_url: None,
        }
    }

    fn unknown(row: u64, name: Option<&str>) -> Record {
        let mut record = Record::new(row, &format!("h{row}"), Status::Unknown);
        record.name = name.map(str::to_owned);
        record
    }

    fn journal(records: Vec<Record>) -> Journal {
        let mut journal = Journal::none();
        for record in records {
            journal.append(record).unwrap();
        }
        journal
    }

    #[test]
    fn an_unknown_row_is_created_only_when_exactly_one_free_project_has_its_name() {
        let mut created = Record::new(9, "h9", Status::Created);
        created.project_id = Some("p-taken".into());
        created.name = Some("taken".into());
        let journal = journal(vec![
            unknown(1, Some("one")),
            unknown(2, Some("none")),
            unknown(3, Some("twice")),
            unknown(4, None),
            unknown(5, Some("taken")),
            unknown(6, Some("shared")),
            unknown(7, Some("shared")),
            created,
        ]);
        let list = [
            listed("p1", "one"),
            listed("p3a", "twice"),
            listed("p3b", "twice"),
            listed("p-taken", "taken"),
            listed("p6", "shared"),
        ];
        let outcomes: Vec<(u64, Outcome)> = reconcile(&journal, &list)
            .into_iter()
            .map(|r| (r.row, r.outcome))
            .collect();
        let shared = Outcome::Shared {
            project_id: "p6".into(),
            rows: vec![6, 7],
        };
        assert_eq!(
            outcomes,
            vec![
                (1, Outcome::Created("p1".into())),
                (2, Outcome::NoMatch),
                (3, Outcome::Several(vec!["p3a".into(), "p3b".into()])),
                (4, Outcome::NoName),
                (5, Outcome::NoMatch),
                (6, shared.clone()),
                (7, shared),
            ]
        );
        let record = reconcile(&journal, &list)[0].record.clone().unwrap();
        assert_eq!(
            (record.status, record.hash.as_str()),
            (Status::Created, "h1")
        );
        assert_eq!(record.project_id.as_deref(), Some("p1"));
    }

    #[test]
    fn superseded_projects_are_listed_once_and_never_one_a_row_still_holds() {
        let record = |row, id: &str, supersedes: Option<&str>| {
            let mut r = Record::new(row, id, Status::Created);
            r.project_id = Some(id.into());
            r.supersedes = supersedes.map(str::to_owned);
            r
        };
        let journal = journal(vec![
            record(1, "a", None),
            record(1, "b", Some("a")),
            record(2, "c", None),
            record(2, "d", Some("c")),
            record(2, "d", Some("c")),
            record(3, "e", Some("x")),
            record(3, "x", None),
        ]);
        assert_eq!(superseded(&journal), vec!["a".to_owned(), "c".to_owned()]);
    }

    #[test]
    fn list_items_are_read_with_the_vendors_keys() {
        let item =
            serde_json::json!({"id": "p", "name": "n", "state": "exported", "download_url": "u"});
        assert_eq!(
            Listed::read(&item),
            Some(Listed {
                download_url: Some("u".into()),
                ..listed("p", "n")
            })
        );
        assert_eq!(Listed::read(&serde_json::json!({"name": "n"})), None);
    }
}
