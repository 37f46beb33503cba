//! Expansion: evaluates every template of the spec against the inputs.
//!
//! `each:`/`as:` repeat a scene or clip per item, `when:` keeps or drops it, and `use:` renders
//! a scene template with its `with:` arguments (JSON-escaped into the YAML it produces, so an
//! argument can never change the template's structure). The result is the same node tree with
//! every string final: no templates are left for `lower`.

pub mod catalog;
pub(crate) mod engine;
pub(crate) mod format;
pub(crate) mod scene_template;

use std::collections::{BTreeMap, HashSet};

use minijinja::Value;

use crate::diag::{Diagnostic, Diagnostics, Source, Span};
use crate::load::shape;
use crate::load::yaml::{self, Key, Node, NodeKind};
pub use engine::Engine;
pub use scene_template::SceneTemplate;

/// How deeply `use:` may nest (a scene template that uses another).
const MAX_USE_DEPTH: usize = 8;
/// The most items one `each:` may repeat over.
pub const MAX_EACH_ITEMS: usize = 1_000;
/// The most scenes a project may have after expansion.
pub const MAX_SCENES: usize = 1_000;
/// The most clips a scene may have after expansion.
pub const MAX_CLIPS: usize = 500;

/// Keys whose values are not templates: `vars` holds data, `presets` names files, `extra`
/// holds JSON fields merged verbatim into the output.
const RAW_KEYS: &[&str] = &["vars", "presets", "extra"];

/// Registers every template string of a spec tree with the engine, marking its node.
pub fn compile(node: &mut Node, engine: &mut Engine, diags: &mut Diagnostics) {
    match &mut node.kind {
        NodeKind::Str(text) if engine::is_template(text) => match engine.add_leaf(text, &node.span)
        {
            Ok(id) => node.template = Some(id),
            Err(diagnostic) => diags.push(diagnostic),
        },
        NodeKind::Seq(items) => {
            for item in items {
                compile(item, engine, diags);
            }
        }
        NodeKind::Map(entries) => {
            for (key, value) in entries {
                if !RAW_KEYS.contains(&key.name.as_str()) {
                    compile(value, engine, diags);
                }
            }
        }
        _ => {}
    }
}

/// Variables in scope while expanding: the inputs, plus `each:` items.
#[derive(Clone)]
pub struct Scope {
    ctx: Value,
}

impl Scope {
    pub fn new(vars: BTreeMap<String, Value>) -> Scope {
        Scope {
            ctx: Value::from(vars),
        }
    }

    pub fn from_inputs(inputs: &crate::inputs::Inputs) -> Scope {
        Scope::new(
            inputs
                .iter()
                .map(|(k, v)| (k.clone(), engine::from_json(v)))
                .collect(),
        )
    }

    /// This scope with `bindings` added on top (they shadow names already in scope). The
    /// context is layered, not copied, so binding an `each` item costs the same whatever the
    /// number of inputs.
    pub(crate) fn with(&self, bindings: impl IntoIterator<Item = (String, Value)>) -> Scope {
        let top: BTreeMap<String, Value> = bindings.into_iter().collect();
        Scope {
            ctx: minijinja::value::merge_maps([self.ctx.clone(), Value::from(top)]),
        }
    }

    /// The scope of item `index` (of `length`) of an `each:` that binds it as `name`.
    pub(crate) fn item(
        &self,
        name: &str,
        value: &serde_json::Value,
        index: usize,
        length: usize,
    ) -> Scope {
        let looping = minijinja::context! {
            index => index + 1, index0 => index, first => index == 0,
            last => index + 1 == length, length => length,
        };
        self.with([
            (name.to_owned(), engine::from_json(value)),
            ("loop".to_owned(), looping),
        ])
    }

    /// Whether `name` is a variable in scope.
    fn has(&self, name: &str) -> bool {
        self.ctx.get_attr(name).is_ok_and(|v| !v.is_undefined())
    }

    pub fn ctx(&self) -> &Value {
        &self.ctx
    }
}

/// Marks a value that stands for a template evaluated later, per row (see `compile::plan`).
pub const SYMBOL: char = '\u{E001}';

/// Marks a numeric slot in a partially lowered project (see `lower::read`).
pub const NUMBER: char = '\u{E003}';

