//! The API half of vidspec: a client for the AI Studios v3 endpoints, the token cache, the
//! submission engine with its journal, and a local mock of the API to try it all offline.
//!
//! Everything here is async (tokio); the compiler stays synchronous. A command calls in
//! through [`block_on`] or [`submit_items`], which build a runtime for its duration. Nothing
//! here prints: outcomes are data for `commands/` to report.
//!
//! - [`retry`]: the retry policy (which failures to retry, backoff with full jitter,
//!   `Retry-After`) and the request pacer behind `--rate`.
//! - [`client`]: the HTTP client, one method per endpoint; [`answer`]: what the answers mean.
//! - [`download`]: an exported video streamed to a file (partial file, resume, fresh URLs).
//! - [`token`]: credentials, the `Secret` newtype, the on-disk token cache.
//! - [`journal`]: the append-only JSON Lines record of what each row became.
//! - [`submit`]: [`submit::submit_all`], used by `vidspec submit` and `vidspec batch --submit`.
//! - [`mock`]: `vidspec mock-server`, an in-memory HTTP server speaking the same API, and
//!   `mock/faults.rs`, its rate limiter and the connections it can drop unanswered.

pub(crate) mod account;
pub(crate) mod answer;
pub(crate) mod client;
pub(crate) mod download;
pub(crate) mod event;
pub(crate) mod journal;
pub(crate) mod merge;
pub(crate) mod mock;
pub(crate) mod plan;
pub(crate) mod retry;
pub(crate) mod submit;
pub(crate) mod token;

use std::time::Duration;

pub(crate) use client::Client;
pub(crate) use event::{Event, Listener};
pub(crate) use submit::{SubmitItem, SubmitOptions, Summary, submit_items};

/// The vendor's global host.
pub(crate) const GLOBAL_BASE: &str = "https://app.aistudios.com";
/// The vendor's host in China (same paths).
pub(crate) const CN_BASE: &str = "https://app.aistudios.cn";

/// Which vendor host to talk to when no `--api-base` is given.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum Region {
    #[default]
    Global,
    Cn,
}

/// How to reach the API: the command line's `--api-base`, `--region`, `--verbose`, `--rate`.
#[derive(Clone, Debug)]
pub(crate) struct ApiOptions {
    /// The base URL, without a trailing slash.
    pub(crate) base: String,
    /// Tell each request (method, path, status, attempt, elapsed) to the listener.
    pub(crate) verbose: bool,
    /// Attempts per request, the first included.
    pub(crate) attempts: u32,
    /// The limit on one request, from connecting to the last byte of the answer.
    pub(crate) timeout: Duration,
    /// Requests per second, shared by every request of the command (`--rate`); `None`: no cap.
    pub(crate) rate: Option<f64>,
    /// Where the client and the submission engine tell what happens.
    pub(crate) listener: Listener,
}

impl Default for ApiOptions {
    fn default() -> ApiOptions {
        ApiOptions {
            base: GLOBAL_BASE.to_owned(),
            verbose: false,
            attempts: 5,
            timeout: Duration::from_secs(60),
            rate: None,
            listener: Listener::none(),
        }
    }
}

impl ApiOptions {
    /// The options for a region, or for an explicit base URL (which wins).
    pub(crate) fn new(region: Region, api_base: Option<&str>) -> ApiOptions {
        let base = match (api_base, region) {
            (Some(url), _) => url.trim_end_matches('/').to_owned(),
            (None, Region::Global) => GLOBAL_BASE.to_owned(),
            (None, Region::Cn) => CN_BASE.to_owned(),
        };
        ApiOptions {
            base,
            ..ApiOptions::default()
        }
    }
}

/// The warning for a base URL that is plain http off this machine: the UserKey and tokens
/// would cross the network unencrypted.
pub(crate) fn plain_http_warning(base: &str) -> Option<String> {
    (base.starts_with("http://") && !loopback_http(base)).then(|| {
        format!("{base} is plain http: the UserKey and tokens would cross the network unencrypted")
    })
}

/// Whether `url` is plain http to this machine: 127.0.0.0/8, `localhost` or `[::1]`.
pub(crate) fn loopback_http(url: &str) -> bool {
    let Some(rest) = url.strip_prefix("http://") else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') {
        return false;
    }
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => authority
            .rsplit_once(':')
            .map_or(authority, |(name, _)| name),
    };
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Runs `future` on a runtime built for it: how a synchronous command calls the API.
pub(crate) fn block_on<F: std::future::Future>(future: F) -> Result<F::Output, crate::Error> {
    Ok(runtime()?.block_on(future))
}

/// A flag that the first Ctrl-C raises (instead of ending the process at once), for loops
/// outside the API (`--watch`) that stop between runs.
pub(crate) fn ctrl_c_flag() -> std::sync::Arc<std::sync::atomic::AtomicBool> {
    use std::sync::atomic::{AtomicBool, Ordering};
    let flag = std::sync::Arc::new(AtomicBool::new(false));
    let raised = std::sync::Arc::clone(&flag);
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build();
        if let Ok(runtime) = runtime {
            if runtime.block_on(tokio::signal::ctrl_c()).is_ok() {
                raised.store(true, Ordering::SeqCst);
            }
        }
    });
    flag
}

/// A runtime for one API command: the compiler never needs one.
pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, crate::Error> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| crate::Error::io("starting the async runtime", e))
}

/// The current time as RFC 3339 UTC (`2025-01-31T12:00:00Z`), for journal records and the cache.
pub(crate) fn now_rfc3339() -> String {
    rfc3339(unix_now())
}

/// Seconds since the Unix epoch.
pub(crate) fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// `secs` since the epoch as RFC 3339 UTC.
pub(crate) fn rfc3339(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rest = secs % 86_400;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_formats_known_instants() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_767_225_599), "2025-12-31T23:59:59Z");
    }

    #[test]
    fn an_explicit_base_wins_over_the_region() {
        assert_eq!(ApiOptions::new(Region::Cn, None).base, CN_BASE);
        assert_eq!(ApiOptions::new(Region::Global, None).base, GLOBAL_BASE);
        assert_eq!(
            ApiOptions::new(Region::Cn, Some("http://127.0.0.1:9/")).base,
            "http://127.0.0.1:9"
        );
    }

    #[test]
    fn only_plain_http_to_this_machine_is_loopback() {
        for url in [
            "http://127.0.0.1:9",
            "http://127.8.0.1/x",
            "http://localhost",
            "http://[::1]:80/",
        ] {
            assert!(loopback_http(url), "{url}");
            assert_eq!(plain_http_warning(url), None, "{url}");
        }
        for url in [
            "https://127.0.0.1",
            "http://127.0.0.1.example.com",
            "http://u@127.0.0.1",
            "http://10.1.1.1",
        ] {
            assert!(!loopback_http(url), "{url}");
        }
        assert!(plain_http_warning("http://10.1.1.1").is_some());
        assert_eq!(plain_http_warning("https://app.aistudios.com"), None);
    }
}
