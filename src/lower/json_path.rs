//! Paths into JSON documents: finding the marked strings of a document once (the slots of a
//! clip skeleton, the placeholders of a prebuilt project) and reaching them again cheaply.

use serde_json::Value;

/// One step into a JSON value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Step {
    Key(String),
    Index(usize),
}

/// A path from a document's root.
pub(crate) type Path = Vec<Step>;

/// Calls `visit` with every string in `value` and its path; stops at the first error.
pub(crate) fn visit_strings<E>(
    value: &Value,
    visit: &mut impl FnMut(&Path, &str) -> Result<(), E>,
) -> Result<(), E> {
    fn walk<E>(
        value: &Value,
        path: &mut Path,
        visit: &mut impl FnMut(&Path, &str) -> Result<(), E>,
    ) -> Result<(), E> {
        match value {
            Value::String(s) => visit(path, s)?,
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    path.push(Step::Index(i));
                    walk(item, path, visit)?;
                    path.pop();
                }
            }
            Value::Object(map) => {
                for (k, v) in map {
                    path.push(Step::Key(k.clone()));
                    walk(v, path, visit)?;
                    path.pop();
                }
            }
            _ => {}
        }
        Ok(())
    }
    walk(value, &mut Vec::new(), visit)
}

/// The value at `path` (which must exist).
pub(crate) fn at_mut<'v>(value: &'v mut Value, path: &[Step]) -> &'v mut Value {
    path.iter().fold(value, |target, step| match step {
        Step::Key(k) => &mut target[k.as_str()],
        Step::Index(i) => &mut target[*i],
    })
}

/// A key as one JSON pointer token (RFC 6901: `~` → `~0`, `/` → `~1`).
pub(crate) fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// A JSON pointer token back to its key.
pub(crate) fn unescape(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

/// `path` as a JSON pointer below `base`.
pub(crate) fn pointer(base: &str, path: &[Step]) -> String {
    let mut out = base.to_owned();
    for step in path {
        out.push('/');
        match step {
            Step::Key(k) => out.push_str(&escape(k)),
            Step::Index(i) => out.push_str(&i.to_string()),
        }
    }
    out
}
