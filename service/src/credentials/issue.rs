//! Issuing credentials: the domain's gate decides who gets which scopes; the database makes
//! sure two requests at once yield one credential set.

use super::{credentials_link, insert_secret, new_client_id, new_secret};
use crate::Services;
use crate::applications::access::load_for_change;
use crate::applications::status_of;
use crate::audit::{self, AuditEvent};
use crate::context::Ctx;
use crate::db::begin_write;
use crate::entity::{application, credential, decision};
use crate::error::{ServiceError, ServiceResult};
use crate::mail::{enqueue, templates};
use crate::orgs::owners;
use crate::review::reviews::{granted_scopes, requested_scopes};
use crate::timestamp;
use crate::tokens::new_id;
use chrono::{DateTime, Utc};
use portcullis_domain::application::scope::ScopeList;
use portcullis_domain::credential::{
    Environment, IssueError, IssueInput, IssueRequest, IssuedCredential, check_issue, superseded,
};
use sea_orm::sea_query::{Condition, Expr};
use sea_orm::{ActiveValue::Set, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, SqlErr};
use serde_json::json;

fn refusal(error: IssueError) -> ServiceError {
    if error.is_about_the_caller() {
        ServiceError::NotAllowed(error.to_string().into())
    } else {
        ServiceError::Conflict(error.to_string())
    }
}

/// The key that is unique among active credentials.
pub(super) fn active_key(application_id: &str, environment: Environment) -> String {
    format!("{application_id}:{}", environment.as_str())
}

/// Whether an active set blocks a new one. An expired set never does, nor one whose secret
/// was never collected in time; a production set from before a recertification's approval
/// is superseded: it keeps working for the rotation overlap, then stops.
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
        .filter(Condition::any().add(credential::Column::ExpiresAt.lte(now)).add(
            Condition::all().add(credential::Column::CollectedAt.is_null()).add(credential::Column::CollectBy.lte(now)),
        ))
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
    let actor = ctx.verified()?;
    let environment = input.environment;
    let now = services.clock().now();
    if environment == Environment::Production {
        ctx.second_factor_fresh(now)?;
    }
    let txn = begin_write(services.db()).await?;
    let access = load_for_change(&txn, ctx, id).await?;
    let app = &access.application;
    let (requested, granted) = (requested_scopes(app), granted_scopes(app));
    let scopes = check_issue(IssueRequest {
        environment,
        party: access.party,
        status: status_of(app)?,
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
    // A sandbox secret goes to the caller, a member of the organisation or an admin (test
    // data only). A production secret is made only when an owner collects it.
    let (client_secret, collect_by) = match environment {
        Environment::Sandbox => (Some(new_secret(environment)), None),
        Environment::Production => (None, Some(now + policy.collection_window)),
    };
    let credential_id = new_id();
    let client_id = new_client_id();
    let expires_at = now + lifetime;
    credential::Entity::insert(credential::ActiveModel {
        id: Set(credential_id.clone()),
        client_id: Set(client_id.clone()),
        application_id: Set(app.id.clone()),
        environment: Set(environment.as_str().to_owned()),
        scopes: Set(ScopeList::store(&scopes)),
        created_by: Set(actor.user_id.clone()),
        created_at: Set(now),
        expires_at: Set(expires_at),
        last_used_at: Set(None),
        revoked_at: Set(None),
        revoked_reason: Set(None),
        active_key: Set(Some(active_key(&app.id, environment))),
        last_reminder_days: Set(None),
        collect_by: Set(collect_by),
        collected_at: Set(client_secret.is_some().then_some(now)),
    })
    .exec_without_returning(&txn)
    .await
    .map_err(|error| match error.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => refusal(IssueError::AlreadyIssued(environment)),
        _ => error.into(),
    })?;
    if let Some(secret) = &client_secret {
        insert_secret(&txn, &credential_id, secret, 1, now).await?;
    }
    audit::record(
        &txn,
        services.clock(),
        ctx,
        AuditEvent::new("credential.issued", "application", app.id.clone()).details(json!({
            "client_id": client_id,
            "environment": environment.as_str(),
            "scopes": scopes,
            "expires_at": timestamp(expires_at),
            "collect_by": collect_by.map(timestamp),
        })),
    )
    .await?;
    if let Some(collect_by) = collect_by {
        let link = credentials_link(services, &app.id);
        for (to, name) in owners(&txn, &app.org_id).await? {
            let mail = templates::secret_ready(
                &to,
                &name,
                &app.name,
                &app.reference,
                &client_id,
                &timestamp(collect_by),
                &link,
            );
            enqueue(&txn, services.clock(), mail).await?;
        }
    }
    txn.commit().await?;
    if collect_by.is_some() {
        services.wake_mail_worker();
    }
    Ok(IssuedCredential {
        client_id,
        client_secret,
        environment,
        scopes,
        expires_at: timestamp(expires_at),
        collect_by: collect_by.map(timestamp),
    })
}
