//! Reviewing: taking an application into review and deciding it. The rules — who may, in
//! which state, and what an approval needs — are the domain's lifecycle and gate.

use crate::Services;
use crate::applications::access::{Access, load};
use crate::applications::submission::{application_link, org_recipients};
use crate::applications::{catalogue, events, status_of, view};
use crate::audit::{self, AuditEvent};
use crate::context::Ctx;
use crate::db::begin_write;
use crate::entity::{application, assignment, checklist_item, checklist_template, decision, user};
use crate::error::{ServiceError, ServiceResult};
use crate::mail::{enqueue, templates};
use crate::tokens::new_id;
use chrono::{DateTime, Utc};
use portcullis_domain::application::lifecycle::{Action, Party, transition};
use portcullis_domain::application::status::ApplicationStatus;
use portcullis_domain::application::view::ApplicationView;
use portcullis_domain::review::checklist::{ChecklistKind, ReviewItem};
use portcullis_domain::review::decision::{DecisionInput, DecisionKind};
use portcullis_domain::review::due::{DEFAULT_TARGET_BUSINESS_DAYS, ReviewClock};
use portcullis_domain::review::gate::{self, ApprovalOutcome, ApprovalRequest, GateError};
use portcullis_domain::role::{Permission, Roles};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder,
};
use serde_json::json;
use std::collections::BTreeSet;

fn gate_refusal(error: GateError) -> ServiceError {
    if error.is_about_the_reviewer() {
        ServiceError::NotAllowed(error.to_string())
    } else {
        ServiceError::Conflict(error.to_string())
    }
}

/// Reviewers may not act on applications of their own organisation.
async fn check_outsider(conn: &impl ConnectionTrait, app: &application::Model, user_id: &str) -> ServiceResult<()> {
    let member = crate::orgs::membership(conn, &app.org_id, user_id).await?.is_some();
    gate::check_decider(member).map_err(gate_refusal)
}

fn clock(app: &application::Model) -> ReviewClock {
    ReviewClock {
        target_days: DEFAULT_TARGET_BUSINESS_DAYS,
        used_days: app.review_used_days.max(0) as u32,
        running_since: app.review_clock_since,
    }
}

fn set_clock(active: &mut application::ActiveModel, clock: ReviewClock) {
    active.review_used_days = Set(clock.used_days as i32);
    active.review_clock_since = Set(clock.running_since);
    active.due_at = Set(clock.due_at());
}

/// Claims the application (no `reviewer_id`) or, for admins, assigns it to a reviewer. A
/// submitted application goes into review.
pub async fn assign(
    services: &Services,
    ctx: &Ctx,
    id: &str,
    reviewer_id: Option<String>,
) -> ServiceResult<ApplicationView> {
    let actor = ctx.require(Permission::Review)?;
    let reviewer_id = match reviewer_id {
        Some(other) if other != actor.user_id => {
            ctx.require(Permission::ManageUsers)
                .map_err(|_| ServiceError::NotAllowed("Only admins assign applications to other reviewers.".into()))?;
            other
        }
        _ => actor.user_id.clone(),
    };
    let now = services.clock().now();
    let txn = begin_write(services.db()).await?;
    let access = load(&txn, ctx, id).await?;
    if access.is_member() {
        return Err(gate_refusal(GateError::OwnOrganisation));
    }
    let reviewer = user::Entity::find_by_id(&reviewer_id).one(&txn).await?.ok_or(ServiceError::NotFound)?;
    let roles = Roles::from_csv(&reviewer.roles).unwrap_or_else(|_| Roles::developer());
    if !roles.allows(Permission::Review) || reviewer.disabled_at.is_some() {
        return Err(ServiceError::field("reviewer_id", "Choose an active reviewer."));
    }
    check_outsider(&txn, &access.application, &reviewer_id).await?;
    let app = access.application.clone();
    let status = status_of(&app);
    if !matches!(status, ApplicationStatus::Submitted | ApplicationStatus::InReview) {
        return Err(ServiceError::Conflict(format!(
            "An application that is {} cannot be assigned.",
            status.label().to_lowercase()
        )));
    }
    if assignment::Entity::find_by_id((app.id.clone(), reviewer_id.clone())).one(&txn).await?.is_none() {
        assignment::ActiveModel {
            application_id: Set(app.id.clone()),
            reviewer_id: Set(reviewer_id.clone()),
            assigned_by: Set(actor.user_id.clone()),
            assigned_at: Set(now),
        }
        .insert(&txn)
        .await?;
    }
    let mut active = app.clone().into_active_model();
    if status == ApplicationStatus::Submitted {
        let next = transition(status, Action::StartReview, access.party).map_err(|e| access.refusal(e))?;
        active.status = Set(next.as_str().to_owned());
        events::record(&txn, now, &app.id, "review_started", Some(&reviewer_id), json!({ "revision": app.revision }))
            .await?;
    }
    active.version = Set(app.version + 1);
    active.updated_at = Set(now);
    let app = active.update(&txn).await?;
    audit::record(
        &txn,
        services.clock(),
        ctx,
        AuditEvent::new("application.assigned", "application", app.id.clone())
            .details(json!({ "reviewer_id": reviewer_id, "revision": app.revision })),
    )
    .await?;
    let view = view(&txn, &Access { application: app, party: access.party }).await?;
    txn.commit().await?;
    Ok(view)
}

