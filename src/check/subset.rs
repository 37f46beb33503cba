//! A validator for the part of JSON Schema (draft 2020-12) that the bundled project schema
//! uses, answering only "valid or not". Compiling it is a single pass over the schema text
//! (descriptions skipped unread), about fifty times cheaper than compiling the full validator,
//! which `check` then builds only for a document that fails, to say why.
//!
//! It accepts a schema only when it knows every keyword in it: `type`, `enum`, `const`, the
//! four numeric bounds, `minLength`/`maxLength`, `minItems`/`maxItems`, `required`,
//! `properties`, `items`, `allOf`, `if`/`then`/`else`, `$ref` to `#/$defs/…` and the
//! annotations. A schema with anything else is refused, and `check` uses the full validator
//! for it alone. Its answers are compared with the full validator's on generated documents
//! (the tests below).

use std::borrow::Cow;
use std::cmp::Ordering;
use std::fmt;

use num_cmp::NumCmp;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Number, Value};

/// The draft every accepted schema must declare (or leave implied).
const DRAFT: &str = "https://json-schema.org/draft/2020-12/schema";

/// A compiled schema: its root and its `$defs`, which references point into by index.
pub(crate) struct Validator {
    root: Node,
    defs: Vec<Node>,
}

enum Node {
    /// `true` or `false` as a schema.
    Always(bool),
    Rules(Box<Rules>),
}

#[derive(Default)]
struct Rules {
    /// A bit per type name (`TYPES`), when `type` is present.
    types: Option<u8>,
    constant: Option<Value>,
    choices: Option<Vec<Value>>,
    minimum: Option<Number>,
    maximum: Option<Number>,
    exclusive_minimum: Option<Number>,
    exclusive_maximum: Option<Number>,
    min_length: Option<u64>,
    max_length: Option<u64>,
    min_items: Option<u64>,
    max_items: Option<u64>,
    required: Vec<String>,
    properties: Vec<(String, Node)>,
    items: Option<Node>,
    all_of: Vec<Node>,
    condition: Option<Node>,
    then: Option<Node>,
    otherwise: Option<Node>,
    reference: Option<Reference>,
}

enum Reference {
    /// A `$defs` name, as read.
    Named(String),
    /// Its index in [`Validator::defs`].
    Resolved(usize),
}

const TYPES: [&str; 7] = [
    "null", "boolean", "integer", "number", "string", "array", "object",
];
const NULL: u8 = 1;
const BOOLEAN: u8 = 1 << 1;
const INTEGER: u8 = 1 << 2;
const NUMBER: u8 = 1 << 3;
const STRING: u8 = 1 << 4;
const ARRAY: u8 = 1 << 5;
const OBJECT: u8 = 1 << 6;

impl Validator {
    /// Compiles `text`, or names what this validator does not implement.
    pub(crate) fn new(text: &str) -> Result<Validator, String> {
        let mut deserializer = serde_json::Deserializer::from_str(text);
        let mut defs = Vec::new();
        let root = NodeSeed {
            root: true,
            defs: &mut defs,
        }
        .deserialize(&mut deserializer)
        .map_err(|e| e.to_string())?;
        deserializer.end().map_err(|e| e.to_string())?;
        let names: Vec<String> = defs.iter().map(|(name, _)| name.clone()).collect();
        let mut defs: Vec<Node> = defs.into_iter().map(|(_, node)| node).collect();
        let mut root = root;
        resolve(&mut root, &names)?;
        for def in &mut defs {
            resolve(def, &names)?;
        }
        Ok(Validator { root, defs })
    }

    pub(crate) fn is_valid(&self, instance: &Value) -> bool {
        self.valid(&self.root, instance)
    }

