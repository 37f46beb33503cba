//! The command line: clap's types, turned into the library's options at the door.

use std::ffi::OsString;
use std::io::IsTerminal;
use std::path::PathBuf;

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};

use crate::batch::{BatchOptions, Sink};
use crate::compile::{self, Options};
use crate::diag::Diagnostic;
use crate::emit::{self, Format};
use crate::error::{Error, exit};

#[derive(Parser, Debug)]
#[command(
    name = "vidspec",
    version,
    about = "Compile short YAML video specs into AI Studios v3 project JSON"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// When to colour diagnostics.
    #[arg(long, global = true, value_enum, default_value_t = Color::Auto)]
    color: Color,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Color {
    Auto,
    Always,
    Never,
}

#[derive(Subcommand, Debug)]
enum Command {
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
    Decompile {
        /// The project JSON: a body, or a get-project response with its `data.project`.
        project: PathBuf,
        /// Write the spec to FILE (new preset files go beside it) instead of stdout.
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
        /// A folder of templates whose models/ presets are recognised too (build the result
        /// with the same --templates).
        #[arg(long = "templates", value_name = "DIR")]
        templates: Vec<PathBuf>,
    },
    /// Model presets: list them, show one, or extract them from an editor-made project.
    Presets {
        #[command(subcommand)]
        command: PresetsCommand,
    },
    /// Start a project: a spec, a sample CSV, the spec schema and a README in DIR.
    Init {
        /// The folder (created if missing; default: the current one).
        #[arg(default_value = ".")]
        dir: PathBuf,
    },
    /// Print a shell completion script.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Create (and by default export) the spec's project on AI Studios; print its projectId.
    Submit(SubmitArgs),
    /// Submit compiled projects from an NDJSON file, one per line (row = line number).
    #[command(hide = true)]
    SubmitProjects(SubmitProjectsArgs),
    /// Show a project's export progress, and its download URL once done.
    Status {
        /// The projectId that `submit` printed.
        id: String,
        #[command(flatten)]
        api: ApiArgs,
    },
    /// List the account's models and their clothing.
    Models(ApiArgs),
    /// Save credentials, show the token's state, or forget both.
    Auth {
        #[command(subcommand)]
        command: AuthCommand,
    },
    /// Serve an in-memory mock of the AI Studios API on 127.0.0.1, for tests and dry runs.
    MockServer(MockArgs),
    /// Serve the Language Server Protocol on stdin/stdout: `check`'s diagnostics, completion,
    /// hover and go-to-definition in an editor.
    Lsp {
        /// A folder of templates (clips/, scenes/, models/), as for `check`.
        #[arg(long = "templates", value_name = "DIR")]
        templates: Vec<PathBuf>,
        /// A vars file applied to every spec checked, as for `check`.
        #[arg(long = "vars", value_name = "FILE")]
        vars_files: Vec<PathBuf>,
    },
}

#[derive(Subcommand, Debug)]
enum PresetsCommand {
    /// List the presets: alias, label, model/clothing ids, placements.
    List {
        /// A folder of templates whose models/ add to or override the built-in presets.
        #[arg(long = "templates", value_name = "DIR")]
        templates: Vec<PathBuf>,
    },
    /// Print a preset file, by alias or MODEL/CLOTHING ids.
    Show {
        name: String,
        /// A folder of templates whose models/ add to or override the built-in presets.
        #[arg(long = "templates", value_name = "DIR")]
        templates: Vec<PathBuf>,
    },
    /// Write a preset file for each model/clothing among a project's avatar clips.
    Extract {
        /// The project JSON (a body or a get-project response), made in the editor.
        project: PathBuf,
        /// The preset's alias (default: <ai_name>-<emotion>, lowercased).
        #[arg(long, value_name = "NAME")]
        alias: Option<String>,
        /// The folder to write the preset files into (default: the current one).
        #[arg(short, long, value_name = "DIR")]
        output: Option<PathBuf>,
    },
}

