//! Listing, rotating and revoking credentials.

use super::{environment_of, new_secret, secrets_of, view};
use crate::Services;
use crate::applications::access::{Access, load};
use crate::applications::status_of;
use crate::applications::submission::{application_link, org_recipients};
use crate::audit::{self, AuditEvent};
use crate::context::Ctx;
use crate::db::begin_write;
use crate::entity::{credential, credential_secret};
use crate::error::{ServiceError, ServiceResult};
use crate::mail::{enqueue, templates};
use crate::review::reviews::{granted_scopes, requested_scopes};
use crate::timestamp;
use crate::tokens::{new_id, sha256_hex};
use portcullis_domain::credential::{
    CredentialOverview, CredentialState, CredentialView, Environment, Offers, ReasonInput, RotatedSecret, check_reason,
    may_manage, rotate as rotation,
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder,
};
use serde_json::json;

/// The credential and the caller's relation to its application; `NotFound` for anyone who
/// may not see the application.
async fn load_credential(
    conn: &impl ConnectionTrait,
    ctx: &Ctx,
    client_id: &str,
) -> ServiceResult<(credential::Model, Access)> {
    let row = credential::Entity::find()
        .filter(credential::Column::ClientId.eq(client_id))
        .one(conn)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let access = load(conn, ctx, &row.application_id).await?;
    Ok((row, access))
}

fn check_manager(row: &credential::Model, access: &Access, revoking: bool) -> ServiceResult<()> {
    if may_manage(environment_of(row), access.party, revoking) {
        Ok(())
    } else if access.is_member() {
        Err(ServiceError::NotAllowed("Only admins rotate production credentials; owners may revoke them.".into()))
    } else {
        Err(ServiceError::NotAllowed("Only admins and the organisation manage these credentials.".into()))
    }
}

pub async fn list(services: &Services, ctx: &Ctx, id: &str) -> ServiceResult<Vec<CredentialView>> {
    Ok(overview(services, ctx, id).await?.credentials)
}

/// The credentials and what the caller may do with them, for the credentials page.
pub async fn overview(services: &Services, ctx: &Ctx, id: &str) -> ServiceResult<CredentialOverview> {
    let conn = services.db();
    let access = load(conn, ctx, id).await?;
    let status = status_of(&access.application);
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
    let active: Vec<Environment> = views
        .iter()
        .filter(|v| matches!(v.state, CredentialState::Active | CredentialState::Suspended))
        .map(|v| v.environment)
        .collect();
    let offers = Offers::of(access.party, status, &requested_scopes(app), &granted_scopes(app), &active);
    Ok(CredentialOverview { credentials: views, offers })
}

/// A new secret; the replaced one keeps working for the overlap, and at most two earlier
/// secrets stay valid.
pub async fn rotate(services: &Services, ctx: &Ctx, client_id: &str) -> ServiceResult<RotatedSecret> {
    let now = services.clock().now();
    let txn = begin_write(services.db()).await?;
    let (row, access) = load_credential(&txn, ctx, client_id).await?;
    check_manager(&row, &access, false)?;
    let state = CredentialState::of(row.revoked_at.is_some(), row.expires_at, status_of(&access.application), now);
    if matches!(state, CredentialState::Revoked | CredentialState::Expired) {
        return Err(ServiceError::Conflict(format!(
            "These credentials are {}; issue new ones instead.",
            state.label().to_lowercase()
        )));
    }
    let previous = secrets_of(&txn, &row.id).await?;
    let until = rotation(
        &previous.iter().map(|s| s.valid_until).collect::<Vec<_>>(),
        now,
        services.config().credentials.rotation_overlap,
    );
    for (secret, valid_until) in previous.iter().zip(&until) {
        if secret.valid_until != Some(*valid_until) {
            let mut active = secret.clone().into_active_model();
            active.valid_until = Set(Some(*valid_until));
            active.update(&txn).await?;
        }
    }
    let client_secret = new_secret(environment_of(&row));
    credential_secret::Entity::insert(credential_secret::ActiveModel {
        id: Set(new_id()),
        credential_id: Set(row.id.clone()),
        secret_hash: Set(sha256_hex(&client_secret)),
        generation: Set(previous.first().map_or(1, |s| s.generation + 1)),
        created_at: Set(now),
        valid_until: Set(None),
    })
    .exec_without_returning(&txn)
    .await?;
    let previous_valid_until = until.first().copied().unwrap_or(now);
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

/// Revokes at once: every secret and token of the credential stops working with the commit.
pub async fn revoke(services: &Services, ctx: &Ctx, client_id: &str, input: ReasonInput) -> ServiceResult<()> {
    let reason = input.reason.trim().to_owned();
    if !reason.is_empty() {
        check_reason(&reason).map_err(|m| ServiceError::field("reason", m))?;
    }
    let now = services.clock().now();
    let txn = begin_write(services.db()).await?;
    let (row, access) = load_credential(&txn, ctx, client_id).await?;
    check_manager(&row, &access, true)?;
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
