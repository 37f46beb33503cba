//! Model presets: the measured geometry of one model in one clothing, and the avatar block
//! (`model`) computed from it by the relations in the vendor's documentation.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::read::object;
use crate::check::Schema;
use crate::diag::{Diagnostic, Diagnostics, Source, Span};
use crate::json_number as num;
use crate::load::yaml::{self, Node};

pub(crate) const DEFAULT_CDN: &str = "https://cdn.aistudios.com";

#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq)]
pub(crate) struct Size {
    pub(crate) width: f64,
    pub(crate) height: f64,
}

#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq)]
pub(crate) struct Tight {
    pub(crate) x: f64,
    pub(crate) y: f64,
    pub(crate) width: f64,
    pub(crate) height: f64,
    pub(crate) scale: f64,
}

#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq)]
pub(crate) struct Head {
    pub(crate) center_x: f64,
    pub(crate) center_y: f64,
    pub(crate) width: f64,
    pub(crate) height: f64,
}

#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq)]
pub(crate) struct Adjust {
    pub(crate) x: f64,
    pub(crate) y: f64,
}

#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq)]
pub(crate) struct Images {
    pub(crate) thumbnail: Size,
    pub(crate) edit: Size,
}

#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq)]
pub(crate) struct Placement {
    pub(crate) left: f64,
    pub(crate) top: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) scale: Option<f64>,
}

/// One model preset file (`templates/models/*.yaml`, validated by `schemas/preset.schema.json`).
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub(crate) struct Preset {
    pub(crate) alias: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) label: Option<String>,
    pub(crate) ai_name: String,
    pub(crate) clothing: String,
    pub(crate) languages: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) cdn: Option<String>,
    pub(crate) origin: Size,
    pub(crate) tight: Tight,
    pub(crate) head: Head,
    pub(crate) scale: f64,
    pub(crate) adjust: Adjust,
    pub(crate) images: Images,
    pub(crate) placements: BTreeMap<String, Placement>,
}

impl Preset {
    /// `model/clothing`, the form a spec may use instead of the alias.
    pub(crate) fn ids(&self) -> String {
        format!("{}/{}", self.ai_name, self.clothing)
    }

    /// The aiModel clip's `model` object, in the editor's key order.
    pub(crate) fn model_block(&self, language: &str) -> Value {
        let cdn = self
            .cdn
            .as_deref()
            .unwrap_or(DEFAULT_CDN)
            .trim_end_matches('/');
        let stem = format!("{}_{}", self.ai_name, self.clothing);
        let tight_src = format!("{cdn}/ai/ai_mov_thm/tight_ai_mov_thm_{stem}.png");
        let (o, t, h) = (self.origin, self.tight, self.head);
        let mut editor = object([
            ("headCenterX", num(h.center_x)),
            ("headCenterY", num(h.center_y)),
            ("headWidth", num(h.width)),
            ("headHeight", num(h.height)),
            ("modelTightX", num(t.x)),
            ("modelTightY", num(t.y)),
            ("modelTightS", num(t.scale)),
            ("modelTightW", num(t.width)),
            ("modelTightH", num(t.height)),
            ("modelOriginW", num(o.width)),
            ("modelOriginH", num(o.height)),
            ("scale", num(self.scale)),
            ("adjustX", num(self.adjust.x)),
            ("adjustY", num(self.adjust.y)),
            // The space left around the tight box inside the full frame.
            ("spaceB", num(o.height - t.height - t.y)),
            ("spaceT", num(t.y)),
            ("spaceL", num(t.x)),
            ("spaceR", num(o.width - t.width - t.x)),
        ]);
        let editor_value = editor.clone();
        if let Value::Object(map) = &mut editor {
            map.insert("top".into(), num(t.y));
            map.insert("left".into(), num(t.x));
            map.insert("height".into(), num(t.height));
            map.insert("width".into(), num(t.width));
        }
        let origin = object([("height", num(o.height)), ("width", num(o.width))]);
        let deploy_image = object([
            (
                "themb_src",
                format!("{cdn}/ai/model-introduce/thumbnails/{stem}.png").into(),
            ),
            ("themb_width", num(self.images.thumbnail.width)),
            ("themb_height", num(self.images.thumbnail.height)),
            (
                "org_src",
                format!("{cdn}/ai/ai_mov_thm/tight_ai_mov_thm_{stem}_org.png").into(),
            ),
            ("org_width", num(o.width)),
            ("org_height", num(o.height)),
            ("edit_src", tight_src.clone().into()),
            ("edit_width", num(self.images.edit.width)),
            ("edit_height", num(self.images.edit.height)),
        ]);
        let deploy_size = object([
            ("org_width", num(o.width)),
            ("org_height", num(o.height)),
            ("edit_width", num(t.width)),
            ("edit_height", num(t.height)),
        ]);
        object([
            ("ai_name", self.ai_name.as_str().into()),
            ("emotion", self.clothing.as_str().into()),
            ("language", language.into()),
            ("source_url", tight_src.into()),
            ("editor", editor),
            ("origin", origin),
            ("deployImage", deploy_image),
            ("deploySize", deploy_size),
            ("editorValue", editor_value),
            ("maskFile", format!("{stem}H_alpha_INV.mp4").into()),
        ])
    }
}

/// All presets known to a compilation, by alias.
#[derive(Clone, Debug, Default)]
pub(crate) struct Presets {
    pub(crate) by_alias: BTreeMap<String, Preset>,
}

