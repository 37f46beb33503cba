//! Four things done once, when vidspec is built, so that no run pays for them at start-up:
//!
//! - **The bundled schemas, as the full validator reads them.** `schemas/project.v3.schema.json`
//!   and `schemas/preset.schema.json` are written into `OUT_DIR` without their annotations
//!   (`description`, `title`, `$comment`, `examples`: they change no verdict) and without
//!   white space, a quarter of the text to parse when `jsonschema` is needed.
//! - **The project schema's quick validator, compiled.** `check::subset`'s compiler
//!   (`src/check/subset/compiled.rs`, included here) compiles the stripped project schema, and
//!   the result is written out as a Rust expression (`project.v3.subset.rs`: `static` nodes,
//!   `&'static` slices and strings) that the library includes. A schema that uses a keyword
//!   outside the subset is written as `None` with a build warning naming the keyword, and
//!   vidspec validates with `jsonschema` alone, as it would for any such schema.
//! - **A fixed-address executable on Linux.** A position-independent executable is relocated
//!   by the dynamic loader at every start: for vidspec, some 29,000 pointers written into half
//!   a megabyte of tables, a page fault for each page. Linked at a fixed address it needs no
//!   relocation (its libraries, stack and heap are still placed at random). `VIDSPEC_PIE=1`
//!   keeps the toolchain's position-independent executable, for packagers whose policy asks
//!   for one.
//! - **The built-in presets as JSON.** `templates/models/*.yaml` are converted to JSON, which
//!   a run reads several times faster than the YAML (a test holds the two to the same value).
//!
//! See "Start-up" in ARCHITECTURE.md.

use std::fmt::Write as _;
use std::path::Path;

use serde_json::Value;

#[path = "src/check/subset/compiled.rs"]
mod compiled;

#[path = "src/load/yaml/core_schema.rs"]
mod core_schema;

use compiled::{Literal, Node, Num, Rules, Validator};
use core_schema::Plain;

/// Keywords that annotate a schema and take no part in validation.
const ANNOTATIONS: &[&str] = &["description", "title", "$comment", "examples"];
/// Keywords whose value is a map of names to schemas.
const SCHEMA_MAPS: &[&str] = &["properties", "$defs", "definitions", "patternProperties"];
/// Keywords whose value is a schema.
const SCHEMA_VALUES: &[&str] = &[
    "items",
    "not",
    "if",
    "then",
    "else",
    "additionalProperties",
    "contains",
    "propertyNames",
    "unevaluatedItems",
    "unevaluatedProperties",
];
/// Keywords whose value is a list of schemas.
const SCHEMA_LISTS: &[&str] = &["allOf", "anyOf", "oneOf", "prefixItems"];

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=src/check/subset/compiled.rs");
    println!("cargo:rerun-if-changed=src/load/yaml/core_schema.rs");
    println!("cargo:rerun-if-env-changed=VIDSPEC_PIE");
    let out = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    for name in ["project.v3.schema.json", "preset.schema.json"] {
        let source = Path::new("schemas").join(name);
        println!("cargo:rerun-if-changed={}", source.display());
        let text = std::fs::read_to_string(&source)
            .unwrap_or_else(|e| panic!("reading {}: {e}", source.display()));
        let mut schema: Value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{} is not JSON: {e}", source.display()));
        strip(&mut schema);
        let compact = serde_json::to_string(&schema).expect("a JSON value serializes");
        std::fs::write(Path::new(&out).join(name), &compact).expect("writing OUT_DIR");
        if name == "project.v3.schema.json" {
            let mut rust = String::new();
            match compiled::compile(&schema) {
                Ok(validator) => wrapped(&mut rust, "Some(", &validator),
                Err(refused) => {
                    println!(
                        "cargo:warning={} is outside check::subset ({refused}): \
                         projects are validated by jsonschema alone, a slower start",
                        source.display()
                    );
                    rust.push_str("None");
                }
            }
            rust.push('\n');
            std::fs::write(Path::new(&out).join("project.v3.subset.rs"), rust)
                .expect("writing OUT_DIR");
        }
    }

    presets_as_json(Path::new(&out));

    let linux = std::env::var("CARGO_CFG_TARGET_OS").is_ok_and(|os| os == "linux");
    let keep_pie = std::env::var("VIDSPEC_PIE").is_ok_and(|v| !v.is_empty() && v != "0");
    if linux && !keep_pie {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
}

