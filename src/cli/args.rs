//! The arguments of each command, and how they become the library's options.

use std::path::PathBuf;

use crate::compile::Options;

use clap::{Args, Subcommand, ValueEnum, ValueHint};

use super::values::{fraction, job_count, parse_delimiter, requests_per_second, seconds};

#[derive(Args, Debug)]
pub(crate) struct DecompileArgs {
    /// The project JSON: a body, or a get-project response with its `data.project`.
    #[arg(value_hint = ValueHint::FilePath)]
    pub(crate) project: PathBuf,
    /// Write the spec to FILE (new preset files go beside it) instead of stdout (`-`: stdout).
    #[arg(short, long, value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub(crate) output: Option<PathBuf>,
    /// A folder of templates whose models/ presets are recognised too (build the result
    /// with the same --templates).
    #[arg(long = "templates", value_name = "DIR", value_hint = ValueHint::DirPath)]
    pub(crate) templates: Vec<PathBuf>,
}

#[derive(Args, Debug)]
pub(crate) struct PullArgs {
    /// The project's id (its projectId).
    #[arg(value_name = "PROJECT_ID")]
    pub(crate) id: String,
    /// Write the spec to FILE, and the preset files it needs beside it; without it (or with
    /// `-`), the spec goes to stdout and the preset files into the current folder.
    #[arg(short, long, value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub(crate) output: Option<PathBuf>,
    /// A folder of templates whose models/ presets are recognised too (build the result
    /// with the same --templates).
    #[arg(long = "templates", value_name = "DIR", value_hint = ValueHint::DirPath)]
    pub(crate) templates: Vec<PathBuf>,
    #[command(flatten)]
    pub(crate) api: ApiArgs,
}

#[derive(Args, Debug)]
pub(crate) struct ModelsArgs {
    /// A folder of templates whose models/ presets count as presets here (as for `build`).
    #[arg(long = "templates", value_name = "DIR", value_hint = ValueHint::DirPath)]
    pub(crate) templates: Vec<PathBuf>,
    /// Print the catalogue as JSON, each clothing with the alias of its preset (or null).
    #[arg(long)]
    pub(crate) json: bool,
    #[command(flatten)]
    pub(crate) api: ApiArgs,
}

#[derive(Args, Debug)]
pub(crate) struct InitArgs {
    /// The folder (created if missing; default: the current one).
    #[arg(default_value = ".", value_hint = ValueHint::DirPath)]
    pub(crate) dir: PathBuf,
}

#[derive(Args, Debug)]
pub(crate) struct LspArgs {
    /// A folder of clips/, scenes/ and models/ templates, as for `check`.
    #[arg(long = "templates", value_name = "DIR", value_hint = ValueHint::DirPath)]
    pub(crate) templates: Vec<PathBuf>,
    /// A YAML or JSON file of variable values applied to every spec checked (repeatable).
    #[arg(long = "vars", value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub(crate) vars_files: Vec<PathBuf>,
}

impl LspArgs {
    pub(crate) fn options(&self) -> Options {
        Options {
            templates: self.templates.clone(),
            vars_files: self.vars_files.clone(),
            ..Options::default()
        }
    }
}

