use super::{check_outsider, gate_refusal};
use crate::Services;
use crate::applications::access::{Access, load_for_change};
use crate::applications::{events, status_of, view};
use crate::audit::{self, AuditEvent};
use crate::context::Ctx;
use crate::db::begin_write;
use crate::entity::{assignment, user};
use crate::error::{ServiceError, ServiceResult};
use portcullis_domain::application::lifecycle::{Action, transition};
use portcullis_domain::application::status::ApplicationStatus;
use portcullis_domain::application::view::ApplicationView;
use portcullis_domain::review::gate::GateError;
use portcullis_domain::role::{Permission, Roles};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait, IntoActiveModel};
use serde_json::json;

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
            ctx.require(Permission::AssignReviews)
                .map_err(|_| ServiceError::NotAllowed("Only admins assign applications to other reviewers.".into()))?;
            other
        }
        _ => actor.user_id.clone(),
    };
    let now = services.clock().now();
    let txn = begin_write(services.db()).await?;
    let access = load_for_change(&txn, ctx, id).await?;
    if access.is_member() {
        return Err(gate_refusal(GateError::OwnOrganisation));
    }
    let reviewer = user::Entity::find_by_id(&reviewer_id).one(&txn).await?.ok_or(ServiceError::NotFound)?;
    let roles: Roles = crate::stored::parse("users.roles", &reviewer.roles)?;
    if !roles.allows(Permission::Review) || reviewer.disabled_at.is_some() {
        return Err(ServiceError::field("reviewer_id", "Choose an active reviewer."));
    }
    check_outsider(&txn, &access.application, &reviewer_id).await?;
    let app = access.application.clone();
    let status = status_of(&app)?;
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
    super::reviews::start(&txn, &app, &reviewer_id, now).await?;
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
