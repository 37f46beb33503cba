//! `vidspec decompile`: a project body back to the shortest spec, with new preset files
//! written beside it.

use std::path::{Path, PathBuf};

use crate::cli::DecompileArgs;
use crate::error::Error;
use crate::report::Reporter;

pub(super) fn run(args: DecompileArgs, reporter: &Reporter) -> Result<(), Error> {
    let document = crate::decompile::read_json(&args.project)?;
    let output = args
        .output
        .as_deref()
        .filter(|p| !crate::emit::is_stdout(p));
    let spec_path = output.map_or_else(|| PathBuf::from("decompiled.yaml"), Path::to_path_buf);
    let shown = crate::display_path(&args.project);
    let result =
        crate::decompile::decompile(&document, &spec_path, &args.templates).map_err(|error| {
            match error {
                Error::Invalid(diags) => Error::Invalid(
                    diags
                        .into_iter()
                        .map(|mut d| {
                            d.message = format!("{shown}: {}", d.message);
                            d
                        })
                        .collect(),
                ),
                other => other,
            }
        })?;
    reporter.diagnostics(&result.warnings);
    let folder = match output.and_then(Path::parent) {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(folder)
        .map_err(|e| Error::io(format!("creating {}", crate::display_path(folder)), e))?;
    for preset in &result.presets {
        let path = folder.join(&preset.file_name);
        let shown = crate::display_path(&path);
        crate::emit::write_new(&path, preset.text.as_bytes())
            .map_err(|e| Error::io(format!("writing {shown}"), e))?;
        reporter.note(format!(
            "note: wrote {shown}: a preset for {} (no known preset has this model's geometry)",
            preset.ids
        ));
    }
    super::output::Output {
        path: output,
        tell: false,
    }
    .write(result.spec.as_bytes(), reporter)
}
