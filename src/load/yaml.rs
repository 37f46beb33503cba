//! YAML text → a tree of [`Node`]s that remember where they came from.
//!
//! Built on `saphyr-parser`'s event stream so that every node keeps its span, and so that the
//! tree builder, not the parser, decides what a hostile document may cost: size, depth and the
//! number of nodes (aliases count as the nodes they copy) are all bounded.

use std::sync::Arc;

use saphyr_parser::{Event, Parser, ScalarStyle};

use core_schema::Plain;

use crate::diag::{Diagnostic, Source, Span};

mod core_schema;

/// What one YAML document may cost before loading stops.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub max_bytes: usize,
    pub max_depth: usize,
    pub max_nodes: usize,
    /// The text (scalars and keys) the tree may hold, an alias counting as the text it copies.
    pub max_text: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_bytes: 8 * 1024 * 1024,
            max_depth: 64,
            max_nodes: 500_000,
            max_text: 16 * 1024 * 1024,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Node {
    pub kind: NodeKind,
    pub span: Span,
    /// The template that produced this value, once expanded (see `expand`).
    pub template: Option<u32>,
}

#[derive(Clone, Debug)]
pub enum NodeKind {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<(Key, Node)>),
}

#[derive(Clone, Debug)]
pub struct Key {
    pub name: String,
    pub span: Span,
}

impl Node {
    pub fn new(kind: NodeKind, span: Span) -> Node {
        Node {
            kind,
            span,
            template: None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            NodeKind::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&[(Key, Node)]> {
        match &self.kind {
            NodeKind::Map(m) => Some(m),
            _ => None,
        }
    }

    /// The value under `key` when this node is a map.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.as_map()?
            .iter()
            .find(|(k, _)| k.name == key)
            .map(|(_, v)| v)
    }

    /// A word for the node's type, for messages ("expected a number, found a list").
    pub fn type_name(&self) -> &'static str {
        match self.kind {
            NodeKind::Null => "null",
            NodeKind::Bool(_) => "a boolean",
            NodeKind::Int(_) => "an integer",
            NodeKind::Float(_) => "a number",
            NodeKind::Str(_) => "a string",
            NodeKind::Seq(_) => "a list",
            NodeKind::Map(_) => "a mapping",
        }
    }

    /// The node as plain JSON (spans dropped).
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value;
        match &self.kind {
            NodeKind::Null => Value::Null,
            NodeKind::Bool(b) => Value::Bool(*b),
            NodeKind::Int(i) => Value::from(*i),
            NodeKind::Float(f) => crate::json_number(*f),
            NodeKind::Str(s) => Value::String(s.clone()),
            NodeKind::Seq(items) => Value::Array(items.iter().map(Node::to_json).collect()),
            NodeKind::Map(entries) => Value::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.name.clone(), v.to_json()))
                    .collect(),
            ),
        }
    }

    /// A node tree for a JSON value, every node carrying `span`.
    pub fn from_json(value: &serde_json::Value, span: &Span) -> Node {
        use serde_json::Value;
        let kind = match value {
            Value::Null => NodeKind::Null,
            Value::Bool(b) => NodeKind::Bool(*b),
            Value::Number(n) => match n.as_i64() {
                Some(i) => NodeKind::Int(i),
                None => NodeKind::Float(n.as_f64().unwrap_or(f64::NAN)),
            },
            Value::String(s) => NodeKind::Str(s.clone()),
            Value::Array(items) => {
                NodeKind::Seq(items.iter().map(|v| Node::from_json(v, span)).collect())
            }
            Value::Object(map) => NodeKind::Map(
                map.iter()
                    .map(|(k, v)| {
                        let key = Key {
                            name: k.clone(),
                            span: span.clone(),
                        };
                        (key, Node::from_json(v, span))
                    })
                    .collect(),
            ),
        };
        Node::new(kind, span.clone())
    }
}

