//! `vidspec decompile`: a project body back to the shortest spec, with new preset files
//! written beside it. [`write`] is shared with `vidspec pull`.

use std::path::{Path, PathBuf};

use crate::cli::DecompileArgs;
use crate::decompile::Decompiled;
use crate::error::Error;
use crate::report::Reporter;

pub(super) fn run(args: DecompileArgs, reporter: &Reporter) -> Result<(), Error> {
    let inputs = crate::load::Inputs::new("PROJECT `-`", "the project", &args.project);
    crate::clobber::refuse(&inputs, [("-o", args.output.as_deref())])?;
    let document = crate::decompile::read_json(&args.project)?;
    let output = args
        .output
        .as_deref()
        .filter(|p| !crate::emit::is_stdout(p));
    let spec_path = output.map_or_else(|| PathBuf::from("decompiled.yaml"), Path::to_path_buf);
    let shown = crate::display_path(&args.project);
    let result = crate::decompile::decompile(&document, &spec_path, &args.templates)
        .map_err(|error| named(error, &shown))?;
    write(&result, output, reporter)
}

/// The error with each of its diagnostics prefixed by the name of the project it is about.
pub(super) fn named(error: Error, shown: &str) -> Error {
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
}

/// A decompiled project's warnings, then its new preset files — in the spec's folder, or the
/// current one when the spec goes to stdout; all checked before any is written, and none
/// replacing a file with other content — then the spec itself.
pub(super) fn write(
    result: &Decompiled,
    output: Option<&Path>,
    reporter: &Reporter,
) -> Result<(), Error> {
    if let Some(dir) = output.filter(|path| path.is_dir()) {
        // Refused before any preset is written beside where the spec cannot go.
        return Err(Error::Usage(format!(
            "-o {0}: a folder; -o names the spec's file, e.g. -o {0}/spec.yaml (its presets go beside it)",
            crate::display_path(dir).trim_end_matches('/')
        )));
    }
    reporter.diagnostics(&result.warnings);
    let folder = match output.and_then(Path::parent) {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(folder)
        .map_err(|e| Error::io(format!("creating {}", crate::display_path(folder)), e))?;
    let files: Vec<(PathBuf, String)> = result
        .presets
        .iter()
        .map(|preset| (folder.join(&preset.file_name), preset.text.clone()))
        .collect();
    let written = crate::decompile::presets::write_all_new(&files)?;
    for (((path, _), preset), written) in files.iter().zip(&result.presets).zip(written) {
        let (path, ids) = (crate::display_path(path), &preset.ids);
        reporter.note(if written {
            format!(
                "note: wrote {path}: a preset for {ids} (no known preset has this model's geometry)"
            )
        } else {
            format!("note: {path} already holds this preset for {ids}; left as it is")
        });
    }
    super::output::Output {
        path: output,
        tell: false,
    }
    .write(result.spec.as_bytes(), reporter)
}
