//! A validator for the part of JSON Schema (draft 2020-12) that the bundled project schema
//! uses, answering only "valid or not". The full validator (`jsonschema`) is compiled by
//! `check` only for a document that fails, to say why.
//!
//! It accepts a schema only when it knows every keyword in it: `type`, `enum`, `const`, the
//! four numeric bounds, `minLength`/`maxLength`, `minItems`/`maxItems`, `required`,
//! `properties`, `items`, `allOf`, `if`/`then`/`else`, `$ref` to `#/$defs/…` and the
//! annotations. A schema with anything else is refused, and `check` uses the full validator
//! for it alone. Its answers are compared with the full validator's on generated documents
//! (the tests below).
//!
//! The compiled form and its compiler are in [`compiled`], shared with `build.rs`: the
//! bundled project schema is compiled when vidspec is built ([`PROJECT`], static data), so a
//! run compiles nothing; [`Validator::new`] compiles other schemas at run time.

use std::cmp::Ordering;

use num_cmp::NumCmp;
use serde_json::{Number, Value};

mod compiled;

pub(crate) use compiled::Validator;
use compiled::{Literal, Node, Num, Rules};

/// The bundled project schema's validator, compiled by `build.rs` from the same text as
/// `check::PROJECT_SCHEMA`; `None` if that schema uses a keyword outside the subset (the build
/// warns, and `check` falls back to the full validator).
pub(crate) static PROJECT: Option<Validator> =
    include!(concat!(env!("OUT_DIR"), "/project.v3.subset.rs"));

const NULL: u8 = 1;
const BOOLEAN: u8 = 1 << 1;
const INTEGER: u8 = 1 << 2;
const NUMBER: u8 = 1 << 3;
const STRING: u8 = 1 << 4;
const ARRAY: u8 = 1 << 5;
const OBJECT: u8 = 1 << 6;

impl Validator {
    /// Compiles `text` at run time, or names what this validator does not implement. What it
    /// builds is leaked (see [`compiled`]): meant for schemas compiled once, not in a loop.
    pub(crate) fn new(text: &str) -> Result<Validator, String> {
        let schema: Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
        compiled::compile(&schema)
    }

    pub(crate) fn is_valid(&self, instance: &Value) -> bool {
        self.valid(self.root, instance)
    }

    fn valid(&self, node: Node, instance: &Value) -> bool {
        let rules: &Rules = match node {
            Node::Always(answer) => return answer,
            Node::Rules(rules) => rules,
        };
        if let Some(types) = rules.types {
            if !has_type(types, instance) {
                return false;
            }
        }
        if let Some(constant) = &rules.constant {
            if !equal(constant, instance) {
                return false;
            }
        }
        if let Some(choices) = rules.choices {
            if !choices.iter().any(|c| equal(c, instance)) {
                return false;
            }
        }
        match instance {
            Value::Number(n) => {
                let bounds = [
                    (rules.minimum, Ordering::Less, true),
                    (rules.maximum, Ordering::Greater, true),
                    (rules.exclusive_minimum, Ordering::Less, false),
                    (rules.exclusive_maximum, Ordering::Greater, false),
                ];
                for (bound, outside, inclusive) in bounds {
                    if let Some(bound) = bound {
                        match Num::of(n).and_then(|n| compare(n, bound)) {
                            Some(Ordering::Equal) if inclusive => {}
                            Some(o) if o != outside && o != Ordering::Equal => {}
                            _ => return false,
                        }
                    }
                }
            }
            Value::String(s) => {
                if rules.min_length.is_some() || rules.max_length.is_some() {
                    let length = s.chars().count() as u64;
                    if rules.min_length.is_some_and(|min| length < min)
                        || rules.max_length.is_some_and(|max| length > max)
                    {
                        return false;
                    }
                }
            }
            Value::Array(items) => {
                let length = items.len() as u64;
                if rules.min_items.is_some_and(|min| length < min)
                    || rules.max_items.is_some_and(|max| length > max)
                {
                    return false;
                }
                if let Some(node) = rules.items {
                    if !items.iter().all(|item| self.valid(node, item)) {
                        return false;
                    }
                }
            }
            Value::Object(map) => {
                if !rules.required.iter().all(|key| map.contains_key(*key)) {
                    return false;
                }
                for &(key, node) in rules.properties {
                    if let Some(value) = map.get(key) {
                        if !self.valid(node, value) {
                            return false;
                        }
                    }
                }
            }
            Value::Null | Value::Bool(_) => {}
        }
        if !rules.all_of.iter().all(|node| self.valid(*node, instance)) {
            return false;
        }
        if let Some(condition) = rules.condition {
            let branch = if self.valid(condition, instance) {
                rules.then
            } else {
                rules.otherwise
            };
            if branch.is_some_and(|b| !self.valid(b, instance)) {
                return false;
            }
        }
        match rules.reference {
            Some(index) => self.valid(self.defs[index], instance),
            None => true,
        }
    }
}