#[derive(Args, Debug)]
pub(crate) struct ManArgs {
    /// Write vidspec.1 and a page per command (vidspec-build.1, …) into DIR, created if
    /// missing, instead of printing vidspec.1 (`-`: print it).
    #[arg(short, long, value_name = "DIR", value_hint = ValueHint::DirPath)]
    pub(crate) output: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub(crate) struct CompletionsArgs {
    #[arg(value_enum)]
    pub(crate) shell: clap_complete::Shell,
}

#[derive(Args, Debug)]
pub(crate) struct StatusArgs {
    /// The projectId that `submit` printed.
    #[arg(required_unless_present = "journal", conflicts_with = "journal")]
    pub(crate) id: Option<String>,
    /// Summarise these journals by state instead, without contacting the API.
    #[arg(long, value_name = "FILE", num_args = 1.., value_hint = ValueHint::FilePath)]
    pub(crate) journal: Vec<PathBuf>,
    #[command(flatten)]
    pub(crate) api: ApiArgs,
}

#[derive(Subcommand, Debug)]
pub(crate) enum JournalCommand {
    /// Join journals (of shards, or of runs on several machines) into one, every record kept;
    /// conflicts (a row created twice, or with different contents) are named and nothing is
    /// written unless --keep-conflicts. Journals are read without their locks: a batch may
    /// still be writing one.
    Merge {
        /// The journals to merge.
        #[arg(required = true, value_name = "JOURNAL", value_hint = ValueHint::FilePath)]
        journals: Vec<PathBuf>,
        /// The merged journal (written atomically; not a journal a run is writing; `-`: stdout).
        #[arg(long, short, value_name = "FILE", value_hint = ValueHint::FilePath)]
        output: PathBuf,
        /// Write the merge despite conflicts (every record of both sides is kept; the later
        /// one counts for a rerun) and exit 0; the conflicts are still listed.
        #[arg(long)]
        keep_conflicts: bool,
    },
}

#[derive(Subcommand, Debug)]
pub(crate) enum PresetsCommand {
    /// List the presets: alias, label, model/clothing ids, placements.
    List {
        /// A folder of templates whose models/ add to or override the built-in presets.
        #[arg(long = "templates", value_name = "DIR", value_hint = ValueHint::DirPath)]
        templates: Vec<PathBuf>,
    },
    /// Print a preset file, by alias or MODEL/CLOTHING ids.
    Show {
        name: String,
        /// A folder of templates whose models/ add to or override the built-in presets.
        #[arg(long = "templates", value_name = "DIR", value_hint = ValueHint::DirPath)]
        templates: Vec<PathBuf>,
    },
    /// Write a preset file for each model/clothing among a project's avatar clips.
    Extract {
        /// The project JSON (a body or a get-project response), made in the editor.
        #[arg(value_hint = ValueHint::FilePath)]
        project: PathBuf,
        /// The preset's alias (default: <ai_name>-<emotion>, lowercased).
        #[arg(long, value_name = "NAME")]
        alias: Option<String>,
        /// The folder to write the preset files into (default: the current one; `-`: print them).
        #[arg(short, long, value_name = "DIR", value_hint = ValueHint::DirPath)]
        output: Option<PathBuf>,
    },
    /// Fetch a project from AI Studios and write a preset file for each model/clothing
    /// among its avatar clips (`presets extract` of the stored project).
    Pull {
        /// The project's id.
        #[arg(value_name = "PROJECT_ID")]
        id: String,
        /// The preset's alias (default: <ai_name>-<emotion>, lowercased).
        #[arg(long, value_name = "NAME")]
        alias: Option<String>,
        /// The folder to write the preset files into (default: the current one; DIR/models
        /// makes them known to every command given --templates DIR).
        #[arg(short, long, value_name = "DIR", value_hint = ValueHint::DirPath)]
        output: Option<PathBuf>,
        #[command(flatten)]
        api: ApiArgs,
    },
}

#[derive(Args, Debug)]
pub(crate) struct CompileArgs {
    /// The spec file (YAML), or `-` to read it from stdin (relative paths in it are then
    /// taken from the current folder).
    #[arg(value_name = "SPEC", value_hint = ValueHint::FilePath)]
    pub(crate) spec: PathBuf,
    /// Set a variable: NAME=VALUE (highest precedence; the value is data, never a template).
    #[arg(long = "set", value_name = "NAME=VALUE", value_hint = ValueHint::Other)]
    pub(crate) sets: Vec<String>,
    /// A YAML or JSON file of variable values (repeatable, applied in order).
    #[arg(long = "vars", value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub(crate) vars_files: Vec<PathBuf>,
    /// A folder of clips/, scenes/ and models/ templates that add to or override the built-in ones.
    #[arg(long = "templates", value_name = "DIR", value_hint = ValueHint::DirPath)]
    pub(crate) templates: Vec<PathBuf>,
    /// Fail when there are warnings (lints), not only errors: nothing is written or sent (in a
    /// batch, a row with warnings fails).
    #[arg(long)]
    pub(crate) deny_warnings: bool,
    /// Warn about a scene whose speech is longer than N characters.
    #[arg(long, value_name = "N", default_value_t = crate::lint::MAX_SPEECH)]
    pub(crate) max_speech: usize,
}

#[derive(Args, Debug)]
pub(crate) struct BuildArgs {
    #[command(flatten)]
    pub(crate) compile: CompileArgs,
    /// Write the JSON to FILE (atomically) instead of stdout (`-`: stdout).
    #[arg(short, long, value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub(crate) output: Option<PathBuf>,
    /// One line of JSON instead of pretty-printed.
    #[arg(long)]
    pub(crate) compact: bool,
    /// Build again whenever the spec, a vars file, a template or a preset changes (needs
    /// --output FILE).
    #[arg(long)]
    pub(crate) watch: bool,
}

#[derive(Args, Debug)]
pub(crate) struct CheckArgs {
    #[command(flatten)]
    pub(crate) compile: CompileArgs,
    /// Check again whenever the spec, a vars file, a template or a preset changes.
    #[arg(long)]
    pub(crate) watch: bool,
}

#[derive(Args, Debug)]
pub(crate) struct PreviewArgs {
    #[command(flatten)]
    pub(crate) compile: CompileArgs,
    /// Take the inputs from a row of this CSV file (as `batch` would), or `-` for stdin.
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub(crate) csv: Option<PathBuf>,
    /// The CSV's field separator: `,` (default), `;`, a tab (`\t`) or another single character.
    #[arg(long, value_name = "CHAR", default_value = ",", value_parser = parse_delimiter, requires = "csv")]
    pub(crate) delimiter: u8,
    /// The CSV data row to draw, 1-based (default 1).
    #[arg(long, value_name = "N", requires = "csv", value_parser = super::values::parse_row)]
    pub(crate) row: Option<u64>,
    /// Draw a contact sheet of these CSV rows instead, one strip per row, rows with problems
    /// first: `all`, or numbers and ranges such as `1-50` or `3,7,10-20`.
    #[arg(
        long,
        value_name = "ROWS",
        requires = "csv",
        conflicts_with = "row",
        value_parser = crate::preview::sheet::RowSelection::parse
    )]
    pub(crate) rows: Option<crate::preview::sheet::RowSelection>,
    /// Write the HTML to FILE (atomically) instead of stdout (`-`: stdout).
    #[arg(short, long, value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub(crate) output: Option<PathBuf>,
    /// Draw again whenever the spec, a vars file, a template, a preset or the CSV changes
    /// (needs --output FILE).
    #[arg(long)]
    pub(crate) watch: bool,
}

