//! `vidspec check`: compile and validate, print diagnostics and an `ok:` line only.

use super::output::run_or_watch;
use super::plural;
use crate::cli::CheckArgs;
use crate::error::Error;
use crate::report::Reporter;

pub(super) fn run(args: CheckArgs, reporter: &Reporter) -> Result<(), Error> {
    let options = args.compile.options();
    let spec = &args.compile.spec;
    let check = || -> Result<(), Error> {
        let (lowered, warnings) = crate::compile::check(spec, &options)?;
        reporter.diagnostics(&warnings);
        let scenes = lowered.project["scenes"].as_array().map_or(0, Vec::len);
        let shown = crate::display_path(spec);
        let mut line = format!(
            "ok: {shown} compiles to a valid project ({})",
            plural(scenes, "scene")
        );
        if !warnings.is_empty() {
            line.push_str(&format!(", {}", plural(warnings.len(), "warning")));
        }
        reporter.note(line);
        if args.compile.deny_warnings && !warnings.is_empty() {
            return Err(super::denied(warnings.len()));
        }
        Ok(())
    };
    let files = || crate::watch::inputs_of(spec, &options, &[], None);
    run_or_watch(args.watch, None, files, check, reporter)
}
