//! The row plan of a batch: what each row decides, found by a light walk of the spec, and one
//! prebuilt [`Shape`] per set of decisions.
//!
//! The plan is compiled once from the spec tree: the row-dependent templates that only give a
//! value (a name in the speech, a number in `left`) become *instances*, left as placeholders
//! in the prebuilt shapes; the places that decide structure (`each`, `when`, `use`) are
//! evaluated per row. A row's walk gives its decisions (item counts, `when` results, the scene
//! templates used), the value of every instance in the order the expansion meets them, and the
//! text of every `use:` rendered with the row's arguments. The decisions pick the shape, built
//! from the first row that needs it; the shape checks and writes the row. Anything the walk or
//! the shape cannot vouch for makes the row [`Unfit`], and the full pipeline renders it (and
//! reports its errors).

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, RwLock};

use serde_json::Value;

use super::Program;
use super::prebuilt::{Refusal, Shape};
use crate::emit::Format;
use crate::expand::Scope;
use crate::inputs::is_identifier;
use crate::load::yaml::{Node, NodeKind};

/// The most shapes one batch keeps; rows of further shapes take the full pipeline.
const MAX_SHAPES: usize = 256;
/// How often a shape may fail to build from a row before it is given up.
const MAX_ATTEMPTS: u32 = 8;
/// Keys of a spec whose values are not templates.
const RAW_KEYS: &[&str] = &["vars", "presets", "extra"];

/// A row the plan cannot serve; the full pipeline then renders (and explains) it.
#[derive(Debug)]
pub struct Unfit;

/// One step of the walk.
enum Op<'p> {
    /// A row-dependent template that gives a value: one instance.
    Leaf(u32),
    /// A list of scenes or clips.
    List(Vec<Item<'p>>),
}

/// A scene or clip of a list, with what decides its copies.
struct Item<'p> {
    each: Option<(Source<'p>, &'p str)>,
    when: Option<Source<'p>>,
    body: Body<'p>,
}

/// Where a deciding value comes from.
enum Source<'p> {
    Template(u32),
    Literal(Value),
    /// A literal holding templates: evaluated like the expansion does.
    Node(&'p Node),
}

enum Body<'p> {
    Plain(Vec<Op<'p>>),
    Use {
        name: Source<'p>,
        with: Option<Source<'p>>,
        args: Vec<Op<'p>>,
        clips: Option<Vec<Item<'p>>>,
    },
}

/// A row the plan rendered.
#[derive(Debug)]
pub struct Planned {
    pub bytes: Vec<u8>,
    /// Its lints, when asked for.
    pub lints: Vec<crate::diag::Diagnostic>,
    /// The lints were found through the shape's slots, not in the document read back.
    pub through_slots: bool,
}

/// What one row's walk found.
#[derive(Debug, Default)]
pub struct Walk {
    pub decisions: Vec<u32>,
    /// The template of each instance, in order.
    pub ids: Vec<u32>,
    /// The value of each instance.
    pub values: Vec<Value>,
    /// The text of each `use:`, rendered with this row's arguments.
    pub renders: Vec<String>,
}

enum Entry {
    Ready(Arc<Shape>),
    Refused,
    Failing(u32),
}

/// The compiled walk and the shapes built so far.
pub struct RowPlan<'p> {
    program: &'p Program,
    ops: Vec<Op<'p>>,
    symbolic: HashSet<u32>,
    shapes: RwLock<HashMap<Vec<u32>, Entry>>,
}

