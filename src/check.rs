//! Checking: the project JSON against `schemas/project.v3.schema.json`, plus the rules across
//! fields that no schema can say. Every problem names the spec location that produced the
//! offending value, through the [`Origins`] map that `lower` records.

use std::borrow::Cow;
use std::sync::{Arc, OnceLock};

use serde_json::Value;

use crate::diag::Diagnostic;
use crate::lower::Origins;

/// The JSON Schema of the v3 project body (`schemas/project.v3.schema.json` as `build.rs`
/// leaves it: without annotations or white space).
pub(crate) const PROJECT_SCHEMA: &str =
    include_str!(concat!(env!("OUT_DIR"), "/project.v3.schema.json"));
/// The JSON Schema of model preset files, likewise.
pub(crate) const PRESET_SCHEMA: &str =
    include_str!(concat!(env!("OUT_DIR"), "/preset.schema.json"));
/// The JSON Schema of the spec language, for editors.
pub const SPEC_SCHEMA: &str = include_str!("../schemas/spec.schema.json");

mod subset;

/// A JSON Schema, ready to check documents. Whether a document is valid is answered by
/// [`subset::Validator`] when the schema keeps to the keywords it knows (the project schema
/// does); the full validator (`jsonschema`) is compiled only when it is needed: for the errors
/// of a document, or for every answer of a schema outside that subset.
pub struct Schema {
    text: Cow<'static, str>,
    quick: Option<subset::Validator>,
    full: OnceLock<jsonschema::Validator>,
}

impl Schema {
    /// A schema compiled now. Its quick validator is kept for the process's life (see
    /// `subset::Validator::new`): make one per schema, not one per document.
    pub fn new(text: &str) -> Schema {
        Schema {
            text: Cow::Owned(text.to_owned()),
            quick: subset::Validator::new(text).ok(),
            full: OnceLock::new(),
        }
    }

    /// The project schema, whose quick validator was compiled when vidspec was built.
    pub fn project() -> Arc<Schema> {
        static SCHEMA: OnceLock<Arc<Schema>> = OnceLock::new();
        Arc::clone(SCHEMA.get_or_init(|| {
            Arc::new(Schema {
                text: Cow::Borrowed(PROJECT_SCHEMA),
                quick: subset::PROJECT,
                full: OnceLock::new(),
            })
        }))
    }

    /// The preset schema, compiled once per process.
    pub fn preset() -> Arc<Schema> {
        static SCHEMA: OnceLock<Arc<Schema>> = OnceLock::new();
        Arc::clone(SCHEMA.get_or_init(|| Arc::new(Schema::new(PRESET_SCHEMA))))
    }

    /// The full validator, compiled on first use.
    fn full(&self) -> &jsonschema::Validator {
        self.full.get_or_init(|| {
            let json: Value = serde_json::from_str(&self.text).expect("bundled schema is JSON");
            jsonschema::validator_for(&json).expect("bundled schema is valid")
        })
    }

    pub(crate) fn is_valid(&self, instance: &Value) -> bool {
        match &self.quick {
            Some(quick) => quick.is_valid(instance),
            None => self.full().is_valid(instance),
        }
    }

    /// Each violation as (JSON pointer, message).
    pub fn errors(&self, instance: &Value) -> Vec<(String, String)> {
        self.full()
            .iter_errors(instance)
            .map(|e| (e.instance_path().as_str().to_owned(), e.to_string()))
            .collect()
    }
}

/// Validates a project against the schema and the cross-field rules.
pub(crate) fn check_project(
    project: &Value,
    origins: &Origins,
    schema: &Schema,
) -> Vec<Diagnostic> {
    let mut problems: Vec<(String, String)> = if schema.is_valid(project) {
        Vec::new()
    } else {
        schema.errors(project)
    };
    problems.extend(rule_violations(project));
    problems
        .into_iter()
        .map(|(pointer, message)| {
            let shown = if pointer.is_empty() { "/" } else { &pointer };
            let diagnostic = Diagnostic::error(format!("invalid project at {shown}: {message}"));
            match origins.find(&pointer) {
                Some(span) => diagnostic.at(span),
                None => diagnostic,
            }
        })
        .collect()
}

/// The rules no schema says: `sceneIdx` is the scene's position; one speech entry per scene,
/// naming the avatar clip's model and clothing; one avatar clip; unique clip ids in a scene.
pub fn rule_violations(project: &Value) -> Vec<(String, String)> {
    let mut problems = Vec::new();
    let Some(scenes) = project.get("scenes").and_then(Value::as_array) else {
        return problems;
    };
    for (index, scene) in scenes.iter().enumerate() {
        let at = format!("/scenes/{index}");
        if let Some(idx) = scene.get("sceneIdx").and_then(Value::as_u64) {
            if idx != index as u64 {
                problems.push((
                    format!("{at}/sceneIdx"),
                    format!("sceneIdx is {idx} but the scene is at position {index}"),
                ));
            }
        }
        let clips = scene
            .get("clips")
            .and_then(Value::as_array)
            .map_or(&[][..], Vec::as_slice);
        let avatars: Vec<(usize, &Value)> = clips
            .iter()
            .enumerate()
            .filter(|(_, c)| c.get("type").and_then(Value::as_str) == Some("aiModel"))
            .collect();
        if avatars.len() > 1 {
            problems.push((
                format!("{at}/clips/{}", avatars[1].0),
                "a scene has at most one avatar (aiModel) clip".to_owned(),
            ));
        }
        let mut seen = std::collections::HashSet::new();
        for (c, clip) in clips.iter().enumerate() {
            if let Some(id) = clip.get("id").and_then(Value::as_str) {
                if !seen.insert(id) {
                    problems.push((
                        format!("{at}/clips/{c}/id"),
                        format!("clip id `{id}` is used twice in this scene"),
                    ));
                }
            }
        }
        let Some(scripts) = scene.get("scripts").and_then(Value::as_array) else {
            continue;
        };
        if scripts.len() != 1 {
            problems.push((
                format!("{at}/scripts"),
                format!(
                    "a scene has exactly one speech entry, found {}",
                    scripts.len()
                ),
            ));
        }
        let (Some(script), Some((a, avatar))) = (scripts.first(), avatars.first()) else {
            continue;
        };
        let model = avatar.get("model");
        for (key, model_key) in [("modelId", "ai_name"), ("clothId", "emotion")] {
            let said = script.get(key);
            let shown = model.and_then(|m| m.get(model_key));
            if said != shown {
                problems.push((
                    format!("{at}/scripts/0/{key}"),
                    format!(
                        "{key} {} differs from the avatar clip's model.{model_key} {} (clips/{a})",
                        said.map_or("(none)".into(), crate::describe_json),
                        shown.map_or("(none)".into(), crate::describe_json),
                    ),
                ));
            }
        }
        if let Some(org) = avatar.get("script").and_then(|s| s.get("org")) {
            if script.get("org") != Some(org) {
                problems.push((
                    format!("{at}/scripts/0/org"),
                    format!("the scene's speech differs from the avatar clip's script (clips/{a}/script/org)"),
                ));
            }
        }
    }
    problems
}
