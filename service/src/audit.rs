//! Writing and checking the hash-chained audit trail, anchored by signed checkpoints.

pub mod checkpoints;
pub mod signing;

use crate::Services;
use crate::clock::Clock;
use crate::context::Ctx;
use crate::db;
use crate::entity::{audit_checkpoint, audit_log};
use crate::error::ServiceResult;
use portcullis_domain::admin::{AuditQuery, AuditRecordView, Page, page_number};
use portcullis_domain::audit::checkpoint::CheckpointFault;
use portcullis_domain::audit::{AuditFields, BrokenLink, ChainFormat, GENESIS_HASH, verify_link};
use sea_orm::sea_query::Condition;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseTransaction, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use serde_json::Value;

/// Advisory lock key that serialises audit appends on PostgreSQL.
const AUDIT_LOCK: i64 = 0x0050_5441_5544_4954; // "PTAUDIT"

pub const PER_PAGE: u64 = 50;

/// What happened; who and from where come from the [`Ctx`].
#[derive(Debug, Clone)]
pub struct AuditEvent {
    pub action: &'static str,
    pub object_type: &'static str,
    pub object_id: Option<String>,
    pub details: Value,
}

impl AuditEvent {
    pub fn new(action: &'static str, object_type: &'static str, object_id: impl Into<Option<String>>) -> Self {
        Self { action, object_type, object_id: object_id.into(), details: Value::Object(Default::default()) }
    }

    pub fn details(mut self, details: Value) -> Self {
        self.details = details;
        self
    }
}

/// Appends a record inside the caller's transaction, so the record exists exactly when
/// the change it describes does.
pub(crate) async fn record(
    txn: &DatabaseTransaction,
    clock: &dyn Clock,
    ctx: &Ctx,
    event: AuditEvent,
) -> Result<(), DbErr> {
    db::lock_for(txn, AUDIT_LOCK).await?;
    let last = audit_log::Entity::find().order_by_desc(audit_log::Column::Seq).one(txn).await?;
    let (seq, prev_hash) = match last {
        Some(last) => (last.seq + 1, last.hash),
        None => (1, GENESIS_HASH.to_owned()),
    };
    let at = clock.now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    let details = event.details.to_string();
    let actor_id = ctx.actor.as_ref().map(|a| a.user_id.clone());
    let actor_email = ctx.actor.as_ref().map(|a| a.email.clone());
    let fields = AuditFields {
        seq,
        at: &at,
        actor_id: actor_id.as_deref(),
        actor_email: actor_email.as_deref(),
        action: event.action,
        object_type: event.object_type,
        object_id: event.object_id.as_deref(),
        ip: ctx.ip.as_deref(),
        details: &details,
    };
    let hash = ChainFormat::CURRENT.hash(&prev_hash, &fields);
    audit_log::Entity::insert(audit_log::ActiveModel {
        seq: Set(seq),
        at: Set(at.clone()),
        actor_id: Set(actor_id),
        actor_email: Set(actor_email),
        action: Set(event.action.to_owned()),
        object_type: Set(event.object_type.to_owned()),
        object_id: Set(event.object_id),
        ip: Set(ctx.ip.clone()),
        details: Set(details),
        prev_hash: Set(prev_hash),
        hash: Set(hash),
        format: Set(ChainFormat::CURRENT.number()),
    })
    .exec_without_returning(txn)
    .await?;
    Ok(())
}

/// Outcome of walking the whole chain and its checkpoints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainReport {
    Intact {
        records: u64,
        checkpoints: u64,
        /// The newest record a checkpoint covers.
        latest_checkpoint: Option<i64>,
    },
    Broken {
        checked: u64,
        link: BrokenLink,
    },
    /// A checkpoint that does not vouch for the trail as stored: a forged or rewritten
    /// checkpoint, or records rewritten (and re-hashed) or deleted since it was signed.
    Checkpoint {
        checked: u64,
        fault: CheckpointFault,
    },
}

