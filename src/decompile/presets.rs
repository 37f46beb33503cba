//! Presets from projects: the measured geometry of an editor-made project's avatar clips
//! becomes preset files, so a user can add any model of their account; and the
//! `presets list|show|extract` commands.
//!
//! A preset stores only measured numbers (head box, tight box, origin, scale, adjust, image
//! sizes); `Preset::model_block` derives the rest. Extraction reads those numbers back from a
//! clip's `model` and checks that the derivation gives the clip's block again, naming each
//! field where it does not.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::check::Schema;
use crate::diag::{Diagnostic, Diagnostics, suggestion};
use crate::error::Error;
use crate::library::Library;
use crate::lower::preset::{Adjust, DEFAULT_CDN, Head, Images, Placement, Size, Tight};
use crate::lower::{Preset, Presets};

/// Reads the measured numbers of an avatar clip's `model` (and its placement, as the
/// `default` one) into a preset named `alias`.
pub(crate) fn from_clip(clip: &Value, alias: &str) -> Result<Preset, String> {
    let model = clip
        .get("model")
        .filter(|m| m.is_object())
        .ok_or("the clip has no `model` object")?;
    let text = |key: &str| {
        model[key]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| format!("`model.{key}` is not a string"))
    };
    let ai_name = text("ai_name")?;
    let clothing = text("emotion")?;
    let language = model["language"].as_str().unwrap_or("en").to_owned();
    let editor = ["editor", "editorValue"]
        .iter()
        .map(|k| &model[*k])
        .find(|e| e.is_object())
        .ok_or("`model.editor` is missing")?;
    let number = |parent: &Value, path: &str, key: &str| {
        parent[key]
            .as_f64()
            .ok_or_else(|| format!("`model.{path}{key}` is not a number"))
    };
    let measured = |key: &str| number(editor, "editor.", key);
    let origin = match model.get("origin").filter(|o| o.is_object()) {
        Some(o) => Size {
            width: number(o, "origin.", "width")?,
            height: number(o, "origin.", "height")?,
        },
        None => Size {
            width: measured("modelOriginW")?,
            height: measured("modelOriginH")?,
        },
    };
    let images = &model["deployImage"];
    let image = |key: &str| number(images, "deployImage.", key);
    let stem = format!("{ai_name}_{clothing}");
    let cdn = model["source_url"]
        .as_str()
        .and_then(|url| url.strip_suffix(&format!("/ai/ai_mov_thm/tight_ai_mov_thm_{stem}.png")))
        .filter(|cdn| *cdn != DEFAULT_CDN)
        .map(str::to_owned);
    let positive = |key: &str| clip[key].as_f64().filter(|f| *f > 0.0);
    let placement = Placement {
        left: clip["left"].as_f64().unwrap_or(0.0),
        top: clip["top"].as_f64().unwrap_or(0.0),
        scale: positive("scaleX").filter(|s| *s != 1.0),
    };
    Ok(Preset {
        alias: alias.to_owned(),
        label: None,
        ai_name,
        clothing,
        languages: vec![language],
        cdn,
        origin,
        tight: Tight {
            x: measured("modelTightX")?,
            y: measured("modelTightY")?,
            width: measured("modelTightW")?,
            height: measured("modelTightH")?,
            scale: measured("modelTightS").unwrap_or(1.0),
        },
        head: Head {
            center_x: measured("headCenterX")?,
            center_y: measured("headCenterY")?,
            width: measured("headWidth")?,
            height: measured("headHeight")?,
        },
        scale: measured("scale")?,
        adjust: Adjust {
            x: measured("adjustX")?,
            y: measured("adjustY")?,
        },
        images: Images {
            thumbnail: Size {
                width: image("themb_width")?,
                height: image("themb_height")?,
            },
            edit: Size {
                width: image("edit_width")?,
                height: image("edit_height")?,
            },
        },
        placements: BTreeMap::from([("default".to_owned(), placement)]),
    })
}

