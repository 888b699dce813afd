//! Counting failed attempts per key (an account, a client address) in a sliding window.
//!
//! Time is passed in by the caller, so the rules are tested with an injected clock and
//! the limiter never reads the system time itself. The number of keys is capped: a stranger
//! inventing keys (random client ids, addresses) can make it forget, never grow.

use indexmap::IndexMap;
use std::collections::VecDeque;
use std::hash::Hash;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LimitPolicy {
    /// Failures allowed inside `window`; the next attempt is refused.
    pub max_failures: usize,
    pub window: Duration,
}

/// Refused: try again after this long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryAfter(pub Duration);

impl RetryAfter {
    /// Whole seconds for a `Retry-After` header, never zero.
    pub fn as_secs_ceil(self) -> u64 {
        let s = self.0.as_secs();
        if self.0.subsec_nanos() > 0 { s + 1 } else { s.max(1) }
    }
}

/// Keys a limiter tracks at most, unless told otherwise.
pub const DEFAULT_MAX_KEYS: usize = 100_000;

#[derive(Debug)]
pub struct FailureLimiter<K> {
    policy: LimitPolicy,
    max_keys: usize,
    failures: IndexMap<K, VecDeque<Instant>>,
}

impl<K: Eq + Hash + Clone> FailureLimiter<K> {
    pub fn new(policy: LimitPolicy) -> Self {
        Self::with_max_keys(policy, DEFAULT_MAX_KEYS)
    }

    pub fn with_max_keys(policy: LimitPolicy, max_keys: usize) -> Self {
        Self { policy, max_keys: max_keys.max(1), failures: IndexMap::new() }
    }

    /// Counts an attempt and says whether it may go ahead: for limits on every attempt (how
    /// often an address registers), not only on failures.
    pub fn attempt(&mut self, key: K, now: Instant) -> Result<(), RetryAfter> {
        self.check(&key, now)?;
        self.record_failure(key, now);
        Ok(())
    }

    /// May `key` try now? Answers before any expensive work is done.
    pub fn check(&mut self, key: &K, now: Instant) -> Result<(), RetryAfter> {
        let window = self.policy.window;
        let Some(times) = self.failures.get_mut(key) else { return Ok(()) };
        while times.front().is_some_and(|t| now.saturating_duration_since(*t) >= window) {
            times.pop_front();
        }
        if times.is_empty() {
            self.failures.swap_remove(key);
            return Ok(());
        }
        if times.len() < self.policy.max_failures {
            return Ok(());
        }
        // The oldest failure in the window leaves it first; then one more attempt is allowed.
        let oldest = times[times.len() - self.policy.max_failures];
        Err(RetryAfter(window.saturating_sub(now.saturating_duration_since(oldest))))
    }

    /// Constant time: at the cap, one other key (the oldest one, unless moved by an earlier
    /// eviction) is forgotten to make room.
    pub fn record_failure(&mut self, key: K, now: Instant) {
        if !self.failures.contains_key(&key) && self.failures.len() >= self.max_keys {
            self.failures.swap_remove_index(0);
        }
        let times = self.failures.entry(key).or_default();
        times.push_back(now);
        // Only the newest `max_failures` matter for the decision.
        while times.len() > self.policy.max_failures {
            times.pop_front();
        }
    }

    /// A success clears the key's history.
    pub fn reset(&mut self, key: &K) {
        self.failures.swap_remove(key);
    }

    /// Drops keys whose failures have all left the window. Scans every key: call it from a
    /// timer, never on a request's path.
    pub fn sweep(&mut self, now: Instant) {
        let window = self.policy.window;
        self.failures.retain(|_, times| times.back().is_some_and(|t| now.saturating_duration_since(*t) < window));
    }

    pub fn tracked_keys(&self) -> usize {
        self.failures.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const POLICY: LimitPolicy = LimitPolicy { max_failures: 3, window: Duration::from_secs(60) };

    fn secs(s: u64) -> Duration {
        Duration::from_secs(s)
    }

    #[test]
    fn allows_until_the_limit_then_refuses_with_retry_after() {
        let t0 = Instant::now();
        let mut l = FailureLimiter::new(POLICY);
        for i in 0..3 {
            assert_eq!(l.check(&"a", t0 + secs(i)), Ok(()));
            l.record_failure("a", t0 + secs(i));
        }
        // Three failures at t0, t0+1, t0+2: refused until the first leaves the window.
        assert_eq!(l.check(&"a", t0 + secs(10)), Err(RetryAfter(secs(50))));
        assert_eq!(l.check(&"a", t0 + secs(59)), Err(RetryAfter(secs(1))));
        assert_eq!(l.check(&"a", t0 + secs(60)), Ok(()));
    }

    #[test]
    fn keys_are_independent() {
        let t0 = Instant::now();
        let mut l = FailureLimiter::new(POLICY);
        for _ in 0..3 {
            l.record_failure("a", t0);
        }
        assert!(l.check(&"a", t0).is_err());
        assert_eq!(l.check(&"b", t0), Ok(()));
    }

    #[test]
    fn success_resets() {
        let t0 = Instant::now();
        let mut l = FailureLimiter::new(POLICY);
        for _ in 0..3 {
            l.record_failure("a", t0);
        }
        l.reset(&"a");
        assert_eq!(l.check(&"a", t0), Ok(()));
    }

    #[test]
    fn sweep_forgets_old_keys() {
        let t0 = Instant::now();
        let mut l = FailureLimiter::new(POLICY);
        l.record_failure("a", t0);
        l.record_failure("b", t0 + secs(30));
        l.sweep(t0 + secs(61));
        assert_eq!(l.tracked_keys(), 1);
        l.sweep(t0 + secs(91));
        assert_eq!(l.tracked_keys(), 0);
    }

    #[test]
    fn the_number_of_keys_is_capped() {
        let t0 = Instant::now();
        let mut l = FailureLimiter::with_max_keys(POLICY, 3);
        for key in 0..1000 {
            l.record_failure(key, t0);
        }
        assert_eq!(l.tracked_keys(), 3);
        // The newest keys are still counted.
        l.record_failure(999, t0);
        l.record_failure(999, t0);
        assert!(l.check(&999, t0).is_err());
    }

    #[test]
    fn attempts_count_whether_or_not_they_fail() {
        let t0 = Instant::now();
        let mut l = FailureLimiter::new(POLICY);
        for i in 0..3 {
            assert_eq!(l.attempt("a", t0 + secs(i)), Ok(()));
        }
        assert_eq!(l.attempt("a", t0 + secs(3)), Err(RetryAfter(secs(57))));
        assert_eq!(l.attempt("b", t0 + secs(3)), Ok(()));
    }

    #[test]
    fn retry_after_rounds_up_to_whole_seconds() {
        assert_eq!(RetryAfter(Duration::from_millis(1500)).as_secs_ceil(), 2);
        assert_eq!(RetryAfter(Duration::from_millis(0)).as_secs_ceil(), 1);
        assert_eq!(RetryAfter(secs(7)).as_secs_ceil(), 7);
    }
}
