//! Lowering: the expanded spec becomes the v3 project body.
//!
//! Avatar clips come from model presets, every other clip from its clip template; ids, layers,
//! `sceneIdx` and both places the speech goes (the scene's `scripts[0]` and the avatar clip's
//! `script`) are filled in here. Every value placed is recorded in [`Origins`] with the spec
//! span that produced it, so `check` can point at the spec.

mod avatar;
mod clips;
pub(crate) mod colors;
pub(crate) mod json_path;
mod origins;
pub(crate) mod preset;
mod read;
pub(crate) mod skeleton;

use serde_json::{Map, Value};

use crate::diag::{Diagnostic, Diagnostics, Span};
use crate::expand::Engine;
use crate::load::yaml::{Node, NodeKind};
use avatar::AvatarSpec;
pub(crate) use clips::{DEFAULT_FILL, glyph_width};
pub(crate) use clips::{DEFAULT_FONT, text_box};
pub(crate) use origins::Origins;
pub(crate) use preset::{Preset, Presets};
pub(crate) use read::{as_text, number_of_json};
use read::{object, placed};
pub(crate) use skeleton::{ClipTemplate, Placed, Skeletons};

/// The project body and where each of its values came from.
#[derive(Clone, Debug)]
pub struct Lowered {
    pub project: Value,
    pub(crate) origins: Origins,
    /// Text clips whose box was estimated from their text.
    pub(crate) estimated_boxes: Vec<EstimatedBox>,
}

/// A text clip (by JSON pointer) and which of its dimensions were estimated from its text.
#[derive(Clone, Debug)]
pub(crate) struct EstimatedBox {
    pub(crate) pointer: String,
    pub(crate) width: bool,
    pub(crate) height: bool,
}

/// What lowering needs besides the spec: the templates, the presets, a default name.
pub(crate) struct Lowerer<'a> {
    engine: &'a Engine,
    skeletons: &'a Skeletons,
    presets: &'a Presets,
    /// The project name when the spec gives none (the spec file's stem).
    default_name: &'a str,
    /// Lowering a partially expanded spec: a decision on a symbolic value is an error.
    partial: bool,
}

impl<'a> Lowerer<'a> {
    /// A lowerer over a compiled spec's engine, clip skeletons and presets; `partial` lowers a
    /// partially expanded spec, refusing any decision on a placeholder.
    pub(crate) fn new(
        engine: &'a Engine,
        skeletons: &'a Skeletons,
        presets: &'a Presets,
        default_name: &'a str,
        partial: bool,
    ) -> Lowerer<'a> {
        Lowerer {
            engine,
            skeletons,
            presets,
            default_name,
            partial,
        }
    }
}

const ORIENTATIONS: [&str; 2] = ["landscape", "portrait"];
/// The resolutions a project can have.
pub(crate) const RESOLUTIONS: [&str; 4] = ["4k", "1080", "720", "480"];
/// The resolution of a spec that names none.
pub(crate) const DEFAULT_RESOLUTION: &str = "1080";
/// A scene's background when the spec gives no colour.
pub(crate) const DEFAULT_BACKGROUND: &str = "rgb(255,255,255)";

impl Lowerer<'_> {
    pub(crate) fn lower(&self, spec: &Node) -> Result<Lowered, Diagnostics> {
        let mut run = Run {
            lowerer: self,
            diags: Diagnostics::default(),
            origins: Origins::default(),
            estimated_boxes: Vec::new(),
        };
        let project = run.project(spec);
        if run.diags.has_errors() {
            Err(run.diags)
        } else {
            Ok(Lowered {
                project,
                origins: run.origins,
                estimated_boxes: run.estimated_boxes,
            })
        }
    }
}

struct Run<'a, 'b> {
    lowerer: &'a Lowerer<'b>,
    diags: Diagnostics,
    origins: Origins,
    estimated_boxes: Vec<EstimatedBox>,
}

impl Run<'_, '_> {
    fn error(&mut self, message: impl Into<String>, span: &Span) {
        self.diags.push(Diagnostic::error(message).at(span));
    }

