//! Lowering: the expanded spec becomes the v3 project body.
//!
//! Avatar clips come from model presets, every other clip from its clip template; ids, layers,
//! `sceneIdx` and both places the speech goes (the scene's `scripts[0]` and the avatar clip's
//! `script`) are filled in here. Every value placed is recorded in [`Origins`] with the spec
//! span that produced it, so `check` can point at the spec.

pub mod json_path;
pub mod preset;
pub mod skeleton;

use serde_json::{Map, Value, json};

use crate::check::Origins;
use crate::diag::{Diagnostic, Diagnostics, Span, suggestion};
use crate::expand::Engine;
use crate::load::shape;
use crate::load::yaml::{Node, NodeKind};
pub use preset::{Preset, Presets};
pub use skeleton::{Placed, Skeletons};

/// The project body and where each of its values came from.
#[derive(Clone, Debug)]
pub struct Lowered {
    pub project: Value,
    pub origins: Origins,
    /// Text clips whose box was estimated from their text.
    pub estimated_boxes: Vec<EstimatedBox>,
}

/// A text clip (by JSON pointer) and which of its dimensions were estimated from its text.
#[derive(Clone, Debug)]
pub struct EstimatedBox {
    pub pointer: String,
    pub width: bool,
    pub height: bool,
}

/// What lowering needs besides the spec: the templates, the presets, a default name.
pub struct Lowerer<'a> {
    pub engine: &'a Engine,
    pub skeletons: &'a Skeletons,
    pub presets: &'a Presets,
    /// The project name when the spec gives none (the spec file's stem).
    pub default_name: &'a str,
    /// Lowering a partially expanded spec: a decision on a symbolic value is an error.
    pub partial: bool,
}

