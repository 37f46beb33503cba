//! The diagnostics of an open document: for a spec, exactly what `vidspec check` reports
//! (the same compilation, the same lints); for a scene template or a preset file, what a
//! spec using it would be told about the file itself.
//!
//! A required variable without a value is given a placeholder (its first allowed value, its
//! minimum, or its name), so that a spec meant for `--set` or a CSV is checked rather than
//! reported as broken.

use std::path::Path;

use serde_json::Value;

use crate::compile::{self, Options, Program};
use crate::diag::{Diagnostic, Diagnostics, Source};
use crate::error::Error;
use crate::inputs::{Inputs, VarDecl, VarType};
use crate::load::yaml::{self, Node};

/// What kind of file a document is, by the folder it sits in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Spec,
    /// `…/scenes/*.yaml` beside `clips/` or `models/`, or in a templates folder.
    SceneTemplate,
    /// `…/models/*.yaml` likewise.
    Preset,
}

pub(crate) fn kind_of(path: &Path) -> Kind {
    let folder = path.parent();
    let name = folder.and_then(Path::file_name).and_then(|n| n.to_str());
    let library = folder.and_then(Path::parent).is_some_and(|root| {
        ["clips", "scenes", "models"]
            .iter()
            .filter(|f| root.join(f).is_dir())
            .count()
            >= 2
            || root.file_name().is_some_and(|n| n == "templates")
    });
    match name {
        Some("scenes") if library => Kind::SceneTemplate,
        Some("models") if library => Kind::Preset,
        _ => Kind::Spec,
    }
}

/// The spec's tree, when its text parses.
pub(crate) fn parse(name: &str, text: &str) -> Result<Node, Diagnostic> {
    yaml::parse(&Source::new(name, text), yaml::Limits::default())
}

/// The diagnostics of a document whose file is `path` (its text is `text`, maybe unsaved).
pub(crate) fn diagnose(path: &Path, name: &str, text: &str, options: &Options) -> Vec<Diagnostic> {
    match kind_of(path) {
        Kind::Spec => diagnose_spec(path, name, text, options),
        Kind::SceneTemplate => {
            let mut engine = crate::expand::Engine::new();
            engine.add_file(name, text).err().into_iter().collect()
        }
        Kind::Preset => match parse(name, text) {
            Ok(node) => {
                let mut diags = Diagnostics::default();
                crate::lower::Presets::default().add_node(&node, &mut diags);
                diags.items
            }
            Err(d) => vec![d],
        },
    }
}

fn diagnose_spec(path: &Path, name: &str, text: &str, options: &Options) -> Vec<Diagnostic> {
    let root = match parse(name, text) {
        Ok(root) => root,
        Err(d) => return vec![d],
    };
    let program = match Program::from_tree(root, path, options) {
        Ok(program) => program,
        Err(error) => return diagnostics_of(error),
    };
    match compile::check_loaded(&program, &placeholders(&program)) {
        Ok((_, warnings)) => warnings,
        Err(error) => {
            let mut all = program.warnings.clone();
            all.extend(diagnostics_of(error));
            all
        }
    }
}

fn diagnostics_of(error: Error) -> Vec<Diagnostic> {
    match error {
        Error::Invalid(diags) => diags,
        other => vec![Diagnostic::error(other.to_string())],
    }
}

/// Values for the required variables that nothing gives a value.
fn placeholders(program: &Program) -> Inputs {
    match program.resolve(&Inputs::new()) {
        Ok(_) => Inputs::new(),
        Err(missing) => missing
            .into_iter()
            .map(|decl| (decl.name.clone(), placeholder(decl)))
            .collect(),
    }
}

fn placeholder(decl: &VarDecl) -> Value {
    if let Some(first) = decl.choices.as_ref().and_then(|c| c.first()) {
        return first.clone();
    }
    let within = |n: f64| {
        let n = decl.min.map_or(n, |m| n.max(m));
        decl.max.map_or(n, |m| n.min(m))
    };
    match decl.ty {
        VarType::String => Value::String(decl.name.clone()),
        VarType::Integer => Value::from(within(1.0).ceil() as i64),
        VarType::Number => crate::json_number(within(1.0)),
        VarType::Boolean => Value::Bool(false),
        VarType::List => Value::Array(vec![Value::String(decl.name.clone())]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_required_variable_is_checked_with_a_placeholder() {
        let text = "vars:\n  name: { type: string, required: true }\n  n: { type: integer, required: true, min: 5 }\navatar: { preset: anna-navy-suit }\nscenes:\n  - say: \"Hi {{ name }}, {{ n * 2 }}\"\n";
        let diags = diagnose(Path::new("v.yaml"), "v.yaml", text, &Options::default());
        assert!(
            diags.iter().all(|d| !d.is_error()),
            "{:?}",
            diags.iter().map(|d| &d.message).collect::<Vec<_>>()
        );
    }

    #[test]
    fn a_spec_gets_checks_errors() {
        let text = "avatar: { preset: anna-navy-suit }\nscenes:\n  - say: \"Hi {{ nme }}\"\n    clps: []\n";
        let diags = diagnose(Path::new("v.yaml"), "v.yaml", text, &Options::default());
        let messages: Vec<&str> = diags.iter().map(|d| d.message.as_str()).collect();
        assert!(
            messages.contains(&"unknown key `clps` in scene"),
            "{messages:?}"
        );
    }
}
