//! Prebuilt projects: lower once, fill in per row.
//!
//! When the only thing a batch row changes is the text of some strings — a name in the
//! speech, a plan in a title — the project is lowered once with those templates left as
//! placeholders, and each row only evaluates those templates. A spec where a row value decides
//! structure (an `each` list, a `when`, a scene template argument, a number, a colour-or-image
//! background) is not prebuilt: its rows take the full path, which is always the reference
//! for what a row produces. Text boxes estimated from their text are estimated again per row.
//!
//! Two ways to fill, chosen once:
//! - **bytes**: when every placeholder sits where the project schema accepts any string (shown
//!   by validating the prebuilt project with probe strings in every slot — see
//!   `schema_constrains_strings_only_by_type_min_length_and_enum`) and no placeholder feeds a
//!   cross-field rule, the document is kept as serialized byte segments and a row's output
//!   is the segments joined with its escaped strings;
//! - **value**: otherwise a row clones the prebuilt project, sets its strings, and the
//!   result is checked in full like any other.

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use crate::check::Schema;
use crate::diag::Diagnostics;
use crate::emit::Format;
use crate::expand::{self, SYMBOL, Scope};
use crate::load::yaml::{Node, NodeKind};
use crate::lower::EstimatedBox;
use crate::lower::Origins;
use crate::lower::json_path::{Path, Step, at_mut, visit_strings};

/// Keys whose values decide structure: a row value there rules out prebuilding.
const STRUCTURAL: &[&str] = &["each", "as", "when", "use", "with"];
/// Keys the cross-field rules read: a row value there needs the rules checked per row.
const RULE_KEYS: &[&str] = &["id", "sceneIdx", "modelId", "clothId", "ai_name", "emotion"];
/// Marks an estimated text box dimension in the byte segments.
const BOX: char = '\u{E002}';

/// One piece of a serialized prebuilt document.
#[derive(Debug)]
enum Part {
    Bytes(Vec<u8>),
    /// The value of template `id`, as a JSON string.
    Text(u32),
    /// Estimated box `index`'s width (false) or height (true).
    Box(usize, bool),
}

/// How an estimated text box finds its text in a row.
#[derive(Debug)]
struct BoxSource {
    text: Result<u32, String>,
    size: f64,
}

/// A project lowered once, with the places each row-dependent template fills.
#[derive(Debug)]
pub struct Prebuilt {
    project: Value,
    pub origins: Origins,
    boxes: Vec<EstimatedBox>,
    /// Template id → the paths where its value lands.
    slots: Vec<(u32, Vec<Path>)>,
    /// The document as segments, pretty and compact, when filling bytes is sound.
    segments: Option<[Vec<Part>; 2]>,
    box_sources: Vec<BoxSource>,
    /// What the lints read of the project (`lint::view`), for linting rows filled as bytes.
    lint_view: Value,
}

/// A row the prebuilt project cannot serve; the full path then renders (and explains) it.
#[derive(Debug)]
pub struct Unfit;

impl Prebuilt {
    /// Which templates read any of `row_vars`.
    pub fn dependent_templates(
        program: &super::Program,
        row_vars: &HashSet<String>,
    ) -> HashSet<u32> {
        let mut found = HashSet::new();
        collect_templates(&program.root, &mut |id| {
            if program
                .engine
                .leaf_vars(id)
                .iter()
                .any(|v| row_vars.contains(v))
            {
                found.insert(id);
            }
        });
        found
    }

    /// Lowers `program` with the templates in `dependent` left symbolic, if that is sound.
    pub fn prepare(program: &super::Program, dependent: &HashSet<u32>) -> Option<Prebuilt> {
        if !only_in_plain_places(&program.root, dependent, false) || reads_indirectly(&program.root)
        {
            return None;
        }
        let scope = Scope::from_inputs(&program.base_with_overrides());
        let expanded = expand::expand_partially(
            &program.root,
            &program.engine,
            &program.scene_files,
            &scope,
            dependent,
        )
        .ok()?;
        let lowered = program.lowerer(true).lower(&expanded).ok()?;
        let slots = find_symbols(&lowered.project, dependent).ok()?;
        let mut slots: Vec<_> = slots.into_iter().collect();
        slots.sort_by_key(|(id, _)| *id);
        let mut prebuilt = Prebuilt {
            lint_view: crate::lint::view(&lowered.project),
            project: lowered.project,
            origins: lowered.origins,
            boxes: lowered.estimated_boxes,
            slots,
            segments: None,
            box_sources: Vec::new(),
        };
        prebuilt.segments = prebuilt.segment(&program.schema);
        Some(prebuilt)
    }

