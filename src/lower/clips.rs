//! Lowering clips: each spec clip becomes its v3 clip through its clip template, with the
//! defaults of its kind; text boxes are estimated from their text.

use serde_json::{Value, json};

use crate::diag::Span;
use crate::load::shape;
use crate::load::yaml::{Node, NodeKind};

use super::{EstimatedBox, Placed, Run, derived_id, placed};

/// The shapes the editor draws (`shapeName`).
pub(crate) const SHAPES: [&str; 17] = [
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
pub(crate) const ANIMATIONS: [&str; 12] = [
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
pub(crate) const DEFAULT_FONT: &str = "Noto Sans CJK";
/// The colour of text and shapes that name none.
pub(crate) const DEFAULT_FILL: &str = "rgb(0,0,0)";

impl Run<'_, '_> {
    pub(super) fn clip(
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
                            .unwrap_or_else(|| placed(DEFAULT_FILL.into(), clip)),
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
                            .unwrap_or_else(|| placed(DEFAULT_FILL.into(), clip)),
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
    pub(super) fn refit_box(&mut self, pointer: &str, extra: &Node, clip: &mut Value) {
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

    pub(super) fn fill(
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

    pub(super) fn animation(&mut self, clip: &Node) -> Option<Placed> {
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

    pub(super) fn shadow(&mut self, clip: &Node) -> Option<Placed> {
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

    pub(super) fn weight(&mut self, font: &Node) -> Option<Placed> {
        let node = font.get("weight")?;
        match &node.kind {
            NodeKind::Int(_) | NodeKind::Float(_) | NodeKind::Str(_) => {
                Some(placed(self.verbatim(node), node))
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
}

/// A character's estimated width in ems: 0.6 for ASCII, 1 for wider scripts (Hangul, CJK).
pub(crate) fn glyph_width(c: char) -> f64 {
    if c.is_ascii() { 0.6 } else { 1.0 }
}

/// An estimate of a text box: the editor measures the text again when it opens the project.
pub(crate) fn text_box(text: &str, size: f64) -> (f64, f64) {
    let lines: Vec<&str> = text.lines().collect();
    let widest = lines
        .iter()
        .map(|l| l.chars().map(glyph_width).sum::<f64>())
        .fold(0.0, f64::max);
    (
        (widest * size).ceil().max(size),
        (lines.len().max(1) as f64 * size * 1.25).ceil(),
    )
}

impl EstimatedBox {
    /// Estimates the box again from the clip's current text and size (after a row's text
    /// was filled in), for the dimensions the spec did not give.
    pub(crate) fn reestimate(&self, project: &mut Value) {
        if let Some(clip) = project.pointer_mut(&self.pointer) {
            self.fit(clip);
        }
    }

    /// Estimates the box of `clip` (a text clip) from its text and size.
    pub(super) fn fit(&self, clip: &mut Value) {
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
