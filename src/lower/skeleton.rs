//! Clip templates (`templates/clips/*.json`) as skeletons with slots.
//!
//! A clip template is a minijinja template with JSON auto-escaping that places the clip's
//! values among the editor's boilerplate. It is rendered once per set of present fields with
//! an opaque token for each value; the tokens in the parsed JSON become slots. Filling a
//! skeleton is then a clone and a few assignments, and each slot's JSON pointer is known, so
//! every output value can be traced to the spec text that produced it.
//!
//! The clip templates vidspec carries are not rendered at all: `skeletons/<clip type>.json`
//! hold each one rendered with every value present, and the values a clip template only places
//! when given (`{% if key in fields %}`) are taken out of that for the fields a clip has. A
//! test keeps the files equal to what the templates render (`VIDSPEC_BLESS=1` rewrites them) and
//! shows a skeleton made this way equals the rendered one for any set of fields.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock, RwLock};

use serde::Deserialize;
use serde_json::Value;

use crate::diag::{Diagnostic, Span};
use crate::expand::Engine;
use crate::lower::Origins;
use crate::lower::json_path::{Path, at_mut, pointer, visit_strings};

const TOKEN: char = '\u{E000}';

/// One value to place in a clip, and the spec text it came from.
#[derive(Clone, Debug)]
pub struct Placed {
    pub value: Value,
    pub span: Span,
}

#[derive(Debug)]
struct Skeleton {
    value: Value,
    slots: Vec<(Path, String)>,
}

/// The skeletons of one clip type, by the fields present.
type ByFields = Vec<(Vec<&'static str>, Arc<Skeleton>)>;

/// The clip templates of a compilation, rendered into skeletons on first use.
pub struct Skeletons {
    /// Clip type → its template.
    files: HashMap<String, ClipTemplate>,
    /// Clip type → its skeletons; read by every worker, written once per new combination.
    cache: RwLock<HashMap<String, ByFields>>,
}

/// A clip type's template file.
pub struct ClipTemplate {
    /// The engine's name for the file.
    pub file: String,
    /// Whether it is the template vidspec carries (not one a folder overrode).
    pub builtin: bool,
}

/// A built-in clip template rendered with every value it can place, and the values it needs.
#[derive(Debug, Deserialize, serde::Serialize, PartialEq)]
struct Full {
    required: Vec<String>,
    skeleton: Value,
}

/// Each built-in clip template rendered in full (`skeletons/<clip type>.json`), read when a
/// clip of its type is first made.
macro_rules! builtin_full {
    ($($clip_type:literal),* $(,)?) => {
        const BUILTIN_TYPES: &[&str] = &[$($clip_type),*];
        const BUILTIN_FULL: &[&str] = &[$(include_str!(concat!("skeletons/", $clip_type, ".json"))),*];
    };
}
builtin_full![
    "aiModel",
    "audio",
    "image",
    "shape",
    "textImage",
    "videoImage"
];

fn builtin_full(clip_type: &str) -> Option<&'static Full> {
    static PARSED: [OnceLock<Full>; BUILTIN_TYPES.len()] =
        [const { OnceLock::new() }; BUILTIN_TYPES.len()];
    let i = BUILTIN_TYPES.iter().position(|t| *t == clip_type)?;
    Some(PARSED[i].get_or_init(|| {
        serde_json::from_str(BUILTIN_FULL[i]).expect("a built-in skeleton is valid JSON")
    }))
}

impl Skeletons {
    /// The skeletons of the clip templates `files`, by clip type.
    pub fn new(files: HashMap<String, ClipTemplate>) -> Skeletons {
        Skeletons {
            files,
            cache: RwLock::new(HashMap::new()),
        }
    }