    /// Whether rows are filled as bytes (no per-row schema check is needed).
    pub fn fills_bytes(&self) -> bool {
        self.segments.is_some()
    }

    /// Splits the document into byte segments around its slots, if every slot is free.
    fn segment(&mut self, schema: &Schema) -> Option<[Vec<Part>; 2]> {
        let feeds_rule = self.slots.iter().flat_map(|(_, paths)| paths).any(
            |path| matches!(path.last(), Some(Step::Key(k)) if RULE_KEYS.contains(&k.as_str())),
        );
        if feeds_rule || !crate::check::rule_violations(&self.project).is_empty() {
            return None;
        }
        for probe in ["", "\u{E001}probe"] {
            let mut probed = self.project.clone();
            for (_, paths) in &self.slots {
                for path in paths {
                    *at_mut(&mut probed, path) = Value::String(probe.to_owned());
                }
            }
            for estimated in &self.boxes {
                estimated.reestimate(&mut probed);
            }
            if !schema.is_valid(&probed) {
                return None;
            }
        }
        let mut marked = self.project.clone();
        for (index, estimated) in self.boxes.iter().enumerate() {
            let clip = marked.pointer_mut(&estimated.pointer)?;
            let text = match clip["text"].as_str() {
                Some(t) => match parse_symbol(t) {
                    Some(Ok(id)) => Ok(id),
                    Some(Err(())) => return None,
                    None => Err(t.to_owned()),
                },
                None => return None,
            };
            self.box_sources.push(BoxSource {
                text,
                size: clip["fontSize"].as_f64()?,
            });
            for (dimension, is_height) in [("width", false), ("height", true)] {
                let given = if is_height {
                    !estimated.height
                } else {
                    !estimated.width
                };
                if !given {
                    clip[dimension] = Value::String(format!(
                        "{BOX}{}-{index}{}{BOX}",
                        crate::expand::symbol_nonce(),
                        u8::from(is_height)
                    ));
                }
            }
        }
        let pretty =
            split(&String::from_utf8(crate::emit::to_bytes(&marked, Format::Pretty)).ok()?)?;
        let compact =
            split(&String::from_utf8(crate::emit::to_bytes(&marked, Format::Compact)).ok()?)?;
        Some([pretty, compact])
    }

    /// The row's values for each slot template, as text.
    fn texts(
        &self,
        program: &super::Program,
        scope: &Scope,
    ) -> Result<HashMap<u32, String>, Unfit> {
        let mut texts = HashMap::with_capacity(self.slots.len());
        for (id, _) in &self.slots {
            let value = program
                .engine
                .eval_leaf(*id, scope.ctx())
                .map_err(|_| Unfit)?;
            match crate::lower::as_text(&value) {
                Some(Value::String(text)) => texts.insert(*id, text),
                _ => return Err(Unfit),
            };
        }
        Ok(texts)
    }

    /// The row's document as bytes, when the prebuilt project fills bytes.
    pub fn fill_bytes(
        &self,
        program: &super::Program,
        scope: &Scope,
        format: Format,
    ) -> Result<Vec<u8>, Unfit> {
        let texts = self.texts(program, scope)?;
        self.bytes(&texts, format)
    }

    /// Like [`Prebuilt::fill_bytes`], with what the lints read of the row's project
    /// (`lint::view`), filled with the same strings.
    pub fn fill_bytes_and_view(
        &self,
        program: &super::Program,
        scope: &Scope,
        format: Format,
    ) -> Result<(Vec<u8>, Value), Unfit> {
        let texts = self.texts(program, scope)?;
        let bytes = self.bytes(&texts, format)?;
        let mut view = self.lint_view.clone();
        self.set_texts(&mut view, &texts);
        Ok((bytes, view))
    }

