//! The background sender: claims due messages, delivers them, retries temporary failures
//! with exponential backoff and jitter, and parks permanent ones for an admin.

use super::outbox;
use super::transport::{MailTransport, SendError};
use crate::Services;
use lettre::message::Mailbox;
use rand::Rng;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::sync::watch;

/// After this many attempts a message is parked even if failures looked temporary.
pub const MAX_ATTEMPTS: i32 = 12;
const LEASE: Duration = Duration::from_secs(120);
const BATCH: u64 = 20;

/// Backoff before attempt `attempt + 1`: `base · 2^attempt`, capped at one hour, with up to
/// 50% random jitter so that many failed messages do not retry in lockstep.
pub(crate) fn backoff(base: Duration, attempt: i32, jitter: f64) -> Duration {
    let exp = base.saturating_mul(1u32 << attempt.clamp(0, 16) as u32);
    let capped = exp.min(Duration::from_secs(3600));
    capped.mul_f64(1.0 + 0.5 * jitter.clamp(0.0, 1.0))
}

pub struct MailWorker {
    services: Services,
    transport: MailTransport,
    from: Mailbox,
    poll_every: Duration,
    /// A delivery failed for a reason that looked temporary, and none has succeeded since.
    failing: AtomicBool,
}

impl MailWorker {
    pub fn new(services: Services, transport: MailTransport, from: Mailbox, poll_every: Duration) -> Self {
        Self { services, transport, from, poll_every, failing: AtomicBool::new(false) }
    }

    /// Runs until `shutdown` changes. Woken early whenever this instance enqueues mail.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        let notify = self.services.mail_notify();
        loop {
            if let Err(e) = self.deliver_due().await {
                tracing::warn!(error = %e, "mail worker could not read the outbox");
            }
            tokio::select! {
                _ = notify.notified() => {}
                _ = tokio::time::sleep(self.poll_every) => {}
                _ = shutdown.changed() => return,
            }
        }
    }

    /// One pass over the due messages; returns how many were delivered.
    pub async fn deliver_due(&self) -> Result<usize, sea_orm::DbErr> {
        let db = self.services.db();
        let clock = self.services.clock();
        let mut delivered = 0;
        loop {
            let batch = outbox::claim_due(db, clock.now(), LEASE, BATCH).await?;
            if batch.is_empty() {
                return Ok(delivered);
            }
            for (tried, mail) in batch.iter().enumerate() {
                match self.transport.send(&self.from, mail).await {
                    Ok(()) => {
                        outbox::mark_sent(db, mail, clock.now()).await?;
                        delivered += 1;
                        tracing::info!(mail_id = %mail.id, "mail delivered");
                        if self.failing.swap(false, Ordering::Relaxed) {
                            // The mail server is back: what waits for a retry (up to an hour
                            // after a long outage) goes now.
                            let released = outbox::retry_now(db, clock.now()).await?;
                            tracing::warn!(released, "mail delivery works again; retrying waiting messages now");
                        }
                    }
                    Err(SendError::Temporary(error)) if mail.attempts + 1 < MAX_ATTEMPTS => {
                        let wait = backoff(self.services.config().mail_retry_base, mail.attempts, rand::rng().random());
                        let retry_at = clock.now() + chrono::Duration::from_std(wait).unwrap_or_default();
                        outbox::mark_failed(db, &mail.id, &error, Some(retry_at)).await?;
                        self.failing.store(true, Ordering::Relaxed);
                        tracing::warn!(mail_id = %mail.id, attempt = mail.attempts + 1, %error, "mail delivery failed, will retry");
                        // The server is likely down: leave the rest for the next passes, free
                        // to be tried on their own schedule rather than held for the lease.
                        let untried: Vec<String> = batch[tried + 1..].iter().map(|m| m.id.clone()).collect();
                        outbox::release(db, &untried).await?;
                        return Ok(delivered);
                    }
                    Err(error) => {
                        outbox::mark_failed(db, &mail.id, &error.to_string(), None).await?;
                        tracing::error!(mail_id = %mail.id, %error, "mail delivery failed permanently, parked");
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_caps() {
        let base = Duration::from_secs(30);
        assert_eq!(backoff(base, 0, 0.0), Duration::from_secs(30));
        assert_eq!(backoff(base, 1, 0.0), Duration::from_secs(60));
        assert_eq!(backoff(base, 3, 0.0), Duration::from_secs(240));
        assert_eq!(backoff(base, 10, 0.0), Duration::from_secs(3600));
        assert_eq!(backoff(base, 40, 0.0), Duration::from_secs(3600));
    }

    #[test]
    fn jitter_adds_at_most_half() {
        let base = Duration::from_secs(10);
        assert_eq!(backoff(base, 0, 1.0), Duration::from_secs(15));
        assert_eq!(backoff(base, 0, 7.0), Duration::from_secs(15));
        assert!(backoff(base, 0, 0.3) > Duration::from_secs(10));
    }
}