/// The preset as JSON, numbers as vidspec writes them (integral values as integers).
pub(crate) fn to_json(preset: &Preset) -> Value {
    normalize(serde_json::to_value(preset).expect("a preset serializes"))
}

fn normalize(value: Value) -> Value {
    match value {
        Value::Number(n) => match n.as_i64() {
            Some(_) => Value::Number(n),
            None => crate::json_number(n.as_f64().unwrap_or(f64::NAN)),
        },
        Value::Array(items) => Value::Array(items.into_iter().map(normalize).collect()),
        Value::Object(map) => {
            Value::Object(map.into_iter().map(|(k, v)| (k, normalize(v))).collect())
        }
        other => other,
    }
}

/// Problems the preset schema finds in an extracted preset.
pub(crate) fn schema_errors(preset: &Preset) -> Vec<String> {
    Schema::preset()
        .errors(&to_json(preset))
        .into_iter()
        .map(|(pointer, message)| format!("{pointer}: {message}"))
        .collect()
}

/// The preset file's text: a comment saying where it came from, then the preset.
pub(crate) fn file_text(preset: &Preset, from: &str) -> String {
    format!(
        "# Model {} in clothing {}, measured from {from} by vidspec.\n\
         # Measured values only; the rest of the avatar block is derived (see ARCHITECTURE.md).\n{}",
        preset.ai_name,
        preset.clothing,
        super::yaml::to_yaml(&to_json(preset))
    )
}

/// The fields where the preset's block and a clip's `model` differ (either way), as
/// `model/…: the preset gives X, the clip has Y`.
pub(crate) fn mismatches(preset: &Preset, clip: &Value) -> Vec<String> {
    let model = &clip["model"];
    let language = model["language"]
        .as_str()
        .or(preset.languages.first().map(String::as_str))
        .unwrap_or("en");
    let block = preset.model_block(language);
    let show = |v: Option<Value>| v.map_or_else(|| "nothing".to_owned(), |v| v.to_string());
    // (pointer, what the preset gives, what the clip has)
    let differ = super::differences(model, &block)
        .into_iter()
        .map(|(pointer, clip, gives)| (pointer, gives, Some(clip)));
    let added = super::differences(&block, model)
        .into_iter()
        .filter(|(_, _, found)| found.is_none())
        .map(|(pointer, gives, _)| (pointer, Some(gives), None));
    differ
        .chain(added)
        .map(|(pointer, gives, has)| {
            let (gives, has) = (show(gives), show(has));
            format!("model{pointer}: the preset gives {gives}, the clip has {has}")
        })
        .collect()
}

/// `<ai_name>-<emotion>`, lowercased, as a preset alias.
pub(crate) fn default_alias(ai_name: &str, clothing: &str) -> String {
    let mut alias = String::new();
    for c in format!("{ai_name}-{clothing}").chars() {
        let c = c.to_ascii_lowercase();
        if c.is_ascii_alphanumeric() {
            alias.push(c);
        } else if !alias.is_empty() && !alias.ends_with('-') {
            alias.push('-');
        }
    }
    let alias = alias.trim_end_matches('-');
    if alias.is_empty() {
        "model".to_owned()
    } else {
        alias.to_owned()
    }
}

