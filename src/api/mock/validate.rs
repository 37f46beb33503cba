//! The mock's own check of a create-project body: the vendor's documented rules (API.md),
//! written here from the documentation and not from vidspec's schema or checker, so that the
//! mock can refuse what vidspec wrongly emits instead of agreeing with it by construction.

use serde_json::{Map, Value};

/// The clip types the editor knows, and the fields each requires beyond the common ones.
const CLIP_FIELDS: &[(&str, &[&str])] = &[
    ("aiModel", &["model"]),
    ("shape", &["shapeName", "fill"]),
    ("image", &["source_url"]),
    ("textImage", &["fontSize"]),
    ("videoImage", &["video_url"]),
    ("audio", &["source_url", "label"]),
];
/// Every clip's box, required as numbers.
const BOX: &[&str] = &["left", "top", "width", "height"];
// The shape names and animation types below are copied from API.md on purpose, not taken from
// `lower`: the mock must hold the vendor's list even when vidspec's own list is wrong.
const SHAPES: &[&str] = &[
    "Line_v2",
    "Arrow_1_v2",
    "Arrow_2_v2",
    "Circle",
    "Triangle",
    "Square",
    "Parallelogram",
    "Drop_1",
    "Polygon",
    "Pentagon",
    "Oval_1",
    "Oval_2",
    "Hexagon_1",
    "Hexagon_2",
    "Diamond",
    "Star",
    "Rectangle_corner0",
];
const ANIMATIONS: &[&str] = &[
    "fade-in",
    "fade-out",
    "in-right",
    "in-down",
    "in-left",
    "in-up",
    "out-right",
    "out-down",
    "out-left",
    "out-up",
    "zoom-in",
    "zoom-out",
];

/// What is wrong with `body`, as (JSON pointer, message); empty when the vendor would take it.
pub(super) fn problems(body: &Value) -> Vec<(String, String)> {
    let mut found = Found(Vec::new());
    let Some(project) = body.as_object() else {
        found.add("", "the body is not a JSON object");
        return found.0;
    };
    found.one_of(project, "", "orientation", &["landscape", "portrait"]);
    found.one_of(project, "", "resolution", &["4k", "1080", "720", "480"]);
    if project.get("isExport").is_some_and(|v| !v.is_boolean()) {
        found.add("/isExport", "isExport is not true or false");
    }
    match project.get("scenes").and_then(Value::as_array) {
        Some(scenes) if !scenes.is_empty() => {
            for (i, scene) in scenes.iter().enumerate() {
                found.scene(scene, i);
            }
        }
        Some(_) => found.add("/scenes", "a project has at least one scene"),
        None => found.add("/scenes", "scenes is required (a list of scenes)"),
    }
    found.0
}

struct Found(Vec<(String, String)>);

impl Found {
    fn add(&mut self, at: &str, message: impl Into<String>) {
        self.0.push((at.to_owned(), message.into()));
    }

    fn one_of(&mut self, object: &Map<String, Value>, at: &str, key: &str, allowed: &[&str]) {
        if let Some(value) = object.get(key) {
            if !value.as_str().is_some_and(|v| allowed.contains(&v)) {
                self.add(
                    &format!("{at}/{key}"),
                    format!("{key} is not one of {}", allowed.join(", ")),
                );
            }
        }
    }

    fn range(&mut self, object: &Map<String, Value>, at: &str, key: &str, low: f64, high: f64) {
        if let Some(value) = object.get(key) {
            if !value.as_f64().is_some_and(|n| (low..=high).contains(&n)) {
                self.add(
                    &format!("{at}/{key}"),
                    format!("{key} is not a number from {low} to {high}"),
                );
            }
        }
    }

    fn scene(&mut self, scene: &Value, index: usize) {
        let at = format!("/scenes/{index}");
        let Some(scene) = scene.as_object() else {
            return self.add(&at, "a scene is not an object");
        };
        if scene.get("sceneIdx").and_then(Value::as_u64) != Some(index as u64) {
            self.add(
                &format!("{at}/sceneIdx"),
                format!("sceneIdx is not the scene's position, {index}"),
            );
        }
        let Some(clips) = scene.get("clips").and_then(Value::as_array) else {
            return self.add(&format!("{at}/clips"), "clips is required (a list)");
        };
        for (j, clip) in clips.iter().enumerate() {
            self.clip(clip, &format!("{at}/clips/{j}"));
        }
        let avatar = clips.iter().find(|c| c["type"] == "aiModel");
        if let Some(scripts) = scene.get("scripts") {
            self.scripts(scripts, avatar, &format!("{at}/scripts"));
        }
    }

