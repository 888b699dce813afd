//! The devices each account signs in from: remembered by the hash of the browser's device
//! cookie, and a sign-in from a new one is mailed to the account, so a stolen password shows.

use crate::Services;
use crate::audit::{self, AuditEvent};
use crate::context::Ctx;
use crate::db::begin_write;
use crate::entity::{known_device, user};
use crate::error::ServiceResult;
use crate::mail::{enqueue, templates};
use crate::tokens::sha256_hex;
use portcullis_domain::device::{MAX_KNOWN_DEVICES, device_label, is_news};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};
use serde_json::json;

/// Records that `user` signed in from the caller's device, and mails them when the device is
/// new beside the ones they used before. Callers without a device cookie (the command line,
/// the demo world) are not recorded.
pub(crate) async fn remember(services: &Services, ctx: &Ctx, user: &user::Model) -> ServiceResult<()> {
    let Some(device_id) = ctx.device.id.as_deref() else { return Ok(()) };
    let now = services.clock().now();
    let hash = sha256_hex(device_id);
    let label: String = device_label(ctx.device.user_agent.as_deref()).chars().take(100).collect();
    let txn = begin_write(services.db()).await?;
    let mine = known_device::Column::UserId.eq(&user.id);
    let known = known_device::Entity::find().filter(mine.clone()).count(&txn).await?;
    // Two sign-ins from one new device at once: only the one that adds it mails.
    let added = known_device::Entity::insert(known_device::ActiveModel {
        user_id: Set(user.id.clone()),
        device_hash: Set(hash.clone()),
        label: Set(label.clone()),
        first_seen_at: Set(now),
        last_seen_at: Set(now),
    })
    .on_conflict(
        OnConflict::columns([known_device::Column::UserId, known_device::Column::DeviceHash]).do_nothing().to_owned(),
    )
    .exec_without_returning(&txn)
    .await?
        == 1;
    if !added {
        known_device::Entity::update_many()
            .col_expr(known_device::Column::Label, Expr::value(label.clone()))
            .col_expr(known_device::Column::LastSeenAt, Expr::value(now))
            .filter(mine.clone())
            .filter(known_device::Column::DeviceHash.eq(&hash))
            .exec(&txn)
            .await?;
    }
    let news = added && is_news(known, false);
    if news {
        let security_page = services.config().public_url.join("account/security").expect("static path").to_string();
        let mail = templates::new_sign_in(&user.email, &user.name, &label, ctx.ip.as_deref(), &security_page);
        enqueue(&txn, services.clock(), mail).await?;
        let event = AuditEvent::new("user.new_device", "user", user.id.clone()).details(json!({ "device": label }));
        audit::record(&txn, services.clock(), &ctx.as_user(user)?, event).await?;
    }
    // Bounded per account: the least recently seen are forgotten.
    let stale: Vec<String> = known_device::Entity::find()
        .select_only()
        .column(known_device::Column::DeviceHash)
        .filter(mine.clone())
        .order_by_desc(known_device::Column::LastSeenAt)
        .offset(MAX_KNOWN_DEVICES)
        // SQLite takes no OFFSET without LIMIT; one sign-in adds at most one device.
        .limit(MAX_KNOWN_DEVICES)
        .into_tuple()
        .all(&txn)
        .await?;
    if !stale.is_empty() {
        known_device::Entity::delete_many()
            .filter(mine)
            .filter(known_device::Column::DeviceHash.is_in(stale))
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;
    if news {
        services.wake_mail_worker();
    }
    Ok(())
}
