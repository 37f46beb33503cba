//! The spec schema (`schemas/spec.schema.json`, what editors' YAML plugins check with) and the
//! compiler give every example and every spec of the test fixtures the same verdict.
//!
//! The schema sees a spec's structure only: keys, types, enums, which keys go together. What it
//! cannot see (a name a template reads, a preset or scene template that does not exist, values
//! from `--set`) is listed in [`BEYOND_A_SCHEMA`] with the reason; for every other spec,
//! `vidspec check` failing and the schema refusing go together (YAML that does not load fails
//! both). `tests/schema/ok-*` and `bad-*` are the cases where the two once disagreed.

use std::path::{Path, PathBuf};

use crate::support::{Test, examples, repo};

/// Fixtures that fail for a reason no JSON Schema can express.
const BEYOND_A_SCHEMA: &[(&str, &str)] = &[
    ("bad-preset-file", "a preset file the spec names"),
    (
        "each-template-error",
        "an error inside a template expression",
    ),
    ("each-too-long", "the length of a list a template computes"),
    ("missing-required-var", "no value for a required variable"),
    ("set-not-in-enum", "a --set value"),
    ("set-too-large", "a --set value"),
    ("set-unknown-var", "a --set name"),
    ("set-wrong-type", "a --set value"),
    ("set-thousands-separator", "a --set value"),
    ("vars-file-korean-units", "a value from a vars file"),
    ("template-infinity", "the value a template computes"),
    ("template-syntax", "template syntax"),
    ("value-expression-syntax", "template syntax"),
    ("value-expression-stray-parenthesis", "template syntax"),
    ("value-filter-syntax", "template syntax"),
    ("undefined-in-expression", "a name a template reads"),
    ("undefined-name", "a name a template reads"),
    ("tab-before-error", "a name a template reads"),
    ("unknown-preset", "a preset that does not exist"),
    (
        "unknown-scene-template",
        "a scene template that does not exist",
    ),
    ("when-not-boolean", "the value a template computes"),
    (
        "scene-template-arguments",
        "the arguments a scene template declares",
    ),
];

fn specs() -> Vec<PathBuf> {
    let mut all = examples();
    for folder in ["tests/diagnostics", "tests/lints", "tests/schema"] {
        for entry in std::fs::read_dir(repo().join(folder)).unwrap() {
            let spec = entry.unwrap().path().join("spec.yaml");
            if spec.is_file() {
                all.push(spec);
            }
        }
    }
    all.sort();
    all
}

/// The schema's verdict: None when valid, else its first complaint.
fn schema_verdict(spec: &Path) -> Option<String> {
    let schema = vidspec::check::Schema::new(vidspec::check::SPEC_SCHEMA);
    let node = match vidspec::load::yaml::load_file(spec, vidspec::load::yaml::Limits::default()) {
        Ok(node) => node,
        Err(d) => return Some(format!("not YAML: {}", d.message)),
    };
    schema
        .errors(&node.to_json())
        .into_iter()
        .next()
        .map(|(at, message)| format!("{at}: {message}"))
}

fn check_verdict(spec: &Path) -> Option<String> {
    let folder = spec.parent().unwrap();
    let mut test = Test::new();
    for entry in std::fs::read_dir(folder).unwrap() {
        let entry = entry.unwrap().path();
        if entry.is_file() {
            let name = entry.file_name().unwrap().to_str().unwrap().to_owned();
            test = test.write(&name, std::fs::read(&entry).unwrap());
        }
    }
    let args = std::fs::read_to_string(folder.join("args")).unwrap_or_default();
    let name = spec.file_name().unwrap().to_str().unwrap();
    let out = test
        .args(["check", name])
        .args(args.lines())
        .args(required_values(spec))
        .run();
    (out.code != 0).then(|| out.stderr.lines().next().unwrap_or_default().to_owned())
}

