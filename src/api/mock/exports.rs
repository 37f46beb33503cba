//! How the mock's exports move: which ones `--stall-rate` freezes (decided from `--seed` and
//! the project's creation number, so a test sees the same projects stall on every run), and
//! the most projects exporting at once, counted from each export's interval.

use std::time::{Duration, Instant};

/// splitmix64: a well-mixed 64-bit value for `x`.
pub(super) fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// Where the `number`-th project created stalls (a progress from 10 to 90 it never passes),
/// for a share `rate` of projects; `None` for the others.
pub(super) fn stall_point(seed: u64, number: u64, rate: f64) -> Option<f64> {
    if rate <= 0.0 {
        return None;
    }
    let h = mix(seed ^ mix(number));
    let draw = (h >> 11) as f64 / (1u64 << 53) as f64;
    (draw < rate).then_some(10.0 + (h % 81) as f64)
}

/// One export's interval: from its start to when it reached 100 or was deleted; a stalled
/// export that was never deleted has no end.
#[derive(Clone, Copy, Debug)]
pub(super) struct Interval {
    pub(super) start: Instant,
    pub(super) end: Option<Instant>,
}

impl Interval {
    /// The interval of an export started at `start` that takes `time`, or never ends.
    pub(super) fn of(start: Instant, time: Duration, stalls: bool) -> Interval {
        Interval {
            start,
            end: (!stalls).then(|| start + time),
        }
    }

    /// Whether it is exporting at `now`.
    pub(super) fn covers(&self, now: Instant) -> bool {
        self.start <= now && self.end.is_none_or(|end| now < end)
    }
}

/// The most intervals that overlap at one instant (an end at the instant another starts does
/// not overlap it).
pub(super) fn most_at_once(intervals: impl IntoIterator<Item = Interval>) -> usize {
    let mut events: Vec<(Instant, i8)> = Vec::new();
    for interval in intervals {
        match interval.end {
            Some(end) if end <= interval.start => {}
            Some(end) => events.extend([(interval.start, 1), (end, -1)]),
            None => events.push((interval.start, 1)),
        }
    }
    // Ends (-1) sort before starts (+1) at the same instant.
    events.sort_unstable();
    let (mut now, mut most) = (0i64, 0i64);
    for (_, step) in events {
        now += i64::from(step);
        most = most.max(now);
    }
    most as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_projects_stall_for_a_seed_and_about_the_share_asked() {
        let stalled = |seed| -> Vec<u64> {
            (1..=1000)
                .filter(|n| stall_point(seed, *n, 0.2).is_some())
                .collect()
        };
        assert_eq!(stalled(7), stalled(7));
        assert_ne!(stalled(7), stalled(8));
        let share = stalled(7).len();
        assert!((150..=250).contains(&share), "{share}");
        assert!((1..=1000).all(|n| stall_point(7, n, 0.0).is_none()));
        assert!(
            (1..=1000).all(|n| stall_point(7, n, 1.0).is_some_and(|p| (10.0..=90.0).contains(&p)))
        );
    }

    #[test]
    fn overlapping_exports_are_counted_at_their_busiest_instant() {
        let t = Instant::now();
        let s = Duration::from_secs;
        let i = |a: u64, b: Option<u64>| Interval {
            start: t + s(a),
            end: b.map(|b| t + s(b)),
        };
        assert_eq!(most_at_once([]), 0);
        assert_eq!(most_at_once([i(0, Some(2)), i(2, Some(4))]), 1);
        assert_eq!(most_at_once([i(0, Some(3)), i(1, Some(4)), i(2, None)]), 3);
        assert_eq!(most_at_once([i(0, Some(0)), i(1, None)]), 1);
        assert!(i(1, None).covers(t + s(100)) && !i(0, Some(2)).covers(t + s(2)));
    }
}
