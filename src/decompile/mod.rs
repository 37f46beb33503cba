//! Decompiling: a v3 project body back into the shortest spec that compiles to it.
//!
//! Three steps. (1) Read the body as lowering would have written it: the avatar clip's
//! `model` becomes a preset alias (a known preset whose `model_block` gives it, else a preset
//! extracted from it and written beside the spec); values equal to what lowering puts there
//! by default — derived ids and layers, estimated text boxes, the placement named in the
//! preset, the editor boilerplate of each clip template — are left out. (2) Compile that spec
//! in memory and compare with the body: whatever the spec language cannot say (an unknown
//! field, a value of a type the spec cannot give) is kept verbatim in an `extra:` mapping of
//! the project, scene, avatar or clip, with a warning naming its JSON pointer. (3) Compile
//! again and confirm every value of the body comes out unchanged.
//!
//! Every spec string is a template, so text holding template syntax is written so that it
//! renders to itself (see [`literal`]).

pub(crate) mod presets;
mod read;
pub(crate) mod yaml;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};

use crate::check::{self, Schema};
use crate::compile::{Options, Program};
use crate::diag::{Diagnostic, Diagnostics, Source};
use crate::error::Error;
use crate::inputs::Inputs;
use crate::library::Library;
use crate::load::yaml as yaml_in;
use crate::lower::Origins;
use crate::lower::{Preset, Presets};
use read::Reader;

/// Fields a get-project response adds that the service sets: not part of a project body.
pub(crate) const RESPONSE_ONLY: [&str; 6] = [
    "_id",
    "state",
    "progress",
    "download_url",
    "createdAt",
    "updatedAt",
];
/// The avatar keys of a spec, in the order a spec writes them.
pub(crate) const AVATAR_KEYS: [&str; 9] = [
    "preset",
    "language",
    "placement",
    "effect",
    "voice_only",
    "id",
    "layer",
    "opacity",
    "tag",
];
const SCENE_KEYS: [&str; 6] = ["background", "avatar", "say", "watermark", "clips", "extra"];

/// A decompiled project.
pub struct Decompiled {
    /// The spec, as YAML.
    pub spec: String,
    /// The preset files the spec names in `presets:`, to be written beside it.
    pub presets: Vec<PresetFile>,
    /// What the spec language could not say (kept in `extra`), and what was dropped.
    pub warnings: Vec<Diagnostic>,
}

/// A preset extracted from the body because no known preset has its model's geometry.
pub struct PresetFile {
    pub file_name: String,
    pub text: String,
    /// `MODEL/CLOTHING`.
    pub ids: String,
}

/// Decompiles a project body or get-project response; `spec_path` is where the spec will
/// be (its stem names a project that has no name).
pub fn decompile(
    document: &Value,
    spec_path: &Path,
    templates: &[PathBuf],
) -> Result<Decompiled, Error> {
    decompile_from(document, "a project", spec_path, templates)
}

/// [`decompile`], with the preset files saying they were measured from `from` (`project
/// 6650f0c1…` for `vidspec pull`).
pub(crate) fn decompile_from(
    document: &Value,
    from: &str,
    spec_path: &Path,
    templates: &[PathBuf],
) -> Result<Decompiled, Error> {
    let library = Library::with_dirs(templates)?;
    let mut body = unwrap_envelope(document)
        .map_err(Diagnostic::error)?
        .clone();
    let mut warnings = Vec::new();
    for key in RESPONSE_ONLY {
        if body.shift_remove(key).is_some() {
            warnings.push(Diagnostic::warning(format!(
                "/{key}: set by the service, not part of a project body; dropped"
            )));
        }
    }
    let mut diags = Diagnostics::default();
    let known = Presets::load(library.models.values(), &mut diags);
    if diags.has_errors() {
        return Err(diags.into());
    }
    let mut reader = Reader {
        known: &known,
        new: Vec::new(),
        warnings: &mut warnings,
    };
    let mut spec = reader.spec(&body)?;
    let new = reader.new;
    let mut built = build(&spec, &new, spec_path, templates)?;
    if keep_extras(&body, &built, &mut spec, &mut warnings) {
        built = build(&spec, &new, spec_path, templates)?;
    }
    let mut expected = Value::Object(body);
    if let Some(scenes) = expected["scenes"].as_array_mut() {
        for (i, scene) in scenes.iter_mut().enumerate() {
            if let Some(idx) = scene.get_mut("sceneIdx") {
                *idx = json!(i);
            }
        }
    }
    for (pointer, wanted, found) in differences(&expected, &built) {
        warnings.push(Diagnostic::warning(format!(
            "{pointer}: not reproduced: the body has {}, the spec gives {}",
            brief(&wanted),
            found.as_ref().map_or_else(|| "nothing".to_owned(), brief)
        )));
    }
    for problem in check::check_project(&built, &Origins::default(), &Schema::project()) {
        warnings.push(
            Diagnostic::warning(problem.message)
                .with_help("the body itself breaks this rule, so `vidspec build` refuses the spec until it is fixed"),
        );
    }
    let files: Vec<Value> = new
        .iter()
        .map(|p| Value::String(format!("{}.yaml", p.alias)))
        .collect();
    let presets = new
        .iter()
        .map(|preset| PresetFile {
            file_name: format!("{}.yaml", preset.alias),
            text: presets::file_text(preset, from),
            ids: preset.ids(),
        })
        .collect();
    Ok(Decompiled {
        spec: yaml::to_yaml(&Value::Object(with_presets(&spec, files))),
        presets,
        warnings,
    })
}

