//! The template engine: one minijinja environment holding every template of a compilation,
//! compiled once, and the map from a template's errors back to the spec or file it came from.
//!
//! Spec strings are registered as `#<id>` templates. A string that is exactly one `{{ expr }}`
//! is registered as `{% set __value = (expr) %}` and read back from the template's state, so
//! it keeps the expression's type. Inputs reach templates only as context values: data is
//! never parsed as template source.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, RwLock};

use minijinja::{AutoEscape, Environment, ErrorKind, UndefinedBehavior, Value};

use crate::diag::{Diagnostic, Source, Span, suggestion};

/// Instructions one render may execute before it is stopped.
pub const FUEL: u64 = 500_000;
/// How deeply templates may nest calls and includes.
pub const RECURSION_LIMIT: usize = 64;

const VALUE: &str = "__vidspec_value";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Form {
    /// Renders to a string.
    Text,
    /// One `{{ expr }}`: evaluates to a value of any type.
    Value,
}

#[derive(Debug)]
struct Leaf {
    span: Span,
    form: Form,
    /// Bytes added in front of the user's text in the registered source.
    prefix: usize,
    /// Where, in the user's text, the registered part begins.
    user_start: usize,
    vars: BTreeSet<String>,
    /// The template as text and plain variable reads, when it is nothing more.
    simple: Option<Vec<Chunk>>,
}

/// A piece of a template that only prints variables: text, or `{{ name.attr }}`.
#[derive(Debug)]
enum Chunk {
    Text(String),
    Var(Vec<String>),
}

/// The chunks of a template that is only text and `{{ name }}` / `{{ name.attr }}` prints
/// (no filters, tests, operators, whitespace control or trailing newline); None otherwise.
fn simple_chunks(text: &str) -> Option<Vec<Chunk>> {
    if text.ends_with('\n') || text.contains('\r') || text.contains("{%") || text.contains("{#") {
        return None;
    }
    let identifier = |p: &str| {
        p.chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && !matches!(p, "true" | "false" | "none" | "True" | "False" | "None")
    };
    let mut chunks = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        if start > 0 {
            chunks.push(Chunk::Text(rest[..start].to_owned()));
        }
        let after = &rest[start + 2..];
        let end = after.find("}}")?;
        let inner = &after[..end];
        if inner.starts_with(['-', '+']) || inner.ends_with(['-', '+']) {
            return None;
        }
        let path: Vec<String> = inner.trim().split('.').map(str::to_owned).collect();
        if !path.iter().all(|p| identifier(p)) {
            return None;
        }
        chunks.push(Chunk::Var(path));
        rest = &after[end + 2..];
    }
    if !rest.is_empty() {
        chunks.push(Chunk::Text(rest.to_owned()));
    }
    Some(chunks)
}

/// A variable read of a simple template; None when it is undefined (the template machine
/// then says why).
fn lookup(ctx: &Value, path: &[String]) -> Option<Value> {
    let (first, rest) = path.split_first()?;
    let mut value = ctx.get_attr(first).ok()?;
    for attr in rest {
        value = value.get_attr(attr).ok()?;
    }
    (!value.is_undefined()).then_some(value)
}

/// A simple template's result, as the template machine gives it; None to leave it to the
/// machine (an undefined name, or a value whose printing is not plain).
fn eval_simple(chunks: &[Chunk], form: Form) -> impl Fn(&Value) -> Option<serde_json::Value> {
    move |ctx| match (form, chunks) {
        (Form::Value, [Chunk::Var(path)]) => to_json(&lookup(ctx, path)?).ok(),
        (Form::Value, _) => None,
        (Form::Text, _) => {
            use std::fmt::Write;
            let mut out = String::new();
            for chunk in chunks {
                match chunk {
                    Chunk::Text(text) => out.push_str(text),
                    Chunk::Var(path) => {
                        let value = lookup(ctx, path)?;
                        match value.kind() {
                            minijinja::value::ValueKind::String => out.push_str(value.as_str()?),
                            minijinja::value::ValueKind::Number if value.is_integer() => {
                                write!(out, "{value}").ok()?;
                            }
                            _ => return None,
                        }
                    }
                }
            }
            Some(serde_json::Value::String(out))
        }
    }
}

