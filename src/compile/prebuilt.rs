//! One shape of a row plan: the project of one set of row decisions, lowered once with its
//! row-dependent values as placeholders and kept as serialized byte segments.
//!
//! A shape is built from the first row that decides it: the spec is expanded with that row's
//! decisions and every instance left symbolic (`expand::expand_partially`), lowered with
//! `Lowerer { partial: true }` (which refuses to decide anything on a placeholder, and places
//! a placeholder that stands alone where a number is expected as a numeric slot), then:
//!
//! - every instance must land in the output as text (whole strings or parts of them) or as a
//!   number; one that vanished was read by the lowering, so the shape is refused;
//! - **text slots** are free when the project validates with probe strings ("" and one in no
//!   enum) in every slot — sound while the schema constrains strings by type, `minLength`,
//!   `enum` and `const` alone (see `schema_keywords_the_plan_relies_on`);
//! - **numeric slots** get a table of the number classes and ranges the schema admits there,
//!   found by validating one representative of each range between the schema's bounds —
//!   sound while the schema constrains numbers by type and bounds alone (same test);
//! - a slot that feeds a cross-field rule, or a probe that fails, makes the shape *checked*:
//!   each row's document is parsed back and checked in full before it is written;
//! - each `use:` keeps the text it rendered with placeholder arguments; a row's own rendering
//!   must equal it with the arguments put in, and those arguments must be strings that mean
//!   the same inside a YAML double-quoted scalar (where every placeholder was shown to sit),
//!   so the scene parsed once is the scene the row would parse.
//!
//! Text boxes estimated from their text are estimated again per row.

use std::borrow::Cow;
use std::collections::HashSet;
use std::sync::{Arc, OnceLock};

use serde_json::Value;

use super::Program;
use super::plan::{Unfit, Walk};
use super::slot_lints::{Fill, RowValues, SlotLints};
use crate::check::Schema;
use crate::diag::Diagnostic;
use crate::emit::Format;
use crate::expand::{NUMBER, SYMBOL, Scope};
use crate::load::yaml::{self, Node, NodeKind};
use crate::lower::Origins;
use crate::lower::json_path::{Path, Step, at_mut, visit_strings};

/// Keys the cross-field rules read: a slot there needs the rules checked per row.
const RULE_KEYS: &[&str] = &["id", "sceneIdx", "modelId", "clothId", "ai_name", "emotion"];
/// Marks an estimated text box dimension in the byte segments.
const BOX: char = '\u{E002}';
/// More numeric slots than this in one shape are checked per row instead of tabled.
const MAX_TABLED: usize = 32;

/// Why a shape could not be built: because of the row it was built from (another row may
/// succeed), or whatever the row.
#[derive(Debug)]
pub enum Refusal {
    Row,
    Shape,
}

/// One piece of a serialized shape.
#[derive(Debug)]
enum Part {
    Bytes(Vec<u8>),
    /// Instance `i`'s text, escaped, inside a JSON string.
    Text(usize),
    /// Instance `i`'s number.
    Number(usize),
    /// Estimated box `index`'s width (false) or height (true).
    Box(usize, bool),
}

/// A piece of a text that holds placeholders.
#[derive(Clone, Debug)]
pub(super) enum Piece {
    Literal(String),
    Slot(usize),
}

/// How an estimated text box finds its text in a row.
#[derive(Debug)]
struct BoxSource {
    text: Vec<Piece>,
    size: f64,
}

/// A project shape with the places each instance fills.
#[derive(Debug)]
pub struct Shape {
    /// The document as segments, pretty and compact.
    segments: [Vec<Part>; 2],
    boxes: Vec<BoxSource>,
    /// Per instance: placed as text.
    text: Vec<bool>,
    /// Per instance: the ranges its numeric slots admit.
    numbers: Vec<Vec<Arc<NumberTable>>>,
    /// Per instance: an argument of a scene template (a string of plain characters).
    argument: Vec<bool>,
    /// The text of each `use:`, with placeholders for the arguments.
    renders: Vec<Vec<Piece>>,
    /// Whether each row's document is checked in full before it is written.
    checked: bool,
    /// Where the shape's values come from in the spec, for its rows' lints.
    origins: Origins,
    /// How a row is linted through the slots; None when it is read back and linted in full.
    lints: Option<SlotLints>,
}

