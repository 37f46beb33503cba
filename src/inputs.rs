//! Inputs: the spec's `vars` declarations, and the values they take from their sources.
//!
//! Precedence, lowest to highest: a declaration's `default` < `--vars` files (in the order
//! given) < the CSV row < `--set`. Text from CSV cells and `--set` is converted to the
//! declared type; every value is checked against `enum`, `min`/`max` and `pattern`. Values are
//! data: they reach templates as context values and are never parsed as templates.

mod hint;

use std::collections::BTreeMap;
use std::num::IntErrorKind;

use serde_json::Value;

use crate::diag::{Diagnostic, Diagnostics, Span, suggestion};
use crate::load::yaml::{Node, NodeKind};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum VarType {
    String,
    Integer,
    Number,
    Boolean,
    List,
}

impl VarType {
    const NAMES: [&'static str; 5] = ["string", "integer", "number", "boolean", "list"];

    fn parse(name: &str) -> Option<VarType> {
        Some(match name {
            "string" => VarType::String,
            "integer" => VarType::Integer,
            "number" => VarType::Number,
            "boolean" => VarType::Boolean,
            "list" => VarType::List,
            _ => return None,
        })
    }

    fn article(self) -> &'static str {
        match self {
            VarType::String => "a string",
            VarType::Integer => "an integer",
            VarType::Number => "a number",
            VarType::Boolean => "a boolean (true/false)",
            VarType::List => "a list",
        }
    }
}

/// One `vars:` entry.
#[derive(Debug)]
pub(crate) struct VarDecl {
    pub(crate) name: String,
    pub(crate) span: Span,
    pub(crate) ty: VarType,
    pub(crate) default: Option<Value>,
    pub(crate) required: bool,
    pub(crate) choices: Option<Vec<Value>>,
    pub(crate) min: Option<f64>,
    pub(crate) max: Option<f64>,
    pub(crate) pattern: Option<regex::Regex>,
    pub(crate) separator: String,
    pub(crate) description: Option<String>,
}

