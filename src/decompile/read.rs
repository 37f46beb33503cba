//! Reading a body into a spec: the first step of decompiling.
//!
//! Each value is written only where it differs from what lowering would put there by itself:
//! the avatar settings most scenes share go to the top-level `avatar` (each scene overrides
//! the rest), ids and layers derived from a clip's position, estimated text boxes, canvas-sized
//! images and the clip templates' boilerplate are left out. A value no spec form gives is left
//! out too; the comparison in `super::keep_extras` then keeps it in `extra`.

use serde_json::{Map, Value, json};

use super::{AVATAR_KEYS, contains, literal, literal_deep, presets};
use crate::diag::Diagnostic;
use crate::error::Error;
use crate::json_number as num;
use crate::lower::preset::Placement;
use crate::lower::{
    DEFAULT_BACKGROUND, DEFAULT_FILL, DEFAULT_FONT, DEFAULT_RESOLUTION, Preset, Presets,
    RESOLUTIONS, derived_id, looks_like_color, text_box,
};

/// Reads a body into a spec: the first step of decompiling.
pub(super) struct Reader<'a> {
    pub(crate) known: &'a Presets,
    /// Presets extracted from the body, in the order first needed.
    pub(crate) new: Vec<Preset>,
    pub(crate) warnings: &'a mut Vec<Diagnostic>,
}

/// What one scene's avatar clip asks of the spec: every avatar key, as a spec writes it
/// (`tag` is null when there is none).
type Want = Map<String, Value>;