#[derive(Args, Debug)]
pub(crate) struct BatchArgs {
    #[command(flatten)]
    pub(crate) compile: CompileArgs,
    /// The CSV file (a header row naming the columns), or `-` for stdin.
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub(crate) csv: PathBuf,
    /// Write one file per row; the path is a template over the row's variables and `row`,
    /// e.g. 'out/{{ row }}-{{ name | slug }}.json'. Paths stay inside the pattern's folder.
    // Not `conflicts_with` --ndjson and --submit: `cli::parse` keeps the three apart, and
    // refuses the flags that only a submission takes (--plan, --download, --rate-total)
    // naming the flag, which clap's `requires` would not.
    #[arg(long, value_name = "PATTERN")]
    pub(crate) out: Option<String>,
    /// The CSV's field separator: `,` (default), `;`, a tab (`\t`) or another single character.
    #[arg(long, value_name = "CHAR", default_value = ",", value_parser = parse_delimiter)]
    pub(crate) delimiter: u8,
    /// Print one compact JSON document per row on stdout, in row order.
    #[arg(long)]
    pub(crate) ndjson: bool,
    /// Files as one line of JSON instead of pretty-printed.
    #[arg(long)]
    pub(crate) compact: bool,
    /// Rows rendered in parallel, 1 to 256 (default: one per core).
    #[arg(long, short = 'j', value_name = "N", value_parser = job_count)]
    pub(crate) jobs: Option<usize>,
    /// Process only rows K, K+N, K+2N, … (1-based): run N copies with K = 1..N to cover the file.
    /// `auto/N` takes K from the job runner: JOB_COMPLETION_INDEX (Kubernetes Indexed Job),
    /// SLURM_ARRAY_TASK_ID (from the array's first index) or AWS_BATCH_JOB_ARRAY_INDEX, plus one.
    #[arg(long, value_name = "K/N", value_parser = super::values::parse_shard)]
    pub(crate) shard: Option<super::values::Shard>,
    /// At most R requests per second for all N shards together: each shard of --shard K/N
    /// sends at most R/N (with --submit; --rate is per process).
    #[arg(
        long,
        value_name = "R",
        value_parser = requests_per_second,
        requires = "shard",
        conflicts_with = "rate"
    )]
    pub(crate) rate_total: Option<f64>,
    /// Stop at the first failed row (by default every row is tried and failures are reported).
    #[arg(long)]
    pub(crate) fail_fast: bool,
    /// Keep going after failed rows (the default; kept for explicitness in scripts).
    #[arg(long, conflicts_with = "fail_fast")]
    pub(crate) keep_going: bool,
    /// Write one JSON line per row (row, status, output or error) to FILE.
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub(crate) report: Option<PathBuf>,
    /// No progress bar and no summary line.
    #[arg(long, short)]
    pub(crate) quiet: bool,
    /// Accepted and ignored: every row is linted with its values (see README "Which batches
    /// lint every row").
    #[arg(long, hide = true)]
    pub(crate) lint_rows: bool,
    /// Create (and by default export) each row's project on AI Studios, --jobs requests at a
    /// time; prints `row<TAB>projectId` per created row.
    #[arg(long)]
    pub(crate) submit: bool,
    /// Send nothing: print what a submission would do with each row (created, skipped,
    /// changed, unknown, failed before) and each row's estimated speech duration.
    #[arg(long)]
    pub(crate) plan: bool,
    /// Download each row's video once exported, to a path from a template over the row's
    /// variables and `row` (e.g. 'videos/{{ row }}-{{ name | slug }}.mp4'), kept inside the
    /// pattern's folder as --out's are. Implies --wait; a rerun skips files already there.
    #[arg(long, value_name = "PATTERN")]
    pub(crate) download: Option<String>,
    /// The column(s) that name a row, to find it again in an edited or reordered CSV
    /// (default: the first column): `--key name`, or several as `--key name,plan` (or
    /// `--key name --key plan`). Checked in a dry run too.
    #[arg(long, value_name = "COLUMN", value_delimiter = ',')]
    pub(crate) key: Vec<String>,
    #[command(flatten)]
    pub(crate) rows: SubmitRowsArgs,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub(crate) enum ChangedArg {
    Create,
    Skip,
}