    /// Builds the clip of type `clip_type` from its fields, recording where each value came
    /// from under the JSON pointer `base`.
    pub fn fill(
        &self,
        engine: &Engine,
        clip_type: &str,
        fields: &[(&'static str, Placed)],
        base: &str,
        origins: &mut Origins,
    ) -> Result<Value, Diagnostic> {
        let skeleton = self.skeleton(engine, clip_type, fields)?;
        let mut clip = skeleton.value.clone();
        for (path, key) in &skeleton.slots {
            let Some((_, placed)) = fields.iter().find(|(k, _)| k == key) else {
                continue;
            };
            *at_mut(&mut clip, path) = placed.value.clone();
            let at = pointer(base, path);
            origins.record(at, &placed.span);
        }
        Ok(clip)
    }

    fn skeleton(
        &self,
        engine: &Engine,
        clip_type: &str,
        fields: &[(&'static str, Placed)],
    ) -> Result<Arc<Skeleton>, Diagnostic> {
        let same = |keys: &[&'static str]| {
            keys.len() == fields.len() && keys.iter().zip(fields).all(|(a, (b, _))| a == b)
        };
        if let Some(hit) = self
            .cache
            .read()
            .expect("skeleton cache")
            .get(clip_type)
            .and_then(|known| known.iter().find(|(keys, _)| same(keys)))
        {
            return Ok(Arc::clone(&hit.1));
        }
        let keys: Vec<&'static str> = fields.iter().map(|(k, _)| *k).collect();
        let template = self.files.get(clip_type).ok_or_else(|| {
            Diagnostic::error(format!("no clip template for clip type `{clip_type}`")).with_help(
                format!("add clips/{clip_type}.json to a --templates folder"),
            )
        })?;
        let file = &template.file;
        let from_full = if template.builtin {
            builtin_full(clip_type).and_then(|full| derive(full, &keys))
        } else {
            None
        };
        let value = match from_full {
            Some(value) => value,
            None => render(engine, file, &keys)?,
        };
        let slots = find_slots(&value).map_err(|key| {
            Diagnostic::error(format!(
                "clip template {file} computes with `{key}`; clip templates may only place values"
            ))
        })?;
        let skeleton = Arc::new(Skeleton { value, slots });
        let mut cache = self.cache.write().expect("skeleton cache");
        let known = cache.entry(clip_type.to_owned()).or_default();
        if !known.iter().any(|(k, _)| same(k)) {
            known.push((keys, Arc::clone(&skeleton)));
        }
        Ok(skeleton)
    }
}

/// A clip template rendered with a token in place of each of `keys`, as JSON.
fn render(engine: &Engine, file: &str, keys: &[&str]) -> Result<Value, Diagnostic> {
    let ctx: serde_json::Map<String, Value> = keys
        .iter()
        .map(|k| ((*k).to_owned(), Value::String(format!("{TOKEN}{k}"))))
        .collect();
    let mut ctx_all = ctx.clone();
    ctx_all.insert("fields".to_owned(), Value::Object(ctx));
    let text = engine.render_file(file, &crate::expand::engine::to_value(&ctx_all))?;
    serde_json::from_str(&text)
        .map_err(|e| Diagnostic::error(format!("clip template {file} did not produce JSON: {e}")))
}

/// What rendering the template of `full` with `keys` gives, made from `full`: the entries
/// that place a value not among `keys` are taken out. `None` when that can't stand for the
/// rendering: a value the template always needs is missing, or a missing one is placed other
/// than as the value of an entry of the clip.
fn derive(full: &Full, keys: &[&str]) -> Option<Value> {
    if !full.required.iter().all(|r| keys.contains(&r.as_str())) {
        return None;
    }
    let given = |s: &str| s.strip_prefix(TOKEN).is_none_or(|key| keys.contains(&key));
    let mut value = full.skeleton.clone();
    value
        .as_object_mut()?
        .retain(|_, v| v.as_str().is_none_or(given));
    let all_given = visit_strings(&value, &mut |_, s| if given(s) { Ok(()) } else { Err(()) });
    all_given.is_ok().then_some(value)
}

/// The slots of a rendered skeleton; a token inside a longer string means the template
/// computed with a value (the error names it).
fn find_slots(value: &Value) -> Result<Vec<(Path, String)>, String> {
    let mut slots = Vec::new();
    visit_strings(value, &mut |path, s| {
        if let Some(key) = s.strip_prefix(TOKEN) {
            if key.contains(TOKEN) {
                return Err(key.replace(TOKEN, ""));
            }
            slots.push((path.clone(), key.to_owned()));
        } else if let Some(i) = s.find(TOKEN) {
            return Err(s[i + TOKEN.len_utf8()..].to_owned());
        }
        Ok(())
    })?;
    Ok(slots)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use minijinja::value::{Object, ObjectRepr, Value as Jinja};

    use super::*;

    /// A render context in which every name but `missing` is given, as a token, and `fields`
    /// holds every key but `missing`.
    #[derive(Debug)]
    struct Everything {
        missing: Option<String>,
        fields: bool,
    }

    impl Object for Everything {
        fn repr(self: &Arc<Self>) -> ObjectRepr {
            ObjectRepr::Map
        }

        fn get_value(self: &Arc<Self>, key: &Jinja) -> Option<Jinja> {
            let key = key.as_str()?;
            if self.missing.as_deref() == Some(key) {
                return None;
            }
            if key == "fields" && !self.fields {
                return Some(Jinja::from_object(Everything {
                    missing: self.missing.clone(),
                    fields: true,
                }));
            }
            Some(Jinja::from(format!("{TOKEN}{key}")))
        }
    }

    fn engine() -> (Engine, Vec<(String, String)>) {
        let mut engine = Engine::new();
        let mut clips = Vec::new();
        for (path, text) in crate::library::BUILTIN {
            if let Some(name) = path.strip_prefix("clips/") {
                engine.add_builtin(path, text);
                let clip_type = name.strip_suffix(".json").unwrap().to_owned();
                clips.push((clip_type, (*path).to_owned()));
            }
        }
        (engine, clips)
    }

    /// Each built-in clip template rendered with every value, and the values it needs: those
    /// without which it does not render the full skeleton less that value's entries.
    fn rendered_in_full() -> HashMap<String, Full> {
        let (engine, clips) = engine();
        let render_with = |file: &str, missing: Option<&str>| -> Option<Value> {
            let ctx = Jinja::from_object(Everything {
                missing: missing.map(str::to_owned),
                fields: false,
            });
            let text = engine.render_file(file, &ctx).ok()?;
            serde_json::from_str(&text).ok()
        };
        let mut all = HashMap::new();
        for (clip_type, file) in clips {
            let skeleton = render_with(&file, None).expect("renders with every value");
            let slots = find_slots(&skeleton).expect("places values only");
            let unneeding = Full {
                required: Vec::new(),
                skeleton: skeleton.clone(),
            };
            let mut required: Vec<String> = Vec::new();
            for (_, key) in &slots {
                if required.contains(key) {
                    continue;
                }
                let others: Vec<&str> = slots
                    .iter()
                    .map(|(_, k)| k.as_str())
                    .filter(|k| k != key)
                    .collect();
                if render_with(&file, Some(key)) != derive(&unneeding, &others) {
                    required.push(key.clone());
                }
            }
            required.sort();
            all.insert(clip_type, Full { required, skeleton });
        }
        all
    }

    #[test]
    fn builtin_skeleton_files_are_what_the_builtin_clip_templates_render() {
        let rendered = rendered_in_full();
        let folder = concat!(env!("CARGO_MANIFEST_DIR"), "/src/lower/skeletons");
        if std::env::var_os("VIDSPEC_BLESS").is_some() {
            for (clip_type, full) in &rendered {
                // The token is a private-use character: written escaped, so that it shows.
                let text = serde_json::to_string_pretty(full)
                    .unwrap()
                    .replace(TOKEN, "\\ue000")
                    + "\n";
                std::fs::write(format!("{folder}/{clip_type}.json"), text).unwrap();
            }
        }
        let mut types: Vec<&str> = rendered.keys().map(String::as_str).collect();
        types.sort_unstable();
        assert_eq!(
            types, BUILTIN_TYPES,
            "the list in `builtin_full!` is the built-in clips"
        );
        for (clip_type, full) in &rendered {
            assert_eq!(
                builtin_full(clip_type),
                Some(full),
                "clips/{clip_type}.json changed: run `VIDSPEC_BLESS=1 cargo test --lib \
                 builtin_skeleton` to write src/lower/skeletons/{clip_type}.json again"
            );
        }
    }

    /// For random sets of fields (with the values a template needs), the skeleton taken from
    /// the full rendering is the one rendering the template gives, slots and all.
    #[test]
    fn a_skeleton_from_the_full_rendering_equals_the_rendered_one_for_any_fields() {
        let (engine, clips) = engine();
        let mut rng = fastrand::Rng::with_seed(7);
        for (clip_type, file) in clips {
            let full = builtin_full(&clip_type).unwrap();
            let keys: Vec<String> = find_slots(&full.skeleton)
                .unwrap()
                .into_iter()
                .map(|(_, k)| k)
                .chain(["unused".to_owned()])
                .collect();
            let mut optional_seen = 0;
            for _ in 0..200 {
                let chosen: Vec<&str> = keys
                    .iter()
                    .filter(|k| full.required.contains(k) || rng.bool())
                    .map(String::as_str)
                    .collect();
                let derived = derive(full, &chosen).expect("the needed values are given");
                let rendered = render(&engine, &file, &chosen).unwrap();
                assert_eq!(derived, rendered, "{clip_type} with {chosen:?}");
                assert_eq!(find_slots(&derived), find_slots(&rendered));
                optional_seen += usize::from(chosen.len() < keys.len() - 1);
            }
            assert!(optional_seen > 0, "{clip_type}: some sets leave values out");
            let none: Vec<&str> = Vec::new();
            if !full.required.is_empty() {
                assert!(derive(full, &none).is_none(), "{clip_type} needs values");
            }
        }
    }
}