impl Reader<'_> {
    fn presets(&self) -> impl Iterator<Item = &Preset> {
        self.known.by_alias.values().chain(&self.new)
    }

    fn preset(&self, alias: &str) -> &Preset {
        self.presets()
            .find(|p| p.alias == alias)
            .expect("an alias the reader chose")
    }

    pub(crate) fn spec(&mut self, body: &Map<String, Value>) -> Result<Map<String, Value>, Error> {
        let mut spec = Map::new();
        let text = |key: &str| body.get(key).and_then(Value::as_str);
        if let Some(name) = text("name") {
            spec.insert("name".into(), literal(name).into());
        }
        let portrait = text("orientation") == Some("portrait");
        if portrait {
            spec.insert("orientation".into(), "portrait".into());
        }
        if let Some(resolution) =
            text("resolution").filter(|r| *r != DEFAULT_RESOLUTION && RESOLUTIONS.contains(r))
        {
            spec.insert("resolution".into(), resolution.into());
        }
        if body.get("isExport") == Some(&Value::Bool(false)) {
            spec.insert("export".into(), false.into());
        }
        if let Some(workspace) = text("workspaceId") {
            spec.insert("workspace".into(), literal(workspace).into());
        }
        if let Some(webhook) = text("webhookUrl") {
            spec.insert("webhook".into(), literal(webhook).into());
        }
        if let Some(dictionary) = body.get("dictionary") {
            spec.insert("dictionary".into(), literal_deep(dictionary));
        }
        let scenes = match body.get("scenes").and_then(Value::as_array) {
            Some(scenes) if !scenes.is_empty() => scenes,
            _ => return Err(Diagnostic::error("the project has no scenes").into()),
        };
        let mut wants = Vec::new();
        let mut hidden = Vec::new();
        for (i, scene) in scenes.iter().enumerate() {
            if !scene.is_object() {
                return Err(Diagnostic::error(format!("/scenes/{i} is not an object")).into());
            }
            let avatar = scene["clips"]
                .as_array()
                .and_then(|c| c.first())
                .filter(|c| c["type"] == "aiModel" && c.is_object());
            wants.push(avatar.map(|a| self.want(a, &format!("/scenes/{i}/clips/0"))));
            hidden.push(avatar.is_some_and(|a| a["isDelete"] == true));
        }
        let top = self.top(&wants, &hidden);
        let top_preset = self.preset(top["preset"].as_str().unwrap_or_default());
        let mut avatar = Map::new();
        for key in AVATAR_KEYS {
            if key == "preset" || top[key] != default_of(key, top_preset) {
                avatar.insert(key.into(), top[key].clone());
            }
        }
        let canvas = crate::lower::canvas(portrait);
        let scenes = scenes
            .iter()
            .enumerate()
            .map(|(i, scene)| self.scene(i, scene, wants[i].as_ref(), hidden[i], &avatar, canvas))
            .collect();
        spec.insert("avatar".into(), Value::Object(avatar));
        spec.insert("scenes".into(), Value::Array(scenes));
        Ok(spec)
    }

    /// The top-level avatar: as the first hidden scene has it (a scene with `avatar: none`
    /// cannot override it), else each key as most scenes have it, and a tag only when every
    /// scene has the same (a scene cannot remove the top-level tag).
    fn top(&mut self, wants: &[Option<Want>], hidden: &[bool]) -> Want {
        let present: Vec<(&Want, bool)> = wants
            .iter()
            .zip(hidden)
            .filter_map(|(w, h)| w.as_ref().map(|w| (w, *h)))
            .collect();
        let Some(first) = present.first() else {
            let preset = self
                .known
                .by_alias
                .values()
                .next()
                .expect("a built-in preset");
            self.warnings.push(Diagnostic::warning(format!(
                "/scenes: no scene has an avatar (aiModel) clip; the spec names preset `{}` for \
                 the presenter vidspec always places",
                preset.alias
            )));
            let mut top: Want = AVATAR_KEYS
                .iter()
                .map(|k| ((*k).to_owned(), default_of(k, preset)))
                .collect();
            top["preset"] = preset.alias.clone().into();
            return top;
        };
        let pick = |key: &str, among: &[&Want]| -> Value {
            let mut counts: Vec<(&Value, usize)> = Vec::new();
            for want in among {
                match counts.iter_mut().find(|(v, _)| *v == &want[key]) {
                    Some((_, n)) => *n += 1,
                    None => counts.push((&want[key], 1)),
                }
            }
            let best = counts.iter().map(|(_, n)| *n).max().unwrap_or(0);
            counts
                .into_iter()
                .find(|(_, n)| *n == best)
                .map_or(Value::Null, |(v, _)| v.clone())
        };
        if let Some((hidden_want, _)) = present.iter().find(|(_, h)| *h) {
            return (*hidden_want).clone();
        }
        let all: Vec<&Want> = present.iter().map(|(w, _)| *w).collect();
        let preset = pick("preset", &all);
        let same_preset: Vec<&Want> = all
            .iter()
            .copied()
            .filter(|w| w["preset"] == preset)
            .collect();
        let mut top = first.0.clone();
        for key in AVATAR_KEYS {
            top[key] = match key {
                "preset" => preset.clone(),
                "placement" => pick(key, &same_preset),
                "tag" if all.iter().any(|w| w["tag"] != first.0["tag"]) => Value::Null,
                _ => pick(key, &all),
            };
        }
        top
    }

    fn want(&mut self, clip: &Value, at: &str) -> Want {
        let language = clip["model"]["language"].as_str();
        let alias = self.preset_for(clip, language, at);
        let preset = self.preset(&alias);
        let mut want = Map::new();
        want.insert("preset".into(), alias.clone().into());
        want.insert(
            "language".into(),
            language.map_or_else(|| default_of("language", preset), |l| literal(l).into()),
        );
        want.insert("placement".into(), placement(preset, clip));
        let effect = clip["effects"]
            .as_array()
            .filter(|e| e.len() == 1)
            .and_then(|e| e[0].as_object())
            .filter(|o| o.len() == 1)
            .and_then(|o| o.get("type")?.as_str())
            .filter(|t| *t != "none");
        want.insert(
            "effect".into(),
            effect.map_or_else(|| "none".into(), |e| literal(e).into()),
        );
        want.insert("voice_only".into(), (clip["voiceOnly"] == true).into());
        want.insert(
            "id".into(),
            clip["id"]
                .as_str()
                .map_or_else(|| default_of("id", preset), |id| literal(id).into()),
        );
        let layer = clip.get("layer").filter(|l| l.is_i64());
        want.insert("layer".into(), layer.cloned().unwrap_or_else(|| json!(1)));
        let opacity = clip.get("opacity").filter(|o| o.is_number());
        want.insert(
            "opacity".into(),
            opacity.cloned().unwrap_or_else(|| json!(100)),
        );
        want.insert(
            "tag".into(),
            clip["tag"]
                .as_str()
                .map_or(Value::Null, |t| literal(t).into()),
        );
        want
    }

    /// The alias of a preset that gives the clip's model: a known one, or one extracted.
    fn preset_for(&mut self, clip: &Value, language: Option<&str>, at: &str) -> String {
        let model = clip.get("model");
        let fits = |p: &Preset| {
            let language = language
                .or(p.languages.first().map(String::as_str))
                .unwrap_or("en");
            model.is_none_or(|m| contains(m, Some(&p.model_block(language))))
        };
        if let Some(preset) = self.known.by_alias.values().find(|p| fits(p)) {
            return preset.alias.clone();
        }
        if let Some(preset) = self.new.iter_mut().find(|p| fits(p)) {
            // A preset made from this body speaks every language its clips speak.
            if let Some(language) = language.filter(|l| !preset.languages.iter().any(|k| k == l)) {
                preset.languages.push(language.to_owned());
            }
            return preset.alias.clone();
        }
        let ids = (
            clip["model"]["ai_name"].as_str().unwrap_or_default(),
            clip["model"]["emotion"].as_str().unwrap_or_default(),
        );
        let base = presets::default_alias(ids.0, ids.1);
        let mut alias = base.clone();
        for n in 2.. {
            if self.presets().all(|p| p.alias != alias) {
                break;
            }
            alias = format!("{base}-{n}");
        }
        let problem = match presets::from_clip(clip, &alias) {
            Ok(preset) => {
                let errors = presets::schema_errors(&preset);
                if errors.is_empty() {
                    self.new.push(preset);
                    return alias;
                }
                errors.join("; ")
            }
            Err(message) => message,
        };
        let fallback = self
            .presets()
            .find(|p| p.ai_name == ids.0 && p.clothing == ids.1)
            .or_else(|| self.presets().next())
            .expect("a built-in preset");
        let alias = fallback.alias.clone();
        self.warnings.push(Diagnostic::warning(format!(
            "{at}/model: no preset can be made from it ({problem}); the spec names preset \
             `{alias}` and keeps the clip's model verbatim"
        )));
        alias
    }

    fn scene(
        &mut self,
        i: usize,
        scene: &Value,
        want: Option<&Want>,
        hidden: bool,
        top: &Map<String, Value>,
        canvas: (f64, f64),
    ) -> Value {
        let mut out = Map::new();
        if let Some(background) = background(&scene["background"]) {
            out.insert("background".into(), background);
        }
        if hidden {
            out.insert("avatar".into(), "none".into());
        } else if let Some(want) = want {
            let preset = self.preset(want["preset"].as_str().unwrap_or_default());
            let mut overrides = Map::new();
            for key in AVATAR_KEYS {
                let effective = match key {
                    "preset" => top[key].clone(),
                    _ => top
                        .get(key)
                        .cloned()
                        .unwrap_or_else(|| default_of(key, preset)),
                };
                if want[key] != effective {
                    overrides.insert(key.into(), want[key].clone());
                }
            }
            if !overrides.is_empty() {
                out.insert("avatar".into(), Value::Object(overrides));
            }
        }
        let clips = scene["clips"].as_array();
        let say = scene["scripts"][0]["org"]
            .as_str()
            .or_else(|| clips?.first()?["script"]["org"].as_str())
            .unwrap_or_default();
        if !hidden && !say.is_empty() {
            out.insert("say".into(), literal(say).into());
        }
        if scene["watermark"] == true {
            out.insert("watermark".into(), true.into());
        }
        match raw_reason(scene) {
            None => {
                let list: Vec<Value> = clips
                    .map_or(&[][..], |c| c.get(1..).unwrap_or_default())
                    .iter()
                    .enumerate()
                    .map(|(j, clip)| clip_spec(i, j, clip, canvas))
                    .collect();
                if !list.is_empty() {
                    out.insert("clips".into(), Value::Array(list));
                }
            }
            Some(reason) => {
                self.warnings.push(Diagnostic::warning(format!(
                    "/scenes/{i}/clips: {reason}; the scene's clips are kept verbatim in its `extra`"
                )));
                out.insert("extra".into(), json!({ "clips": scene["clips"] }));
            }
        }
        Value::Object(out)
    }
}

