//! `vidspec init`: a starter folder — a spec, a sample CSV, the spec schema for editors, and
//! a README — that `build` and `batch` accept as they are. Never overwrites a file.

use std::path::Path;

use crate::error::Error;

/// The files `init` writes, by name.
const FILES: &[(&str, &str)] = &[
    ("video.yaml", include_str!("../templates/init/video.yaml")),
    ("people.csv", include_str!("../templates/init/people.csv")),
    ("README.md", include_str!("../templates/init/README.md")),
    ("spec.schema.json", crate::check::SPEC_SCHEMA),
];

/// Writes the starter files into `dir` (created if missing); returns their names.
pub(crate) fn init(dir: &Path) -> Result<Vec<String>, Error> {
    let taken: Vec<String> = FILES
        .iter()
        .map(|(name, _)| dir.join(name))
        .filter(|path| path.exists())
        .map(|path| crate::display_path(&path))
        .collect();
    if !taken.is_empty() {
        return Err(Error::Invalid(vec![crate::diag::Diagnostic::error(
            format!(
                "{} already exist{}; nothing was written (init never overwrites)",
                taken.join(", "),
                if taken.len() == 1 { "s" } else { "" }
            ),
        )]));
    }
    std::fs::create_dir_all(dir)
        .map_err(|e| Error::io(format!("creating {}", crate::display_path(dir)), e))?;
    let mut written = Vec::new();
    for (name, text) in FILES {
        let path = dir.join(name);
        crate::emit::write_atomic(&path, text.as_bytes())
            .map_err(|e| Error::io(format!("writing {}", crate::display_path(&path)), e))?;
        written.push(crate::display_path(&path));
    }
    Ok(written)
}
