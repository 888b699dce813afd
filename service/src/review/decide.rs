use super::reviews::{self, failed_items, own_items, requested_scopes};
use super::{check_outsider, clock, gate_refusal, set_clock};
use crate::Services;
use crate::applications::access::{Access, load_for_change};
use crate::applications::scopes::{self, ScopeKind};
use crate::applications::submission::{application_link, org_recipients};
use crate::applications::{catalogue, events, status_of, view};
use crate::audit::{self, AuditEvent};
use crate::context::Ctx;
use crate::db::begin_write;
use crate::entity::{application, assignment, decision, user};
use crate::error::{ServiceError, ServiceResult};
use crate::mail::{enqueue, templates};
use crate::tokens::new_id;
use chrono::{DateTime, Utc};
use portcullis_domain::application::lifecycle::{Action, Party, transition};
use portcullis_domain::application::scope::ScopeList;
use portcullis_domain::application::status::ApplicationStatus;
use portcullis_domain::application::view::ApplicationView;
use portcullis_domain::review::decision::{DecisionInput, DecisionKind, Standing, StandingError};
use portcullis_domain::review::due::ReviewClock;
use portcullis_domain::review::gate::{self, ApprovalOutcome, ApprovalRequest, GateError, PriorApproval};
use portcullis_domain::role::{Permission, Role};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder,
};
use serde_json::json;
use std::collections::BTreeSet;

/// Kind of the decision row of a first approval that waits for a second reviewer.
pub(crate) const FIRST_APPROVAL: &str = "first_approval";

/// First approvals of the application's current revision, oldest first.
pub(crate) async fn prior_approvals(
    conn: &impl ConnectionTrait,
    app: &application::Model,
) -> ServiceResult<Vec<decision::Model>> {
    Ok(decision::Entity::find()
        .filter(decision::Column::ApplicationId.eq(&app.id))
        .filter(decision::Column::Revision.eq(app.revision))
        .filter(decision::Column::Kind.eq(FIRST_APPROVAL))
        .order_by_asc(decision::Column::DecidedAt)
        .all(conn)
        .await?)
}

/// The refusal of a decision taken on an older state of the application, with its current one.
async fn stale(txn: &DatabaseTransaction, access: &Access) -> ServiceResult<ServiceError> {
    let current = view(txn, access).await?;
    Ok(ServiceError::Stale {
        code: "stale",
        message: format!(
            "The application changed since you opened it (it is at revision {}). Reload it and decide again.",
            current.revision
        ),
        current: Box::new(serde_json::to_value(current).expect("view serialises")),
    })
}

/// Takes the application's version, so that anything decided on a copy that changed
/// meanwhile fails instead of overwriting it.
async fn claim_version(txn: &DatabaseTransaction, app: &application::Model, now: DateTime<Utc>) -> ServiceResult<()> {
    let updated = application::Entity::update_many()
        .col_expr(application::Column::Version, Expr::value(app.version + 1))
        .col_expr(application::Column::UpdatedAt, Expr::value(now))
        .filter(application::Column::Id.eq(&app.id))
        .filter(application::Column::Version.eq(app.version))
        .exec(txn)
        .await?;
    if updated.rows_affected == 0 {
        return Err(ServiceError::Conflict("The application changed a moment ago; reload it and decide again.".into()));
    }
    Ok(())
}