fn has_type(types: u8, instance: &Value) -> bool {
    let bit = match instance {
        Value::Null => NULL,
        Value::Bool(_) => BOOLEAN,
        Value::Number(n) if types & NUMBER == 0 && is_integer(n) => INTEGER,
        Value::Number(_) => NUMBER,
        Value::String(_) => STRING,
        Value::Array(_) => ARRAY,
        Value::Object(_) => OBJECT,
    };
    types & bit != 0
}

/// `1`, `-3` and `2.0` are integers; `2.5` is not.
fn is_integer(n: &Number) -> bool {
    n.is_u64() || n.is_i64() || n.as_f64().is_some_and(|f| f.fract() == 0.0)
}

/// The order of two JSON numbers by their exact values, whatever their representations.
fn compare(a: Num, b: Num) -> Option<Ordering> {
    use Num::{F, I, U};
    match (a, b) {
        (U(x), U(y)) => x.num_cmp(y),
        (U(x), I(y)) => x.num_cmp(y),
        (U(x), F(y)) => x.num_cmp(y),
        (I(x), U(y)) => x.num_cmp(y),
        (I(x), I(y)) => x.num_cmp(y),
        (I(x), F(y)) => x.num_cmp(y),
        (F(x), U(y)) => x.num_cmp(y),
        (F(x), I(y)) => x.num_cmp(y),
        (F(x), F(y)) => x.num_cmp(y),
    }
}