/// The placeholder text for instance `index` of a row-dependent template.
pub fn symbol(index: usize) -> String {
    format!("{SYMBOL}{}-{index}{SYMBOL}", symbol_nonce())
}

/// A random number in every placeholder of this process, so that text in a spec can never be
/// mistaken for one.
pub fn symbol_nonce() -> &'static str {
    static NONCE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    NONCE.get_or_init(|| format!("{:016x}", fastrand::u64(..)))
}

/// What a partial expansion decided and left open, in the order it met them.
#[derive(Debug, Default)]
pub struct Trace {
    /// The template of each placeholder `symbol(i)`, by `i`.
    pub instances: Vec<u32>,
    /// The decisions of the spec's own `each` (item count), `when` (0 or 1) and `use`
    /// (1 + the scene template's position among the known ones).
    pub decisions: Vec<u32>,
    /// The text each `use:` of the spec rendered, with placeholders for its arguments.
    pub renders: Vec<String>,
}

/// Expands a compiled spec tree; returns the tree with every template evaluated.
pub fn expand(
    root: &Node,
    engine: &Engine,
    scenes: &BTreeMap<String, SceneTemplate>,
    scope: &Scope,
) -> Result<Node, Diagnostics> {
    let none = HashSet::new();
    let mut expander = Expander::new(engine, scenes, &none);
    let out = expander.project(root, scope);
    expander.finish(out).map(|(node, _)| node)
}

/// Like [`expand`], but the templates in `symbolic` are not evaluated: each meeting of one
/// becomes the string [`symbol`]`(i)`, to be filled in per row; the [`Trace`] says which
/// template each placeholder stands for and what the expansion decided. A scene template used
/// inside another with placeholders among its arguments is an error here (its rendering could
/// not be checked per row).
pub fn expand_partially(
    root: &Node,
    engine: &Engine,
    scenes: &BTreeMap<String, SceneTemplate>,
    scope: &Scope,
    symbolic: &HashSet<u32>,
) -> Result<(Node, Trace), Diagnostics> {
    let mut expander = Expander::new(engine, scenes, symbolic);
    let out = expander.project(root, scope);
    expander.finish(out)
}

struct Expander<'a> {
    engine: &'a Engine,
    /// Scene template name → the engine's file name for it.
    scene_files: &'a BTreeMap<String, SceneTemplate>,
    symbolic: &'a HashSet<u32>,
    trace: Trace,
    diags: Diagnostics,
    use_depth: usize,
}

impl<'a> Expander<'a> {
    fn new(
        engine: &'a Engine,
        scene_files: &'a BTreeMap<String, SceneTemplate>,
        symbolic: &'a HashSet<u32>,
    ) -> Expander<'a> {
        Expander {
            engine,
            scene_files,
            symbolic,
            trace: Trace::default(),
            diags: Diagnostics::default(),
            use_depth: 0,
        }
    }

    fn finish(self, out: Node) -> Result<(Node, Trace), Diagnostics> {
        if self.diags.has_errors() {
            Err(self.diags)
        } else {
            Ok((out, self.trace))
        }
    }

    /// Records a decision of the spec's own structure (not of a scene template's output,
    /// which the rendered text fixes).
    fn decided(&mut self, code: u32) {
        if self.use_depth == 0 && !self.symbolic.is_empty() {
            self.trace.decisions.push(code);
        }
    }
}

