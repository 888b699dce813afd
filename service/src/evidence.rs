//! Evidence packs: everything the portal knows about one application's decision, as one ZIP a
//! regulator checks offline (`portcullis evidence verify`). The layout and the check are the
//! domain's (`portcullis_domain::evidence`); this module gathers the rows, records the export
//! and writes the file.
//!
//! Memory stays bounded: the pack is written to a scratch file, not held in memory. The JSON
//! files come from rows that are few per application; mockups (up to the organisation's quota
//! in all) are copied in one at a time, each at most `MAX_MOCKUP_BYTES`; the audit links are at
//! most one checkpoint interval (1,000 records) per checkpoint that covers a record of the
//! application.

use crate::applications::access::load;
use crate::applications::{content_of, status_of};
use crate::audit::signing::PublicKey;
use crate::audit::{self, AuditEvent, checkpoints};
use crate::context::Ctx;
use crate::db::begin_write;
use crate::entity::{
    appeal, appeal_attachment, application, application_message, application_revision, audit_checkpoint, audit_log,
    checklist_item, checklist_template, credential, decision, mockup, org, review, review_verdict, user,
};
use crate::error::{ServiceError, ServiceResult};
use crate::storage::BlobReader;
use crate::tokens::new_id;
use crate::{Services, timestamp};
use portcullis_domain::application::appeal::AppealStatus;
use portcullis_domain::application::mockup::{DEFAULT_ORG_UPLOAD_QUOTA_MB, MAX_MOCKUP_BYTES, MockupKind};
use portcullis_domain::application::revision::RevisionSnapshot;
use portcullis_domain::application::scope::ScopeList;
use portcullis_domain::application::visibility::visible_to_staff;
use portcullis_domain::audit::{ChainFormat, content_sha256};
use portcullis_domain::evidence::summary::{self, Happening, Outcome, Person, Summary};
use portcullis_domain::evidence::{
    self as pack, APPEAL_ATTACHMENT_DIR, CHAIN, ChainFile, EXPORT_ACTION, ExportDetails, Link, MANIFEST, MOCKUP_DIR,
    MOCKUP_INDEX, Manifest, ManifestFile, PackFault, PackRecord, RECORD_RULE, Segment, SignedCheckpoint, Verified,
};
use portcullis_domain::ids::ApplicationId;
use portcullis_domain::role::Permission;
use sea_orm::sea_query::Condition;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use tokio::io::AsyncReadExt;
use zip::ZipWriter;
use zip::write::SimpleFileOptions;

/// The pack, ready to send.
pub struct Pack {
    pub file_name: String,
    pub size: u64,
    pub body: BlobReader,
}

