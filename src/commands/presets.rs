//! `vidspec presets list|show|extract|pull`: the model presets vidspec knows, and new ones
//! made from an editor's project — a saved file (`extract`) or one fetched from the API
//! (`pull`).

use crate::cli::PresetsCommand;
use crate::decompile::presets::{self, Extracted};
use crate::error::Error;
use crate::report::Reporter;

pub(super) fn run(command: PresetsCommand, reporter: &Reporter) -> Result<(), Error> {
    match command {
        PresetsCommand::List { templates } => reporter.out(presets::list(&templates)?.as_bytes()),
        PresetsCommand::Show { name, templates } => {
            reporter.out(presets::show(&name, &templates)?.as_bytes())
        }
        PresetsCommand::Extract {
            project,
            alias,
            output,
        } => report(
            presets::extract(&project, alias.as_deref(), output.as_deref())?,
            reporter,
        ),
        #[cfg(not(feature = "submit"))]
        PresetsCommand::Pull { .. } => Err(super::offline("presets pull")),
        #[cfg(feature = "submit")]
        PresetsCommand::Pull {
            id,
            alias,
            output,
            api,
        } => {
            presets::check_alias(alias.as_deref())?;
            let project = super::pull::fetch(&id, &api, reporter)?;
            let label = format!("project {id}");
            report(
                presets::extract_from(&project, &label, alias.as_deref(), output.as_deref())?,
                reporter,
            )
        }
    }
}

/// The files written on stdout, one a line (or with `-o -`, the presets themselves); the
/// warnings; an error when a clip gave no preset.
fn report(extracted: Extracted, reporter: &Reporter) -> Result<(), Error> {
    reporter.diagnostics(&extracted.warnings);
    let listed: String = extracted
        .written
        .iter()
        .map(|path| crate::display_path(path) + "\n")
        .collect();
    reporter.out(listed.as_bytes())?;
    reporter.out(extracted.printed.as_bytes())?;
    if extracted.problems.is_empty() {
        Ok(())
    } else {
        Err(Error::Invalid(extracted.problems))
    }
}