/// All templates of one compilation.
pub struct Engine {
    env: Environment<'static>,
    leaves: Vec<Leaf>,
    files: HashMap<String, Arc<Source>>,
    /// Built-in template files by name: the environment's loader compiles one when it is
    /// first used.
    builtins: Arc<RwLock<HashMap<String, String>>>,
}

impl Default for Engine {
    fn default() -> Engine {
        Engine::new()
    }
}

/// Whether a string contains template syntax.
pub fn is_template(text: &str) -> bool {
    text.contains("{{") || text.contains("{%") || text.contains("{#")
}

/// The expression of a string that is exactly one `{{ expr }}`, with its byte offset.
fn single_expression(text: &str) -> Option<(usize, &str)> {
    let lead = text.len() - text.trim_start().len();
    let trimmed = text.trim();
    let inner = trimmed.strip_prefix("{{")?.strip_suffix("}}")?;
    if is_template(inner) || inner.contains("}}") {
        return None;
    }
    let after_dash = inner.strip_prefix('-').unwrap_or(inner);
    let expr = after_dash.strip_suffix('-').unwrap_or(after_dash);
    let offset = lead + 2 + (inner.len() - after_dash.len());
    Some((offset, expr))
}

/// Turns "Hello, World!" into "hello-world"; keeps letters of every script.
pub fn slug(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

impl Engine {
    pub fn new() -> Engine {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_fuel(Some(FUEL));
        env.set_recursion_limit(RECURSION_LIMIT);
        env.set_auto_escape_callback(|name| {
            if name.ends_with(".json") || name.ends_with(".yaml") || name.ends_with(".yml") {
                AutoEscape::Json
            } else {
                AutoEscape::None
            }
        });
        env.add_filter("slug", |text: String| slug(&text));
        env.add_filter("number", super::format::number);
        env.add_filter("currency", super::format::currency);
        env.add_filter("korean_units", super::format::korean_units);
        env.add_filter("date", super::format::date);
        let builtins: Arc<RwLock<HashMap<String, String>>> = Arc::default();
        let waiting = Arc::clone(&builtins);
        // Rows of a batch render on several threads, and two may ask for a template at once:
        // each gets its text (the environment keeps one compiled template).
        env.set_loader(move |name| {
            Ok(waiting
                .read()
                .expect("built-in templates")
                .get(name)
                .cloned())
        });
        Engine {
            env,
            leaves: Vec::new(),
            files: HashMap::new(),
            builtins,
        }
    }

    /// Registers a spec string as a template; returns its id.
    pub fn add_leaf(&mut self, text: &str, span: &Span) -> Result<u32, Diagnostic> {
        let id = u32::try_from(self.leaves.len()).expect("fewer than 2^32 templates");
        let simple = simple_chunks(text);
        let (form, source, prefix, user_start) = match single_expression(text) {
            Some((offset, expr)) => {
                let head = format!("{{% set {VALUE} = (");
                let prefix = head.len();
                (Form::Value, format!("{head}{expr}) %}}"), prefix, offset)
            }
            None => (Form::Text, text.to_owned(), 0, 0),
        };
        self.leaves.push(Leaf {
            span: span.clone(),
            form,
            prefix,
            user_start,
            vars: BTreeSet::new(),
            simple,
        });
        let name = format!("#{id}");
        if let Err(err) = self.env.add_template_owned(name.clone(), source) {
            return Err(self.diagnose_leaf(id, &err, &[]));
        }
        let vars = self
            .env
            .get_template(&name)
            .map(|t| t.undeclared_variables(false).into_iter().collect())
            .unwrap_or_default();
        self.leaves[id as usize].vars = vars;
        Ok(id)
    }

    /// The names a spec template reads from its context.
    pub fn leaf_vars(&self, id: u32) -> &BTreeSet<String> {
        &self.leaves[id as usize].vars
    }

    pub fn leaf_span(&self, id: u32) -> &Span {
        &self.leaves[id as usize].span
    }

    /// Evaluates a spec template in a context.
    pub fn eval_leaf(&self, id: u32, ctx: &Value) -> Result<serde_json::Value, Diagnostic> {
        let leaf = &self.leaves[id as usize];
        if let Some(value) = leaf
            .simple
            .as_deref()
            .and_then(|chunks| eval_simple(chunks, leaf.form)(ctx))
        {
            return Ok(value);
        }
        let fail = |err: minijinja::Error| self.diagnose_leaf(id, &err, &context_names(ctx));
        let template = self.env.get_template(&format!("#{id}")).map_err(fail)?;
        match leaf.form {
            Form::Text => template
                .render(ctx)
                .map(serde_json::Value::String)
                .map_err(fail),
            Form::Value => {
                let captured = template.render_captured(ctx).map_err(fail)?;
                let value = captured.state().lookup(VALUE).unwrap_or(Value::UNDEFINED);
                if value.is_undefined() {
                    // Strict mode lets `set` take an undefined value; a spec value may not.
                    let undefined = minijinja::Error::new(
                        ErrorKind::UndefinedError,
                        "the expression has no value",
                    );
                    return Err(self.diagnose_leaf(id, &undefined, &context_names(ctx)));
                }
                to_json(&value).map_err(|m| Diagnostic::error(m).at(&leaf.span))
            }
        }
    }

    /// Registers a template file (a scene or clip template, an output path pattern).
    pub fn add_file(&mut self, name: &str, text: &str) -> Result<(), Diagnostic> {
        let source = Source::new(name, text);
        self.files.insert(name.to_owned(), Arc::clone(&source));
        self.env
            .add_template_owned(name.to_owned(), text.to_owned())
            .map_err(|err| self.diagnose_file(&err, &[]))
    }

    /// Registers one of vidspec's own template files, compiled on first use: the bundled files
    /// compile (a test says so), and a spec uses only a few of them.
    pub fn add_builtin(&mut self, name: &str, text: &str) {
        self.files.insert(name.to_owned(), Source::new(name, text));
        self.builtins
            .write()
            .expect("built-in templates")
            .insert(name.to_owned(), text.to_owned());
    }

    /// The names a template file reads from its context.
    pub fn file_vars(&self, name: &str) -> BTreeSet<String> {
        self.env
            .get_template(name)
            .map(|t| t.undeclared_variables(false).into_iter().collect())
            .unwrap_or_default()
    }

    /// Renders a registered template file.
    pub fn render_file(&self, name: &str, ctx: &Value) -> Result<String, Diagnostic> {
        self.env
            .get_template(name)
            .and_then(|t| t.render(ctx))
            .map_err(|err| self.diagnose_file(&err, &context_names(ctx)))
    }

    fn diagnose_leaf(&self, id: u32, err: &minijinja::Error, names: &[String]) -> Diagnostic {
        let leaf = &self.leaves[id as usize];
        let span = err
            .range()
            .filter(|r| r.start >= leaf.prefix)
            .and_then(|r| {
                let start = r.start - leaf.prefix + leaf.user_start;
                let end = r.end.saturating_sub(leaf.prefix) + leaf.user_start;
                value_span(&leaf.span).map(|v| v.narrow(start, end.max(start + 1)))
            })
            .unwrap_or_else(|| leaf.span.clone());
        explain(err, &leaf.vars, names).at(&span)
    }

    fn diagnose_file(&self, err: &minijinja::Error, names: &[String]) -> Diagnostic {
        let file = err.name().and_then(|n| self.files.get(n));
        let mut vars: BTreeSet<String> = err
            .name()
            .and_then(|n| self.env.get_template(n).ok())
            .map(|t| t.undeclared_variables(false).into_iter().collect())
            .unwrap_or_default();
        // The failing expression is on the error's line: name a variable read there.
        let text = match (file, err.range(), err.line()) {
            (Some(source), Some(range), _) => source.text.get(range).map(str::to_owned),
            (Some(source), None, Some(line)) => {
                source.text.lines().nth(line - 1).map(str::to_owned)
            }
            _ => None,
        };
        if let Some(text) = text {
            let on_line: BTreeSet<String> = vars
                .iter()
                .filter(|v| mentions(&text, v))
                .cloned()
                .collect();
            if !on_line.is_empty() {
                vars = on_line;
            }
        }
        let diagnostic = explain(err, &vars, names);
        match (file, err.range(), err.line()) {
            (Some(source), Some(range), _) => {
                diagnostic.at(&Span::new(source, range.start, range.end))
            }
            (Some(source), None, Some(line)) => {
                let at = source.offset_of(line, 0);
                diagnostic.at(&Span::new(source, at, at))
            }
            _ => diagnostic,
        }
    }
}

/// Whether `text` reads the variable `name` (as a whole word).
fn mentions(text: &str, name: &str) -> bool {
    let word = |c: char| c.is_alphanumeric() || c == '_';
    text.match_indices(name).any(|(i, _)| {
        let before = text[..i].chars().next_back().is_none_or(|c| !word(c));
        let after = text[i + name.len()..]
            .chars()
            .next()
            .is_none_or(|c| !word(c));
        before && after
    })
}

/// The part of a scalar's span that holds its text verbatim (inside quotes), if it does.
fn value_span(span: &Span) -> Option<Span> {
    let raw = span.text();
    let quote = usize::from(raw.starts_with(['"', '\'']));
    let body = &raw[quote..];
    let single_line = !body.contains('\n');
    single_line.then(|| span.narrow(quote, raw.len()))
}

fn context_names(ctx: &Value) -> Vec<String> {
    ctx.try_iter()
        .map(|it| it.filter_map(|k| k.as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}

fn explain(err: &minijinja::Error, vars: &BTreeSet<String>, names: &[String]) -> Diagnostic {
    let detail = err.detail().unwrap_or_default();
    match err.kind() {
        ErrorKind::UndefinedError => {
            let missing: Vec<&String> = vars.iter().filter(|v| !names.contains(v)).collect();
            match missing.first() {
                Some(name) if names.is_empty() => {
                    Diagnostic::error(format!("undefined variable `{name}`")).with_help(format!(
                        "declare it under `vars:`, e.g. `{name}: {{ type: string }}`"
                    ))
                }
                Some(name) => Diagnostic::error(format!("undefined variable `{name}`"))
                    .with_help(suggestion(name, names.iter().map(String::as_str))),
                None => Diagnostic::error(format!("undefined value: {}", kind_text(err))),
            }
        }
        ErrorKind::SyntaxError => Diagnostic::error(format!("template syntax error: {detail}")),
        ErrorKind::OutOfFuel => Diagnostic::error(format!(
            "template stopped after {FUEL} steps (a runaway loop?)"
        )),
        ErrorKind::UnknownFilter | ErrorKind::UnknownFunction | ErrorKind::UnknownTest => {
            Diagnostic::error(format!("template error: {}", kind_text(err)))
        }
        _ => Diagnostic::error(format!("template error: {}", kind_text(err))),
    }
}

fn kind_text(err: &minijinja::Error) -> String {
    match err.detail() {
        Some(detail) => format!("{} ({detail})", err.kind()),
        None => err.kind().to_string(),
    }
}

/// A template value as JSON; numbers with no fraction become integers.
pub fn to_json(value: &Value) -> Result<serde_json::Value, String> {
    if value.is_undefined() {
        return Ok(serde_json::Value::Null);
    }
    if let Some(f) = non_finite(value) {
        // JSON has no infinity: serialized, it would silently become null.
        let what = match f {
            f if f.is_nan() => "not-a-number (NaN)",
            f if f > 0.0 => "infinity",
            _ => "-infinity",
        };
        return Err(format!(
            "the template's value is {what}, which no JSON number can hold (a result too large for a number, or 0/0)"
        ));
    }
    serde_json::to_value(value)
        .map_err(|e| format!("template produced a value that is not data: {e}"))
}

/// A number in `value` (or in a list or mapping inside it) that is infinite or NaN.
fn non_finite(value: &Value) -> Option<f64> {
    use minijinja::value::ValueKind;
    match value.kind() {
        ValueKind::Number => f64::try_from(value.clone()).ok().filter(|f| !f.is_finite()),
        ValueKind::Seq | ValueKind::Map => value.try_iter().ok()?.find_map(|item| {
            let inner = if value.kind() == ValueKind::Map {
                value.get_item(&item).ok()?
            } else {
                item
            };
            non_finite(&inner)
        }),
        _ => None,
    }
}

/// A JSON value as a template value.
pub fn from_json(value: &serde_json::Value) -> Value {
    to_value(value)
}

/// Any serializable Rust value as a template value.
pub fn to_value<T: serde::Serialize>(value: T) -> Value {
    Value::from(minijinja::value::Serde(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Built-in template files are compiled only when a spec uses them, so none may fail to.
    #[test]
    fn every_builtin_template_file_compiles_and_loads_when_first_used() {
        let mut eager = Engine::new();
        let mut lazy = Engine::new();
        let files: Vec<_> = crate::library::BUILTIN
            .iter()
            .filter(|(path, _)| path.starts_with("clips/") || path.starts_with("scenes/"))
            .collect();
        assert!(files.len() >= 9);
        for (path, text) in &files {
            eager
                .add_file(path, text)
                .unwrap_or_else(|d| panic!("{path}: {}", d.message));
            lazy.add_builtin(path, text);
        }
        for (path, _) in &files {
            assert_eq!(lazy.file_vars(path), eager.file_vars(path), "{path}");
            assert!(!lazy.file_vars(path).is_empty(), "{path} reads its context");
        }
    }

    /// Rows render on several threads: all that first ask for a built-in template at once get
    /// it.
    #[test]
    fn a_builtin_template_first_used_by_many_threads_at_once_reaches_them_all() {
        for _ in 0..50 {
            let mut engine = Engine::new();
            let (path, text) = crate::library::BUILTIN
                .iter()
                .find(|(path, _)| path.starts_with("clips/"))
                .unwrap();
            engine.add_builtin(path, text);
            let engine = &engine;
            let barrier = std::sync::Barrier::new(8);
            std::thread::scope(|scope| {
                for _ in 0..8 {
                    let barrier = &barrier;
                    scope.spawn(move || {
                        barrier.wait();
                        assert!(!engine.file_vars(path).is_empty(), "{path} not found");
                    });
                }
            });
        }
    }

    /// Templates read without the template machine give what the machine gives.
    #[test]
    fn simple_templates_evaluate_as_the_machine_does() {
        let texts = [
            "{{ name }}",
            "Hello {{ name }}, {{ n }} seats }} {",
            "{{ item.title }} / {{ loop.index }}",
            "{{ f }}: {{ x }}",
            "{{ n }}",
            "{{ x }}",
            "{{ missing }}",
            "{{ name.nothing }}",
            "{{ none }}",
        ];
        let ctx = minijinja::context! {
            name => "Zed \"z\"", n => 3, x => 2.5, f => true,
            item => minijinja::context! { title => "T" }, loop => minijinja::context! { index => 1 },
        };
        let source = Source::new("t.yaml", "x");
        let mut fast = Engine::new();
        let mut slow = Engine::new();
        for text in texts {
            let span = Span::new(&source, 0, 1);
            let a = fast.add_leaf(text, &span).unwrap();
            let b = slow.add_leaf(text, &span).unwrap();
            slow.leaves[b as usize].simple = None;
            let quick = fast.eval_leaf(a, &ctx).map_err(|d| d.message);
            let machine = slow.eval_leaf(b, &ctx).map_err(|d| d.message);
            assert_eq!(quick, machine, "{text}");
        }
        assert!(fast.leaves.iter().filter(|l| l.simple.is_some()).count() >= 7);
    }

    fn span(text: &str) -> Span {
        let source = Source::new("t.yaml", format!("k: \"{text}\"\n"));
        Span::new(&source, 3, 3 + text.len() + 2)
    }

    fn ctx() -> Value {
        minijinja::context! { seats => 3, name => "Ann", items => vec!["a", "b"] }
    }

    #[test]
    fn single_expression_keeps_its_type() {
        let mut engine = Engine::new();
        let id = engine
            .add_leaf("{{ seats }}", &span("{{ seats }}"))
            .unwrap();
        assert_eq!(engine.eval_leaf(id, &ctx()).unwrap(), serde_json::json!(3));
        let id = engine
            .add_leaf("{{ items }}", &span("{{ items }}"))
            .unwrap();
        assert_eq!(
            engine.eval_leaf(id, &ctx()).unwrap(),
            serde_json::json!(["a", "b"])
        );
    }

    #[test]
    fn mixed_text_renders_to_a_string() {
        let mut engine = Engine::new();
        let id = engine
            .add_leaf("{{ seats }} seats", &span("{{ seats }} seats"))
            .unwrap();
        assert_eq!(
            engine.eval_leaf(id, &ctx()).unwrap(),
            serde_json::json!("3 seats")
        );
    }

    #[test]
    fn undefined_names_are_errors_with_a_suggestion() {
        let mut engine = Engine::new();
        let id = engine
            .add_leaf("Hi {{ nme }}", &span("Hi {{ nme }}"))
            .unwrap();
        let err = engine.eval_leaf(id, &ctx()).unwrap_err();
        assert_eq!(err.message, "undefined variable `nme`");
        assert_eq!(err.help.as_deref(), Some("did you mean `name`?"));
    }

    #[test]
    fn a_lone_undefined_expression_is_an_error_too() {
        let mut engine = Engine::new();
        let id = engine.add_leaf("{{ nme }}", &span("{{ nme }}")).unwrap();
        let err = engine.eval_leaf(id, &ctx()).unwrap_err();
        assert_eq!(err.message, "undefined variable `nme`");
        let id = engine
            .add_leaf("{{ items.nope }}", &span("{{ items.nope }}"))
            .unwrap();
        assert!(engine.eval_leaf(id, &ctx()).is_err());
    }

    #[test]
    fn runaway_loops_run_out_of_fuel() {
        let mut engine = Engine::new();
        let text =
            "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}";
        let id = engine.add_leaf(text, &span(text)).unwrap();
        let err = engine.eval_leaf(id, &ctx()).unwrap_err();
        assert!(err.message.contains("stopped after"), "{}", err.message);
    }

    #[test]
    fn every_catalog_example_renders_its_result() {
        let mut engine = Engine::new();
        let ctx: serde_json::Value =
            serde_json::from_str(super::super::catalog::EXAMPLE_CONTEXT).unwrap();
        let ctx = from_json(&ctx);
        for entry in super::super::catalog::ENTRIES {
            let id = engine
                .add_leaf(entry.example, &span(entry.example))
                .unwrap_or_else(|d| panic!("{}: {}", entry.name, d.message));
            let got = engine
                .eval_leaf(id, &ctx)
                .unwrap_or_else(|d| panic!("{}: {}", entry.name, d.message));
            let got = match got {
                serde_json::Value::String(s) => s,
                other => serde_json::to_string(&other).unwrap().replace(',', ", "),
            };
            assert_eq!(got, entry.result, "{}: {}", entry.name, entry.example);
        }
    }

    #[test]
    fn slug_keeps_letters_of_every_script() {
        assert_eq!(slug("Hello, World!"), "hello-world");
        assert_eq!(slug("김민수 님"), "김민수-님");
        assert_eq!(slug("../../etc/passwd"), "etc-passwd");
    }
}