/// Reads and parses a YAML (or JSON) file: a regular file over the size limit is refused
/// before it is read, and at most one byte past the limit is read of anything else (a device,
/// a FIFO or a growing file reports a size that cannot be trusted).
pub fn load_file(path: &std::path::Path, limits: Limits) -> Result<Node, Diagnostic> {
    use crate::bounded::read_file;
    let name = crate::display_path(path);
    let limit = limits.max_bytes as u64;
    if let Ok(meta) = std::fs::metadata(path) {
        if meta.is_file() && meta.len() > limit {
            return Err(Diagnostic::error(format!(
                "{name} is {} bytes; vidspec reads YAML documents of at most {limit} bytes",
                meta.len()
            )));
        }
    }
    let text = read_file(path, limit).map_err(|e| read_error(&name, e, limits))?;
    parse(&Source::new(name, text), limits)
}

/// Reads and parses a YAML document from a stream (stdin), `name` naming it in diagnostics;
/// at most one byte past the limit is read.
pub fn load_reader(
    name: &str,
    reader: impl std::io::Read,
    limits: Limits,
) -> Result<Node, Diagnostic> {
    let text = crate::bounded::read_text(reader, limits.max_bytes as u64)
        .map_err(|e| read_error(name, e, limits))?;
    parse(&Source::new(name, text), limits)
}

fn read_error(name: &str, error: crate::bounded::ReadError, limits: Limits) -> Diagnostic {
    match error {
        crate::bounded::ReadError::TooBig { .. } => too_big(name, limits),
        other => Diagnostic::error(format!("cannot read {name}: {other}")),
    }
}

fn too_big(name: &str, limits: Limits) -> Diagnostic {
    Diagnostic::error(format!(
        "{name} holds more than {} bytes; vidspec reads YAML documents of at most that",
        limits.max_bytes
    ))
}

enum Frame {
    Seq {
        items: Vec<Node>,
        start: usize,
        anchor: usize,
    },
    Map {
        entries: Vec<(Key, Node)>,
        pending_key: Option<Key>,
        start: usize,
        anchor: usize,
    },
}

/// Parses one YAML document into a node tree.
pub fn parse(source: &Arc<Source>, limits: Limits) -> Result<Node, Diagnostic> {
    if source.text.len() > limits.max_bytes {
        return Err(too_big(&source.name, limits));
    }
    let text = source.text.strip_prefix('\u{feff}').unwrap_or(&source.text);
    let bom = source.text.len() - text.len();
    let mut parser = Parser::new_from_str(text);
    let mut builder = Builder {
        source,
        limits,
        bom,
        stack: Vec::new(),
        anchors: Vec::new(),
        nodes: 0,
        text: 0,
        last_offset: std::cell::Cell::new((0, 0, 0)),
        root: None,
    };
    while let Some(event) = parser.next_event() {
        let (event, span) = event.map_err(|e| {
            let m = e.marker();
            let at = builder.offset(m.line(), m.col());
            if let Some(explained) = super::mistakes::explain(source, at, e.info()) {
                return explained;
            }
            let help = if e.info().contains("mapping values are not allowed") {
                "quote a value that contains `: `, e.g. `say: \"Note: this\"`"
            } else if e.info().contains("did not find expected") {
                "a `[`, `{` or quote may be left open: check the brackets and quotes before this point"
            } else {
                "quote a value that contains `: ` or ` #`, or starts with `{`, `[`, `*`, `&`, `!`, `%`, `@` or a quote; inside quotes write `''` for `'` and `\\\"` for `\"`"
            };
            let message = if e.info().contains("recursion limit") {
                format!(
                    "YAML nesting is deeper than the parser allows; refusing to load it ({})",
                    e.info()
                )
            } else {
                format!("YAML syntax error: {}", e.info())
            };
            Diagnostic::error(message).at(&Span::new(source, at, at + 1)).with_help(help)
        })?;
        let start = builder.offset(span.start.line(), span.start.col());
        let end = builder.offset(span.end.line(), span.end.col());
        if builder.step(event, start, end)? {
            break;
        }
    }
    Ok(builder
        .root
        .unwrap_or_else(|| Node::new(NodeKind::Null, Span::start_of(source))))
}

