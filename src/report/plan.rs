//! `batch --submit --plan` rendered: a line per row on stdout (row, what would happen, its
//! estimated speech, its key), the counts per state and the total speech on stderr, and the
//! message of a run that refuses to go on with changed rows.

use crate::api::plan::{PlannedRow, Step, diff_text};
use crate::speech;

/// Changed rows shown with their diff in a summary or a refusal.
const DIFFS_SHOWN: usize = 5;

/// `row<TAB>step<TAB>seconds<TAB>key[<TAB>diff]`, one line per row.
pub(crate) fn rows(planned: &[PlannedRow]) -> String {
    let mut out = String::new();
    for row in planned {
        out.push_str(&format!(
            "{}\t{}\t{:.1}\t{}",
            row.row.number,
            row.step.name(),
            row.seconds,
            row.key.as_deref().unwrap_or("")
        ));
        if row.step == Step::Changed {
            out.push_str(&format!("\t{}", diff_text(&row.diff)));
        }
        out.push('\n');
    }
    out
}

/// `plan: 300 rows: 10 created, 5 changed, 285 skipped; speech 52 min 10 s (…)` and the first
/// changed rows' diffs.
pub(crate) fn summary(planned: &[PlannedRow]) -> String {
    let total: f64 = planned.iter().map(|r| r.seconds).sum();
    let created: f64 = planned
        .iter()
        .filter(|r| matches!(r.step, Step::Create | Step::Changed | Step::FailedBefore))
        .map(|r| r.seconds)
        .sum();
    let mut out = format!(
        "plan: {}; estimated speech {} in all, {} in the rows to be created (nothing was sent)",
        counts(planned),
        speech::duration(total),
        speech::duration(created)
    );
    out.push_str(&diffs(planned));
    out
}

/// The message of a run that stops before sending anything because rows changed.
/// `batch` and `submit` without `--changed` stop here (exit 2) when a row changed.
pub(crate) fn refuse_changed(
    planned: &[PlannedRow],
    batch: bool,
) -> Result<(), crate::error::Error> {
    let changed = planned.iter().filter(|r| r.step == Step::Changed).count();
    if changed == 0 {
        return Ok(());
    }
    Err(crate::error::Error::Usage(format!(
        "{}{}",
        changed_refusal(changed, batch),
        diffs(planned)
    )))
}

/// Why a run with `changed` rows changed since their project was created sends nothing, and
/// what to rerun with; a batch's `--plan` shows every row.
pub(crate) fn changed_refusal(changed: usize, batch: bool) -> String {
    format!(
        "{changed} row(s) changed since their project was created; nothing was sent. Rerun with --changed create (new projects; the old ones are journaled as superseded) or --changed skip (keep the old ones){}",
        if batch {
            "; --plan shows every row"
        } else {
            ""
        }
    )
}

fn counts(planned: &[PlannedRow]) -> String {
    let counts = Step::ALL.iter().map(|step| {
        let n = planned.iter().filter(|r| r.step == *step).count();
        (n, step.name())
    });
    super::rows::counts_line(planned.len(), counts)
}

/// The first changed rows, one line each: `  row 3 (line 4), name=Ada, project p1: price: 1 → 2`.
fn diffs(planned: &[PlannedRow]) -> String {
    let changed: Vec<&PlannedRow> = planned.iter().filter(|r| r.step == Step::Changed).collect();
    let mut out = String::new();
    for row in changed.iter().take(DIFFS_SHOWN) {
        let key = row
            .key
            .as_deref()
            .map(|k| format!(", {k}"))
            .unwrap_or_default();
        let project = row.project_id.as_deref().unwrap_or("?");
        out.push_str(&format!(
            "\n  {}{key}, project {project}: {}",
            row.row,
            diff_text(&row.diff)
        ));
    }
    if changed.len() > DIFFS_SHOWN {
        out.push_str(&format!("\n  … and {} more", changed.len() - DIFFS_SHOWN));
    }
    out
}
