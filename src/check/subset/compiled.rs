//! The one form a subset schema takes once compiled, and the compiler that produces it. The
//! nodes hold only `&'static` references, numbers and flags, so the same types serve two
//! makers:
//!
//! - `build.rs` includes this file (it depends on `serde_json` alone), compiles the bundled
//!   project schema with [`compile`] and writes the result out as Rust source: `static` data in
//!   the executable, which a run reads without building anything.
//! - [`super::Validator::new`] compiles a schema given at run time (the unit tests' ad-hoc
//!   schemas, any schema that is not bundled) with the same [`compile`], which leaks what it
//!   allocates to get its `'static` references: a few kilobytes per schema, once, acceptable
//!   for tests and one-off schemas and never done for the bundled ones.
//!
//! `super` validates on these types; nothing here answers whether a document is valid.

use serde_json::{Map, Number, Value};

/// The draft every accepted schema must declare (or leave implied).
pub(crate) const DRAFT: &str = "https://json-schema.org/draft/2020-12/schema";

/// The `type` names, in the order of their bits in [`Rules::types`].
const TYPES: [&str; 7] = [
    "null", "boolean", "integer", "number", "string", "array", "object",
];

/// Keywords that change no verdict.
const IGNORED: &[&str] = &[
    "description",
    "title",
    "$comment",
    "format",
    "default",
    "examples",
    "deprecated",
    "readOnly",
    "writeOnly",
];

/// A compiled schema: its root and its `$defs`, which references point into by index.
#[derive(Clone, Copy)]
#[cfg_attr(test, derive(Debug, PartialEq))]
pub(crate) struct Validator {
    pub(crate) root: Node,
    pub(crate) defs: &'static [Node],
}

#[derive(Clone, Copy)]
#[cfg_attr(test, derive(Debug, PartialEq))]
pub(crate) enum Node {
    /// `true` or `false` as a schema.
    Always(bool),
    Rules(&'static Rules),
}

#[cfg_attr(test, derive(Debug, PartialEq))]
pub(crate) struct Rules {
    /// A bit per type name (`TYPES`), when `type` is present.
    pub(crate) types: Option<u8>,
    pub(crate) constant: Option<Literal>,
    pub(crate) choices: Option<&'static [Literal]>,
    pub(crate) minimum: Option<Num>,
    pub(crate) maximum: Option<Num>,
    pub(crate) exclusive_minimum: Option<Num>,
    pub(crate) exclusive_maximum: Option<Num>,
    pub(crate) min_length: Option<u64>,
    pub(crate) max_length: Option<u64>,
    pub(crate) min_items: Option<u64>,
    pub(crate) max_items: Option<u64>,
    pub(crate) required: &'static [&'static str],
    pub(crate) properties: &'static [(&'static str, Node)],
    pub(crate) items: Option<Node>,
    pub(crate) all_of: &'static [Node],
    pub(crate) condition: Option<Node>,
    pub(crate) then: Option<Node>,
    pub(crate) otherwise: Option<Node>,
    /// The `$defs` entry a `$ref` names, by its index in [`Validator::defs`].
    pub(crate) reference: Option<usize>,
}

impl Rules {
    /// A schema object without keywords (`{}`), which every document satisfies.
    pub(crate) const NONE: Rules = Rules {
        types: None,
        constant: None,
        choices: None,
        minimum: None,
        maximum: None,
        exclusive_minimum: None,
        exclusive_maximum: None,
        min_length: None,
        max_length: None,
        min_items: None,
        max_items: None,
        required: &[],
        properties: &[],
        items: None,
        all_of: &[],
        condition: None,
        then: None,
        otherwise: None,
        reference: None,
    };
}

/// A JSON value of the schema (`const`, an `enum` choice).
#[derive(Clone, Copy)]
#[cfg_attr(test, derive(Debug, PartialEq))]
pub(crate) enum Literal {
    Null,
    Bool(bool),
    Number(Num),
    String(&'static str),
    Array(&'static [Literal]),
    /// Its entries in the schema's order (a key at most once).
    Object(&'static [(&'static str, Literal)]),
}

/// A JSON number as `serde_json` holds it: a `u64` when it is one, else an `i64`, else an
/// `f64`.
#[derive(Clone, Copy)]
#[cfg_attr(test, derive(Debug, PartialEq))]
pub(crate) enum Num {
    U(u64),
    I(i64),
    F(f64),
}

impl Num {
    pub(crate) fn of(n: &Number) -> Option<Num> {
        n.as_u64()
            .map(Num::U)
            .or_else(|| n.as_i64().map(Num::I))
            .or_else(|| n.as_f64().map(Num::F))
    }
}

/// Compiles `schema`, or names what the subset does not implement and where.
pub(crate) fn compile(schema: &Value) -> Result<Validator, String> {
    let defs = match schema.get("$defs") {
        None => &Map::new(),
        Some(Value::Object(defs)) => defs,
        Some(_) => return Err("`$defs` is not an object, at /$defs".to_owned()),
    };
    let compiler = Compiler {
        names: defs.keys().map(String::as_str).collect(),
    };
    let root = compiler.node(schema, "", true)?;
    let defs = defs
        .iter()
        .map(|(name, def)| compiler.node(def, &format!("/$defs/{}", escape(name)), false))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Validator {
        root,
        defs: leak(defs),
    })
}

/// What a schema's references may name: the root's `$defs`, in order.
struct Compiler<'a> {
    names: Vec<&'a str>,
}

