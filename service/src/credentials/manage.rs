//! Listing, rotating and revoking credentials.

use super::{credentials_link, environment_of, insert_secret, new_secret, scopes_of, secrets_of, state_of, view};
use crate::Services;
use crate::applications::access::{Access, load, load_for_change};
use crate::applications::status_of;
use crate::applications::submission::{application_link, org_recipients};
use crate::audit::{self, AuditEvent};
use crate::context::Ctx;
use crate::db::begin_write;
use crate::entity::{application, credential};
use crate::error::{ServiceError, ServiceResult};
use crate::mail::{enqueue, templates};
use crate::orgs::owners;
use crate::review::reviews::{granted_scopes, requested_scopes};
use crate::timestamp;
use chrono::{DateTime, Utc};
use portcullis_domain::application::lifecycle::Party;
use portcullis_domain::application::scope::ScopeList;
use portcullis_domain::credential::{
    CollectError, CollectedSecret, CredentialOverview, CredentialState, CredentialView, Environment, ForcedRotation,
    Management, Offers, ReasonInput, RotatedSecret, check_collect, check_reason, may_manage, narrowed,
    rotate as rotation,
};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseTransaction, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, QuerySelect,
};
use serde_json::json;

/// The credential and the caller's relation to its application; `NotFound` for anyone who
/// may not see the application.
/// The rows stay locked until the transaction ends, so rotations, collections and revocations
/// of one credential take turns.
async fn load_credential(
    txn: &DatabaseTransaction,
    ctx: &Ctx,
    client_id: &str,
) -> ServiceResult<(credential::Model, Access)> {
    let application_id = credential::Entity::find()
        .filter(credential::Column::ClientId.eq(client_id))
        .one(txn)
        .await?
        .ok_or(ServiceError::NotFound)?
        .application_id;
    // The application first, as every other change to it does, so two changes never wait on
    // each other's rows in opposite orders.
    let access = load_for_change(txn, ctx, &application_id).await?;
    let row = credential::Entity::find()
        .filter(credential::Column::ClientId.eq(client_id))
        .lock_exclusive()
        .one(txn)
        .await?
        .ok_or(ServiceError::NotFound)?;
    Ok((row, access))
}

fn check_manager(row: &credential::Model, access: &Access, what: Management) -> ServiceResult<()> {
    let environment = environment_of(row)?;
    if may_manage(environment, access.party, what) {
        return Ok(());
    }
    let message = match (environment, what, access.party) {
        (Environment::Production, Management::Rotate, Party::Admin) => {
            "Admins never see production secrets: force a rotation instead, and the owners collect the new secret."
        }
        (Environment::Production, Management::Rotate | Management::Collect, Party::Member) => {
            "Only owners of the organisation collect and rotate production secrets."
        }
        (Environment::Production, Management::Collect, _) => {
            "Only owners of the organisation collect production secrets."
        }
        (_, Management::ForceRotation, _) => "Only admins force a rotation of production credentials.",
        _ => "Only admins and the organisation manage these credentials.",
    };
    Err(ServiceError::NotAllowed(message.into()))
}

/// Refuses to touch a credential whose secrets can no longer work.
fn check_usable(row: &credential::Model, access: &Access, now: DateTime<Utc>) -> ServiceResult<CredentialState> {
    let state = state_of(row, status_of(&access.application)?, now);
    match state {
        CredentialState::Revoked | CredentialState::Expired | CredentialState::Lapsed => Err(ServiceError::Conflict(
            format!("These credentials are {}; issue new ones instead.", state.label().to_lowercase()),
        )),
        CredentialState::ReadyToCollect => Err(ServiceError::Conflict(
            "The first secret of these credentials has not been collected yet: collect it instead.".into(),
        )),
        CredentialState::Active | CredentialState::Suspended => Ok(state),
    }
}

/// Ends every current secret of the credential after the overlap (at most two earlier secrets
/// stay valid); returns until when the one being replaced keeps working.
async fn phase_out_secrets(
    services: &Services,
    txn: &DatabaseTransaction,
    row: &credential::Model,
    now: DateTime<Utc>,
) -> ServiceResult<(i32, DateTime<Utc>)> {
    let previous = secrets_of(txn, &row.id).await?;
    let until = rotation(
        &previous.iter().map(|s| s.valid_until).collect::<Vec<_>>(),
        now,
        services.config().credentials.rotation_overlap,
    );
    for (secret, valid_until) in previous.iter().zip(&until) {
        if secret.valid_until != Some(*valid_until) {
            let mut active = secret.clone().into_active_model();
            active.valid_until = Set(Some(*valid_until));
            active.update(txn).await?;
        }
    }
    let next_generation = previous.first().map_or(1, |s| s.generation + 1);
    Ok((next_generation, until.first().copied().unwrap_or(now)))
}

pub async fn list(services: &Services, ctx: &Ctx, id: &str) -> ServiceResult<Vec<CredentialView>> {
    Ok(overview(services, ctx, id).await?.credentials)
}

