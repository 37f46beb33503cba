//! The mock's webhook: for a project created with a `webhookUrl`, one task POSTs the vendor's
//! payload `{progress, credit, backendTaskId, download_url}` to it each time the export has
//! moved, in order (one request after the other), `credit` and `download_url` only at 100.
//! Only loopback URLs are accepted, so the mock never reaches off the machine.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};

use super::Mock;

/// Why a `webhookUrl` is refused; `None` for a plain-http loopback URL.
pub(super) fn refusal(url: &Value) -> Option<String> {
    let Some(text) = url.as_str() else {
        return Some("webhookUrl must be a string".into());
    };
    if crate::api::loopback_http(text) {
        None
    } else {
        Some(format!(
            "the mock posts webhooks only to http:// on loopback (127.0.0.1, localhost, [::1]), not {text}"
        ))
    }
}

/// The vendor's payload at `progress`; `credit` and `download_url` only with the URL (at 100).
pub(super) fn payload(progress: f64, task: &str, credit: u64, url: Option<&str>) -> Value {
    let mut payload = json!({ "progress": progress, "backendTaskId": task });
    if let Some(url) = url {
        payload["credit"] = json!(credit);
        payload["download_url"] = json!(url);
    }
    payload
}

/// Posts the payloads of project `id` to `url` until its export reaches 100, stalls, or the
/// project is deleted. Each POST is tried once (the vendor documents no retries).
pub(super) async fn deliver(mock: Arc<Mock>, id: String, url: String) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let Ok(http) = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .redirect(reqwest::redirect::Policy::none())
        .build()
    else {
        return;
    };
    let step = (mock.options.export_time / 10).max(Duration::from_millis(20));
    let mut last = None;
    loop {
        let Some(now) = mock.export_now(&id) else {
            return;
        };
        if last != Some(now.progress) {
            last = Some(now.progress);
            let body = payload(now.progress, &id, now.credit, now.url.as_deref());
            let sent = http.post(&url).json(&body).send().await;
            mock.count_webhook(sent.is_ok_and(|r| r.status().is_success()));
        }
        if now.url.is_some() || now.frozen {
            return;
        }
        tokio::time::sleep(step).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_http_on_loopback_is_accepted() {
        assert_eq!(refusal(&json!("http://127.0.0.1:9/hook")), None);
        assert_eq!(refusal(&json!("http://localhost/hook")), None);
        assert!(refusal(&json!("https://example.com/hook")).is_some());
        assert!(refusal(&json!("http://10.0.0.1/hook")).is_some());
        assert!(refusal(&json!("http://127.0.0.1.example.com/")).is_some());
        assert!(refusal(&json!(5)).is_some());
    }

    #[test]
    fn credit_and_the_url_come_only_with_the_end() {
        assert_eq!(
            payload(40.0, "t", 2, None),
            json!({"progress": 40.0, "backendTaskId": "t"})
        );
        assert_eq!(
            payload(100.0, "t", 2, Some("u")),
            json!({"progress": 100.0, "backendTaskId": "t", "credit": 2, "download_url": "u"})
        );
    }
}
