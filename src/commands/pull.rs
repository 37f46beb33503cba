//! `vidspec pull PROJECT_ID`: a project made in the AI Studios editor, fetched through the
//! API client (get-project) and decompiled: the shortest spec that builds it, and the preset
//! files of the avatars no known preset has. [`fetch`] is shared with `presets pull`.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::api::client::ErrorKind;
use crate::cli::{ApiArgs, PullArgs};
use crate::error::Error;
use crate::report::Reporter;

pub(super) fn run(args: PullArgs, reporter: &Reporter) -> Result<(), Error> {
    let mut project = fetch(&args.id, &args.api, reporter)?;
    // What the service adds to a stored project (`_id`, `state`, …) is not part of a body,
    // and pull knows it fetched a stored project: dropped without a warning each.
    if let Some(stored) = project.as_object_mut() {
        for key in crate::decompile::RESPONSE_ONLY {
            stored.shift_remove(key);
        }
    }
    let label = format!("project {}", args.id);
    let output = args
        .output
        .as_deref()
        .filter(|p| !crate::emit::is_stdout(p));
    let spec_path = output.map_or_else(
        || PathBuf::from(format!("{}.yaml", args.id)),
        Path::to_path_buf,
    );
    let result = crate::decompile::decompile_from(&project, &label, &spec_path, &args.templates)
        .map_err(|error| super::decompile::named(error, &label))?;
    super::decompile::write(&result, output, reporter)?;
    if let Some(path) = output {
        let scenes = project["scenes"].as_array().map_or(0, Vec::len);
        reporter.note(format!(
            "note: wrote {}: {label} ({}); `vidspec build {}` gives it back",
            crate::display_path(path),
            super::plural(scenes, "scene"),
            crate::display_path(path),
        ));
    }
    Ok(())
}

/// The stored project `id` (get-project's `data.project`), through the API client: its
/// credentials, token cache, retries and rate.
pub(super) fn fetch(id: &str, api: &ApiArgs, reporter: &Reporter) -> Result<Value, Error> {
    super::status::check_id(id)?;
    let client = super::plain_client(api, reporter)?;
    client.require_credentials()?;
    crate::api::block_on(client.project(id))?.map_err(|error| match error.kind {
        // The vendor's refusal (an unknown id, most likely), said as what it means here.
        ErrorKind::Refused { .. } => Error::Api(format!(
            "cannot pull project {id}: {} (check the id, and --region or --api-base: the \
             account's projects are where it was made)",
            error.message
        )),
        _ => error.into(),
    })
}