struct Builder<'a> {
    source: &'a Arc<Source>,
    limits: Limits,
    bom: usize,
    stack: Vec<Frame>,
    /// Anchored nodes with what each costs: (anchor id, node, nodes, bytes of text).
    anchors: Vec<(usize, Node, usize, usize)>,
    nodes: usize,
    /// Bytes of text in the tree so far.
    text: usize,
    /// The last (line, column) turned into a byte offset, and that offset.
    last_offset: std::cell::Cell<(usize, usize, usize)>,
    root: Option<Node>,
}

impl Builder<'_> {
    fn offset(&self, line: usize, col: usize) -> usize {
        // The parser sees the text after a byte-order mark; on line 1 its columns start there.
        let col = if line == 1 && self.bom > 0 {
            col + 1
        } else {
            col
        };
        // Events come in text order: a column further along the line of the last one is found
        // by stepping on from it, so a long line costs its length once, not once per event.
        let (last_line, last_col, last_offset) = self.last_offset.get();
        let offset = if line == last_line && col >= last_col && last_offset > 0 {
            let rest = &self.source.text[last_offset..];
            let mut chars = rest.char_indices();
            let mut at = rest.len();
            for _ in 0..=(col - last_col) {
                match chars.next() {
                    Some((i, '\n')) => {
                        at = i;
                        break;
                    }
                    Some((i, _)) => at = i,
                    None => {
                        at = rest.len();
                        break;
                    }
                }
            }
            last_offset + at
        } else {
            self.source.offset_of(line, col)
        };
        self.last_offset.set((line, col, offset));
        offset
    }

    fn span(&self, start: usize, end: usize) -> Span {
        Span::new(self.source, start, end)
    }

    fn count(&mut self, n: usize, at: usize) -> Result<(), Diagnostic> {
        self.nodes += n;
        if self.nodes > self.limits.max_nodes {
            return Err(Diagnostic::error(format!(
                "YAML document has more than {} nodes (aliases count as the nodes they copy); \
                 refusing to load it",
                self.limits.max_nodes
            ))
            .at(&self.span(at, at + 1)));
        }
        Ok(())
    }

    fn count_text(&mut self, bytes: usize, at: usize) -> Result<(), Diagnostic> {
        self.text += bytes;
        if self.text > self.limits.max_text {
            return Err(Diagnostic::error(format!(
                "YAML document holds more than {} bytes of text (aliases count as the text they \
                 copy); refusing to load it",
                self.limits.max_text
            ))
            .at(&self.span(at, at + 1)));
        }
        Ok(())
    }

    /// Handles one event; returns true when the first document is complete.
    fn step(&mut self, event: Event<'_>, start: usize, end: usize) -> Result<bool, Diagnostic> {
        match event {
            Event::StreamStart | Event::DocumentStart(_) | Event::Nothing => {}
            Event::StreamEnd | Event::DocumentEnd => return Ok(self.root.is_some()),
            Event::Alias(id) => {
                let Some(&(_, _, nodes, bytes)) =
                    self.anchors.iter().rev().find(|(a, ..)| *a == id)
                else {
                    return Err(Diagnostic::error("YAML alias refers to an unknown anchor")
                        .at(&self.span(start, end)));
                };
                // What the copy costs is counted before it is made.
                self.count(nodes, start)?;
                self.count_text(bytes, start)?;
                let found = self.anchors.iter().rev().find(|(a, ..)| *a == id);
                let mut node = found.map(|a| a.1.clone()).expect("found above");
                node.span = self.span(start, end);
                self.finish(node, 0)?;
            }
            Event::Scalar(value, style, anchor, tag) => {
                self.count(1, start)?;
                self.count_text(value.len(), start)?;
                let tag = tag.map(|t| t.suffix.clone());
                let kind = scalar(&value, style, tag.as_deref())
                    .map_err(|m| Diagnostic::error(m).at(&self.span(start, end)))?;
                self.finish(Node::new(kind, self.span(start, end)), anchor)?;
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                self.count(1, start)?;
                if self.stack.len() >= self.limits.max_depth {
                    return Err(Diagnostic::error(format!(
                        "YAML nesting is deeper than {} levels; refusing to load it",
                        self.limits.max_depth
                    ))
                    .at(&self.span(start, start + 1)));
                }
                self.stack
                    .push(if matches!(event, Event::SequenceStart(..)) {
                        Frame::Seq {
                            items: Vec::new(),
                            start,
                            anchor,
                        }
                    } else {
                        Frame::Map {
                            entries: Vec::new(),
                            pending_key: None,
                            start,
                            anchor,
                        }
                    });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let (node, anchor) = match self.stack.pop() {
                    Some(Frame::Seq {
                        items,
                        start: s,
                        anchor,
                    }) => (Node::new(NodeKind::Seq(items), self.span(s, end)), anchor),
                    Some(Frame::Map {
                        entries,
                        start: s,
                        anchor,
                        ..
                    }) => (Node::new(NodeKind::Map(entries), self.span(s, end)), anchor),
                    None => return Ok(false),
                };
                self.finish(node, anchor)?;
            }
        }
        Ok(false)
    }

    fn finish(&mut self, node: Node, anchor: usize) -> Result<(), Diagnostic> {
        if anchor != 0 {
            let (nodes, bytes) = cost(&node);
            self.anchors.push((anchor, node.clone(), nodes, bytes));
        }
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map {
                entries,
                pending_key,
                ..
            }) => match pending_key.take() {
                None => {
                    let name = match &node.kind {
                        NodeKind::Str(s) => s.clone(),
                        NodeKind::Int(i) => i.to_string(),
                        NodeKind::Bool(b) => b.to_string(),
                        NodeKind::Float(_) | NodeKind::Null => node.span.text().to_owned(),
                        NodeKind::Seq(_) | NodeKind::Map(_) => {
                            return Err(Diagnostic::error("a mapping key must be a plain value")
                                .at(&node.span)
                                .with_help("a value that starts with `{` is a YAML mapping: quote templates, e.g. `text: \"{{ name }}\"`"));
                        }
                    };
                    if let Some((first, _)) = entries.iter().find(|(k, _)| k.name == name) {
                        return Err(Diagnostic::error(format!("duplicate key `{name}`"))
                            .at(&node.span)
                            .with_context("first given", &first.span));
                    }
                    *pending_key = Some(Key {
                        name,
                        span: node.span,
                    });
                }
                Some(key) => entries.push((key, node)),
            },
        }
        Ok(())
    }
}