/// Builds the evidence pack of application `id`, for admins and auditors. The export is on the
/// record (`evidence.exported`, in the transaction that reads the application's rows, with the
/// digest of every file), and an auditor's reading too, as everywhere.
pub async fn export(services: &Services, ctx: &Ctx, id: &ApplicationId) -> ServiceResult<Pack> {
    ctx.require(Permission::ViewAudit)?;
    ctx.require(Permission::Inspect)?;
    let access = load(services.db(), ctx, id.as_str()).await?;
    // Drafts stay with their organisation, even for an admin who belongs to it.
    if !visible_to_staff(access.application.submitted_at) {
        return Err(ServiceError::NotFound);
    }
    audit::record_inspection(services, ctx, "application", Some(id.as_str()), "evidence pack").await?;
    let now = services.clock().now();
    let generated_at = timestamp(now);
    let key_id = services.config().audit_key.public().id().to_owned();

    // Mockups first, into the scratch file, so the export is recorded only once every file it
    // vouches for is in the pack.
    let scratch = Scratch(services.storage().scratch_dir().join(format!("{}.zip", new_id())));
    let file = std::fs::File::create(&scratch.0).map_err(io)?;
    let mut writer = ZipWriter::new(file);
    let mut listed: Vec<ManifestFile> = Vec::new();
    let rows = mockup::Entity::find()
        .filter(mockup::Column::ApplicationId.eq(id.as_str()))
        .order_by_asc(mockup::Column::CreatedAt)
        .all(services.db())
        .await?;
    let mut stored_mockups: BTreeMap<String, mockup::Model> = BTreeMap::new();
    for row in rows {
        if stored_mockups.contains_key(&row.sha256) {
            continue;
        }
        let Some(path) = mockup_path(&row) else { continue };
        // A mockup removed from a draft before any revision held it is gone with its file.
        let Some(content) = read_mockup(services, &row).await? else { continue };
        let entry = ManifestFile::of(&path, &content);
        writer = add(writer, path, content, false).await?;
        listed.push(entry);
        stored_mockups.insert(row.sha256.clone(), row);
    }
    // The files attached to its appeals, each once, as they are at this moment.
    let appeal_ids: Vec<String> = appeal::Entity::find()
        .filter(appeal::Column::ApplicationId.eq(id.as_str()))
        .all(services.db())
        .await?
        .into_iter()
        .map(|a| a.id)
        .collect();
    let attachments = appeal_attachment::Entity::find()
        .filter(appeal_attachment::Column::AppealId.is_in(appeal_ids))
        .order_by_asc(appeal_attachment::Column::CreatedAt)
        .order_by_asc(appeal_attachment::Column::Id)
        .all(services.db())
        .await?;
    let mut stored_attachments: Vec<(appeal_attachment::Model, String)> = Vec::new();
    for row in attachments {
        let Some(path) = attachment_path(&row) else { continue };
        if !stored_attachments.iter().any(|(_, stored)| *stored == path) {
            let Some(content) = read_stored(services, &row.storage_key, &row.id).await? else { continue };
            let entry = ManifestFile::of(&path, &content);
            writer = add(writer, path.clone(), content, false).await?;
            listed.push(entry);
        }
        stored_attachments.push((row, path));
    }

    // The rows, read and the export recorded in one transaction.
    let txn = begin_write(services.db()).await?;
    let app = application::Entity::find_by_id(id.as_str()).one(&txn).await?.ok_or(ServiceError::NotFound)?;
    let rows = Rows::read(&txn, &app, stored_attachments.iter().map(|(row, _)| row.uploaded_by.clone())).await?;
    let mut files = rows.files(&app, &stored_mockups, &stored_attachments, &generated_at, &key_id)?;
    let mut digests: BTreeMap<String, String> = listed.iter().map(|f| (f.path.clone(), f.sha256.clone())).collect();
    digests.extend(files.iter().map(|(path, content)| (path.clone(), pack::sha256_hex(content))));
    let details = serde_json::to_value(ExportDetails { files: digests }).expect("details serialise");
    audit::record(
        &txn,
        services.clock(),
        ctx,
        AuditEvent::new(EXPORT_ACTION, "application", app.id.clone()).details(details),
    )
    .await?;
    txn.commit().await?;

    // The audit records, now including the export, each linked to a signed checkpoint (one is
    // taken now if the newest are not covered yet).
    let chain = chain(services, &app.id, &rows.mockup_ids).await?;
    files.insert(CHAIN.to_owned(), serde_json::to_vec_pretty(&chain).expect("chain serialises"));
    for (path, content) in files {
        listed.push(ManifestFile::of(&path, &content));
        writer = add(writer, path, content, true).await?;
    }
    listed.sort_by(|a, b| a.path.cmp(&b.path));
    let manifest = Manifest {
        format: pack::FORMAT.into(),
        version: pack::VERSION,
        application_id: app.id.clone(),
        generated_at,
        key_id,
        files: listed,
    };
    writer =
        add(writer, MANIFEST.into(), serde_json::to_vec_pretty(&manifest).expect("manifest serialises"), true).await?;
    tokio::task::spawn_blocking(move || writer.finish().map(|file| file.sync_all()))
        .await
        .map_err(|e| ServiceError::Internal(format!("writing an evidence pack: {e}")))?
        .map_err(|e| ServiceError::Internal(format!("writing an evidence pack: {e}")))?
        .map_err(io)?;
    let file = tokio::fs::File::open(&scratch.0).await.map_err(io)?;
    let size = file.metadata().await.map_err(io)?.len();
    // The open file is read to its end; the name goes now (`scratch` is dropped).
    drop(scratch);
    Ok(Pack { file_name: format!("evidence-{}-{}.zip", app.id, now.format("%Y-%m-%d")), size, body: Box::pin(file) })
}

fn io(e: std::io::Error) -> ServiceError {
    ServiceError::Internal(format!("writing an evidence pack: {e}"))
}

/// Removes the scratch file however the export ends.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Appends one file on a blocking thread; images and PDFs are stored as they are (already
/// compressed), the rest deflated.
async fn add(
    mut writer: ZipWriter<std::fs::File>,
    path: String,
    content: Vec<u8>,
    deflate: bool,
) -> ServiceResult<ZipWriter<std::fs::File>> {
    let method = if deflate { zip::CompressionMethod::Deflated } else { zip::CompressionMethod::Stored };
    let options = SimpleFileOptions::default().compression_method(method);
    tokio::task::spawn_blocking(move || {
        writer
            .start_file(path, options)
            .map_err(|e| ServiceError::Internal(format!("writing an evidence pack: {e}")))?;
        writer.write_all(&content).map_err(io)?;
        Ok(writer)
    })
    .await
    .map_err(|e| ServiceError::Internal(format!("writing an evidence pack: {e}")))?
}