/// The current templates' items, without verdicts: what an approval must pass.
async fn checklist_items(txn: &DatabaseTransaction) -> ServiceResult<Vec<ReviewItem>> {
    let mut items = Vec::new();
    for kind in ChecklistKind::ALL {
        let Some(template) = checklist_template::Entity::find()
            .filter(checklist_template::Column::Kind.eq(kind.as_str()))
            .order_by_desc(checklist_template::Column::Version)
            .one(txn)
            .await?
        else {
            continue;
        };
        for item in checklist_item::Entity::find()
            .filter(checklist_item::Column::TemplateId.eq(&template.id))
            .order_by_asc(checklist_item::Column::Position)
            .all(txn)
            .await?
        {
            items.push(ReviewItem {
                item_id: item.id,
                checklist: kind,
                title: item.title,
                required: item.required,
                applies_to: item.applies_to.split_whitespace().map(str::to_owned).collect(),
                verdict: None,
                note: String::new(),
            });
        }
    }
    Ok(items)
}

/// Decides the application's current revision. Exactly one final decision per revision:
/// a competing one fails on the unique key and is reported as a conflict.
pub async fn decide(services: &Services, ctx: &Ctx, id: &str, input: DecisionInput) -> ServiceResult<ApplicationView> {
    let actor = ctx.require(Permission::Review)?;
    input.check_message().map_err(|m| ServiceError::field("message", m))?;
    let now = services.clock().now();
    let txn = begin_write(services.db()).await?;
    let access = load(&txn, ctx, id).await?;
    if access.is_member() {
        return Err(gate_refusal(GateError::OwnOrganisation));
    }
    let app = access.application.clone();
    check_outsider(&txn, &app, &actor.user_id).await?;
    let status = status_of(&app);
    let (action, kind) = match input.decision {
        DecisionKind::Approve => (Action::Approve, "approved"),
        DecisionKind::RequestChanges => (Action::RequestChanges, "changes_requested"),
        DecisionKind::Reject => (Action::Reject, "rejected"),
    };
    let next = transition(status, action, access.party).map_err(|e| access.refusal(e))?;
    let granted = if input.decision == DecisionKind::Approve {
        let requested: Vec<String> = app.requested_scopes.split_whitespace().map(str::to_owned).collect();
        let sensitive: BTreeSet<String> =
            catalogue(&txn).await?.into_iter().filter(|s| s.sensitive).map(|s| s.name).collect();
        let items = checklist_items(&txn).await?;
        let request = ApprovalRequest {
            reviewer_id: &actor.user_id,
            reviewer_is_member: false,
            requested: &requested,
            granted: &input.granted_scopes,
            sensitive: &sensitive,
            items: &items,
            prior_approvals: &[],
        };
        match gate::approve(&request).map_err(gate_refusal)? {
            ApprovalOutcome::Approved { granted } => granted,
            ApprovalOutcome::AwaitingSecondApproval => {
                return Err(ServiceError::Conflict("A second reviewer must approve sensitive scopes.".into()));
            }
        }
    } else {
        Vec::new()
    };
    let decision_id = new_id();
    decision::ActiveModel {
        id: Set(decision_id.clone()),
        application_id: Set(app.id.clone()),
        revision: Set(app.revision),
        kind: Set(kind.to_owned()),
        granted_scopes: Set(granted.join(" ")),
        message: Set(input.message.trim().to_owned()),
        decided_by: Set(actor.user_id.clone()),
        final_key: Set(Some(format!("{}/{}", app.id, app.revision))),
        decided_at: Set(now),
    }
    .insert(&txn)
    .await
    .map_err(|_| ServiceError::Conflict("Another reviewer decided this application a moment ago.".into()))?;
    let mut active = app.clone().into_active_model();
    active.status = Set(next.as_str().to_owned());
    active.version = Set(app.version + 1);
    active.updated_at = Set(now);
    let paused = clock(&app).pause(now);
    set_clock(
        &mut active,
        if next == ApplicationStatus::ChangesRequested {
            paused
        } else {
            ReviewClock { running_since: None, ..paused }
        },
    );
    if next == ApplicationStatus::Approved {
        active.granted_scopes = Set(Some(granted.join(" ")));
    }
    let app = active.update(&txn).await?;
    events::record(
        &txn,
        now,
        &app.id,
        kind,
        Some(&actor.user_id),
        json!({ "revision": app.revision, "message": input.message.trim(), "failed_items": Vec::<String>::new() }),
    )
    .await?;
    notify(services, &txn, &app, next).await?;
    audit::record(
        &txn,
        services.clock(),
        ctx,
        AuditEvent::new("application.decided", "application", app.id.clone()).details(json!({
            "decision": kind, "revision": app.revision, "granted_scopes": granted, "decision_id": decision_id,
        })),
    )
    .await?;
    let view = view(&txn, &Access { application: app, party: Party::Reviewer }).await?;
    txn.commit().await?;
    services.wake_mail_worker();
    Ok(view)
}

async fn notify(
    services: &Services,
    txn: &DatabaseTransaction,
    app: &application::Model,
    status: ApplicationStatus,
) -> ServiceResult<()> {
    let link = application_link(services, &app.id);
    for (to, name) in org_recipients(txn, &app.org_id).await? {
        let mail = match status {
            ApplicationStatus::ChangesRequested => {
                templates::changes_requested(&to, &name, &app.name, &app.reference, &link)
            }
            other => templates::decision(&to, &name, &app.name, &app.reference, &other.label().to_lowercase(), &link),
        };
        enqueue(txn, services.clock(), mail).await?;
    }
    Ok(())
}

/// Restarts the review clock when a revision comes back after changes were requested.
pub fn resume_clock(active: &mut application::ActiveModel, app: &application::Model, now: DateTime<Utc>) {
    let resumed =
        if app.revision == 0 { ReviewClock::start(DEFAULT_TARGET_BUSINESS_DAYS, now) } else { clock(app).resume(now) };
    set_clock(active, resumed);
}