/// Removes the annotations of `schema` and of every schema inside it; values that are data
/// (`enum`, `const`, `default`, property names) are left as they are.
fn strip(schema: &mut Value) {
    let Value::Object(map) = schema else {
        return;
    };
    map.retain(|key, _| !ANNOTATIONS.contains(&key.as_str()));
    for (key, value) in map.iter_mut() {
        let key = key.as_str();
        if SCHEMA_VALUES.contains(&key) {
            strip(value);
        } else if SCHEMA_MAPS.contains(&key) {
            if let Value::Object(named) = value {
                named.values_mut().for_each(strip);
            }
        } else if SCHEMA_LISTS.contains(&key) {
            if let Value::Array(list) = value {
                list.iter_mut().for_each(strip);
            }
        }
    }
}

/// Writes a compiled value as the Rust expression that builds it, for `include!` in
/// `check::subset` (where these types are in scope).
trait Rust {
    fn rust(&self, out: &mut String);
    /// Whether the value is the field's value in `Rules::NONE` (and so left out).
    fn absent(&self) -> bool {
        false
    }
}

impl Rust for Validator {
    fn rust(&self, out: &mut String) {
        let Validator { root, defs } = self;
        out.push_str("Validator { root: ");
        root.rust(out);
        out.push_str(", defs: ");
        defs.rust(out);
        out.push_str(" }");
    }
}

impl Rust for Node {
    fn rust(&self, out: &mut String) {
        match self {
            Node::Always(answer) => write!(out, "Node::Always({answer})").unwrap(),
            Node::Rules(rules) => wrapped(out, "Node::Rules(&", *rules),
        }
    }
}

impl Rust for Rules {
    fn rust(&self, out: &mut String) {
        // Every field by name: one added to `Rules` does not build until it is written here.
        let Rules {
            types,
            constant,
            choices,
            minimum,
            maximum,
            exclusive_minimum,
            exclusive_maximum,
            min_length,
            max_length,
            min_items,
            max_items,
            required,
            properties,
            items,
            all_of,
            condition,
            then,
            otherwise,
            reference,
        } = self;
        let fields: [(&str, &dyn Rust); 19] = [
            ("types", types),
            ("constant", constant),
            ("choices", choices),
            ("minimum", minimum),
            ("maximum", maximum),
            ("exclusive_minimum", exclusive_minimum),
            ("exclusive_maximum", exclusive_maximum),
            ("min_length", min_length),
            ("max_length", max_length),
            ("min_items", min_items),
            ("max_items", max_items),
            ("required", required),
            ("properties", properties),
            ("items", items),
            ("all_of", all_of),
            ("condition", condition),
            ("then", then),
            ("otherwise", otherwise),
            ("reference", reference),
        ];
        out.push_str("Rules { ");
        for (name, value) in fields {
            if !value.absent() {
                write!(out, "{name}: ").unwrap();
                value.rust(out);
                out.push_str(", ");
            }
        }
        out.push_str("..Rules::NONE }");
    }
}

impl Rust for Literal {
    fn rust(&self, out: &mut String) {
        match self {
            Literal::Null => out.push_str("Literal::Null"),
            Literal::Bool(b) => write!(out, "Literal::Bool({b})").unwrap(),
            Literal::Number(n) => wrapped(out, "Literal::Number(", n),
            Literal::String(s) => write!(out, "Literal::String({s:?})").unwrap(),
            Literal::Array(items) => wrapped(out, "Literal::Array(", items),
            Literal::Object(entries) => wrapped(out, "Literal::Object(", entries),
        }
    }
}

impl Rust for Num {
    fn rust(&self, out: &mut String) {
        match self {
            Num::U(n) => write!(out, "Num::U({n})"),
            Num::I(n) => write!(out, "Num::I({n})"),
            // `{:?}` writes the shortest text that reads back as the same `f64`, always with a
            // `.` or an exponent, so Rust reads it as a float.
            Num::F(n) => write!(out, "Num::F({n:?})"),
        }
        .unwrap();
    }
}

impl<T: Rust> Rust for Option<T> {
    fn rust(&self, out: &mut String) {
        match self {
            None => out.push_str("None"),
            Some(value) => wrapped(out, "Some(", value),
        }
    }
    fn absent(&self) -> bool {
        self.is_none()
    }
}

impl<T: Rust> Rust for &[T] {
    fn rust(&self, out: &mut String) {
        out.push_str("&[");
        for item in self.iter() {
            item.rust(out);
            out.push_str(", ");
        }
        out.push(']');
    }
    fn absent(&self) -> bool {
        self.is_empty()
    }
}

impl<A: Rust, B: Rust> Rust for (A, B) {
    fn rust(&self, out: &mut String) {
        out.push('(');
        self.0.rust(out);
        out.push_str(", ");
        self.1.rust(out);
        out.push(')');
    }
}

impl Rust for &str {
    fn rust(&self, out: &mut String) {
        write!(out, "{self:?}").unwrap();
    }
}

