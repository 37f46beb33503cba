//! The command line: clap's types, turned into the library's options at the door.

use std::ffi::OsString;
use std::io::IsTerminal;
use std::path::PathBuf;

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};

use crate::compile::{self, Options};
use crate::diag::Diagnostic;
use crate::emit::{self, Format};
use crate::error::{Error, exit};

#[derive(Parser, Debug)]
#[command(name = "vidspec", version, about = "Compile short YAML video specs into AI Studios v3 project JSON")]
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
    Check(CompileArgs),
    /// Print the JSON Schema of the spec language (for editors' YAML plugins).
    Schema,
    /// Print a shell completion script.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
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

/// Runs the command line; returns the process exit code.
pub fn run(args: impl IntoIterator<Item = OsString>) -> i32 {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { exit::USAGE } else { exit::OK };
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

fn print_warnings(warnings: &[Diagnostic], color: bool) {
    for warning in warnings {
        eprint!("{}", warning.render(color));
    }
}

fn dispatch(command: Command, color: bool) -> Result<(), Error> {
    match command {
        Command::Build(args) => {
            let (lowered, warnings) = compile::build(&args.compile.spec, &args.compile.options())?;
            print_warnings(&warnings, color);
            let format = if args.compact { Format::Compact } else { Format::Pretty };
            let bytes = emit::to_bytes(&lowered.project, format);
            match &args.output {
                Some(path) => emit::write_atomic(path, &bytes)
                    .map_err(|e| Error::io(format!("writing {}", crate::display_path(path)), e)),
                None => emit::write_stdout(&bytes).map_err(|e| Error::io("writing stdout", e)),
            }
        }
        Command::Check(args) => {
            let (lowered, warnings) = compile::build(&args.spec, &args.options())?;
            print_warnings(&warnings, color);
            let scenes = lowered.project["scenes"].as_array().map_or(0, Vec::len);
            eprintln!("ok: {} compiles to a valid project ({scenes} scenes)", crate::display_path(&args.spec));
            Ok(())
        }
        Command::Schema => emit::write_stdout(crate::check::SPEC_SCHEMA.as_bytes()).map_err(|e| Error::io("writing stdout", e)),
        Command::Completions { shell } => {
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "vidspec", &mut out);
            emit::write_stdout(&out).map_err(|e| Error::io("writing stdout", e))
        }
    }
}
