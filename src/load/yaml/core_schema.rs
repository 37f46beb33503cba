//! What a plain YAML scalar means by the YAML 1.2 core schema: null, a boolean, an integer, a
//! float or text. `load::yaml` reads every spec and preset by it, and `build.rs` (which
//! includes this file) the built-in presets it turns into JSON, so both read a value alike.

/// A plain scalar's value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Plain {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    /// Not a null, boolean or number: the text itself.
    Text,
}

/// Resolves a plain (unquoted) scalar.
pub(crate) fn plain(text: &str) -> Plain {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => Plain::Null,
        "true" | "True" | "TRUE" => Plain::Bool(true),
        "false" | "False" | "FALSE" => Plain::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => Plain::Float(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => Plain::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => Plain::Float(f64::NAN),
        _ => number(text).unwrap_or(Plain::Text),
    }
}

/// The number a plain scalar's text spells, if it spells one: `Int` or `Float`.
pub(crate) fn number(text: &str) -> Option<Plain> {
    let first = text.as_bytes().first()?;
    if !(first.is_ascii_digit() || matches!(first, b'-' | b'+' | b'.')) {
        return None;
    }
    if let Some(hex) = text.strip_prefix("0x") {
        return i64::from_str_radix(hex, 16).ok().map(Plain::Int);
    }
    if let Some(oct) = text.strip_prefix("0o") {
        return i64::from_str_radix(oct, 8).ok().map(Plain::Int);
    }
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        // Too long for a 64-bit integer, it is still a number (the nearest float).
        return text
            .parse()
            .map(Plain::Int)
            .or_else(|_| text.parse().map(Plain::Float))
            .ok();
    }
    let valid_float = digits.bytes().any(|b| b.is_ascii_digit())
        && digits
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'-' | b'+'));
    if valid_float {
        text.parse().ok().map(Plain::Float)
    } else {
        None
    }
}