fn valid_alias(alias: &str) -> bool {
    alias
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && alias
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// The presets every command knows: the built-in ones and those of `--templates` folders.
pub(crate) fn known(templates: &[PathBuf]) -> Result<Presets, Error> {
    let library = Library::with_dirs(templates)?;
    let mut diags = Diagnostics::default();
    let presets = Presets::load(library.models.values(), &mut diags);
    if diags.has_errors() {
        return Err(diags.into());
    }
    Ok(presets)
}

/// `vidspec presets list`: a table, one line per preset — alias, label, ids, placements.
pub(crate) fn list(templates: &[PathBuf]) -> Result<String, Error> {
    let presets = known(templates)?;
    let rows: Vec<[String; 4]> = presets
        .by_alias
        .values()
        .map(|p| {
            [
                p.alias.clone(),
                p.label.clone().unwrap_or_else(|| "-".to_owned()),
                p.ids(),
                p.placements.keys().cloned().collect::<Vec<_>>().join(", "),
            ]
        })
        .collect();
    let header = ["ALIAS", "LABEL", "MODEL/CLOTHING", "PLACEMENTS"].map(str::to_owned);
    let mut widths = [0; 4];
    for row in std::iter::once(&header).chain(&rows) {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in std::iter::once(&header).chain(&rows) {
        let line: Vec<String> = row
            .iter()
            .zip(widths)
            .map(|(cell, width)| format!("{cell:width$}"))
            .collect();
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
    }
    Ok(out)
}

/// `vidspec presets show NAME`: the text of the preset file named by alias or
/// `MODEL/CLOTHING` ids.
pub(crate) fn show(name: &str, templates: &[PathBuf]) -> Result<String, Error> {
    let library = Library::with_dirs(templates)?;
    let mut aliases = Vec::new();
    for entry in library.models.values() {
        let mut diags = Diagnostics::default();
        let presets = Presets::load([entry], &mut diags);
        if presets.find(name).is_some() {
            return Ok(entry.text.clone());
        }
        aliases.extend(presets.by_alias.into_keys());
    }
    Err(Diagnostic::error(format!("no preset named `{name}`"))
        .with_help(suggestion(name, aliases.iter().map(String::as_str)))
        .into())
}

/// A usage error for an `--alias` that is not one.
pub(crate) fn check_alias(alias: Option<&str>) -> Result<(), Error> {
    match alias.filter(|a| !valid_alias(a)) {
        Some(alias) => Err(Error::Usage(format!(
            "--alias {alias}: an alias is lowercase letters, digits and `-`, e.g. anna-navy-suit"
        ))),
        None => Ok(()),
    }
}

/// A clip and its JSON pointer in the project.
type Located<'a> = (String, &'a Value);

/// What `presets extract` did.
pub(crate) struct Extracted {
    /// The preset files written.
    pub(crate) written: Vec<PathBuf>,
    /// With `-o -`: the presets as YAML documents (`---` between them), written nowhere.
    pub(crate) printed: String,
    /// Clips whose avatar block the preset does not reproduce exactly.
    pub(crate) warnings: Vec<Diagnostic>,
    /// Clips no preset could be made from.
    pub(crate) problems: Vec<Diagnostic>,
}

/// `vidspec presets extract`: one preset file per distinct model and clothing among the
/// project's avatar clips, written into `dir`.
pub(crate) fn extract(
    project: &Path,
    alias: Option<&str>,
    dir: Option<&Path>,
) -> Result<Extracted, Error> {
    check_alias(alias)?;
    let shown = crate::display_path(project);
    let document = super::read_json(project)?;
    extract_from(&document, &shown, alias, dir)
}

/// [`extract`] from a project already read: a body or a get-project response. `shown` names
/// it in messages and in the preset files' first line.
pub(crate) fn extract_from(
    document: &Value,
    shown: &str,
    alias: Option<&str>,
    dir: Option<&Path>,
) -> Result<Extracted, Error> {
    check_alias(alias)?;
    let body = super::unwrap_envelope(document)
        .map_err(|m| Error::from(Diagnostic::error(format!("{shown}: {m}"))))?;
    // Avatar clips grouped by model and clothing, in the order they first appear.
    let mut groups: Vec<((String, String), Vec<Located>)> = Vec::new();
    let scenes = body.get("scenes").and_then(Value::as_array);
    for (i, scene) in scenes.into_iter().flatten().enumerate() {
        let clips = scene.get("clips").and_then(Value::as_array);
        for (j, clip) in clips.into_iter().flatten().enumerate() {
            if clip["type"] != "aiModel" {
                continue;
            }
            let ids = (
                clip["model"]["ai_name"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                clip["model"]["emotion"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            );
            let at = format!("/scenes/{i}/clips/{j}");
            match groups.iter_mut().find(|(k, _)| *k == ids) {
                Some((_, clips)) => clips.push((at, clip)),
                None => groups.push((ids, vec![(at, clip)])),
            }
        }
    }
    if groups.is_empty() {
        return Err(Diagnostic::error(format!("{shown} has no avatar (aiModel) clips")).into());
    }
    let to_stdout = dir.is_some_and(crate::emit::is_stdout);
    let folder = dir.unwrap_or(Path::new("."));
    if dir.is_some() && !to_stdout {
        std::fs::create_dir_all(folder)
            .map_err(|e| Error::io(format!("creating {}", crate::display_path(folder)), e))?;
    }
    let mut files = Vec::new();
    let mut problems = Vec::new();
    let mut warnings = Vec::new();
    for (n, ((ai_name, clothing), clips)) in groups.iter().enumerate() {
        let name = match alias {
            Some(alias) if n == 0 => alias.to_owned(),
            Some(alias) => format!("{alias}-{}", n + 1),
            None => default_alias(ai_name, clothing),
        };
        let (first_at, first) = &clips[0];
        let mut preset = match from_clip(first, &name) {
            Ok(preset) => preset,
            Err(message) => {
                problems.push(Diagnostic::error(format!("{shown}{first_at}: {message}")));
                continue;
            }
        };
        for (_, clip) in clips {
            if let Some(language) = clip["model"]["language"].as_str() {
                if !preset.languages.iter().any(|l| l == language) {
                    preset.languages.push(language.to_owned());
                }
            }
        }
        let errors = schema_errors(&preset);
        if !errors.is_empty() {
            for error in errors {
                problems.push(Diagnostic::error(format!(
                    "{shown}{first_at}: the extracted preset is invalid at {error}"
                )));
            }
            continue;
        }
        for (at, clip) in clips {
            for mismatch in mismatches(&preset, clip) {
                warnings.push(
                    Diagnostic::warning(format!("{shown}: {at}/{mismatch}")).with_help(format!(
                        "`{name}.yaml` does not reproduce this clip's avatar block exactly"
                    )),
                );
            }
        }
        files.push((
            folder.join(format!("{name}.yaml")),
            file_text(&preset, shown),
        ));
    }
    if to_stdout {
        let texts: Vec<&str> = files.iter().map(|(_, text)| text.as_str()).collect();
        return Ok(Extracted {
            written: Vec::new(),
            printed: texts.join("---\n"),
            warnings,
            problems,
        });
    }
    write_all_new(&files)?;
    let written = files.into_iter().map(|(path, _)| path).collect();
    Ok(Extracted {
        written,
        printed: String::new(),
        warnings,
        problems,
    })
}

/// Writes each new file with [`crate::emit::write_new`], after checking them all: when one
/// is already there with other content, none is written. Says of each file whether it was
/// written (`false`: it already held these bytes).
pub(crate) fn write_all_new(files: &[(PathBuf, String)]) -> Result<Vec<bool>, Error> {
    let shown = |path: &Path| format!("writing {}", crate::display_path(path));
    let mut new = Vec::new();
    for (path, text) in files {
        match crate::emit::may_write_new(path, text.as_bytes()) {
            Ok(fresh) => new.push(fresh),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                return Err(Diagnostic::error(format!(
                    "{}: {e}; nothing was written",
                    shown(path)
                ))
                .with_help(
                    "it holds another preset of that name: move it away, or write into another \
                     folder (-o)",
                )
                .into());
            }
            Err(e) => return Err(Error::io(shown(path), e)),
        }
    }
    for (path, text) in files {
        crate::emit::write_new(path, text.as_bytes()).map_err(|e| Error::io(shown(path), e))?;
    }
    Ok(new)
}
