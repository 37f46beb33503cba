//! Two things done once, when vidspec is built, so that no run pays for them at start-up:
//!
//! - **The bundled schemas, as the validator reads them.** `schemas/project.v3.schema.json` and
//!   `schemas/preset.schema.json` are written into `OUT_DIR` without their annotations
//!   (`description`, `title`, `$comment`, `examples`: they change no verdict) and without
//!   white space, a quarter of the text to parse at every `vidspec build`.
//! - **A fixed-address executable on Linux.** A position-independent executable is relocated
//!   by the dynamic loader at every start: for vidspec, some 29,000 pointers written into half
//!   a megabyte of tables, a page fault for each page. Linked at a fixed address it needs no
//!   relocation (its libraries, stack and heap are still placed at random). `VIDSPEC_PIE=1`
//!   keeps the toolchain's position-independent executable, for packagers whose policy asks
//!   for one.
//!
//! See "Start-up" in ARCHITECTURE.md.

use std::path::Path;

use serde_json::Value;

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
        std::fs::write(Path::new(&out).join(name), compact).expect("writing OUT_DIR");
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
