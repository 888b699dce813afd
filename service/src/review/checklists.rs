//! Admins edit the privacy and security checklists. Each save publishes a new version with
//! items of its own; reviews point at the version they started with, so nothing an admin
//! does changes a review in progress.

use crate::Services;
use crate::applications::catalogue;
use crate::audit::{self, AuditEvent};
use crate::context::Ctx;
use crate::db::{begin_write, lock_for};
use crate::entity::{checklist_item, checklist_template, user};
use crate::error::{ServiceError, ServiceResult};
use crate::timestamp;
use crate::tokens::new_id;
use portcullis_domain::application::scope::ScopeList;
use portcullis_domain::review::checklist::ChecklistKind;
use portcullis_domain::review::template::{
    self, ChecklistEditorView, ItemInput, TemplateInput, TemplateItem, TemplateView, VersionSummary,
};
use portcullis_domain::role::Permission;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::json;

/// Serialises publishing across portal instances on PostgreSQL.
const CHECKLIST_LOCK: i64 = 0x0050_5443_4845_434b; // "PTCHECK"

/// Reviewers read the checklists they work with, auditors what reviewers were asked; admins
/// edit them.
fn may_read(ctx: &Ctx) -> ServiceResult<()> {
    ctx.require(Permission::Review)
        .or_else(|_| ctx.require(Permission::ManageChecklists))
        .or_else(|_| ctx.require(Permission::Inspect))
        .map(|_| ())
}

pub(crate) fn parse_kind(kind: &str) -> ServiceResult<ChecklistKind> {
    ChecklistKind::parse(kind).ok_or(ServiceError::NotFound)
}

async fn find_version(
    conn: &impl ConnectionTrait,
    kind: ChecklistKind,
    version: Option<i32>,
) -> ServiceResult<checklist_template::Model> {
    let mut query = checklist_template::Entity::find().filter(checklist_template::Column::Kind.eq(kind.as_str()));
    if let Some(version) = version {
        query = query.filter(checklist_template::Column::Version.eq(version));
    }
    query.order_by_desc(checklist_template::Column::Version).one(conn).await?.ok_or(ServiceError::NotFound)
}

async fn latest_version(conn: &impl ConnectionTrait, kind: ChecklistKind) -> ServiceResult<i32> {
    Ok(find_version(conn, kind, None).await?.version)
}

async fn items_of(conn: &impl ConnectionTrait, template_id: &str) -> ServiceResult<Vec<TemplateItem>> {
    Ok(checklist_item::Entity::find()
        .filter(checklist_item::Column::TemplateId.eq(template_id))
        .order_by_asc(checklist_item::Column::Position)
        .all(conn)
        .await?
        .into_iter()
        .map(|row| TemplateItem {
            id: row.id,
            title: row.title,
            guidance: row.guidance,
            required: row.required,
            applies_to: ScopeList::parse(&row.applies_to).into_names(),
        })
        .collect())
}

async fn author_name(conn: &impl ConnectionTrait, user_id: Option<&str>) -> ServiceResult<Option<String>> {
    match user_id {
        Some(id) => Ok(user::Entity::find_by_id(id).one(conn).await?.map(|u| u.name)),
        None => Ok(None),
    }
}

async fn view(conn: &impl ConnectionTrait, kind: ChecklistKind, version: Option<i32>) -> ServiceResult<TemplateView> {
    let template = find_version(conn, kind, version).await?;
    Ok(TemplateView {
        kind,
        version: template.version,
        latest_version: latest_version(conn, kind).await?,
        created_at: timestamp(template.created_at),
        created_by: author_name(conn, template.created_by.as_deref()).await?,
        items: items_of(conn, &template.id).await?,
    })
}

/// One version of a checklist; the latest without `version`.
pub async fn get(services: &Services, ctx: &Ctx, kind: &str, version: Option<i32>) -> ServiceResult<TemplateView> {
    may_read(ctx)?;
    view(services.db(), parse_kind(kind)?, version).await
}

/// What the editor of one checklist shows: its latest version, its history and the scopes
/// items may apply to.
pub async fn editor(services: &Services, ctx: &Ctx, kind: &str) -> ServiceResult<ChecklistEditorView> {
    let template = get(services, ctx, kind, None).await?;
    let versions = versions(services, ctx, kind).await?;
    Ok(ChecklistEditorView { template, versions, catalogue: catalogue(services.db()).await? })
}

/// The latest version of both checklists.
pub async fn current(services: &Services, ctx: &Ctx) -> ServiceResult<Vec<TemplateView>> {
    may_read(ctx)?;
    let mut views = Vec::new();
    for kind in ChecklistKind::ALL {
        views.push(view(services.db(), kind, None).await?);
    }
    Ok(views)
}