/// What an approval grants, once the gate lets it through; `None` when it waits for a
/// second reviewer. Granting a sensitive scope, first or second approval alike, needs a fresh
/// second factor.
async fn approval(
    txn: &DatabaseTransaction,
    ctx: &Ctx,
    now: DateTime<Utc>,
    app: &application::Model,
    reviewer_id: &str,
    granted: &[String],
) -> ServiceResult<Option<Vec<String>>> {
    let requested = requested_scopes(app);
    let sensitive: BTreeSet<String> =
        catalogue(txn).await?.into_iter().filter(|s| s.sensitive).map(|s| s.name).collect();
    if granted.iter().any(|scope| sensitive.contains(scope)) {
        ctx.second_factor_fresh(now)?;
    }
    let items = own_items(txn, app, reviewer_id)
        .await?
        .ok_or_else(|| ServiceError::Conflict("Claim the application and work through its checklists first.".into()))?;
    let prior: Vec<PriorApproval> = prior_approvals(txn, app)
        .await?
        .into_iter()
        .map(|d| PriorApproval { reviewer_id: d.decided_by, granted: ScopeList::parse(&d.granted_scopes).into_names() })
        .collect();
    let request = ApprovalRequest {
        reviewer_id,
        reviewer_is_member: false,
        requested: &requested,
        granted,
        sensitive: &sensitive,
        items: &items,
        prior_approvals: &prior,
    };
    Ok(match gate::approve(&request).map_err(gate_refusal)? {
        ApprovalOutcome::Approved { granted } => Some(granted),
        ApprovalOutcome::AwaitingSecondApproval => None,
    })
}

/// Decides the application's current revision. Exactly one final decision per revision:
/// a competing one fails on the unique key, or on the version, and is reported as a conflict.
pub async fn decide(services: &Services, ctx: &Ctx, id: &str, input: DecisionInput) -> ServiceResult<ApplicationView> {
    let actor = ctx.require(Permission::Review)?;
    input.check_message().map_err(|m| ServiceError::field("message", m))?;
    let now = services.clock().now();
    let txn = begin_write(services.db()).await?;
    let access = load_for_change(&txn, ctx, id).await?;
    if access.is_member() {
        return Err(gate_refusal(GateError::OwnOrganisation));
    }
    let app = access.application.clone();
    check_outsider(&txn, &app, &actor.user_id).await?;
    if input.is_stale(i64::from(app.revision), i64::from(app.version)) {
        return Err(stale(&txn, &access).await?);
    }
    let its_reviewer = reviews::find(&txn, &app, &actor.user_id).await?.is_some()
        || assignment::Entity::find_by_id((app.id.clone(), actor.user_id.clone())).one(&txn).await?.is_some();
    let standing = input.standing(its_reviewer, actor.roles.contains(Role::Admin)).map_err(|e| match e {
        StandingError::NotItsReviewer => {
            ServiceError::Conflict("Claim the application, or be assigned to it, before deciding it.".into())
        }
        StandingError::ReasonNeeded(message) => ServiceError::field("override_reason", message),
    })?;
    let override_reason = match standing {
        Standing::AdminOverride(reason) => Some(reason),
        Standing::Reviewer => None,
    };
    let status = status_of(&app)?;
    let (action, kind) = match input.decision {
        DecisionKind::Approve => (Action::Approve, "approved"),
        DecisionKind::RequestChanges => (Action::RequestChanges, "changes_requested"),
        DecisionKind::Reject => (Action::Reject, "rejected"),
    };
    let next = transition(status, action, access.party).map_err(|e| access.refusal(e))?;
    let granted = match input.decision {
        DecisionKind::Approve => match approval(&txn, ctx, now, &app, &actor.user_id, &input.granted_scopes).await? {
            Some(granted) => granted,
            None => return first_approval(services, ctx, txn, &app, &input, override_reason).await,
        },
        _ => Vec::new(),
    };
    claim_version(&txn, &app, now).await?;
    let decision_id = new_id();
    decision::ActiveModel {
        id: Set(decision_id.clone()),
        application_id: Set(app.id.clone()),
        revision: Set(app.revision),
        kind: Set(kind.to_owned()),
        granted_scopes: Set(ScopeList::store(&granted)),
        message: Set(input.message.trim().to_owned()),
        decided_by: Set(actor.user_id.clone()),
        final_key: Set(Some(format!("{}/{}", app.id, app.revision))),
        decided_at: Set(now),
    }
    .insert(&txn)
    .await
    .map_err(|_| ServiceError::Conflict("Another reviewer decided this application a moment ago.".into()))?;
    let failed = if next == ApplicationStatus::ChangesRequested { failed_items(&txn, &app).await? } else { Vec::new() };
    let mut active = app.clone().into_active_model();
    active.status = Set(next.as_str().to_owned());
    active.version = Set(app.version + 1);
    active.updated_at = Set(now);
    let paused = clock(&app, services.config().review_target_days).pause(now);
    set_clock(
        &mut active,
        if next == ApplicationStatus::ChangesRequested {
            paused
        } else {
            ReviewClock { running_since: None, ..paused }
        },
    );
    if next == ApplicationStatus::Approved {
        active.granted_scopes = Set(Some(ScopeList::store(&granted)));
        scopes::replace(&txn, &app.id, ScopeKind::Granted, &granted).await?;
    }
    let app = active.update(&txn).await?;
    if next == ApplicationStatus::Approved {
        crate::credentials::narrow_to_grant(services, &txn, ctx, &app, &granted).await?;
    }
    events::record(
        &txn,
        now,
        &app.id,
        kind,
        Some(&actor.user_id),
        json!({
            "revision": app.revision,
            "message": input.message.trim(),
            "failed_items": failed,
            "granted_scopes": granted,
        }),
    )
    .await?;
    notify(services, &txn, &app, next).await?;
    audit::record(
        &txn,
        services.clock(),
        ctx,
        AuditEvent::new("application.decided", "application", app.id.clone()).details(json!({
            "decision": kind, "revision": app.revision, "granted_scopes": granted, "decision_id": decision_id,
            "failed_items": failed, "override_reason": override_reason,
        })),
    )
    .await?;
    let view = view(&txn, &Access { application: app, party: Party::Reviewer }).await?;
    txn.commit().await?;
    services.wake_mail_worker();
    Ok(view)
}