/// What lowering writes for an avatar key the spec leaves out.
fn default_of(key: &str, preset: &Preset) -> Value {
    match key {
        "language" => preset.languages.first().map_or("en", String::as_str).into(),
        "placement" => "default".into(),
        "effect" => "none".into(),
        "voice_only" => false.into(),
        "id" => derived_id("aiModel", "avatar").into(),
        "layer" => 1.into(),
        "opacity" => 100.into(),
        _ => Value::Null,
    }
}

/// The placement of an avatar clip: a name from the preset, or `{ left, top, scale }` with
/// the values that differ from the `default` placement.
fn placement(preset: &Preset, clip: &Value) -> Value {
    let of = |p: &Placement| [num(p.left), num(p.top), num(p.scale.unwrap_or(1.0))];
    let default = preset
        .placements
        .get("default")
        .map_or([json!(0), json!(0), json!(1)], of);
    let number = |key: &str, i: usize| {
        clip.get(key)
            .filter(|v| v.is_number() && (i < 2 || v.as_f64().is_some_and(|f| f > 0.0)))
            .cloned()
            .unwrap_or_else(|| default[i].clone())
    };
    let wanted = [number("left", 0), number("top", 1), number("scaleX", 2)];
    if wanted == default {
        return "default".into();
    }
    if let Some((name, _)) = preset.placements.iter().find(|(_, p)| of(p) == wanted) {
        return name.clone().into();
    }
    let mut map = Map::new();
    for (i, key) in ["left", "top", "scale"].into_iter().enumerate() {
        if wanted[i] != default[i] {
            map.insert(key.into(), wanted[i].clone());
        }
    }
    Value::Object(map)
}

