//! Files attached to a pending appeal: new evidence for the reviewer who decides it. They go
//! through the mockups' pipeline (streamed, limited, judged by content, counted in the
//! organisation's quota), belong to the appeal rather than to a revision, and are frozen once
//! the appeal is decided. The rules are the domain's (`appeal::may_attach`).

use super::access::{Access, load, load_for_change};
use super::events;
use super::mockups::{
    Download, ReceivedUpload, StoredFiles, count_usage, form_error, open_blob, quota_lock, receive_for, twice,
};
use crate::Services;
use crate::audit::{self, AuditEvent};
use crate::context::Ctx;
use crate::db::{begin_write, lock_for};
use crate::entity::{appeal, appeal_attachment};
use crate::error::{Refusal, ServiceError, ServiceResult};
use crate::timestamp;
use crate::tokens::new_id;
use portcullis_domain::application::appeal::{AppealAttachmentView, AppealStatus, AttachmentError, may_attach};
use portcullis_domain::application::mockup::{LabelError, MockupKind, download_file_name, validate_label};
use portcullis_domain::ids::ApplicationId;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::json;

/// The application's latest appeal: the pending one, if any is.
async fn latest(conn: &impl ConnectionTrait, application_id: &str) -> ServiceResult<Option<appeal::Model>> {
    Ok(appeal::Entity::find()
        .filter(appeal::Column::ApplicationId.eq(application_id))
        .order_by_desc(appeal::Column::Revision)
        .one(conn)
        .await?)
}

/// The files of an appeal, oldest first.
pub(crate) async fn of_appeal(
    conn: &impl ConnectionTrait,
    appeal_id: &str,
) -> ServiceResult<Vec<appeal_attachment::Model>> {
    Ok(appeal_attachment::Entity::find()
        .filter(appeal_attachment::Column::AppealId.eq(appeal_id))
        .order_by_asc(appeal_attachment::Column::CreatedAt)
        .order_by_asc(appeal_attachment::Column::Id)
        .all(conn)
        .await?)
}

pub(crate) fn view(row: &appeal_attachment::Model) -> AppealAttachmentView {
    AppealAttachmentView {
        id: row.id.clone(),
        label: row.label.clone(),
        content_type: row.content_type.clone(),
        size: u64::try_from(row.size).unwrap_or_default(),
        sha256: row.sha256.clone(),
        uploaded_at: timestamp(row.created_at),
    }
}

/// Whether the caller may attach one more file now; else why not.
async fn check(conn: &impl ConnectionTrait, access: &Access) -> ServiceResult<appeal::Model> {
    let appeal = latest(conn, &access.application.id).await?;
    let status =
        appeal.as_ref().map(|a| crate::stored::parse::<AppealStatus>("appeals.status", &a.status)).transpose()?;
    let count = match &appeal {
        Some(a) => of_appeal(conn, &a.id).await?.len(),
        None => 0,
    };
    may_attach(access.party, status, count).map_err(refusal)?;
    appeal.ok_or(ServiceError::NotFound)
}

fn refusal(error: AttachmentError) -> ServiceError {
    match error {
        AttachmentError::NotOwner => {
            ServiceError::NotAllowed(Refusal::Coded { code: error.code(), message: error.to_string() })
        }
        AttachmentError::TooMany => ServiceError::TooLarge(error.to_string()),
        AttachmentError::Decided | AttachmentError::NoAppeal => {
            ServiceError::Blocked { code: error.code(), message: error.to_string() }
        }
    }
}

fn label_error(error: LabelError) -> ServiceError {
    let message = match error {
        LabelError::Empty => "Say what the file shows, for example \"Corrected consent screen\".".to_owned(),
        other => other.to_string(),
    };
    ServiceError::field("label", message)
}

/// The attachment's `multipart/form-data` form: `label` and `file`, as for a mockup. Another
/// field, or one sent twice, is refused. Access is checked before a byte of the file is read.
pub async fn upload(
    services: &Services,
    ctx: &Ctx,
    id: &str,
    mut form: multer::Multipart<'static>,
) -> ServiceResult<AppealAttachmentView> {
    let (mut label, mut received) = (None, None);
    while let Some(field) = form.next_field().await.map_err(form_error)? {
        let name = field.name().unwrap_or_default().to_owned();
        match name.as_str() {
            "label" if label.is_none() => label = Some(field.text().await.map_err(form_error)?),
            "file" if received.is_none() => received = Some(receive(services, ctx, id, Box::pin(field)).await?),
            "label" | "file" => return Err(twice(&name)),
            other => {
                let message = format!("Unexpected field `{other}`: send only `file` and `label`.");
                return Err(ServiceError::field("file", message));
            }
        }
    }
    let received = received.ok_or_else(|| ServiceError::field("file", "Choose a file to attach."))?;
    let label = label.unwrap_or_default().trim().to_owned();
    validate_label(&label).map_err(label_error)?;
    // A task of its own: once the file is in the store, a cancelled request (the client went
    // away) must not leave it there without its row.
    let (services, ctx, id) = (services.clone(), ctx.clone(), id.to_owned());
    tokio::spawn(async move { store(&services, &ctx, &id, received, label).await })
        .await
        .map_err(|e| ServiceError::Internal(format!("storing an upload: {e}")))?
}