impl<'p> RowPlan<'p> {
    /// The plan for rows that give `row_vars`; None when the spec reads its inputs in ways
    /// the walk cannot follow (the full pipeline then renders every row).
    pub fn new(program: &'p Program, row_vars: &HashSet<String>) -> Option<RowPlan<'p>> {
        if reads_indirectly(&program.root) {
            return None;
        }
        let mut compiler = Compiler {
            program,
            symbolic: HashSet::new(),
        };
        let tainted: HashSet<&str> = row_vars.iter().map(String::as_str).collect();
        let ops = compiler.project(&program.root, &tainted)?;
        Some(RowPlan {
            program,
            ops,
            symbolic: compiler.symbolic,
            shapes: RwLock::new(HashMap::new()),
        })
    }

    /// The row's document, serialized, and when `lint` its lints, when the plan can vouch
    /// for it.
    pub fn render_bytes(
        &self,
        scope: &Scope,
        format: Format,
        lint: bool,
    ) -> Result<Planned, Unfit> {
        let walk = self.walk(scope)?;
        let shape = self.shape(scope, &walk)?;
        let (bytes, lints) = shape.fill(&walk, format, self.program, lint)?;
        Ok(Planned {
            bytes,
            lints,
            through_slots: lint && shape.lints_through_slots(),
        })
    }

    fn shape(&self, scope: &Scope, walk: &Walk) -> Result<Arc<Shape>, Unfit> {
        let attempts = {
            let shapes = self.shapes.read().map_err(|_| Unfit)?;
            match shapes.get(&walk.decisions) {
                Some(Entry::Ready(shape)) => return Ok(Arc::clone(shape)),
                Some(Entry::Refused) => return Err(Unfit),
                Some(Entry::Failing(n)) => *n,
                None if shapes.len() >= MAX_SHAPES => return Err(Unfit),
                None => 0,
            }
        };
        let built = Shape::build(self.program, scope, &self.symbolic, walk);
        let mut shapes = self.shapes.write().map_err(|_| Unfit)?;
        match built {
            Ok(shape) => {
                let shape = Arc::new(shape);
                shapes.insert(walk.decisions.clone(), Entry::Ready(Arc::clone(&shape)));
                Ok(shape)
            }
            Err(refusal) => {
                let entry = match refusal {
                    Refusal::Row if attempts + 1 < MAX_ATTEMPTS => Entry::Failing(attempts + 1),
                    _ => Entry::Refused,
                };
                shapes.insert(walk.decisions.clone(), entry);
                Err(Unfit)
            }
        }
    }

    /// Evaluates what the row decides and the value of every instance.
    pub fn walk(&self, scope: &Scope) -> Result<Walk, Unfit> {
        let mut walk = Walk::default();
        self.ops(&self.ops, scope, &mut walk)?;
        Ok(walk)
    }

    fn ops(&self, ops: &[Op<'p>], scope: &Scope, walk: &mut Walk) -> Result<(), Unfit> {
        for op in ops {
            match op {
                Op::Leaf(id) => {
                    let value = self.eval(*id, scope)?;
                    walk.ids.push(*id);
                    walk.values.push(value);
                }
                Op::List(items) => self.items(items, scope, walk)?,
            }
        }
        Ok(())
    }

    fn items(&self, items: &[Item<'p>], scope: &Scope, walk: &mut Walk) -> Result<(), Unfit> {
        for item in items {
            let Some((source, name)) = &item.each else {
                self.copy(item, scope, walk)?;
                continue;
            };
            let list = self.value(source, scope)?;
            let values = crate::expand::each_items(&list, scope).map_err(|_| Unfit)?;
            walk.decisions
                .push(u32::try_from(values.len()).map_err(|_| Unfit)?);
            for (index, value) in values.iter().enumerate() {
                self.copy(item, &scope.item(name, value, index, values.len()), walk)?;
            }
        }
        Ok(())
    }

    fn copy(&self, item: &Item<'p>, scope: &Scope, walk: &mut Walk) -> Result<(), Unfit> {
        if let Some(when) = &item.when {
            let Value::Bool(keep) = self.value(when, scope)? else {
                return Err(Unfit);
            };
            walk.decisions.push(u32::from(keep));
            if !keep {
                return Ok(());
            }
        }
        match &item.body {
            Body::Plain(ops) => self.ops(ops, scope, walk),
            Body::Use {
                name,
                with,
                args,
                clips,
            } => {
                let name = self.value(name, scope)?;
                let scenes = &self.program.scene_files;
                let (position, template) = name
                    .as_str()
                    .and_then(|n| scenes.iter().enumerate().find(|(_, (k, _))| *k == n))
                    .map(|(p, (_, t))| (p, t))
                    .ok_or(Unfit)?;
                walk.decisions
                    .push(u32::try_from(position + 1).map_err(|_| Unfit)?);
                self.ops(args, scope, walk)?;
                let bindings = match with {
                    None => Vec::new(),
                    Some(with) => match self.value(with, scope)? {
                        Value::Object(map) => map
                            .iter()
                            .map(|(k, v)| (k.clone(), crate::expand::engine::from_json(v)))
                            .collect(),
                        _ => return Err(Unfit),
                    },
                };
                let rendered = self
                    .program
                    .engine
                    .render_file(&template.file, scope.with(bindings).ctx())
                    .map_err(|_| Unfit)?;
                walk.renders.push(rendered);
                if let Some(clips) = clips {
                    self.items(clips, scope, walk)?;
                }
                Ok(())
            }
        }
    }

    fn eval(&self, id: u32, scope: &Scope) -> Result<Value, Unfit> {
        self.program
            .engine
            .eval_leaf(id, scope.ctx())
            .map_err(|_| Unfit)
    }

    fn value(&self, source: &Source<'p>, scope: &Scope) -> Result<Value, Unfit> {
        match source {
            Source::Template(id) => {
                let json = self.eval(*id, scope)?;
                // The expansion reads a template's value back through a node.
                let span = self.program.engine.leaf_span(*id);
                Ok(Node::from_json(&json, span).to_json())
            }
            Source::Literal(value) => Ok(value.clone()),
            Source::Node(node) => self.evaluate(node, scope),
        }
    }

    /// A subtree with its templates evaluated, as the expansion gives it.
    fn evaluate(&self, node: &Node, scope: &Scope) -> Result<Value, Unfit> {
        if let Some(id) = node.template {
            return self.value(&Source::Template(id), scope);
        }
        match &node.kind {
            NodeKind::Seq(items) => items
                .iter()
                .map(|i| self.evaluate(i, scope))
                .collect::<Result<_, _>>()
                .map(Value::Array),
            NodeKind::Map(entries) => {
                let mut map = serde_json::Map::new();
                for (key, value) in entries {
                    if key.name == "clips" || key.name == "extra" {
                        return Err(Unfit);
                    }
                    map.insert(key.name.clone(), self.evaluate(value, scope)?);
                }
                Ok(Value::Object(map))
            }
            _ => Ok(node.to_json()),
        }
    }
}

/// Compiles the walk from the spec tree.
struct Compiler<'p> {
    program: &'p Program,
    symbolic: HashSet<u32>,
}

impl<'p> Compiler<'p> {
    fn project<'t>(&mut self, root: &'p Node, tainted: &HashSet<&'t str>) -> Option<Vec<Op<'p>>> {
        let NodeKind::Map(entries) = &root.kind else {
            return None;
        };
        let mut ops = Vec::new();
        for (key, value) in entries {
            match key.name.as_str() {
                "scenes" => ops.push(Op::List(self.items(value, tainted, true)?)),
                name if RAW_KEYS.contains(&name) => {}
                _ => self.leaves(value, tainted, &mut ops)?,
            }
        }
        Some(ops)
    }

    fn reads(&self, id: u32, tainted: &HashSet<&str>) -> bool {
        self.program
            .engine
            .leaf_vars(id)
            .iter()
            .any(|v| tainted.contains(v.as_str()))
    }

    /// Whether any template in a subtree reads a tainted name.
    fn depends(&self, node: &Node, tainted: &HashSet<&str>) -> bool {
        if node.template.is_some_and(|id| self.reads(id, tainted)) {
            return true;
        }
        match &node.kind {
            NodeKind::Seq(items) => items.iter().any(|i| self.depends(i, tainted)),
            NodeKind::Map(entries) => entries.iter().any(|(_, v)| self.depends(v, tainted)),
            _ => false,
        }
    }

    /// The instances of a subtree that the expansion evaluates as values, in its order.
    fn leaves<'t>(
        &mut self,
        node: &'p Node,
        tainted: &HashSet<&'t str>,
        ops: &mut Vec<Op<'p>>,
    ) -> Option<()> {
        self.leaves_except(node, tainted, &[], ops)
    }

    fn leaves_except<'t>(
        &mut self,
        node: &'p Node,
        tainted: &HashSet<&'t str>,
        skip: &[&str],
        ops: &mut Vec<Op<'p>>,
    ) -> Option<()> {
        if let Some(id) = node.template {
            if self.reads(id, tainted) {
                self.symbolic.insert(id);
                ops.push(Op::Leaf(id));
            }
            return Some(());
        }
        match &node.kind {
            NodeKind::Seq(items) => {
                for item in items {
                    self.leaves(item, tainted, ops)?;
                }
            }
            NodeKind::Map(entries) => {
                for (key, value) in entries {
                    match key.name.as_str() {
                        name if skip.contains(&name) => {}
                        "clips" => ops.push(Op::List(self.items(value, tainted, false)?)),
                        "extra" => {}
                        _ => self.leaves(value, tainted, ops)?,
                    }
                }
            }
            _ => {}
        }
        Some(())
    }

