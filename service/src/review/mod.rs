//! Reviewing: taking an application into review, recording checklist verdicts and deciding
//! it. The rules — who may, in which state, and what an approval needs — are the domain's
//! lifecycle and gate.

mod assign;
pub mod checklists;
mod decide;
pub mod queue;
pub mod reviews;

pub use assign::assign;
pub(crate) use decide::FIRST_APPROVAL;
pub use decide::decide;
pub(crate) use decide::prior_approvals;

use crate::entity::application;
use crate::error::{ServiceError, ServiceResult};
use chrono::{DateTime, Utc};
use portcullis_domain::review::due::ReviewClock;
use portcullis_domain::review::gate::{self, GateError};
use sea_orm::{ActiveValue::Set, ConnectionTrait};

fn gate_refusal(error: GateError) -> ServiceError {
    if error.is_about_the_reviewer() {
        ServiceError::NotAllowed(error.to_string().into())
    } else {
        ServiceError::Conflict(error.to_string())
    }
}

/// Reviewers may not act on applications of their own organisation.
async fn check_outsider(conn: &impl ConnectionTrait, app: &application::Model, user_id: &str) -> ServiceResult<()> {
    let member = crate::orgs::membership(conn, &app.org_id, user_id).await?.is_some();
    gate::check_decider(member).map_err(gate_refusal)
}

fn clock(app: &application::Model, target_days: u32) -> ReviewClock {
    ReviewClock { target_days, used_days: app.review_used_days.max(0) as u32, running_since: app.review_clock_since }
}

fn set_clock(active: &mut application::ActiveModel, clock: ReviewClock) {
    active.review_used_days = Set(clock.used_days as i32);
    active.review_clock_since = Set(clock.running_since);
    active.due_at = Set(clock.due_at());
}

/// Restarts the review clock when a revision comes back after changes were requested.
pub(crate) fn resume_clock(
    active: &mut application::ActiveModel,
    app: &application::Model,
    target_days: u32,
    now: DateTime<Utc>,
) {
    let resumed =
        if app.revision == 0 { ReviewClock::start(target_days, now) } else { clock(app, target_days).resume(now) };
    set_clock(active, resumed);
}

/// A fresh review clock, for an approved application sent back for recertification.
pub(crate) fn restart_clock(active: &mut application::ActiveModel, target_days: u32, now: DateTime<Utc>) {
    set_clock(active, ReviewClock::start(target_days, now));
}