/// `--set` flags for the required variables of an example (which says in a comment how to
/// run it): the first allowed value, the minimum, or a word.
pub(crate) fn required_values(spec: &Path) -> Vec<String> {
    if !spec.starts_with(repo().join("examples")) {
        return Vec::new();
    }
    let node =
        vidspec::load::yaml::load_file(spec, vidspec::load::yaml::Limits::default()).unwrap();
    let vars = node.to_json()["vars"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    let mut sets = Vec::new();
    for (name, decl) in vars {
        if decl["required"] != true {
            continue;
        }
        let value = match (&decl["enum"][0], decl["type"].as_str()) {
            (serde_json::Value::String(s), _) => s.clone(),
            (first, _) if !first.is_null() => first.to_string(),
            (_, Some("integer" | "number")) => decl["min"].as_f64().unwrap_or(1.0).to_string(),
            (_, Some("boolean")) => "false".to_owned(),
            _ => "Ada".to_owned(),
        };
        sets.extend(["--set".to_owned(), format!("{name}={value}")]);
    }
    sets
}

#[test]
fn the_schema_and_check_agree_on_every_example_and_fixture() {
    let mut disagreements = Vec::new();
    for spec in specs() {
        let folder = spec
            .parent()
            .unwrap()
            .file_name()
            .unwrap()
            .to_str()
            .unwrap();
        let shown = spec.strip_prefix(repo()).unwrap().display().to_string();
        let beyond = BEYOND_A_SCHEMA.iter().find(|(f, _)| *f == folder);
        let schema = schema_verdict(&spec);
        let check = check_verdict(&spec);
        match (beyond, &schema, &check) {
            (Some(_), None, Some(_)) => {}
            (Some((_, why)), _, _) => disagreements.push(format!(
                "{shown}: listed as beyond a schema ({why}), but schema says {schema:?} and check {check:?}"
            )),
            (None, None, None) | (None, Some(_), Some(_)) => {
                let expected_ok = !folder.starts_with("bad-");
                if folder.starts_with("ok-") || folder.starts_with("bad-") {
                    assert_eq!(check.is_none(), expected_ok, "{shown}: {check:?}");
                }
            }
            (None, _, _) => disagreements.push(format!(
                "{shown}: schema says {schema:?}, check says {check:?}"
            )),
        }
    }
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
}

#[test]
fn a_clips_schema_error_is_its_kinds() {
    let spec = repo().join("tests/schema/bad-clip-kind/spec.yaml");
    let node =
        vidspec::load::yaml::load_file(&spec, vidspec::load::yaml::Limits::default()).unwrap();
    let schema = vidspec::check::Schema::new(vidspec::check::SPEC_SCHEMA);
    let errors = schema.errors(&node.to_json());
    assert_eq!(errors.len(), 1, "{errors:?}");
    let (at, message) = &errors[0];
    assert_eq!(at, "/scenes/0/clips/0");
    assert!(message.contains("'fill' was unexpected"), "{message}");
}

/// The snippets the schema offers editors (`defaultSnippets`), with their placeholders filled
/// in, make specs that both the schema and `check` accept.
#[test]
fn the_schemas_completion_snippets_are_valid() {
    let schema: serde_json::Value = serde_json::from_str(vidspec::check::SPEC_SCHEMA).unwrap();
    let placeholder = regex::Regex::new(r"\$\{\d+:([^}]*)\}|\$\d+").unwrap();
    let fill = |v: &serde_json::Value| -> serde_json::Value {
        let text = placeholder.replace_all(&v.to_string(), "$1").into_owned();
        serde_json::from_str(&text).unwrap()
    };
    let scenes = &schema["properties"]["scenes"]["defaultSnippets"];
    let scene = &schema["$defs"]["scene"]["defaultSnippets"];
    let mut specs = Vec::new();
    for snippet in scenes.as_array().unwrap() {
        specs.push(serde_json::json!({"avatar": {"preset": "anna-navy-suit"}, "scenes": fill(&snippet["body"])}));
    }
    for snippet in scene.as_array().unwrap() {
        specs.push(serde_json::json!({"avatar": {"preset": "anna-navy-suit"}, "scenes": [fill(&snippet["body"])]}));
    }
    assert!(specs.len() >= 3);
    let compiled = vidspec::check::Schema::new(vidspec::check::SPEC_SCHEMA);
    for spec in specs {
        assert_eq!(compiled.errors(&spec), Vec::new(), "{spec}");
        Test::new()
            .write("s.yaml", spec.to_string())
            .args(["check", "s.yaml"])
            .run()
            .success();
    }
}