fn mockup_path(row: &mockup::Model) -> Option<String> {
    MockupKind::from_content_type(&row.content_type)
        .map(|kind| format!("{MOCKUP_DIR}{}.{}", row.sha256, kind.extension()))
}

fn attachment_path(row: &appeal_attachment::Model) -> Option<String> {
    MockupKind::from_content_type(&row.content_type)
        .map(|kind| format!("{APPEAL_ATTACHMENT_DIR}{}.{}", row.sha256, kind.extension()))
}

async fn read_mockup(services: &Services, row: &mockup::Model) -> ServiceResult<Option<Vec<u8>>> {
    read_stored(services, &row.storage_key, &row.id).await
}

/// A stored upload (a mockup or an appeal attachment, both at most `MAX_MOCKUP_BYTES`), or
/// `None` when its file is gone.
async fn read_stored(services: &Services, key: &str, row_id: &str) -> ServiceResult<Option<Vec<u8>>> {
    let (reader, size) = match services.storage().open(key).await {
        Ok(opened) => opened,
        Err(crate::storage::StorageError::NotFound) => return Ok(None),
        Err(e) => return Err(ServiceError::Internal(format!("reading upload {row_id}: {e}"))),
    };
    let mut content = Vec::with_capacity(size.min(MAX_MOCKUP_BYTES) as usize);
    reader
        .take(MAX_MOCKUP_BYTES + 1)
        .read_to_end(&mut content)
        .await
        .map_err(|e| ServiceError::Internal(format!("reading upload {row_id}: {e}")))?;
    Ok(Some(content))
}

/// Which records concern the application: its own, and its mockups'.
fn concerns(record: &audit_log::Model, application_id: &str, mockup_ids: &BTreeSet<String>) -> bool {
    match (record.object_type.as_str(), record.object_id.as_deref()) {
        ("application", Some(id)) => id == application_id,
        ("mockup", Some(id)) => mockup_ids.contains(id),
        _ => false,
    }
}

fn concerning(application_id: &str, mockup_ids: &BTreeSet<String>) -> Condition {
    Condition::any()
        .add(
            Condition::all()
                .add(audit_log::Column::ObjectType.eq("application"))
                .add(audit_log::Column::ObjectId.eq(application_id)),
        )
        .add(
            Condition::all()
                .add(audit_log::Column::ObjectType.eq("mockup"))
                .add(audit_log::Column::ObjectId.is_in(mockup_ids.iter().cloned())),
        )
}

/// Every record of the application, each in the segment of the first checkpoint at or after
/// it, with the records between linking it there: whole if they are the application's or
/// predate format 2, else by their content hash.
async fn chain(services: &Services, application_id: &str, mockup_ids: &BTreeSet<String>) -> ServiceResult<ChainFile> {
    let db = services.db();
    let records = audit_log::Entity::find()
        .filter(concerning(application_id, mockup_ids))
        .order_by_asc(audit_log::Column::Seq)
        .all(db)
        .await?;
    let Some(newest) = records.last() else { return Ok(ChainFile { rule: RECORD_RULE.into(), segments: vec![] }) };
    checkpoints::cover(services, newest.seq).await?;
    let mut segments = Vec::new();
    let mut next = 0;
    while let Some(first) = records.get(next) {
        let checkpoint = audit_checkpoint::Entity::find()
            .filter(audit_checkpoint::Column::Seq.gte(first.seq))
            .order_by_asc(audit_checkpoint::Column::Seq)
            .one(db)
            .await?
            .ok_or_else(|| ServiceError::Internal(format!("no checkpoint covers audit record {}", first.seq)))?;
        let rows = audit_log::Entity::find()
            .filter(audit_log::Column::Seq.gte(first.seq))
            .filter(audit_log::Column::Seq.lte(checkpoint.seq))
            .order_by_asc(audit_log::Column::Seq)
            .all(db)
            .await?;
        let mut links = Vec::with_capacity(rows.len());
        for row in &rows {
            let format =
                ChainFormat::from_number(row.format.into()).map_err(|e| ServiceError::Internal(e.to_string()))?;
            let whole = concerns(row, application_id, mockup_ids);
            links.push(if whole || format == ChainFormat::V1 {
                Link::Record(pack_record(row, whole))
            } else {
                Link::Hashed {
                    seq: row.seq,
                    prev_hash: row.prev_hash.clone(),
                    content_sha256: content_sha256(&row.fields()),
                    hash: row.hash.clone(),
                }
            });
        }
        next += records[next..].iter().take_while(|r| r.seq <= checkpoint.seq).count();
        segments.push(Segment {
            checkpoint: SignedCheckpoint {
                seq: checkpoint.seq,
                hash: checkpoint.hash,
                records: checkpoint.records,
                at: checkpoint.at,
                key_id: checkpoint.key_id,
                signature: checkpoint.signature,
            },
            links,
        });
    }
    Ok(ChainFile { rule: RECORD_RULE.into(), segments })
}

