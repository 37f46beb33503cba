//! Completion, hover and go-to-definition: answers computed from the cursor's context
//! ([`super::cursor`]), the checker's key sets (`load::shape`), the spec schema's words and
//! value lists, the template catalog, and what [`Knowledge`] knows about presets, scene
//! templates and variables.

use std::sync::OnceLock;

use lsp_types::{CompletionItem, CompletionItemKind, Documentation, MarkupContent, MarkupKind};
use regex::Regex;

use super::cursor::{At, Context, Step};
use super::knowledge::{Knowledge, Place, PresetInfo, SceneInfo};
use super::schema;
use crate::expand::catalog::{self, Kind as Catalog};
use crate::inputs::{VarDecl, VarType};
use crate::load::shape::{self, CLIP_COMMON, CLIP_KINDS, Shape};

/// The attributes of `loop` inside an `each:`.
const LOOP_ATTRIBUTES: &[(&str, &str)] = &[
    ("index", "The position of the item, from 1."),
    ("index0", "The position of the item, from 0."),
    ("first", "Whether this is the first item."),
    ("last", "Whether this is the last item."),
    ("length", "How many items `each` gives."),
];

/// One answer to a completion request: what is shown, and what replaces the word typed.
pub(crate) struct Suggestion {
    pub label: String,
    pub kind: CompletionItemKind,
    pub detail: Option<String>,
    pub doc: Option<String>,
    pub insert: String,
}

impl Suggestion {
    fn new(label: impl Into<String>, kind: CompletionItemKind) -> Suggestion {
        let label = label.into();
        Suggestion {
            insert: label.clone(),
            label,
            kind,
            detail: None,
            doc: None,
        }
    }

    fn detail(mut self, detail: impl Into<String>) -> Suggestion {
        self.detail = Some(detail.into());
        self
    }

    fn doc(mut self, doc: Option<impl Into<String>>) -> Suggestion {
        self.doc = doc.map(Into::into);
        self
    }

    fn insert(mut self, insert: impl Into<String>) -> Suggestion {
        self.insert = insert.into();
        self
    }

    pub(crate) fn into_item(self, range: lsp_types::Range) -> CompletionItem {
        CompletionItem {
            label: self.label,
            kind: Some(self.kind),
            detail: self.detail,
            documentation: self.doc.map(markdown),
            text_edit: Some(lsp_types::CompletionTextEdit::Edit(lsp_types::TextEdit {
                range,
                new_text: self.insert,
            })),
            ..CompletionItem::default()
        }
    }
}

pub(crate) fn markdown(text: String) -> Documentation {
    Documentation::MarkupContent(MarkupContent {
        kind: MarkupKind::Markdown,
        value: text,
    })
}

/// What the document is: a spec, or a scene template (whose variables are its arguments).
pub(crate) struct Document<'a> {
    pub knowledge: &'a Knowledge,
    /// A scene template's declared arguments, when the document is one.
    pub template_args: Option<Vec<String>>,
}

// ---------------------------------------------------------------- shapes

/// The content key of a clip mapping, among its entries.
fn kind_among(entries: &[(String, String)]) -> Option<&'static str> {
    CLIP_KINDS
        .iter()
        .map(|(k, _)| *k)
        .find(|k| entries.iter().any(|(key, _)| key == k))
}

fn clip_field(kind: Option<&str>, key: &str) -> Option<&'static Shape> {
    let own = CLIP_KINDS
        .iter()
        .filter(|(k, _)| kind.is_none_or(|kind| kind == *k))
        .flat_map(|(_, fields)| fields.iter());
    CLIP_COMMON
        .iter()
        .chain(own)
        .find(|(name, _)| *name == key)
        .map(|(_, shape)| *shape)
        .or_else(|| {
            CLIP_KINDS
                .iter()
                .any(|(k, _)| *k == key)
                .then_some(&Shape::Any)
        })
}