impl Shape {
    /// Builds the shape of `walk`'s decisions from the row in `scope`.
    pub fn build(
        program: &Program,
        scope: &Scope,
        symbolic: &HashSet<u32>,
        walk: &Walk,
    ) -> Result<Shape, Refusal> {
        let (expanded, trace) = crate::expand::expand_partially(
            &program.root,
            &program.engine,
            &program.scene_files,
            scope,
            symbolic,
        )
        .map_err(|_| Refusal::Row)?;
        if trace.instances != walk.ids
            || trace.decisions != walk.decisions
            || trace.renders.len() != walk.renders.len()
        {
            return Err(Refusal::Shape);
        }
        let lowered = program
            .lowerer(true)
            .lower(&expanded)
            .map_err(|_| Refusal::Shape)?;
        let count = walk.ids.len();
        let mut project = lowered.project;
        if keys_hold_marks(&project) {
            return Err(Refusal::Shape);
        }

        let mut text = vec![false; count];
        let mut number_paths: Vec<Vec<Path>> = vec![Vec::new(); count];
        let mut text_paths: Vec<(Path, Vec<Piece>)> = Vec::new();
        let mut checked = false;
        visit_strings(&project, &mut |path, s| {
            let feeds_rule =
                matches!(path.last(), Some(Step::Key(k)) if RULE_KEYS.contains(&k.as_str()));
            if s.contains(NUMBER) {
                let i = whole_mark(s, NUMBER).filter(|&i| i < count).ok_or(())?;
                number_paths[i].push(path.clone());
                checked |= feeds_rule;
            } else if s.contains(SYMBOL) {
                let pieces = pieces(s, count).ok_or(())?;
                for piece in &pieces {
                    if let Piece::Slot(i) = piece {
                        text[*i] = true;
                    }
                }
                checked |= feeds_rule;
                text_paths.push((path.clone(), pieces));
            } else if s.contains(BOX) {
                return Err(());
            }
            Ok(())
        })
        .map_err(|()| Refusal::Shape)?;
        if (0..count).any(|i| !text[i] && number_paths[i].is_empty()) {
            return Err(Refusal::Shape);
        }

        let mut argument = vec![false; count];
        let mut renders = Vec::with_capacity(trace.renders.len());
        for rendered in &trace.renders {
            let pieces = pieces(rendered, count).ok_or(Refusal::Shape)?;
            if !placeholders_double_quoted(rendered) {
                return Err(Refusal::Shape);
            }
            for piece in &pieces {
                if let Piece::Slot(i) = piece {
                    argument[*i] = true;
                }
            }
            renders.push(pieces);
        }

        // The project with probe strings in its text slots and this row's numbers.
        let mut numbers = Vec::with_capacity(count);
        for (i, paths) in number_paths.iter().enumerate() {
            if !paths.is_empty() {
                numbers.push(Some(
                    crate::lower::number_of_json(&walk.values[i]).ok_or(Refusal::Row)?,
                ));
            } else {
                numbers.push(None);
            }
        }
        let probe = |with: &str| {
            let mut doc = project.clone();
            for (path, pieces) in &text_paths {
                *at_mut(&mut doc, path) = Value::String(join(pieces, |_| with));
            }
            for (paths, number) in number_paths.iter().zip(&numbers) {
                for path in paths {
                    *at_mut(&mut doc, path) = number.clone().unwrap_or(Value::Null);
                }
            }
            for estimated in &lowered.estimated_boxes {
                estimated.reestimate(&mut doc);
            }
            doc
        };
        let probed = probe("");
        let schema = &program.schema;
        checked |= !schema.is_valid(&probed)
            || !schema.is_valid(&probe("\u{E001}probe"))
            || !crate::check::rule_violations(&probed).is_empty();
        let tabled: usize = number_paths.iter().map(Vec::len).sum();
        checked |= tabled > MAX_TABLED;
        let numbers = if checked {
            vec![Vec::new(); count]
        } else {
            number_paths
                .iter()
                .map(|paths| {
                    paths
                        .iter()
                        .map(|path| Arc::new(NumberTable::probe(&probed, path, schema)))
                        .collect()
                })
                .collect()
        };

        let mut boxes = Vec::new();
        for estimated in &lowered.estimated_boxes {
            let clip = project.pointer(&estimated.pointer).ok_or(Refusal::Shape)?;
            let text = clip["text"].as_str().ok_or(Refusal::Shape)?;
            let text = pieces(text, count).ok_or(Refusal::Shape)?;
            let size = clip["fontSize"].as_f64().ok_or(Refusal::Shape)?;
            boxes.push(BoxSource { text, size });
        }
        let lints = if checked {
            None
        } else {
            let mut marks: Vec<(Path, Fill)> = text_paths
                .into_iter()
                .map(|(path, pieces)| (path, Fill::Text(pieces)))
                .collect();
            for (i, paths) in number_paths.into_iter().enumerate() {
                marks.extend(paths.into_iter().map(|path| (path, Fill::Number(i))));
            }
            for (index, (estimated, source)) in
                lowered.estimated_boxes.iter().zip(&boxes).enumerate()
            {
                if !source.text.iter().any(|p| matches!(p, Piece::Slot(_))) {
                    continue; // estimated from a text no row changes
                }
                let clip = pointer_path(&estimated.pointer);
                for (dimension, key) in [(false, "width"), (true, "height")] {
                    if dimension && estimated.height || !dimension && estimated.width {
                        let mut path = clip.clone();
                        path.push(Step::Key(key.to_owned()));
                        marks.push((path, Fill::Box(index, dimension)));
                    }
                }
            }
            let rendered = trace.renders.iter().cloned().zip(renders.iter().cloned());
            SlotLints::new(
                &project,
                marks,
                rendered.collect(),
                &lowered.origins,
                program,
            )
        };
        for (index, estimated) in lowered.estimated_boxes.iter().enumerate() {
            let clip = project
                .pointer_mut(&estimated.pointer)
                .ok_or(Refusal::Shape)?;
            let nonce = crate::expand::symbol_nonce();
            if estimated.width {
                clip["width"] = Value::String(format!("{BOX}{nonce}-{index}0{BOX}"));
            }
            if estimated.height {
                clip["height"] = Value::String(format!("{BOX}{nonce}-{index}1{BOX}"));
            }
        }
        let segments = [Format::Pretty, Format::Compact].map(|format| {
            String::from_utf8(crate::emit::to_bytes(&project, format))
                .ok()
                .and_then(|text| split(&text, count))
        });
        let [Some(pretty), Some(compact)] = segments else {
            return Err(Refusal::Shape);
        };
        Ok(Shape {
            segments: [pretty, compact],
            boxes,
            text,
            numbers,
            argument,
            renders,
            checked,
            origins: lowered.origins,
            lints,
        })
    }