#[derive(Args, Debug)]
struct CompileArgs {
    /// The spec file (YAML).
    spec: PathBuf,
    /// Set a variable: NAME=VALUE (highest precedence; the value is data, never a template).
    #[arg(long = "set", value_name = "NAME=VALUE")]
    sets: Vec<String>,
    /// A YAML or JSON file of variable values (repeatable, applied in order).
    #[arg(long = "vars", value_name = "FILE")]
    vars_files: Vec<PathBuf>,
    /// A folder of clips/, scenes/ and models/ templates that add to or override the built-in ones.
    #[arg(long = "templates", value_name = "DIR")]
    templates: Vec<PathBuf>,
}

#[derive(Args, Debug)]
struct BuildArgs {
    #[command(flatten)]
    compile: CompileArgs,
    /// Write the JSON to FILE (atomically) instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// One line of JSON instead of pretty-printed.
    #[arg(long)]
    compact: bool,
    /// Build again whenever the spec, a vars file, a template or a preset changes.
    #[arg(long, requires = "output")]
    watch: bool,
}

#[derive(Args, Debug)]
struct CheckArgs {
    #[command(flatten)]
    compile: CompileArgs,
    /// Exit 1 when there are warnings (lints), not only errors.
    #[arg(long)]
    deny_warnings: bool,
    /// Check again whenever the spec, a vars file, a template or a preset changes.
    #[arg(long)]
    watch: bool,
}

#[derive(Args, Debug)]
struct PreviewArgs {
    #[command(flatten)]
    compile: CompileArgs,
    /// Take the inputs from a row of this CSV file (as `batch` would), or `-` for stdin.
    #[arg(long, value_name = "FILE")]
    csv: Option<PathBuf>,
    /// The CSV data row to draw, 1-based (default 1).
    #[arg(long, value_name = "N", requires = "csv", value_parser = crate::preview::parse_row)]
    row: Option<u64>,
    /// Write the HTML to FILE (atomically) instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Draw again whenever the spec, a vars file, a template, a preset or the CSV changes.
    #[arg(long, requires = "output")]
    watch: bool,
}

#[derive(Args, Debug)]
struct BatchArgs {
    #[command(flatten)]
    compile: CompileArgs,
    /// The CSV file (a header row naming the columns), or `-` for stdin.
    #[arg(long, value_name = "FILE")]
    csv: PathBuf,
    /// Write one file per row; the path is a template over the row's variables and `row`,
    /// e.g. 'out/{{ row }}-{{ name | slug }}.json'. Paths stay inside the pattern's folder.
    #[arg(
        long,
        value_name = "PATTERN",
        conflicts_with_all = ["ndjson", "submit"]
    )]
    out: Option<String>,
    /// The CSV's field separator: `,` (default), `;`, a tab (`\t`) or another single character.
    #[arg(long, value_name = "CHAR", default_value = ",", value_parser = parse_delimiter)]
    delimiter: u8,
    /// Print one compact JSON document per row on stdout, in row order.
    #[arg(long)]
    ndjson: bool,
    /// Files as one line of JSON instead of pretty-printed.
    #[arg(long)]
    compact: bool,
    /// Rows rendered in parallel (default: one per core).
    #[arg(
        long,
        short = 'j',
        value_name = "N",
        default_value_t = 0,
        hide_default_value = true,
        value_parser = job_count
    )]
    jobs: usize,
    /// Process only rows K, K+N, K+2N, … (1-based): run N copies with K = 1..N to cover the file.
    #[arg(long, value_name = "K/N", value_parser = crate::batch::parse_shard)]
    shard: Option<(u64, u64)>,
    /// Stop at the first failed row (by default every row is tried and failures are reported).
    #[arg(long)]
    fail_fast: bool,
    /// Keep going after failed rows (the default; kept for explicitness in scripts).
    #[arg(long, conflicts_with = "fail_fast")]
    keep_going: bool,
    /// Write one JSON line per row (row, status, output or error) to FILE.
    #[arg(long, value_name = "FILE")]
    report: Option<PathBuf>,
    /// No progress bar and no summary line.
    #[arg(long, short)]
    quiet: bool,
    /// Create (and by default export) each row's project on AI Studios, --jobs requests at a
    /// time; prints `row<TAB>projectId` per created row.
    #[arg(long, conflicts_with = "ndjson")]
    submit: bool,
    #[command(flatten)]
    rows: SubmitRowsArgs,
}