impl Expander<'_> {
    fn project(&mut self, root: &Node, scope: &Scope) -> Node {
        let NodeKind::Map(entries) = &root.kind else {
            self.diags.push(
                Diagnostic::error(format!(
                    "a spec must be a mapping, found {}",
                    root.type_name()
                ))
                .at(&root.span),
            );
            return root.clone();
        };
        let entries = entries
            .iter()
            .map(|(key, value)| {
                let value = match key.name.as_str() {
                    "scenes" => self.list(value, scope, ListKind::Scenes),
                    name if RAW_KEYS.contains(&name) => value.clone(),
                    _ => self.value(value, scope),
                };
                (key.clone(), value)
            })
            .collect();
        Node::new(NodeKind::Map(entries), root.span.clone())
    }

    /// Evaluates every template in a subtree.
    fn value(&mut self, node: &Node, scope: &Scope) -> Node {
        if let Some(id) = node.template {
            if self.symbolic.contains(&id) {
                let index = self.trace.instances.len();
                self.trace.instances.push(id);
                let mut out = Node::new(NodeKind::Str(symbol(index)), node.span.clone());
                out.template = Some(id);
                return out;
            }
            return match self.engine.eval_leaf(id, scope.ctx()) {
                Ok(json) => {
                    let mut out = Node::from_json(&json, &node.span);
                    out.template = Some(id);
                    out
                }
                Err(diagnostic) => {
                    self.diags.push(diagnostic);
                    Node::new(NodeKind::Null, node.span.clone())
                }
            };
        }
        match &node.kind {
            NodeKind::Seq(items) => Node::new(
                NodeKind::Seq(items.iter().map(|i| self.value(i, scope)).collect()),
                node.span.clone(),
            ),
            NodeKind::Map(_) => self.map_except(node, scope, &[]),
            _ => node.clone(),
        }
    }

    /// Evaluates a mapping without the entries under `skip` (`each`, `as`, `when` of an item
    /// already applied).
    fn map_except(&mut self, node: &Node, scope: &Scope, skip: &[&str]) -> Node {
        let NodeKind::Map(entries) = &node.kind else {
            return self.value(node, scope);
        };
        let entries = entries
            .iter()
            .filter(|(key, _)| !skip.contains(&key.name.as_str()))
            .map(|(key, value)| {
                let value = if key.name == "clips" {
                    self.list(value, scope, ListKind::Clips)
                } else if key.name == "extra" {
                    value.clone()
                } else {
                    self.value(value, scope)
                };
                (key.clone(), value)
            })
            .collect();
        let mut out = Node::new(NodeKind::Map(entries), node.span.clone());
        out.template = node.template;
        out
    }

    /// A list of scenes or clips, with `each`/`as`/`when` (and `use` for scenes) applied.
    fn list(&mut self, node: &Node, scope: &Scope, kind: ListKind) -> Node {
        let evaluated;
        let node = if node.template.is_some() {
            evaluated = self.value(node, scope);
            &evaluated
        } else {
            node
        };
        let NodeKind::Seq(items) = &node.kind else {
            self.diags.push(
                Diagnostic::error(format!(
                    "`{}` must be a list, found {}",
                    kind.key(),
                    node.type_name()
                ))
                .at(&node.span),
            );
            return node.clone();
        };
        let mut out = Vec::with_capacity(items.len());
        let limit = match kind {
            ListKind::Scenes => MAX_SCENES,
            ListKind::Clips => MAX_CLIPS,
        };
        'items: for item in items {
            let Some(scopes) = self.repeat(item, scope) else {
                continue;
            };
            // An item that `each` repeated is read without its `each` and `as`.
            let skip: &[&str] = if scopes.is_some() {
                &["each", "as"]
            } else {
                &[]
            };
            for item_scope in scopes.as_deref().unwrap_or(std::slice::from_ref(scope)) {
                if out.len() >= limit {
                    self.diags.push(
                        Diagnostic::error(format!("more than {limit} {} after expansion", kind.key()))
                            .at(&item.span)
                            .with_help("a video this long is probably a mistake in an `each:`; split it into several specs"),
                    );
                    break 'items;
                }
                if !self.when(item, item_scope) {
                    continue;
                }
                match (kind, item.get("use")) {
                    (ListKind::Scenes, Some(name)) => {
                        out.extend(self.use_scene(item, skip, name, item_scope))
                    }
                    _ => {
                        let mut skip = skip.to_vec();
                        skip.push("when");
                        out.push(self.map_except(item, item_scope, &skip));
                    }
                }
            }
        }
        Node::new(NodeKind::Seq(out), node.span.clone())
    }

    /// The scopes of the copies of an item that `each:` asks for (`Some(None)`: no `each`,
    /// the item once in `scope`); None when the `each` is in error.
    fn repeat(&mut self, item: &Node, scope: &Scope) -> Option<Option<Vec<Scope>>> {
        let Some(each) = item.get("each") else {
            return Some(None);
        };
        let name = match item.get("as") {
            None => "item",
            Some(node) => match node.as_str() {
                Some(name) if crate::inputs::is_identifier(name) => name,
                _ => {
                    self.diags.push(
                        Diagnostic::error("`as` must be a plain name like `product`")
                            .at(&node.span),
                    );
                    return None;
                }
            },
        };
        let before = self.diags.items.len();
        let list = self.value(each, scope).to_json();
        if self.diags.items.len() > before {
            return None; // the template's own error says why
        }
        let values = match each_items(&list, scope) {
            Ok(values) => values,
            Err((message, help)) => {
                let mut diagnostic = Diagnostic::error(message).at(&each.span);
                if let Some(help) = help {
                    diagnostic = diagnostic.with_help(help);
                }
                self.diags.push(diagnostic);
                return None;
            }
        };
        self.decided(u32::try_from(values.len()).unwrap_or(u32::MAX));
        let length = values.len();
        let scopes = values
            .iter()
            .enumerate()
            .map(|(index, value)| scope.item(name, value, index, length))
            .collect();
        Some(Some(scopes))
    }

    fn when(&mut self, item: &Node, scope: &Scope) -> bool {
        let Some(when) = item.get("when") else {
            return true;
        };
        let before = self.diags.items.len();
        let value = self.value(when, scope);
        match value.kind {
            NodeKind::Bool(keep) => {
                self.decided(u32::from(keep));
                keep
            }
            _ if self.diags.items.len() > before => false,
            _ => {
                self.diags.push(
                    Diagnostic::error(format!(
                        "`when` must be true or false, got {}",
                        crate::describe_json(&value.to_json())
                    ))
                    .at(&when.span)
                    .with_help("write a comparison, e.g. `when: \"{{ plan == 'Pro' }}\"`"),
                );
                false
            }
        }
    }

    /// Renders a scene template; its output is parsed as YAML and taken literally.
    fn use_scene(
        &mut self,
        item: &Node,
        skip: &[&str],
        name_node: &Node,
        scope: &Scope,
    ) -> Vec<Node> {
        let name = self.value(name_node, scope);
        let Some(name) = name.as_str().map(str::to_owned) else {
            self.diags
                .push(Diagnostic::error("`use` must name a scene template").at(&name_node.span));
            return Vec::new();
        };
        for (key, _) in item.as_map().unwrap_or_default() {
            if !matches!(key.name.as_str(), "use" | "with" | "when" | "clips")
                && !skip.contains(&key.name.as_str())
            {
                self.diags.push(
                    Diagnostic::error(format!("`{}` cannot stand beside `use`", key.name))
                        .at(&key.span)
                        .with_help("a used scene takes its content from the template; pass values with `with:`, add clips with `clips:`"),
                );
            }
        }
        let Some(template) = self.scene_files.get(&name) else {
            self.diags.push(
                Diagnostic::error(format!("no scene template named `{name}`"))
                    .at(&name_node.span)
                    .with_help(crate::diag::suggestion(
                        &name,
                        self.scene_files.keys().map(String::as_str),
                    )),
            );
            return Vec::new();
        };
        let position = self.scene_files.keys().position(|k| *k == name);
        self.decided(position.map_or(u32::MAX, |p| u32::try_from(p + 1).unwrap_or(u32::MAX)));
        if self.use_depth >= MAX_USE_DEPTH {
            self.diags.push(
                Diagnostic::error(format!(
                    "scene templates nest deeper than {MAX_USE_DEPTH} levels"
                ))
                .at(&name_node.span),
            );
            return Vec::new();
        }
        let file = &template.file;
        let args = item.get("with").map(|w| self.value(w, scope));
        let problems = template.check_args(&name, args.as_ref(), name_node);
        if !problems.is_empty() {
            self.diags.extend(problems);
            return Vec::new();
        }
        let mut bindings = Vec::new();
        if let Some(args) = &args {
            match args.as_map() {
                Some(entries) => bindings.extend(
                    entries
                        .iter()
                        .map(|(k, v)| (k.name.clone(), engine::from_json(&v.to_json()))),
                ),
                None => self.diags.push(
                    Diagnostic::error("`with` must be a mapping of arguments").at(&args.span),
                ),
            }
        }
        if self.use_depth > 0
            && !self.symbolic.is_empty()
            && args
                .as_ref()
                .is_some_and(|a| a.to_json().to_string().contains(SYMBOL))
        {
            self.diags.push(
                Diagnostic::error("a row-dependent argument of a nested scene template")
                    .at(&name_node.span),
            );
            return Vec::new();
        }
        let template_scope = scope.with(bindings);
        let rendered = match self.engine.render_file(file, template_scope.ctx()) {
            Ok(text) => text,
            Err(mut diagnostic) => {
                if diagnostic.message.starts_with("undefined variable") {
                    diagnostic.help = Some(format!(
                        "pass it under `with:` where the template is used, or declare it on the `with:` line of {file}'s leading comment"
                    ));
                }
                self.diags
                    .push(diagnostic.with_context("scene template used", &name_node.span));
                return Vec::new();
            }
        };
        if self.use_depth == 0 && !self.symbolic.is_empty() {
            self.trace.renders.push(rendered.clone());
        }
        let source = Source::new(format!("{file} (rendered)"), rendered);
        let parsed = match yaml::parse(&source, yaml::Limits::default()) {
            Ok(node) => node,
            Err(diagnostic) => {
                self.diags
                    .push(diagnostic.with_context("scene template used", &name_node.span));
                return Vec::new();
            }
        };
        let scenes = match parsed.kind {
            NodeKind::Seq(items) => items,
            NodeKind::Map(_) => vec![parsed],
            _ => {
                self.diags.push(
                    Diagnostic::error(format!(
                        "scene template `{name}` must produce a scene mapping"
                    ))
                    .at(&name_node.span),
                );
                return Vec::new();
            }
        };
        let mut out = Vec::new();
        let before = self.diags.items.len();
        for scene in &scenes {
            shape::check(scene, &shape::SCENE, "scene", &mut self.diags);
        }
        for diagnostic in &mut self.diags.items[before..] {
            diagnostic
                .context
                .push(("scene template used".to_owned(), name_node.span.clone()));
        }
        self.use_depth += 1;
        let list = Node::new(NodeKind::Seq(scenes), name_node.span.clone());
        if let NodeKind::Seq(items) = self.list(&list, scope, ListKind::Scenes).kind {
            out = items;
        }
        self.use_depth -= 1;
        // Clips beside `use:` (a logo, a caption) go on top of each scene the template made.
        if let Some(extra) = item.get("clips") {
            let NodeKind::Seq(added) = self.list(extra, scope, ListKind::Clips).kind else {
                return out;
            };
            for scene in &mut out {
                append_clips(scene, &added, &extra.span);
            }
        }
        out
    }
}

