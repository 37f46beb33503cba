//! `batch --submit --plan`: what a submission would do with each row, decided from the
//! journal alone — nothing is sent, not even a token request. The same classification
//! lets a submitting run refuse, before it sends anything, when rows changed since their
//! project was created and `--changed` does not say what to do with them.

use std::collections::HashSet;

use serde_json::Value;

use super::journal::{Journal, Plan as Journaled, hash_project};
use super::submit::SubmitItem;

/// What a submission would do with a row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Step {
    /// New: a project would be created.
    Create,
    /// Created before with the same content.
    Skip,
    /// A project was created for this row's key, but its content differs now.
    Changed,
    /// Sent before, outcome unknown.
    Unknown,
    /// Failed before: it would be tried again.
    FailedBefore,
}

impl Step {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Step::Create => "created",
            Step::Skip => "skipped",
            Step::Changed => "changed",
            Step::Unknown => "unknown",
            Step::FailedBefore => "failed before",
        }
    }

    pub(crate) const ALL: [Step; 5] = [
        Step::Create,
        Step::Skip,
        Step::Changed,
        Step::Unknown,
        Step::FailedBefore,
    ];
}

/// One variable whose value differs from the journaled one.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Change {
    pub(crate) name: String,
    pub(crate) before: Option<Value>,
    pub(crate) after: Option<Value>,
}

/// The plan of one row.
#[derive(Clone, Debug)]
pub(crate) struct PlannedRow {
    pub(crate) row: crate::rows::RowAt,
    pub(crate) step: Step,
    pub(crate) key: Option<String>,
    /// The project created earlier (skipped, changed, unknown).
    pub(crate) project_id: Option<String>,
    /// Changed: the variables that differ.
    pub(crate) diff: Vec<Change>,
    /// The estimated speech duration ([`crate::speech::project_seconds`]).
    pub(crate) seconds: f64,
}

/// Plans rows one at a time, in order; identical projects in one run are one video.
pub(crate) struct Planner<'a> {
    journal: &'a Journal,
    seen: HashSet<String>,
}

impl<'a> Planner<'a> {
    pub(crate) fn new(journal: &'a Journal) -> Planner<'a> {
        Planner {
            journal,
            seen: HashSet::new(),
        }
    }

    /// The plan of `item`; `None` for a row the batch did not compile.
    pub(crate) fn row(&mut self, item: &SubmitItem) -> Option<PlannedRow> {
        let project = item.project.as_ref()?;
        let hash = hash_project(project);
        let mut planned = PlannedRow {
            row: item.row,
            step: Step::Create,
            key: item.key.clone(),
            project_id: None,
            diff: Vec::new(),
            seconds: crate::speech::project_seconds(project),
        };
        if !self.seen.insert(hash.clone()) {
            planned.step = Step::Skip;
            return Some(planned);
        }
        if let Some(earlier) = self
            .journal
            .changed(item.key.as_deref(), item.row.number, &hash)
        {
            planned.step = Step::Changed;
            planned.project_id.clone_from(&earlier.project_id);
            planned.diff = diff(earlier.inputs.as_ref(), item.inputs.as_ref());
            return Some(planned);
        }
        match self.journal.plan(&hash) {
            Journaled::Done(record) => {
                planned.step = Step::Skip;
                planned.project_id = record.project_id;
            }
            Journaled::Unknown(record) => {
                planned.step = Step::Unknown;
                planned.project_id = record.project_id;
            }
            Journaled::Submit if self.journal.failed_before(&hash) => {
                planned.step = Step::FailedBefore;
            }
            Journaled::Submit => {}
        }
        Some(planned)
    }
}

/// The variables whose values differ between two input objects, by name.
pub(crate) fn diff(before: Option<&Value>, after: Option<&Value>) -> Vec<Change> {
    let empty = serde_json::Map::new();
    let before = before.and_then(Value::as_object).unwrap_or(&empty);
    let after = after.and_then(Value::as_object).unwrap_or(&empty);
    let mut names: Vec<&String> = before.keys().chain(after.keys()).collect();
    names.sort();
    names.dedup();
    names
        .into_iter()
        .filter(|name| before.get(*name) != after.get(*name))
        .map(|name| Change {
            name: name.clone(),
            before: before.get(name).cloned(),
            after: after.get(name).cloned(),
        })
        .collect()
}

/// `price: 850000000 → 820000000, name: Ada → Ada L.`; `(none)` for a missing value.
pub(crate) fn diff_text(changes: &[Change]) -> String {
    if changes.is_empty() {
        return "the spec changed, not the row's values".to_owned();
    }
    let shown = |value: &Option<Value>| match value {
        None => "(none)".to_owned(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    };
    changes
        .iter()
        .map(|c| format!("{}: {} → {}", c.name, shown(&c.before), shown(&c.after)))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_diff_names_each_variable_that_differs() {
        let before = serde_json::json!({"name": "Ada", "price": 850000000, "gone": "x"});
        let after = serde_json::json!({"name": "Ada", "price": 820000000, "new": true});
        let changes = diff(Some(&before), Some(&after));
        assert_eq!(
            diff_text(&changes),
            "gone: x → (none), new: (none) → true, price: 850000000 → 820000000"
        );
        assert!(diff(Some(&before), Some(&before)).is_empty());
    }
}