/// The shape of the mapping at the end of the cursor's path.
fn shape_at(ctx: &Context) -> Option<&'static Shape> {
    let mut current: &'static Shape = &shape::PROJECT;
    for (i, step) in ctx.path.iter().enumerate() {
        current = match (current, step) {
            (Shape::Map(fields), Step::Key(key)) => fields.iter().find(|(n, _)| n == key)?.1,
            (Shape::MapOf(inner), Step::Key(_)) | (Shape::SeqOf(inner), Step::Item) => inner,
            (Shape::Clip, Step::Key(key)) => {
                let kind = ctx.parents.get(i).and_then(|p| kind_among(p));
                clip_field(kind, key)?
            }
            _ => return None,
        };
    }
    Some(current)
}

/// The content key of the clip the cursor's mapping is (or is inside of).
fn clip_kind(ctx: &Context) -> Option<&'static str> {
    kind_among(&ctx.siblings).or_else(|| ctx.parents.iter().rev().find_map(|p| kind_among(p)))
}

fn schema_path(ctx: &Context, key: &str) -> Vec<Step> {
    let mut path = ctx.path.clone();
    path.push(Step::Key(key.to_owned()));
    path
}

fn key_doc(ctx: &Context, key: &str) -> Option<String> {
    let node = schema::at(&schema_path(ctx, key), clip_kind(ctx))?;
    schema::description(node).map(str::to_owned)
}

/// The scene template the cursor's `with:` passes arguments to.
fn used_template<'k>(ctx: &Context, knowledge: &'k Knowledge) -> Option<&'k SceneInfo> {
    if ctx.path.last() != Some(&Step::Key("with".to_owned())) {
        return None;
    }
    let parent = ctx.parents.get(ctx.path.len() - 1)?;
    let name = parent
        .iter()
        .find(|(k, _)| k == "use")?
        .1
        .trim_matches(['"', '\'']);
    knowledge.scene(name)
}

// ---------------------------------------------------------------- completion

pub(crate) fn complete(ctx: &Context, doc: &Document<'_>) -> Vec<Suggestion> {
    match &ctx.at {
        At::Key { word } => complete_key(ctx, word, doc.knowledge),
        At::Value { key, .. } => complete_value(ctx, key, doc.knowledge),
        At::Template { expr } => complete_template(expr, doc),
    }
}

fn complete_key(ctx: &Context, word: &str, knowledge: &Knowledge) -> Vec<Suggestion> {
    let taken = |name: &str| ctx.siblings.iter().any(|(k, _)| k == name && k != word);
    if let Some(template) = used_template(ctx, knowledge) {
        return template
            .params
            .iter()
            .flatten()
            .filter(|p| !taken(&p.name))
            .map(|p| {
                Suggestion::new(p.name.clone(), CompletionItemKind::PROPERTY)
                    .detail(param_note(p))
                    .insert(format!("{}: ", p.name))
            })
            .collect();
    }
    let fields: Vec<(&'static str, &'static Shape)> = match shape_at(ctx) {
        Some(Shape::Map(fields)) => fields.to_vec(),
        Some(Shape::Clip) => match kind_among(&ctx.siblings) {
            Some(kind) => {
                let own = CLIP_KINDS
                    .iter()
                    .find(|(k, _)| *k == kind)
                    .map_or(&[][..], |k| k.1);
                CLIP_COMMON
                    .iter()
                    .chain(own)
                    .copied()
                    .chain([(kind, &Shape::Any)])
                    .collect()
            }
            None => CLIP_KINDS
                .iter()
                .map(|(k, _)| (*k, &Shape::Any))
                .chain(CLIP_COMMON.iter().copied())
                .collect(),
        },
        _ => Vec::new(),
    };
    fields
        .into_iter()
        .filter(|(name, _)| !taken(name))
        .map(|(name, inner)| {
            let insert = match inner {
                Shape::Any => format!("{name}: "),
                _ => format!("{name}:"),
            };
            Suggestion::new(name, CompletionItemKind::PROPERTY)
                .doc(key_doc(ctx, name))
                .insert(insert)
        })
        .collect()
}

fn preset_in_force<'k>(ctx: &Context, knowledge: &'k Knowledge) -> Option<&'k PresetInfo> {
    let named = ctx
        .siblings
        .iter()
        .find(|(k, _)| k == "preset")
        .map(|(_, v)| v.trim_matches(['"', '\'']).to_owned())
        .or_else(|| knowledge.default_preset.clone())?;
    knowledge.preset(&named)
}