impl Compiler<'_> {
    /// The schema at JSON pointer `at`; `$schema`, `$id` and `$defs` only at the root.
    fn node(&self, schema: &Value, at: &str, root: bool) -> Result<Node, String> {
        let map = match schema {
            Value::Bool(answer) => return Ok(Node::Always(*answer)),
            Value::Object(map) => map,
            _ => {
                return Err(format!(
                    "a schema that is not an object or a boolean, at {at}/"
                ));
            }
        };
        let mut rules = Rules::NONE;
        for (key, value) in map {
            let key = key.as_str();
            let refused = |what: &str| format!("{what}, at {at}/{}", escape(key));
            let count = || value.as_u64().ok_or_else(|| refused("not a count"));
            let number = || {
                let Value::Number(n) = value else {
                    return Err(refused("not a number"));
                };
                Num::of(n).ok_or_else(|| refused("a number out of range"))
            };
            let child = |name: &str| self.node(value, &format!("{at}/{name}"), false);
            match key {
                _ if IGNORED.contains(&key) => {}
                "$defs" if root => {}
                "$schema" if root && value.as_str() != Some(DRAFT) => {
                    return Err(refused(&format!("draft {value}")));
                }
                "$schema" | "$id" if root && value.is_string() => {}
                "$ref" => {
                    let target = value.as_str().unwrap_or_default();
                    let index = target
                        .strip_prefix("#/$defs/")
                        .filter(|name| !name.contains(['/', '~', '%']))
                        .and_then(|name| self.names.iter().position(|n| *n == name))
                        .ok_or_else(|| refused(&format!("`$ref` to {value}")))?;
                    rules.reference = Some(index);
                }
                "type" => {
                    let names = match value {
                        Value::Array(names) => names.as_slice(),
                        one => std::slice::from_ref(one),
                    };
                    let mut bits = 0;
                    for name in names {
                        let index = TYPES
                            .iter()
                            .position(|t| Some(*t) == name.as_str())
                            .ok_or_else(|| refused(&format!("type {name}")))?;
                        bits |= 1 << index;
                    }
                    rules.types = Some(bits);
                }
                "const" => {
                    let constant =
                        literal(value).ok_or_else(|| refused("a number out of range"))?;
                    rules.constant = Some(constant);
                }
                "enum" => {
                    let choices = value.as_array().ok_or_else(|| refused("not a list"))?;
                    let choices = choices.iter().map(literal).collect::<Option<Vec<_>>>();
                    let choices = choices.ok_or_else(|| refused("a number out of range"))?;
                    rules.choices = Some(leak(choices));
                }
                "minimum" => rules.minimum = Some(number()?),
                "maximum" => rules.maximum = Some(number()?),
                "exclusiveMinimum" => rules.exclusive_minimum = Some(number()?),
                "exclusiveMaximum" => rules.exclusive_maximum = Some(number()?),
                "minLength" => rules.min_length = Some(count()?),
                "maxLength" => rules.max_length = Some(count()?),
                "minItems" => rules.min_items = Some(count()?),
                "maxItems" => rules.max_items = Some(count()?),
                "required" => {
                    let names = value.as_array().map(|names| {
                        names
                            .iter()
                            .map(|name| name.as_str().map(leak_str))
                            .collect::<Option<Vec<_>>>()
                    });
                    let names = names
                        .flatten()
                        .ok_or_else(|| refused("not a list of names"))?;
                    rules.required = leak(names);
                }
                "properties" => {
                    let map = value.as_object().ok_or_else(|| refused("not an object"))?;
                    let properties = map
                        .iter()
                        .map(|(name, schema)| {
                            let at = format!("{at}/properties/{}", escape(name));
                            Ok((leak_str(name), self.node(schema, &at, false)?))
                        })
                        .collect::<Result<Vec<_>, String>>()?;
                    rules.properties = leak(properties);
                }
                "allOf" => {
                    let list = value.as_array().ok_or_else(|| refused("not a list"))?;
                    let nodes = (0..list.len())
                        .map(|i| self.node(&list[i], &format!("{at}/allOf/{i}"), false))
                        .collect::<Result<Vec<_>, _>>()?;
                    rules.all_of = leak(nodes);
                }
                "items" => rules.items = Some(child("items")?),
                "if" => rules.condition = Some(child("if")?),
                "then" => rules.then = Some(child("then")?),
                "else" => rules.otherwise = Some(child("else")?),
                _ => return Err(refused(&format!("keyword `{key}`"))),
            }
        }
        Ok(Node::Rules(Box::leak(Box::new(rules))))
    }
}

/// `value` as a literal; `None` for a number `serde_json` holds in none of the three forms.
fn literal(value: &Value) -> Option<Literal> {
    Some(match value {
        Value::Null => Literal::Null,
        Value::Bool(b) => Literal::Bool(*b),
        Value::Number(n) => Literal::Number(Num::of(n)?),
        Value::String(s) => Literal::String(leak_str(s)),
        Value::Array(items) => {
            Literal::Array(leak(items.iter().map(literal).collect::<Option<_>>()?))
        }
        Value::Object(map) => Literal::Object(leak(
            map.iter()
                .map(|(key, value)| Some((leak_str(key), literal(value)?)))
                .collect::<Option<_>>()?,
        )),
    })
}

/// A JSON pointer's reference token for `name`.
fn escape(name: &str) -> String {
    name.replace('~', "~0").replace('/', "~1")
}

fn leak<T>(items: Vec<T>) -> &'static [T] {
    items.leak()
}

fn leak_str(text: &str) -> &'static str {
    text.to_owned().leak()
}