const ORIENTATIONS: [&str; 2] = ["landscape", "portrait"];
const RESOLUTIONS: [&str; 4] = ["4k", "1080", "720", "480"];
/// The shapes the editor draws (`shapeName`).
pub const SHAPES: [&str; 17] = [
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
/// The clip animations the editor plays.
pub const ANIMATIONS: [&str; 12] = [
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
/// The font of a text clip that names none.
pub const DEFAULT_FONT: &str = "Noto Sans CJK";

impl Lowerer<'_> {
    pub fn lower(&self, spec: &Node) -> Result<Lowered, Diagnostics> {
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

/// The avatar settings of one scene: the spec's top-level `avatar` under the scene's own.
struct AvatarSpec<'n> {
    top: Option<&'n Node>,
    scene: Option<&'n Node>,
    hidden: bool,
}

impl<'n> AvatarSpec<'n> {
    fn get(&self, key: &str) -> Option<&'n Node> {
        self.scene
            .and_then(|s| s.get(key))
            .or_else(|| self.top.and_then(|t| t.get(key)))
    }
}

impl Run<'_, '_> {
    fn error(&mut self, message: impl Into<String>, span: &Span) {
        self.diags.push(Diagnostic::error(message).at(span));
    }

    /// Notes that the output depends on the content of `text`, not only on its placement:
    /// when lowering partially, a symbolic value there means this spec cannot be prebuilt.
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
            resolution.unwrap_or_else(|| self.fallback("1080", spec)),
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
            self.put(
                &mut out,
                "",
                "dictionary",
                placed(dictionary.to_json(), dictionary),
            );
        }
        let canvas = if portrait {
            (1080.0, 1920.0)
        } else {
            (1920.0, 1080.0)
        };
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
            let escaped = key.name.replace('~', "~0").replace('/', "~1");
            self.origins
                .record(format!("{pointer}/{escaped}"), &value.span);
            out.insert(key.name.clone(), value.to_json());
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
        let mut out = json!({
            "background": background,
            "watermark": watermark,
            "scripts": [{
                "org": say.value,
                "isTTS": false,
                "tts": null,
                "modelId": model_id,
                "clothId": cloth_id,
            }],
            "clips": clips,
            "thumbnailUrl": null,
            "sceneIdx": index,
        });
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
        json!({
            "id": "background",
            "type": "background",
            "source_type": if image.is_some() { "image" } else { "color" },
            "source_url": image.map_or(Value::String(String::new()), |p| p.value),
            "source_color": color.map_or(Value::String("rgb(255,255,255)".into()), |p| p.value),
        })
    }

    fn avatar_clip(
        &mut self,
        avatar: &AvatarSpec<'_>,
        say: &Placed,
        scene: &Node,
        pointer: &str,
        canvas: (f64, f64),
    ) -> Option<Value> {
        let _ = canvas;
        let Some(preset_node) = avatar.get("preset") else {
            self.diags.push(
                Diagnostic::error("no avatar preset for this scene")
                    .at(&scene.span)
                    .with_help(format!(
                        "add `avatar: {{ preset: NAME }}` at the top of the spec; presets: {}",
                        self.lowerer.presets.names().collect::<Vec<_>>().join(", ")
                    )),
            );
            return None;
        };
        let Some(name) = preset_node.as_str() else {
            self.error(
                "`preset` must be a preset name or MODEL/CLOTHING ids",
                &preset_node.span,
            );
            return None;
        };
        let Some(preset) = self.lowerer.presets.find(name) else {
            self.diags.push(
                Diagnostic::error(format!("unknown avatar preset `{name}`"))
                    .at(&preset_node.span)
                    .with_help(suggestion(name, self.lowerer.presets.names())),
            );
            return None;
        };
        let language = match avatar.get("language") {
            Some(node) => self.string_of(node, "language")?,
            None => placed(
                preset
                    .languages
                    .first()
                    .cloned()
                    .unwrap_or_else(|| "en".into())
                    .into(),
                preset_node,
            ),
        };
        let (left, top, scale) = self.placement(avatar.get("placement"), preset, preset_node)?;
        let effects = match avatar.get("effect") {
            None => placed(json!([]), preset_node),
            Some(node) => match node.as_str().map(|s| self.inspect(s, &node.span)) {
                Some("none") => placed(json!([]), node),
                Some(effect) => placed(json!([{ "type": effect }]), node),
                None => {
                    self.error(
                        "`effect` is an effect name like `head-only`, or `none`",
                        &node.span,
                    );
                    return None;
                }
            },
        };
        let voice_only = avatar
            .get("voice_only")
            .and_then(|n| self.bool_of(n, "voice_only"))
            .unwrap_or_else(|| placed(false.into(), preset_node));
        let id = match avatar.get("id") {
            Some(node) => self.string_of(node, "id")?,
            None => placed(derived_id("aiModel", "avatar").into(), preset_node),
        };
        let layer = avatar
            .get("layer")
            .and_then(|n| self.int_of(n, "layer"))
            .unwrap_or_else(|| placed(1.into(), preset_node));
        let opacity = avatar
            .get("opacity")
            .and_then(|n| self.num_of(n, "opacity"))
            .unwrap_or_else(|| placed(100.into(), preset_node));
        let model = placed(
            preset.model_block(language.value.as_str().unwrap_or("en")),
            preset_node,
        );
        let spoken = if avatar.hidden {
            Placed {
                value: "".into(),
                span: say.span.clone(),
            }
        } else {
            say.clone()
        };
        let mut fields = vec![
            ("id", id),
            ("layer", layer),
            ("left", left),
            ("top", top),
            (
                "width",
                placed(crate::json_number(preset.tight.width), preset_node),
            ),
            (
                "height",
                placed(crate::json_number(preset.tight.height), preset_node),
            ),
            ("scaleX", scale.clone()),
            ("scaleY", scale),
            ("opacity", opacity),
            (
                "script",
                Placed {
                    value: json!({ "org": spoken.value, "tts": null }),
                    span: spoken.span,
                },
            ),
            ("effects", effects),
            ("model", model),
            ("voiceOnly", voice_only),
            (
                "isDelete",
                placed(
                    avatar.hidden.into(),
                    avatar.scene.or(scene.get("avatar")).unwrap_or(scene),
                ),
            ),
        ];
        if let Some(tag) = avatar.get("tag").and_then(|n| self.string_of(n, "tag")) {
            fields.push(("tag", tag));
        }
        let at = format!("{pointer}/clips/0");
        let language_span = language.span.clone();
        let mut clip = self.fill("aiModel", &fields, &at, &scene.span)?;
        self.origins
            .record(format!("{at}/model/language"), &language_span);
        self.merge_extra(avatar.get("extra"), &mut clip, &at);
        Some(clip)
    }

    fn placement(
        &mut self,
        node: Option<&Node>,
        preset: &Preset,
        preset_node: &Node,
    ) -> Option<(Placed, Placed, Placed)> {
        let default = preset.placements.get("default").copied()?;
        let named = |p: preset::Placement, span: &Node| {
            (
                placed(crate::json_number(p.left), span),
                placed(crate::json_number(p.top), span),
                placed(crate::json_number(p.scale.unwrap_or(1.0)), span),
            )
        };
        match node {
            None => Some(named(default, preset_node)),
            Some(node) => match &node.kind {
                NodeKind::Str(name) => match preset.placements.get(name) {
                    Some(p) => Some(named(*p, node)),
                    None => {
                        self.diags.push(
                            Diagnostic::error(format!(
                                "preset `{}` has no placement `{name}`",
                                preset.alias
                            ))
                            .at(&node.span)
                            .with_help(suggestion(
                                name,
                                preset.placements.keys().map(String::as_str),
                            )),
                        );
                        None
                    }
                },
                NodeKind::Map(_) => {
                    let (l, t, s) = named(default, node);
                    Some((
                        self.num(node, "left").unwrap_or(l),
                        self.num(node, "top").unwrap_or(t),
                        self.positive(node, "scale").unwrap_or(s),
                    ))
                }
                _ => {
                    self.error(
                        "`placement` is a placement name or `{ left, top, scale }`",
                        &node.span,
                    );
                    None
                }
            },
        }
    }

    fn clip(
        &mut self,
        clip: &Node,
        scene_index: usize,
        index: usize,
        pointer: &str,
        canvas: (f64, f64),
    ) -> Option<Value> {
        if clip.as_map().is_none() {
            self.error(
                format!("a clip must be a mapping, found {}", clip.type_name()),
                &clip.span,
            );
            return None;
        }
        let kind = shape::clip_kind(clip)?;
        let content_node = clip.get(kind)?;
        let content = if kind == "shape" {
            self.choice_of(content_node, "shape", &SHAPES)?
        } else {
            self.string_of(content_node, kind)?
        };
        let (clip_type, mut fields, size) = match kind {
            "text" => {
                let font = clip.get("font");
                let size = font
                    .and_then(|f| self.positive(f, "size"))
                    .unwrap_or_else(|| placed(48.into(), clip));
                let text = content.value.as_str().unwrap_or("");
                let (width, height) = (clip.get("width").is_none(), clip.get("height").is_none());
                if width || height {
                    self.estimated_boxes.push(EstimatedBox {
                        pointer: pointer.to_owned(),
                        width,
                        height,
                    });
                }
                let estimate = text_box(text, size.value.as_f64().unwrap_or(48.0));
                let mut fields = vec![
                    ("text", content),
                    ("fontSize", size),
                    (
                        "fill",
                        font.and_then(|f| self.string(f, "color"))
                            .unwrap_or_else(|| placed("rgb(0,0,0)".into(), clip)),
                    ),
                    (
                        "fontFamily",
                        font.and_then(|f| self.string(f, "family"))
                            .unwrap_or_else(|| placed(DEFAULT_FONT.into(), clip)),
                    ),
                    (
                        "align",
                        self.string(clip, "align")
                            .unwrap_or_else(|| placed("left".into(), clip)),
                    ),
                ];
                if let Some(font) = font {
                    fields.extend(self.weight(font).map(|w| ("fontWeight", w)));
                    fields.extend(self.string(font, "style").map(|s| ("fontStyle", s)));
                    fields.extend(self.boolean(font, "underline").map(|u| ("underline", u)));
                }
                fields.extend(
                    self.string(clip, "background")
                        .map(|b| ("backgroundColor", b)),
                );
                if let Some(stroke) = clip.get("stroke") {
                    fields.extend(self.string(stroke, "color").map(|c| ("stroke", c)));
                    fields.extend(
                        self.non_negative(stroke, "width")
                            .map(|w| ("strokeWidth", w)),
                    );
                }
                ("textImage", fields, estimate)
            }
            "image" => ("image", vec![("source_url", content)], canvas),
            "video" => {
                let mut fields = vec![("video_url", content)];
                fields.extend(self.string(clip, "poster").map(|p| ("source_url", p)));
                fields.push((
                    "volume",
                    self.num(clip, "volume")
                        .unwrap_or_else(|| placed(100.into(), clip)),
                ));
                ("videoImage", fields, canvas)
            }
            "audio" => {
                let label = match self.string(clip, "label") {
                    Some(label) => label,
                    None => {
                        let url = content.value.as_str().unwrap_or_default();
                        let file = self
                            .inspect(url, &content.span)
                            .rsplit('/')
                            .next()
                            .unwrap_or("audio");
                        placed(file.into(), clip)
                    }
                };
                let volume = self
                    .num(clip, "volume")
                    .unwrap_or_else(|| placed(100.into(), clip));
                (
                    "audio",
                    vec![
                        ("source_url", content),
                        ("volume", volume),
                        ("label", label),
                    ],
                    (0.0, 0.0),
                )
            }
            _ => {
                let mut fields = vec![
                    ("shapeName", content),
                    (
                        "fill",
                        self.string(clip, "fill")
                            .unwrap_or_else(|| placed("rgb(0,0,0)".into(), clip)),
                    ),
                ];
                if let Some(stroke) = clip.get("stroke") {
                    fields.extend(self.string(stroke, "color").map(|c| ("stroke", c)));
                    fields.extend(
                        self.non_negative(stroke, "width")
                            .map(|w| ("strokeWidth", w)),
                    );
                    fields.extend(
                        self.non_negative(stroke, "radius")
                            .map(|r| ("strokeRadius", r)),
                    );
                }
                ("shape", fields, (200.0, 200.0))
            }
        };
        let id = self.string(clip, "id").unwrap_or_else(|| {
            placed(
                derived_id(clip_type, &format!("{scene_index}/{index}")).into(),
                clip,
            )
        });
        let scale = self.positive(clip, "scale");
        let scale_x = self
            .positive(clip, "scale_x")
            .or_else(|| scale.clone())
            .unwrap_or_else(|| placed(1.into(), clip));
        let scale_y = self
            .positive(clip, "scale_y")
            .or(scale)
            .unwrap_or_else(|| placed(1.into(), clip));
        let mut common = vec![
            ("id", id),
            (
                "layer",
                self.int(clip, "layer")
                    .unwrap_or_else(|| placed((index + 2).into(), clip)),
            ),
            (
                "left",
                self.num(clip, "left")
                    .unwrap_or_else(|| placed(0.into(), clip)),
            ),
            (
                "top",
                self.num(clip, "top")
                    .unwrap_or_else(|| placed(0.into(), clip)),
            ),
            (
                "width",
                self.num(clip, "width")
                    .unwrap_or_else(|| placed(crate::json_number(size.0), clip)),
            ),
            (
                "height",
                self.num(clip, "height")
                    .unwrap_or_else(|| placed(crate::json_number(size.1), clip)),
            ),
            ("scaleX", scale_x),
            ("scaleY", scale_y),
            (
                "opacity",
                self.num(clip, "opacity")
                    .unwrap_or_else(|| placed(100.into(), clip)),
            ),
        ];
        common.extend(self.num(clip, "angle").map(|a| ("angle", a)));
        common.extend(self.animation(clip).map(|a| ("animation", a)));
        common.extend(self.shadow(clip).map(|s| ("shadow", s)));
        common.extend(self.string(clip, "tag").map(|t| ("tag", t)));
        common.append(&mut fields);
        let mut value = self.fill(clip_type, &common, pointer, &clip.span)?;
        if let Some(extra) = clip.get("extra") {
            self.merge_extra(Some(extra), &mut value, pointer);
            self.refit_box(pointer, extra, &mut value);
        }
        Some(value)
    }

    /// After `extra` changed a text clip, its estimated box follows the output: a dimension
    /// `extra` gives is no longer estimated, and a text or size it gives is measured.
    fn refit_box(&mut self, pointer: &str, extra: &Node, clip: &mut Value) {
        let Some(at) = self
            .estimated_boxes
            .iter()
            .position(|b| b.pointer == pointer)
        else {
            return;
        };
        let estimated = &mut self.estimated_boxes[at];
        estimated.width &= extra.get("width").is_none();
        estimated.height &= extra.get("height").is_none();
        if extra.get("text").is_some() || extra.get("fontSize").is_some() {
            estimated.fit(clip);
        }
        if !estimated.width && !estimated.height {
            self.estimated_boxes.remove(at);
        }
    }

    fn fill(
        &mut self,
        clip_type: &str,
        fields: &[(&'static str, Placed)],
        pointer: &str,
        span: &Span,
    ) -> Option<Value> {
        self.origins.record(pointer.to_owned(), span);
        match self.lowerer.skeletons.fill(
            self.lowerer.engine,
            clip_type,
            fields,
            pointer,
            &mut self.origins,
        ) {
            Ok(value) => Some(value),
            Err(diagnostic) => {
                self.diags.push(diagnostic.with_context("clip", span));
                None
            }
        }
    }

    fn animation(&mut self, clip: &Node) -> Option<Placed> {
        let node = clip.get("animation")?;
        if node.as_map().is_none() {
            self.error("`animation` is `{ type, duration, delay }`", &node.span);
            return None;
        }
        if node.get("type").is_none() {
            self.error("an animation needs a `type`, e.g. fade-in", &node.span);
            return None;
        }
        let kind = self.choice(node, "type", &ANIMATIONS)?;
        let duration = self.num(node, "duration").map_or(json!(1), |p| p.value);
        let delay = self.num(node, "delay").map_or(json!(0), |p| p.value);
        Some(placed(
            json!({ "type": kind.value, "duration": duration, "delay": delay }),
            node,
        ))
    }

    fn shadow(&mut self, clip: &Node) -> Option<Placed> {
        let node = clip.get("shadow")?;
        if node.as_map().is_none() {
            self.error(
                "`shadow` is `{ color, blur, offset_x, offset_y, enabled }`",
                &node.span,
            );
            return None;
        }
        let color = self
            .string(node, "color")
            .map_or(json!("#00000060"), |p| p.value);
        let blur = self.num(node, "blur").map_or(json!(5), |p| p.value);
        let x = self.num(node, "offset_x").map_or(json!(2), |p| p.value);
        let y = self.num(node, "offset_y").map_or(json!(2), |p| p.value);
        let enabled = self
            .boolean(node, "enabled")
            .map_or(json!(true), |p| p.value);
        Some(placed(
            json!({ "color": color, "blur": blur, "offsetX": x, "offsetY": y, "enabled": enabled }),
            node,
        ))
    }

    fn weight(&mut self, font: &Node) -> Option<Placed> {
        let node = font.get("weight")?;
        match &node.kind {
            NodeKind::Int(_) | NodeKind::Float(_) | NodeKind::Str(_) => {
                Some(placed(node.to_json(), node))
            }
            _ => {
                self.error(
                    "font `weight` is a number like 700 or a word like bold",
                    &node.span,
                );
                None
            }
        }
    }

    // Typed reads: each reports a wrong type at the value's span and yields None.

    fn string(&mut self, parent: &Node, key: &str) -> Option<Placed> {
        self.string_of(parent.get(key)?, key)
    }

    fn string_of(&mut self, node: &Node, key: &str) -> Option<Placed> {
        // A number written in the spec where text is expected keeps its spelling (`1.50`).
        let written = node.span.text().trim();
        if node.template.is_none()
            && matches!(node.kind, NodeKind::Int(_) | NodeKind::Float(_))
            && crate::load::yaml::number(written).is_some()
        {
            return Some(placed(Value::String(written.to_owned()), node));
        }
        match as_text(&node.to_json()) {
            Some(text) => Some(placed(text, node)),
            None => {
                self.error(
                    format!("`{key}` must be a string, found {}", node.type_name()),
                    &node.span,
                );
                None
            }
        }
    }

    fn choice(&mut self, parent: &Node, key: &str, choices: &[&str]) -> Option<Placed> {
        self.choice_of(parent.get(key)?, key, choices)
    }

    fn choice_of(&mut self, node: &Node, key: &str, choices: &[&str]) -> Option<Placed> {
        let value = self.string_of(node, key)?;
        let text = value.value.as_str().unwrap_or_default();
        if choices.contains(&text) {
            return Some(value);
        }
        self.diags.push(
            Diagnostic::error(format!("`{text}` is not a valid `{key}`"))
                .at(&node.span)
                .with_help(suggestion(text, choices.iter().copied())),
        );
        None
    }

    fn num(&mut self, parent: &Node, key: &str) -> Option<Placed> {
        self.num_of(parent.get(key)?, key)
    }

    fn num_of(&mut self, node: &Node, key: &str) -> Option<Placed> {
        match node.kind {
            NodeKind::Int(_) => Some(placed(node.to_json(), node)),
            NodeKind::Float(f) if f.is_finite() => Some(placed(crate::json_number(f), node)),
            _ => {
                self.error(
                    format!("`{key}` must be a number, found {}", describe(node)),
                    &node.span,
                );
                None
            }
        }
    }

    fn positive(&mut self, parent: &Node, key: &str) -> Option<Placed> {
        let value = self.num(parent, key)?;
        if value.value.as_f64().is_some_and(|v| v > 0.0) {
            return Some(value);
        }
        self.error(format!("`{key}` must be greater than 0"), &value.span);
        None
    }

    fn non_negative(&mut self, parent: &Node, key: &str) -> Option<Placed> {
        let value = self.num(parent, key)?;
        if value.value.as_f64().is_some_and(|v| v >= 0.0) {
            return Some(value);
        }
        self.error(format!("`{key}` must not be negative"), &value.span);
        None
    }

    fn int(&mut self, parent: &Node, key: &str) -> Option<Placed> {
        self.int_of(parent.get(key)?, key)
    }

    fn int_of(&mut self, node: &Node, key: &str) -> Option<Placed> {
        match node.kind {
            NodeKind::Int(_) => Some(placed(node.to_json(), node)),
            _ => {
                self.error(
                    format!("`{key}` must be an integer, found {}", describe(node)),
                    &node.span,
                );
                None
            }
        }
    }

    fn boolean(&mut self, parent: &Node, key: &str) -> Option<Placed> {
        self.bool_of(parent.get(key)?, key)
    }

    fn bool_of(&mut self, node: &Node, key: &str) -> Option<Placed> {
        match node.kind {
            NodeKind::Bool(_) => Some(placed(node.to_json(), node)),
            _ => {
                self.error(
                    format!("`{key}` must be true or false, found {}", describe(node)),
                    &node.span,
                );
                None
            }
        }
    }
}

/// A value where text is expected: a string as it is, a number as its text, else nothing.
pub fn as_text(value: &Value) -> Option<Value> {
    match value {
        Value::String(_) => Some(value.clone()),
        Value::Number(n) => {
            let normal = n.as_i64().map_or_else(
                || crate::json_number(n.as_f64().unwrap_or(f64::NAN)),
                Value::from,
            );
            Some(Value::String(normal.to_string()))
        }
        _ => None,
    }
}

fn placed(value: Value, node: &Node) -> Placed {
    Placed {
        value,
        span: node.span.clone(),
    }
}

impl From<&Placed> for Node {
    fn from(p: &Placed) -> Node {
        Node::from_json(&p.value, &p.span)
    }
}

fn describe(node: &Node) -> String {
    match &node.kind {
        NodeKind::Str(s) => format!("the string \"{s}\""),
        _ => node.type_name().to_owned(),
    }
}

/// Whether a scene's `background` string is a colour (else it is an image URL).
pub fn looks_like_color(text: &str) -> bool {
    let t = text.trim().to_ascii_lowercase();
    t.starts_with('#')
        || t.starts_with("rgb")
        || t.starts_with("hsl")
        || (!t.contains(['/', '.']) && t.chars().all(|c| c.is_ascii_alphabetic()))
}

/// The editor-style id of a clip: its type and 11 base-32 digits of a hash of its position.
pub fn derived_id(clip_type: &str, position: &str) -> String {
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

/// An estimate of a text box: the editor measures the text again when it opens the project.
pub fn text_box(text: &str, size: f64) -> (f64, f64) {
    let lines: Vec<&str> = text.lines().collect();
    let widest = lines
        .iter()
        .map(|l| {
            l.chars()
                .map(|c| if c.is_ascii() { 0.6 } else { 1.0 })
                .sum::<f64>()
        })
        .fold(0.0, f64::max);
    (
        (widest * size).ceil().max(size),
        (lines.len().max(1) as f64 * size * 1.25).ceil(),
    )
}

impl EstimatedBox {
    /// Estimates the box again from the clip's current text and size (after a row's text
    /// was filled in), for the dimensions the spec did not give.
    pub fn reestimate(&self, project: &mut Value) {
        if let Some(clip) = project.pointer_mut(&self.pointer) {
            self.fit(clip);
        }
    }

    /// Estimates the box of `clip` (a text clip) from its text and size.
    fn fit(&self, clip: &mut Value) {
        let text = clip["text"].as_str().unwrap_or_default();
        let (w, h) = text_box(text, clip["fontSize"].as_f64().unwrap_or(48.0));
        if self.width {
            clip["width"] = crate::json_number(w);
        }
        if self.height {
            clip["height"] = crate::json_number(h);
        }
    }
}