fn complete_value(ctx: &Context, key: &str, knowledge: &Knowledge) -> Vec<Suggestion> {
    match key {
        "preset" => knowledge
            .presets
            .iter()
            .flat_map(|p| {
                let about = preset_doc(p);
                let label = p.preset.label.clone().unwrap_or_default();
                [
                    Suggestion::new(p.preset.alias.clone(), CompletionItemKind::VALUE)
                        .detail(format!("{} {label}", p.preset.ids()))
                        .doc(Some(about.clone())),
                    Suggestion::new(p.preset.ids(), CompletionItemKind::VALUE)
                        .detail(format!("{} {label}", p.preset.alias))
                        .doc(Some(about)),
                ]
            })
            .collect(),
        "placement" => {
            let presets: Vec<&PresetInfo> = match preset_in_force(ctx, knowledge) {
                Some(p) => vec![p],
                None => knowledge.presets.iter().collect(),
            };
            let mut out: Vec<Suggestion> = Vec::new();
            for p in presets {
                for (name, place) in &p.preset.placements {
                    if out.iter().all(|s| &s.label != name) {
                        out.push(
                            Suggestion::new(name.clone(), CompletionItemKind::VALUE)
                                .detail(placement_note(place)),
                        );
                    }
                }
            }
            out
        }
        "language" => preset_in_force(ctx, knowledge)
            .map(|p| p.preset.languages.clone())
            .unwrap_or_default()
            .into_iter()
            .map(|l| Suggestion::new(l, CompletionItemKind::VALUE))
            .collect(),
        "use" => knowledge
            .scenes
            .iter()
            .map(|s| {
                Suggestion::new(s.name.clone(), CompletionItemKind::MODULE)
                    .detail("scene template")
                    .doc(Some(scene_doc(s)))
            })
            .collect(),
        _ => schema::at(&schema_path(ctx, key), clip_kind(ctx))
            .map(schema::values)
            .unwrap_or_default()
            .into_iter()
            .map(|v| Suggestion::new(v, CompletionItemKind::ENUM_MEMBER))
            .collect(),
    }
}

fn re(pattern: &'static str, cell: &'static OnceLock<Regex>) -> &'static Regex {
    cell.get_or_init(|| Regex::new(pattern).expect("valid pattern"))
}

/// What a template expression wants next, from the text before the cursor.
enum Wants {
    Filter,
    Test,
    LoopAttribute,
    Attribute,
    Name,
}

fn wants(expr: &str) -> Wants {
    static FILTER: OnceLock<Regex> = OnceLock::new();
    static TEST: OnceLock<Regex> = OnceLock::new();
    static LOOP: OnceLock<Regex> = OnceLock::new();
    static ATTRIBUTE: OnceLock<Regex> = OnceLock::new();
    if re(r"\|\s*\w*$", &FILTER).is_match(expr) {
        Wants::Filter
    } else if re(r"\bis\s+(not\s+)?\w*$", &TEST).is_match(expr) {
        Wants::Test
    } else if re(r"\bloop\.\w*$", &LOOP).is_match(expr) {
        Wants::LoopAttribute
    } else if re(r"\.\w*$", &ATTRIBUTE).is_match(expr) {
        Wants::Attribute
    } else {
        Wants::Name
    }
}

fn catalog_items(kind: Catalog, item: CompletionItemKind) -> Vec<Suggestion> {
    catalog::of(kind)
        .map(|e| {
            Suggestion::new(e.name, item)
                .detail(e.signature)
                .doc(Some(catalog_doc(e)))
        })
        .collect()
}

