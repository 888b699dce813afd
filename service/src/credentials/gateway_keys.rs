//! Keys the platform's gateway authenticates with when it introspects tokens.

use super::GATEWAY_KEY_PREFIX;
use crate::Services;
use crate::audit::{self, AuditEvent};
use crate::context::Ctx;
use crate::db::begin_write;
use crate::entity::gateway_key;
use crate::error::{ServiceError, ServiceResult};
use crate::timestamp;
use crate::tokens::{new_id, random_token, sha256_hex};
use portcullis_domain::credential::{GatewayKeyInput, GatewayKeyView, NewGatewayKey, check_key_name};
use portcullis_domain::role::Permission;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait, IntoActiveModel, QueryOrder};
use serde_json::json;

pub async fn create_gateway_key(
    services: &Services,
    ctx: &Ctx,
    input: GatewayKeyInput,
) -> ServiceResult<NewGatewayKey> {
    let actor = ctx.require(Permission::ManageGatewayKeys)?;
    ctx.second_factor_fresh(services.clock().now())?;
    check_key_name(&input.name).map_err(|m| ServiceError::field("name", m))?;
    let name = input.name.trim().to_owned();
    let key = format!("{GATEWAY_KEY_PREFIX}{}", random_token());
    let id = new_id();
    let txn = begin_write(services.db()).await?;
    ctx.require_now(&txn, Permission::ManageGatewayKeys).await?;
    gateway_key::Entity::insert(gateway_key::ActiveModel {
        id: Set(id.clone()),
        name: Set(name.clone()),
        key_hash: Set(sha256_hex(&key)),
        created_by: Set(actor.user_id.clone()),
        created_at: Set(services.clock().now()),
        last_used_at: Set(None),
        revoked_at: Set(None),
    })
    .exec_without_returning(&txn)
    .await?;
    audit::record(
        &txn,
        services.clock(),
        ctx,
        AuditEvent::new("gateway_key.created", "gateway_key", id.clone()).details(json!({ "name": name })),
    )
    .await?;
    txn.commit().await?;
    Ok(NewGatewayKey { id, name, key })
}

pub async fn list_gateway_keys(services: &Services, ctx: &Ctx) -> ServiceResult<Vec<GatewayKeyView>> {
    ctx.require(Permission::ManageGatewayKeys)?;
    let db = services.db();
    let rows = gateway_key::Entity::find().order_by_desc(gateway_key::Column::CreatedAt).all(db).await?;
    // Only the keys' creators, not every account.
    let creators: Vec<&str> = rows.iter().map(|row| row.created_by.as_str()).collect();
    let names = crate::accounts::names(db, creators).await?;
    Ok(rows
        .into_iter()
        .map(|row| GatewayKeyView {
            created_by: names.get(&row.created_by).cloned().unwrap_or_default(),
            id: row.id,
            name: row.name,
            created_at: timestamp(row.created_at),
            last_used_at: row.last_used_at.map(timestamp),
            revoked_at: row.revoked_at.map(timestamp),
        })
        .collect())
}

/// Revoked keys stay listed (with when), so the audit trail's ids keep meaning something.
pub async fn revoke_gateway_key(services: &Services, ctx: &Ctx, id: &str) -> ServiceResult<()> {
    ctx.require(Permission::ManageGatewayKeys)?;
    let txn = begin_write(services.db()).await?;
    ctx.require_now(&txn, Permission::ManageGatewayKeys).await?;
    let row = gateway_key::Entity::find_by_id(id).one(&txn).await?.ok_or(ServiceError::NotFound)?;
    if row.revoked_at.is_some() {
        return Err(ServiceError::Conflict("This gateway key is already revoked.".into()));
    }
    let name = row.name.clone();
    let mut active = row.into_active_model();
    active.revoked_at = Set(Some(services.clock().now()));
    active.update(&txn).await?;
    audit::record(
        &txn,
        services.clock(),
        ctx,
        AuditEvent::new("gateway_key.revoked", "gateway_key", id.to_owned()).details(json!({ "name": name })),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