impl BatchArgs {
    /// The run waits for exports: `--wait`, or a flag that implies it (`--max-exporting`,
    /// `--download`).
    pub(crate) fn waits(&self) -> bool {
        self.rows.waits() || self.download.is_some()
    }
}

impl ChangedArg {
    #[cfg(feature = "submit")]
    pub(crate) fn option(self) -> crate::api::submit::Changed {
        match self {
            ChangedArg::Create => crate::api::submit::Changed::Create,
            ChangedArg::Skip => crate::api::submit::Changed::Skip,
        }
    }
}

/// How many rows are submitted, at what rate, where: `batch --submit` and `submit-projects`.
#[derive(Args, Debug)]
pub(crate) struct SubmitRowsArgs {
    /// At most R requests per second, shared by all requests (with --submit).
    #[arg(long, value_name = "R", value_parser = requests_per_second)]
    pub(crate) rate: Option<f64>,
    /// At most M projects exporting at once: the next row is created only when an export
    /// ends (exported, stalled or failed), for accounts that cap concurrent renders. Implies
    /// --wait.
    #[arg(long, value_name = "M", value_parser = job_count)]
    pub(crate) max_exporting: Option<usize>,
    #[command(flatten)]
    pub(crate) send: SendArgs,
    #[command(flatten)]
    pub(crate) api: ApiArgs,
}

impl SubmitRowsArgs {
    /// The submission options, with `jobs` requests in flight.
    #[cfg(feature = "submit")]
    pub(crate) fn options(&self, jobs: usize) -> crate::api::SubmitOptions {
        crate::api::SubmitOptions {
            jobs,
            wait: self.waits(),
            max_exporting: self.max_exporting,
            ..self.send.options()
        }
    }

    /// The run waits for exports: `--wait`, or a flag that implies it.
    pub(crate) fn waits(&self) -> bool {
        self.send.wait || self.max_exporting.is_some()
    }
}

impl CompileArgs {
    pub(crate) fn options(&self) -> Options {
        Options {
            templates: self.templates.clone(),
            vars_files: self.vars_files.clone(),
            sets: self.sets.clone(),
            lints: crate::lint::LintOptions {
                max_speech: self.max_speech,
            },
        }
    }
}