/// `open`, `value` and a closing parenthesis.
fn wrapped(out: &mut String, open: &str, value: &dyn Rust) {
    out.push_str(open);
    value.rust(out);
    out.push(')');
}

/// Integers, written as Rust reads them.
macro_rules! plain {
    ($($t:ty),*) => {
        $(impl Rust for $t {
            fn rust(&self, out: &mut String) {
                write!(out, "{self}").unwrap();
            }
        })*
    };
}

plain!(u8, u64, usize);

/// Writes `builtin_presets.rs` into `out`: a list of each built-in preset's library name and
/// its JSON text.
fn presets_as_json(out: &Path) {
    let folder = Path::new("templates").join("models");
    println!("cargo:rerun-if-changed={}", folder.display());
    let mut names: Vec<_> = std::fs::read_dir(&folder)
        .unwrap_or_else(|e| panic!("reading {}: {e}", folder.display()))
        .map(|entry| {
            entry
                .expect("a folder entry")
                .file_name()
                .into_string()
                .expect("UTF-8")
        })
        .filter(|name| name.ends_with(".yaml"))
        .collect();
    names.sort();
    let mut list = String::from("&[\n");
    for name in names {
        let path = folder.join(&name);
        println!("cargo:rerun-if-changed={}", path.display());
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
        let value = yaml_to_json(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let json = serde_json::to_string(&value).expect("a JSON value serializes");
        list.push_str(&format!(
            "    ({:?}, {json:?}),\n",
            format!("models/{name}")
        ));
    }
    list.push_str("]\n");
    std::fs::write(out.join("builtin_presets.rs"), list).expect("writing OUT_DIR");
}

/// The JSON value of a YAML document written in the plain subset the built-in presets use:
/// mappings, sequences and scalars read by the YAML 1.2 core schema, as vidspec's own loader
/// reads them. Tags, anchors and aliases are refused rather than guessed at.
fn yaml_to_json(text: &str) -> Result<Value, String> {
    use saphyr_parser::{Event, Parser, ScalarStyle};
    enum Frame {
        Seq(Vec<Value>),
        Map(serde_json::Map<String, Value>, Option<String>),
    }
    let mut stack: Vec<Frame> = Vec::new();
    let mut root = None;
    for event in Parser::new_from_str(text) {
        let (event, _) = event.map_err(|e| e.to_string())?;
        let value = match event {
            Event::Scalar(_, _, anchor, tag) if anchor > 0 || tag.is_some() => {
                return Err("a built-in preset may not use YAML tags or anchors".into());
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) if anchor > 0 => {
                return Err("a built-in preset may not use YAML anchors".into());
            }
            Event::Alias(_) => return Err("a built-in preset may not use YAML aliases".into()),
            Event::Scalar(text, ScalarStyle::Plain, ..) => plain_scalar(&text),
            Event::Scalar(text, ..) => Value::String(text.into_owned()),
            Event::SequenceStart(..) => {
                stack.push(Frame::Seq(Vec::new()));
                continue;
            }
            Event::MappingStart(..) => {
                stack.push(Frame::Map(serde_json::Map::new(), None));
                continue;
            }
            Event::SequenceEnd | Event::MappingEnd => match stack.pop() {
                Some(Frame::Seq(items)) => Value::Array(items),
                Some(Frame::Map(map, _)) => Value::Object(map),
                None => return Err("unbalanced YAML".into()),
            },
            Event::DocumentEnd if root.is_some() => break,
            _ => continue,
        };
        match stack.last_mut() {
            None => root = Some(value),
            Some(Frame::Seq(items)) => items.push(value),
            Some(Frame::Map(map, key)) => match key.take() {
                Some(key) => {
                    map.insert(key, value);
                }
                None => match value {
                    Value::String(name) => *key = Some(name),
                    other => *key = Some(other.to_string()),
                },
            },
        }
    }
    root.ok_or_else(|| "an empty YAML document".into())
}

/// A plain scalar by the YAML 1.2 core schema (`load::yaml`'s own reading of it), as JSON the
/// way `Node::to_json` writes it: a float with no fraction as an integer, and one JSON has no
/// number for (`.inf`, `.nan`) as null.
fn plain_scalar(text: &str) -> Value {
    match core_schema::plain(text) {
        Plain::Null => Value::Null,
        Plain::Bool(b) => Value::Bool(b),
        Plain::Int(i) => Value::from(i),
        Plain::Float(f) if f.fract() == 0.0 && f.abs() < 9_007_199_254_740_992.0 => {
            Value::from(f as i64)
        }
        Plain::Float(f) => serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number),
        Plain::Text => Value::String(text.to_owned()),
    }
}
