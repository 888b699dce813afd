//! UX mockups: streamed to a scratch file while hashed and measured, refused as soon as
//! they pass the size limit, judged by content, then handed to the blob store.

use super::access::{Access, load, load_for_change};
use super::inspect::{InspectError, Inspected, inspect};
use super::{current_mockups, mockup_view, status_of};
use crate::Services;
use crate::audit::{self, AuditEvent};
use crate::context::Ctx;
use crate::db::{begin_write, lock_for};
use crate::entity::{appeal_attachment, application_revision, mockup, org};
use crate::error::{ServiceError, ServiceResult};
use crate::storage::BlobReader;
use crate::tokens::new_id;
use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use portcullis_domain::application::lifecycle::{Action, transition};
use portcullis_domain::application::mockup::{
    DEFAULT_ORG_UPLOAD_QUOTA_MB, MAX_MOCKUP_BYTES, MAX_MOCKUPS_PER_APPLICATION, MAX_UPLOADS_IN_FLIGHT_PER_ACCOUNT,
    MockupKind, MockupView, download_file_name, looks_like_markup, sniff, validate_label,
};
use portcullis_domain::ids::{ApplicationId, MockupId};
use sea_orm::prelude::DateTimeUtc;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, IntoActiveModel,
    QueryFilter, QuerySelect,
};
use serde_json::json;
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::AsyncWriteExt;

/// How many leading bytes are kept to judge the type.
const PREFIX_LEN: usize = 1024;

/// What uploads may take, and how they are checked.
#[derive(Debug, Clone)]
pub struct UploadPolicy {
    /// Bytes all of an organisation's stored mockups may take, those kept only for a
    /// submitted revision included.
    pub org_quota_bytes: u64,
    /// The `portcullis` program, run as `<pdf_checker> --inspect-pdf` to check each PDF in a
    /// child process under resource limits. By default the running program itself.
    pub pdf_checker: PathBuf,
    /// How old a stored file no mockup refers to must be before it is deleted: younger ones
    /// may be uploads another instance is committing right now.
    pub orphan_grace: Duration,
}

impl Default for UploadPolicy {
    fn default() -> Self {
        // On Linux the running program stays reachable there even after an upgrade replaced
        // its file.
        let own = if cfg!(target_os = "linux") {
            PathBuf::from("/proc/self/exe")
        } else {
            std::env::current_exe().unwrap_or_default()
        };
        UploadPolicy {
            org_quota_bytes: DEFAULT_ORG_UPLOAD_QUOTA_MB << 20,
            pdf_checker: own,
            orphan_grace: Duration::from_secs(3600),
        }
    }
}

/// Deletes the stored files no mockup or appeal attachment refers to, once older than the
/// grace: a process killed between storing an upload and committing its row leaves one behind.
/// Returns how many.
pub async fn remove_orphaned_files(services: &Services) -> ServiceResult<usize> {
    let storage = services.storage();
    let before = std::time::SystemTime::now() - services.config().uploads.orphan_grace;
    let keys = storage
        .keys_stored_before(before)
        .await
        .map_err(|e| ServiceError::Internal(format!("listing uploads: {e}")))?;
    let mut removed = 0;
    for chunk in keys.chunks(500) {
        let mut rows: Vec<(String, Option<String>)> = mockup::Entity::find()
            .select_only()
            .column(mockup::Column::StorageKey)
            .column(mockup::Column::ThumbnailKey)
            .filter(
                Condition::any()
                    .add(mockup::Column::StorageKey.is_in(chunk.iter().cloned()))
                    .add(mockup::Column::ThumbnailKey.is_in(chunk.iter().cloned())),
            )
            .into_tuple()
            .all(services.db())
            .await?;
        // Appeal attachments share the store.
        rows.extend(
            appeal_attachment::Entity::find()
                .select_only()
                .column(appeal_attachment::Column::StorageKey)
                .column(appeal_attachment::Column::ThumbnailKey)
                .filter(
                    Condition::any()
                        .add(appeal_attachment::Column::StorageKey.is_in(chunk.iter().cloned()))
                        .add(appeal_attachment::Column::ThumbnailKey.is_in(chunk.iter().cloned())),
                )
                .into_tuple::<(String, Option<String>)>()
                .all(services.db())
                .await?,
        );
        let known: HashSet<String> =
            rows.into_iter().flat_map(|(file, thumbnail)| [Some(file), thumbnail]).flatten().collect();
        for key in chunk.iter().filter(|key| !known.contains(*key)) {
            storage.delete(key).await.map_err(|e| ServiceError::Internal(format!("deleting an upload: {e}")))?;
            removed += 1;
        }
    }
    Ok(removed)
}