/// How many rows are submitted, at what rate, where: `batch --submit` and `submit-projects`.
#[derive(Args, Debug)]
struct SubmitRowsArgs {
    /// At most R requests per second, shared by all requests (with --submit).
    #[arg(long, value_name = "R", value_parser = requests_per_second)]
    rate: Option<f64>,
    #[command(flatten)]
    send: SendArgs,
    #[command(flatten)]
    api: ApiArgs,
}

impl SubmitRowsArgs {
    fn options(&self, jobs: usize) -> (crate::api::SubmitOptions, crate::api::ApiOptions) {
        let submit = crate::api::SubmitOptions {
            jobs,
            ..self.send.options()
        };
        let api = crate::api::ApiOptions {
            rate: self.rate,
            ..self.api.options()
        };
        (submit, api)
    }

    /// Whether any of these flags was given.
    fn is_set(&self) -> bool {
        self.send.is_set() || self.rate.is_some() || self.api.is_set()
    }
}

impl CompileArgs {
    fn options(&self) -> Options {
        Options {
            templates: self.templates.clone(),
            vars_files: self.vars_files.clone(),
            sets: self.sets.clone(),
        }
    }
}

/// Where the API is and how to talk to it: the flags every API command takes.
#[derive(Args, Clone, Debug)]
struct ApiArgs {
    /// The API's base URL (e.g. http://127.0.0.1:7878 for `vidspec mock-server`); wins over --region.
    #[arg(long, value_name = "URL", value_parser = crate::api::parse_base)]
    api_base: Option<String>,
    /// The vendor's region: global (app.aistudios.com) or cn (app.aistudios.cn).
    #[arg(long, value_enum, default_value_t = RegionArg::Global)]
    region: RegionArg,
    /// Log each request on stderr: method, path, status, attempt, time (never secrets or bodies).
    #[arg(long)]
    verbose: bool,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum RegionArg {
    Global,
    Cn,
}

impl ApiArgs {
    /// Whether any API flag was given.
    fn is_set(&self) -> bool {
        self.api_base.is_some() || self.verbose || !matches!(self.region, RegionArg::Global)
    }

    fn options(&self) -> crate::api::ApiOptions {
        let region = match self.region {
            RegionArg::Global => crate::api::Region::Global,
            RegionArg::Cn => crate::api::Region::Cn,
        };
        crate::api::ApiOptions {
            verbose: self.verbose,
            ..crate::api::ApiOptions::new(region, self.api_base.as_deref())
        }
    }
}

/// What to do with a project once compiled: the flags `submit` and `batch --submit` share.
#[derive(Args, Clone, Debug)]
struct SendArgs {
    /// Create the project without rendering the video (isExport: false).
    #[arg(long)]
    no_export: bool,
    /// Wait for the export to finish (a progress bar on a terminal) and print the download URL.
    #[arg(long)]
    wait: bool,
    /// A URL the service POSTs export progress to (webhookUrl).
    #[arg(long, value_name = "URL")]
    webhook: Option<String>,
    /// The export resolution.
    #[arg(long, value_parser = ["4k", "1080", "720", "480"])]
    resolution: Option<String>,
    /// The workspace to create the project in (workspaceId).
    #[arg(long, value_name = "ID")]
    workspace: Option<String>,
    /// Record each row's outcome in FILE (JSON Lines); a rerun skips rows already created.
    #[arg(long, value_name = "FILE")]
    journal: Option<PathBuf>,
    /// Submit again rows whose earlier outcome is unknown (they may end up created twice).
    #[arg(long)]
    retry_unknown: bool,
}

impl SendArgs {
    /// Whether any submission flag was given.
    fn is_set(&self) -> bool {
        self.no_export
            || self.wait
            || self.retry_unknown
            || self.webhook.is_some()
            || self.resolution.is_some()
            || self.workspace.is_some()
            || self.journal.is_some()
    }