/// A first approval of sensitive scopes: recorded, and the application stays in review
/// until a second, different reviewer approves.
async fn first_approval(
    services: &Services,
    ctx: &Ctx,
    txn: DatabaseTransaction,
    app: &application::Model,
    input: &DecisionInput,
    override_reason: Option<&str>,
) -> ServiceResult<ApplicationView> {
    let actor = ctx.signed_in()?;
    let now = services.clock().now();
    claim_version(&txn, app, now).await?;
    let granted: BTreeSet<&String> = input.granted_scopes.iter().collect();
    let granted: Vec<String> = granted.into_iter().cloned().collect();
    let decision_id = new_id();
    decision::ActiveModel {
        id: Set(decision_id.clone()),
        application_id: Set(app.id.clone()),
        revision: Set(app.revision),
        kind: Set(FIRST_APPROVAL.to_owned()),
        granted_scopes: Set(ScopeList::store(&granted)),
        message: Set(input.message.trim().to_owned()),
        decided_by: Set(actor.user_id.clone()),
        final_key: Set(None),
        decided_at: Set(now),
    }
    .insert(&txn)
    .await?;
    events::record(&txn, now, &app.id, FIRST_APPROVAL, Some(&actor.user_id), json!({ "revision": app.revision }))
        .await?;
    audit::record(
        &txn,
        services.clock(),
        ctx,
        AuditEvent::new("application.decided", "application", app.id.clone()).details(json!({
            "decision": FIRST_APPROVAL, "revision": app.revision, "granted_scopes": granted, "decision_id": decision_id,
            "override_reason": override_reason,
        })),
    )
    .await?;
    let app = application::Entity::find_by_id(&app.id).one(&txn).await?.ok_or(ServiceError::NotFound)?;
    let view = view(&txn, &Access { application: app, party: Party::Reviewer }).await?;
    txn.commit().await?;
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
    if status == ApplicationStatus::Approved {
        // Production credentials now wait for an admin: tell them, not only their home page.
        let credentials = format!("applications/{}/credentials", app.id);
        let credentials = services.config().public_url.join(&credentials).expect("the id joins").to_string();
        let admins = user::Entity::find()
            .filter(user::Column::Roles.contains(Role::Admin.as_str()))
            .filter(user::Column::DisabledAt.is_null())
            .all(txn)
            .await?;
        for admin in admins {
            let mail = templates::production_credentials_awaited(
                &admin.email,
                &admin.name,
                &app.name,
                &app.reference,
                &credentials,
            );
            enqueue(txn, services.clock(), mail).await?;
        }
    }
    Ok(())
}
