//! Three things done once, when vidspec is built, so that no run pays for them at start-up:
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
//!
//! See "Start-up" in ARCHITECTURE.md.

use std::fmt::Write as _;
use std::path::Path;

use serde_json::Value;

#[path = "src/check/subset/compiled.rs"]
mod compiled;

use compiled::{Literal, Node, Num, Rules, Validator};

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