    fn options(&self) -> crate::api::SubmitOptions {
        crate::api::SubmitOptions {
            export: !self.no_export,
            wait: self.wait,
            webhook: self.webhook.clone(),
            resolution: self.resolution.clone(),
            workspace: self.workspace.clone(),
            journal: self.journal.clone(),
            retry_unknown: self.retry_unknown,
            ..crate::api::SubmitOptions::default()
        }
    }
}

#[derive(Args, Debug)]
struct SubmitArgs {
    #[command(flatten)]
    compile: CompileArgs,
    #[command(flatten)]
    send: SendArgs,
    #[command(flatten)]
    api: ApiArgs,
}

#[derive(Args, Debug)]
struct SubmitProjectsArgs {
    /// NDJSON of compiled projects (`vidspec build --compact` lines); `-` reads stdin.
    file: PathBuf,
    /// Requests in flight at once.
    #[arg(long, default_value_t = 4, value_parser = job_count)]
    jobs: usize,
    #[command(flatten)]
    rows: SubmitRowsArgs,
}

#[derive(Subcommand, Debug)]
enum AuthCommand {
    /// Ask for the AppId and UserKey (the key without echo), check them, save them (mode 0600).
    Login(ApiArgs),
    /// Show where credentials come from, the cached token's life, and whether the API accepts it.
    Status(ApiArgs),
    /// Remove the saved credentials and the cached token.
    Logout,
}

#[derive(Args, Debug)]
struct MockArgs {
    /// The port on 127.0.0.1; 0 picks a free one (the real one is printed).
    #[arg(long, default_value_t = 7878)]
    port: u16,
    /// The share of requests answered with HTTP 500.
    #[arg(long, value_name = "F", default_value_t = 0.0, value_parser = fraction)]
    fail_rate: f64,
    /// Milliseconds added to every answer.
    #[arg(long, value_name = "MS", default_value_t = 0)]
    latency: u64,
    /// Requests per second above which the answer is 429 with Retry-After.
    #[arg(long, value_name = "N")]
    rate_limit: Option<u32>,
    /// Seconds a token lives (the real API: 24 hours).
    #[arg(long, value_name = "S", default_value_t = 86_400)]
    token_ttl: u64,
    /// The share of requests whose connection is closed without an answer.
    #[arg(long, value_name = "F", default_value_t = 0.0, value_parser = fraction)]
    drop_rate: f64,
    /// Seconds an export takes from 0 to 100%.
    #[arg(long, value_name = "S", default_value_t = 5.0, value_parser = seconds)]
    export_seconds: f64,
    /// Accept only this UserKey (default: any).
    #[arg(long, value_name = "KEY")]
    user_key: Option<String>,
}

impl MockArgs {
    fn options(&self) -> crate::api::mock::MockOptions {
        crate::api::mock::MockOptions {
            port: self.port,
            fail_rate: self.fail_rate,
            latency: std::time::Duration::from_millis(self.latency),
            rate_limit: self.rate_limit.filter(|n| *n > 0),
            token_ttl: std::time::Duration::from_secs(self.token_ttl),
            drop_rate: self.drop_rate,
            export_time: std::time::Duration::from_secs_f64(
                self.export_seconds.clamp(0.0, 86_400.0),
            ),
            user_key: self.user_key.clone(),
        }
    }
}

/// A finite number within `range`, for flags that take one.
fn number_in(text: &str, range: std::ops::RangeInclusive<f64>, what: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(n) if n.is_finite() && range.contains(&n) => Ok(n),
        _ => Err(format!(
            "`{text}` is not {what} from {} to {}",
            range.start(),
            range.end()
        )),
    }
}

/// A share of requests, from 0 to 1.
fn fraction(text: &str) -> Result<f64, String> {
    number_in(text, 0.0..=1.0, "a share")
}

/// `--rate`: requests per second.
fn requests_per_second(text: &str) -> Result<f64, String> {
    number_in(text, 0.001..=10_000.0, "a rate in requests per second")
}

/// A duration in seconds, up to a day.
fn seconds(text: &str) -> Result<f64, String> {
    number_in(text, 0.0..=86_400.0, "a number of seconds")
}

/// `--jobs`: at most 256 (0, where allowed, means one per core).
fn job_count(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(n) if n <= 256 => Ok(n),
        _ => Err(format!("`{text}` is not a number of jobs from 0 to 256")),
    }
}

/// `--delimiter`: one ASCII character, or `\t` for a tab.
fn parse_delimiter(text: &str) -> Result<u8, String> {
    match text {
        "\\t" | "\t" | "tab" => Ok(b'\t'),
        _ if text.len() == 1 && text.is_ascii() => Ok(text.as_bytes()[0]),
        _ => Err(format!(
            "`{text}` is not one ASCII character (use `\\t` for a tab)"
        )),
    }
}

