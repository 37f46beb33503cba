//! When to try a request again and how long to wait first, and the pacer behind `--rate`.
//!
//! Retried: failures to connect, timeouts, 408, 429 and 5xx, with exponential backoff and full
//! jitter (a random wait between zero and `base · 2^attempt`, capped), or the server's
//! `Retry-After` when it gives one (also capped). Never retried: any other 4xx, and a request
//! that is not idempotent once it may have reached the server (see [`Outcome`]).

use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

/// The backoff policy of one client.
#[derive(Clone, Debug)]
pub struct Policy {
    /// Attempts per request, the first included.
    pub attempts: u32,
    /// The first backoff ceiling; each retry doubles it.
    pub base: Duration,
    /// The largest backoff ceiling.
    pub max_backoff: Duration,
    /// The largest `Retry-After` honoured; a longer one is cut to this.
    pub max_retry_after: Duration,
}

impl Default for Policy {
    fn default() -> Policy {
        Policy {
            attempts: 5,
            base: Duration::from_millis(250),
            max_backoff: Duration::from_secs(20),
            max_retry_after: Duration::from_secs(60),
        }
    }
}

impl Policy {
    /// The wait before attempt `attempt + 1` after attempt `attempt` (1-based) failed: full
    /// jitter over an exponentially growing ceiling, or the server's `Retry-After` if it said.
    pub fn delay(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        if let Some(wait) = retry_after {
            return wait.min(self.max_retry_after);
        }
        let ceiling = self
            .base
            .saturating_mul(1u32 << attempt.saturating_sub(1).min(16))
            .min(self.max_backoff);
        ceiling.mul_f64(fastrand::f64())
    }
}

/// Whether an HTTP status is worth another attempt.
pub fn retryable_status(status: u16) -> bool {
    matches!(status, 408 | 429) || (500..600).contains(&status)
}

/// `Retry-After` in seconds (the HTTP-date form is not used by rate limiters we know of, and
/// is ignored: the backoff applies instead).
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    let seconds: f64 = value.trim().parse().ok()?;
    // A huge or odd value must not crash the client: it is capped by the policy later.
    (seconds.is_finite() && seconds >= 0.0)
        .then(|| Duration::try_from_secs_f64(seconds).unwrap_or(Duration::MAX))
}

/// What a transport failure means for the request that suffered it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The request never left (no connection): safe to send again.
    NotSent,
    /// The request may have reached the server: only idempotent requests may be sent again.
    MaybeSent,
}

/// Spaces requests at least `1/rate` seconds apart, across every task that shares it.
#[derive(Debug)]
pub struct Pacer {
    interval: Option<Duration>,
    next: Mutex<Option<Instant>>,
}

impl Pacer {
    /// A pacer for `rate` requests per second; `None` (or a rate ≤ 0) never waits.
    pub fn new(rate: Option<f64>) -> Pacer {
        let interval = rate
            .filter(|r| r.is_finite() && *r > 0.0)
            .map(|r| Duration::try_from_secs_f64(1.0 / r).unwrap_or(Duration::from_secs(86_400)));
        Pacer {
            interval,
            next: Mutex::new(None),
        }
    }

    /// Waits for this caller's slot. Slots are handed out in call order, one per interval.
    pub async fn wait(&self) {
        let Some(interval) = self.interval else {
            return;
        };
        let slot = {
            let mut next = self
                .next
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let now = Instant::now();
            let slot = next.map_or(now, |n| n.max(now));
            *next = Some(slot + interval);
            slot
        };
        tokio::time::sleep_until(slot).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_stays_under_an_exponential_ceiling() {
        let policy = Policy::default();
        for attempt in 1..=8 {
            let ceiling = (policy.base * (1 << (attempt - 1))).min(policy.max_backoff);
            for _ in 0..50 {
                assert!(policy.delay(attempt, None) <= ceiling);
            }
        }
    }

    #[test]
    fn retry_after_is_honoured_but_capped() {
        let policy = Policy::default();
        assert_eq!(
            policy.delay(1, Some(Duration::from_secs(2))),
            Duration::from_secs(2)
        );
        assert_eq!(
            policy.delay(1, Some(Duration::from_secs(3600))),
            policy.max_retry_after
        );
        assert_eq!(parse_retry_after(" 3 "), Some(Duration::from_secs(3)));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), None);
        assert_eq!(parse_retry_after("-1"), None);
        assert_eq!(
            policy.delay(1, parse_retry_after("1e300")),
            policy.max_retry_after,
            "a huge Retry-After is capped, not a crash"
        );
    }

    #[test]
    fn only_timeouts_rate_limits_and_server_errors_are_retryable() {
        for status in [408, 429, 500, 502, 503, 599] {
            assert!(retryable_status(status), "{status}");
        }
        for status in [200, 400, 401, 403, 404, 409, 422] {
            assert!(!retryable_status(status), "{status}");
        }
    }

    #[tokio::test]
    async fn the_pacer_spaces_requests_by_the_interval() {
        let pacer = Pacer::new(Some(200.0));
        let start = Instant::now();
        for _ in 0..21 {
            pacer.wait().await;
        }
        let elapsed = start.elapsed();
        assert!(elapsed >= Duration::from_millis(100), "{elapsed:?}");
        assert!(elapsed < Duration::from_millis(600), "{elapsed:?}");
    }
}