/// A value as it arrives: text (CSV, `--set`) or already typed (a vars file).
#[derive(Clone, Copy, Debug)]
pub enum Raw<'a> {
    Text(&'a str),
    Typed(&'a Value),
}

/// The declared variables, in declaration order.
#[derive(Debug, Default)]
pub struct Vars {
    pub(crate) decls: Vec<VarDecl>,
}

/// Resolved inputs: every declared variable that has a value.
pub type Inputs = BTreeMap<String, Value>;

impl Vars {
    /// Reads the `vars:` mapping of a spec.
    pub(crate) fn parse(node: Option<&Node>, diags: &mut Diagnostics) -> Vars {
        let mut vars = Vars::default();
        let Some(node) = node else { return vars };
        let Some(entries) = node.as_map() else {
            diags.push(
                Diagnostic::error(format!(
                    "`vars` must be a mapping, found {}",
                    node.type_name()
                ))
                .at(&node.span),
            );
            return vars;
        };
        for (key, decl) in entries {
            if let Some(decl) = parse_decl(&key.name, &key.span, decl, diags) {
                vars.decls.push(decl);
            }
        }
        vars
    }

    pub(crate) fn get(&self, name: &str) -> Option<&VarDecl> {
        self.decls.iter().find(|d| d.name == name)
    }

    pub(crate) fn names(&self) -> impl Iterator<Item = &str> + Clone {
        self.decls.iter().map(|d| d.name.as_str())
    }

    /// The defaults: the lowest layer of inputs.
    pub(crate) fn defaults(&self) -> Inputs {
        self.decls
            .iter()
            .filter_map(|d| Some((d.name.clone(), d.default.clone()?)))
            .collect()
    }

    /// Sets `name` from a source, converting and checking it; the error names no source and
    /// has no span (the caller knows where the value came from).
    pub fn set(&self, inputs: &mut Inputs, name: &str, raw: Raw<'_>) -> Result<(), Diagnostic> {
        let decl = self.get(name).ok_or_else(|| {
            Diagnostic::error(if self.decls.is_empty() {
                format!("unknown variable `{name}`; this spec declares no `vars`")
            } else {
                format!(
                    "unknown variable `{name}`; {}",
                    suggestion(name, self.names())
                )
            })
        })?;
        inputs.insert(name.to_owned(), coerce(decl, raw)?);
        Ok(())
    }

    /// Checks that every required variable has a value.
    pub(crate) fn missing(&self, inputs: &Inputs) -> Vec<&VarDecl> {
        self.decls
            .iter()
            .filter(|d| d.required && !inputs.contains_key(&d.name))
            .collect()
    }

    /// The diagnostic for a required variable without a value.
    pub(crate) fn missing_diagnostic(decl: &VarDecl) -> Diagnostic {
        let what = decl
            .description
            .as_deref()
            .map_or(String::new(), |d| format!(" ({d})"));
        Diagnostic::error(format!("missing required variable `{}`{what}", decl.name))
            .at(&decl.span)
            .with_help(format!(
                "pass it with `--set {}=…`, a `--vars` file or a CSV column",
                decl.name
            ))
    }

    /// Applies a `--vars` file's mapping; unknown names are warnings (files are shared).
    pub(crate) fn apply_file(&self, inputs: &mut Inputs, file: &Node, diags: &mut Diagnostics) {
        let Some(entries) = file.as_map() else {
            diags.push(
                Diagnostic::error("a vars file must hold a mapping of variable names to values")
                    .at(&file.span),
            );
            return;
        };
        for (key, value) in entries {
            if self.get(&key.name).is_none() {
                diags.push(
                    Diagnostic::warning(format!(
                        "`{}` is not a variable of this spec; ignored",
                        key.name
                    ))
                    .at(&key.span)
                    .with_help(suggestion(&key.name, self.names())),
                );
                continue;
            }
            let json = value.to_json();
            if let Err(refused) = self.set(inputs, &key.name, Raw::Typed(&json)) {
                diags.push(refused.at(&value.span));
            }
        }
    }
}

fn parse_decl(name: &str, span: &Span, node: &Node, diags: &mut Diagnostics) -> Option<VarDecl> {
    let mut decl = VarDecl {
        name: name.to_owned(),
        span: span.clone(),
        ty: VarType::String,
        default: None,
        required: false,
        choices: None,
        min: None,
        max: None,
        pattern: None,
        separator: "|".to_owned(),
        description: None,
    };
    if !is_identifier(name) || matches!(name, "row" | "loop" | "item") {
        diags.push(
            Diagnostic::error(format!("`{name}` cannot be a variable name"))
                .at(span)
                .with_help("use letters, digits and `_`, starting with a letter; `row`, `loop` and `item` are reserved"),
        );
        return None;
    }
    let entries = match &node.kind {
        NodeKind::Map(entries) => entries.as_slice(),
        NodeKind::Null => &[],
        _ => {
            diags.push(
                Diagnostic::error(format!(
                    "variable `{name}` must be a mapping like `{{ type: string }}`"
                ))
                .at(&node.span),
            );
            return None;
        }
    };
    let before = diags.items.len();
    let mut default_node = None;
    for (key, value) in entries {
        let wrong = |what: &str| {
            Diagnostic::error(format!(
                "`{}` of variable `{name}` must be {what}, found {}",
                key.name,
                value.type_name()
            ))
            .at(&value.span)
        };
        match key.name.as_str() {
            "type" => match value.as_str().and_then(VarType::parse) {
                Some(ty) => decl.ty = ty,
                None => diags.push(
                    Diagnostic::error(format!("unknown variable type {}", value.span.text()))
                        .at(&value.span)
                        .with_help(suggestion(value.as_str().unwrap_or(""), VarType::NAMES)),
                ),
            },
            "default" => default_node = Some(value),
            "required" => match value.kind {
                NodeKind::Bool(b) => decl.required = b,
                _ => diags.push(wrong("true or false")),
            },
            "enum" => match &value.kind {
                NodeKind::Seq(items) => {
                    decl.choices = Some(items.iter().map(Node::to_json).collect())
                }
                _ => diags.push(wrong("a list")),
            },
            "min" | "max" => match value.kind {
                NodeKind::Int(i) => *bound(&mut decl, &key.name) = Some(i as f64),
                NodeKind::Float(f) => *bound(&mut decl, &key.name) = Some(f),
                _ => diags.push(wrong("a number")),
            },
            "pattern" => match value
                .as_str()
                .map(|p| regex::Regex::new(&format!("^(?:{p})$")))
            {
                Some(Ok(re)) => decl.pattern = Some(re),
                Some(Err(e)) => {
                    diags.push(Diagnostic::error(format!("invalid pattern: {e}")).at(&value.span))
                }
                None => diags.push(wrong("a string")),
            },
            "separator" => match value.as_str() {
                Some(s) if !s.is_empty() => decl.separator = s.to_owned(),
                _ => diags.push(wrong("a non-empty string")),
            },
            "description" => match value.as_str() {
                Some(s) => decl.description = Some(s.to_owned()),
                None => diags.push(wrong("a string")),
            },
            _ => {} // the shape check reports unknown keys
        }
    }
    if let Some(node) = default_node {
        match coerce(&decl, Raw::Typed(&node.to_json())) {
            Ok(value) => decl.default = Some(value),
            Err(mut refused) => {
                refused.message = format!("default of `{name}`: {}", refused.message);
                diags.push(refused.at(&node.span));
            }
        }
    }
    (diags.items.len() == before).then_some(decl)
}

fn bound<'a>(decl: &'a mut VarDecl, which: &str) -> &'a mut Option<f64> {
    if which == "min" {
        &mut decl.min
    } else {
        &mut decl.max
    }
}

