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
/// calls it when it is `-`: "SPEC `-`", "`--csv -`". [`stdin_once`] reads them.
pub(crate) struct Inputs<'a>(Vec<(String, &'a Path)>);

impl<'a> Inputs<'a> {
    /// An input that is not a flag (the spec, the language server's messages), as it is named.
    pub(crate) fn new(named: &str, path: &'a Path) -> Inputs<'a> {
        Inputs(vec![(named.to_owned(), path)])
    }

    /// The spec and the vars files of a compilation.
    pub(crate) fn compile(spec: &'a Path, vars_files: &'a [PathBuf]) -> Inputs<'a> {
        Inputs::new("SPEC `-`", spec).vars(vars_files)
    }

    /// `--vars` files.
    pub(crate) fn vars(self, files: &'a [PathBuf]) -> Inputs<'a> {
        files
            .iter()
            .fold(self, |inputs, file| inputs.and("--vars", file))
    }

    /// The file of a flag.
    pub(crate) fn and(mut self, flag: &str, path: &'a Path) -> Inputs<'a> {
        self.0.push((format!("`{flag} -`"), path));
        self
    }
}

/// Stdin can be read once: a command line that gives `-` for two of its inputs (the spec and
/// the CSV, the spec and a vars file, two vars files, a vars file and the language server's
/// messages) is refused before anything is read, naming them.
pub(crate) fn stdin_once(inputs: &Inputs<'_>) -> Result<(), Error> {
    let dashes: Vec<&str> = inputs
        .0
        .iter()
        .filter(|(_, path)| path.as_os_str() == "-")
        .map(|(named, _)| named.as_str())
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
