//! The command line: clap's types, with their cross-flag rules declared in clap; nothing past
//! `commands/` sees them. [`parse`] turns argv into a [`Cli`] or clap's own error.

mod args;
pub(crate) mod generate;
mod values;

use std::ffi::OsString;

use clap::error::ErrorKind;
use clap::parser::ValueSource;
use clap::{ArgMatches, Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};

pub(crate) use args::*;

#[derive(Parser, Debug)]
#[command(
    name = "vidspec",
    version,
    about = "Compile short YAML video specs into AI Studios v3 project JSON"
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
    /// When to colour diagnostics.
    #[arg(long, global = true, value_enum, default_value_t = Color::Auto)]
    pub(crate) color: Color,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub(crate) enum Color {
    Auto,
    Always,
    Never,
}

impl From<Color> for crate::report::Color {
    fn from(color: Color) -> crate::report::Color {
        match color {
            Color::Auto => crate::report::Color::Auto,
            Color::Always => crate::report::Color::Always,
            Color::Never => crate::report::Color::Never,
        }
    }
}

#[derive(Subcommand, Debug)]
pub(crate) enum Command {
    /// Compile a spec and print the project JSON (a dry run: nothing is sent).
    Build(BuildArgs),
    /// Compile and validate a spec; print diagnostics only.
    Check(CheckArgs),
    /// Compile one project per CSV row: files from an --out pattern, or NDJSON on stdout.
    Batch(BatchArgs),
    /// Draw the compiled project as an offline HTML storyboard: one frame per scene.
    Preview(PreviewArgs),
    /// Print the JSON Schema of the spec language (for editors' YAML plugins).
    Schema,
    /// Write the shortest spec that compiles to a v3 project body (or a get-project response).
    Decompile(DecompileArgs),
    /// Fetch a project made in the AI Studios editor and write the shortest spec that builds
    /// it, with the preset files of its avatars (`decompile` of the stored project).
    Pull(PullArgs),
    /// Model presets: list them, show one, or extract or pull them from an editor-made project.
    Presets {
        #[command(subcommand)]
        command: PresetsCommand,
    },
    /// Journals of submissions: merge those of shards into one.
    Journal {
        #[command(subcommand)]
        command: JournalCommand,
    },
    /// Start a project: a spec, a sample CSV, the spec schema and a README in DIR.
    Init(InitArgs),
    /// Print a shell completion script.
    Completions(CompletionsArgs),
    /// Print the man page vidspec(1), or write it and one page per command into a folder.
    Man(ManArgs),
    /// Create (and by default export) the spec's project on AI Studios; print its projectId.
    Submit(SubmitArgs),
    /// Submit compiled projects from an NDJSON file, one per line (row = line number).
    #[command(hide = true)]
    SubmitProjects(SubmitProjectsArgs),
    /// Show a project's export progress, and its download URL once done.
    Status(StatusArgs),
    /// List the account's models and their clothing, marking those with a preset here.
    Models(ModelsArgs),
    /// The account's projects: list the exported ones, delete some, reconcile a journal.
    Projects {
        #[command(subcommand)]
        command: ProjectsCommand,
    },
    /// Save credentials, show the token's state, or forget both.
    Auth {
        #[command(subcommand)]
        command: AuthCommand,
    },
    /// Serve an in-memory mock of the AI Studios API on 127.0.0.1, for tests and dry runs.
    MockServer(MockArgs),
    /// Serve the Language Server Protocol on stdin/stdout: `check`'s diagnostics, completion,
    /// hover and go-to-definition in an editor.
    Lsp(LspArgs),
}

/// Parses argv; the rules between flags are checked here, so a command never sees a
/// combination it cannot run.
pub(crate) fn parse(args: impl IntoIterator<Item = OsString>) -> Result<Cli, clap::Error> {
    let mut command = Cli::command();
    let matches = command.try_get_matches_from_mut(args)?;
    if let Some(("batch", batch)) = matches.subcommand() {
        batch_destination(&mut command, batch)?;
    }
    if let Some((name, sub)) = matches.subcommand() {
        waiting_flags(&mut command, name, sub)?;
    }
    Cli::from_arg_matches(&matches)
}

/// `--export-timeout` limits a wait: it goes with `--wait` or a flag that implies it.
fn waiting_flags(
    command: &mut clap::Command,
    name: &str,
    sub: &ArgMatches,
) -> Result<(), clap::Error> {
    let given = |id: &str| {
        sub.try_get_raw(id).is_ok_and(|v| v.is_some())
            && sub.value_source(id) == Some(ValueSource::CommandLine)
    };
    let waits = ["wait", "max_exporting", "download"];
    if !given("export_timeout") || waits.iter().any(|id| given(id)) {
        return Ok(());
    }
    let sub = command
        .find_subcommand_mut(name)
        .expect("the subcommand was parsed");
    Err(sub.error(
        ErrorKind::MissingRequiredArgument,
        "--export-timeout limits waiting for exports: give it with --wait (or --max-exporting, --download)",
    ))
}

/// `batch` says where rows go (`--out`, `--ndjson` or `--submit`, which clap keeps apart),
/// and takes the submission flags — whatever [`SubmitRowsArgs`] declares — only with `--submit`.
fn batch_destination(command: &mut clap::Command, batch: &ArgMatches) -> Result<(), clap::Error> {
    let given = |id: &str| batch.value_source(id) == Some(ValueSource::CommandLine);
    let message = if !given("out") && !given("ndjson") && !given("submit") {
        "say where the rows go: --out PATTERN (one file per row), --ndjson (stdout) or --submit (AI Studios)".to_owned()
    } else if given("submit") {
        return Ok(());
    } else {
        let submission = SubmitRowsArgs::augment_args(clap::Command::new("submission"));
        let flags: Vec<String> = submission
            .get_arguments()
            .filter(|arg| given(arg.get_id().as_str()))
            .filter_map(|arg| arg.get_long().map(|long| format!("--{long}")))
            .collect();
        if flags.is_empty() {
            return Ok(());
        }
        format!(
            "{}: these say how rows are submitted, and go with --submit",
            flags.join(", ")
        )
    };
    let batch = command
        .find_subcommand_mut("batch")
        .expect("batch is a subcommand");
    Err(batch.error(ErrorKind::ArgumentConflict, message))
}
