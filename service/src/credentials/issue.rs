//! Issuing credentials: the domain's gate decides who gets which scopes; the database makes
//! sure two requests at once yield one credential set.

use super::{new_client_id, new_secret};
use crate::Services;
use crate::applications::access::load;
use crate::applications::status_of;
use crate::audit::{self, AuditEvent};
use crate::context::Ctx;
use crate::db::begin_write;
use crate::entity::{application, credential, credential_secret, decision};
use crate::error::{ServiceError, ServiceResult};
use crate::review::reviews::{granted_scopes, requested_scopes};
use crate::timestamp;
use crate::tokens::{new_id, sha256_hex};
use chrono::{DateTime, Utc};
use portcullis_domain::credential::{
    Environment, IssueError, IssueInput, IssueRequest, IssuedCredential, check_issue, superseded,
};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, SqlErr, sea_query::Expr,
};
use serde_json::json;

fn refusal(error: IssueError) -> ServiceError {
    if error.is_about_the_caller() {
        ServiceError::NotAllowed(error.to_string())
    } else {
        ServiceError::Conflict(error.to_string())
    }
}

/// The key that is unique among active credentials.
pub(super) fn active_key(application_id: &str, environment: Environment) -> String {
    format!("{application_id}:{}", environment.as_str())
}

/// Whether an active set blocks a new one. An expired set never does; a production set from
/// before a recertification's approval is superseded: it keeps working for the rotation
/// overlap, then stops.
async fn has_active(
    services: &Services,
    conn: &DatabaseTransaction,
    ctx: &Ctx,
    app: &application::Model,
    environment: Environment,
    now: DateTime<Utc>,
) -> ServiceResult<bool> {
    let key = active_key(&app.id, environment);
    credential::Entity::update_many()
        .col_expr(credential::Column::ActiveKey, Expr::value(Option::<String>::None))
        .filter(credential::Column::ActiveKey.eq(&key))
        .filter(credential::Column::ExpiresAt.lte(now))
        .exec(conn)
        .await?;
    let Some(existing) = credential::Entity::find().filter(credential::Column::ActiveKey.eq(key)).one(conn).await?
    else {
        return Ok(false);
    };
    let last_approval = decision::Entity::find()
        .filter(decision::Column::ApplicationId.eq(&app.id))
        .filter(decision::Column::Kind.eq("approved"))
        .order_by_desc(decision::Column::DecidedAt)
        .one(conn)
        .await?
        .map(|d| d.decided_at);
    if environment != Environment::Production || !superseded(existing.created_at, last_approval) {
        return Ok(true);
    }
    let ends = existing.expires_at.min(now + services.config().credentials.rotation_overlap);
    credential::Entity::update_many()
        .col_expr(credential::Column::ActiveKey, Expr::value(Option::<String>::None))
        .col_expr(credential::Column::ExpiresAt, Expr::value(ends))
        .filter(credential::Column::Id.eq(&existing.id))
        .exec(conn)
        .await?;
    audit::record(
        conn,
        services.clock(),
        ctx,
        AuditEvent::new("credential.superseded", "application", app.id.clone())
            .details(json!({ "client_id": existing.client_id, "expires_at": timestamp(ends) })),
    )
    .await?;
    Ok(false)
}

pub async fn issue(services: &Services, ctx: &Ctx, id: &str, input: IssueInput) -> ServiceResult<IssuedCredential> {
    let actor = ctx.signed_in()?;
    let environment = input.environment;
    let now = services.clock().now();
    let txn = begin_write(services.db()).await?;
    let access = load(&txn, ctx, id).await?;
    let app = &access.application;
    let (requested, granted) = (requested_scopes(app), granted_scopes(app));
    let scopes = check_issue(IssueRequest {
        environment,
        party: access.party,
        status: status_of(app),
        requested: &requested,
        granted: &granted,
        already_issued: has_active(services, &txn, ctx, app, environment, now).await?,
    })
    .map_err(refusal)?;

    let policy = services.config().credentials;
    let lifetime = match environment {
        Environment::Production => policy.production_lifetime,
        Environment::Sandbox => policy.sandbox_lifetime,
    };
    let credential_id = new_id();
    let client_id = new_client_id();
    let client_secret = new_secret(environment);
    let expires_at = now + lifetime;
    credential::Entity::insert(credential::ActiveModel {
        id: Set(credential_id.clone()),
        client_id: Set(client_id.clone()),
        application_id: Set(app.id.clone()),
        environment: Set(environment.as_str().to_owned()),
        scopes: Set(scopes.join(" ")),
        created_by: Set(actor.user_id.clone()),
        created_at: Set(now),
        expires_at: Set(expires_at),
        last_used_at: Set(None),
        revoked_at: Set(None),
        revoked_reason: Set(None),
        active_key: Set(Some(active_key(&app.id, environment))),
        last_reminder_days: Set(None),
    })
    .exec_without_returning(&txn)
    .await
    .map_err(|error| match error.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => refusal(IssueError::AlreadyIssued(environment)),
        _ => error.into(),
    })?;
    credential_secret::Entity::insert(credential_secret::ActiveModel {
        id: Set(new_id()),
        credential_id: Set(credential_id),
        secret_hash: Set(sha256_hex(&client_secret)),
        generation: Set(1),
        created_at: Set(now),
        valid_until: Set(None),
    })
    .exec_without_returning(&txn)
    .await?;
    audit::record(
        &txn,
        services.clock(),
        ctx,
        AuditEvent::new("credential.issued", "application", app.id.clone()).details(json!({
            "client_id": client_id,
            "environment": environment.as_str(),
            "scopes": scopes,
            "expires_at": timestamp(expires_at),
        })),
    )
    .await?;
    txn.commit().await?;
    Ok(IssuedCredential { client_id, client_secret, environment, scopes, expires_at: timestamp(expires_at) })
}
