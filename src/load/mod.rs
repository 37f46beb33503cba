//! Loading: a spec file becomes a node tree with spans, checked for unknown keys.

mod mistakes;
pub(crate) mod shape;
pub mod yaml;

use std::path::Path;

use crate::diag::Diagnostic;

/// What diagnostics call a spec (or a CSV) read from stdin (`-`).
pub const STDIN_NAME: &str = "<stdin>";

/// Reads a spec file within the default limits; `-` reads stdin.
pub fn load_spec(path: &Path) -> Result<yaml::Node, Diagnostic> {
    if path.as_os_str() == "-" {
        return yaml::load_reader(STDIN_NAME, std::io::stdin(), yaml::Limits::default());
    }
    yaml::load_file(path, yaml::Limits::default())
}
