//! The `projects` commands' outcomes as text: the account's list (lines or JSON), the
//! question before a delete and what it did, and what `reconcile` made of each unknown row.

use super::plural;
use crate::api::account::{Listed, Outcome, Reconciled};

/// What the vendor's list holds, said under every list.
pub(crate) const LIST_LIMIT: &str =
    "the vendor lists only exported projects: a draft or a project still exporting is not in it";

/// `id<TAB>name<TAB>state<TAB>download URL`, one project a line.
pub(crate) fn list_lines(projects: &[Listed]) -> String {
    projects
        .iter()
        .map(|p| {
            let url = p.download_url.as_deref().unwrap_or("-");
            format!("{}\t{}\t{}\t{url}\n", p.id, p.name, p.state)
        })
        .collect()
}

/// The list as one JSON array.
pub(crate) fn list_json(projects: &[Listed]) -> String {
    let mut text = serde_json::to_string_pretty(projects).expect("listed projects serialize");
    text.push('\n');
    text
}

/// The count under a list.
pub(crate) fn list_note(count: usize) -> String {
    format!("{} ({LIST_LIMIT})", plural(count, "exported project"))
}

/// The question before deleting `ids`.
pub(crate) fn delete_question(ids: &[String]) -> String {
    let shown: Vec<&str> = ids.iter().take(5).map(String::as_str).collect();
    let more = ids.len().saturating_sub(shown.len());
    let tail = if more > 0 {
        format!(" and {more} more")
    } else {
        String::new()
    };
    format!(
        "delete {} ({}{tail})? This cannot be undone. [y/N] ",
        plural(ids.len(), "project"),
        shown.join(", ")
    )
}

/// What a delete did.
pub(crate) fn deleted(asked: usize, deleted: u64) -> String {
    let missing = (asked as u64).saturating_sub(deleted);
    if missing == 0 {
        format!("deleted {}", plural(asked, "project"))
    } else {
        format!(
            "deleted {deleted} of {}; the API did not find {missing} (deleted already, or not this account's)",
            plural(asked, "project")
        )
    }
}

/// One line per unknown row: journaled as created, or left unknown and why.
pub(crate) fn reconciled(results: &[Reconciled]) -> String {
    results.iter().map(|r| format!("{}\n", line(r))).collect()
}

fn line(result: &Reconciled) -> String {
    let row = match &result.name {
        Some(name) => format!("row {} ({name:?})", result.row),
        None => format!("row {}", result.row),
    };
    let reason = match &result.outcome {
        Outcome::Created(id) => {
            return format!(
                "{row}: created as {id}: the one exported project of that name; journaled as created"
            );
        }
        Outcome::NoName => {
            "the journal holds no project name for it (written by an older vidspec)".to_owned()
        }
        Outcome::NoMatch => format!(
            "no exported project has that name ({LIST_LIMIT}; try again once exports finish)"
        ),
        Outcome::Several(ids) => format!(
            "{} exported projects have that name ({}); delete the extra ones, then reconcile again",
            ids.len(),
            ids.join(", ")
        ),
        Outcome::Shared { project_id, rows } => {
            let rows: Vec<String> = rows.iter().map(u64::to_string).collect();
            format!(
                "the one project of that name, {project_id}, is also the only match of rows {}",
                rows.join(", ")
            )
        }
    };
    format!("{row}: left unknown: {reason}")
}

/// The line after reconciling.
pub(crate) fn reconcile_summary(results: &[Reconciled]) -> String {
    let created = results.iter().filter(|r| r.record.is_some()).count();
    format!(
        "reconciled {}: {created} journaled as created, {} left unknown",
        plural(results.len(), "unknown row"),
        results.len() - created
    )
}
