//! What the spec schema (`schemas/spec.schema.json`) says about a place in a spec: the
//! documentation of a key and the values it lists (enums, constants, examples).
//!
//! The keys themselves come from `load::shape`, the checker's own key sets; the schema only
//! adds words and value lists, so the two cannot disagree about what is allowed.

use std::sync::OnceLock;

use serde_json::Value;

use super::cursor::Step;

fn root() -> &'static Value {
    static ROOT: OnceLock<Value> = OnceLock::new();
    ROOT.get_or_init(|| {
        serde_json::from_str(crate::check::SPEC_SCHEMA).expect("bundled schema is JSON")
    })
}

fn resolve(node: &Value) -> &Value {
    let mut node = node;
    for _ in 0..16 {
        let Some(target) = node.get("$ref").and_then(Value::as_str) else {
            break;
        };
        let Some(found) = target
            .strip_prefix('#')
            .and_then(|pointer| root().pointer(pointer))
        else {
            break;
        };
        node = found;
    }
    node
}

/// The subschemas a value may also have to match: `anyOf`/`oneOf`/`allOf` entries, and the
/// `then`/`else` of a conditional.
fn branches(node: &Value) -> impl Iterator<Item = &Value> {
    let lists = ["anyOf", "oneOf", "allOf"]
        .into_iter()
        .filter_map(|k| node.get(k).and_then(Value::as_array))
        .flatten();
    let conditional = ["then", "else"].into_iter().filter_map(|k| node.get(k));
    lists.chain(conditional)
}

/// Whether a branch is the one for clips of `kind` (it requires that key, or defines it).
fn is_for(branch: &Value, kind: &str) -> bool {
    let requires = |n: &Value| {
        n.get("required")
            .and_then(Value::as_array)
            .is_some_and(|r| r.iter().any(|k| k == kind))
    };
    branch.get("if").is_some_and(requires)
        || resolve(branch)
            .get("properties")
            .is_some_and(|p| p.get(kind).is_some())
}

/// One step down from `node`; `kind` prefers the clip branch that has that content key.
fn descend<'a>(node: &'a Value, step: &Step, kind: Option<&str>) -> Option<&'a Value> {
    let node = resolve(node);
    let direct = match step {
        Step::Key(key) => node
            .get("properties")
            .and_then(|p| p.get(key))
            .or_else(|| node.get("additionalProperties").filter(|a| a.is_object())),
        Step::Item => node.get("items"),
    };
    if direct.is_some() {
        return direct;
    }
    let mut all: Vec<&Value> = branches(node).collect();
    if let Some(kind) = kind {
        all.sort_by_key(|b| !is_for(b, kind));
    }
    all.into_iter().find_map(|b| descend(b, step, kind))
}

/// The schema node for the value at `path` (keys and items from the top); `kind` is the
/// content key of the clip the path ends in, if known.
pub(crate) fn at(path: &[Step], kind: Option<&str>) -> Option<&'static Value> {
    let mut node = root();
    for step in path {
        node = descend(node, step, kind)?;
    }
    Some(node)
}

/// A node's description, looking through a `$ref`.
pub(crate) fn description(node: &Value) -> Option<&str> {
    node.get("description")
        .and_then(Value::as_str)
        .or_else(|| resolve(node).get("description").and_then(Value::as_str))
}

/// The values a node lists: `enum`, `const` and `examples`, through its branches.
pub(crate) fn values(node: &Value) -> Vec<String> {
    let mut out = Vec::new();
    collect_values(node, &mut out, 0);
    out
}

fn collect_values(node: &Value, out: &mut Vec<String>, depth: usize) {
    if depth > 8 {
        return;
    }
    let node = resolve(node);
    let mut add = |v: &Value| {
        let text = match v {
            Value::String(s) => s.clone(),
            Value::Number(_) | Value::Bool(_) => v.to_string(),
            _ => return,
        };
        if !out.contains(&text) {
            out.push(text);
        }
    };
    for key in ["enum", "examples"] {
        for v in node
            .get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            add(v);
        }
    }
    if let Some(v) = node.get("const") {
        add(v);
    }
    if node.get("type").and_then(Value::as_str) == Some("boolean") {
        add(&Value::Bool(true));
        add(&Value::Bool(false));
    }
    for branch in branches(node) {
        collect_values(branch, out, depth + 1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(steps: &[&str]) -> Vec<Step> {
        steps
            .iter()
            .map(|s| match *s {
                "-" => Step::Item,
                k => Step::Key(k.to_owned()),
            })
            .collect()
    }

    #[test]
    fn enums_and_docs_are_found_through_refs_and_branches() {
        let node = at(&path(&["orientation"]), None).unwrap();
        assert_eq!(values(node), ["landscape", "portrait"]);
        let node = at(
            &path(&["scenes", "-", "clips", "-", "animation", "type"]),
            None,
        )
        .unwrap();
        assert!(values(node).contains(&"zoom-in".to_owned()));
        let node = at(
            &path(&["scenes", "-", "clips", "-", "volume"]),
            Some("audio"),
        )
        .unwrap();
        assert!(description(node).unwrap().to_lowercase().contains("volume"));
    }
}