fn pack_record(row: &audit_log::Model, concerns: bool) -> PackRecord {
    PackRecord {
        concerns,
        format: row.format.into(),
        seq: row.seq,
        at: row.at.clone(),
        actor_id: row.actor_id.clone(),
        actor_email: row.actor_email.clone(),
        action: row.action.clone(),
        object_type: row.object_type.clone(),
        object_id: row.object_id.clone(),
        ip: row.ip.clone(),
        details: row.details.clone(),
        prev_hash: row.prev_hash.clone(),
        hash: row.hash.clone(),
    }
}

/// The application's rows, as the export's transaction read them.
struct Rows {
    org_name: String,
    revisions: Vec<application_revision::Model>,
    reviews: Vec<review::Model>,
    verdicts: Vec<review_verdict::Model>,
    templates: Vec<checklist_template::Model>,
    items: Vec<checklist_item::Model>,
    decisions: Vec<decision::Model>,
    credentials: Vec<credential::Model>,
    messages: Vec<application_message::Model>,
    appeals: Vec<appeal::Model>,
    /// The audit records of the credentials' lives, from the trail.
    credential_events: Vec<audit_log::Model>,
    mockup_ids: BTreeSet<String>,
    people: HashMap<String, user::Model>,
}

/// Audit actions that are events of the application's credentials: `credential.*`, and a
/// suspension or reinstatement of the application, which suspends or restores them all.
fn credential_event(action: &str) -> Option<&str> {
    action.strip_prefix("credential.").or(match action {
        "application.suspended" => Some("suspended"),
        "application.reinstated" => Some("reinstated"),
        _ => None,
    })
}