/// Converts a raw value to the declared type and checks its constraints; a number written
/// for people (`12,000`, `3억`) is refused with the number to write as help.
pub(crate) fn coerce(decl: &VarDecl, raw: Raw<'_>) -> Result<Value, Diagnostic> {
    convert(decl, raw).map_err(|message| {
        let text = match raw {
            Raw::Text(t) => Some(t),
            Raw::Typed(Value::String(s)) => Some(s.as_str()),
            Raw::Typed(_) => None,
        };
        let hint = match decl.ty {
            VarType::Integer => text.and_then(|t| hint::number_hint(t, true)),
            VarType::Number => text.and_then(|t| hint::number_hint(t, false)),
            _ => None,
        };
        match hint {
            Some(hint) => Diagnostic::error(message).with_help(hint),
            None => Diagnostic::error(message),
        }
    })
}

fn convert(decl: &VarDecl, raw: Raw<'_>) -> Result<Value, String> {
    let expected = || match raw {
        Raw::Text(t) => format!("expected {}, got `{t}`", decl.ty.article()),
        Raw::Typed(v) => format!(
            "expected {}, got {}",
            decl.ty.article(),
            crate::describe_json(v)
        ),
    };
    let value = match (decl.ty, raw) {
        (VarType::String, Raw::Text(t)) => Value::String(t.to_owned()),
        (VarType::String, Raw::Typed(v)) => match v {
            Value::String(_) => v.clone(),
            Value::Number(n) => Value::String(n.to_string()),
            Value::Bool(b) => Value::String(b.to_string()),
            _ => return Err(expected()),
        },
        (VarType::Integer, Raw::Text(t)) => match t.trim().parse::<i64>() {
            Ok(i) => Value::from(i),
            Err(e)
                if matches!(
                    e.kind(),
                    IntErrorKind::PosOverflow | IntErrorKind::NegOverflow
                ) =>
            {
                return Err(format!(
                    "`{}` is too large for an integer (they go from {} to {})",
                    t.trim(),
                    i64::MIN,
                    i64::MAX
                ));
            }
            Err(_) => return Err(expected()),
        },
        (VarType::Integer, Raw::Typed(v)) => match v {
            Value::Number(n) if n.is_i64() || n.is_u64() => v.clone(),
            Value::Number(n) if n.as_f64().is_some_and(|f| f.fract() == 0.0) => {
                crate::json_number(n.as_f64().unwrap_or(0.0))
            }
            Value::String(s) => return convert(decl, Raw::Text(s)),
            _ => return Err(expected()),
        },
        (VarType::Number, Raw::Text(t)) => match t.trim().parse::<f64>() {
            Ok(f) if f.is_finite() => crate::json_number(f),
            Ok(f) if !f.is_nan() && t.trim().bytes().any(|b| b.is_ascii_digit()) => {
                return Err(format!(
                    "`{}` is too large for a number (the largest is about 1.8e308)",
                    t.trim()
                ));
            }
            _ => return Err(expected()),
        },
        (VarType::Number, Raw::Typed(v)) => match v {
            Value::Number(_) => v.clone(),
            Value::String(s) => return convert(decl, Raw::Text(s)),
            _ => return Err(expected()),
        },
        (VarType::Boolean, Raw::Text(t)) => match t.trim().to_ascii_lowercase().as_str() {
            "true" | "yes" | "1" => Value::Bool(true),
            "false" | "no" | "0" => Value::Bool(false),
            _ => return Err(expected()),
        },
        (VarType::Boolean, Raw::Typed(v)) => match v {
            Value::Bool(_) => v.clone(),
            Value::String(s) => return convert(decl, Raw::Text(s)),
            _ => return Err(expected()),
        },
        (VarType::List, Raw::Text(t)) => Value::Array(if t.is_empty() {
            Vec::new()
        } else {
            t.split(decl.separator.as_str())
                .map(|s| Value::String(s.trim().to_owned()))
                .collect()
        }),
        (VarType::List, Raw::Typed(v)) => match v {
            Value::Array(_) => v.clone(),
            Value::String(s) => return convert(decl, Raw::Text(s)),
            _ => return Err(expected()),
        },
    };
    check_constraints(decl, &value)?;
    Ok(value)
}