/// A scene background as a spec writes it; `None` for the default (white) or for what
/// no spec form gives (the comparison then keeps it in `extra`).
fn background(background: &Value) -> Option<Value> {
    let text = |key: &str| background[key].as_str();
    let color = text("source_color").filter(|c| *c != DEFAULT_BACKGROUND);
    match text("source_type")? {
        "image" => {
            let url = text("source_url")?;
            Some(match color {
                None if !looks_like_color(url) => literal(url).into(),
                None => json!({ "image": literal(url) }),
                Some(color) => json!({ "image": literal(url), "color": literal(color) }),
            })
        }
        "color" => color.map(|c| {
            if looks_like_color(c) {
                literal(c).into()
            } else {
                json!({ "color": literal(c) })
            }
        }),
        _ => None,
    }
}

/// Why a scene's clips cannot be written as spec clips, if they cannot.
fn raw_reason(scene: &Value) -> Option<String> {
    let clips = match scene.get("clips") {
        None => return None,
        Some(Value::Array(clips)) => clips,
        Some(_) => return Some("`clips` is not a list".into()),
    };
    if clips.first().is_none_or(|c| c["type"] != "aiModel") {
        return Some(
            "the first clip is not an avatar (aiModel) clip, which vidspec always places first"
                .into(),
        );
    }
    for (j, clip) in clips.iter().enumerate().skip(1) {
        match clip["type"].as_str() {
            _ if !clip.is_object() => return Some(format!("clip {j} is not an object")),
            Some("aiModel") => return Some(format!("clip {j} is a second avatar clip")),
            Some(kind) if clip_kind(kind).is_some() => {}
            Some(kind) => {
                return Some(format!(
                    "clip {j} has type `{kind}`, which no spec clip gives"
                ));
            }
            None => return Some(format!("clip {j} has no `type`")),
        }
    }
    None
}

