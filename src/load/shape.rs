//! The shape of the spec language: which keys each mapping may hold.
//!
//! Checked on the raw tree before expansion (and on each scene a template produces), so that
//! every misspelt key in a spec is reported at once, with a "did you mean". Value types are
//! checked later, by `lower`, once templates have produced the values.

use crate::diag::{Diagnostic, Diagnostics, suggestion};
use crate::load::yaml::{Node, NodeKind};

/// What a node may hold.
pub(crate) enum Shape {
    /// Anything; checked where it is used.
    Any,
    /// A mapping with these keys.
    Map(&'static [(&'static str, &'static Shape)]),
    /// A mapping with any keys, each value of this shape.
    MapOf(&'static Shape),
    /// A list of this shape.
    SeqOf(&'static Shape),
    /// A clip: its keys depend on the key that names its kind.
    Clip,
}

use Shape::{Any, Map, MapOf, SeqOf};

static PLACEMENT: Shape = Map(&[("left", &Any), ("top", &Any), ("scale", &Any)]);
static ANIMATION: Shape = Map(&[("type", &Any), ("duration", &Any), ("delay", &Any)]);
static SHADOW: Shape = Map(&[
    ("color", &Any),
    ("blur", &Any),
    ("offset_x", &Any),
    ("offset_y", &Any),
    ("enabled", &Any),
]);
static FONT: Shape = Map(&[
    ("size", &Any),
    ("color", &Any),
    ("family", &Any),
    ("weight", &Any),
    ("style", &Any),
    ("underline", &Any),
]);
static TEXT_STROKE: Shape = Map(&[("color", &Any), ("width", &Any)]);
static SHAPE_STROKE: Shape = Map(&[("color", &Any), ("width", &Any), ("radius", &Any)]);
static BACKGROUND: Shape = Map(&[("image", &Any), ("color", &Any)]);

/// Keys of the avatar mapping, at the top level and in a scene.
pub(crate) static AVATAR: Shape = Map(&[
    ("preset", &Any),
    ("language", &Any),
    ("placement", &PLACEMENT),
    ("effect", &Any),
    ("voice_only", &Any),
    ("id", &Any),
    ("layer", &Any),
    ("opacity", &Any),
    ("tag", &Any),
    ("extra", &Any),
]);

static VAR: Shape = Map(&[
    ("type", &Any),
    ("default", &Any),
    ("required", &Any),
    ("enum", &Any),
    ("min", &Any),
    ("max", &Any),
    ("pattern", &Any),
    ("separator", &Any),
    ("description", &Any),
]);

/// Keys of a scene.
pub(crate) static SCENE: Shape = Map(&[
    ("background", &BACKGROUND),
    ("say", &Any),
    ("avatar", &AVATAR),
    ("clips", &SeqOf(&Shape::Clip)),
    ("watermark", &Any),
    ("use", &Any),
    ("with", &MapOf(&Any)),
    ("each", &Any),
    ("as", &Any),
    ("when", &Any),
    ("extra", &Any),
]);

/// Keys of the spec file itself.
pub(crate) static PROJECT: Shape = Map(&[
    ("version", &Any),
    ("name", &Any),
    ("orientation", &Any),
    ("resolution", &Any),
    ("export", &Any),
    ("workspace", &Any),
    ("webhook", &Any),
    ("dictionary", &Any),
    ("vars", &MapOf(&VAR)),
    ("presets", &Any),
    ("avatar", &AVATAR),
    ("scenes", &SeqOf(&SCENE)),
    ("extra", &Any),
]);

/// Keys every clip may have.
pub(crate) const CLIP_COMMON: &[(&str, &Shape)] = &[
    ("left", &Any),
    ("top", &Any),
    ("width", &Any),
    ("height", &Any),
    ("scale", &Any),
    ("scale_x", &Any),
    ("scale_y", &Any),
    ("layer", &Any),
    ("opacity", &Any),
    ("angle", &Any),
    ("animation", &ANIMATION),
    ("shadow", &SHADOW),
    ("tag", &Any),
    ("id", &Any),
    ("when", &Any),
    ("each", &Any),
    ("as", &Any),
    ("extra", &Any),
];

/// The clip kinds: the key naming the content, and the keys only that kind has.
pub(crate) const CLIP_KINDS: &[(&str, &[(&str, &Shape)])] = &[
    (
        "text",
        &[
            ("font", &FONT),
            ("align", &Any),
            ("background", &Any),
            ("stroke", &TEXT_STROKE),
        ],
    ),
    ("image", &[]),
    ("video", &[("poster", &Any), ("volume", &Any)]),
    ("audio", &[("volume", &Any), ("label", &Any)]),
    ("shape", &[("fill", &Any), ("stroke", &SHAPE_STROKE)]),
];

/// The kind of a clip mapping: the first key that names one.
pub(crate) fn clip_kind(node: &Node) -> Option<&'static str> {
    let entries = node.as_map()?;
    CLIP_KINDS
        .iter()
        .map(|(kind, _)| *kind)
        .find(|kind| entries.iter().any(|(k, _)| k.name == *kind))
}

/// Checks `node` against `shape`, reporting every unknown key.
pub(crate) fn check(node: &Node, shape: &Shape, what: &str, diags: &mut Diagnostics) {
    match (shape, &node.kind) {
        (Map(fields), NodeKind::Map(_)) => {
            check_keys(node, fields.iter(), what, diags);
            check_companions(node, fields.iter(), what, diags);
        }
        (MapOf(inner), NodeKind::Map(entries)) => {
            for (key, value) in entries {
                check(value, inner, &key.name, diags);
            }
        }
        (SeqOf(inner), NodeKind::Seq(items)) => {
            let one = what.strip_suffix('s').unwrap_or(what);
            for item in items {
                check(item, inner, one, diags);
            }
        }
        (Shape::Clip, NodeKind::Map(entries)) => match clip_kind(node) {
            Some(kind) => {
                let own = CLIP_KINDS
                    .iter()
                    .find(|(k, _)| *k == kind)
                    .map_or(&[][..], |k| k.1);
                let content = [(kind, &Any as &Shape)];
                let fields = CLIP_COMMON.iter().chain(own).chain(content.iter());
                check_keys(node, fields.clone(), &format!("{kind} clip"), diags);
                check_companions(node, fields, &format!("{kind} clip"), diags);
                for (key, _) in entries {
                    let other = CLIP_KINDS
                        .iter()
                        .find(|(k, _)| *k == key.name && *k != kind);
                    if let Some((other, _)) = other {
                        diags.push(
                            Diagnostic::error(format!(
                                "a clip has one kind; this one is `{kind}` and also `{other}`"
                            ))
                            .at(&key.span)
                            .with_help("split it into two clips"),
                        );
                    }
                }
            }
            None => diags.push(
                Diagnostic::error("clip has no content key")
                    .at(&node.span)
                    .with_help("a clip needs one of `text`, `image`, `video`, `audio`, `shape`"),
            ),
        },
        _ => {}
    }
}

/// Keys that mean something only beside another: (key, the key it needs, what it does, help).
const COMPANIONS: &[(&str, &str, &str, &str)] = &[
    (
        "as",
        "each",
        "`as` names the item of `each`",
        "add `each:` with the list to repeat over, or remove `as`",
    ),
    (
        "with",
        "use",
        "`with` passes arguments to a `use:` scene template",
        "add `use:` naming the template, or remove `with`",
    ),
];

fn check_companions<'a>(
    node: &Node,
    fields: impl Iterator<Item = &'a (&'static str, &'static Shape)> + Clone,
    what: &str,
    diags: &mut Diagnostics,
) {
    let Some(entries) = node.as_map() else { return };
    for (key, needed, does, help) in COMPANIONS {
        let allowed = fields.clone().any(|(name, _)| name == needed);
        let given = entries.iter().find(|(k, _)| k.name == *key);
        if let Some((key, _)) = given.filter(|_| allowed && node.get(needed).is_none()) {
            diags.push(
                Diagnostic::error(format!("{does}, and this {what} has no `{needed}`"))
                    .at(&key.span)
                    .with_help(*help),
            );
        }
    }
}

/// The spec language version this compiler speaks: `version:`, if given, must say it.
pub(crate) fn check_version(root: &Node, diags: &mut Diagnostics) {
    let Some(version) = root.get("version") else {
        return;
    };
    let one = match version.kind {
        NodeKind::Int(n) => n == 1,
        NodeKind::Float(f) => f == 1.0,
        _ => false,
    };
    if !one {
        diags.push(
            Diagnostic::error(format!(
                "this vidspec reads version 1 of the spec language; the spec says `version: {}`",
                version.span.text().trim()
            ))
            .at(&version.span)
            .with_help("write `version: 1`, or leave `version` out"),
        );
    }
}

fn check_keys<'a>(
    node: &Node,
    fields: impl Iterator<Item = &'a (&'static str, &'static Shape)> + Clone,
    what: &str,
    diags: &mut Diagnostics,
) {
    let Some(entries) = node.as_map() else { return };
    for (key, value) in entries {
        match fields.clone().find(|(name, _)| *name == key.name) {
            Some((name, shape)) => check(value, shape, name, diags),
            None if looks_like_a_split_value(&key.name) => diags.push(
                Diagnostic::error(format!("unknown key `{}` in {what}", key.name))
                    .at(&key.span)
                    .with_help("a comma inside `{ … }` starts a new entry: quote values that contain commas, e.g. `color: \"rgb(1,2,3)\"`"),
            ),
            None => {
                let names = fields.clone().map(|(name, _)| *name);
                diags.push(
                    Diagnostic::error(format!("unknown key `{}` in {what}", key.name))
                        .at(&key.span)
                        .with_help(suggestion(&key.name, names)),
                );
            }
        }
    }
}

/// A "key" that is really the rest of a value cut at a comma (`rgb(1,2,3)` unquoted in a flow
/// mapping gives the keys `2` and `3)`).
fn looks_like_a_split_value(key: &str) -> bool {
    let key = key.trim();
    !key.is_empty()
        && (key.contains(')')
            || key
                .chars()
                .all(|c| c.is_ascii_digit() || c == '.' || c == ' '))
}