fn complete_template(expr: &str, doc: &Document<'_>) -> Vec<Suggestion> {
    match wants(expr) {
        Wants::Filter => catalog_items(Catalog::Filter, CompletionItemKind::FUNCTION),
        Wants::Test => catalog_items(Catalog::Test, CompletionItemKind::FUNCTION),
        Wants::LoopAttribute => LOOP_ATTRIBUTES
            .iter()
            .map(|(name, about)| {
                Suggestion::new(*name, CompletionItemKind::FIELD).doc(Some(*about))
            })
            .collect(),
        Wants::Attribute => Vec::new(),
        Wants::Name => {
            let knowledge = doc.knowledge;
            let mut out: Vec<Suggestion> = match &doc.template_args {
                Some(args) => args
                    .iter()
                    .map(|a| {
                        Suggestion::new(a.clone(), CompletionItemKind::VARIABLE)
                            .detail("template argument")
                    })
                    .collect(),
                None => knowledge
                    .vars
                    .decls
                    .iter()
                    .map(|d| {
                        Suggestion::new(d.name.clone(), CompletionItemKind::VARIABLE)
                            .detail(type_name(d.ty))
                            .doc(Some(var_doc(d)))
                    })
                    .collect(),
            };
            for name in &knowledge.loops {
                if out.iter().all(|s| &s.label != name) {
                    out.push(
                        Suggestion::new(name.clone(), CompletionItemKind::VARIABLE)
                            .detail("the current item of `each`"),
                    );
                }
            }
            if !knowledge.loops.is_empty() {
                out.push(
                    Suggestion::new("loop", CompletionItemKind::VARIABLE)
                        .detail("index, index0, first, last, length"),
                );
            }
            out.extend(catalog_items(
                Catalog::Function,
                CompletionItemKind::FUNCTION,
            ));
            out
        }
    }
}

// ---------------------------------------------------------------- hover

fn type_name(ty: VarType) -> &'static str {
    match ty {
        VarType::String => "string",
        VarType::Integer => "integer",
        VarType::Number => "number",
        VarType::Boolean => "boolean",
        VarType::List => "list",
    }
}

fn var_doc(d: &VarDecl) -> String {
    let mut out = format!("**{}**: {}", d.name, type_name(d.ty));
    if d.required {
        out.push_str(", required");
    }
    if let Some(default) = &d.default {
        out.push_str(&format!("\n\ndefault: `{default}`"));
    }
    if let Some(choices) = &d.choices {
        let list: Vec<String> = choices.iter().map(|c| format!("`{c}`")).collect();
        out.push_str(&format!("\n\none of {}", list.join(", ")));
    }
    if let Some(description) = &d.description {
        out.push_str(&format!("\n\n{description}"));
    }
    out
}

fn placement_note(p: &crate::lower::preset::Placement) -> String {
    match p.scale {
        Some(scale) => format!("left {}, top {}, scale {scale}", p.left, p.top),
        None => format!("left {}, top {}", p.left, p.top),
    }
}

fn preset_doc(p: &PresetInfo) -> String {
    let preset = &p.preset;
    let mut out = format!("**{}**", preset.alias);
    if let Some(label) = &preset.label {
        out.push_str(&format!(" — {label}"));
    }
    out.push_str(&format!(
        "\n\nmodel `{}`, clothing `{}`\n\nlanguages: {}\n\nplacements:",
        preset.ai_name,
        preset.clothing,
        preset.languages.join(", ")
    ));
    for (name, place) in &preset.placements {
        out.push_str(&format!("\n- `{name}`: {}", placement_note(place)));
    }
    out
}

fn param_note(p: &crate::expand::scene_template::Param) -> String {
    match (p.required, p.list) {
        (true, true) => "required, a list".to_owned(),
        (true, false) => "required".to_owned(),
        (false, true) => "a list".to_owned(),
        (false, false) => "optional".to_owned(),
    }
}

fn scene_doc(s: &SceneInfo) -> String {
    let mut out = format!("scene template **{}**", s.name);
    match &s.params {
        Some(params) if !params.is_empty() => {
            out.push_str("\n\n`with:` arguments:");
            for p in params {
                out.push_str(&format!("\n- `{}` ({})", p.name, param_note(p)));
            }
        }
        _ => out.push_str("\n\ndeclares no `with:` arguments"),
    }
    out
}

fn catalog_doc(e: &catalog::Entry) -> String {
    format!(
        "`{}`\n\n{}\n\n`{}` → `{}`",
        e.signature, e.doc, e.example, e.result
    )
}