impl Rows {
    /// `uploaders`: who attached the files to its appeals that the pack holds.
    async fn read(
        conn: &impl ConnectionTrait,
        app: &application::Model,
        uploaders: impl IntoIterator<Item = String>,
    ) -> ServiceResult<Self> {
        let id = app.id.as_str();
        let org_name = org::Entity::find_by_id(&app.org_id).one(conn).await?.map(|o| o.name).unwrap_or_default();
        let revisions = application_revision::Entity::find()
            .filter(application_revision::Column::ApplicationId.eq(id))
            .order_by_asc(application_revision::Column::Number)
            .all(conn)
            .await?;
        let reviews = review::Entity::find()
            .filter(review::Column::ApplicationId.eq(id))
            .order_by_asc(review::Column::StartedAt)
            .all(conn)
            .await?;
        let verdicts = review_verdict::Entity::find()
            .filter(review_verdict::Column::ReviewId.is_in(reviews.iter().map(|r| r.id.clone())))
            .order_by_asc(review_verdict::Column::UpdatedAt)
            .all(conn)
            .await?;
        let template_ids: BTreeSet<String> =
            reviews.iter().flat_map(|r| [r.privacy_template_id.clone(), r.security_template_id.clone()]).collect();
        let templates = checklist_template::Entity::find()
            .filter(checklist_template::Column::Id.is_in(template_ids.iter().cloned()))
            .order_by_asc(checklist_template::Column::Kind)
            .order_by_asc(checklist_template::Column::Version)
            .all(conn)
            .await?;
        let items = checklist_item::Entity::find()
            .filter(checklist_item::Column::TemplateId.is_in(template_ids))
            .order_by_asc(checklist_item::Column::Position)
            .all(conn)
            .await?;
        let decisions = decision::Entity::find()
            .filter(decision::Column::ApplicationId.eq(id))
            .order_by_asc(decision::Column::DecidedAt)
            .all(conn)
            .await?;
        let credentials = credential::Entity::find()
            .filter(credential::Column::ApplicationId.eq(id))
            .order_by_asc(credential::Column::CreatedAt)
            .all(conn)
            .await?;
        let messages = application_message::Entity::find()
            .filter(application_message::Column::ApplicationId.eq(id))
            .order_by_asc(application_message::Column::CreatedAt)
            .order_by_asc(application_message::Column::Id)
            .all(conn)
            .await?;
        let appeals = appeal::Entity::find()
            .filter(appeal::Column::ApplicationId.eq(id))
            .order_by_asc(appeal::Column::FiledAt)
            .all(conn)
            .await?;
        let mockup_ids: BTreeSet<String> = mockup::Entity::find()
            .filter(mockup::Column::ApplicationId.eq(id))
            .all(conn)
            .await?
            .into_iter()
            .map(|m| m.id)
            .collect();
        let credential_events = audit_log::Entity::find()
            .filter(audit_log::Column::ObjectType.eq("application"))
            .filter(audit_log::Column::ObjectId.eq(id))
            .filter(
                Condition::any()
                    .add(audit_log::Column::Action.starts_with("credential."))
                    .add(audit_log::Column::Action.is_in(["application.suspended", "application.reinstated"])),
            )
            .order_by_asc(audit_log::Column::Seq)
            .all(conn)
            .await?;
        let mut ids: BTreeSet<String> = BTreeSet::from([app.created_by.clone()]);
        ids.extend(revisions.iter().map(|r| r.submitted_by.clone()));
        ids.extend(reviews.iter().map(|r| r.reviewer_id.clone()));
        ids.extend(decisions.iter().map(|d| d.decided_by.clone()));
        ids.extend(credentials.iter().map(|c| c.created_by.clone()));
        ids.extend(messages.iter().map(|m| m.author_id.clone()));
        ids.extend(appeals.iter().flat_map(|a| [Some(a.filed_by.clone()), a.decided_by.clone()]).flatten());
        ids.extend(credential_events.iter().filter_map(|e| e.actor_id.clone()));
        ids.extend(uploaders);
        let people = user::Entity::find()
            .filter(user::Column::Id.is_in(ids))
            .all(conn)
            .await?
            .into_iter()
            .map(|u| (u.id.clone(), u))
            .collect();
        Ok(Self {
            org_name,
            revisions,
            reviews,
            verdicts,
            templates,
            items,
            decisions,
            credentials,
            messages,
            appeals,
            credential_events,
            mockup_ids,
            people,
        })
    }

    fn person(&self, id: &str) -> Person {
        match self.people.get(id) {
            Some(user) => Person { name: user.name.clone(), email: user.email.clone() },
            None => Person { name: format!("account {id}"), email: "unknown".into() },
        }
    }

    fn person_json(&self, id: &str) -> Value {
        let person = self.person(id);
        json!({ "id": id, "name": person.name, "email": person.email })
    }