/// A v3 clip type's spec key, and the field that key fills.
fn clip_kind(clip_type: &str) -> Option<(&'static str, &'static str)> {
    Some(match clip_type {
        "textImage" => ("text", "text"),
        "image" => ("image", "source_url"),
        "videoImage" => ("video", "video_url"),
        "audio" => ("audio", "source_url"),
        "shape" => ("shape", "shapeName"),
        _ => return None,
    })
}

/// One (non-avatar) clip as a spec writes it: its `index` among the scene's spec clips
/// decides its derived id and default layer.
fn clip_spec(scene: usize, index: usize, clip: &Value, canvas: (f64, f64)) -> Value {
    let clip_type = clip["type"].as_str().unwrap_or_default();
    let (kind, content_key) = clip_kind(clip_type).expect("a clip type raw_reason accepted");
    let text = |key: &str| clip[key].as_str();
    let number = |key: &str| clip.get(key).filter(|v| v.is_number());
    let positive = |key: &str| number(key).filter(|v| v.as_f64().is_some_and(|f| f > 0.0));
    let non_negative = |key: &str| number(key).filter(|v| v.as_f64().is_some_and(|f| f >= 0.0));
    let content = text(content_key).unwrap_or_default();
    let mut out = Map::new();
    let mut put = |key: &str, value: Value| {
        out.insert(key.to_owned(), value);
    };
    put(kind, literal(content).into());
    if let Some(id) = text("id") {
        if id != derived_id(clip_type, &format!("{scene}/{index}")) {
            put("id", literal(id).into());
        }
    }
    for key in ["left", "top"] {
        if let Some(v) = number(key).filter(|v| **v != json!(0)) {
            put(key, v.clone());
        }
    }
    let size = positive("fontSize").cloned();
    let size_f = size.as_ref().and_then(Value::as_f64).unwrap_or(48.0);
    let default_box = match kind {
        "text" => text_box(content, size_f),
        "image" | "video" => canvas,
        "audio" => (0.0, 0.0),
        _ => (200.0, 200.0),
    };
    for (key, default) in [("width", default_box.0), ("height", default_box.1)] {
        if let Some(v) = number(key).filter(|v| **v != num(default)) {
            put(key, v.clone());
        }
    }
    let one = json!(1);
    match (positive("scaleX"), positive("scaleY")) {
        (Some(x), Some(y)) if x == y => {
            if *x != one {
                put("scale", x.clone());
            }
        }
        (x, y) => {
            for (key, v) in [("scale_x", x), ("scale_y", y)] {
                if let Some(v) = v.filter(|v| **v != one) {
                    put(key, v.clone());
                }
            }
        }
    }
    if let Some(layer) = clip
        .get("layer")
        .filter(|l| l.is_i64() && **l != json!(index + 2))
    {
        put("layer", layer.clone());
    }
    if let Some(opacity) = number("opacity").filter(|o| **o != json!(100)) {
        put("opacity", opacity.clone());
    }
    if let Some(angle) = number("angle") {
        put("angle", angle.clone());
    }
    // (spec key, clip field, the value lowering writes when the spec gives none)
    let strings = |pairs: &[(&str, &str, Option<&str>)]| {
        let mut map = Map::new();
        for (spec_key, field, default) in pairs {
            if let Some(v) = text(field).filter(|v| Some(*v) != *default) {
                map.insert((*spec_key).into(), literal(v).into());
            }
        }
        map
    };
    match kind {
        "text" => {
            let mut font = Map::new();
            if let Some(size) = size.filter(|s| *s != json!(48)) {
                font.insert("size".into(), size);
            }
            font.extend(strings(&[
                ("color", "fill", Some(DEFAULT_FILL)),
                ("family", "fontFamily", Some(DEFAULT_FONT)),
            ]));
            match &clip["fontWeight"] {
                Value::String(w) => {
                    font.insert("weight".into(), literal(w).into());
                }
                w @ Value::Number(_) => {
                    font.insert("weight".into(), w.clone());
                }
                _ => {}
            }
            font.extend(strings(&[("style", "fontStyle", None)]));
            if let Some(underline) = clip.get("underline").filter(|u| u.is_boolean()) {
                font.insert("underline".into(), underline.clone());
            }
            if !font.is_empty() {
                put("font", Value::Object(font));
            }
            for (key, value) in strings(&[
                ("align", "align", Some("left")),
                ("background", "backgroundColor", None),
            ]) {
                put(&key, value);
            }
            let mut stroke = strings(&[("color", "stroke", None)]);
            if let Some(width) = non_negative("strokeWidth") {
                stroke.insert("width".into(), width.clone());
            }
            if !stroke.is_empty() {
                put("stroke", Value::Object(stroke));
            }
        }
        "video" | "audio" => {
            if kind == "video" {
                if let Some(poster) = text("source_url") {
                    put("poster", literal(poster).into());
                }
            }
            if let Some(volume) = number("volume").filter(|v| **v != json!(100)) {
                put("volume", volume.clone());
            }
            let file = content.rsplit('/').next().unwrap_or("audio");
            if let Some(label) = text("label").filter(|l| kind == "audio" && *l != file) {
                put("label", literal(label).into());
            }
        }
        "shape" => {
            for (key, value) in strings(&[("fill", "fill", Some(DEFAULT_FILL))]) {
                put(&key, value);
            }
            let mut stroke = strings(&[("color", "stroke", None)]);
            for (key, field) in [("width", "strokeWidth"), ("radius", "strokeRadius")] {
                if let Some(v) = non_negative(field) {
                    stroke.insert(key.into(), v.clone());
                }
            }
            if !stroke.is_empty() {
                put("stroke", Value::Object(stroke));
            }
        }
        _ => {}
    }
    if let Some(animation) = animation(&clip["animation"]) {
        put("animation", animation);
    }
    if let Some(shadow) = shadow(&clip["shadow"]) {
        put("shadow", shadow);
    }
    if let Some(tag) = text("tag") {
        put("tag", literal(tag).into());
    }
    Value::Object(out)
}

fn animation(animation: &Value) -> Option<Value> {
    let kind = animation["type"].as_str()?;
    let mut out = Map::new();
    out.insert("type".into(), literal(kind).into());
    for (key, default) in [("duration", json!(1)), ("delay", json!(0))] {
        if let Some(v) = animation
            .get(key)
            .filter(|v| v.is_number() && **v != default)
        {
            out.insert(key.into(), v.clone());
        }
    }
    Some(Value::Object(out))
}

fn shadow(shadow: &Value) -> Option<Value> {
    shadow.as_object()?;
    let mut out = Map::new();
    if let Some(color) = shadow["color"].as_str().filter(|c| *c != "#00000060") {
        out.insert("color".into(), literal(color).into());
    }
    for (key, field, default) in [
        ("blur", "blur", json!(5)),
        ("offset_x", "offsetX", json!(2)),
        ("offset_y", "offsetY", json!(2)),
    ] {
        if let Some(v) = shadow
            .get(field)
            .filter(|v| v.is_number() && **v != default)
        {
            out.insert(key.into(), v.clone());
        }
    }
    if shadow["enabled"] == false {
        out.insert("enabled".into(), false.into());
    }
    Some(Value::Object(out))
}
