//! What the server knows about a spec's surroundings: the template library (built-in and
//! `--templates` folders), the presets and where each is written, the scene templates and
//! their declared arguments, and the spec's own variables and loop names.
//!
//! Gathered from the last version of the spec that parsed, so that completion keeps working
//! while the text is broken mid-edit.

use std::path::{Path, PathBuf};

use crate::compile::Options;
use crate::diag::{Diagnostics, Source, Span};
use crate::expand::scene_template::{Param, declared_params};
use crate::inputs::Vars;
use crate::library::{BUILTIN, Entry, Library};
use crate::load::yaml::{self, Node, NodeKind};
use crate::lower::{Preset, Presets};

/// Where a definition is written.
#[derive(Clone, Debug)]
pub(crate) enum Place {
    /// A file on disk.
    File(PathBuf),
    /// A file of the built-in library (`scenes/outro.yaml`), shown from a read-only copy.
    Builtin(&'static str, &'static str),
    /// Inside the spec itself.
    Spec(Span),
}

pub(crate) struct PresetInfo {
    pub preset: Preset,
    pub place: Place,
}

pub(crate) struct SceneInfo {
    pub name: String,
    pub params: Option<Vec<Param>>,
    pub place: Place,
}

pub(crate) struct Knowledge {
    pub presets: Vec<PresetInfo>,
    pub scenes: Vec<SceneInfo>,
    pub vars: Vars,
    /// Names bound by `each:`/`as:` anywhere in the spec.
    pub loops: Vec<String>,
    /// The top-level avatar's preset, if it names one.
    pub default_preset: Option<String>,
}

fn place_of(entry: &Entry) -> Place {
    let builtin = BUILTIN
        .iter()
        .find(|(path, text)| entry.name == format!("templates/{path}") && *text == entry.text);
    match builtin {
        Some((path, text)) => Place::Builtin(path, text),
        None => Place::File(PathBuf::from(&entry.name)),
    }
}

/// The library for these options; folders that cannot be read are left out.
pub(crate) fn library(options: &Options) -> Library {
    let mut library = Library::builtin();
    for dir in &options.templates {
        let _ = library.add_dir(dir);
    }
    library
}

impl Knowledge {
    pub(crate) fn gather(tree: Option<&Node>, spec: &Path, options: &Options) -> Knowledge {
        let library = library(options);
        let mut ignored = Diagnostics::default();
        let mut presets = Vec::new();
        let mut add = |node: &Node, place: Place, presets: &mut Vec<PresetInfo>| {
            let mut one = Presets::default();
            one.add_node(node, &mut ignored);
            for preset in one.by_alias.into_values() {
                presets.retain(|p: &PresetInfo| p.preset.alias != preset.alias);
                presets.push(PresetInfo {
                    preset,
                    place: place.clone(),
                });
            }
        };
        for entry in library.models.values() {
            let source = Source::new(entry.name.clone(), entry.text.clone());
            if let Ok(node) = yaml::parse(&source, yaml::Limits::default()) {
                add(&node, place_of(entry), &mut presets);
            }
        }
        let folder = spec.parent().unwrap_or(Path::new(""));
        let listed = tree.and_then(|t| t.get("presets")).map(|p| &p.kind);
        if let Some(NodeKind::Seq(items)) = listed {
            for item in items {
                match &item.kind {
                    NodeKind::Str(path) => {
                        let path = folder.join(path);
                        if let Ok(node) = yaml::load_file(&path, yaml::Limits::default()) {
                            add(&node, Place::File(path), &mut presets);
                        }
                    }
                    NodeKind::Map(_) => add(item, Place::Spec(item.span.clone()), &mut presets),
                    _ => {}
                }
            }
        }
        let scenes = library
            .scenes
            .iter()
            .map(|(name, entry)| SceneInfo {
                name: name.clone(),
                params: declared_params(&entry.text),
                place: place_of(entry),
            })
            .collect();
        let vars = Vars::parse(
            tree.and_then(|t| t.get("vars")),
            &mut Diagnostics::default(),
        );
        let mut loops = Vec::new();
        if let Some(tree) = tree {
            loop_names(tree, &mut loops);
        }
        let default_preset = tree
            .and_then(|t| t.get("avatar"))
            .and_then(|a| a.get("preset"))
            .and_then(Node::as_str)
            .map(str::to_owned);
        Knowledge {
            presets,
            scenes,
            vars,
            loops,
            default_preset,
        }
    }

    pub(crate) fn preset(&self, name: &str) -> Option<&PresetInfo> {
        self.presets
            .iter()
            .find(|p| p.preset.alias == name)
            .or_else(|| self.presets.iter().find(|p| p.preset.ids() == name))
    }

    pub(crate) fn scene(&self, name: &str) -> Option<&SceneInfo> {
        self.scenes.iter().find(|s| s.name == name)
    }
}

fn loop_names(node: &Node, out: &mut Vec<String>) {
    match &node.kind {
        NodeKind::Map(entries) => {
            if node.get("each").is_some() {
                let name = node.get("as").and_then(Node::as_str).unwrap_or("item");
                if !out.iter().any(|n| n == name) {
                    out.push(name.to_owned());
                }
            }
            for (_, value) in entries {
                loop_names(value, out);
            }
        }
        NodeKind::Seq(items) => items.iter().for_each(|i| loop_names(i, out)),
        _ => {}
    }
}

/// A read-only copy of a built-in library file, for an editor to open: in the user's cache
/// folder (or the temporary one), under the version of vidspec that wrote it.
pub(crate) fn builtin_copy(relative: &str, text: &str) -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(std::env::temp_dir);
    let path = base
        .join("vidspec")
        .join(format!("builtin-{}", env!("CARGO_PKG_VERSION")))
        .join("templates")
        .join(relative);
    if std::fs::read_to_string(&path).ok().as_deref() != Some(text) {
        std::fs::create_dir_all(path.parent()?).ok()?;
        if let Ok(meta) = std::fs::metadata(&path) {
            let mut permissions = meta.permissions();
            #[allow(clippy::permissions_set_readonly_false)]
            permissions.set_readonly(false);
            let _ = std::fs::set_permissions(&path, permissions);
        }
        crate::emit::write_atomic(&path, text.as_bytes()).ok()?;
    }
    let mut permissions = std::fs::metadata(&path).ok()?.permissions();
    permissions.set_readonly(true);
    let _ = std::fs::set_permissions(&path, permissions);
    Some(path)
}