fn file_error(message: impl Into<String>) -> ServiceError {
    ServiceError::field("file", message)
}

fn check_editable(access: &Access, count: usize) -> ServiceResult<()> {
    transition(status_of(&access.application)?, Action::Edit, access.party).map_err(|e| access.refusal(e))?;
    if count >= MAX_MOCKUPS_PER_APPLICATION {
        return Err(ServiceError::TooLarge(format!(
            "An application can have at most {MAX_MOCKUPS_PER_APPLICATION} mockups. Remove one before adding another."
        )));
    }
    Ok(())
}

/// Bytes the organisation's stored mockups and appeal attachments take: a running total
/// (`orgs.mockup_bytes`), kept with the rows.
async fn org_usage(conn: &impl ConnectionTrait, org_id: &str) -> ServiceResult<u64> {
    let org = org::Entity::find_by_id(org_id).one(conn).await?.ok_or(ServiceError::NotFound)?;
    Ok(u64::try_from(org.mockup_bytes).unwrap_or_default())
}

/// Adds `bytes` (negative: removes) to the organisation's total, in the transaction that adds
/// or removes the mockup's row.
pub(crate) async fn count_usage(conn: &impl ConnectionTrait, org_id: &str, bytes: i64) -> Result<(), DbErr> {
    use sea_orm::sea_query::ExprTrait;
    org::Entity::update_many()
        .col_expr(org::Column::MockupBytes, Expr::col(org::Column::MockupBytes).add(bytes))
        .filter(org::Column::Id.eq(org_id))
        .exec(conn)
        .await?;
    Ok(())
}

fn org_quota_reached(quota: u64, used: u64) -> ServiceError {
    ServiceError::TooLarge(format!(
        "Your organisation's uploads (mockups and appeal files) may take at most {} MB in all, and {:.1} MB are in \
         use: this file does not fit. Remove mockups you no longer need.",
        quota >> 20,
        used as f64 / f64::from(1 << 20)
    ))
}

/// Attaching to one organisation's applications is serialised, so two uploads cannot both
/// take the last of its quota (SQLite's write lock already serialises every writer).
pub(crate) fn quota_lock(org_id: &str) -> i64 {
    crate::db::lock_key(&format!("mockup quota of {org_id}"))
}

/// The uploads each account has in progress on this instance.
#[derive(Debug, Default)]
pub(crate) struct UploadSlots(Arc<Mutex<HashMap<String, usize>>>);

impl UploadSlots {
    /// A place for one more upload of `user_id`, unless it has as many as allowed already.
    fn take(&self, user_id: &str) -> Option<UploadSlot> {
        let mut held = self.0.lock().expect("upload slots lock");
        let count = held.entry(user_id.to_owned()).or_default();
        if *count >= MAX_UPLOADS_IN_FLIGHT_PER_ACCOUNT {
            return None;
        }
        *count += 1;
        Some(UploadSlot { slots: self.0.clone(), user_id: user_id.to_owned() })
    }
}

/// One upload in progress: its place frees when it is dropped, however the upload ends.
struct UploadSlot {
    slots: Arc<Mutex<HashMap<String, usize>>>,
    user_id: String,
}

impl Drop for UploadSlot {
    fn drop(&mut self) {
        let mut held = self.slots.lock().expect("upload slots lock");
        if let Some(count) = held.get_mut(&self.user_id) {
            *count -= 1;
            if *count == 0 {
                held.remove(&self.user_id);
            }
        }
    }
}