    /// A deciding value: evaluated per row.
    fn source(&self, node: &'p Node) -> Source<'p> {
        match node.template {
            Some(id) => Source::Template(id),
            None if has_template(node) => Source::Node(node),
            None => Source::Literal(node.to_json()),
        }
    }

    fn items<'t>(
        &mut self,
        list: &'p Node,
        tainted: &HashSet<&'t str>,
        scenes: bool,
    ) -> Option<Vec<Item<'p>>> {
        // A list that a template makes, or no list at all, is left to the full pipeline.
        let NodeKind::Seq(items) = &list.kind else {
            return None;
        };
        if list.template.is_some() {
            return None;
        }
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            let mut inner: HashSet<&str> = tainted.clone();
            let each = match item.get("each") {
                None => None,
                Some(each) => {
                    let name = match item.get("as") {
                        None => "item",
                        Some(node) => node.as_str().filter(|n| is_identifier(n))?,
                    };
                    if self.depends(each, tainted) {
                        inner.insert(name);
                        inner.insert("loop");
                    } else {
                        inner.remove(name);
                        inner.remove("loop");
                    }
                    Some((self.source(each), name))
                }
            };
            let when = item.get("when").map(|w| self.source(w));
            let body = match (scenes, item.get("use")) {
                (true, Some(name)) => {
                    let mut args = Vec::new();
                    if let Some(with) = item.get("with") {
                        self.leaves(with, &inner, &mut args)?;
                    }
                    Body::Use {
                        name: self.source(name),
                        with: item.get("with").map(|w| self.source(w)),
                        args,
                        clips: match item.get("clips") {
                            Some(clips) => Some(self.items(clips, &inner, false)?),
                            None => None,
                        },
                    }
                }
                _ => {
                    let mut ops = Vec::new();
                    self.leaves_except(item, &inner, &["each", "as", "when"], &mut ops)?;
                    Body::Plain(ops)
                }
            };
            out.push(Item { each, when, body });
        }
        Some(out)
    }
}

fn has_template(node: &Node) -> bool {
    node.template.is_some()
        || match &node.kind {
            NodeKind::Seq(items) => items.iter().any(has_template),
            NodeKind::Map(entries) => entries.iter().any(|(_, v)| has_template(v)),
            _ => false,
        }
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