/// The nodes and bytes of text a copy of `node` adds to the tree.
fn cost(node: &Node) -> (usize, usize) {
    match &node.kind {
        NodeKind::Seq(items) => items.iter().map(cost).fold((1, 0), add),
        NodeKind::Map(entries) => entries
            .iter()
            .map(|(k, v)| add((1, k.name.len()), cost(v)))
            .fold((1, 0), add),
        NodeKind::Str(s) => (1, s.len()),
        _ => (1, node.span.end - node.span.start),
    }
}

fn add(a: (usize, usize), b: (usize, usize)) -> (usize, usize) {
    (a.0 + b.0, a.1 + b.1)
}

/// Resolves a scalar by the YAML 1.2 core schema; quoted scalars are always strings.
fn scalar(value: &str, style: ScalarStyle, tag: Option<&str>) -> Result<NodeKind, String> {
    if let Some(tag) = tag {
        return match tag {
            "str" => Ok(NodeKind::Str(value.to_owned())),
            "int" | "float" | "bool" | "null" => match scalar(value, ScalarStyle::Plain, None)? {
                NodeKind::Str(_) => Err(format!("`{value}` is not a valid !!{tag}")),
                kind => Ok(kind),
            },
            other => Err(format!("unsupported YAML tag `!{other}`")),
        };
    }
    if style != ScalarStyle::Plain {
        return Ok(NodeKind::Str(value.to_owned()));
    }
    Ok(node_kind(core_schema::plain(value), value))
}