/// Removes the scratch file however the upload ends.
pub(crate) struct Scratch(pub(crate) PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

struct Received {
    size: u64,
    sha256: String,
    prefix: Vec<u8>,
}

/// Streams `body` into a new file at `path`, refused with `over()` as soon as it passes
/// `limit` bytes.
async fn stream_to<S, E>(
    path: &PathBuf,
    mut body: S,
    limit: u64,
    over: impl Fn() -> ServiceError,
) -> ServiceResult<Received>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    let io = |e: std::io::Error| ServiceError::Internal(format!("writing an upload: {e}"));
    // Created here rather than on the blocking pool: a cancelled upload could otherwise get
    // its file created after its `Scratch` guard already removed it.
    let mut file = tokio::fs::File::from_std(std::fs::File::create(path).map_err(io)?);
    let mut hasher = Sha256::new();
    let mut size = 0u64;
    let mut prefix = Vec::with_capacity(PREFIX_LEN);
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(|e| file_error(format!("The upload was interrupted ({e}). Try again.")))?;
        size += chunk.len() as u64;
        if size > limit {
            return Err(over());
        }
        if prefix.len() < PREFIX_LEN {
            let take = (PREFIX_LEN - prefix.len()).min(chunk.len());
            prefix.extend_from_slice(&chunk[..take]);
        }
        hasher.update(&chunk);
        file.write_all(&chunk).await.map_err(io)?;
    }
    file.flush().await.map_err(io)?;
    file.sync_all().await.map_err(io)?;
    Ok(Received { size, sha256: hex::encode(hasher.finalize()), prefix })
}

/// A file that arrived and passed the content checks, waiting for its label.
pub struct ReceivedUpload {
    pub(crate) scratch: Scratch,
    _slot: UploadSlot,
    pub(crate) size: u64,
    pub(crate) sha256: String,
    pub(crate) kind: MockupKind,
    pub(crate) inspected: Inspected,
}

/// An upload's `multipart/form-data` form: `label` and `file`. Another field, or one sent
/// twice, is refused. The one reading of the form, for the API and the pages alike (they send
/// it to the API, which reports upload progress).
pub async fn upload(
    services: &Services,
    ctx: &Ctx,
    id: &str,
    mut form: multer::Multipart<'static>,
) -> ServiceResult<MockupView> {
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
    let received = received.ok_or_else(|| ServiceError::field("file", "Choose a file to upload."))?;
    let label = label.ok_or_else(|| ServiceError::field("label", "Give the mockup a label."))?;
    attach(services, ctx, id, received, &label).await
}

pub(crate) fn twice(name: &str) -> ServiceError {
    ServiceError::field(name, format!("The form has more than one `{name}` field."))
}

pub(crate) fn form_error(error: multer::Error) -> ServiceError {
    ServiceError::field("file", format!("The upload is not a valid multipart/form-data form: {error}."))
}

/// Streams a mockup's bytes to scratch space and judges them. Access is checked before a
/// byte is read.
pub async fn receive<S, E>(services: &Services, ctx: &Ctx, id: &str, body: S) -> ServiceResult<ReceivedUpload>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    let access = load(services.db(), ctx, id).await?;
    check_editable(&access, current_mockups(services.db(), &access.application.id).await?.len())?;
    receive_for(services, ctx, &access.application.org_id, body).await
}

/// Streams a file to scratch space and judges it as a mockup, within the organisation's
/// upload quota: the one pipeline for every file an organisation uploads (mockups and
/// appeal attachments), so none takes more disk or checks less than another. The caller
/// checks access first.
pub(crate) async fn receive_for<S, E>(
    services: &Services,
    ctx: &Ctx,
    org_id: &str,
    body: S,
) -> ServiceResult<ReceivedUpload>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    let slot = services.upload_slots().take(&ctx.signed_in()?.user_id).ok_or_else(|| ServiceError::LimitReached {
        message: format!(
            "You can have at most {MAX_UPLOADS_IN_FLIGHT_PER_ACCOUNT} uploads at a time; wait for one to finish."
        ),
        retry_after_secs: 10,
    })?;
    let quota = services.config().uploads.org_quota_bytes;
    let used = org_usage(services.db(), org_id).await?;
    let room = quota.saturating_sub(used);
    if room == 0 {
        return Err(org_quota_reached(quota, used));
    }
    let over = || {
        if room < MAX_MOCKUP_BYTES {
            org_quota_reached(quota, used)
        } else {
            ServiceError::TooLarge(format!("A mockup can be at most {} MB.", MAX_MOCKUP_BYTES >> 20))
        }
    };
    let scratch = Scratch(services.storage().scratch_dir().join(format!("{}.part", new_id())));
    let received = stream_to(&scratch.0, body, room.min(MAX_MOCKUP_BYTES), over).await?;
    if received.size == 0 {
        return Err(file_error("The file is empty."));
    }
    let kind = sniff(&received.prefix).filter(|_| !looks_like_markup(&received.prefix)).ok_or_else(|| {
        file_error("Upload a PNG, JPEG, WebP or PDF file. The file's content was checked, and it is none of these.")
    })?;
    let _permit = services.decode_permits().acquire().await.expect("the semaphore is never closed");
    let inspected = inspect(&scratch.0, kind, &services.config().uploads.pdf_checker).await.map_err(judged)?;
    Ok(ReceivedUpload { scratch, _slot: slot, size: received.size, sha256: received.sha256, kind, inspected })
}