fn check_constraints(decl: &VarDecl, value: &Value) -> Result<(), String> {
    if let Some(choices) = &decl.choices {
        if !choices.contains(value) {
            let list: Vec<String> = choices.iter().map(crate::describe_json).collect();
            return Err(format!(
                "{} is not one of {}",
                crate::describe_json(value),
                list.join(", ")
            ));
        }
    }
    let measure = match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => Some(s.chars().count() as f64),
        Value::Array(items) => Some(items.len() as f64),
        _ => None,
    };
    let unit = match value {
        Value::Number(_) => "",
        Value::String(_) => " characters",
        _ => " items",
    };
    if let (Some(m), Some(min)) = (measure, decl.min) {
        if m < min {
            return Err(format!(
                "{} is below the minimum of {min}{unit}",
                crate::describe_json(value)
            ));
        }
    }
    if let (Some(m), Some(max)) = (measure, decl.max) {
        if m > max {
            return Err(format!(
                "{} is above the maximum of {max}{unit}",
                crate::describe_json(value)
            ));
        }
    }
    if let (Some(re), Value::String(s)) = (&decl.pattern, value) {
        if !re.is_match(s) {
            return Err(format!(
                "{} does not match the pattern `{}`",
                crate::describe_json(value),
                &re.as_str()[4..re.as_str().len() - 2]
            ));
        }
    }
    Ok(())
}

/// Splits `key=value` from `--set`.
pub(crate) fn split_assignment(arg: &str) -> Result<(&str, &str), String> {
    arg.split_once('=')
        .filter(|(k, _)| !k.is_empty())
        .ok_or_else(|| format!("--set {arg}: expected NAME=VALUE"))
}

/// A name templates can read: letters, digits and `_`, not starting with a digit.
pub(crate) fn is_identifier(name: &str) -> bool {
    name.chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}