/// Reads a JSON file.
pub(crate) fn read_json(path: &Path) -> Result<Value, Error> {
    let shown = crate::display_path(path);
    let text = crate::bounded::read_file_or_error(path, crate::bounded::MAX_DOCUMENT)?;
    serde_json::from_str(&text)
        .map_err(|e| Diagnostic::error(format!("{shown} is not JSON: {e}")).into())
}

/// The project body of a document: the document itself, or `data.project` of a
/// get-project response (`{"success": true, "data": {"project": …}}`).
pub(crate) fn unwrap_envelope(document: &Value) -> Result<&Map<String, Value>, String> {
    let Some(object) = document.as_object() else {
        return Err("expected a JSON object: a project body or a get-project response".into());
    };
    if object.get("success") == Some(&Value::Bool(false)) {
        return Err(format!(
            "this is an API error response: {}",
            object.get("error").map_or_else(String::new, brief)
        ));
    }
    if let Some(data) = object.get("data") {
        return data
            .get("project")
            .and_then(Value::as_object)
            .ok_or_else(|| "a response without `data.project`: not a get-project response".into());
    }
    if object.contains_key("scenes") {
        Ok(object)
    } else {
        Err("no `scenes`: not a v3 project body".into())
    }
}

/// A spec string whose output is exactly `text`. Every spec string is a template, so text
/// with template syntax is wrapped in `{% raw %}…{% endraw %}`; text that itself contains
/// `endraw` has each `{{`, `{%` and `{#` printed by an expression instead.
pub(crate) fn literal(text: &str) -> String {
    if !crate::expand::engine::is_template(text) {
        return text.to_owned();
    }
    if !text.contains("endraw") {
        return format!("{{% raw %}}{text}{{% endraw %}}");
    }
    let mut out = String::with_capacity(text.len() * 2);
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        match ["{{", "{%", "{#"].into_iter().find(|o| rest.starts_with(o)) {
            Some(open) => {
                out.push_str(&format!("{{{{ \"{open}\" }}}}"));
                rest = &rest[2..];
            }
            None => {
                out.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
    }
    // A template's one trailing newline is dropped when it renders: print it instead.
    if out.ends_with('\n') {
        out.pop();
        out.push_str("{{ \"\\n\" }}");
    }
    out
}

/// [`literal`] for every string of a JSON value (keys are not templates).
fn literal_deep(value: &Value) -> Value {
    match value {
        Value::String(s) => Value::String(literal(s)),
        Value::Array(items) => Value::Array(items.iter().map(literal_deep).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), literal_deep(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Where `expected` is not contained in `actual` (an object may hold more keys):
/// each JSON pointer with the expected value and what was found there.
pub(crate) fn differences(expected: &Value, actual: &Value) -> Vec<(String, Value, Option<Value>)> {
    let mut out = Vec::new();
    diff_into(expected, Some(actual), String::new(), &mut out);
    out
}

fn diff_into(
    expected: &Value,
    actual: Option<&Value>,
    at: String,
    out: &mut Vec<(String, Value, Option<Value>)>,
) {
    match (expected, actual) {
        (Value::Object(e), Some(Value::Object(a))) => {
            for (k, v) in e {
                diff_into(
                    v,
                    a.get(k),
                    format!("{at}/{}", crate::lower::json_path::escape(k)),
                    out,
                );
            }
        }
        (Value::Array(e), Some(Value::Array(a))) if e.len() == a.len() => {
            for (i, (ev, av)) in e.iter().zip(a).enumerate() {
                diff_into(ev, Some(av), format!("{at}/{i}"), out);
            }
        }
        (e, Some(a)) if e == a => {}
        (e, a) => out.push((at, e.clone(), a.cloned())),
    }
}

/// Whether every key and value of `expected` is in `actual`.
fn contains(expected: &Value, actual: Option<&Value>) -> bool {
    match (expected, actual) {
        (Value::Object(e), Some(Value::Object(a))) => e.iter().all(|(k, v)| contains(v, a.get(k))),
        (Value::Array(e), Some(Value::Array(a))) => {
            e.len() == a.len() && e.iter().zip(a).all(|(ev, av)| contains(ev, Some(av)))
        }
        (e, Some(a)) => e == a,
        (_, None) => false,
    }
}

fn brief(value: &Value) -> String {
    let text = value.to_string();
    match text.char_indices().nth(60) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}

/// The spec with `presets` (when there are any) before `avatar`.
fn with_presets(spec: &Map<String, Value>, presets: Vec<Value>) -> Map<String, Value> {
    let mut out = Map::new();
    for (key, value) in spec {
        if key == "avatar" && !presets.is_empty() {
            out.insert("presets".into(), Value::Array(presets.clone()));
        }
        out.insert(key.clone(), value.clone());
    }
    out
}

/// Compiles a spec in memory (new presets given inline) into its unchecked project.
fn build(
    spec: &Map<String, Value>,
    new: &[Preset],
    spec_path: &Path,
    templates: &[PathBuf],
) -> Result<Value, Error> {
    let inline = new.iter().map(presets::to_json).collect();
    let text = yaml::to_yaml(&Value::Object(with_presets(spec, inline)));
    let source = Source::new(
        format!("{} (decompiled)", crate::display_path(spec_path)),
        text,
    );
    let root = yaml_in::parse(&source, yaml_in::Limits::default())?;
    let options = Options {
        templates: templates.to_vec(),
        ..Options::default()
    };
    let program = Program::from_tree(root, spec_path, &options)?;
    let inputs = program.inputs(&Inputs::new())?;
    Ok(program.lower(&inputs)?.project)
}

/// Compares the body with what the spec built; keeps each field the spec did not reproduce
/// in an `extra:` mapping. Returns whether the spec changed.
fn keep_extras(
    body: &Map<String, Value>,
    built: &Value,
    spec: &mut Map<String, Value>,
    warnings: &mut Vec<Diagnostic>,
) -> bool {
    let mut changed = false;
    let mut keep = |warnings: &mut Vec<Diagnostic>,
                    extra: &mut Map<String, Value>,
                    at: String,
                    key: &str,
                    value: &Value,
                    found: Option<&Value>,
                    level: &str| {
        let why = match found {
            None => format!("no spec key writes `{key}`"),
            Some(_) => "the spec language cannot write this value".to_owned(),
        };
        warnings.push(Diagnostic::warning(format!(
            "{at}: {why}; kept verbatim in the {level}'s `extra`"
        )));
        extra.insert(key.to_owned(), value.clone());
        changed = true;
    };
    let mut project_extra = Map::new();
    for (key, value) in body {
        if key != "scenes" && !contains(value, built.get(key)) {
            let at = format!("/{}", crate::lower::json_path::escape(key));
            keep(
                warnings,
                &mut project_extra,
                at,
                key,
                value,
                built.get(key),
                "project",
            );
        }
    }
    let no_scenes = Vec::new();
    let built_scenes = built["scenes"].as_array().unwrap_or(&no_scenes);
    let body_scenes = body["scenes"].as_array().unwrap_or(&no_scenes);
    for (i, (scene, made)) in body_scenes.iter().zip(built_scenes).enumerate() {
        let Some(scene) = scene.as_object() else {
            continue;
        };
        let mut scene_extra = Map::new();
        let mut avatar_extra = Map::new();
        let mut clip_extras: BTreeMap<usize, Map<String, Value>> = BTreeMap::new();
        let mut pending = Vec::new();
        for (key, value) in scene {
            let at = format!("/scenes/{i}/{}", crate::lower::json_path::escape(key));
            if key == "sceneIdx" {
                if *value != json!(i) {
                    warnings.push(Diagnostic::warning(format!(
                        "{at}: {} renumbered to {i}: `sceneIdx` is the scene's position",
                        brief(value)
                    )));
                }
                continue;
            }
            if contains(value, made.get(key)) {
                continue;
            }
            let clips = (value.as_array(), made[key].as_array());
            match clips {
                (Some(x), Some(b))
                    if key == "clips" && x.len() == b.len() && x.iter().all(Value::is_object) =>
                {
                    for (j, (clip, made_clip)) in x.iter().zip(b).enumerate() {
                        for (ck, cv) in clip.as_object().into_iter().flatten() {
                            if contains(cv, made_clip.get(ck)) {
                                continue;
                            }
                            let (extra, level) = match j {
                                0 => (&mut avatar_extra, "avatar"),
                                _ => (clip_extras.entry(j).or_default(), "clip"),
                            };
                            let at = format!("{at}/{j}/{}", crate::lower::json_path::escape(ck));
                            keep(&mut pending, extra, at, ck, cv, made_clip.get(ck), level);
                        }
                    }
                }
                _ => keep(
                    warnings,
                    &mut scene_extra,
                    at,
                    key,
                    value,
                    made.get(key),
                    "scene",
                ),
            }
        }
        let spec_scene = spec["scenes"][i]
            .as_object_mut()
            .expect("each scene of a decompiled spec is a mapping");
        if !avatar_extra.is_empty() && spec_scene.get("avatar") == Some(&json!("none")) {
            let keys: Vec<&str> = avatar_extra.keys().map(String::as_str).collect();
            warnings.push(Diagnostic::warning(format!(
                "/scenes/{i}/clips/0: the hidden avatar clip differs from the presenter in `{}`, \
                 and `avatar: none` takes no overrides; the scene's clips are kept verbatim in \
                 its `extra`",
                keys.join("`, `")
            )));
            scene_extra.insert("clips".into(), scene["clips"].clone());
        } else {
            warnings.append(&mut pending);
            if !avatar_extra.is_empty() {
                let avatar = spec_scene
                    .entry("avatar")
                    .or_insert_with(|| Value::Object(Map::new()));
                avatar["extra"] = Value::Object(avatar_extra);
            }
            for (j, extra) in clip_extras {
                spec_scene["clips"][j - 1]["extra"] = Value::Object(extra);
            }
        }
        if !scene_extra.is_empty() {
            let extra = spec_scene
                .entry("extra")
                .or_insert_with(|| Value::Object(Map::new()));
            for (k, v) in scene_extra {
                extra[k] = v;
            }
        }
        order(spec_scene, &SCENE_KEYS);
    }
    if !project_extra.is_empty() {
        spec.insert("extra".into(), Value::Object(project_extra));
    }
    changed
}

/// Puts the keys of `map` in the order of `keys` (others after them, as they were).
fn order(map: &mut Map<String, Value>, keys: &[&str]) {
    let rank = |k: &str| keys.iter().position(|o| *o == k).unwrap_or(keys.len());
    let mut entries: Vec<(String, Value)> = std::mem::take(map).into_iter().collect();
    entries.sort_by_key(|(k, _)| rank(k));
    map.extend(entries);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expand::Engine;

    #[track_caller]
    fn renders_to_itself(text: &str) {
        let source = literal(text);
        let span = crate::expand::nowhere();
        let mut engine = Engine::new();
        let id = engine
            .add_leaf(&source, &span)
            .unwrap_or_else(|d| panic!("{}", d.message));
        let out = engine
            .eval_leaf(id, &minijinja::Value::from(()))
            .unwrap_or_else(|d| panic!("{source}: {}", d.message));
        assert_eq!(out, Value::String(text.to_owned()), "written as {source}");
    }

    #[test]
    fn text_with_template_syntax_renders_to_itself() {
        for text in [
            "{{ 7*7 }}",
            "Hello {{ name }}\n",
            "{% if x %}y{% endif %}",
            "{# note #}",
            "{{",
            "{{{",
            "a {% endraw %} b",
            "{%endraw%}{{ x }}\n",
            "{{- x -}}  ",
            "}} {{ \"q\" }}",
            "{% raw %}{{ x }}{% endraw %}",
            "plain",
            "",
        ] {
            renders_to_itself(text);
        }
    }
}