/// A refusal is the uploader's to fix, on the `file` field; anything else is the portal's.
fn judged(error: InspectError) -> ServiceError {
    match error {
        InspectError::Io(e) => ServiceError::Internal(format!("inspecting an upload: {e}")),
        InspectError::Internal(e) => ServiceError::Internal(e),
        refusal => file_error(refusal.to_string()),
    }
}

/// Stores `bytes` as a new blob, through a scratch file, and returns its key.
async fn put_bytes(services: &Services, bytes: &[u8]) -> ServiceResult<String> {
    let io = |e: std::io::Error| ServiceError::Internal(format!("storing a thumbnail: {e}"));
    let scratch = Scratch(services.storage().scratch_dir().join(format!("{}.part", new_id())));
    tokio::fs::write(&scratch.0, bytes).await.map_err(io)?;
    services
        .storage()
        .put_file(&scratch.0)
        .await
        .map_err(|e| ServiceError::Internal(format!("storing a thumbnail: {e}")))
}

/// Stores a received file as a mockup of the application under `label`.
pub async fn attach(
    services: &Services,
    ctx: &Ctx,
    id: &str,
    upload: ReceivedUpload,
    label: &str,
) -> ServiceResult<MockupView> {
    ctx.signed_in()?;
    let label = label.trim().to_owned();
    validate_label(&label).map_err(|e| ServiceError::field("label", e.to_string()))?;
    // A task of its own: once the file is in the store, a cancelled request (the client went
    // away) must not leave it there without its row.
    let (services, ctx, id) = (services.clone(), ctx.clone(), id.to_owned());
    tokio::spawn(async move { store(&services, &ctx, &id, upload, label).await })
        .await
        .map_err(|e| ServiceError::Internal(format!("storing an upload: {e}")))?
}

async fn store(
    services: &Services,
    ctx: &Ctx,
    id: &str,
    upload: ReceivedUpload,
    label: String,
) -> ServiceResult<MockupView> {
    let actor = ctx.signed_in()?;
    let now = services.clock().now();
    let txn = begin_write(services.db()).await?;
    // Checked again: the application may have been submitted, or filled up, meanwhile.
    let access = load_for_change(&txn, ctx, id).await?;
    lock_for(&txn, quota_lock(&access.application.org_id)).await?;
    check_editable(&access, current_mockups(&txn, &access.application.id).await?.len())?;
    let files = StoredFiles::put(services, &txn, &access.application.org_id, &upload).await?;
    let dimensions = upload.inspected.dimensions;
    let row = mockup::ActiveModel {
        id: Set(new_id()),
        application_id: Set(access.application.id.clone()),
        label: Set(label),
        content_type: Set(upload.kind.content_type().to_owned()),
        size: Set(upload.size as i64),
        sha256: Set(upload.sha256),
        storage_key: Set(files.key.clone()),
        thumbnail_key: Set(files.thumbnail_key.clone()),
        width: Set(dimensions.map(|(w, _)| w as i32)),
        height: Set(dimensions.map(|(_, h)| h as i32)),
        uploaded_by: Set(actor.user_id.clone()),
        created_at: Set(now),
        deleted_at: Set(None),
    };
    let saved = async {
        let row = row.insert(&txn).await?;
        count_usage(&txn, &access.application.org_id, row.size).await?;
        audit::record(
            &txn,
            services.clock(),
            ctx,
            AuditEvent::new("application.mockup_added", "application", access.application.id.clone()).details(json!({
                "mockup_id": row.id, "label": row.label, "content_type": row.content_type,
                "size": row.size, "sha256": row.sha256,
            })),
        )
        .await?;
        txn.commit().await?;
        Ok::<_, ServiceError>(row)
    }
    .await;
    match saved {
        Ok(row) => Ok(mockup_view(&row)),
        Err(error) => {
            files.discard(services).await;
            Err(error)
        }
    }
}