/// The credentials and what the caller may do with them, for the credentials page.
pub async fn overview(services: &Services, ctx: &Ctx, id: &str) -> ServiceResult<CredentialOverview> {
    let conn = services.db();
    let access = load(conn, ctx, id).await?;
    crate::audit::record_inspection(services, ctx, "application", Some(id), "credentials").await?;
    let status = status_of(&access.application)?;
    let now = services.clock().now();
    let rows = credential::Entity::find()
        .filter(credential::Column::ApplicationId.eq(id))
        .order_by_desc(credential::Column::CreatedAt)
        .all(conn)
        .await?;
    let mut views = Vec::with_capacity(rows.len());
    for row in &rows {
        views.push(view(conn, row, status, now).await?);
    }
    let app = &access.application;
    let active: Vec<Environment> = views.iter().filter(|v| v.state.is_live()).map(|v| v.environment).collect();
    let offers = Offers::of(access.party, status, &requested_scopes(app), &granted_scopes(app), &active);
    let needs_step_up = ctx.signed_in_freshly(now).is_err() || ctx.second_factor_fresh(now).is_err();
    let token_url = services.config().public_url.join("oauth/token").expect("static path joins").to_string();
    Ok(CredentialOverview { credentials: views, offers, needs_step_up, token_url })
}

/// A new secret, shown to the caller; the replaced one keeps working for the overlap, and at
/// most two earlier secrets stay valid. Production secrets: owners only, with a fresh second
/// factor.
pub async fn rotate(services: &Services, ctx: &Ctx, client_id: &str) -> ServiceResult<RotatedSecret> {
    let now = services.clock().now();
    let txn = begin_write(services.db()).await?;
    let (row, access) = load_credential(&txn, ctx, client_id).await?;
    check_manager(&row, &access, Management::Rotate)?;
    check_usable(&row, &access, now)?;
    if environment_of(&row)? == Environment::Production {
        ctx.second_factor_fresh(now)?;
    }
    let (generation, previous_valid_until) = phase_out_secrets(services, &txn, &row, now).await?;
    let client_secret = new_secret(environment_of(&row)?);
    insert_secret(&txn, &row.id, &client_secret, generation, now).await?;
    if row.collect_by.is_some() {
        // An owner's own rotation replaces a secret an admin's forced rotation left waiting.
        let mut active = row.clone().into_active_model();
        active.collect_by = Set(None);
        active.update(&txn).await?;
    }
    audit::record(
        &txn,
        services.clock(),
        ctx,
        AuditEvent::new("credential.rotated", "application", row.application_id.clone()).details(json!({
            "client_id": row.client_id,
            "previous_secret_valid_until": timestamp(previous_valid_until),
        })),
    )
    .await?;
    txn.commit().await?;
    Ok(RotatedSecret {
        client_id: row.client_id,
        client_secret,
        previous_secret_valid_until: timestamp(previous_valid_until),
    })
}

/// An owner takes the production secret waiting for the organisation: it is made now, shown
/// in this answer only, and never again. Needs a fresh sign-in, and a fresh second factor
/// where the policy asks for one: this is where a production secret comes into being.
pub async fn collect(services: &Services, ctx: &Ctx, client_id: &str) -> ServiceResult<CollectedSecret> {
    let now = services.clock().now();
    let txn = begin_write(services.db()).await?;
    let (row, access) = load_credential(&txn, ctx, client_id).await?;
    check_manager(&row, &access, Management::Collect)?;
    ctx.signed_in_freshly(now)?;
    ctx.second_factor_fresh(now)?;
    let state = state_of(&row, status_of(&access.application)?, now);
    let waiting = check_collect(state, row.collect_by, now).map_err(|e| ServiceError::Conflict(e.to_string()))?;
    // Claimed by a conditional update: of two collections at once, exactly one gets a secret.
    let claimed = credential::Entity::update_many()
        .col_expr(credential::Column::CollectBy, Expr::value(Option::<DateTime<Utc>>::None))
        .col_expr(credential::Column::CollectedAt, Expr::value(Some(row.collected_at.unwrap_or(now))))
        .filter(credential::Column::Id.eq(&row.id))
        .filter(credential::Column::CollectBy.eq(waiting))
        .exec(&txn)
        .await?;
    if claimed.rows_affected != 1 {
        return Err(ServiceError::Conflict(CollectError::NothingWaiting.to_string()));
    }
    let generation = secrets_of(&txn, &row.id).await?.first().map_or(1, |s| s.generation + 1);
    let client_secret = new_secret(environment_of(&row)?);
    insert_secret(&txn, &row.id, &client_secret, generation, now).await?;
    audit::record(
        &txn,
        services.clock(),
        ctx,
        AuditEvent::new("credential.collected", "application", row.application_id.clone())
            .details(json!({ "client_id": row.client_id, "generation": generation })),
    )
    .await?;
    txn.commit().await?;
    Ok(CollectedSecret { client_id: row.client_id, client_secret })
}

