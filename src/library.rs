//! The template library: clip bodies, scene templates and model presets.
//!
//! The built-in library (the repository's `templates/` folder) is compiled into the binary so
//! that vidspec works from any folder; `--templates DIR` adds or overrides entries by name.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::error::Error;

/// One template or preset file's text and the name diagnostics call it by.
#[derive(Clone, Debug)]
pub(crate) struct Entry {
    pub(crate) name: String,
    pub(crate) text: String,
}

/// The three families of files, each by its name without extension.
#[derive(Clone, Debug, Default)]
pub(crate) struct Library {
    /// `clips/<clip type>.json`: the v3 body of each clip type.
    pub(crate) clips: BTreeMap<String, Entry>,
    /// `scenes/<name>.yaml`: scenes for `use:`.
    pub(crate) scenes: BTreeMap<String, Entry>,
    /// `models/<alias>.yaml`: model presets.
    pub(crate) models: BTreeMap<String, Entry>,
}

macro_rules! builtin {
    ($($path:literal),* $(,)?) => {
        &[$(($path, include_str!(concat!("../templates/", $path)))),*]
    };
}

/// Every file of `templates/`, embedded. A test checks this list against the folder.
pub(crate) const BUILTIN: &[(&str, &str)] = builtin![
    "clips/aiModel.json",
    "clips/audio.json",
    "clips/image.json",
    "clips/shape.json",
    "clips/textImage.json",
    "clips/videoImage.json",
    "models/anna-navy-suit.yaml",
    "scenes/bullets.yaml",
    "scenes/intro.yaml",
    "scenes/outro.yaml",
];

/// Whether an entry is a built-in file as the binary carries it (not one a folder overrode).
pub fn is_builtin(entry: &Entry) -> bool {
    entry.name.strip_prefix("templates/").is_some_and(|path| {
        BUILTIN
            .iter()
            .any(|(p, text)| *p == path && *text == entry.text)
    })
}

impl Library {
    pub(crate) fn builtin() -> Library {
        let mut library = Library::default();
        for (path, text) in BUILTIN {
            library.insert(path, format!("templates/{path}"), (*text).to_owned());
        }
        library
    }

    fn insert(&mut self, relative: &str, name: String, text: String) -> bool {
        let Some((family, file)) = relative.split_once('/') else {
            return false;
        };
        let (stem, ext) = file.rsplit_once('.').unwrap_or((file, ""));
        let map = match (family, ext) {
            ("clips", "json") => &mut self.clips,
            ("scenes", "yaml" | "yml") => &mut self.scenes,
            ("models", "yaml" | "yml") => &mut self.models,
            _ => return false,
        };
        map.insert(stem.to_owned(), Entry { name, text });
        true
    }

    /// The built-in library with each of `dirs` added in turn (`--templates DIR`…).
    pub(crate) fn with_dirs(dirs: &[PathBuf]) -> Result<Library, Error> {
        let mut library = Library::builtin();
        for dir in dirs {
            library.add_dir(dir)?;
        }
        Ok(library)
    }

    /// Adds the `clips/`, `scenes/` and `models/` files of `dir`, overriding same-named entries.
    pub(crate) fn add_dir(&mut self, dir: &Path) -> Result<(), Error> {
        if !dir.is_dir() {
            return Err(Error::Usage(format!(
                "--templates {}: not a folder",
                crate::display_path(dir)
            )));
        }
        let mut found = 0;
        for family in ["clips", "scenes", "models"] {
            let folder = dir.join(family);
            let Ok(listing) = std::fs::read_dir(&folder) else {
                continue;
            };
            let mut paths: Vec<_> = listing.filter_map(|e| e.ok().map(|e| e.path())).collect();
            paths.sort();
            for path in paths {
                let Some(file) = path.file_name().and_then(|f| f.to_str()) else {
                    continue;
                };
                let text = crate::bounded::read_file_or_error(&path, crate::bounded::MAX_TEXT)?;
                if self.insert(
                    &format!("{family}/{file}"),
                    crate::display_path(&path),
                    text,
                ) {
                    found += 1;
                }
            }
        }
        if found == 0 {
            return Err(Error::Usage(format!(
                "--templates {}: no clips/*.json, scenes/*.yaml or models/*.yaml inside",
                crate::display_path(dir)
            )));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Built-in presets are loaded without their schema check: each must pass it.
    #[test]
    fn builtin_presets_pass_the_preset_schema() {
        let library = Library::builtin();
        assert!(!library.models.is_empty());
        for entry in library.models.values() {
            assert!(is_builtin(entry), "{}", entry.name);
            let source = crate::diag::Source::new(entry.name.clone(), entry.text.clone());
            let node =
                crate::load::yaml::parse(&source, crate::load::yaml::Limits::default()).unwrap();
            let errors = crate::check::Schema::preset().errors(&node.to_json());
            assert!(errors.is_empty(), "{}: {errors:?}", entry.name);
        }
        let mut changed = library.models.values().next().unwrap().clone();
        changed.text.push_str("\n# edited\n");
        assert!(!is_builtin(&changed), "an overridden file is checked");
    }

    #[test]
    fn builtin_list_matches_the_templates_folder() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
        let mut on_disk = Vec::new();
        for family in ["clips", "scenes", "models"] {
            for entry in std::fs::read_dir(root.join(family)).unwrap() {
                let name = entry.unwrap().file_name().into_string().unwrap();
                on_disk.push(format!("{family}/{name}"));
            }
        }
        on_disk.sort();
        let listed: Vec<String> = BUILTIN.iter().map(|(p, _)| (*p).to_owned()).collect();
        assert_eq!(
            listed, on_disk,
            "library::BUILTIN must list every file of templates/"
        );
    }
}
