//! Login throttling per account and per client address, checked before any hashing.

use crate::error::{ServiceError, ServiceResult};
use portcullis_domain::rate_limit::{FailureLimiter, LimitPolicy};
use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy)]
pub struct LoginLimits {
    pub per_account: LimitPolicy,
    pub per_address: LimitPolicy,
}

impl Default for LoginLimits {
    fn default() -> Self {
        Self {
            per_account: LimitPolicy { max_failures: 5, window: Duration::from_secs(15 * 60) },
            per_address: LimitPolicy { max_failures: 50, window: Duration::from_secs(15 * 60) },
        }
    }
}

/// In-process counters. With several instances each keeps its own, so the effective limit
/// is at most the instance count times the configured one; still bounded.
#[derive(Debug)]
pub struct LoginLimiter {
    accounts: Mutex<FailureLimiter<String>>,
    addresses: Mutex<FailureLimiter<String>>,
}

impl LoginLimiter {
    pub fn new(limits: LoginLimits) -> Self {
        Self {
            accounts: Mutex::new(FailureLimiter::new(limits.per_account)),
            addresses: Mutex::new(FailureLimiter::new(limits.per_address)),
        }
    }

    pub fn check(&self, account: &str, address: Option<&str>, now: Instant) -> ServiceResult<()> {
        let refused = |r: portcullis_domain::rate_limit::RetryAfter| ServiceError::RateLimited {
            retry_after_secs: r.as_secs_ceil(),
        };
        self.accounts.lock().expect("limiter lock").check(&account.to_owned(), now).map_err(refused)?;
        if let Some(address) = address {
            self.addresses.lock().expect("limiter lock").check(&address.to_owned(), now).map_err(refused)?;
        }
        Ok(())
    }

    pub fn record_failure(&self, account: &str, address: Option<&str>, now: Instant) {
        let mut accounts = self.accounts.lock().expect("limiter lock");
        accounts.record_failure(account.to_owned(), now);
        if accounts.tracked_keys() > 10_000 {
            accounts.sweep(now);
        }
        drop(accounts);
        if let Some(address) = address {
            let mut addresses = self.addresses.lock().expect("limiter lock");
            addresses.record_failure(address.to_owned(), now);
            if addresses.tracked_keys() > 10_000 {
                addresses.sweep(now);
            }
        }
    }

    pub fn record_success(&self, account: &str) {
        self.accounts.lock().expect("limiter lock").reset(&account.to_owned());
    }
}