    /// Notes that the output depends on the content of `text`, not only on its placement:
    /// when lowering partially, a symbolic value there means this spec cannot be prebuilt.
    /// A value placed as it is, of whatever type. When lowering partially, a symbolic value
    /// here cannot be prebuilt: a row could give it another type than text.
    fn verbatim(&mut self, node: &Node) -> Value {
        let json = node.to_json();
        if self.lowerer.partial && json.to_string().contains(crate::expand::SYMBOL) {
            self.error(
                "a row-dependent value of any type cannot be prebuilt",
                &node.span,
            );
        }
        json
    }

    fn inspect<'t>(&mut self, text: &'t str, span: &Span) -> &'t str {
        if self.lowerer.partial && text.contains(crate::expand::SYMBOL) {
            self.error("a row-dependent value decides the output's shape", span);
        }
        text
    }

    fn project(&mut self, spec: &Node) -> Value {
        let mut out = Map::new();
        let name = self
            .string(spec, "name")
            .unwrap_or_else(|| self.fallback(self.lowerer.default_name, spec));
        self.put(&mut out, "", "name", name);
        let orientation = self
            .choice(spec, "orientation", &ORIENTATIONS)
            .unwrap_or_else(|| self.fallback("landscape", spec));
        let portrait = orientation.value == "portrait";
        self.put(&mut out, "", "orientation", orientation);
        let resolution = match spec.get("resolution") {
            Some(node) if matches!(node.kind, NodeKind::Int(_)) => {
                let text = Node::new(
                    NodeKind::Str(node.span.text().to_owned()),
                    node.span.clone(),
                );
                self.choice_of(&text, "resolution", &RESOLUTIONS)
            }
            _ => self.choice(spec, "resolution", &RESOLUTIONS),
        };
        self.put(
            &mut out,
            "",
            "resolution",
            resolution.unwrap_or_else(|| self.fallback(DEFAULT_RESOLUTION, spec)),
        );
        let export = self
            .boolean(spec, "export")
            .unwrap_or_else(|| self.fallback(true, spec));
        self.put(&mut out, "", "isExport", export);
        if let Some(workspace) = self.string(spec, "workspace") {
            self.put(&mut out, "", "workspaceId", workspace);
        }
        if let Some(webhook) = self.string(spec, "webhook") {
            self.put(&mut out, "", "webhookUrl", webhook);
        }
        if let Some(dictionary) = spec.get("dictionary") {
            let value = placed(self.verbatim(dictionary), dictionary);
            self.put(&mut out, "", "dictionary", value);
        }
        let canvas = canvas(portrait);
        let scenes = match spec.get("scenes").map(|s| &s.kind) {
            Some(NodeKind::Seq(items)) if !items.is_empty() => items
                .iter()
                .enumerate()
                .map(|(i, scene)| self.scene(spec, scene, i, canvas))
                .collect(),
            Some(NodeKind::Seq(_)) => {
                let span = &spec.get("scenes").map_or(&spec.span, |s| &s.span).clone();
                self.error("the spec has no scenes (after `each`/`when`)", span);
                Vec::new()
            }
            _ => {
                self.diags.push(
                    Diagnostic::error("the spec has no `scenes` list")
                        .at(&spec.span)
                        .with_help("add `scenes:` with at least one scene, e.g. `- say: Hello`"),
                );
                Vec::new()
            }
        };
        out.insert("scenes".into(), Value::Array(scenes));
        let mut project = Value::Object(out);
        self.merge_extra(spec.get("extra"), &mut project, "");
        project
    }

    /// Merges an `extra:` mapping into an output object: its fields are taken verbatim (no
    /// templates) and override what lowering built.
    fn merge_extra(&mut self, extra: Option<&Node>, target: &mut Value, pointer: &str) {
        let Some(extra) = extra else {
            return;
        };
        let (NodeKind::Map(entries), Value::Object(out)) = (&extra.kind, target) else {
            self.error(
                format!(
                    "`extra` is a mapping of JSON fields, found {}",
                    extra.type_name()
                ),
                &extra.span,
            );
            return;
        };
        for (key, value) in entries {
            let escaped = json_path::escape(&key.name);
            self.origins
                .record(format!("{pointer}/{escaped}"), &value.span);
            let value_json = self.verbatim(value);
            out.insert(key.name.clone(), value_json);
        }
    }

    fn fallback<T: Into<Value>>(&self, value: T, node: &Node) -> Placed {
        placed(value.into(), node)
    }

    /// Inserts a value and records where it came from.
    fn put(&mut self, out: &mut Map<String, Value>, pointer: &str, key: &str, value: Placed) {
        self.origins.record(format!("{pointer}/{key}"), &value.span);
        out.insert(key.to_owned(), value.value);
    }

    fn scene(&mut self, spec: &Node, scene: &Node, index: usize, canvas: (f64, f64)) -> Value {
        let pointer = format!("/scenes/{index}");
        self.origins.record(pointer.clone(), &scene.span);
        if scene.as_map().is_none() {
            self.error(
                format!("a scene must be a mapping, found {}", scene.type_name()),
                &scene.span,
            );
            return Value::Null;
        }
        let background = self.background(scene, &pointer);
        let say = self
            .string(scene, "say")
            .unwrap_or_else(|| self.fallback("", scene));
        let avatar_node = scene.get("avatar");
        let hidden = avatar_node.and_then(Node::as_str) == Some("none");
        if let Some(node) = avatar_node.filter(|n| !hidden && n.as_map().is_none()) {
            self.error(
                "a scene's `avatar` is `none` or a mapping of overrides",
                &node.span,
            );
        }
        if let (true, Some(said)) = (hidden, scene.get("say")) {
            if said.as_str().is_none_or(|s| !s.is_empty()) {
                self.diags.push(
                    Diagnostic::error("a scene with `avatar: none` has no speech")
                        .at(&said.span)
                        .with_help("remove `say`, or keep the presenter's voice with `avatar: { voice_only: true }`"),
                );
            }
        }
        let avatar = AvatarSpec {
            top: spec.get("avatar").filter(|n| n.as_map().is_some()),
            scene: avatar_node.filter(|n| n.as_map().is_some()),
            hidden,
        };
        let mut clips = Vec::new();
        let avatar_clip = self.avatar_clip(&avatar, &say, scene, &pointer, canvas);
        let (model_id, cloth_id) = match &avatar_clip {
            Some(clip) => (
                clip["model"]["ai_name"].clone(),
                clip["model"]["emotion"].clone(),
            ),
            None => (Value::Null, Value::Null),
        };
        clips.extend(avatar_clip);
        if let Some(list) = scene.get("clips") {
            match &list.kind {
                NodeKind::Seq(items) => {
                    for (i, clip) in items.iter().enumerate() {
                        let at = format!("{pointer}/clips/{}", clips.len());
                        if let Some(clip) = self.clip(clip, index, i, &at, canvas) {
                            clips.push(clip);
                        }
                    }
                }
                _ => self.error(
                    format!("`clips` must be a list, found {}", list.type_name()),
                    &list.span,
                ),
            }
        }
        self.origins
            .record(format!("{pointer}/scripts/0/org"), &say.span);
        let watermark = self
            .boolean(scene, "watermark")
            .map_or(Value::Bool(false), |p| p.value);
        let script = object([
            ("org", say.value),
            ("isTTS", Value::Bool(false)),
            ("tts", Value::Null),
            ("modelId", model_id),
            ("clothId", cloth_id),
        ]);
        let mut out = object([
            ("background", background),
            ("watermark", watermark),
            ("scripts", Value::Array(vec![script])),
            ("clips", Value::Array(clips)),
            ("thumbnailUrl", Value::Null),
            ("sceneIdx", index.into()),
        ]);
        self.merge_extra(scene.get("extra"), &mut out, &pointer);
        out
    }

    fn background(&mut self, scene: &Node, pointer: &str) -> Value {
        let (image, color) = match scene.get("background") {
            None => (None, None),
            Some(node) => match &node.kind {
                NodeKind::Str(s) if looks_like_color(self.inspect(s, &node.span)) => {
                    (None, Some(placed(s.clone().into(), node)))
                }
                NodeKind::Str(s) => (Some(placed(s.clone().into(), node)), None),
                NodeKind::Map(_) => (self.string(node, "image"), self.string(node, "color")),
                _ => {
                    self.error(
                        "`background` is a colour, an image URL, or `{ image, color }`",
                        &node.span,
                    );
                    (None, None)
                }
            },
        };
        if let Some(image) = &image {
            self.origins
                .record(format!("{pointer}/background/source_url"), &image.span);
        }
        if let Some(color) = &color {
            self.origins
                .record(format!("{pointer}/background/source_color"), &color.span);
        }
        let source_type = if image.is_some() { "image" } else { "color" };
        object([
            ("id", "background".into()),
            ("type", "background".into()),
            ("source_type", source_type.into()),
            (
                "source_url",
                image.map_or(Value::String(String::new()), |p| p.value),
            ),
            (
                "source_color",
                color.map_or(Value::String(DEFAULT_BACKGROUND.into()), |p| p.value),
            ),
        ])
    }
}

