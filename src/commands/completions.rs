//! `vidspec completions SHELL`: a shell completion script from the clap definition.

use crate::cli::CompletionsArgs;
use crate::error::Error;
use crate::report::Reporter;

pub(super) fn run(args: CompletionsArgs, reporter: &Reporter) -> Result<(), Error> {
    reporter.out(&crate::cli::generate::completion(args.shell))
}
