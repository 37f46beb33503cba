//! Loading: a spec file becomes a node tree with spans, checked for unknown keys.

mod mistakes;
pub(crate) mod shape;
pub mod yaml;

use std::path::Path;

use crate::diag::Diagnostic;

/// Reads a spec file within the default limits.
pub fn load_spec(path: &Path) -> Result<yaml::Node, Diagnostic> {
    yaml::load_file(path, yaml::Limits::default())
}