    /// Every file but the chain and the manifest, by path. `stored_mockups`: the mockups
    /// already in the pack, by SHA-256.
    fn files(
        &self,
        app: &application::Model,
        stored_mockups: &BTreeMap<String, mockup::Model>,
        stored_attachments: &[(appeal_attachment::Model, String)],
        generated_at: &str,
        key_id: &str,
    ) -> ServiceResult<BTreeMap<String, Vec<u8>>> {
        let mut files = BTreeMap::new();
        let mut put = |path: String, value: Value| {
            files.insert(path, serde_json::to_vec_pretty(&value).expect("JSON serialises"));
        };
        let status = status_of(app)?;
        let granted = app.granted_scopes.as_deref().map(|s| ScopeList::parse(s).into_names()).unwrap_or_default();
        put(
            "application.json".into(),
            json!({
                "id": app.id,
                "reference": app.reference,
                "name": app.name,
                "organisation": { "id": app.org_id, "name": self.org_name },
                "status": status.as_str(),
                "revision": app.revision,
                "granted_scopes": granted,
                "created_by": self.person_json(&app.created_by),
                "created_at": timestamp(app.created_at),
                "submitted_at": app.submitted_at.map(timestamp),
                "current_content": content_of(app),
            }),
        );

        // Revisions, each with its per-scope justifications and attestations (the EEA and
        // data-handling answers) as submitted, and which mockups it held.
        let mut held_by: BTreeMap<String, Vec<i32>> = BTreeMap::new();
        for revision in &self.revisions {
            let snapshot: RevisionSnapshot = serde_json::from_str(&revision.snapshot)
                .map_err(|e| ServiceError::Internal(format!("revision {}: {e}", revision.number)))?;
            for mockup in &snapshot.mockups {
                held_by.entry(mockup.sha256.clone()).or_default().push(revision.number);
            }
            put(
                format!("revisions/{:04}.json", revision.number),
                json!({
                    "number": revision.number,
                    "submitted_by": self.person_json(&revision.submitted_by),
                    "submitted_at": timestamp(revision.submitted_at),
                    "scopes": snapshot.content.scopes,
                    "attestations": { "eea": snapshot.content.eea, "data_handling": snapshot.content.data_handling },
                    "content": snapshot.content,
                    "mockups": snapshot.mockups,
                }),
            );
        }
        let index: Vec<Value> = stored_mockups
            .values()
            .filter_map(|row| {
                Some(json!({
                    "sha256": row.sha256,
                    "file": mockup_path(row)?,
                    "label": row.label,
                    "content_type": row.content_type,
                    "size": row.size,
                    "uploaded_at": timestamp(row.created_at),
                    "revisions": held_by.get(&row.sha256).cloned().unwrap_or_default(),
                }))
            })
            .collect();
        put(MOCKUP_INDEX.into(), json!(index));

        // The checklist versions the reviews used, and each verdict with its reviewer.
        for template in &self.templates {
            let items: Vec<Value> = self
                .items
                .iter()
                .filter(|i| i.template_id == template.id)
                .map(|i| {
                    json!({ "id": i.id, "position": i.position, "title": i.title, "guidance": i.guidance,
                            "required": i.required, "applies_to": i.applies_to })
                })
                .collect();
            put(
                format!("checklists/{}-v{}.json", template.kind, template.version),
                json!({ "id": template.id, "kind": template.kind, "version": template.version,
                        "published_at": timestamp(template.created_at), "items": items }),
            );
        }
        let titles: HashMap<&str, &str> = self.items.iter().map(|i| (i.id.as_str(), i.title.as_str())).collect();
        let reviews: Vec<Value> = self
            .reviews
            .iter()
            .map(|r| {
                let verdicts: Vec<Value> = self
                    .verdicts
                    .iter()
                    .filter(|v| v.review_id == r.id)
                    .map(|v| {
                        json!({ "item_id": v.item_id, "item": titles.get(v.item_id.as_str()), "verdict": v.verdict,
                                "note": v.note, "reviewer": self.person_json(&r.reviewer_id),
                                "at": timestamp(v.updated_at) })
                    })
                    .collect();
                json!({ "id": r.id, "revision": r.revision, "reviewer": self.person_json(&r.reviewer_id),
                        "started_at": timestamp(r.started_at), "privacy_checklist": r.privacy_template_id,
                        "security_checklist": r.security_template_id, "verdicts": verdicts })
            })
            .collect();
        put("reviews.json".into(), json!(reviews));

        // Decisions, and for each approved revision its two approvers.
        let decisions: Vec<Value> = self
            .decisions
            .iter()
            .map(|d| {
                json!({ "id": d.id, "revision": d.revision, "kind": d.kind, "final": d.final_key.is_some(),
                        "granted_scopes": ScopeList::parse(&d.granted_scopes).into_names(), "message": d.message,
                        "decided_by": self.person_json(&d.decided_by), "decided_at": timestamp(d.decided_at) })
            })
            .collect();
        let four_eyes: Vec<Value> = self
            .decisions
            .iter()
            .filter(|d| d.kind == "approved")
            .map(|second| {
                let first = self
                    .decisions
                    .iter()
                    .find(|d| d.revision == second.revision && d.kind == crate::review::FIRST_APPROVAL);
                json!({ "revision": second.revision,
                        "first_approver": first.map(|f| self.person_json(&f.decided_by)),
                        "first_approved_at": first.map(|f| timestamp(f.decided_at)),
                        "second_approver": self.person_json(&second.decided_by),
                        "second_approved_at": timestamp(second.decided_at) })
            })
            .collect();
        put("decisions.json".into(), json!({ "decisions": decisions, "four_eyes": four_eyes }));

        // Credentials: what they are and what happened to them, never a secret or its hash.
        let credentials: Vec<Value> = self
            .credentials
            .iter()
            .map(|c| {
                json!({ "client_id": c.client_id, "environment": c.environment,
                        "scopes": ScopeList::parse(&c.scopes).into_names(),
                        "created_by": self.person_json(&c.created_by), "created_at": timestamp(c.created_at),
                        "expires_at": timestamp(c.expires_at), "collected_at": c.collected_at.map(timestamp),
                        "revoked_at": c.revoked_at.map(timestamp), "revoked_reason": c.revoked_reason })
            })
            .collect();
        let events: Vec<Value> = self
            .credential_events
            .iter()
            .filter_map(|e| {
                let event = credential_event(&e.action)?;
                let details: Value = serde_json::from_str(&e.details).unwrap_or(Value::Null);
                Some(json!({ "event": event, "audit_seq": e.seq, "at": e.at, "actor_email": e.actor_email,
                             "details": details }))
            })
            .collect();
        put("credentials.json".into(), json!({ "credentials": credentials, "events": events }));

        let messages: Vec<Value> = self
            .messages
            .iter()
            .map(|m| {
                json!({ "id": m.id, "author": self.person_json(&m.author_id), "side": m.side, "body": m.body,
                        "at": timestamp(m.created_at) })
            })
            .collect();
        put("messages.json".into(), json!(messages));

        let appeals: Vec<Value> = self
            .appeals
            .iter()
            .map(|a| {
                let attachments: Vec<Value> = stored_attachments
                    .iter()
                    .filter(|(row, _)| row.appeal_id == a.id)
                    .map(|(row, path)| {
                        json!({ "sha256": row.sha256, "file": path, "label": row.label,
                                "content_type": row.content_type, "size": row.size,
                                "uploaded_by": self.person_json(&row.uploaded_by),
                                "uploaded_at": timestamp(row.created_at) })
                    })
                    .collect();
                json!({ "id": a.id, "revision": a.revision, "status": a.status, "reasons": a.reasons,
                        "filed_by": self.person_json(&a.filed_by), "filed_at": timestamp(a.filed_at),
                        "deadline": timestamp(a.deadline),
                        "decided_by": a.decided_by.as_deref().map(|id| self.person_json(id)),
                        "decided_at": a.decided_at.map(timestamp), "outcome_reason": a.outcome_reason,
                        "attachments": attachments })
            })
            .collect();
        put("appeals.json".into(), json!(appeals));

        let summary = Summary {
            application_id: app.id.clone(),
            reference: app.reference.clone(),
            name: app.name.clone(),
            org_name: self.org_name.clone(),
            status: status.as_str().to_owned(),
            granted_scopes: granted,
            generated_at: generated_at.to_owned(),
            key_id: key_id.to_owned(),
            history: self.history(stored_attachments)?,
        };
        files.insert("summary.html".into(), summary::render(&summary).into_bytes());
        Ok(files)
    }

