//! What the API's answers mean: the `{success, data}` / `{success: false, error: {code, msg}}`
//! envelope, the vendor's error as one readable line, and [`ApiError`], the failure every client
//! call returns (with the exit code it maps to).

use serde::Deserialize;
use serde_json::Value;

use crate::error::Error;

/// A failed API call, with a message fit for the user (no secrets in it).
#[derive(Clone, Debug)]
pub(crate) struct ApiError {
    pub(crate) kind: ErrorKind,
    pub(crate) message: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ErrorKind {
    /// The request may have been carried out but no answer came; it was not sent again.
    Unknown,
    /// The server answered with a failure: not retryable, or still failing after every attempt.
    Refused { status: u16 },
    /// The server could not be reached, or gave no answer, on every attempt.
    Transport,
    /// The server refused the token (HTTP 401); the client renews it once.
    Unauthorized,
    /// The server refused the credentials (or the token it just issued).
    Auth,
    /// No credentials are set up, and no cached token can stand in for them.
    NoCredentials,
    /// An export being waited for has not moved for `--export-timeout`.
    Stalled,
    /// A file on this machine could not be written (a download's target or its partial file).
    Local,
}

impl ApiError {
    pub(crate) fn new(kind: ErrorKind, message: impl Into<String>) -> ApiError {
        ApiError {
            kind,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl From<ApiError> for Error {
    fn from(error: ApiError) -> Error {
        match error.kind {
            ErrorKind::NoCredentials => Error::Config(error.message),
            _ => Error::Api(error.message),
        }
    }
}

#[derive(Deserialize)]
pub(crate) struct Envelope {
    pub(crate) success: Option<bool>,
    pub(crate) data: Option<Value>,
    pub(crate) error: Option<VendorError>,
}

#[derive(Deserialize)]
pub(crate) struct VendorError {
    code: Option<Value>,
    msg: Option<String>,
}

/// "HTTP 400, code INVALID_PROJECT: scenes is required", from whatever the server said.
pub(crate) fn vendor_message(status: u16, envelope: Option<&Envelope>) -> String {
    let error = envelope.and_then(|e| e.error.as_ref());
    let code = error.and_then(|e| e.code.as_ref()).map(|c| match c {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    });
    let msg = error.and_then(|e| e.msg.clone()).filter(|m| !m.is_empty());
    let head = match code {
        Some(code) => format!("HTTP {status}, code {code}"),
        None => format!("HTTP {status}"),
    };
    match msg {
        Some(msg) => format!("{head}: {msg}"),
        None if (200..300).contains(&status) => {
            format!("{head}: the API reported a failure without a message")
        }
        None => format!("{head}: {}", reason_phrase(status)),
    }
}

fn reason_phrase(status: u16) -> &'static str {
    reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("no message")
}

/// A transport failure in a few words: its innermost cause.
pub(crate) fn describe_transport(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        return "timed out".to_owned();
    }
    let mut cause: &dyn std::error::Error = error;
    while let Some(next) = cause.source() {
        cause = next;
    }
    let text = cause.to_string();
    if error.is_connect() {
        format!("cannot connect: {text}")
    } else {
        text
    }
}

pub(crate) fn id_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The list in `data`: `data` itself, or its first field named in `keys` that is a list.
pub(crate) fn first_list(data: Value, keys: &[&str]) -> Vec<Value> {
    match data {
        Value::Array(items) => items,
        Value::Object(mut map) => keys
            .iter()
            .find_map(|k| match map.remove(*k) {
                Some(Value::Array(items)) => Some(items),
                _ => None,
            })
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// A path segment with everything but `[A-Za-z0-9_-]` percent-encoded.
pub(crate) fn encode_segment(segment: &str) -> String {
    segment
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn vendor_errors_read_as_one_line() {
        let envelope: Envelope = serde_json::from_str(
            r#"{"success":false,"error":{"code":"E400","msg":"scenes is required"}}"#,
        )
        .unwrap();
        assert_eq!(
            vendor_message(400, Some(&envelope)),
            "HTTP 400, code E400: scenes is required"
        );
        assert_eq!(vendor_message(503, None), "HTTP 503: Service Unavailable");
        let numeric: Envelope =
            serde_json::from_str(r#"{"success":false,"error":{"code":1003}}"#).unwrap();
        assert_eq!(
            vendor_message(200, Some(&numeric)),
            "HTTP 200, code 1003: the API reported a failure without a message"
        );
    }

    #[test]
    fn path_segments_are_encoded() {
        assert_eq!(encode_segment("65a0f3c2e1"), "65a0f3c2e1");
        assert_eq!(encode_segment("a/x?y"), "a%2Fx%3Fy");
    }

    #[test]
    fn lists_are_found_in_either_shape() {
        assert_eq!(first_list(json!([1, 2]), &["models"]).len(), 2);
        assert_eq!(first_list(json!({"models": [1]}), &["models"]).len(), 1);
        assert!(first_list(json!({"other": 1}), &["models"]).is_empty());
    }
}