/// Every version of a checklist, newest first.
pub async fn versions(services: &Services, ctx: &Ctx, kind: &str) -> ServiceResult<Vec<VersionSummary>> {
    may_read(ctx)?;
    let kind = parse_kind(kind)?;
    let conn = services.db();
    let templates = checklist_template::Entity::find()
        .filter(checklist_template::Column::Kind.eq(kind.as_str()))
        .order_by_desc(checklist_template::Column::Version)
        .all(conn)
        .await?;
    let mut summaries = Vec::with_capacity(templates.len());
    for template in templates {
        let items = items_of(conn, &template.id).await?;
        summaries.push(VersionSummary {
            kind,
            version: template.version,
            item_count: items.len() as u32,
            required_count: items.iter().filter(|i| i.required).count() as u32,
            created_at: timestamp(template.created_at),
            created_by: author_name(conn, template.created_by.as_deref()).await?,
        });
    }
    Ok(summaries)
}

/// Publishes `input.items` as the next version of the checklist. Refused with the current
/// version when someone published since `input.version` was loaded.
pub async fn publish(services: &Services, ctx: &Ctx, kind: &str, input: TemplateInput) -> ServiceResult<TemplateView> {
    let kind = parse_kind(kind)?;
    ctx.require(Permission::ManageChecklists)?;
    ctx.second_factor_fresh(services.clock().now())?;
    let txn = begin_write(services.db()).await?;
    lock_for(&txn, CHECKLIST_LOCK).await?;
    let actor = ctx.require_now(&txn, Permission::ManageChecklists).await?;
    let edited = find_version(&txn, kind, None).await?;
    if edited.version != input.version {
        let current = view(&txn, kind, None).await?;
        return Err(ServiceError::Stale {
            code: "stale_version",
            message: format!(
                "The {} checklist changed while you were editing it: version {} is the latest. Review it and apply your \
                 edits again.",
                kind.title().to_lowercase(),
                current.version
            ),
            current: Box::new(json!(current)),
        });
    }
    let edited_items = items_of(&txn, &edited.id).await?;
    let scopes: Vec<String> = catalogue(&txn).await?.into_iter().map(|s| s.name).collect();
    template::check(&input.items, &scopes, &edited_items).map_err(ServiceError::Validation)?;
    let items: Vec<ItemInput> = input.items.iter().map(|i| template::normalise(i, &scopes)).collect();
    let changes = template::changes(&edited_items, &items);
    if changes.is_empty() {
        return Err(ServiceError::Conflict("Nothing changed: there is no new version to publish.".into()));
    }

    let now = services.clock().now();
    let template_id = new_id();
    let version = edited.version + 1;
    checklist_template::Entity::insert(checklist_template::ActiveModel {
        id: Set(template_id.clone()),
        kind: Set(kind.as_str().to_owned()),
        version: Set(version),
        created_by: Set(Some(actor.user_id.clone())),
        created_at: Set(now),
    })
    .exec_without_returning(&txn)
    .await?;
    checklist_item::Entity::insert_many(items.iter().enumerate().map(|(position, item)| checklist_item::ActiveModel {
        id: Set(new_id()),
        template_id: Set(template_id.clone()),
        position: Set(position as i32),
        title: Set(item.title.clone()),
        guidance: Set(item.guidance.clone()),
        required: Set(item.required),
        applies_to: Set(ScopeList::store(&item.applies_to)),
    }))
    .exec_without_returning(&txn)
    .await?;
    audit::record(
        &txn,
        services.clock(),
        ctx,
        AuditEvent::new("checklist.published", "checklist", template_id).details(json!({
            "checklist": kind.as_str(),
            "version": version,
            "items": items.len(),
            "changes": changes,
        })),
    )
    .await?;
    let published = view(&txn, kind, Some(version)).await?;
    txn.commit().await?;
    Ok(published)
}

/// Adds one item at the end of the latest version, publishing the next one.
pub async fn add_item(services: &Services, ctx: &Ctx, kind: &str, item: ItemInput) -> ServiceResult<TemplateView> {
    ctx.require(Permission::ManageChecklists)?;
    if item.id.is_some() {
        return Err(ServiceError::field("id", "A new item has no id; edit the checklist to change an existing one."));
    }
    let latest = view(services.db(), parse_kind(kind)?, None).await?;
    let mut items: Vec<ItemInput> = latest
        .items
        .into_iter()
        .map(|i| ItemInput {
            id: Some(i.id),
            title: i.title,
            guidance: i.guidance,
            required: i.required,
            applies_to: i.applies_to,
        })
        .collect();
    items.push(item);
    publish(services, ctx, kind, TemplateInput { version: latest.version, items }).await
}