    fn bytes(&self, texts: &HashMap<u32, String>, format: Format) -> Result<Vec<u8>, Unfit> {
        let parts = &self.segments.as_ref().ok_or(Unfit)?[usize::from(format == Format::Compact)];
        let mut out = Vec::with_capacity(4096);
        for part in parts {
            match part {
                Part::Bytes(bytes) => out.extend_from_slice(bytes),
                Part::Text(id) => {
                    serde_json::to_writer(&mut out, &texts[id]).map_err(|_| Unfit)?;
                }
                Part::Box(index, is_height) => {
                    let source = &self.box_sources[*index];
                    let text = match &source.text {
                        Ok(id) => texts[id].as_str(),
                        Err(literal) => literal.as_str(),
                    };
                    let (w, h) = crate::lower::text_box(text, source.size);
                    let number = crate::json_number(if *is_height { h } else { w });
                    out.extend_from_slice(number.to_string().as_bytes());
                }
            }
        }
        Ok(out)
    }

    /// Sets the row's strings into `project` (the prebuilt one, or its lint view) and
    /// estimates its text boxes again.
    fn set_texts(&self, project: &mut Value, texts: &HashMap<u32, String>) {
        for (id, paths) in &self.slots {
            for path in paths {
                *at_mut(project, path) = Value::String(texts[id].clone());
            }
        }
        for estimated in &self.boxes {
            estimated.reestimate(project);
        }
    }

    /// The row's project as a value: the prebuilt one with this row's strings set.
    pub fn fill(&self, program: &super::Program, scope: &Scope) -> Result<Value, Unfit> {
        let texts = self.texts(program, scope)?;
        let mut project = self.project.clone();
        self.set_texts(&mut project, &texts);
        Ok(project)
    }

    /// Checks a filled project; the origins of the prebuilt project locate any problem.
    pub fn check(&self, project: &Value, schema: &Schema) -> Result<(), Diagnostics> {
        let problems = crate::check::check_project(project, &self.origins, schema);
        if problems.is_empty() {
            Ok(())
        } else {
            Err(Diagnostics { items: problems })
        }
    }
}

/// The template id of a placeholder string; `Some(Err)` for text that holds a placeholder
/// among other text (lowering combined it with something, which a prebuilt cannot redo).
fn parse_symbol(text: &str) -> Option<Result<u32, ()>> {
    if !text.contains(SYMBOL) {
        return None;
    }
    let id = text
        .strip_prefix(SYMBOL)
        .and_then(|rest| rest.strip_suffix(SYMBOL))
        .and_then(unseal)
        .and_then(|digits| digits.parse::<u32>().ok());
    Some(id.ok_or(()))
}

/// The body of a placeholder without this process's nonce; None for text that only looks
/// like one.
fn unseal(body: &str) -> Option<&str> {
    let (nonce, rest) = body.split_once('-')?;
    (nonce == crate::expand::symbol_nonce()).then_some(rest)
}

/// Splits serialized JSON at its placeholders (each a whole JSON string).
fn split(text: &str) -> Option<Vec<Part>> {
    let mut parts = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(['\u{E001}', BOX]) {
        let marker = rest[start..].chars().next()?;
        let quote = start
            .checked_sub(1)
            .filter(|&q| rest.as_bytes()[q] == b'"')?;
        let body_start = start + marker.len_utf8();
        let body_len = rest[body_start..].find(marker)?;
        let body = &rest[body_start..body_start + body_len];
        let after = body_start + body_len + marker.len_utf8();
        if rest.as_bytes().get(after) != Some(&b'"') {
            return None;
        }
        parts.push(Part::Bytes(rest.as_bytes()[..quote].to_vec()));
        let body = unseal(body)?;
        parts.push(if marker == BOX {
            let (index, dimension) = body.split_at(body.len().checked_sub(1)?);
            Part::Box(index.parse().ok()?, dimension == "1")
        } else {
            Part::Text(body.parse().ok()?)
        });
        rest = &rest[after + 1..];
    }
    parts.push(Part::Bytes(rest.as_bytes().to_vec()));
    Some(parts)
}

/// Whether a template may read variables its text does not name (through another template or
/// the whole context), so its dependence on a row cannot be seen.
fn reads_indirectly(node: &Node) -> bool {
    match &node.kind {
        NodeKind::Str(text) if node.template.is_some() => {
            ["include", "import", "extends", "debug("]
                .iter()
                .any(|word| text.contains(word))
        }
        NodeKind::Seq(items) => items.iter().any(reads_indirectly),
        NodeKind::Map(entries) => entries.iter().any(|(_, v)| reads_indirectly(v)),
        _ => false,
    }
}