/// Equality as JSON Schema means it: numbers by value (`1` equals `1.0`), objects whatever
/// their key order.
fn equal(literal: &Literal, value: &Value) -> bool {
    match (literal, value) {
        (Literal::Null, Value::Null) => true,
        (Literal::Bool(x), Value::Bool(y)) => x == y,
        (Literal::Number(x), Value::Number(y)) => {
            Num::of(y).and_then(|y| compare(*x, y)) == Some(Ordering::Equal)
        }
        (Literal::String(x), Value::String(y)) => x == y,
        (Literal::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| equal(x, y))
        }
        (Literal::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(key, x)| y.get(*key).is_some_and(|y| equal(x, y)))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn full(schema: &Value) -> jsonschema::Validator {
        jsonschema::validator_for(schema).expect("a valid schema")
    }

    fn quick(schema: &Value) -> Validator {
        Validator::new(&schema.to_string()).unwrap_or_else(|e| panic!("{schema}: {e}"))
    }

    /// The subset covers the project schema: a keyword added to it that this validator does
    /// not implement fails here (and would silently cost every build the full validator).
    #[test]
    fn the_project_schema_is_within_the_subset() {
        if let Err(e) = Validator::new(crate::check::PROJECT_SCHEMA) {
            panic!("the project schema uses what the quick validator lacks: {e}");
        }
        assert!(
            PROJECT.is_some(),
            "build.rs did not compile the project schema"
        );
    }

    /// What `build.rs` wrote out is, node for node, what the run-time compiler makes of the
    /// same text (the emitter cannot drop or change a rule unseen).
    #[test]
    fn the_build_time_validator_is_the_run_time_one() {
        let built = PROJECT.expect("build.rs compiled the project schema");
        let now = quick(&serde_json::from_str(crate::check::PROJECT_SCHEMA).unwrap());
        assert!(built == now, "build.rs and Validator::new differ");
        assert!(built.defs.len() > 10);
        // Equality is by content, so it can fail: one bound changed is seen.
        let text = crate::check::PROJECT_SCHEMA;
        assert!(text.contains(r#""minimum":1"#));
        let changed = text.replacen(r#""minimum":1"#, r#""minimum":2"#, 1);
        assert!(built != quick(&serde_json::from_str(&changed).unwrap()));
    }

    #[test]
    fn keywords_outside_the_subset_are_refused() {
        for schema in [
            json!({"pattern": "^a"}),
            json!({"additionalProperties": false}),
            json!({"anyOf": [{"type": "string"}]}),
            json!({"properties": {"a": {"$defs": {"b": true}}}}),
            json!({"$ref": "other.json#/$defs/a"}),
            json!({"$ref": "#/$defs/missing"}),
            json!({"$schema": "http://json-schema.org/draft-07/schema#"}),
            json!({"items": {"$id": "inner"}}),
            json!({"type": "float"}),
        ] {
            assert!(Validator::new(&schema.to_string()).is_err(), "{schema}");
        }
        // The refusal names the keyword and where it is (the build's warning shows it).
        let nested = json!({"$defs": {"d": {"items": {"properties": {"a/b": {"pattern": "x"}}}}}});
        let refused = Validator::new(&nested.to_string()).err();
        assert_eq!(
            refused.as_deref(),
            Some("keyword `pattern`, at /$defs/d/items/properties/a~1b/pattern")
        );
    }

    /// Each keyword's edge cases, answered as the full validator answers them.
    #[test]
    fn keywords_agree_with_the_full_validator() {
        let big = u64::MAX;
        let cases: Vec<(Value, Vec<Value>)> = vec![
            (
                json!({"type": "integer"}),
                vec![
                    json!(1),
                    json!(-3),
                    json!(2.0),
                    json!(2.5),
                    json!(1e300),
                    json!("1"),
                ],
            ),
            (
                json!({"type": ["string", "null"]}),
                vec![json!(null), json!("a"), json!(0), json!(false)],
            ),
            (
                json!({"exclusiveMinimum": 0, "maximum": 10}),
                vec![
                    json!(0),
                    json!(0.0),
                    json!(-0.0),
                    json!(1e-300),
                    json!(10),
                    json!(10.0),
                    json!(10.000000001),
                    json!(big),
                    json!(i64::MIN),
                    json!("11"),
                ],
            ),
            (
                json!({"minimum": 9007199254740993_u64}),
                vec![
                    json!(9007199254740992_u64),
                    json!(9007199254740993_u64),
                    json!(9007199254740992.0),
                    json!(big),
                ],
            ),
            (
                json!({"minimum": -1.5, "exclusiveMaximum": 2.5}),
                vec![
                    json!(-2),
                    json!(-1.5),
                    json!(-1),
                    json!(2),
                    json!(2.5),
                    json!(3),
                ],
            ),
            (
                json!({"enum": [1, "a", {"x": [1, 2]}]}),
                vec![
                    json!(1.0),
                    json!("a"),
                    json!({"x": [1.0, 2]}),
                    json!({"x": [2, 1]}),
                    json!(2),
                ],
            ),
            (
                json!({"const": {"a": 1, "b": null}}),
                vec![
                    json!({"b": null, "a": 1.0}),
                    json!({"a": 1}),
                    json!({"a": 1, "b": false}),
                ],
            ),
            (
                json!({"minLength": 2, "maxLength": 3}),
                vec![
                    json!("é"),
                    json!("éé"),
                    json!("🎬🎬🎬"),
                    json!("abcd"),
                    json!(5),
                ],
            ),
            (
                json!({"minItems": 1, "maxItems": 2, "items": {"type": "number"}}),
                vec![
                    json!([]),
                    json!([1]),
                    json!([1, "a"]),
                    json!([1, 2, 3]),
                    json!({}),
                ],
            ),
            (
                json!({"required": ["a"], "properties": {"a": {"type": "string"}, "b": false}}),
                vec![
                    json!({"a": "x"}),
                    json!({"a": 1}),
                    json!({"a": "x", "b": 0}),
                    json!({}),
                    json!([]),
                ],
            ),
            (
                json!({
                    "if": {"properties": {"type": {"const": "text"}}},
                    "then": {"required": ["text"]},
                    "else": {"required": ["src"]}
                }),
                vec![
                    json!({"type": "text"}),
                    json!({"type": "text", "text": ""}),
                    json!({"src": ""}),
                    json!({}),
                ],
            ),
            (
                json!({"then": {"type": "string"}, "else": {"type": "string"}}),
                vec![json!(1)],
            ),
            (
                json!({
                    "$defs": {"n": {"type": "number", "minimum": 1}},
                    "allOf": [{"$ref": "#/$defs/n"}, {"maximum": 3}],
                    "properties": {"n": {"$ref": "#/$defs/n"}}
                }),
                vec![
                    json!(0),
                    json!(2),
                    json!(4),
                    json!({"n": 0}),
                    json!({"n": 2}),
                ],
            ),
            (json!(false), vec![json!(1), json!(null)]),
            (json!(true), vec![json!(1), json!(null)]),
            (
                json!({"$schema": compiled::DRAFT, "type": "string", "format": "uri", "description": "x"}),
                vec![json!("not a uri"), json!(1)],
            ),
        ];
        let mut answers = Vec::new();
        for (schema, instances) in &cases {
            let (quick, full) = (quick(schema), full(schema));
            for instance in instances {
                let answer = quick.is_valid(instance);
                assert_eq!(answer, full.is_valid(instance), "{schema} on {instance}");
                answers.push(answer);
            }
        }
        assert!(answers.iter().filter(|a| **a).count() > 20);
        assert!(answers.iter().filter(|a| !**a).count() > 20);
    }

    /// What mutations draw from: the schema's own bounds, names and constants, and values
    /// around them.
    struct Pool {
        numbers: Vec<Value>,
        strings: Vec<String>,
        keys: Vec<String>,
    }

    impl Pool {
        fn of(schema: &Value) -> Pool {
            fn walk(node: &Value, pool: &mut Pool) {
                match node {
                    Value::Object(map) => {
                        for (key, value) in map {
                            match key.as_str() {
                                "minimum" | "maximum" | "exclusiveMinimum" | "exclusiveMaximum" => {
                                    let b = value.as_f64().unwrap();
                                    pool.numbers.push(value.clone());
                                    for d in [-1.0, 1.0, -0.5, 0.5, -1e-9, 1e-9] {
                                        pool.numbers.push(json!(b + d));
                                    }
                                    if b.fract() == 0.0 {
                                        pool.numbers.push(json!(b));
                                        pool.numbers.push(json!(b as i64 - 1));
                                        pool.numbers.push(json!(b as i64 + 1));
                                    }
                                }
                                "const" | "enum" => {
                                    let values =
                                        value.as_array().cloned().unwrap_or(vec![value.clone()]);
                                    pool.strings.extend(
                                        values.iter().filter_map(|v| v.as_str().map(str::to_owned)),
                                    );
                                }
                                "properties" => {
                                    pool.keys.extend(value.as_object().unwrap().keys().cloned());
                                }
                                _ => {}
                            }
                            walk(value, pool);
                        }
                    }
                    Value::Array(items) => items.iter().for_each(|i| walk(i, pool)),
                    _ => {}
                }
            }
            let mut pool = Pool {
                numbers: vec![
                    json!(0),
                    json!(-0.0),
                    json!(1),
                    json!(-1),
                    json!(2.5),
                    json!(u64::MAX),
                    json!(i64::MIN),
                    json!(1e300),
                    json!(-1e300),
                ],
                strings: ["", "x", "é", "🎬", "1080", "not a uri"]
                    .map(String::from)
                    .to_vec(),
                keys: vec!["extra".to_owned()],
            };
            walk(schema, &mut pool);
            pool
        }

        fn value(&self, rng: &mut fastrand::Rng) -> Value {
            match rng.usize(0..10) {
                0..=3 => self.numbers[rng.usize(..self.numbers.len())].clone(),
                4..=6 => Value::String(self.strings[rng.usize(..self.strings.len())].clone()),
                7 => json!(null),
                8 => json!(rng.bool()),
                _ => [json!([]), json!({}), json!([{}]), json!({"type": "text"})][rng.usize(0..4)]
                    .clone(),
            }
        }
    }

    /// Every node of `doc` by its path of keys and indexes.
    fn paths(doc: &Value, at: &mut Vec<Value>, out: &mut Vec<Vec<Value>>) {
        out.push(at.clone());
        match doc {
            Value::Object(map) => {
                for (key, value) in map {
                    at.push(json!(key));
                    paths(value, at, out);
                    at.pop();
                }
            }
            Value::Array(items) => {
                for (i, value) in items.iter().enumerate() {
                    at.push(json!(i));
                    paths(value, at, out);
                    at.pop();
                }
            }
            _ => {}
        }
    }

    fn node_at<'a>(doc: &'a mut Value, path: &[Value]) -> &'a mut Value {
        path.iter().fold(doc, |node, step| match step {
            Value::String(key) => &mut node[key.as_str()],
            step => &mut node[step.as_u64().unwrap() as usize],
        })
    }

    fn mutate(doc: &mut Value, pool: &Pool, rng: &mut fastrand::Rng) {
        let mut all = Vec::new();
        paths(doc, &mut Vec::new(), &mut all);
        let node = node_at(doc, &all[rng.usize(..all.len())]);
        match (rng.usize(0..5), node) {
            (0..=2, node @ Value::Number(_)) => {
                *node = pool.numbers[rng.usize(..pool.numbers.len())].clone();
            }
            (0..=2, node @ Value::String(_)) => {
                *node = Value::String(pool.strings[rng.usize(..pool.strings.len())].clone());
            }
            (0, Value::Object(map)) if !map.is_empty() => {
                let key = map.keys().nth(rng.usize(..map.len())).unwrap().clone();
                map.shift_remove(&key);
            }
            (1, Value::Object(map)) => {
                map.insert(
                    pool.keys[rng.usize(..pool.keys.len())].clone(),
                    pool.value(rng),
                );
            }
            (0, Value::Array(items)) if !items.is_empty() => {
                items.remove(rng.usize(..items.len()));
            }
            (1, Value::Array(items)) if !items.is_empty() => {
                let copy = items[rng.usize(..items.len())].clone();
                items.push(copy);
            }
            (_, node) => *node = pool.value(rng),
        }
    }

    /// The examples' projects, mutated (values of every type, numbers at and around each
    /// bound, other enum and const strings, keys removed and added, items removed and
    /// repeated): the quick validator's answer, compiled at run time or by `build.rs`, is the
    /// full validator's on every one.
    #[test]
    fn agrees_with_the_full_validator_on_mutated_projects() {
        let schema: Value = serde_json::from_str(crate::check::PROJECT_SCHEMA).unwrap();
        let (quick, full) = (quick(&schema), full(&schema));
        let built = PROJECT.expect("build.rs compiled the project schema");
        // The schema as written, annotations and all: `build.rs` strips only what no
        // verdict depends on.
        let annotated: Value =
            serde_json::from_str(include_str!("../../schemas/project.v3.schema.json")).unwrap();
        assert!(annotated.to_string().len() > 2 * crate::check::PROJECT_SCHEMA.len());
        let annotated = jsonschema::validator_for(&annotated).unwrap();
        let examples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
        let mut projects = Vec::new();
        for entry in std::fs::read_dir(examples).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "yaml") {
                continue;
            }
            let built = crate::compile::build(&path, &Default::default()).or_else(|_| {
                let options = crate::compile::Options {
                    sets: vec!["name=Ada".to_owned()],
                    ..Default::default()
                };
                crate::compile::build(&path, &options)
            });
            projects.push(
                built
                    .unwrap_or_else(|e| panic!("{}: {e:?}", path.display()))
                    .0
                    .project,
            );
        }
        assert!(projects.len() >= 5);
        let pool = Pool::of(&schema);
        let mut rng = fastrand::Rng::with_seed(13);
        let (mut valid, mut invalid) = (0, 0);
        for round in 0..2000 {
            let mut doc = projects[round % projects.len()].clone();
            for _ in 0..rng.usize(1..=2) {
                mutate(&mut doc, &pool, &mut rng);
            }
            let answer = quick.is_valid(&doc);
            assert_eq!(answer, full.is_valid(&doc), "round {round}: {doc}");
            assert_eq!(
                answer,
                built.is_valid(&doc),
                "build.rs's, round {round}: {doc}"
            );
            assert_eq!(answer, annotated.is_valid(&doc), "round {round}: {doc}");
            if answer {
                valid += 1;
            } else {
                invalid += 1;
            }
        }
        for project in &projects {
            assert!(quick.is_valid(project) && built.is_valid(project));
        }
        assert!(
            valid > 400 && invalid > 400,
            "{valid} valid, {invalid} invalid"
        );
    }
}
