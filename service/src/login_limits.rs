//! Login throttling, checked before any hashing. Failures count per (account, address), so
//! a few wrong guesses from one address lock only that address out of that account; a much
//! higher ceiling per account stops a guesser with many addresses; and per address, so one
//! address cannot try many accounts.

use crate::error::{ServiceError, ServiceResult};
use portcullis_domain::rate_limit::{FailureLimiter, LimitPolicy, RetryAfter};
use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy)]
pub struct LoginLimits {
    pub per_account_address: LimitPolicy,
    /// The account-wide ceiling, whatever the addresses.
    pub per_account: LimitPolicy,
    pub per_address: LimitPolicy,
}

impl Default for LoginLimits {
    fn default() -> Self {
        let window = Duration::from_secs(15 * 60);
        Self {
            per_account_address: LimitPolicy { max_failures: 5, window },
            per_account: LimitPolicy { max_failures: 100, window },
            per_address: LimitPolicy { max_failures: 50, window },
        }
    }
}

/// In-process counters. With several instances each keeps its own, so the effective limit
/// is at most the instance count times the configured one; still bounded.
#[derive(Debug)]
pub struct LoginLimiter {
    pairs: Mutex<FailureLimiter<(String, String)>>,
    accounts: Mutex<FailureLimiter<String>>,
    addresses: Mutex<FailureLimiter<String>>,
}

fn refused(retry: RetryAfter) -> ServiceError {
    ServiceError::RateLimited { retry_after_secs: retry.as_secs_ceil() }
}

impl LoginLimiter {
    pub fn new(limits: LoginLimits) -> Self {
        Self {
            pairs: Mutex::new(FailureLimiter::new(limits.per_account_address)),
            accounts: Mutex::new(FailureLimiter::new(limits.per_account)),
            addresses: Mutex::new(FailureLimiter::new(limits.per_address)),
        }
    }

    pub fn check(&self, account: &str, address: Option<&str>, now: Instant) -> ServiceResult<()> {
        if let Some(address) = address {
            let pair = (account.to_owned(), address.to_owned());
            self.pairs.lock().expect("limiter lock").check(&pair, now).map_err(refused)?;
            self.addresses.lock().expect("limiter lock").check(&address.to_owned(), now).map_err(refused)?;
        }
        self.accounts.lock().expect("limiter lock").check(&account.to_owned(), now).map_err(refused)
    }

    pub fn record_failure(&self, account: &str, address: Option<&str>, now: Instant) {
        if let Some(address) = address {
            self.pairs.lock().expect("limiter lock").record_failure((account.to_owned(), address.to_owned()), now);
            self.addresses.lock().expect("limiter lock").record_failure(address.to_owned(), now);
        }
        self.accounts.lock().expect("limiter lock").record_failure(account.to_owned(), now);
    }

    /// The right password from an address clears that address's failures on the account; the
    /// account-wide count stays, so a guesser cannot clear it by signing in elsewhere.
    pub fn record_success(&self, account: &str, address: Option<&str>) {
        if let Some(address) = address {
            self.pairs.lock().expect("limiter lock").reset(&(account.to_owned(), address.to_owned()));
        }
    }

    /// Forgets failures that left their window (from a timer, never on a request's path).
    pub fn sweep(&self, now: Instant) {
        self.pairs.lock().expect("limiter lock").sweep(now);
        self.accounts.lock().expect("limiter lock").sweep(now);
        self.addresses.lock().expect("limiter lock").sweep(now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guesses_from_one_address_do_not_lock_the_account_out_elsewhere() {
        let limiter = LoginLimiter::new(LoginLimits::default());
        let now = Instant::now();
        for _ in 0..5 {
            limiter.check("admin@example.com", Some("198.51.100.7"), now).unwrap();
            limiter.record_failure("admin@example.com", Some("198.51.100.7"), now);
        }
        assert!(limiter.check("admin@example.com", Some("198.51.100.7"), now).is_err());
        assert!(limiter.check("admin@example.com", Some("203.0.113.9"), now).is_ok(), "the admin's own address");
    }

    #[test]
    fn many_addresses_meet_the_account_wide_ceiling() {
        let limits = LoginLimits::default();
        let limiter = LoginLimiter::new(limits);
        let now = Instant::now();
        for i in 0..limits.per_account.max_failures {
            let address = format!("10.0.{}.{}", i / 250, i % 250);
            limiter.check("admin@example.com", Some(&address), now).unwrap();
            limiter.record_failure("admin@example.com", Some(&address), now);
        }
        assert!(limiter.check("admin@example.com", Some("203.0.113.9"), now).is_err());
        limiter.sweep(now + limits.per_account.window);
        assert!(limiter.check("admin@example.com", Some("203.0.113.9"), now + limits.per_account.window).is_ok());
    }
}
