//! Time as a dependency, so rules with deadlines can be tested without waiting.

use chrono::{DateTime, SubsecRound, Utc};
use std::fmt::Debug;
use std::sync::{Arc, Mutex};
use std::time::Instant;

pub trait Clock: Debug + Send + Sync + 'static {
    /// Wall-clock time, truncated to microseconds so it survives every database round trip.
    fn now(&self) -> DateTime<Utc>;
    /// Monotonic time for rate limits.
    fn instant(&self) -> Instant;
}

#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now().trunc_subsecs(6)
    }
    fn instant(&self) -> Instant {
        Instant::now()
    }
}

/// A clock that moves only when told to; for tests.
#[derive(Debug, Clone)]
pub struct ManualClock {
    inner: Arc<Mutex<(DateTime<Utc>, Instant)>>,
}

impl ManualClock {
    pub fn new(start: DateTime<Utc>) -> Self {
        Self { inner: Arc::new(Mutex::new((start.trunc_subsecs(6), Instant::now()))) }
    }

    pub fn advance(&self, by: std::time::Duration) {
        let mut guard = self.inner.lock().expect("clock lock");
        guard.0 += chrono::Duration::from_std(by).expect("duration in range");
        guard.1 += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        self.inner.lock().expect("clock lock").0
    }
    fn instant(&self) -> Instant {
        self.inner.lock().expect("clock lock").1
    }
}

pub type SharedClock = Arc<dyn Clock>;
