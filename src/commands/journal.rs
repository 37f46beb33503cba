//! `vidspec journal merge J1 J2 … -o J`: the journals of shards joined into one.

use crate::cli::JournalCommand;
use crate::diag::Diagnostic;
use crate::error::Error;
use crate::report::Reporter;

pub(super) fn run(command: JournalCommand, reporter: &Reporter) -> Result<(), Error> {
    let JournalCommand::Merge {
        journals,
        output,
        keep_conflicts,
    } = command;
    let inputs = journals
        .iter()
        .fold(crate::load::Inputs::default(), |inputs, journal| {
            inputs.also("JOURNAL `-`", "an input journal", journal)
        });
    crate::clobber::refuse(&inputs, [("-o", Some(output.as_path()))])?;
    let to_stdout = crate::emit::is_stdout(&output);
    if !to_stdout {
        crate::api::merge::check_output(&output)?;
    }
    let merged = crate::api::merge::merge(&journals)?;
    let unreadable: Vec<Diagnostic> = merged
        .unreadable
        .iter()
        .map(|(path, line)| {
            Diagnostic::warning(format!(
                "{} line {line}: not a journal record (torn by a crash, or a run is writing it); not merged",
                crate::display_path(path)
            ))
        })
        .collect();
    reporter.diagnostics(&unreadable);
    let conflicts: Vec<Diagnostic> = merged
        .conflicts
        .iter()
        .map(|text| {
            let conflict = format!("conflict: {text}");
            if keep_conflicts {
                Diagnostic::warning(conflict)
            } else {
                Diagnostic::error(conflict)
            }
        })
        .collect();
    if !conflicts.is_empty() && !keep_conflicts {
        reporter.note(format_args!(
            "journal merge: {}, nothing written; --keep-conflicts writes every record anyway",
            super::plural(conflicts.len(), "conflict")
        ));
        return Err(Error::Invalid(conflicts));
    }
    reporter.diagnostics(&conflicts);
    let shown = if to_stdout {
        reporter.out(&merged.bytes)?;
        "stdout".to_owned()
    } else {
        crate::emit::write_atomic(&output, &merged.bytes)
            .map_err(|e| Error::io(format!("writing {}", crate::display_path(&output)), e))?;
        crate::display_path(&output)
    };
    let mut extra = String::new();
    if merged.duplicates > 0 {
        let lines = super::plural(merged.duplicates, "duplicate line");
        extra.push_str(&format!(", {lines} dropped"));
    }
    if merged.restated > 0 {
        let (them, win) = if merged.restated == 1 {
            ("its project", "wins")
        } else {
            ("their projects", "win")
        };
        extra.push_str(&format!(
            ", {} restated so {them} {win} over failures elsewhere",
            super::plural(merged.restated, "record")
        ));
    }
    reporter.note(format_args!(
        "journal merge: {}, {}, {}{extra} → {}",
        super::plural(journals.len(), "journal"),
        super::plural(merged.records, "record"),
        super::plural(merged.rows, "row"),
        shown
    ));
    Ok(())
}