/// Runs the command line; returns the process exit code.
pub fn run(args: impl IntoIterator<Item = OsString>) -> i32 {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                exit::USAGE
            } else {
                exit::OK
            };
        }
    };
    let color = match cli.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    };
    match dispatch(cli.command, color) {
        Ok(()) => exit::OK,
        Err(error) => {
            eprint!("{}", error.render(color));
            error.exit_code()
        }
    }
}

/// Prints a failed run's error (in watch mode, where the loop goes on).
fn report(result: Result<(), Error>, color: bool) {
    if let Err(error) = result {
        eprint!("{}", error.render(color));
    }
}

fn print_warnings(warnings: &[Diagnostic], color: bool) {
    for warning in warnings {
        eprint!("{}", warning.render(color));
    }
}

fn dispatch(command: Command, color: bool) -> Result<(), Error> {
    match command {
        Command::Build(args) => {
            let options = args.compile.options();
            let build = || -> Result<(), Error> {
                let (lowered, warnings) = compile::build(&args.compile.spec, &options)?;
                print_warnings(&warnings, color);
                let format = if args.compact {
                    Format::Compact
                } else {
                    Format::Pretty
                };
                let bytes = emit::to_bytes(&lowered.project, format);
                match &args.output {
                    Some(path) => {
                        emit::write_atomic(path, &bytes).map_err(|e| {
                            Error::io(format!("writing {}", crate::display_path(path)), e)
                        })?;
                        if args.watch {
                            eprintln!("wrote {}", crate::display_path(path));
                        }
                        Ok(())
                    }
                    None => emit::write_stdout(&bytes).map_err(|e| Error::io("writing stdout", e)),
                }
            };
            if !args.watch {
                return build();
            }
            let files = || {
                crate::watch::inputs_of(&args.compile.spec, &options, &[], args.output.as_deref())
            };
            crate::watch::watch(files, || report(build(), color))
        }
        Command::Batch(args) => {
            if args.out.is_none() && !args.ndjson && !args.submit {
                return Err(Error::Usage(
                    "say where the rows go: --out PATTERN (one file per row), --ndjson (stdout) or --submit (AI Studios)".into(),
                ));
            }
            let sink = match args.out {
                Some(pattern) => Sink::Files {
                    pattern,
                    format: if args.compact {
                        Format::Compact
                    } else {
                        Format::Pretty
                    },
                },
                None if args.submit => {
                    let (options, api) =
                        args.rows
                            .options(if args.jobs == 0 { 4 } else { args.jobs });
                    Sink::Submit { options, api }
                }
                None => Sink::Ndjson,
            };
            if !args.submit && args.rows.is_set() {
                return Err(Error::Usage("--rate, --no-export, --wait, --webhook, --resolution, --workspace, --journal, --retry-unknown, --api-base, --region and --verbose go with --submit".into()));
            }
            let options = BatchOptions {
                csv: args.csv,
                sink,
                delimiter: args.delimiter,
                jobs: args.jobs,
                shard: args.shard,
                fail_fast: args.fail_fast,
                report: args.report,
                quiet: args.quiet,
                color,
            };
            let summary = crate::batch::run(&args.compile.spec, &args.compile.options(), &options)?;
            if summary.failed > 0 {
                return Err(Error::RowsFailed {
                    failed: summary.failed as usize,
                    total: (summary.ok + summary.failed) as usize,
                });
            }
            Ok(())
        }
        Command::Check(args) => {
            let options = args.compile.options();
            let check = || -> Result<(), Error> {
                let (lowered, warnings) = compile::check(&args.compile.spec, &options)?;
                print_warnings(&warnings, color);
                let scenes = lowered.project["scenes"].as_array().map_or(0, Vec::len);
                let spec = crate::display_path(&args.compile.spec);
                let plural =
                    |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
                match warnings.len() {
                    0 => eprintln!(
                        "ok: {spec} compiles to a valid project ({})",
                        plural(scenes, "scene")
                    ),
                    n => eprintln!(
                        "ok: {spec} compiles to a valid project ({}), {}",
                        plural(scenes, "scene"),
                        plural(n, "warning")
                    ),
                }
                if args.deny_warnings && !warnings.is_empty() {
                    let message = format!(
                        "{} warnings, and --deny-warnings turns them into errors",
                        warnings.len()
                    );
                    return Err(Error::Invalid(vec![Diagnostic::error(message)]));
                }
                Ok(())
            };
            if !args.watch {
                return check();
            }
            let files = || crate::watch::inputs_of(&args.compile.spec, &options, &[], None);
            crate::watch::watch(files, || report(check(), color))
        }
        Command::Preview(args) => {
            let options = args.compile.options();
            let csv = args.csv.as_deref().map(|f| (f, args.row.unwrap_or(1)));
            let draw = || -> Result<(), Error> {
                let (project, warnings) =
                    crate::preview::project(&args.compile.spec, &options, csv)?;
                print_warnings(&warnings, color);
                let html = crate::preview::storyboard(&project);
                match &args.output {
                    Some(path) => {
                        emit::write_atomic(path, html.as_bytes()).map_err(|e| {
                            Error::io(format!("writing {}", crate::display_path(path)), e)
                        })?;
                        if args.watch {
                            eprintln!("wrote {}", crate::display_path(path));
                        }
                        Ok(())
                    }
                    None => emit::write_stdout(html.as_bytes())
                        .map_err(|e| Error::io("writing stdout", e)),
                }
            };
            if !args.watch {
                return draw();
            }
            let extra: Vec<PathBuf> = args
                .csv
                .iter()
                .filter(|c| c.as_os_str() != "-")
                .cloned()
                .collect();
            let files = || {
                crate::watch::inputs_of(
                    &args.compile.spec,
                    &options,
                    &extra,
                    args.output.as_deref(),
                )
            };
            crate::watch::watch(files, || report(draw(), color))
        }
        Command::Init { dir } => {
            for file in crate::init::init(&dir)? {
                eprintln!("wrote {file}");
            }
            let shown = crate::display_path(&dir);
            eprintln!("next: cd {shown} && vidspec build video.yaml --set name=Ada");
            Ok(())
        }
        Command::Schema => emit::write_stdout(crate::check::SPEC_SCHEMA.as_bytes())
            .map_err(|e| Error::io("writing stdout", e)),
        Command::Completions { shell } => {
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "vidspec", &mut out);
            emit::write_stdout(&out).map_err(|e| Error::io("writing stdout", e))
        }
        Command::Submit(args) => {
            let (lowered, warnings) = compile::build(&args.compile.spec, &args.compile.options())?;
            print_warnings(&warnings, color);
            crate::api::commands::submit(lowered.project, &args.send.options(), &args.api.options())
        }
        Command::SubmitProjects(args) => {
            let (options, api) = args.rows.options(args.jobs);
            crate::api::commands::submit_projects(&args.file, &options, &api)
        }
        Command::Status { id, api } => crate::api::commands::status(&id, &api.options()),
        Command::Models(api) => crate::api::commands::models(&api.options()),
        Command::Auth { command } => match command {
            AuthCommand::Login(api) => crate::api::commands::auth_login(&api.options()),
            AuthCommand::Status(api) => crate::api::commands::auth_status(&api.options()),
            AuthCommand::Logout => crate::api::commands::auth_logout(),
        },
        Command::MockServer(args) => crate::api::commands::mock_server(args.options()),
        Command::Lsp {
            templates,
            vars_files,
        } => {
            let options = Options {
                templates,
                vars_files,
                sets: Vec::new(),
            };
            let (connection, io) = lsp_server::Connection::stdio();
            crate::lsp::serve(&connection, options)?;
            drop(connection);
            io.join()
                .map_err(|e| Error::io("the language server's stdio", e))
        }
        Command::Decompile {
            project,
            output,
            templates,
        } => crate::decompile::command(&project, output.as_deref(), &templates, color),
        Command::Presets { command } => match command {
            PresetsCommand::List { templates } => crate::decompile::presets::list(&templates),
            PresetsCommand::Show { name, templates } => {
                crate::decompile::presets::show(&name, &templates)
            }
            PresetsCommand::Extract {
                project,
                alias,
                output,
            } => crate::decompile::presets::extract(
                &project,
                alias.as_deref(),
                output.as_deref(),
                color,
            ),
        },
    }
}