/// The hover text for the word at byte `offset` of `text`, and the word's byte range.
pub(crate) fn hover(
    text: &str,
    offset: usize,
    ctx: &Context,
    doc: &Document<'_>,
) -> Option<(String, usize, usize)> {
    let knowledge = doc.knowledge;
    match &ctx.at {
        At::Template { .. } => {
            let (word, start, end) = super::cursor::word_at(text, offset, &[]);
            if word.is_empty() {
                return None;
            }
            let before = &text[..start];
            let line_start = before.rfind('\n').map_or(0, |i| i + 1);
            let lead = &before[line_start..];
            let found = match wants(lead) {
                Wants::Filter => catalog::find(Catalog::Filter, &word).map(catalog_doc),
                Wants::Test => catalog::find(Catalog::Test, &word).map(catalog_doc),
                Wants::LoopAttribute => LOOP_ATTRIBUTES
                    .iter()
                    .find(|(n, _)| *n == word)
                    .map(|(n, about)| format!("`loop.{n}`: {about}")),
                Wants::Attribute => None,
                Wants::Name => knowledge
                    .vars
                    .get(&word)
                    .map(var_doc)
                    .or_else(|| {
                        knowledge
                            .loops
                            .contains(&word)
                            .then(|| format!("**{word}**: the current item of `each`"))
                    })
                    .or_else(|| catalog::find(Catalog::Function, &word).map(catalog_doc)),
            };
            found.map(|t| (t, start, end))
        }
        At::Key { .. } => {
            let (word, start, end) = super::cursor::word_at(text, offset, &['-']);
            if let Some(template) = used_template(ctx, knowledge) {
                let param = template.params.iter().flatten().find(|p| p.name == word)?;
                return Some((
                    format!(
                        "argument `{}` of {} ({})",
                        word,
                        template.name,
                        param_note(param)
                    ),
                    start,
                    end,
                ));
            }
            key_doc(ctx, &word).map(|d| (format!("**{word}**: {d}"), start, end))
        }
        At::Value { key, .. } => {
            let (word, start, end) = super::cursor::word_at(text, offset, &['-', '/', '.']);
            let found = match key.as_str() {
                "preset" => knowledge.preset(&word).map(preset_doc),
                "use" => knowledge.scene(&word).map(scene_doc),
                "placement" => preset_in_force(ctx, knowledge)
                    .and_then(|p| p.preset.placements.get(&word))
                    .map(|p| format!("placement `{word}`: {}", placement_note(p))),
                _ => None,
            };
            found
                .or_else(|| key_doc(ctx, key).map(|d| format!("**{key}**: {d}")))
                .map(|t| (t, start, end))
        }
    }
}

// ---------------------------------------------------------------- definition

/// Where the thing at the cursor is defined.
pub(crate) enum Target {
    /// A span of the spec (a `vars:` entry, an inline preset).
    Spec(crate::diag::Span),
    /// The start of a file.
    File(std::path::PathBuf),
}

fn target_of(place: &Place) -> Option<Target> {
    match place {
        Place::File(path) => Some(Target::File(
            std::fs::canonicalize(path).unwrap_or_else(|_| path.clone()),
        )),
        Place::Builtin(relative, text) => {
            super::knowledge::builtin_copy(relative, text).map(Target::File)
        }
        Place::Spec(span) => Some(Target::Spec(span.clone())),
    }
}

pub(crate) fn definition(
    text: &str,
    offset: usize,
    ctx: &Context,
    doc: &Document<'_>,
) -> Option<Target> {
    let knowledge = doc.knowledge;
    match &ctx.at {
        At::Template { .. } => {
            let (word, _, _) = super::cursor::word_at(text, offset, &[]);
            knowledge
                .vars
                .get(&word)
                .map(|d| Target::Spec(d.span.clone()))
        }
        At::Value { key, .. } => {
            let (word, _, _) = super::cursor::word_at(text, offset, &['-', '/', '.']);
            match key.as_str() {
                "use" => target_of(&knowledge.scene(&word)?.place),
                "preset" => target_of(&knowledge.preset(&word)?.place),
                _ => None,
            }
        }
        At::Key { .. } => None,
    }
}