    /// What happened, in time order, for the summary.
    fn history(&self, attachments: &[(appeal_attachment::Model, String)]) -> ServiceResult<Vec<(String, Happening)>> {
        let mut history: Vec<(chrono::DateTime<chrono::Utc>, Happening)> = Vec::new();
        for r in &self.revisions {
            history.push((
                r.submitted_at,
                Happening::Submitted { revision: r.number.into(), by: self.person(&r.submitted_by) },
            ));
        }
        for r in &self.reviews {
            let by = self.person(&r.reviewer_id);
            history.push((r.started_at, Happening::ReviewStarted { revision: r.revision.into(), by: by.clone() }));
            let verdicts: Vec<&review_verdict::Model> = self.verdicts.iter().filter(|v| v.review_id == r.id).collect();
            if let Some(last) = verdicts.iter().map(|v| v.updated_at).max() {
                let count = |kind: &str| verdicts.iter().filter(|v| v.verdict == kind).count();
                history.push((
                    last,
                    Happening::Verdicts {
                        revision: r.revision.into(),
                        by,
                        passed: count("pass"),
                        failed: count("fail"),
                        not_applicable: count("na"),
                    },
                ));
            }
        }
        for d in &self.decisions {
            let outcome = match d.kind.as_str() {
                crate::review::FIRST_APPROVAL => Outcome::FirstApproval,
                "approved"
                    if self
                        .decisions
                        .iter()
                        .any(|first| first.revision == d.revision && first.kind == crate::review::FIRST_APPROVAL) =>
                {
                    Outcome::SecondApproval
                }
                "approved" => Outcome::Approved,
                "changes_requested" => Outcome::ChangesRequested,
                "rejected" => Outcome::Rejected,
                other => return Err(ServiceError::Internal(format!("decision {} has kind {other}", d.id))),
            };
            history.push((
                d.decided_at,
                Happening::Decided {
                    revision: d.revision.into(),
                    outcome,
                    by: self.person(&d.decided_by),
                    granted: ScopeList::parse(&d.granted_scopes).into_names(),
                    message: d.message.clone(),
                },
            ));
        }
        for e in &self.credential_events {
            let (Some(action), Ok(at)) = (credential_event(&e.action), chrono::DateTime::parse_from_rfc3339(&e.at))
            else {
                continue;
            };
            let details: Value = serde_json::from_str(&e.details).unwrap_or(Value::Null);
            history.push((
                at.to_utc(),
                Happening::Credential {
                    action: action.to_owned(),
                    by: e.actor_id.as_deref().map(|id| self.person(id)),
                    client_id: details["client_id"].as_str().map(str::to_owned),
                },
            ));
        }
        for a in &self.appeals {
            let revision = i64::from(a.revision);
            history.push((a.filed_at, Happening::Appealed { revision, by: self.person(&a.filed_by) }));
            if let (Some(at), Some(by)) = (a.decided_at, a.decided_by.as_deref()) {
                history.push((
                    at,
                    Happening::AppealDecided {
                        revision,
                        by: self.person(by),
                        overturned: a.status == AppealStatus::Overturned.as_str(),
                        reason: a.outcome_reason.clone().unwrap_or_default(),
                    },
                ));
            }
        }
        for (row, _) in attachments {
            let Some(appeal) = self.appeals.iter().find(|a| a.id == row.appeal_id) else { continue };
            history.push((
                row.created_at,
                Happening::AppealFile {
                    revision: i64::from(appeal.revision),
                    by: self.person(&row.uploaded_by),
                    label: row.label.clone(),
                    sha256: row.sha256.clone(),
                },
            ));
        }
        for m in &self.messages {
            history.push((
                m.created_at,
                Happening::Message { by: self.person(&m.author_id), from_reviewers: m.side == "reviewer" },
            ));
        }
        history.sort_by_key(|(at, _)| *at);
        Ok(history.into_iter().map(|(at, happening)| (timestamp(at), happening)).collect())
    }
}