/// An upload's files in the store: the original and its thumbnail, if it has one.
pub(crate) struct StoredFiles {
    pub(crate) key: String,
    pub(crate) thumbnail_key: Option<String>,
}

impl StoredFiles {
    /// Stores the upload's files if the organisation's quota has room for them. `txn` holds
    /// the organisation's quota lock, and writes the row that refers to the files.
    pub(crate) async fn put(
        services: &Services,
        txn: &impl ConnectionTrait,
        org_id: &str,
        upload: &ReceivedUpload,
    ) -> ServiceResult<Self> {
        let quota = services.config().uploads.org_quota_bytes;
        let used = org_usage(txn, org_id).await?;
        if used + upload.size > quota {
            return Err(org_quota_reached(quota, used));
        }
        let key = services
            .storage()
            .put_file(&upload.scratch.0)
            .await
            .map_err(|e| ServiceError::Internal(format!("storing an upload: {e}")))?;
        let thumbnail_key = match &upload.inspected.thumbnail {
            Some(bytes) => match put_bytes(services, bytes).await {
                Ok(thumbnail_key) => Some(thumbnail_key),
                Err(error) => {
                    discard(services, key).await;
                    return Err(error);
                }
            },
            None => None,
        };
        Ok(Self { key, thumbnail_key })
    }

    /// Deletes both files, when the row that would refer to them was not written.
    pub(crate) async fn discard(self, services: &Services) {
        discard(services, self.key).await;
        if let Some(thumbnail_key) = self.thumbnail_key {
            discard(services, thumbnail_key).await;
        }
    }
}

async fn find(services: &Services, access: &Access, mockup_id: &str) -> ServiceResult<mockup::Model> {
    mockup::Entity::find_by_id(mockup_id)
        .filter(mockup::Column::ApplicationId.eq(&access.application.id))
        .one(services.db())
        .await?
        .ok_or(ServiceError::NotFound)
}

pub struct Download {
    pub file_name: String,
    pub content_type: String,
    pub size: u64,
    pub body: BlobReader,
}

/// The file, for whoever may see the application (also mockups removed since a revision).
pub async fn download(
    services: &Services,
    ctx: &Ctx,
    id: &ApplicationId,
    mockup_id: &MockupId,
) -> ServiceResult<Download> {
    let access = load(services.db(), ctx, id.as_str()).await?;
    let row = find(services, &access, mockup_id.as_str()).await?;
    crate::audit::record_inspection(services, ctx, "mockup", Some(mockup_id.as_str()), "mockup").await?;
    let kind = kind_of(&row)?;
    let (body, size) = open_blob(services, &row.storage_key, &row.id).await?;
    Ok(Download { file_name: download_file_name(&row.label, kind), content_type: row.content_type, size, body })
}

/// The small JPEG preview of an image mockup, for whoever may see the application; PDFs
/// have none. Mockups stored before previews existed get theirs now, once.
pub async fn thumbnail(
    services: &Services,
    ctx: &Ctx,
    id: &ApplicationId,
    mockup_id: &MockupId,
) -> ServiceResult<Download> {
    let access = load(services.db(), ctx, id.as_str()).await?;
    let row = find(services, &access, mockup_id.as_str()).await?;
    let kind = kind_of(&row)?;
    if !kind.is_image() {
        return Err(ServiceError::NotFound);
    }
    let key = match &row.thumbnail_key {
        Some(key) => key.clone(),
        None => make_thumbnail(services, &row, kind).await?,
    };
    let (body, size) = open_blob(services, &key, &row.id).await?;
    let file_name = download_file_name(&format!("{} preview", row.label), MockupKind::Jpeg);
    Ok(Download { file_name, content_type: MockupKind::Jpeg.content_type().to_owned(), size, body })
}