/// Where the API is and how to talk to it: the flags every API command takes.
#[derive(Args, Clone, Debug)]
pub(crate) struct ApiArgs {
    /// The API's base URL (e.g. http://127.0.0.1:7878 for `vidspec mock-server`); wins over --region.
    #[arg(long, value_name = "URL", value_parser = super::values::parse_base)]
    pub(crate) api_base: Option<String>,
    /// The vendor's region: global (app.aistudios.com) or cn (app.aistudios.cn).
    #[arg(long, value_enum, default_value_t = RegionArg::Global)]
    pub(crate) region: RegionArg,
    /// Log each request on stderr: method, path, status, attempt, time (never secrets or bodies).
    #[arg(long)]
    pub(crate) verbose: bool,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub(crate) enum RegionArg {
    Global,
    Cn,
}

impl ApiArgs {
    #[cfg(feature = "submit")]
    pub(crate) fn options(&self) -> crate::api::ApiOptions {
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
pub(crate) struct SendArgs {
    /// Create the project without rendering the video (isExport: false).
    #[arg(long)]
    pub(crate) no_export: bool,
    /// Wait for the export to finish (a progress bar on a terminal) and print the download URL.
    #[arg(long)]
    pub(crate) wait: bool,
    /// An http(s) URL the service POSTs export progress to (webhookUrl).
    #[arg(long, value_name = "URL", value_parser = super::values::parse_webhook)]
    pub(crate) webhook: Option<String>,
    /// The export resolution.
    #[arg(long, value_parser = ["4k", "1080", "720", "480"])]
    pub(crate) resolution: Option<String>,
    /// The workspace to create the project in (workspaceId).
    #[arg(long, value_name = "ID")]
    pub(crate) workspace: Option<String>,
    /// Record each row's outcome in FILE (JSON Lines); a rerun skips rows already created.
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub(crate) journal: Option<PathBuf>,
    /// Submit again rows whose earlier outcome is unknown (they may end up created twice).
    #[arg(long)]
    pub(crate) retry_unknown: bool,
    /// Rows changed since the journal recorded their project: `create` new projects (the old
    /// ones are journaled as superseded) or `skip` them. Without it such a run stops before
    /// sending.
    #[arg(long, value_enum, value_name = "WHAT")]
    pub(crate) changed: Option<ChangedArg>,
    /// With --wait (or --max-exporting, --download): an export whose progress has not moved
    /// for this long (seconds, or `30s`, `5m`, `1h`) is `stalled` (exit 3) instead of being
    /// polled forever.
    #[arg(long, value_name = "DURATION", value_parser = seconds)]
    pub(crate) export_timeout: Option<f64>,
}

impl SendArgs {
    #[cfg(feature = "submit")]
    pub(crate) fn options(&self) -> crate::api::SubmitOptions {
        crate::api::SubmitOptions {
            export: !self.no_export,
            wait: self.wait,
            webhook: self.webhook.clone(),
            resolution: self.resolution.clone(),
            workspace: self.workspace.clone(),
            journal: self.journal.clone(),
            retry_unknown: self.retry_unknown,
            changed: self.changed.map(ChangedArg::option),
            export_timeout: self.export_timeout.map(std::time::Duration::from_secs_f64),
            ..crate::api::SubmitOptions::default()
        }
    }
}

#[derive(Args, Debug)]
pub(crate) struct SubmitArgs {
    #[command(flatten)]
    pub(crate) compile: CompileArgs,
    #[command(flatten)]
    pub(crate) send: SendArgs,
    #[command(flatten)]
    pub(crate) api: ApiArgs,
}

#[derive(Args, Debug)]
pub(crate) struct SubmitProjectsArgs {
    /// NDJSON of compiled projects (`vidspec build --compact` lines); `-` reads stdin.
    pub(crate) file: PathBuf,
    /// Requests in flight at once.
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = job_count)]
    pub(crate) jobs: usize,
    #[command(flatten)]
    pub(crate) rows: SubmitRowsArgs,
}

#[derive(Subcommand, Debug)]
pub(crate) enum AuthCommand {
    /// Ask for the AppId and UserKey (the key without echo), check them, save them (mode 0600).
    Login(ApiArgs),
    /// Show where credentials come from, the cached token's life, and whether the API accepts it.
    Status(ApiArgs),
    /// Remove the saved credentials and the cached token.
    Logout,
}

#[derive(Args, Debug)]
pub(crate) struct MockArgs {
    /// The port on 127.0.0.1; 0 picks a free one (the real one is printed).
    #[arg(long, default_value_t = 7878)]
    pub(crate) port: u16,
    /// The share of requests answered with HTTP 500.
    #[arg(long, value_name = "F", default_value_t = 0.0, value_parser = fraction)]
    pub(crate) fail_rate: f64,
    /// Milliseconds added to every answer.
    #[arg(long, value_name = "MS", default_value_t = 0)]
    pub(crate) latency: u64,
    /// Requests per second above which the answer is 429 with Retry-After.
    #[arg(long, value_name = "N")]
    pub(crate) rate_limit: Option<u32>,
    /// Seconds a token lives (the real API: 24 hours).
    #[arg(long, value_name = "S", default_value_t = 86_400)]
    pub(crate) token_ttl: u64,
    /// The share of requests whose connection is closed without an answer.
    #[arg(long, value_name = "F", default_value_t = 0.0, value_parser = fraction)]
    pub(crate) drop_rate: f64,
    /// Seconds an export takes from 0 to 100%.
    #[arg(long, value_name = "S", default_value_t = 5.0, value_parser = seconds)]
    pub(crate) export_seconds: f64,
    /// Accept only this UserKey (default: any).
    #[arg(long, value_name = "KEY")]
    pub(crate) user_key: Option<String>,
    /// The share of exports that stall: their progress stops between 10 and 90% for good.
    #[arg(long, value_name = "F", default_value_t = 0.0, value_parser = fraction)]
    pub(crate) stall_rate: f64,
    /// Which exports stall and which video GETs fail: the same seed, the same projects (by creation order).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub(crate) seed: u64,
    /// The share of video downloads that fail: a 500/503, or the connection closed mid-body.
    #[arg(long, value_name = "F", default_value_t = 0.0, value_parser = fraction)]
    pub(crate) download_fail_rate: f64,
    /// Seconds a download URL stays good (default: for ever); past it the video answers 403
    /// and progress hands out a fresh URL.
    #[arg(long, value_name = "S", value_parser = seconds)]
    pub(crate) video_url_ttl: Option<f64>,
}

impl MockArgs {
    #[cfg(feature = "submit")]
    pub(crate) fn options(&self) -> crate::api::mock::MockOptions {
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
            stall_rate: self.stall_rate,
            seed: self.seed,
            download_fail_rate: self.download_fail_rate,
            video_url_ttl: self.video_url_ttl.map(std::time::Duration::from_secs_f64),
        }
    }
}

