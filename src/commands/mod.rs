//! One file per command: each takes its parsed arguments and the [`Reporter`], runs the
//! library, and is the only code (with `report`) that talks to the terminal. A new command
//! is a new file here, a variant in `cli::Command`, and one line in [`run`].

#[cfg(feature = "submit")]
mod auth;
mod batch;
mod build;
mod check;
mod completions;
mod decompile;
mod init;
#[cfg(feature = "submit")]
mod journal;
mod lsp;
mod man;
#[cfg(feature = "submit")]
mod mock_server;
#[cfg(feature = "submit")]
mod models;
mod output;
mod presets;
mod preview;
#[cfg(feature = "submit")]
mod projects;
#[cfg(feature = "submit")]
mod pull;
mod schema;
#[cfg(feature = "submit")]
mod status;
#[cfg(feature = "submit")]
mod submit;
#[cfg(feature = "submit")]
mod submit_projects;

use crate::cli::Command;
use crate::error::Error;
use crate::report::{Reporter, plural};

/// Runs one command; its error is for the caller to report.
pub(crate) fn run(command: Command, reporter: &Reporter) -> Result<(), Error> {
    match command {
        Command::Build(args) => build::run(args.0, reporter),
        Command::Check(args) => check::run(args.0, reporter),
        Command::Batch(args) => batch::run(*args.0, reporter),
        Command::Preview(args) => preview::run(args.0, reporter),
        Command::Schema => schema::run(reporter),
        Command::Decompile(args) => decompile::run(args.0, reporter),
        #[cfg(feature = "submit")]
        Command::Pull(args) => pull::run(args.0, reporter),
        Command::Presets { command } => presets::run(command, reporter),
        #[cfg(feature = "submit")]
        Command::Journal { command } => journal::run(command, reporter),
        Command::Init(args) => init::run(args.0, reporter),
        Command::Completions(args) => completions::run(args.0, reporter),
        #[cfg(feature = "submit")]
        Command::Submit(args) => submit::run(args.0, reporter),
        #[cfg(feature = "submit")]
        Command::SubmitProjects(args) => submit_projects::run(args.0, reporter),
        #[cfg(feature = "submit")]
        Command::Status(args) => status::run(args.0, reporter),
        #[cfg(feature = "submit")]
        Command::Models(args) => models::run(args.0, reporter),
        #[cfg(feature = "submit")]
        Command::Projects { command } => projects::run(command, reporter),
        #[cfg(feature = "submit")]
        Command::Auth { command } => auth::run(command, reporter),
        #[cfg(feature = "submit")]
        Command::MockServer(args) => mock_server::run(args.0, reporter),
        Command::Lsp(args) => lsp::run(args.0, reporter),
        Command::Man(args) => man::run(args.0, reporter),
        #[cfg(not(feature = "submit"))]
        Command::Pull(_) => Err(offline("pull")),
        #[cfg(not(feature = "submit"))]
        Command::Journal { .. } => Err(offline("journal")),
        #[cfg(not(feature = "submit"))]
        Command::Submit(_) => Err(offline("submit")),
        #[cfg(not(feature = "submit"))]
        Command::SubmitProjects(_) => Err(offline("submit-projects")),
        #[cfg(not(feature = "submit"))]
        Command::Status(_) => Err(offline("status")),
        #[cfg(not(feature = "submit"))]
        Command::Models(_) => Err(offline("models")),
        #[cfg(not(feature = "submit"))]
        Command::Projects { .. } => Err(offline("projects")),
        #[cfg(not(feature = "submit"))]
        Command::Auth { .. } => Err(offline("auth")),
        #[cfg(not(feature = "submit"))]
        Command::MockServer(_) => Err(offline("mock-server")),
    }
}

/// The error of a command that needs the network in a vidspec built without it.
#[cfg(not(feature = "submit"))]
fn offline(what: &str) -> Error {
    Error::Usage(format!(
        "`vidspec {what}` needs the AI Studios client, and this vidspec was built without the \
         `submit` feature (the network client and the mock server); build it with default \
         features to use it"
    ))
}

/// Prints a compilation's warnings; with `--deny-warnings`, any warning is an error, found
/// before anything is written or sent.
fn warnings(
    warnings: &[crate::diag::Diagnostic],
    deny: bool,
    reporter: &Reporter,
) -> Result<(), Error> {
    reporter.diagnostics(warnings);
    if deny && !warnings.is_empty() {
        return Err(denied(warnings.len()));
    }
    Ok(())
}

/// The error `--deny-warnings` makes of `n` warnings.
fn denied(n: usize) -> Error {
    Error::Invalid(vec![crate::diag::Diagnostic::error(format!(
        "{}, and --deny-warnings turns them into errors",
        plural(n, "warning")
    ))])
}

#[cfg(feature = "submit")]
/// A client for a command that waits for no export (`models`, `status`, `projects`, `auth`,
/// `pull`).
fn plain_client(
    args: &crate::cli::ApiArgs,
    reporter: &Reporter,
) -> Result<crate::api::Client, Error> {
    let options = api_options(args, None, crate::report::api::Waits::Nothing, reporter);
    crate::api::Client::new(&options)
}

#[cfg(feature = "submit")]
/// What a command of many rows waits for: every row's export, or nothing.
fn many(wait: bool) -> crate::report::api::Waits {
    if wait {
        crate::report::api::Waits::Many
    } else {
        crate::report::api::Waits::Nothing
    }
}

#[cfg(feature = "submit")]
/// The API options of a command's flags (and `--rate`, where it has one), warning when they
/// would send secrets in clear. The API's events are shown by `report::api`, export bars when
/// the command `wait`s; a second Ctrl-C ends the process here, at once.
fn api_options(
    args: &crate::cli::ApiArgs,
    rate: Option<f64>,
    waits: crate::report::api::Waits,
    reporter: &Reporter,
) -> crate::api::ApiOptions {
    let display = crate::report::api::Display::new(*reporter, waits);
    let listener = crate::api::Listener::new(move |event| match event {
        crate::api::Event::QuitNow => std::process::exit(crate::error::exit::INTERRUPTED),
        event => display.show(&event),
    });
    let options = crate::api::ApiOptions {
        rate,
        listener,
        ..args.options()
    };
    if let Some(warning) = args
        .api_base
        .as_deref()
        .and_then(crate::api::plain_http_warning)
    {
        reporter.diagnostics([&crate::diag::Diagnostic::warning(warning)]);
    }
    options
}
