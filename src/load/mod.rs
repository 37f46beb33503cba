//! Loading: a spec file becomes a node tree with spans, checked for unknown keys.

mod mistakes;
pub(crate) mod shape;
pub mod yaml;

use std::path::{Path, PathBuf};

use crate::diag::Diagnostic;
use crate::error::Error;

/// What diagnostics call a spec (or a CSV) read from stdin (`-`).
pub const STDIN_NAME: &str = "<stdin>";

/// The inputs of a command that name a file or `-` (stdin), each with what its command line
/// calls it when it is `-` ("SPEC `-`", "`--csv -`") and what it is to the command ("the
/// spec", "the --csv file"). [`stdin_once`] reads them, and `clobber` checks that no output
/// is one of them.
#[derive(Clone, Debug, Default)]
pub(crate) struct Inputs(Vec<Input>);

#[derive(Clone, Debug)]
pub(crate) struct Input {
    /// As the command line names it when it is `-`.
    named: String,
    /// What it is to the command, in a message.
    pub(crate) role: String,
    pub(crate) path: PathBuf,
}

impl Inputs {
    /// An input that is not a flag (the spec, the language server's messages), as it is
    /// named when it is `-`, and what it is.
    pub(crate) fn new(named: &str, role: &str, path: &Path) -> Inputs {
        Inputs::default().also(named, role, path)
    }

    /// One more input that is not a flag (each journal of `journal merge`).
    pub(crate) fn also(mut self, named: &str, role: &str, path: &Path) -> Inputs {
        self.0.push(Input {
            named: named.to_owned(),
            role: role.to_owned(),
            path: path.to_owned(),
        });
        self
    }

    /// The spec and the vars files of a compilation.
    pub(crate) fn compile(spec: &Path, vars_files: &[PathBuf]) -> Inputs {
        Inputs::new("SPEC `-`", "the spec", spec).vars(vars_files)
    }

    /// `--vars` files.
    pub(crate) fn vars(self, files: &[PathBuf]) -> Inputs {
        files
            .iter()
            .fold(self, |inputs, file| inputs.and("--vars", file))
    }

    /// The file of a flag.
    pub(crate) fn and(self, flag: &str, path: &Path) -> Inputs {
        self.also(&format!("`{flag} -`"), &format!("the {flag} file"), path)
    }

    /// The file of a flag, if given.
    pub(crate) fn and_maybe(self, flag: &str, path: Option<&Path>) -> Inputs {
        match path {
            Some(path) => self.and(flag, path),
            None => self,
        }
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &Input> {
        self.0.iter()
    }
}

/// Stdin can be read once: a command line that gives `-` for two of its inputs (the spec and
/// the CSV, the spec and a vars file, two vars files, a vars file and the language server's
/// messages) is refused before anything is read, naming them.
pub(crate) fn stdin_once(inputs: &Inputs) -> Result<(), Error> {
    let dashes: Vec<&str> = inputs
        .0
        .iter()
        .filter(|input| input.path.as_os_str() == "-")
        .map(|input| input.named.as_str())
        .collect();
    let Some((last, rest)) = dashes.split_last().filter(|(_, rest)| !rest.is_empty()) else {
        return Ok(());
    };
    let (all, which) = if rest.len() == 1 {
        ("both", "one of them")
    } else {
        ("all", "all but one of them")
    };
    Err(Error::Usage(format!(
        "{} and {last} cannot {all} come from stdin, which can be read only once; give {which} as a file",
        rest.join(", ")
    )))
}

/// Reads a YAML document (a spec, a vars file) within the default limits; `-` reads stdin.
pub fn load_spec(path: &Path) -> Result<yaml::Node, Diagnostic> {
    if path.as_os_str() == "-" {
        return yaml::load_reader(STDIN_NAME, std::io::stdin(), yaml::Limits::default());
    }
    yaml::load_file(path, yaml::Limits::default())
}