#[derive(Subcommand, Debug)]
pub(crate) enum ProjectsCommand {
    /// List the account's exported projects: id, name, state, download URL.
    #[command(after_help = LIST_LIMIT)]
    List(ProjectsListArgs),
    /// Delete projects by id, or those a `--changed create` run replaced (--superseded).
    Delete(ProjectsDeleteArgs),
    /// Journal each `unknown` row as created when exactly one exported project has its name.
    #[command(after_help = LIST_LIMIT)]
    Reconcile(ProjectsReconcileArgs),
}

/// What the vendor's project list holds, said wherever it is read.
const LIST_LIMIT: &str = "The vendor's list (GET /api/odin/v3/editor/project) holds only exported projects: \
a draft (created with --no-export) or a project still exporting is not in it.";

#[derive(Args, Debug)]
pub(crate) struct ProjectsListArgs {
    /// One JSON array on stdout instead of tab-separated lines.
    #[arg(long)]
    pub(crate) json: bool,
    #[command(flatten)]
    pub(crate) api: ApiArgs,
}

#[derive(Args, Debug)]
pub(crate) struct ProjectsDeleteArgs {
    /// The projectIds to delete.
    #[arg(required_unless_present = "superseded", conflicts_with = "superseded")]
    pub(crate) ids: Vec<String>,
    /// Delete the projects that the journal's rows replaced (their records' `supersedes`).
    #[arg(long, requires = "journal")]
    pub(crate) superseded: bool,
    /// The journal to read; the deletions are journaled in it afterwards (so a rerun with a
    /// row's old values creates a new project), unless a run holds it.
    #[arg(long, value_name = "FILE", requires = "superseded", value_hint = ValueHint::FilePath)]
    pub(crate) journal: Option<PathBuf>,
    /// Delete without asking (needed when stdin is not a terminal).
    #[arg(long, short = 'y')]
    pub(crate) yes: bool,
    #[command(flatten)]
    pub(crate) api: ApiArgs,
}

#[derive(Args, Debug)]
pub(crate) struct ProjectsReconcileArgs {
    /// The journal whose unknown rows to resolve (written: no run may hold it).
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub(crate) journal: PathBuf,
    #[command(flatten)]
    pub(crate) api: ApiArgs,
}