/// Walks every record in order, a page at a time, checking each checkpoint (its signature
/// with this portal's key, the hash and count it signed) when the walk reaches the record it
/// covers; reports the first broken link or bad checkpoint.
pub async fn verify(services: &Services) -> Result<ChainReport, DbErr> {
    const BATCH: u64 = 1000;
    let db = services.db();
    let key = services.config().audit_key.public();
    // Checkpoints are few (one per hour or 1,000 records): held in memory for the walk.
    let all = audit_checkpoint::Entity::find().order_by_asc(audit_checkpoint::Column::Seq).all(db).await?;
    let mut pending = all.iter().peekable();
    let mut matched: Option<i64> = None;
    let mut expected_prev = GENESIS_HASH.to_owned();
    let mut last_seq = 0i64;
    let mut checked = 0u64;
    let bad = |checked, fault| Ok(ChainReport::Checkpoint { checked, fault });
    loop {
        let batch = audit_log::Entity::find()
            .filter(audit_log::Column::Seq.gt(last_seq))
            .order_by_asc(audit_log::Column::Seq)
            .limit(BATCH)
            .all(db)
            .await?;
        if batch.is_empty() {
            break;
        }
        for record in &batch {
            if record.seq != last_seq + 1 {
                // A gap in the sequence: a record was deleted.
                return Ok(ChainReport::Broken { checked, link: BrokenLink::Unlinked { seq: record.seq } });
            }
            let checked_link = record.link().and_then(|link| verify_link(&expected_prev, &link));
            match checked_link {
                Ok(hash) => expected_prev = hash,
                Err(link) => return Ok(ChainReport::Broken { checked, link }),
            }
            last_seq = record.seq;
            checked += 1;
            while let Some(cp) = pending.next_if(|cp| cp.seq <= record.seq) {
                if let Err(fault) = key.verify(&cp.statement(), &cp.signature) {
                    return bad(checked, fault);
                }
                if cp.seq < record.seq {
                    return bad(checked, CheckpointFault::Missing { seq: cp.seq, last: record.seq });
                }
                if cp.hash != record.hash {
                    return bad(checked, CheckpointFault::Rewritten { seq: cp.seq, after: matched });
                }
                if cp.records != checked as i64 {
                    return bad(
                        checked,
                        CheckpointFault::Count { seq: cp.seq, signed: cp.records, found: checked as i64 },
                    );
                }
                matched = Some(cp.seq);
            }
        }
    }
    // A checkpoint beyond the last record: the trail's tail was deleted.
    if let Some(cp) = pending.next() {
        if let Err(fault) = key.verify(&cp.statement(), &cp.signature) {
            return bad(checked, fault);
        }
        return bad(checked, CheckpointFault::Missing { seq: cp.seq, last: last_seq });
    }
    Ok(ChainReport::Intact { records: checked, checkpoints: all.len() as u64, latest_checkpoint: matched })
}

/// Newest first, filtered, for the admin page and the API.
pub async fn list(services: &Services, ctx: &Ctx, query: &AuditQuery) -> ServiceResult<Page<AuditRecordView>> {
    ctx.require(portcullis_domain::role::Permission::ViewAudit)?;
    record_inspection(services, ctx, "audit", query.object_id.as_deref(), "audit trail").await?;
    let mut condition = Condition::all();
    if let Some(action) = query.action.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        condition = if let Some(prefix) = action.strip_suffix('.') {
            condition.add(audit_log::Column::Action.starts_with(format!("{prefix}.")))
        } else {
            condition.add(audit_log::Column::Action.eq(action))
        };
    }
    if let Some(actor) = query.actor.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        condition = condition.add(
            Condition::any()
                .add(audit_log::Column::ActorEmail.contains(actor))
                .add(audit_log::Column::ActorId.eq(actor)),
        );
    }
    if let Some(object_id) = query.object_id.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        condition = condition.add(audit_log::Column::ObjectId.eq(object_id));
    }
    let page = page_number(query.page);
    let paginator = audit_log::Entity::find()
        .filter(condition)
        .order_by_desc(audit_log::Column::Seq)
        .paginate(services.db(), PER_PAGE);
    let total = paginator.num_items().await?;
    let rows = paginator.fetch_page(page - 1).await?;
    // Actors by name as well: one lookup for the page, not one per record.
    let actor_ids: Vec<&str> = rows.iter().filter_map(|r| r.actor_id.as_deref()).collect();
    let names = crate::accounts::names(services.db(), actor_ids).await?;
    let items = rows
        .into_iter()
        .map(|r| AuditRecordView {
            actor_name: r.actor_id.as_ref().and_then(|id| names.get(id).cloned()),
            seq: r.seq,
            at: r.at,
            actor_id: r.actor_id,
            actor_email: r.actor_email,
            action: r.action,
            object_type: r.object_type,
            object_id: r.object_id,
            ip: r.ip,
            details: r.details,
        })
        .collect();
    Ok(Page { items, page, per_page: PER_PAGE, total })
}

/// Access logging: what an auditor opens is itself on the record, in a transaction of its own
/// (an auditor changes nothing, so reading is all there is to account for). Anyone else's
/// reading is not recorded.
pub(crate) async fn record_inspection(
    services: &Services,
    ctx: &Ctx,
    object_type: &'static str,
    object_id: Option<&str>,
    what: &'static str,
) -> ServiceResult<()> {
    if !ctx.actor.as_ref().is_some_and(|actor| actor.roles.read_only()) {
        return Ok(());
    }
    let txn = db::begin_write(services.db()).await?;
    let event = AuditEvent::new("auditor.viewed", object_type, object_id.map(str::to_owned))
        .details(serde_json::json!({ "what": what }));
    record(&txn, services.clock(), ctx, event).await?;
    txn.commit().await?;
    Ok(())
}