/// The items an `each:` value gives, or the error (and help) when it gives no list or too
/// many items.
pub(crate) fn each_items<'v>(
    list: &'v serde_json::Value,
    scope: &Scope,
) -> Result<&'v [serde_json::Value], (String, Option<String>)> {
    let serde_json::Value::Array(values) = list else {
        let named = list.as_str().filter(|s| scope.has(s));
        let help = match named {
            Some(name) => {
                format!("to repeat over the variable, write `each: \"{{{{ {name} }}}}\"`")
            }
            None => {
                "give a YAML list, or a template that makes one: `each: \"{{ items }}\"`".to_owned()
            }
        };
        return Err((
            format!(
                "`each` must give a list, got {}",
                crate::describe_json(list)
            ),
            Some(help),
        ));
    };
    if values.len() > MAX_EACH_ITEMS {
        return Err((
            format!(
                "`each` gives {} items; at most {MAX_EACH_ITEMS} are allowed",
                values.len()
            ),
            None,
        ));
    }
    Ok(values)
}

#[derive(Clone, Copy)]
enum ListKind {
    Scenes,
    Clips,
}

impl ListKind {
    fn key(self) -> &'static str {
        match self {
            ListKind::Scenes => "scenes",
            ListKind::Clips => "clips",
        }
    }
}

/// Appends `added` to a scene's `clips` (creating the list when the scene has none).
fn append_clips(scene: &mut Node, added: &[Node], span: &Span) {
    let NodeKind::Map(entries) = &mut scene.kind else {
        return;
    };
    match entries.iter_mut().find(|(k, _)| k.name == "clips") {
        Some((
            _,
            Node {
                kind: NodeKind::Seq(clips),
                ..
            },
        )) => clips.extend(added.iter().cloned()),
        Some(_) => {}
        None => entries.push((
            Key {
                name: "clips".to_owned(),
                span: span.clone(),
            },
            Node::new(NodeKind::Seq(added.to_vec()), span.clone()),
        )),
    }
}

/// A span for values that no spec text produced (defaults).
pub fn nowhere() -> Span {
    Span::start_of(&Source::new("<default>", ""))
}