    /// The row's document and, when `lint`, its lints (as [`Program::lint`] finds them in
    /// the document); Unfit when this shape cannot vouch for the row.
    pub fn fill(
        &self,
        walk: &Walk,
        format: Format,
        program: &Program,
        lint: bool,
    ) -> Result<(Vec<u8>, Vec<Diagnostic>), Unfit> {
        let values = &walk.values;
        if values.len() != self.text.len() || walk.renders.len() != self.renders.len() {
            return Err(Unfit);
        }
        for (i, value) in values.iter().enumerate() {
            if self.argument[i] && !value.as_str().is_some_and(plain_argument) {
                return Err(Unfit);
            }
        }
        for (pieces, rendered) in self.renders.iter().zip(&walk.renders) {
            if rendered.len() > yaml::Limits::default().max_bytes
                || !matches(pieces, rendered, values)
            {
                return Err(Unfit);
            }
        }
        let mut texts: Vec<Cow<'_, str>> = Vec::with_capacity(values.len());
        let mut numbers: Vec<Option<Value>> = Vec::with_capacity(values.len());
        for (i, value) in values.iter().enumerate() {
            texts.push(if self.text[i] {
                match value {
                    Value::String(s) => Cow::Borrowed(s.as_str()),
                    other => match crate::lower::as_text(other) {
                        Some(Value::String(s)) => Cow::Owned(s),
                        _ => return Err(Unfit),
                    },
                }
            } else {
                Cow::Borrowed("")
            });
            numbers.push(if self.numbers[i].is_empty() && !self.checked {
                None
            } else {
                crate::lower::number_of_json(value)
            });
            for table in &self.numbers[i] {
                if !numbers[i].as_ref().is_some_and(|n| table.admits(n)) {
                    return Err(Unfit);
                }
            }
        }
        let parts = &self.segments[usize::from(format == Format::Compact)];
        let fixed: usize = parts
            .iter()
            .map(|p| match p {
                Part::Bytes(bytes) => bytes.len(),
                _ => 0,
            })
            .sum();
        let filled: usize = texts.iter().map(|t| t.len() + 8).sum();
        let boxes: Vec<(Value, Value)> = self
            .boxes
            .iter()
            .map(|source| {
                let text = join(&source.text, |i| &texts[i]);
                let (w, h) = crate::lower::text_box(&text, source.size);
                (crate::json_number(w), crate::json_number(h))
            })
            .collect();
        let mut out = Vec::with_capacity(fixed + filled * 4);
        for part in parts {
            match part {
                Part::Bytes(bytes) => out.extend_from_slice(bytes),
                Part::Text(i) => write_escaped(&mut out, &texts[*i]),
                Part::Number(i) => {
                    let number = numbers[*i].as_ref().ok_or(Unfit)?;
                    serde_json::to_writer(&mut out, number).map_err(|_| Unfit)?;
                }
                Part::Box(index, is_height) => {
                    let (w, h) = &boxes[*index];
                    let number = if *is_height { h } else { w };
                    serde_json::to_writer(&mut out, number).map_err(|_| Unfit)?;
                }
            }
        }
        let mut document = None;
        if self.checked {
            let parsed: Value = serde_json::from_slice(&out).map_err(|_| Unfit)?;
            let problems =
                crate::check::check_project(&parsed, &Origins::default(), &program.schema);
            if !problems.is_empty() {
                return Err(Unfit);
            }
            document = Some(parsed);
        }
        if !lint {
            return Ok((out, Vec::new()));
        }
        let lints = match (&self.lints, document) {
            (_, Some(document)) => program.lint(&document, &self.origins),
            (Some(lints), None) => {
                let values = RowValues {
                    texts: &texts,
                    numbers: &numbers,
                    boxes: &boxes,
                    values,
                    rendered: &walk.renders,
                };
                let options = &program.lint_options;
                lints.row(&values, &self.origins, &program.presets, options)
            }
            (None, None) => {
                let document: Value = serde_json::from_slice(&out).map_err(|_| Unfit)?;
                program.lint(&document, &self.origins)
            }
        };
        Ok((out, lints))
    }