async fn receive<S, E>(services: &Services, ctx: &Ctx, id: &str, body: S) -> ServiceResult<ReceivedUpload>
where
    S: futures_util::Stream<Item = Result<bytes::Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    let access = load(services.db(), ctx, id).await?;
    check(services.db(), &access).await?;
    receive_for(services, ctx, &access.application.org_id, body).await
}

async fn store(
    services: &Services,
    ctx: &Ctx,
    id: &str,
    upload: ReceivedUpload,
    label: String,
) -> ServiceResult<AppealAttachmentView> {
    let actor = ctx.signed_in()?;
    let now = services.clock().now();
    let txn = begin_write(services.db()).await?;
    // Checked again: the appeal may have been decided, or filled up, meanwhile.
    let access = load_for_change(&txn, ctx, id).await?;
    lock_for(&txn, quota_lock(&access.application.org_id)).await?;
    let appeal = check(&txn, &access).await?;
    let files = StoredFiles::put(services, &txn, &access.application.org_id, &upload).await?;
    let dimensions = upload.inspected.dimensions;
    let row = appeal_attachment::ActiveModel {
        id: Set(new_id()),
        appeal_id: Set(appeal.id.clone()),
        label: Set(label),
        content_type: Set(upload.kind.content_type().to_owned()),
        size: Set(upload.size as i64),
        sha256: Set(upload.sha256.clone()),
        storage_key: Set(files.key.clone()),
        thumbnail_key: Set(files.thumbnail_key.clone()),
        width: Set(dimensions.map(|(w, _)| w as i32)),
        height: Set(dimensions.map(|(_, h)| h as i32)),
        uploaded_by: Set(actor.user_id.clone()),
        created_at: Set(now),
    };
    let saved = async {
        let row = row.insert(&txn).await?;
        count_usage(&txn, &access.application.org_id, row.size).await?;
        audit::record(
            &txn,
            services.clock(),
            ctx,
            AuditEvent::new("application.appeal_attachment_added", "application", access.application.id.clone())
                .details(json!({
                    "appeal_id": appeal.id, "attachment_id": row.id, "label": row.label,
                    "content_type": row.content_type, "size": row.size, "sha256": row.sha256,
                })),
        )
        .await?;
        // On the timeline too, so the applicant and the deciding reviewer see what came when.
        events::record(
            &txn,
            now,
            &access.application.id,
            "appeal_attachment_added",
            Some(&actor.user_id),
            json!({ "message": row.label }),
        )
        .await?;
        txn.commit().await?;
        Ok::<_, ServiceError>(row)
    }
    .await;
    match saved {
        Ok(row) => Ok(view(&row)),
        Err(error) => {
            files.discard(services).await;
            Err(error)
        }
    }
}

/// The attachment, if it belongs to an appeal of the application the caller may see.
async fn find(
    services: &Services,
    ctx: &Ctx,
    id: &ApplicationId,
    attachment_id: &str,
) -> ServiceResult<appeal_attachment::Model> {
    let access = load(services.db(), ctx, id.as_str()).await?;
    let row =
        appeal_attachment::Entity::find_by_id(attachment_id).one(services.db()).await?.ok_or(ServiceError::NotFound)?;
    let appeal = appeal::Entity::find_by_id(&row.appeal_id).one(services.db()).await?.ok_or(ServiceError::NotFound)?;
    if appeal.application_id != access.application.id {
        return Err(ServiceError::NotFound);
    }
    Ok(row)
}

fn kind_of(row: &appeal_attachment::Model) -> ServiceResult<MockupKind> {
    MockupKind::from_content_type(&row.content_type)
        .ok_or_else(|| ServiceError::Internal(format!("appeal attachment {} has type {}", row.id, row.content_type)))
}

/// The file, for whoever may see the application: its organisation's members, staff and
/// auditors (whose reading is on the record).
pub async fn download(
    services: &Services,
    ctx: &Ctx,
    id: &ApplicationId,
    attachment_id: &str,
) -> ServiceResult<Download> {
    let row = find(services, ctx, id, attachment_id).await?;
    audit::record_inspection(services, ctx, "application", Some(id.as_str()), "appeal attachment").await?;
    let kind = kind_of(&row)?;
    let (body, size) = open_blob(services, &row.storage_key, &row.id).await?;
    Ok(Download { file_name: download_file_name(&row.label, kind), content_type: row.content_type, size, body })
}

/// The small JPEG preview of an image attachment; PDFs have none.
pub async fn thumbnail(
    services: &Services,
    ctx: &Ctx,
    id: &ApplicationId,
    attachment_id: &str,
) -> ServiceResult<Download> {
    let row = find(services, ctx, id, attachment_id).await?;
    let key = row.thumbnail_key.clone().filter(|_| kind_of(&row).is_ok_and(MockupKind::is_image));
    let key = key.ok_or(ServiceError::NotFound)?;
    let (body, size) = open_blob(services, &key, &row.id).await?;
    let file_name = download_file_name(&format!("{} preview", row.label), MockupKind::Jpeg);
    Ok(Download { file_name, content_type: MockupKind::Jpeg.content_type().to_owned(), size, body })
}