/// The canvas of a project in pixels: 1920 × 1080, or 1080 × 1920 in portrait.
pub(crate) fn canvas(portrait: bool) -> (f64, f64) {
    if portrait {
        (1080.0, 1920.0)
    } else {
        (1920.0, 1080.0)
    }
}

/// Whether `text` reads as a CSS colour: `#rgb[a]`, `#rrggbb[aa]`, `rgb()`/`rgba()`/`hsl()`/
/// `hsla()`, or a CSS colour name (`navy`, `RebeccaPurple`, `transparent`; not any word).
pub(crate) fn is_color(text: &str) -> bool {
    let t = text.trim().to_ascii_lowercase();
    if let Some(hex) = t.strip_prefix('#') {
        return matches!(hex.len(), 3 | 4 | 6 | 8) && hex.chars().all(|c| c.is_ascii_hexdigit());
    }
    for function in ["rgba(", "rgb(", "hsla(", "hsl("] {
        if let Some(inner) = t.strip_prefix(function).and_then(|r| r.strip_suffix(')')) {
            let parts: Vec<&str> = inner
                .split([',', ' ', '/'])
                .filter(|p| !p.is_empty())
                .collect();
            return (3..=4).contains(&parts.len())
                && parts.iter().all(|p| {
                    p.trim_end_matches(['%', 'g', 'd', 'e'])
                        .parse::<f64>()
                        .is_ok()
                });
        }
    }
    colors::is_named(&t)
}

