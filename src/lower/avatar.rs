//! Lowering the presenter: the avatar clip of a scene from its preset, placement and effect,
//! the spec's top-level `avatar` under the scene's own.

use serde_json::{Value, json};

use crate::diag::{Diagnostic, suggestion};
use crate::load::yaml::{Node, NodeKind};

use super::{Placed, Preset, Run, derived_id, placed, preset};

/// The avatar settings of one scene: the spec's top-level `avatar` under the scene's own.
pub(super) struct AvatarSpec<'n> {
    pub(super) top: Option<&'n Node>,
    pub(super) scene: Option<&'n Node>,
    pub(super) hidden: bool,
}

impl<'n> AvatarSpec<'n> {
    pub(super) fn get(&self, key: &str) -> Option<&'n Node> {
        self.scene
            .and_then(|s| s.get(key))
            .or_else(|| self.top.and_then(|t| t.get(key)))
    }
}

impl Run<'_, '_> {
    pub(super) fn avatar_clip(
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

    pub(super) fn placement(
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
}