    /// Whether this shape's rows are linted through its slots (not read back).
    pub fn lints_through_slots(&self) -> bool {
        self.lints.is_some() && !self.checked
    }
}

/// Writes `text` JSON-escaped, without the quotes.
fn write_escaped(out: &mut Vec<u8>, text: &str) {
    let start = out.len();
    serde_json::to_writer(&mut *out, text).expect("a string serializes");
    out.pop();
    out.remove(start);
}

/// The text of `pieces` with `slot(i)` in each slot.
pub(super) fn join<'t>(pieces: &'t [Piece], slot: impl Fn(usize) -> &'t str) -> String {
    let mut out = String::new();
    for piece in pieces {
        match piece {
            Piece::Literal(text) => out.push_str(text),
            Piece::Slot(i) => out.push_str(slot(*i)),
        }
    }
    out
}

/// Whether `rendered` is `pieces` with each slot's argument in it.
fn matches(pieces: &[Piece], rendered: &str, values: &[Value]) -> bool {
    let mut rest = rendered;
    for piece in pieces {
        let expected = match piece {
            Piece::Literal(text) => text.as_str(),
            Piece::Slot(i) => values[*i].as_str().unwrap_or("\u{E001}"),
        };
        match rest.strip_prefix(expected) {
            Some(after) => rest = after,
            None => return false,
        }
    }
    rest.is_empty()
}