fn collect_templates(node: &Node, found: &mut impl FnMut(u32)) {
    if let Some(id) = node.template {
        found(id);
    }
    match &node.kind {
        NodeKind::Seq(items) => items.iter().for_each(|i| collect_templates(i, found)),
        NodeKind::Map(entries) => entries
            .iter()
            .for_each(|(_, v)| collect_templates(v, found)),
        _ => {}
    }
}

/// True when no dependent template sits where it could change structure: under a structural
/// key, or inside a scene or clip that repeats (`each`) or comes from a template (`use`).
fn only_in_plain_places(node: &Node, dependent: &HashSet<u32>, structural: bool) -> bool {
    if node.template.is_some_and(|id| dependent.contains(&id)) && structural {
        return false;
    }
    match &node.kind {
        NodeKind::Seq(items) => items
            .iter()
            .all(|i| only_in_plain_places(i, dependent, structural)),
        NodeKind::Map(entries) => {
            let repeats = entries
                .iter()
                .any(|(k, _)| k.name == "each" || k.name == "use");
            entries.iter().all(|(k, v)| {
                let inner = structural || repeats || STRUCTURAL.contains(&k.name.as_str());
                only_in_plain_places(v, dependent, inner)
            })
        }
        _ => true,
    }
}

/// Finds every placeholder in the lowered project.
fn find_symbols(value: &Value, dependent: &HashSet<u32>) -> Result<HashMap<u32, Vec<Path>>, Unfit> {
    let mut slots: HashMap<u32, Vec<Path>> = HashMap::new();
    visit_strings(value, &mut |path, s| {
        match parse_symbol(s) {
            Some(Ok(id)) if dependent.contains(&id) => {
                slots.entry(id).or_default().push(path.clone())
            }
            Some(_) => return Err(Unfit),
            None => {}
        }
        Ok(())
    })?;
    Ok(slots)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bytes fill is sound only while the project schema constrains strings by `type`,
    /// `minLength`, `enum` and `const` alone, and its `if`s test only clip `type`s: then the
    /// two probe strings ("" and one in no enum) show that a slot accepts any string.
    #[test]
    fn schema_constrains_strings_only_by_type_min_length_and_enum() {
        fn walk(node: &Value, problems: &mut Vec<String>) {
            match node {
                Value::Object(map) => {
                    for (key, value) in map {
                        if [
                            "pattern",
                            "maxLength",
                            "contentEncoding",
                            "dependentSchemas",
                            "dependentRequired",
                        ]
                        .contains(&key.as_str())
                        {
                            problems.push(key.clone());
                        }
                        if key == "if" {
                            let tested: Vec<&String> = value["properties"]
                                .as_object()
                                .map(|p| p.keys().collect())
                                .unwrap_or_default();
                            if tested.iter().any(|k| *k != "type") {
                                problems.push(format!("if on {tested:?}"));
                            }
                        }
                        walk(value, problems);
                    }
                }
                Value::Array(items) => items.iter().for_each(|i| walk(i, problems)),
                _ => {}
            }
        }
        let schema: Value = serde_json::from_str(crate::check::PROJECT_SCHEMA).unwrap();
        let mut problems = Vec::new();
        walk(&schema, &mut problems);
        assert!(
            problems.is_empty(),
            "keywords the bytes fill cannot reason about: {problems:?}"
        );
    }

    #[test]
    fn split_finds_text_and_box_slots() {
        let nonce = crate::expand::symbol_nonce();
        let (sym, bx) = (SYMBOL, BOX);
        let text = format!("{{\"a\":\"{sym}{nonce}-3{sym}\",\"w\":\"{bx}{nonce}-01{bx}\"}}");
        let parts = split(&text).unwrap();
        assert!(matches!(parts[1], Part::Text(3)));
        assert!(matches!(parts[3], Part::Box(0, true)));
        assert_eq!(parts.len(), 5);
        assert!(
            split("{\"a\":\"\u{E001}3\u{E001}\"}").is_none(),
            "text without the nonce is no slot"
        );
    }
}