/// Decodes the original again (it was judged when it arrived) and stores its preview.
async fn make_thumbnail(services: &Services, row: &mockup::Model, kind: MockupKind) -> ServiceResult<String> {
    let io = |e: std::io::Error| ServiceError::Internal(format!("copying mockup {} to make its preview: {e}", row.id));
    let scratch = Scratch(services.storage().scratch_dir().join(format!("{}.part", new_id())));
    let (mut original, _) = open_blob(services, &row.storage_key, &row.id).await?;
    let mut file = tokio::fs::File::create(&scratch.0).await.map_err(io)?;
    tokio::io::copy(&mut original, &mut file).await.map_err(io)?;
    file.flush().await.map_err(io)?;
    let inspected = {
        let _permit = services.decode_permits().acquire().await.expect("the semaphore is never closed");
        inspect(&scratch.0, kind, &services.config().uploads.pdf_checker).await
    };
    let made =
        inspected.map_err(|e| ServiceError::Internal(format!("making the preview of mockup {}: {e}", row.id)))?;
    let bytes = made.thumbnail.ok_or_else(|| ServiceError::Internal(format!("mockup {} gave no preview", row.id)))?;
    let key = put_bytes(services, &bytes).await?;
    // Two requests may make one at once: the first to record its key wins.
    let recorded = mockup::Entity::update_many()
        .col_expr(mockup::Column::ThumbnailKey, Expr::value(key.clone()))
        .filter(mockup::Column::Id.eq(&row.id))
        .filter(mockup::Column::ThumbnailKey.is_null())
        .exec(services.db())
        .await?;
    if recorded.rows_affected == 1 {
        return Ok(key);
    }
    discard(services, key).await;
    let current = mockup::Entity::find_by_id(&row.id).one(services.db()).await?;
    current.and_then(|row| row.thumbnail_key).ok_or(ServiceError::NotFound)
}

fn kind_of(row: &mockup::Model) -> ServiceResult<MockupKind> {
    MockupKind::from_content_type(&row.content_type)
        .ok_or_else(|| ServiceError::Internal(format!("mockup {} has type {}", row.id, row.content_type)))
}

pub(crate) async fn open_blob(services: &Services, key: &str, mockup_id: &str) -> ServiceResult<(BlobReader, u64)> {
    services.storage().open(key).await.map_err(|e| match e {
        crate::storage::StorageError::NotFound => ServiceError::NotFound,
        other => ServiceError::Internal(format!("reading mockup {mockup_id}: {other}")),
    })
}

/// Removes a mockup from the draft. Its file goes at once, unless a submitted revision
/// includes it: then the row and the file stay for that revision (marked removed).
pub async fn delete(services: &Services, ctx: &Ctx, id: &ApplicationId, mockup_id: &MockupId) -> ServiceResult<()> {
    let now = services.clock().now();
    let txn = begin_write(services.db()).await?;
    let access = load_for_change(&txn, ctx, id.as_str()).await?;
    transition(status_of(&access.application)?, Action::Edit, access.party).map_err(|e| access.refusal(e))?;
    let row = mockup::Entity::find_by_id(mockup_id.as_str())
        .filter(mockup::Column::ApplicationId.eq(&access.application.id))
        .filter(mockup::Column::DeletedAt.is_null())
        .one(&txn)
        .await?
        .ok_or(ServiceError::NotFound)?;
    // A current mockup is part of every revision submitted since it was added.
    let submissions: Vec<DateTimeUtc> = application_revision::Entity::find()
        .select_only()
        .column(application_revision::Column::SubmittedAt)
        .filter(application_revision::Column::ApplicationId.eq(&access.application.id))
        .into_tuple()
        .all(&txn)
        .await?;
    let in_a_revision = submissions.iter().any(|at| *at >= row.created_at);
    if in_a_revision {
        let mut active = row.clone().into_active_model();
        active.deleted_at = Set(Some(now));
        active.update(&txn).await?;
    } else {
        mockup::Entity::delete_by_id(&row.id).exec(&txn).await?;
        count_usage(&txn, &access.application.org_id, -row.size).await?;
    }
    audit::record(
        &txn,
        services.clock(),
        ctx,
        AuditEvent::new("application.mockup_removed", "application", access.application.id.clone())
            .details(json!({ "mockup_id": row.id, "label": row.label, "sha256": row.sha256 })),
    )
    .await?;
    txn.commit().await?;
    if !in_a_revision {
        discard(services, row.storage_key).await;
        if let Some(thumbnail_key) = row.thumbnail_key {
            discard(services, thumbnail_key).await;
        }
    }
    Ok(())
}

/// Deletes a stored file that no row refers to any more. Runs as a task of its own, so a
/// request cancelled meanwhile (the client went away) still frees the disk.
pub(crate) async fn discard(services: &Services, key: String) {
    let task_services = services.clone();
    let deleted = tokio::spawn(async move { task_services.storage().delete(&key).await.map_err(|e| (key, e)) }).await;
    if let Ok(Err((key, error))) = deleted {
        tracing::warn!(key, %error, "could not delete a stored upload");
    }
}