/// Whether a scene template argument means the same wherever a placeholder stood: inside a
/// YAML double-quoted scalar, as JSON escaping left it. No quotes, backslashes, line breaks
/// or other controls, nothing YAML cannot carry, no placeholder marks.
fn plain_argument(text: &str) -> bool {
    text.chars().all(|c| {
        !(c.is_control()
            || matches!(c, '"' | '\\' | '\u{2028}' | '\u{2029}' | '\u{FEFF}')
            || ('\u{E000}'..='\u{E0FF}').contains(&c)
            || ('\u{FFF0}'..='\u{FFFF}').contains(&c))
    })
}

/// Whether every placeholder in a rendered scene template sits inside a double-quoted YAML
/// scalar (as `{{ arg }}` with JSON escaping writes it).
fn placeholders_double_quoted(rendered: &str) -> bool {
    let source = crate::diag::Source::new("rendered", rendered);
    let Ok(root) = yaml::parse(&source, yaml::Limits::default()) else {
        return false;
    };
    fn count(node: &Node, found: &mut usize) {
        match &node.kind {
            NodeKind::Str(s) if s.contains(SYMBOL) => {
                let written = node.span.text();
                if written.starts_with('"') {
                    *found += written.matches(SYMBOL).count();
                }
            }
            NodeKind::Seq(items) => items.iter().for_each(|i| count(i, found)),
            NodeKind::Map(entries) => entries.iter().for_each(|(_, v)| count(v, found)),
            _ => {}
        }
    }
    let mut found = 0;
    count(&root, &mut found);
    found == rendered.matches(SYMBOL).count()
}

/// A JSON pointer as a path (indexes as indexes).
fn pointer_path(pointer: &str) -> Path {
    pointer
        .split('/')
        .skip(1)
        .map(|token| match token.parse() {
            Ok(index) => Step::Index(index),
            Err(_) => Step::Key(crate::lower::json_path::unescape(token)),
        })
        .collect()
}

/// Whether any object key holds a placeholder mark.
fn keys_hold_marks(value: &Value) -> bool {
    match value {
        Value::Array(items) => items.iter().any(keys_hold_marks),
        Value::Object(map) => map
            .iter()
            .any(|(k, v)| k.contains([SYMBOL, NUMBER, BOX]) || keys_hold_marks(v)),
        _ => false,
    }
}

/// The body of a mark without this process's nonce; None for text that only looks like one.
fn unseal(body: &str) -> Option<&str> {
    let (nonce, rest) = body.split_once('-')?;
    (nonce == crate::expand::symbol_nonce()).then_some(rest)
}

/// The instance of a string that is exactly one `mark`ed placeholder.
fn whole_mark(text: &str, mark: char) -> Option<usize> {
    let body = text.strip_prefix(mark)?.strip_suffix(mark)?;
    unseal(body)?.parse().ok()
}

/// A text split at its placeholders; None when it holds a mark that is no placeholder of
/// this process.
fn pieces(text: &str, count: usize) -> Option<Vec<Piece>> {
    let mut pieces = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(SYMBOL) {
        let body_start = start + SYMBOL.len_utf8();
        let body_len = rest[body_start..].find(SYMBOL)?;
        let index: usize = unseal(&rest[body_start..body_start + body_len])?
            .parse()
            .ok()?;
        if index >= count {
            return None;
        }
        if start > 0 {
            pieces.push(Piece::Literal(rest[..start].to_owned()));
        }
        pieces.push(Piece::Slot(index));
        rest = &rest[body_start + body_len + SYMBOL.len_utf8()..];
    }
    if !rest.is_empty() || pieces.is_empty() {
        pieces.push(Piece::Literal(rest.to_owned()));
    }
    Some(pieces)
}