/// What `evidence verify` concludes.
#[derive(Debug)]
pub enum PackCheck {
    Intact(Verified),
    Fault(PackFault),
}

/// The biggest file a pack may hold: a mockup, or JSON far larger than any application's.
const MAX_PACK_FILE_BYTES: u64 = MAX_MOCKUP_BYTES * 8;
/// The most files a pack may hold.
const MAX_PACK_FILES: usize = 10_000;
/// What the verifier reads into memory at most, whatever the archive claims: four times the
/// default upload quota of an organisation, plus room for the rest.
const MAX_PACK_BYTES: u64 = 4 * (DEFAULT_ORG_UPLOAD_QUOTA_MB << 20) + MAX_PACK_FILE_BYTES;

/// Checks the pack at `path` with the public key in `key_pem` (as
/// `/.well-known/portcullis-audit-key` serves it), with no database. `Err` when the key or
/// the file cannot be read as such.
pub fn verify_file(path: &Path, key_pem: &str) -> Result<PackCheck, String> {
    let key = PublicKey::parse_pem(key_pem).map_err(|e| format!("the key: {e}"))?;
    let file = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut archive = zip::ZipArchive::new(file).map_err(|e| format!("{}: not a ZIP file: {e}", path.display()))?;
    if archive.len() > MAX_PACK_FILES {
        return Err(format!("{}: more than {MAX_PACK_FILES} files", path.display()));
    }
    let mut files = BTreeMap::new();
    let mut total = 0u64;
    for index in 0..archive.len() {
        let entry = archive.by_index(index).map_err(|e| format!("{}: {e}", path.display()))?;
        let name = entry.name().to_owned();
        let mut content = Vec::new();
        // Read no further than the limit, whatever the entry claims.
        entry
            .take(MAX_PACK_FILE_BYTES + 1)
            .read_to_end(&mut content)
            .map_err(|e| format!("{}: {name}: {e}", path.display()))?;
        if content.len() as u64 > MAX_PACK_FILE_BYTES {
            return Err(format!("{}: {name} is larger than {} MB", path.display(), MAX_PACK_FILE_BYTES >> 20));
        }
        total += content.len() as u64;
        if total > MAX_PACK_BYTES {
            return Err(format!("{}: holds more than {} MB", path.display(), MAX_PACK_BYTES >> 20));
        }
        if files.insert(name.clone(), content).is_some() {
            return Ok(PackCheck::Fault(PackFault::Twice { path: name }));
        }
    }
    Ok(match pack::verify(&files, |statement, signature| key.verify(statement, signature)) {
        Ok(verified) => PackCheck::Intact(verified),
        Err(fault) => PackCheck::Fault(fault),
    })
}
