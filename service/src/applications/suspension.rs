//! Admins suspend an approved application (every credential and token stops with it, since
//! the OAuth checks read the application's status) and reinstate it.

use super::access::load_for_change;
use super::submission::{application_link, org_recipients};
use super::{events, status_of, view};
use crate::Services;
use crate::audit::{self, AuditEvent};
use crate::context::Ctx;
use crate::db::begin_write;
use crate::error::{ServiceError, ServiceResult};
use crate::mail::{enqueue, templates};
use portcullis_domain::application::lifecycle::{Action, transition};
use portcullis_domain::application::view::ApplicationView;
use portcullis_domain::credential::{ReasonInput, check_reason};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, IntoActiveModel};
use serde_json::json;

async fn change(
    services: &Services,
    ctx: &Ctx,
    id: &str,
    action: Action,
    input: ReasonInput,
) -> ServiceResult<ApplicationView> {
    let actor = ctx.signed_in()?;
    check_reason(&input.reason).map_err(|m| ServiceError::field("reason", m))?;
    let reason = input.reason.trim().to_owned();
    let now = services.clock().now();
    let txn = begin_write(services.db()).await?;
    let access = load_for_change(&txn, ctx, id).await?;
    let app = &access.application;
    let next = transition(status_of(app)?, action, access.party).map_err(|e| access.refusal(e))?;
    let mut active = app.clone().into_active_model();
    active.status = Set(next.as_str().to_owned());
    active.version = Set(app.version + 1);
    active.updated_at = Set(now);
    let app = active.update(&txn).await?;
    let (kind, audit_action) = match action {
        Action::Suspend => ("suspended", "application.suspended"),
        _ => ("reinstated", "application.reinstated"),
    };
    events::record(&txn, now, &app.id, kind, Some(&actor.user_id), json!({ "message": reason })).await?;
    audit::record(
        &txn,
        services.clock(),
        ctx,
        AuditEvent::new(audit_action, "application", app.id.clone())
            .details(json!({ "reference": app.reference, "reason": reason })),
    )
    .await?;
    let link = application_link(services, &app.id);
    for (to, name) in org_recipients(&txn, &app.org_id).await? {
        let mail = templates::access_changed(&to, &name, &app.name, &app.reference, kind, &reason, &link);
        enqueue(&txn, services.clock(), mail).await?;
    }
    let access = super::access::Access { application: app, party: access.party };
    let view = view(&txn, &access).await?;
    txn.commit().await?;
    services.wake_mail_worker();
    Ok(view)
}

/// Stops every credential and token of the application until it is reinstated.
pub async fn suspend(services: &Services, ctx: &Ctx, id: &str, input: ReasonInput) -> ServiceResult<ApplicationView> {
    change(services, ctx, id, Action::Suspend, input).await
}

pub async fn reinstate(services: &Services, ctx: &Ctx, id: &str, input: ReasonInput) -> ServiceResult<ApplicationView> {
    change(services, ctx, id, Action::Reinstate, input).await
}