/// Splits serialized JSON at its marks: text slots inside strings, numbers and box
/// dimensions as whole strings.
fn split(text: &str, count: usize) -> Option<Vec<Part>> {
    let bytes = text.as_bytes();
    let mut parts = Vec::new();
    let mut literal = 0;
    let mut from = 0;
    while let Some(offset) = text[from..].find([SYMBOL, NUMBER, BOX]) {
        let start = from + offset;
        let mark = text[start..].chars().next()?;
        let body_start = start + mark.len_utf8();
        let body_len = text[body_start..].find(mark)?;
        let body = unseal(&text[body_start..body_start + body_len])?;
        let end = body_start + body_len + mark.len_utf8();
        if mark == SYMBOL {
            parts.push(Part::Bytes(bytes[literal..start].to_vec()));
            parts.push(Part::Text(body.parse().ok().filter(|&i| i < count)?));
            literal = end;
        } else {
            let quote = start.checked_sub(1).filter(|&q| bytes[q] == b'"')?;
            if bytes.get(end) != Some(&b'"') {
                return None;
            }
            parts.push(Part::Bytes(bytes[literal..quote].to_vec()));
            parts.push(if mark == NUMBER {
                Part::Number(body.parse().ok().filter(|&i| i < count)?)
            } else {
                let (index, dimension) = body.split_at(body.len().checked_sub(1)?);
                Part::Box(index.parse().ok()?, dimension == "1")
            });
            literal = end + 1;
        }
        from = literal;
    }
    parts.push(Part::Bytes(bytes[literal..].to_vec()));
    Some(parts)
}

/// Which numbers one numeric slot admits: for each range between the schema's bounds (and
/// each bound itself), whether an integer, a whole float and a fractional float there pass.
#[derive(Debug)]
struct NumberTable {
    valid: Vec<[bool; 3]>,
}

/// Every bound (`minimum`, `maximum`, `exclusiveMinimum`, `exclusiveMaximum`) the project
/// schema puts on a number, sorted.
fn bounds() -> &'static [f64] {
    static BOUNDS: OnceLock<Vec<f64>> = OnceLock::new();
    BOUNDS.get_or_init(|| {
        fn walk(node: &Value, out: &mut Vec<f64>) {
            match node {
                Value::Object(map) => {
                    for (key, value) in map {
                        if matches!(
                            key.as_str(),
                            "minimum" | "maximum" | "exclusiveMinimum" | "exclusiveMaximum"
                        ) {
                            out.extend(value.as_f64());
                        }
                        walk(value, out);
                    }
                }
                Value::Array(items) => items.iter().for_each(|i| walk(i, out)),
                _ => {}
            }
        }
        let schema: Value =
            serde_json::from_str(crate::check::PROJECT_SCHEMA).expect("bundled schema is JSON");
        let mut out = Vec::new();
        walk(&schema, &mut out);
        out.sort_by(f64::total_cmp);
        out.dedup();
        out
    })
}

/// The range of `v` among the bounds: `2k + 1` is bound `k` itself, `2k` the open range below it.
fn range_of(v: f64) -> usize {
    let bounds = bounds();
    let below = bounds.partition_point(|&b| b < v);
    if bounds.get(below) == Some(&v) {
        2 * below + 1
    } else {
        2 * below
    }
}

/// 0 for an integer, 1 for a float without a fraction, 2 for a fractional float.
fn class_of(n: &Value) -> usize {
    match n.as_f64() {
        _ if n.is_i64() || n.is_u64() => 0,
        Some(f) if f.fract() == 0.0 => 1,
        _ => 2,
    }
}

/// A number of `class` in `range`, if there is one.
fn representative(range: usize, class: usize) -> Option<Value> {
    let bounds = bounds();
    const WHOLE_FLOAT: f64 = 1_152_921_504_606_846_976.0; // 2^60: no longer an integer
    let float = |f: f64| serde_json::Number::from_f64(f).map(Value::Number);
    if range % 2 == 1 {
        let b = bounds[range / 2];
        return match class {
            0 if b.fract() == 0.0 && b.abs() < 9e15 => Some(Value::from(b as i64)),
            2 if b.fract() != 0.0 => float(b),
            _ => None,
        };
    }
    let k = range / 2;
    let lo = if k == 0 {
        f64::NEG_INFINITY
    } else {
        bounds[k - 1]
    };
    let hi = bounds.get(k).copied().unwrap_or(f64::INFINITY);
    let inside = |f: f64| f > lo && f < hi;
    match class {
        0 => {
            let candidate = if lo.is_finite() {
                lo.floor() + 1.0
            } else {
                hi.ceil() - 1.0
            };
            (inside(candidate) && candidate.abs() < 9e15).then(|| Value::from(candidate as i64))
        }
        1 => [WHOLE_FLOAT, -WHOLE_FLOAT]
            .into_iter()
            .find(|&f| inside(f))
            .and_then(float),
        _ => [lo + 0.5, hi - 0.5, (lo + hi) / 2.0]
            .into_iter()
            .find(|&f| f.is_finite() && inside(f) && f.fract() != 0.0)
            .and_then(float),
    }
}