/// The node of a plain scalar `text` resolved as `plain`.
fn node_kind(plain: Plain, text: &str) -> NodeKind {
    match plain {
        Plain::Null => NodeKind::Null,
        Plain::Bool(b) => NodeKind::Bool(b),
        Plain::Int(i) => NodeKind::Int(i),
        Plain::Float(f) => NodeKind::Float(f),
        Plain::Text => NodeKind::Str(text.to_owned()),
    }
}

/// The number a plain scalar's text spells, if it spells one.
pub fn number(text: &str) -> Option<NodeKind> {
    core_schema::number(text).map(|plain| node_kind(plain, text))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<Node, Diagnostic> {
        parse(&Source::new("t.yaml", text), Limits::default())
    }

    #[test]
    fn scalars_follow_the_core_schema() {
        let node = load("a: 1\nb: 1.5\nc: '1'\nd: true\ne: ~\nf: hello\ng: 0x1f").unwrap();
        assert!(matches!(node.get("a").unwrap().kind, NodeKind::Int(1)));
        assert!(matches!(node.get("b").unwrap().kind, NodeKind::Float(f) if f == 1.5));
        assert_eq!(node.get("c").unwrap().as_str(), Some("1"));
        assert!(matches!(node.get("d").unwrap().kind, NodeKind::Bool(true)));
        assert!(matches!(node.get("e").unwrap().kind, NodeKind::Null));
        assert_eq!(node.get("f").unwrap().as_str(), Some("hello"));
        assert!(matches!(node.get("g").unwrap().kind, NodeKind::Int(31)));
    }

    #[test]
    fn spans_point_at_the_value() {
        let node = load("name: x\nscenes:\n  - say: hello\n").unwrap();
        let say = node.get("scenes").unwrap();
        let NodeKind::Seq(items) = &say.kind else {
            panic!()
        };
        let hello = items[0].get("say").unwrap();
        assert_eq!(hello.span.location(), "t.yaml:3:10");
        assert_eq!(hello.span.text(), "hello");
    }

    #[test]
    fn alias_bomb_is_refused() {
        let mut text = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 0..8 {
            let prev = if i == 0 {
                "a".to_owned()
            } else {
                format!("l{}", i - 1)
            };
            let refs = vec![format!("*{prev}"); 10].join(", ");
            text.push_str(&format!("l{i}: &l{i} [{refs}]\n"));
        }
        let err = load(&text).unwrap_err();
        assert!(err.message.contains("more than"), "{}", err.message);
    }

    #[test]
    fn aliases_of_a_long_string_are_refused_by_the_text_they_copy() {
        let big = "x".repeat(1 << 20);
        let refs = vec!["*a"; 1000].join(", ");
        let text = format!("a: &a {big}\nb: [{refs}]\n");
        let err = load(&text).unwrap_err();
        assert!(err.message.contains("bytes of text"), "{}", err.message);
        // A few copies of a short anchor are fine.
        assert!(load("a: &a hello\nb: [*a, *a, *a]\n").is_ok());
    }

    #[test]
    fn deep_nesting_is_refused() {
        let text = "[".repeat(10_000) + &"]".repeat(10_000);
        let err = load(&text).unwrap_err();
        assert!(err.message.contains("nesting"), "{}", err.message);
    }

    #[test]
    fn duplicate_keys_are_refused() {
        let err = load("a: 1\na: 2\n").unwrap_err();
        assert!(err.message.contains("duplicate key `a`"));
    }

    #[test]
    fn byte_order_mark_keeps_columns() {
        let node = load("\u{feff}a: hello\n").unwrap();
        assert_eq!(node.get("a").unwrap().span.text(), "hello");
    }
}
