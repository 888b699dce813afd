//! Background work of each instance: mail delivery, audit checkpoints, and housekeeping
//! (expired sessions and tokens, credential expiry reminders).

use crate::config::Config;
use portcullis_service::Services;
use portcullis_service::applications::mockups;
use portcullis_service::audit::checkpoints;
use portcullis_service::credentials::{self, oauth};
use portcullis_service::mail::MailTransport;
use portcullis_service::mail::worker::MailWorker;
use portcullis_service::session_store::DbSessionStore;
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tower_sessions::session_store::ExpiredDeletion;

pub fn mail_transport(config: &Config) -> Result<MailTransport, String> {
    match &config.smtp_url {
        Some(url) => MailTransport::smtp(url),
        None => {
            std::fs::create_dir_all(config.mail_dir()).map_err(|e| format!("{}: {e}", config.mail_dir().display()))?;
            Ok(MailTransport::files(config.mail_dir()))
        }
    }
}

pub fn spawn(
    services: &Services,
    transport: MailTransport,
    config: &Config,
    shutdown: &watch::Receiver<bool>,
) -> Vec<JoinHandle<()>> {
    let mail = MailWorker::new(services.clone(), transport, config.mail_from.clone(), config.mail_poll_every);
    let mail = tokio::spawn(mail.run(shutdown.clone()));
    let checkpoints = tokio::spawn(checkpoint_audit(services.clone(), shutdown.clone()));
    let store = DbSessionStore::new(services.db().clone());
    let services = services.clone();
    let mut stop = shutdown.clone();
    let chores = tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(600));
        // Rate-limit maps are capped; sweeping them often keeps them small as well.
        let mut sweep = tokio::time::interval(Duration::from_secs(60));
        loop {
            tokio::select! {
                _ = every.tick() => housekeeping(&services, &store).await,
                _ = sweep.tick() => services.sweep_limits(),
                _ = stop.changed() => return,
            }
        }
    });
    vec![mail, checkpoints, chores]
}

async fn housekeeping(services: &Services, store: &DbSessionStore) {
    if let Err(e) = store.delete_expired().await {
        tracing::warn!(error = %e, "could not delete expired sessions");
    }
    if let Err(e) = oauth::purge_expired_tokens(services).await {
        tracing::warn!(error = %e, "could not delete expired access tokens");
    }
    if let Err(e) = credentials::remind_expiring(services).await {
        tracing::warn!(error = %e, "could not send credential expiry reminders");
    }
    match mockups::remove_orphaned_files(services).await {
        Ok(0) => {}
        Ok(removed) => tracing::warn!(removed, "removed stored uploads no mockup refers to (left by a crash)"),
        Err(e) => tracing::warn!(error = %e, "could not look for orphaned uploads"),
    }
}

/// How often an instance looks whether a checkpoint is due: two indexed reads, so the audit
/// writers never wait for checkpoints, and a checkpoint lags its due time by at most this.
const CHECKPOINT_POLL: Duration = Duration::from_secs(10);

/// Signs checkpoints of the audit chain when due, and one of the newest record at shutdown.
async fn checkpoint_audit(services: Services, mut stop: watch::Receiver<bool>) {
    let mut every = tokio::time::interval(CHECKPOINT_POLL);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = every.tick() => {
                if let Err(e) = checkpoints::take_due(&services).await {
                    tracing::warn!(error = %e, "could not take an audit checkpoint");
                }
            }
            _ = stop.changed() => {
                if let Err(e) = checkpoints::take_final(&services).await {
                    tracing::warn!(error = %e, "could not take the audit checkpoint at shutdown");
                }
                return;
            }
        }
    }
}