impl Presets {
    /// Parses and validates preset files; later files override earlier ones of the same alias.
    pub(crate) fn load<'a>(
        files: impl IntoIterator<Item = &'a crate::library::Entry>,
        diags: &mut Diagnostics,
    ) -> Presets {
        let mut presets = Presets::default();
        for entry in files {
            // A built-in preset is valid (a test holds every one to the schema), so its
            // check — and compiling the preset schema — is left out of every run, and it is
            // read from the JSON that building vidspec made of it.
            if let Some(json) = builtin_json(entry) {
                let preset: Preset =
                    serde_json::from_str(json).expect("built-in presets are valid");
                presets.by_alias.insert(preset.alias.clone(), preset);
                continue;
            }
            let source = Source::new(entry.name.clone(), entry.text.clone());
            match yaml::parse(&source, yaml::Limits::default()) {
                Ok(node) => presets.add_node(&node, diags),
                Err(diagnostic) => diags.push(diagnostic),
            }
        }
        presets
    }

    /// Adds a preset from its parsed YAML (a file, or an inline `presets:` entry of a spec).
    pub(crate) fn add_node(&mut self, node: &Node, diags: &mut Diagnostics) {
        if let Some(preset) = parse_preset(node, diags) {
            self.by_alias.insert(preset.alias.clone(), preset);
        }
    }

    /// Adds a preset file named by a spec's `presets:` list, relative to the spec's folder.
    pub(crate) fn add_file(&mut self, path: &Path, named_at: &Span, diags: &mut Diagnostics) {
        match yaml::load_file(path, yaml::Limits::default()) {
            Ok(node) => self.add_node(&node, diags),
            Err(diagnostic) => diags.push(diagnostic.with_context("preset named", named_at)),
        }
    }

    /// Finds a preset by alias or by `MODEL/CLOTHING` ids.
    pub(crate) fn find(&self, name: &str) -> Option<&Preset> {
        self.by_alias
            .get(name)
            .or_else(|| self.by_alias.values().find(|p| p.ids() == name))
    }

    /// What a spec may write after `preset:`.
    pub(crate) fn names(&self) -> impl Iterator<Item = &str> + Clone {
        self.by_alias.keys().map(String::as_str)
    }
}

fn parse_preset(node: &Node, diags: &mut Diagnostics) -> Option<Preset> {
    let json = node.to_json();
    let schema = Schema::preset();
    if !schema.is_valid(&json) {
        for (pointer, message) in schema.errors(&json) {
            let span = node_at(node, &pointer).map_or(&node.span, |n| &n.span);
            diags.push(Diagnostic::error(format!("invalid preset: {message}")).at(span));
        }
        return None;
    }
    read_preset(json, node, diags)
}

/// A preset from its JSON, once valid.
/// The built-in presets as JSON, by library name (`models/<alias>.yaml`), made by build.rs.
const BUILTIN_JSON: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/builtin_presets.rs"));

/// The JSON of a built-in preset file as the binary carries it (not one a folder overrode).
fn builtin_json(entry: &crate::library::Entry) -> Option<&'static str> {
    if !crate::library::is_builtin(entry) {
        return None;
    }
    let name = entry.name.strip_prefix("templates/")?;
    BUILTIN_JSON
        .iter()
        .find(|(path, _)| *path == name)
        .map(|(_, json)| *json)
}

fn read_preset(json: serde_json::Value, node: &Node, diags: &mut Diagnostics) -> Option<Preset> {
    match serde_json::from_value::<Preset>(json) {
        Ok(preset) if preset.placements.contains_key("default") => Some(preset),
        Ok(_) => {
            diags.push(Diagnostic::error("a preset needs a `default` placement").at(&node.span));
            None
        }
        Err(e) => {
            diags.push(Diagnostic::error(format!("invalid preset: {e}")).at(&node.span));
            None
        }
    }
}

/// The node a JSON pointer names inside a node tree.
pub(crate) fn node_at<'a>(node: &'a Node, pointer: &str) -> Option<&'a Node> {
    use crate::load::yaml::NodeKind;
    let mut current = node;
    for raw in pointer.split('/').skip(1) {
        let segment = super::json_path::unescape(raw);
        current = match &current.kind {
            NodeKind::Map(entries) => &entries.iter().find(|(k, _)| k.name == segment)?.1,
            NodeKind::Seq(items) => items.get(segment.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(current)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_json_built_from_each_builtin_preset_is_what_its_yaml_reads_as() {
        let library = crate::library::Library::builtin();
        assert!(!library.models.is_empty());
        assert_eq!(BUILTIN_JSON.len(), library.models.len());
        for entry in library.models.values() {
            let json = builtin_json(entry).unwrap_or_else(|| panic!("no JSON for {}", entry.name));
            let source = Source::new(entry.name.clone(), entry.text.clone());
            let node = yaml::parse(&source, yaml::Limits::default()).unwrap();
            let built: Value = serde_json::from_str(json).unwrap();
            assert_eq!(built, node.to_json(), "{}", entry.name);
        }
    }

    #[test]
    fn an_overridden_builtin_preset_is_read_from_its_yaml() {
        let mut entry = crate::library::Library::builtin()
            .models
            .values()
            .next()
            .unwrap()
            .clone();
        entry.text = entry
            .text
            .replace("label: \"Anna, navy suit\"", "label: Edited");
        assert!(builtin_json(&entry).is_none());
        let mut diags = Diagnostics::default();
        let presets = Presets::load([&entry], &mut diags);
        assert_eq!(
            presets.find("anna-navy-suit").unwrap().label.as_deref(),
            Some("Edited")
        );
    }
}