    fn valid(&self, node: &Node, instance: &Value) -> bool {
        let rules = match node {
            Node::Always(answer) => return *answer,
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
        if let Some(choices) = &rules.choices {
            if !choices.iter().any(|c| equal(c, instance)) {
                return false;
            }
        }
        match instance {
            Value::Number(n) => {
                let bounds = [
                    (&rules.minimum, Ordering::Less, true),
                    (&rules.maximum, Ordering::Greater, true),
                    (&rules.exclusive_minimum, Ordering::Less, false),
                    (&rules.exclusive_maximum, Ordering::Greater, false),
                ];
                for (bound, outside, inclusive) in bounds {
                    if let Some(bound) = bound {
                        match compare(n, bound) {
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
                if let Some(node) = &rules.items {
                    if !items.iter().all(|item| self.valid(node, item)) {
                        return false;
                    }
                }
            }
            Value::Object(map) => {
                if !rules.required.iter().all(|key| map.contains_key(key)) {
                    return false;
                }
                for (key, node) in &rules.properties {
                    if let Some(value) = map.get(key) {
                        if !self.valid(node, value) {
                            return false;
                        }
                    }
                }
            }
            Value::Null | Value::Bool(_) => {}
        }
        if !rules.all_of.iter().all(|node| self.valid(node, instance)) {
            return false;
        }
        if let Some(condition) = &rules.condition {
            let branch = if self.valid(condition, instance) {
                &rules.then
            } else {
                &rules.otherwise
            };
            if branch.as_ref().is_some_and(|b| !self.valid(b, instance)) {
                return false;
            }
        }
        match &rules.reference {
            Some(Reference::Resolved(index)) => self.valid(&self.defs[*index], instance),
            _ => true,
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
fn compare(a: &Number, b: &Number) -> Option<Ordering> {
    #[derive(Clone, Copy)]
    enum Exact {
        U(u64),
        I(i64),
        F(f64),
    }
    fn exact(n: &Number) -> Option<Exact> {
        n.as_u64()
            .map(Exact::U)
            .or_else(|| n.as_i64().map(Exact::I))
            .or_else(|| n.as_f64().map(Exact::F))
    }
    use Exact::{F, I, U};
    match (exact(a)?, exact(b)?) {
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
fn equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => compare(x, y) == Some(Ordering::Equal),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| equal(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(key, x)| y.get(key).is_some_and(|y| equal(x, y)))
        }
        _ => a == b,
    }
}

fn resolve(node: &mut Node, names: &[String]) -> Result<(), String> {
    let Node::Rules(rules) = node else {
        return Ok(());
    };
    if let Some(Reference::Named(name)) = &rules.reference {
        let index = names
            .iter()
            .position(|n| n == name)
            .ok_or_else(|| format!("`$ref` to `#/$defs/{name}`, which is not defined"))?;
        rules.reference = Some(Reference::Resolved(index));
    }
    let children = rules
        .properties
        .iter_mut()
        .map(|(_, n)| n)
        .chain(rules.all_of.iter_mut())
        .chain(rules.items.as_mut())
        .chain(rules.condition.as_mut())
        .chain(rules.then.as_mut())
        .chain(rules.otherwise.as_mut());
    for child in children {
        resolve(child, names)?;
    }
    Ok(())
}

/// A key of the schema text, borrowed when it has no escapes.
struct Key<'de>(Cow<'de, str>);

impl<'de> de::Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

/// Reads one schema; the root's `$defs` go to `defs`, in order.
struct NodeSeed<'a> {
    root: bool,
    defs: &'a mut Vec<(String, Node)>,
}

impl<'de> DeserializeSeed<'de> for NodeSeed<'_> {
    type Value = Node;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Node, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for NodeSeed<'_> {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a schema (an object or a boolean)")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Node, E> {
        Ok(Node::Always(v))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut rules = Rules::default();
        let defs = self.defs;
        while let Some(Key(key)) = map.next_key::<Key>()? {
            match key.as_ref() {
                "description" | "title" | "$comment" | "format" | "default" | "examples"
                | "deprecated" | "readOnly" | "writeOnly" => {
                    map.next_value::<IgnoredAny>()?;
                }
                "$schema" | "$id" if self.root => {
                    let value: String = map.next_value()?;
                    if key == "$schema" && value != DRAFT {
                        return Err(de::Error::custom(format!("draft `{value}`")));
                    }
                }
                "$defs" if self.root => {
                    map.next_value_seed(Defs(&mut *defs))?;
                }
                "$ref" => {
                    let target: String = map.next_value()?;
                    let name = target
                        .strip_prefix("#/$defs/")
                        .filter(|name| !name.contains(['/', '~', '%']))
                        .ok_or_else(|| de::Error::custom(format!("`$ref` to `{target}`")))?;
                    rules.reference = Some(Reference::Named(name.to_owned()));
                }
                "type" => {
                    let names: OneOrMany = map.next_value()?;
                    let mut bits = 0;
                    for name in names.0 {
                        let index = TYPES
                            .iter()
                            .position(|t| *t == name)
                            .ok_or_else(|| de::Error::custom(format!("type `{name}`")))?;
                        bits |= 1 << index;
                    }
                    rules.types = Some(bits);
                }
                "const" => rules.constant = Some(map.next_value()?),
                "enum" => rules.choices = Some(map.next_value()?),
                "minimum" => rules.minimum = Some(map.next_value()?),
                "maximum" => rules.maximum = Some(map.next_value()?),
                "exclusiveMinimum" => rules.exclusive_minimum = Some(map.next_value()?),
                "exclusiveMaximum" => rules.exclusive_maximum = Some(map.next_value()?),
                "minLength" => rules.min_length = Some(map.next_value()?),
                "maxLength" => rules.max_length = Some(map.next_value()?),
                "minItems" => rules.min_items = Some(map.next_value()?),
                "maxItems" => rules.max_items = Some(map.next_value()?),
                "required" => rules.required = map.next_value()?,
                "properties" => rules.properties = map.next_value_seed(Properties(&mut *defs))?,
                "items" => rules.items = Some(map.next_value_seed(child(&mut *defs))?),
                "allOf" => rules.all_of = map.next_value_seed(AllOf(&mut *defs))?,
                "if" => rules.condition = Some(map.next_value_seed(child(&mut *defs))?),
                "then" => rules.then = Some(map.next_value_seed(child(&mut *defs))?),
                "else" => rules.otherwise = Some(map.next_value_seed(child(&mut *defs))?),
                other => return Err(de::Error::custom(format!("keyword `{other}`"))),
            }
        }
        Ok(Node::Rules(Box::new(rules)))
    }
}

/// The seed of a schema below the root.
fn child(defs: &mut Vec<(String, Node)>) -> NodeSeed<'_> {
    NodeSeed { root: false, defs }
}

/// `type`: one name or a list of names.
struct OneOrMany(Vec<String>);

impl<'de> de::Deserialize<'de> for OneOrMany {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(serde::Deserialize)]
        #[serde(untagged)]
        enum Either {
            One(String),
            Many(Vec<String>),
        }
        Ok(match Either::deserialize(deserializer)? {
            Either::One(name) => OneOrMany(vec![name]),
            Either::Many(names) => OneOrMany(names),
        })
    }
}