impl NumberTable {
    fn probe(document: &Value, path: &Path, schema: &Schema) -> NumberTable {
        let mut doc = document.clone();
        let valid = (0..=2 * bounds().len())
            .map(|range| {
                [0, 1, 2].map(|class| {
                    representative(range, class).is_some_and(|number| {
                        *at_mut(&mut doc, path) = number;
                        schema.is_valid(&doc)
                    })
                })
            })
            .collect();
        NumberTable { valid }
    }

    fn admits(&self, number: &Value) -> bool {
        number
            .as_f64()
            .is_some_and(|f| self.valid[range_of(f)][class_of(number)])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The plan's proofs hold only while the project schema constrains strings by `type`,
    /// `minLength`, `enum` and `const` alone, numbers by `type` and bounds alone, combines
    /// schemas only with `allOf` and `$ref`, and its `if`s test only clip `type`s: then two
    /// probe strings show that a slot accepts any string, and one number per range between
    /// bounds shows which numbers a slot accepts.
    #[test]
    fn schema_keywords_the_plan_relies_on() {
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
                            "multipleOf",
                            "anyOf",
                            "oneOf",
                            "not",
                        ]
                        .contains(&key.as_str())
                        {
                            problems.push(key.clone());
                        }
                        if matches!(key.as_str(), "enum" | "const") {
                            let values = value.as_array().cloned().unwrap_or(vec![value.clone()]);
                            if values.iter().any(|v| !v.is_string()) {
                                problems.push(format!("{key} with a value that is no string"));
                            }
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
            "keywords the row plan cannot reason about: {problems:?}"
        );
        // `format` (the webhook's `uri`) is an annotation under draft 2020-12 as the schema is
        // compiled: it constrains no string.
        let annotated = serde_json::json!({
            "$schema": schema["$schema"], "type": "string", "format": "uri"
        });
        let format_only = crate::check::Schema::new(&annotated.to_string());
        assert!(format_only.is_valid(&"not a uri".into()));
        assert!(format_only.errors(&"not a uri".into()).is_empty());
    }

    #[test]
    fn split_finds_text_number_and_box_slots() {
        let nonce = crate::expand::symbol_nonce();
        let (sym, num, bx) = (SYMBOL, NUMBER, BOX);
        let text = format!(
            "{{\"a\":\"Hi {sym}{nonce}-3{sym}!\",\"n\":\"{num}{nonce}-1{num}\",\"w\":\"{bx}{nonce}-01{bx}\"}}"
        );
        let parts = split(&text, 4).unwrap();
        assert!(matches!(parts[1], Part::Text(3)));
        assert!(matches!(parts[3], Part::Number(1)));
        assert!(matches!(parts[5], Part::Box(0, true)));
        assert_eq!(parts.len(), 7);
        assert!(split(&text, 3).is_none(), "an instance the shape lacks");
        assert!(
            split("{\"a\":\"\u{E001}3\u{E001}\"}", 4).is_none(),
            "text without the nonce is no slot"
        );
    }

    #[test]
    fn number_ranges_follow_the_bounds() {
        let bounds = bounds();
        assert!(
            bounds.contains(&0.0) && bounds.contains(&100.0),
            "{bounds:?}"
        );
        assert_eq!(range_of(-5.0), 0);
        assert_eq!(range_of(0.0), 1);
        for range in 0..=2 * bounds.len() {
            for class in 0..3 {
                if let Some(n) = representative(range, class) {
                    assert_eq!(range_of(n.as_f64().unwrap()), range, "{n}");
                    assert_eq!(class_of(&n), class, "{n}");
                }
            }
        }
        assert!(representative(0, 0).is_some() && representative(2, 2).is_some());
    }

    #[test]
    fn arguments_with_quotes_or_breaks_are_not_plain() {
        assert!(plain_argument("Call us, Kim · 3 → ✨"));
        for bad in ["say \"hi\"", "a\\b", "two\nlines", "tab\there", "\u{E001}"] {
            assert!(!plain_argument(bad), "{bad:?}");
        }
    }
}
