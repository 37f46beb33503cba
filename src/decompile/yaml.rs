//! A small, deterministic YAML writer for the specs and presets `decompile` produces.
//!
//! Block style, two-space indents, keys in the order given. A string is written plain when
//! vidspec's loader (`load::yaml`, YAML 1.2 core schema) reads it back as the same string, and
//! double-quoted otherwise; numbers are written so that they read back as the same JSON
//! number. What a string *means* in a spec (every spec string is a template) is not this
//! module's business: see [`super::literal`].

use serde_json::{Number, Value};

/// The YAML text of a mapping (or any value), ending in a newline.
pub(crate) fn to_yaml(value: &Value) -> String {
    let mut out = String::new();
    if is_block(value) {
        block(&mut out, value, 0, false);
    } else {
        out.push_str(&scalar(value));
        out.push('\n');
    }
    out
}

/// Whether a value is written as an indented block (a non-empty mapping or list).
fn is_block(value: &Value) -> bool {
    match value {
        Value::Object(map) => !map.is_empty(),
        Value::Array(items) => !items.is_empty(),
        _ => false,
    }
}

/// Writes a non-empty mapping or list at `indent`; with `inline_first`, the first line
/// continues a line the caller started (after `- `).
fn block(out: &mut String, value: &Value, indent: usize, inline_first: bool) {
    let pad = " ".repeat(indent);
    let mut first = inline_first;
    let mut start_line = |out: &mut String| {
        if !std::mem::take(&mut first) {
            out.push_str(&pad);
        }
    };
    match value {
        Value::Object(map) => {
            for (key, item) in map {
                start_line(out);
                out.push_str(&string(key));
                out.push(':');
                if is_block(item) {
                    out.push('\n');
                    block(out, item, indent + 2, false);
                } else {
                    out.push(' ');
                    out.push_str(&scalar(item));
                    out.push('\n');
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                start_line(out);
                out.push_str("- ");
                if is_block(item) {
                    block(out, item, indent + 2, true);
                } else {
                    out.push_str(&scalar(item));
                    out.push('\n');
                }
            }
        }
        other => {
            start_line(out);
            out.push_str(&scalar(other));
            out.push('\n');
        }
    }
}

fn scalar(value: &Value) -> String {
    match value {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => number(n),
        Value::String(s) => string(s),
        Value::Array(_) => "[]".to_owned(),
        Value::Object(_) => "{}".to_owned(),
    }
}

/// A number as text the loader reads back as the same JSON number (as far as vidspec keeps
/// numbers: integral floats below 2^53 are integers, see `json_number`).
pub(crate) fn number(n: &Number) -> String {
    if let Some(i) = n.as_i64() {
        return i.to_string();
    }
    let f = n.as_f64().unwrap_or(f64::NAN);
    const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53
    if f.fract() == 0.0 && f.abs() < EXACT {
        return (f as i64).to_string();
    }
    // Rust prints the shortest text that reads back as the same f64; without an exponent
    // that can be very long (1e300), and an integral text too big for i64 would read as a
    // string, so those take the exponent form.
    let plain = format!("{f}");
    if plain.contains('.') && plain.len() <= 24 {
        plain
    } else {
        format!("{f:e}")
    }
}

/// A string, plain when that reads back as the same string, else double-quoted.
pub(crate) fn string(s: &str) -> String {
    if is_plain_safe(s) {
        s.to_owned()
    } else {
        quoted(s)
    }
}

fn is_plain_safe(s: &str) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    let last = s.chars().next_back().unwrap_or(first);
    let reserved = matches!(
        s.to_ascii_lowercase().as_str(),
        "null" | "~" | "true" | "false" | "yes" | "no" | "on" | "off"
    );
    !reserved
        && !first.is_ascii_digit()
        && !"-+.?:,[]{}#&*!|>'\"%@`".contains(first)
        && !first.is_whitespace()
        && !last.is_whitespace()
        && last != ':'
        && !s.contains(": ")
        && !s.contains(" #")
        && !s.contains(['[', ']', '{', '}'])
        && !s.chars().any(needs_escape)
}

fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{feff}' | '\u{2028}' | '\u{2029}' | '\u{fffe}' | '\u{ffff}'
        )
}

fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if needs_escape(c) => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Source;
    use crate::load::yaml::{Limits, parse};
    use serde_json::json;

    fn read_back(text: &str) -> Value {
        parse(&Source::new("t.yaml", text), Limits::default())
            .unwrap_or_else(|d| panic!("{}\n{text}", d.message))
            .to_json()
    }

    #[track_caller]
    fn round_trips(value: &Value) {
        let text = to_yaml(value);
        assert_eq!(&read_back(&text), value, "written as:\n{text}");
    }

    #[test]
    fn nested_blocks_read_back_as_written() {
        round_trips(&json!({
            "name": "Test Project Using Api",
            "scenes": [
                { "say": "Hi", "clips": [ { "text": "a", "font": { "size": 72 } }, [1, [2, 3]], [] ] },
                {},
            ],
            "empty": {},
            "list": [],
            "null": null,
            "flags": [true, false],
        }));
    }

    #[test]
    fn strings_that_would_read_as_another_type_are_quoted() {
        for s in [
            "", "1080", "0x1f", "1e3", "-5", ".5", "+1", "true", "False", "null", "~", "yes",
            ".inf", "-.inf", ".nan", "NULL", "0o17",
        ] {
            assert!(to_yaml(&json!({ "k": s })).contains('"'), "{s}");
            round_trips(&json!({ s: s }));
        }
    }

    #[test]
    fn awkward_strings_read_back_unchanged() {
        for s in [
            "#ffffff",
            "rgb(54,188,37)",
            "<p>Hello, this is test video.</p>",
            "a: b",
            "a #b",
            "ends:",
            " lead",
            "trail ",
            "two\nlines\n",
            "tab\there",
            "quote \" and \\",
            "'single'",
            "- dash",
            "? q",
            "@at",
            "`tick`",
            "%pct",
            "*star",
            "&amp",
            "!bang",
            "|pipe",
            ">gt",
            "{{ 7*7 }}",
            "{% raw %}",
            "[x]",
            "a,b",
            "https://cdn.aistudios.com/x.png",
            "김민수 님",
            "emoji 🎬",
            "nel\u{85}",
            "ls\u{2028}",
            "bom\u{feff}",
            "nul\0",
            "bell\u{7}",
            "del\u{7f}",
            "---",
            "...",
            "--- x",
            "= eq",
            "\u{a0}nbsp",
        ] {
            round_trips(&json!({ "k": s }));
        }
    }

    #[test]
    fn random_strings_read_back_unchanged() {
        let mut rng = fastrand::Rng::with_seed(7);
        let alphabet: Vec<char> = " azAZ09-_:#'\"\\{}[],.?!&*|>%@`~\n\t\r\u{0}\u{85}é한🎬"
            .chars()
            .collect();
        for _ in 0..2000 {
            let len = rng.usize(0..12);
            let s: String = (0..len)
                .map(|_| alphabet[rng.usize(..alphabet.len())])
                .collect();
            round_trips(&json!({ "k": s, s.clone(): [s] }));
        }
    }

    #[test]
    fn numbers_read_back_as_the_same_json_number() {
        let mut rng = fastrand::Rng::with_seed(11);
        let mut values = vec![
            json!(0),
            json!(-7),
            json!(i64::MAX),
            json!(i64::MIN),
            json!(613.3333333333334),
            json!(-0.016860747210092203),
            json!(1e-7),
            json!(1.5e-300),
            json!(-2.5e300),
            json!(1e21),
            json!(9_007_199_254_740_993.0),
            json!(f64::MAX),
            json!(f64::MIN_POSITIVE),
        ];
        for _ in 0..2000 {
            let f = f64::from_bits(rng.u64(..));
            if f.is_finite() {
                values.push(crate::json_number(f));
            }
            values.push(crate::json_number(rng.f64() * 4000.0 - 2000.0));
        }
        for value in values {
            round_trips(&json!({ "k": value }));
        }
    }
}
