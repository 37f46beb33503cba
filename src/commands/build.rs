//! `vidspec build`: a spec compiled once into project JSON, on stdout or in a file.

use super::output::{Output, run_or_watch};
use crate::cli::BuildArgs;
use crate::emit::{self, Format};
use crate::error::Error;
use crate::report::Reporter;

pub(super) fn run(args: BuildArgs, reporter: &Reporter) -> Result<(), Error> {
    let options = args.compile.options();
    let spec = &args.compile.spec;
    let inputs = crate::load::Inputs::compile(spec, &args.compile.vars_files);
    crate::clobber::refuse(&inputs, [("-o", args.output.as_deref())])?;
    let format = if args.compact {
        Format::Compact
    } else {
        Format::Pretty
    };
    let output = Output {
        path: args.output.as_deref(),
        tell: args.watch,
    };
    let build = || -> Result<(), Error> {
        let (lowered, warnings) = crate::compile::build(spec, &options)?;
        super::warnings(&warnings, args.compile.deny_warnings, reporter)?;
        output.write(&emit::to_bytes(&lowered.project, format), reporter)
    };
    let files = || crate::watch::inputs_of(spec, &options, &[], output.path);
    run_or_watch(args.watch, files, build, reporter)
}
