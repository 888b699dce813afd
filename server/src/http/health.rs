//! What `/healthz` answers from. A background task pings the database once a second on
//! connections of its own, and the handler reads the last result: the endpoint needs no
//! sign-in, so a request must not cost a database round trip (a stranger polling it would load
//! the database), and a load balancer's answer must not wait behind a busy database.

use crate::http::error::ApiError;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use portcullis_service::{ServiceError, db};
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
                    _ = every.tick() => {
                        let now = check(&probe).await;
                        let before = sender.send_replace(now);
                        match (before.up, now.up) {
                            (true, false) => tracing::error!("the database does not answer: API requests get 503"),
                            (false, true) => tracing::warn!("the database answers again"),
                            _ => {}
                        }
                    }
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

/// While the last check found the database down, API requests get 503 with `Retry-After` at
/// once, instead of each waiting for a connection that cannot be made; the first check that
/// finds it back lets them through again.
pub async fn refuse_while_database_down(State(health): State<Health>, request: Request, next: Next) -> Response {
    if health.database_up() {
        next.run(request).await
    } else {
        ApiError::from(ServiceError::Unavailable).into_response()
    }
}

async fn check(probe: &sea_orm::DatabaseConnection) -> Check {
    let up = tokio::time::timeout(TIMEOUT, db::ping(probe)).await.unwrap_or(false);
    Check { at: Instant::now(), up }
}