/// `$defs`: name → schema, appended to the validator's definitions.
struct Defs<'a>(&'a mut Vec<(String, Node)>);

impl<'de> DeserializeSeed<'de> for Defs<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        let entries = Properties(&mut *self.0).deserialize(deserializer)?;
        self.0.extend(entries);
        Ok(())
    }
}

/// `properties` (and `$defs`): name → schema, in order.
struct Properties<'a>(&'a mut Vec<(String, Node)>);

impl<'de> DeserializeSeed<'de> for Properties<'_> {
    type Value = Vec<(String, Node)>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Properties<'_> {
    type Value = Vec<(String, Node)>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object of schemas")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut entries = Vec::new();
        while let Some(Key(key)) = map.next_key::<Key>()? {
            let node = map.next_value_seed(child(&mut *self.0))?;
            entries.push((key.into_owned(), node));
        }
        Ok(entries)
    }
}

/// `allOf`: a list of schemas.
struct AllOf<'a>(&'a mut Vec<(String, Node)>);

impl<'de> DeserializeSeed<'de> for AllOf<'_> {
    type Value = Vec<Node>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for AllOf<'_> {
    type Value = Vec<Node>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of schemas")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut nodes = Vec::new();
        while let Some(node) = seq.next_element_seed(child(&mut *self.0))? {
            nodes.push(node);
        }
        Ok(nodes)
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
                json!({"$schema": DRAFT, "type": "string", "format": "uri", "description": "x"}),
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
    /// repeated): the quick validator's answer is the full validator's on every one.
    #[test]
    fn agrees_with_the_full_validator_on_mutated_projects() {
        let schema: Value = serde_json::from_str(crate::check::PROJECT_SCHEMA).unwrap();
        let (quick, full) = (quick(&schema), full(&schema));
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
            assert_eq!(answer, annotated.is_valid(&doc), "round {round}: {doc}");
            if answer {
                valid += 1;
            } else {
                invalid += 1;
            }
        }
        for project in &projects {
            assert!(quick.is_valid(project));
        }
        assert!(
            valid > 400 && invalid > 400,
            "{valid} valid, {invalid} invalid"
        );
    }
}