    /// `scripts`: exactly one entry, speaking with the avatar clip's model and clothing.
    fn scripts(&mut self, scripts: &Value, avatar: Option<&Value>, at: &str) {
        let [script] = scripts.as_array().map_or(&[][..], Vec::as_slice) else {
            return self.add(at, "scripts has exactly one entry");
        };
        if !script["org"].is_string() {
            self.add(&format!("{at}/0/org"), "the speech (org) is not text");
        }
        let Some(avatar) = avatar else { return };
        for (key, model_key) in [("modelId", "ai_name"), ("clothId", "emotion")] {
            if script.get(key) != avatar["model"].get(model_key) {
                self.add(
                    &format!("{at}/0/{key}"),
                    format!("{key} is not the avatar clip's model.{model_key}"),
                );
            }
        }
    }

    fn clip(&mut self, clip: &Value, at: &str) {
        let Some(object) = clip.as_object() else {
            return self.add(at, "a clip is not an object");
        };
        let kind = object
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let Some((_, fields)) = CLIP_FIELDS.iter().find(|(name, _)| *name == kind) else {
            return self.add(
                &format!("{at}/type"),
                format!("`{kind}` is not a clip type"),
            );
        };
        if !object.get("id").is_some_and(Value::is_string) {
            self.add(&format!("{at}/id"), "a clip's id is required");
        }
        if !object
            .get("layer")
            .is_some_and(|l| l.is_i64() || l.is_u64())
        {
            self.add(
                &format!("{at}/layer"),
                "a clip's layer is required (a whole number)",
            );
        }
        for key in BOX {
            if !object.get(*key).is_some_and(Value::is_number) {
                self.add(
                    &format!("{at}/{key}"),
                    format!("{key} is required (a number)"),
                );
            }
        }
        for key in *fields {
            if object.get(*key).is_none_or(Value::is_null) {
                self.add(
                    &format!("{at}/{key}"),
                    format!("a {kind} clip requires {key}"),
                );
            }
        }
        if kind == "shape" {
            self.one_of(object, at, "shapeName", SHAPES);
        }
        self.range(object, at, "opacity", 1.0, 100.0);
        self.range(object, at, "volume", 1.0, 100.0);
        if let Some(shadow) = object.get("shadow").and_then(Value::as_object) {
            let at = format!("{at}/shadow");
            self.range(shadow, &at, "blur", 0.0, 10.0);
            self.range(shadow, &at, "offsetX", 0.1, 10.0);
            self.range(shadow, &at, "offsetY", 0.1, 10.0);
        }
        if let Some(animation) = object.get("animation").and_then(Value::as_object) {
            let at = format!("{at}/animation");
            self.one_of(animation, &at, "type", ANIMATIONS);
            self.range(animation, &at, "duration", 1.0, 30.0);
            self.range(animation, &at, "delay", 0.0, 30.0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_samples_pass_and_each_documented_rule_refuses() {
        let sample = serde_json::json!({"name": "x", "scenes": [{
            "sceneIdx": 0, "clips": [{"id": "a", "type": "image", "layer": 1, "left": 0, "top": 0,
            "width": 10, "height": 10, "source_url": "https://x/y.png"}]}]});
        assert_eq!(problems(&sample), []);
        let broken = [
            ("/scenes", serde_json::json!({"scenes": []})),
            (
                "/scenes/0/sceneIdx",
                serde_json::json!({"scenes": [{"sceneIdx": 1, "clips": []}]}),
            ),
            (
                "/scenes/0/clips/0/source_url",
                serde_json::json!({"scenes": [{"sceneIdx": 0, "clips": [
                {"id": "a", "type": "image", "layer": 1, "left": 0, "top": 0, "width": 1, "height": 1}]}]}),
            ),
            (
                "/scenes/0/scripts/0/modelId",
                serde_json::json!({"scenes": [{"sceneIdx": 0, "clips": [
                {"id": "a", "type": "aiModel", "layer": 1, "left": 0, "top": 0, "width": 1, "height": 1,
                 "model": {"ai_name": "M1", "emotion": "C1"}}],
                "scripts": [{"org": "hi", "modelId": "M2", "clothId": "C1"}]}]}),
            ),
            (
                "/resolution",
                serde_json::json!({"resolution": "8k", "scenes": []}),
            ),
        ];
        for (at, body) in broken {
            let found = problems(&body);
            assert!(found.iter().any(|(p, _)| p == at), "{at}: {found:?}");
        }
    }
}