/// An admin replaces a production secret without seeing the new one: the current secret ends
/// after the overlap, and the owners are asked to collect the next. Needs a fresh second factor.
pub async fn force_rotation(services: &Services, ctx: &Ctx, client_id: &str) -> ServiceResult<ForcedRotation> {
    let now = services.clock().now();
    let txn = begin_write(services.db()).await?;
    let (row, access) = load_credential(&txn, ctx, client_id).await?;
    check_manager(&row, &access, Management::ForceRotation)?;
    check_usable(&row, &access, now)?;
    ctx.second_factor_fresh(now)?;
    let (_, previous_valid_until) = phase_out_secrets(services, &txn, &row, now).await?;
    let collect_by = now + services.config().credentials.collection_window;
    let mut active = row.clone().into_active_model();
    active.collect_by = Set(Some(collect_by));
    active.update(&txn).await?;
    audit::record(
        &txn,
        services.clock(),
        ctx,
        AuditEvent::new("credential.rotation_forced", "application", row.application_id.clone()).details(json!({
            "client_id": row.client_id,
            "previous_secret_valid_until": timestamp(previous_valid_until),
            "collect_by": timestamp(collect_by),
        })),
    )
    .await?;
    let app = &access.application;
    let link = credentials_link(services, &app.id);
    for (to, name) in owners(&txn, &app.org_id).await? {
        let mail = templates::rotation_forced(
            &to,
            &name,
            &app.name,
            &app.reference,
            &row.client_id,
            &timestamp(previous_valid_until),
            &timestamp(collect_by),
            &link,
        );
        enqueue(&txn, services.clock(), mail).await?;
    }
    txn.commit().await?;
    services.wake_mail_worker();
    Ok(ForcedRotation {
        client_id: row.client_id,
        previous_secret_valid_until: timestamp(previous_valid_until),
        collect_by: timestamp(collect_by),
    })
}

/// Revokes at once: every secret and token of the credential stops working with the commit.
pub async fn revoke(services: &Services, ctx: &Ctx, client_id: &str, input: ReasonInput) -> ServiceResult<()> {
    let reason = input.reason.trim().to_owned();
    if !reason.is_empty() {
        check_reason(&reason).map_err(|m| ServiceError::field("reason", m))?;
    }
    let now = services.clock().now();
    let txn = begin_write(services.db()).await?;
    let (row, access) = load_credential(&txn, ctx, client_id).await?;
    check_manager(&row, &access, Management::Revoke)?;
    if row.revoked_at.is_some() {
        return Err(ServiceError::Conflict("These credentials are already revoked.".into()));
    }
    let mut active = row.clone().into_active_model();
    active.revoked_at = Set(Some(now));
    active.revoked_reason = Set((!reason.is_empty()).then(|| reason.clone()));
    active.active_key = Set(None);
    active.update(&txn).await?;
    audit::record(
        &txn,
        services.clock(),
        ctx,
        AuditEvent::new("credential.revoked", "application", row.application_id.clone()).details(json!({
            "client_id": row.client_id,
            "environment": row.environment,
            "reason": reason,
        })),
    )
    .await?;
    let app = &access.application;
    let link = application_link(services, &app.id);
    for (to, name) in org_recipients(&txn, &app.org_id).await? {
        let mail = templates::credential_revoked(
            &to,
            &name,
            &app.name,
            &app.reference,
            &row.client_id,
            if reason.is_empty() { "none given" } else { &reason },
            &link,
        );
        enqueue(&txn, services.clock(), mail).await?;
    }
    txn.commit().await?;
    services.wake_mail_worker();
    Ok(())
}

/// A decision granted `granted`: active production credentials that carry more lose the rest,
/// in the decision's own transaction. New tokens then leave those scopes out, and introspection
/// drops them from existing tokens, as it reads the credential's scopes on every request.
pub(crate) async fn narrow_to_grant(
    services: &Services,
    txn: &DatabaseTransaction,
    ctx: &Ctx,
    app: &application::Model,
    granted: &[String],
) -> ServiceResult<()> {
    let rows = credential::Entity::find()
        .filter(credential::Column::ApplicationId.eq(&app.id))
        .filter(credential::Column::Environment.eq(Environment::Production.as_str()))
        .filter(credential::Column::RevokedAt.is_null())
        .all(txn)
        .await?;
    let link = application_link(services, &app.id);
    for row in rows {
        let Some((kept, removed)) = narrowed(&scopes_of(&row.scopes), granted) else { continue };
        let client_id = row.client_id.clone();
        let mut active = row.into_active_model();
        active.scopes = Set(ScopeList::store(&kept));
        active.update(txn).await?;
        audit::record(
            txn,
            services.clock(),
            ctx,
            AuditEvent::new("credential.narrowed", "application", app.id.clone())
                .details(json!({ "client_id": client_id, "removed": removed, "scopes": kept })),
        )
        .await?;
        for (to, name) in org_recipients(txn, &app.org_id).await? {
            let removed = removed.join(", ");
            let mail =
                templates::credentials_narrowed(&to, &name, &app.name, &app.reference, &client_id, &removed, &link);
            enqueue(txn, services.clock(), mail).await?;
        }
    }
    Ok(())
}
