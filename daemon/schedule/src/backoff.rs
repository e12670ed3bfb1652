//! Retry delays: [`Backoff`] (exponential, capped, full jitter) and [`jitter`] (a stable random offset).
//!
//! Randomness comes from a [`RandomSource`] the caller injects, or from a `u64` seed; nothing here reads
//! the operating system's entropy, so tests and simulations are reproducible.

use std::time::Duration;

/// A source of uniformly distributed 64-bit numbers.
///
/// Any `FnMut() -> u64` closure is one, so a test can inject fixed values: `0` gives the shortest delay,
/// `u64::MAX` the longest.
pub trait RandomSource {
    /// The next random number.
    fn next_u64(&mut self) -> u64;
}

impl<F: FnMut() -> u64> RandomSource for F {
    fn next_u64(&mut self) -> u64 {
        self()
    }
}

/// The SplitMix64 generator: small, fast and seeded. Good for spreading retries, not for secrets.
#[derive(Debug, Clone)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    /// A generator whose sequence is fixed by `seed`.
    pub fn new(seed: u64) -> Self {
        Self { state: seed }
    }
}

impl RandomSource for SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// Exponential backoff with a cap and full jitter, for retrying a data pool that failed.
///
/// After `n` consecutive failures the ceiling is `min(cap, base × 2^(n−1))` and the delay is drawn uniformly
/// from `[0, ceiling]` ("full jitter"): retries of many sources spread out instead of arriving together.
/// No failure (`n = 0`) means no delay. The arithmetic saturates, so any `n` is fine.
#[derive(Debug, Clone)]
pub struct Backoff<R = SplitMix64> {
    base: Duration,
    cap: Duration,
    source: R,
}

impl Backoff<SplitMix64> {
    /// A backoff whose jitter comes from [`SplitMix64`] seeded with `seed`.
    pub fn new(base: Duration, cap: Duration, seed: u64) -> Self {
        Self::with_source(base, cap, SplitMix64::new(seed))
    }
}

impl<R: RandomSource> Backoff<R> {
    /// A backoff whose jitter comes from `source`.
    pub fn with_source(base: Duration, cap: Duration, source: R) -> Self {
        Self { base, cap, source }
    }

    /// The longest delay after `failures` consecutive failures: `min(cap, base × 2^(failures−1))`, and zero
    /// for no failure.
    pub fn ceiling(&self, failures: u32) -> Duration {
        let Some(exponent) = failures.checked_sub(1) else {
            return Duration::ZERO;
        };
        let doubled = 1u128.checked_shl(exponent).and_then(|factor| self.base.as_nanos().checked_mul(factor));
        match doubled {
            Some(nanos) if nanos < self.cap.as_nanos() => duration_from_nanos(nanos),
            _ => self.cap,
        }
    }

    /// The delay before the next attempt after `failures` consecutive failures: uniform in
    /// `[0, ceiling(failures)]`.
    pub fn next_delay(&mut self, failures: u32) -> Duration {
        let ceiling = self.ceiling(failures);
        uniform(&mut self.source, ceiling)
    }
}

/// A delay uniform in `[0, max]` that depends only on `seed`.
///
/// Meant to spread the polls of many sources that share a schedule: seed it with something stable per
/// source (a hash of its name) and each source keeps the same offset across restarts.
pub fn jitter(max: Duration, seed: u64) -> Duration {
    uniform(&mut SplitMix64::new(seed), max)
}

/// A duration in `[0, max]`, proportional to one random number: `0` gives zero, `u64::MAX` gives `max` (to
/// the nanosecond for any `max` below 584 years).
fn uniform(source: &mut impl RandomSource, max: Duration) -> Duration {
    let span = max.as_nanos().saturating_add(1);
    let random = u128::from(source.next_u64());
    // span × random / 2^64, split so that no product overflows: span < 2^95 and random < 2^64.
    let high = (span >> 64) * random;
    let low = ((span & u128::from(u64::MAX)) * random) >> 64;
    duration_from_nanos(high + low).min(max)
}

