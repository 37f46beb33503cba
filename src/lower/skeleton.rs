//! Clip templates (`templates/clips/*.json`) as skeletons with slots.
//!
//! A clip template is a minijinja template with JSON auto-escaping that places the clip's
//! values among the editor's boilerplate. It is rendered once per set of present fields with
//! an opaque token for each value; the tokens in the parsed JSON become slots. Filling a
//! skeleton is then a clone and a few assignments, and each slot's JSON pointer is known, so
//! every output value can be traced to the spec text that produced it.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

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
    /// Clip type → the engine's file name for its template.
    files: HashMap<String, String>,
    /// Clip type → its skeletons; read by every worker, written once per new combination.
    cache: RwLock<HashMap<String, ByFields>>,
}

impl Skeletons {
    pub fn new(files: HashMap<String, String>) -> Skeletons {
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
        let file = self.files.get(clip_type).ok_or_else(|| {
            Diagnostic::error(format!("no clip template for clip type `{clip_type}`")).with_help(
                format!("add clips/{clip_type}.json to a --templates folder"),
            )
        })?;
        let ctx: serde_json::Map<String, Value> = keys
            .iter()
            .map(|k| ((*k).to_owned(), Value::String(format!("{TOKEN}{k}"))))
            .collect();
        let mut ctx_all = ctx.clone();
        ctx_all.insert("fields".to_owned(), Value::Object(ctx));
        let text = engine.render_file(file, &crate::expand::engine::to_value(&ctx_all))?;
        let value: Value = serde_json::from_str(&text).map_err(|e| {
            Diagnostic::error(format!("clip template {file} did not produce JSON: {e}"))
        })?;
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
