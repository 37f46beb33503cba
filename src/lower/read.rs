//! Typed reads of expanded spec values: each reports a wrong type at the value's span.

use serde_json::Value;

use crate::diag::{Diagnostic, suggestion};
use crate::load::yaml::{Node, NodeKind};

use super::{Placed, Run};

impl Run<'_, '_> {
    pub(super) fn string(&mut self, parent: &Node, key: &str) -> Option<Placed> {
        self.string_of(parent.get(key)?, key)
    }

    pub(super) fn string_of(&mut self, node: &Node, key: &str) -> Option<Placed> {
        // A number written in the spec where text is expected keeps its spelling (`1.50`).
        let written = node.span.text().trim();
        if node.template.is_none()
            && matches!(node.kind, NodeKind::Int(_) | NodeKind::Float(_))
            && crate::load::yaml::number(written).is_some()
        {
            return Some(placed(Value::String(written.to_owned()), node));
        }
        match as_text(&node.to_json()) {
            Some(text) => Some(placed(text, node)),
            None => {
                self.error(
                    format!("`{key}` must be a string, found {}", node.type_name()),
                    &node.span,
                );
                None
            }
        }
    }

    pub(super) fn choice(&mut self, parent: &Node, key: &str, choices: &[&str]) -> Option<Placed> {
        self.choice_of(parent.get(key)?, key, choices)
    }

    pub(super) fn choice_of(&mut self, node: &Node, key: &str, choices: &[&str]) -> Option<Placed> {
        let value = self.string_of(node, key)?;
        let text = value.value.as_str().unwrap_or_default();
        if choices.contains(&text) {
            return Some(value);
        }
        self.diags.push(
            Diagnostic::error(format!("`{text}` is not a valid `{key}`"))
                .at(&node.span)
                .with_help(suggestion(text, choices.iter().copied())),
        );
        None
    }

    pub(super) fn num(&mut self, parent: &Node, key: &str) -> Option<Placed> {
        self.num_of(parent.get(key)?, key)
    }

    pub(super) fn num_of(&mut self, node: &Node, key: &str) -> Option<Placed> {
        if self.lowerer.partial {
            if let Some(marked) = node.as_str().and_then(numeric_slot) {
                return Some(placed(Value::String(marked), node));
            }
        }
        let expected = if matches!(node.kind, NodeKind::Float(_)) {
            "a finite number"
        } else {
            "a number"
        };
        self.typed(node, key, expected, number_value(node))
    }

    pub(super) fn positive(&mut self, parent: &Node, key: &str) -> Option<Placed> {
        self.bounded(parent, key, |v| v > 0.0, "must be greater than 0")
    }

    pub(super) fn non_negative(&mut self, parent: &Node, key: &str) -> Option<Placed> {
        self.bounded(parent, key, |v| v >= 0.0, "must not be negative")
    }

    /// A number under `key` that passes `within`; otherwise an error saying it `must` ….
    fn bounded(
        &mut self,
        parent: &Node,
        key: &str,
        within: fn(f64) -> bool,
        must: &str,
    ) -> Option<Placed> {
        let value = self.num(parent, key)?;
        if value.value.as_f64().is_some_and(within) {
            return Some(value);
        }
        self.error(format!("`{key}` {must}"), &value.span);
        None
    }

    pub(super) fn int(&mut self, parent: &Node, key: &str) -> Option<Placed> {
        self.int_of(parent.get(key)?, key)
    }

    pub(super) fn int_of(&mut self, node: &Node, key: &str) -> Option<Placed> {
        let value = matches!(node.kind, NodeKind::Int(_)).then(|| node.to_json());
        self.typed(node, key, "an integer", value)
    }

    pub(super) fn boolean(&mut self, parent: &Node, key: &str) -> Option<Placed> {
        self.bool_of(parent.get(key)?, key)
    }

    pub(super) fn bool_of(&mut self, node: &Node, key: &str) -> Option<Placed> {
        let value = matches!(node.kind, NodeKind::Bool(_)).then(|| node.to_json());
        self.typed(node, key, "true or false", value)
    }

    /// `value` placed from `node`, or, when there is none, an error that `key` must be `expected`.
    fn typed(
        &mut self,
        node: &Node,
        key: &str,
        expected: &str,
        value: Option<Value>,
    ) -> Option<Placed> {
        if value.is_none() {
            self.error(
                format!("`{key}` must be {expected}, found {}", describe(node)),
                &node.span,
            );
        }
        value.map(|value| placed(value, node))
    }
}

/// The number a node holds, as placed in the output; None for anything else.
pub(crate) fn number_value(node: &Node) -> Option<Value> {
    match node.kind {
        NodeKind::Int(_) => Some(node.to_json()),
        NodeKind::Float(f) if f.is_finite() => Some(crate::json_number(f)),
        _ => None,
    }
}

/// The number a template's value places where a number is expected (as it would through
/// its node: see [`number_value`]); None for anything else.
pub fn number_of_json(value: &Value) -> Option<Value> {
    let Value::Number(n) = value else {
        return None;
    };
    match n.as_i64() {
        Some(i) => Some(Value::from(i)),
        None => n.as_f64().filter(|f| f.is_finite()).map(crate::json_number),
    }
}

/// A placeholder that stands alone where a number is expected becomes a numeric slot: the
/// same placeholder between [`crate::expand::NUMBER`] marks, filled per row with a number.
fn numeric_slot(text: &str) -> Option<String> {
    use crate::expand::{NUMBER, SYMBOL};
    let body = text.strip_prefix(SYMBOL)?.strip_suffix(SYMBOL)?;
    (!body.contains(SYMBOL)).then(|| format!("{NUMBER}{body}{NUMBER}"))
}

/// A value where text is expected: a string as it is, a number as its text, else nothing.
pub(crate) fn as_text(value: &Value) -> Option<Value> {
    match value {
        Value::String(_) => Some(value.clone()),
        Value::Number(n) => {
            let normal = n.as_i64().map_or_else(
                || crate::json_number(n.as_f64().unwrap_or(f64::NAN)),
                Value::from,
            );
            Some(Value::String(normal.to_string()))
        }
        _ => None,
    }
}

/// A JSON object of `entries`, in their order, moved in. Unlike `json!`, which serializes
/// each value it is given into a copy, this costs nothing per value: a scene's clips are most
/// of a project, and copying them doubled the work of lowering it.
pub(super) fn object<const N: usize>(entries: [(&str, Value); N]) -> Value {
    let mut map = serde_json::Map::with_capacity(N);
    for (key, value) in entries {
        map.insert(key.to_owned(), value);
    }
    Value::Object(map)
}

pub(super) fn placed(value: Value, node: &Node) -> Placed {
    Placed {
        value,
        span: node.span.clone(),
    }
}

impl From<&Placed> for Node {
    fn from(p: &Placed) -> Node {
        Node::from_json(&p.value, &p.span)
    }
}

pub(super) fn describe(node: &Node) -> String {
    match &node.kind {
        NodeKind::Str(s) => format!("the string \"{s}\""),
        NodeKind::Float(f) if f.is_nan() => "not-a-number (`.nan`)".to_owned(),
        NodeKind::Float(f) if f.is_infinite() => {
            let sign = if *f < 0.0 { "-" } else { "" };
            let written = node.span.text().trim();
            if written.trim_start_matches(['-', '+']).starts_with('.') {
                format!("{sign}infinity (`{written}`)")
            } else {
                format!("{sign}infinity (`{written}` is too large for a number)")
            }
        }
        _ => node.type_name().to_owned(),
    }
}
