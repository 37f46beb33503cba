//! `vidspec presets list|show|extract`: the model presets vidspec knows, and new ones made
//! from an editor's project.

use crate::cli::PresetsCommand;
use crate::decompile::presets;
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
        } => {
            let extracted = presets::extract(&project, alias.as_deref(), output.as_deref())?;
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
    }
}
