//! What `/healthz` answers from. A background task pings the database once a second on
//! connections of its own, and the handler reads the last result: the endpoint needs no
//! sign-in, so a request must not cost a database round trip (a stranger polling it would load
//! the database), and a load balancer's answer must not wait behind a busy database.

use portcullis_service::db;
use sea_orm::DbErr;
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio::time::Instant;

const EVERY: Duration = Duration::from_secs(1);
const TIMEOUT: Duration = Duration::from_secs(2);
/// A result older than this means the checks themselves are stuck: report the database down.
const STALE: Duration = Duration::from_secs(5);

#[derive(Clone, Copy, Debug)]
struct Check {
    at: Instant,
    up: bool,
}

/// The last database check, shared with every request.
#[derive(Clone, Debug)]
pub struct Health(watch::Receiver<Check>);

impl Health {
    /// Checks once before answering anything, then keeps checking until `stop` changes.
    pub async fn start(url: &str, mut stop: watch::Receiver<bool>) -> Result<(Self, JoinHandle<()>), DbErr> {
        let probe = db::connect_probe(url).await?;
        let (sender, receiver) = watch::channel(check(&probe).await);
        let task = tokio::spawn(async move {
            let mut every = tokio::time::interval(EVERY);
            every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    _ = every.tick() => { sender.send_replace(check(&probe).await); }
                    _ = stop.changed() => return,
                }
            }
        });
        Ok((Self(receiver), task))
    }

    pub fn database_up(&self) -> bool {
        let last = *self.0.borrow();
        last.up && last.at.elapsed() < STALE
    }
}

async fn check(probe: &sea_orm::DatabaseConnection) -> Check {
    let up = tokio::time::timeout(TIMEOUT, db::ping(probe)).await.unwrap_or(false);
    Check { at: Instant::now(), up }
}
