//! `vidspec submit`: one spec compiled and its project created (and by default exported) on
//! AI Studios; prints the projectId, and with `--wait` the download URL.

use crate::api::{SubmitItem, SubmitOptions};
use crate::cli::SubmitArgs;
use crate::error::Error;
use crate::inputs::Inputs;
use crate::report::Reporter;

pub(super) fn run(args: SubmitArgs, reporter: &Reporter) -> Result<(), Error> {
    let inputs = crate::load::Inputs::compile(&args.compile.spec, &args.compile.vars_files);
    crate::clobber::refuse(&inputs, [("--journal", args.send.journal.as_deref())])?;
    let program = crate::compile::Program::load(&args.compile.spec, &args.compile.options())?;
    let (lowered, warnings) = crate::compile::check_loaded(&program, &Inputs::new())?;
    super::warnings(&warnings, args.compile.deny_warnings, reporter)?;
    let inputs = program.inputs(&Inputs::new()).ok();
    let options = SubmitOptions {
        report_rows: false,
        ..args.send.options()
    };
    let waits = if args.send.wait {
        crate::report::api::Waits::One
    } else {
        crate::report::api::Waits::Nothing
    };
    let api = super::api_options(&args.api, None, waits, reporter);
    let item = SubmitItem {
        row: crate::rows::RowAt::numbered(1),
        project: Some(lowered.project),
        inputs: inputs.map(|i| serde_json::to_value(&i).expect("inputs serialize")),
        key: None,
        file: None,
    };
    crate::api::submit::check_credentials(&api)?;
    let journal = crate::api::journal::Journal::for_run(options.journal.as_deref())?;
    if options.changed.is_none() {
        let planned = crate::api::plan::Planner::new(&journal).row(&item);
        crate::report::plan::refuse_changed(planned.as_slice(), false)?;
    }
    let summary = crate::api::submit_items([item], &options, &api, journal)?;
    if let Some(created) = summary.created.first() {
        // Created: its id is printed even if waiting for the export stopped short.
        reporter.out(format!("{}\n", created.project_id).as_bytes())?;
        if let Some(url) = &created.download_url {
            reporter.out(format!("{url}\n").as_bytes())?;
        }
    }
    if summary.interrupted {
        return Err(Error::Interrupted);
    }
    if let Some((_, id)) = summary.already_created.first() {
        reporter.note("already created by an earlier run (see the journal): not submitted again");
        return reporter.out(format!("{id}\n").as_bytes());
    }
    let reason = summary
        .unknown
        .first()
        .or(summary.failed.first())
        .map(|(_, reason)| reason.clone());
    let reason = reason.or_else(|| summary.created.first().and_then(|c| c.wait_error.clone()));
    match (reason, summary.fatal, summary.created.is_empty()) {
        (Some(reason), _, _) | (None, Some(reason), _) => Err(Error::Api(reason)),
        (None, None, true) => Err(Error::Api("nothing was submitted".into())),
        (None, None, false) => Ok(()),
    }
}
