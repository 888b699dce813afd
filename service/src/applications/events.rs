//! The application's timeline: what happened to it, in order.

use crate::entity::application_event;
use crate::error::ServiceResult;
use crate::timestamp;
use chrono::{DateTime, Utc};
use portcullis_domain::application::view::TimelineEntry;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::Value;
use std::collections::BTreeSet;

pub(crate) async fn record(
    conn: &impl ConnectionTrait,
    at: DateTime<Utc>,
    application_id: &str,
    kind: &str,
    actor_id: Option<&str>,
    details: Value,
) -> ServiceResult<()> {
    application_event::Entity::insert(application_event::ActiveModel {
        application_id: Set(application_id.to_owned()),
        kind: Set(kind.to_owned()),
        actor_id: Set(actor_id.map(str::to_owned)),
        details: Set(details.to_string()),
        at: Set(at),
        ..Default::default()
    })
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

pub(crate) async fn timeline(conn: &impl ConnectionTrait, application_id: &str) -> ServiceResult<Vec<TimelineEntry>> {
    let rows = application_event::Entity::find()
        .filter(application_event::Column::ApplicationId.eq(application_id))
        .order_by_asc(application_event::Column::Seq)
        .all(conn)
        .await?;
    let actor_ids: BTreeSet<&str> = rows.iter().filter_map(|row| row.actor_id.as_deref()).collect();
    let names = crate::accounts::names(conn, actor_ids).await?;
    let mut entries = Vec::with_capacity(rows.len());
    for row in rows {
        let details: Value = serde_json::from_str(&row.details).unwrap_or_default();
        entries.push(TimelineEntry {
            actor_name: row.actor_id.as_ref().and_then(|id| names.get(id).cloned()),
            kind: row.kind,
            at: timestamp(row.at),
            revision: details.get("revision").and_then(Value::as_i64),
            message: details.get("message").and_then(Value::as_str).map(str::to_owned),
            failed_items: details
                .get("failed_items")
                .and_then(Value::as_array)
                .map(|items| items.iter().filter_map(|i| i.as_str().map(str::to_owned)).collect())
                .unwrap_or_default(),
        });
    }
    Ok(entries)
}
