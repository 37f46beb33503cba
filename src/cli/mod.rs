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
    Build(Deferred<BuildArgs>),
    /// Compile and validate a spec; print diagnostics only.
    Check(Deferred<CheckArgs>),
    /// Compile one project per CSV row: files from an --out pattern, or NDJSON on stdout.
    Batch(Deferred<Box<BatchArgs>>),
    /// Draw the compiled project as an offline HTML storyboard: one frame per scene.
    Preview(Deferred<PreviewArgs>),
    /// Print the JSON Schema of the spec language (for editors' YAML plugins).
    Schema,
    /// Write the shortest spec that compiles to a v3 project body (or a get-project response).
    Decompile(Deferred<DecompileArgs>),
    /// Fetch a project made in the AI Studios editor and write the shortest spec that builds
    /// it, with the preset files of its avatars (`decompile` of the stored project).
    Pull(Deferred<PullArgs>),
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
    Init(Deferred<InitArgs>),
    /// Print a shell completion script.
    Completions(Deferred<CompletionsArgs>),
    /// Print the man page vidspec(1), or write it and one page per command into a folder.
    Man(Deferred<ManArgs>),
    /// Create (and by default export) the spec's project on AI Studios; print its projectId.
    Submit(Deferred<SubmitArgs>),
    /// Submit compiled projects from an NDJSON file, one per line (row = line number).
    #[command(hide = true)]
    SubmitProjects(Deferred<SubmitProjectsArgs>),
    /// Show a project's export progress, and its download URL once done.
    Status(Deferred<StatusArgs>),
    /// List the account's models and their clothing, marking those with a preset here.
    Models(Deferred<ModelsArgs>),
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
    MockServer(Deferred<MockArgs>),
    /// Serve the Language Server Protocol on stdin/stdout: `check`'s diagnostics, completion,
    /// hover and go-to-definition in an editor.
    Lsp(Deferred<LspArgs>),
}

/// A subcommand's arguments, declared to clap only when that subcommand is parsed or its help
/// shown: a run builds the flags of the one command it runs, not those of all twenty.
#[derive(Debug)]
pub(crate) struct Deferred<T>(pub(crate) T);

impl<T: Args> Args for Deferred<T> {
    fn augment_args(cmd: clap::Command) -> clap::Command {
        cmd.defer(keeping_about::<T, false>)
    }

    fn augment_args_for_update(cmd: clap::Command) -> clap::Command {
        cmd.defer(keeping_about::<T, true>)
    }
}

/// `T`'s arguments added to `cmd`, its about left as the subcommand's variant set it: run
/// after the variant's own attributes, the argument struct's doc comment would replace them.
fn keeping_about<T: Args, const UPDATE: bool>(cmd: clap::Command) -> clap::Command {
    let about = cmd.get_about().cloned();
    let long_about = cmd.get_long_about().cloned();
    let cmd = if UPDATE {
        T::augment_args_for_update(cmd)
    } else {
        T::augment_args(cmd)
    };
    let cmd = match about {
        Some(about) => cmd.about(about),
        None => cmd.about(None::<&str>),
    };
    match long_about {
        Some(long_about) => cmd.long_about(long_about),
        None => cmd.long_about(None::<&str>),
    }
}

impl<T: FromArgMatches> FromArgMatches for Deferred<T> {
    fn from_arg_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
        T::from_arg_matches(matches).map(Deferred)
    }

    fn from_arg_matches_mut(matches: &mut ArgMatches) -> Result<Self, clap::Error> {
        T::from_arg_matches_mut(matches).map(Deferred)
    }

    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        self.0.update_from_arg_matches(matches)
    }

    fn update_from_arg_matches_mut(&mut self, matches: &mut ArgMatches) -> Result<(), clap::Error> {
        self.0.update_from_arg_matches_mut(matches)
    }
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

/// `--export-timeout` limits a wait: it goes with `--wait` or a flag that implies it; and
/// nothing waits for the export of `--no-export`.
fn waiting_flags(
    command: &mut clap::Command,
    name: &str,
    sub: &ArgMatches,
) -> Result<(), clap::Error> {
    let given = |id: &str| {
        sub.try_get_raw(id).is_ok_and(|v| v.is_some())
            && sub.value_source(id) == Some(ValueSource::CommandLine)
    };
    let waits: Vec<&str> = ["wait", "max_exporting", "download"]
        .into_iter()
        .filter(|id| given(id))
        .collect();
    let (kind, message) = if given("no_export") && !waits.is_empty() {
        let flags: Vec<String> = waits
            .iter()
            .map(|id| format!("--{}", id.replace('_', "-")))
            .collect();
        (
            ErrorKind::ArgumentConflict,
            format!(
                "--no-export renders no video, so {} would wait for ever",
                flags.join(", ")
            ),
        )
    } else if given("export_timeout") && waits.is_empty() {
        (
            ErrorKind::MissingRequiredArgument,
            "--export-timeout limits waiting for exports: give it with --wait (or --max-exporting, --download)".to_owned(),
        )
    } else {
        return Ok(());
    };
    let sub = command
        .find_subcommand_mut(name)
        .expect("the subcommand was parsed");
    Err(sub.error(kind, message))
}

/// The `batch` flags that mean something only with `--submit`, each with why: refused by name
/// without it (clap's `requires` would only say that `--submit` is missing).
const SUBMISSION_ONLY: [(&str, &str); 3] = [
    (
        "plan",
        "--plan needs --submit: a plan shows what a submission would do with each row (and sends nothing)",
    ),
    (
        "download",
        "--download needs --submit: only a submitted row has a video to download",
    ),
    (
        "rate_total",
        "--rate-total needs --submit: it shares out the request rate of a submission across shards",
    ),
];

/// `batch` says where rows go (one of `--out`, `--ndjson` and `--submit`, kept apart here),
/// and takes the flags of [`SUBMISSION_ONLY`] and the submission flags — whatever
/// [`SubmitRowsArgs`] declares — only with `--submit`, naming the flag that lacks it.
fn batch_destination(command: &mut clap::Command, batch: &ArgMatches) -> Result<(), clap::Error> {
    let given = |id: &str| batch.value_source(id) == Some(ValueSource::CommandLine);
    let destinations: Vec<&str> = [
        ("out", "--out"),
        ("ndjson", "--ndjson"),
        ("submit", "--submit"),
    ]
    .into_iter()
    .filter(|(id, _)| given(id))
    .map(|(_, flag)| flag)
    .collect();
    let submission_only: Vec<&str> = SUBMISSION_ONLY
        .iter()
        .filter(|(id, _)| !given("submit") && given(id))
        .map(|(_, why)| *why)
        .collect();
    let mut kind = ErrorKind::ArgumentConflict;
    let message = if destinations.len() > 1 {
        format!(
            "{}: the rows go to one place; give one of --out PATTERN, --ndjson or --submit",
            destinations.join(", ")
        )
    } else if !submission_only.is_empty() {
        kind = ErrorKind::MissingRequiredArgument;
        submission_only.join("; ")
    } else if destinations.is_empty() {
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
    Err(batch.error(kind, message))
}