/// A duration of `nanos` nanoseconds, saturating at [`Duration::MAX`].
fn duration_from_nanos(nanos: u128) -> Duration {
    const PER_SECOND: u128 = 1_000_000_000;
    match u64::try_from(nanos / PER_SECOND) {
        Ok(seconds) => Duration::new(seconds, u32::try_from(nanos % PER_SECOND).unwrap_or(0)),
        Err(_) => Duration::MAX,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECOND: Duration = Duration::from_secs(1);
    const MINUTE: Duration = Duration::from_secs(60);

    #[test]
    fn ceiling_doubles_from_base_up_to_cap() {
        let backoff = Backoff::new(SECOND, MINUTE, 7);
        let table = [(0, 0), (1, 1), (2, 2), (3, 4), (4, 8), (6, 32), (7, 60), (8, 60), (64, 60), (200, 60)];
        for (failures, seconds) in table {
            assert_eq!(backoff.ceiling(failures), Duration::from_secs(seconds), "{failures} failures");
        }
        assert_eq!(backoff.ceiling(u32::MAX), MINUTE);
    }

    #[test]
    fn delays_stay_within_the_ceiling_and_spread_over_it() {
        let mut backoff = Backoff::new(SECOND, MINUTE, 42);
        for failures in [1, 2, 5, 10, u32::MAX] {
            let ceiling = backoff.ceiling(failures);
            let delays: Vec<Duration> = (0..1000).map(|_| backoff.next_delay(failures)).collect();
            assert!(delays.iter().all(|delay| *delay <= ceiling), "{failures} failures");
            assert!(delays.iter().any(|delay| *delay < ceiling / 4), "{failures} failures: no short delay");
            assert!(
                delays.iter().any(|delay| *delay > ceiling * 3 / 4),
                "{failures} failures: no long delay"
            );
        }
        assert_eq!(backoff.next_delay(0), Duration::ZERO);
    }

    #[test]
    fn injected_source_sets_the_point_within_the_ceiling() {
        let fixed = |value: u64| Backoff::with_source(SECOND, MINUTE, move || value);
        assert_eq!(fixed(0).next_delay(3), Duration::ZERO);
        assert_eq!(fixed(u64::MAX).next_delay(3), 4 * SECOND);
        assert_eq!(fixed(1 << 63).next_delay(3), 2 * SECOND);
        assert_eq!(fixed(u64::MAX).next_delay(30), MINUTE);
    }

    #[test]
    fn same_seed_same_delays() {
        let mut first = Backoff::new(SECOND, MINUTE, 9);
        let mut second = Backoff::new(SECOND, MINUTE, 9);
        for failures in 1..20 {
            assert_eq!(first.next_delay(failures), second.next_delay(failures));
        }
    }

    #[test]
    fn extreme_durations_saturate() {
        let mut huge = Backoff::new(Duration::MAX, Duration::MAX, 1);
        assert_eq!(huge.ceiling(1), Duration::MAX);
        assert_eq!(huge.ceiling(100), Duration::MAX);
        assert!(huge.next_delay(100) <= Duration::MAX);
        let longest = Backoff::with_source(Duration::MAX, Duration::MAX, || u64::MAX).next_delay(2);
        assert!(longest >= Duration::MAX - 2 * SECOND, "{longest:?}");
        let mut zero = Backoff::new(Duration::ZERO, MINUTE, 1);
        assert_eq!(zero.next_delay(50), Duration::ZERO);
        let mut capped_below_base = Backoff::new(MINUTE, SECOND, 1);
        assert!(capped_below_base.next_delay(1) <= SECOND);
    }

    #[test]
    fn jitter_is_bounded_stable_and_spread() {
        assert_eq!(jitter(Duration::ZERO, 3), Duration::ZERO);
        assert_eq!(jitter(MINUTE, 3), jitter(MINUTE, 3));
        let offsets: Vec<Duration> = (0..1000).map(|seed| jitter(MINUTE, seed)).collect();
        assert!(offsets.iter().all(|offset| *offset <= MINUTE));
        assert!(offsets.iter().any(|offset| *offset < 15 * SECOND));
        assert!(offsets.iter().any(|offset| *offset > 45 * SECOND));
        assert!(jitter(Duration::MAX, u64::MAX) <= Duration::MAX);
    }
}