/// Whether a scene's `background` string is meant as a colour (else it is an image URL): a
/// colour, or text that starts like one (`#`, `rgb`, `hsl`) — a broken colour is reported as
/// a colour by `check`'s lints, never fetched as an image.
pub(crate) fn looks_like_color(text: &str) -> bool {
    let t = text.trim().to_ascii_lowercase();
    t.is_empty()
        || t.starts_with(['#'])
        || t.starts_with("rgb")
        || t.starts_with("hsl")
        || is_color(&t)
}

/// The editor-style id of a clip: its type and 11 base-32 digits of a hash of its position.
pub(crate) fn derived_id(clip_type: &str, position: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in clip_type.bytes().chain([0]).chain(position.bytes()) {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    const DIGITS: &[u8; 32] = b"0123456789abcdefghijklmnopqrstuv";
    let id: String = (0..11)
        .map(|i| DIGITS[((hash >> (i * 5)) & 31) as usize] as char)
        .collect();
    format!("{clip_type}-{id}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_in_the_usual_forms_are_recognised() {
        for good in [
            "#fff",
            "#00000060",
            "rgb(54,188,37)",
            "rgba(0, 0, 0, 0.5)",
            "hsl(120 50% 50%)",
            "navy",
            " RebeccaPurple ",
            "transparent",
        ] {
            assert!(is_color(good), "{good}");
        }
        for bad in [
            "not a colour",
            "#ggg",
            "rgb(1,2)",
            "",
            "12",
            "sunset",
            "navvy",
        ] {
            assert!(!is_color(bad), "{bad}");
        }
    }

    #[test]
    fn a_background_that_starts_like_a_colour_is_a_colour() {
        for colour in ["#fff", "#zzz", "rgb(1,2)", "navy", ""] {
            assert!(looks_like_color(colour), "{colour}");
        }
        for image in ["https://x/y.png", "bg.png", "12", "sunset", "Hero"] {
            assert!(!looks_like_color(image), "{image}");
        }
    }
}
