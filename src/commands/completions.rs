//! `vidspec completions SHELL`: a shell completion script from the clap definition.

use clap::CommandFactory;

use crate::cli::{Cli, CompletionsArgs};
use crate::error::Error;
use crate::report::Reporter;

pub(super) fn run(args: CompletionsArgs, reporter: &Reporter) -> Result<(), Error> {
    let mut out = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "vidspec", &mut out);
    reporter.out(&out)
}
