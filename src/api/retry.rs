//! When to try a request again and how long to wait first, and the pacer behind `--rate` that
//! every job of a run shares (and that slows down for all of them on a 429).
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

/// Spaces requests at least `1/rate` seconds apart, across every task that shares it, and
/// slows down for all of them when the server says too many requests came (429).
///
/// A 429 holds every slot until the server's `Retry-After` has passed (so the jobs do not wait
/// it out alone and all come back at once) and halves the rate, once per such wait: the answers
/// to requests that were already on their way do not halve it again. Each answered request then
/// wins back a little (a twentieth of the rate asked for), never more than was asked for.
#[derive(Debug)]
pub struct Pacer {
    /// The rate asked for (`--rate`); `None`: as fast as the server allows.
    ceiling: Option<f64>,
    state: Mutex<PaceState>,
}

#[derive(Debug)]
struct PaceState {
    /// Requests per second now; `None` while nothing has slowed a pacer without `--rate`.
    rate: Option<f64>,
    /// The next free slot.
    next: Option<Instant>,
    /// Until then a 429 is one of the burst that already slowed the pacer.
    calm_until: Option<Instant>,
}

/// The slowest an adaptive pacer goes, in requests per second.
const MIN_RATE: f64 = 0.1;
/// The rate a pacer without `--rate` starts from on its first 429.
const UNCAPPED_START: f64 = 20.0;

impl Pacer {
    /// A pacer for `rate` requests per second; `None` (or a rate ≤ 0) waits only after a 429.
    pub fn new(rate: Option<f64>) -> Pacer {
        let ceiling = rate.filter(|r| r.is_finite() && *r > 0.0);
        Pacer {
            ceiling,
            state: Mutex::new(PaceState {
                rate: ceiling,
                next: None,
                calm_until: None,
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, PaceState> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The rate the pacer holds now, if it holds one.
    #[cfg(test)]
    pub fn rate(&self) -> Option<f64> {
        self.lock().rate
    }

    /// Waits for this caller's slot. Slots are handed out in call order, one per interval.
    pub async fn wait(&self) {
        let slot = {
            let mut state = self.lock();
            let now = Instant::now();
            let slot = state.next.map_or(now, |n| n.max(now));
            match state.rate {
                Some(rate) => state.next = Some(slot + interval(rate)),
                None if slot == now => return,
                None => {}
            }
            slot
        };
        tokio::time::sleep_until(slot).await;
    }

    /// The server refused a request for its rate: no slot for anyone before `wait` has passed,
    /// and (once per burst) half the rate.
    pub fn too_many(&self, wait: Duration) {
        let mut state = self.lock();
        let now = Instant::now();
        let resume = now + wait;
        state.next = Some(state.next.map_or(resume, |n| n.max(resume)));
        if state.calm_until.is_some_and(|calm| now < calm) {
            return;
        }
        let rate = state.rate.unwrap_or(UNCAPPED_START * 2.0);
        let halved = (rate / 2.0).max(MIN_RATE);
        state.rate = Some(halved);
        // Answers sent before the slowdown took effect arrive for up to one more interval.
        state.calm_until = Some(resume + interval(halved));
    }

    /// A request was answered without a 429: the rate grows back towards the one asked for.
    pub fn answered(&self) {
        let mut state = self.lock();
        let Some(rate) = state.rate else { return };
        let step = self.ceiling.unwrap_or(UNCAPPED_START) / 20.0;
        state.rate = match self.ceiling {
            Some(ceiling) => Some((rate + step).min(ceiling)),
            // Without `--rate`, back to no pacing once the start rate is reached again.
            None => Some(rate + step).filter(|r| *r < UNCAPPED_START),
        };
    }
}

fn interval(rate: f64) -> Duration {
    Duration::try_from_secs_f64(1.0 / rate).unwrap_or(Duration::from_secs(86_400))
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
    async fn a_429_holds_every_slot_and_halves_the_rate_once_per_burst() {
        let pacer = Pacer::new(Some(40.0));
        pacer.wait().await;
        let start = Instant::now();
        // Four answers of one burst: one slowdown.
        for _ in 0..4 {
            pacer.too_many(Duration::from_millis(100));
        }
        assert_eq!(pacer.rate(), Some(20.0));
        pacer.wait().await;
        assert!(
            start.elapsed() >= Duration::from_millis(100),
            "every slot waits"
        );
        pacer.wait().await;
        assert!(
            start.elapsed() >= Duration::from_millis(150),
            "at the halved rate"
        );
        // A 429 after the burst halves it again; answers win it back, up to `--rate`.
        tokio::time::sleep(Duration::from_millis(200)).await;
        pacer.too_many(Duration::from_millis(10));
        assert_eq!(pacer.rate(), Some(10.0));
        for _ in 0..100 {
            pacer.answered();
        }
        assert_eq!(pacer.rate(), Some(40.0));
    }

    #[tokio::test]
    async fn without_a_rate_only_a_429_paces() {
        let pacer = Pacer::new(None);
        let start = Instant::now();
        pacer.wait().await;
        assert!(start.elapsed() < Duration::from_millis(50));
        pacer.too_many(Duration::from_millis(100));
        pacer.wait().await;
        assert!(start.elapsed() >= Duration::from_millis(100));
        for _ in 0..100 {
            pacer.answered();
        }
        assert_eq!(pacer.rate(), None, "back to unpaced");
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
