//! Scene templates (`templates/scenes/*.yaml`) and the arguments they declare.
//!
//! A template may declare its `with:` arguments in its leading comment, one line starting
//! `with:` listing them, separated by commas, each optionally followed by a parenthesised note:
//! `(required)` makes it required, `(list …)` makes it a list. A declared template then refuses
//! unknown arguments (with a suggestion), missing required ones and non-lists for lists, at the
//! spec line that uses it — before it is rendered.

use crate::diag::{Diagnostic, suggestion};
use crate::load::yaml::{Node, NodeKind};

/// One scene template: the engine's file name for it and its declared arguments.
#[derive(Clone, Debug)]
pub struct SceneTemplate {
    pub file: String,
    /// None when the template declares nothing (its arguments are then not checked).
    pub params: Option<Vec<Param>>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Param {
    pub name: String,
    pub required: bool,
    pub list: bool,
}

impl SceneTemplate {
    pub fn new(file: &str, text: &str) -> SceneTemplate {
        SceneTemplate {
            file: file.to_owned(),
            params: declared_params(text),
        }
    }

    /// Problems with the arguments a `use:` passes, located at the spec.
    pub fn check_args(&self, name: &str, args: Option<&Node>, use_node: &Node) -> Vec<Diagnostic> {
        let Some(params) = &self.params else {
            return Vec::new();
        };
        let entries = args.and_then(Node::as_map).unwrap_or_default();
        let names = params.iter().map(|p| p.name.as_str());
        let mut problems = Vec::new();
        for (key, value) in entries {
            match params.iter().find(|p| p.name == key.name) {
                None => problems.push(
                    Diagnostic::error(format!(
                        "scene template `{name}` takes no argument `{}`",
                        key.name
                    ))
                    .at(&key.span)
                    .with_help(suggestion(&key.name, names.clone())),
                ),
                Some(param) if param.list && !matches!(value.kind, NodeKind::Seq(_)) => problems
                    .push(
                        Diagnostic::error(format!(
                            "`{}` of scene template `{name}` must be a list, found {}",
                            key.name,
                            value.type_name()
                        ))
                        .at(&value.span)
                        .with_help(format!(
                            "write a YAML list, e.g. `{}: [first, second]`",
                            key.name
                        )),
                    ),
                Some(_) => {}
            }
        }
        for param in params.iter().filter(|p| p.required) {
            if !entries.iter().any(|(k, _)| k.name == param.name) {
                problems.push(
                    Diagnostic::error(format!("scene template `{name}` needs `{}`", param.name))
                        .at(&use_node.span)
                        .with_help(format!(
                            "add it under `with:`; the template takes {}",
                            describe(params)
                        )),
                );
            }
        }
        problems
    }
}

fn describe(params: &[Param]) -> String {
    params
        .iter()
        .map(|p| {
            if p.required {
                format!("`{}` (required)", p.name)
            } else {
                format!("`{}`", p.name)
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The `with:` line of a template's leading `{# … #}` comment, parsed.
pub fn declared_params(text: &str) -> Option<Vec<Param>> {
    let comment = text.trim_start().strip_prefix("{#")?;
    let comment = &comment[..comment.find("#}")?];
    let start = comment.find("with:")? + "with:".len();
    let mut declared = String::new();
    for (i, line) in comment[start..].lines().enumerate() {
        let line = line.trim().trim_end_matches('-');
        if i > 0 && !declared.trim_end().ends_with(',') {
            break;
        }
        declared.push_str(line);
        declared.push(' ');
    }
    let mut params = Vec::new();
    let mut depth = 0usize;
    let mut item = String::new();
    for c in declared.chars().chain([',']) {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                let name: String = item
                    .trim()
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    // The note is what follows the name, read word by word: `playlist` is a
                    // name, not a note saying "list".
                    let note = item.trim()[name.len()..].to_ascii_lowercase();
                    let says = |word: &str| {
                        note.split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
                            .any(|w| w == word)
                    };
                    params.push(Param {
                        required: says("required"),
                        list: says("list"),
                        name,
                    });
                }
                item.clear();
                continue;
            }
            _ => {}
        }
        item.push(c);
    }
    Some(params)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_with_line_declares_arguments() {
        let text = "{#- bullets: a list.\n    with: title (required), items (required, a list),\n          say (default: read out), background -#}\nsay: x\n";
        let params = declared_params(text).unwrap();
        let names: Vec<&str> = params.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["title", "items", "say", "background"]);
        assert!(params[0].required && !params[0].list);
        assert!(params[1].required && params[1].list);
        assert!(!params[2].required);
    }

    #[test]
    fn a_name_containing_list_or_required_is_not_a_note() {
        let text = "{# with: playlist, required_by (a date), items (a list) #}\nsay: x\n";
        let params = declared_params(text).unwrap();
        assert_eq!(params[0].name, "playlist");
        assert!(!params[0].list && !params[0].required, "{:?}", params[0]);
        assert_eq!(params[1].name, "required_by");
        assert!(!params[1].required && !params[1].list);
        assert!(params[2].list && !params[2].required);
    }

    #[test]
    fn a_template_without_a_declaration_is_not_checked() {
        assert_eq!(declared_params("say: {{ x }}\n"), None);
    }
}
