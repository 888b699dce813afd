//! Signed checkpoints of the audit chain: taken by each instance's background worker when due
//! and at shutdown, listed for the audit pages and the API.
//!
//! Writers of audit records never wait for a checkpoint: the worker reads what has committed.
//! Instances race safely: a checkpoint is keyed by the record it covers and inserted only if
//! absent.

use crate::Services;
use crate::context::Ctx;
use crate::entity::{audit_checkpoint, audit_log};
use crate::error::ServiceResult;
use portcullis_domain::admin::{AuditCheckpointView, Page, PageNumber, page_number};
use portcullis_domain::audit::checkpoint::{self, Covered, Statement};
use portcullis_domain::role::Permission;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ColumnTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};

pub const PER_PAGE: u64 = 50;

/// Takes every checkpoint that is due (one per 1,000 records, then the newest record once the
/// oldest uncovered one is an hour old); returns how many this call stored.
pub async fn take_due(services: &Services) -> Result<u32, DbErr> {
    let mut taken = 0;
    loop {
        let Some(head) = newest_record(services).await? else { return Ok(taken) };
        let last = latest(services).await?;
        let oldest_uncovered_at =
            match audit_log::Entity::find_by_id(last.map_or(0, |c| c.seq) + 1).one(services.db()).await? {
                Some(record) => chrono::DateTime::parse_from_rfc3339(&record.at).ok().map(|at| at.to_utc()),
                None => None,
            };
        let Some(seq) = checkpoint::due(head, last, oldest_uncovered_at, services.clock().now()) else {
            return Ok(taken);
        };
        if take(services, seq, last).await? {
            taken += 1;
        }
    }
}

/// At shutdown: covers the newest record, unless a checkpoint already does.
pub async fn take_final(services: &Services) -> Result<bool, DbErr> {
    let Some(head) = newest_record(services).await? else { return Ok(false) };
    let last = latest(services).await?;
    if last.is_some_and(|c| c.seq >= head) {
        return Ok(false);
    }
    take(services, head, last).await
}

/// Makes sure a checkpoint covers record `seq`: takes those due, then, if none covers it yet,
/// one of the newest record (an evidence pack needs its newest records covered now).
pub(crate) async fn cover(services: &Services, seq: i64) -> Result<(), DbErr> {
    take_due(services).await?;
    let last = latest(services).await?;
    if last.is_some_and(|c| c.seq >= seq) {
        return Ok(());
    }
    let Some(head) = newest_record(services).await? else { return Ok(()) };
    // `false`: another instance stored one of the same record first, which covers it as well.
    take(services, head, last).await?;
    Ok(())
}

async fn newest_record(services: &Services) -> Result<Option<i64>, DbErr> {
    let newest = audit_log::Entity::find().order_by_desc(audit_log::Column::Seq).one(services.db()).await?;
    Ok(newest.map(|r| r.seq))
}

async fn latest(services: &Services) -> Result<Option<Covered>, DbErr> {
    let last = audit_checkpoint::Entity::find().order_by_desc(audit_checkpoint::Column::Seq).one(services.db()).await?;
    Ok(last.map(|c| Covered { seq: c.seq, records: c.records }))
}

/// Signs and stores a checkpoint of record `seq`; `false` when another instance stored one
/// first. The count continues from the previous checkpoint, so no call counts the whole trail.
async fn take(services: &Services, seq: i64, last: Option<Covered>) -> Result<bool, DbErr> {
    let db = services.db();
    let Some(record) = audit_log::Entity::find_by_id(seq).one(db).await? else { return Ok(false) };
    let since = last.map_or(0, |c| c.seq);
    let added = audit_log::Entity::find()
        .filter(audit_log::Column::Seq.gt(since))
        .filter(audit_log::Column::Seq.lte(seq))
        .count(db)
        .await?;
    let key = &services.config().audit_key;
    let statement = Statement {
        seq,
        hash: record.hash,
        records: last.map_or(0, |c| c.records) + added as i64,
        at: crate::timestamp(services.clock().now()),
        key_id: key.public().id().to_owned(),
    };
    let signature = key.sign(&statement);
    let inserted = audit_checkpoint::Entity::insert(audit_checkpoint::ActiveModel {
        seq: Set(statement.seq),
        hash: Set(statement.hash),
        records: Set(statement.records),
        at: Set(statement.at),
        key_id: Set(statement.key_id),
        signature: Set(signature),
    })
    .on_conflict(OnConflict::column(audit_checkpoint::Column::Seq).do_nothing().to_owned())
    .exec_without_returning(db)
    .await?;
    Ok(inserted == 1)
}

/// Newest first, with their signatures, for whoever may read the audit trail.
pub async fn list(
    services: &Services,
    ctx: &Ctx,
    page: Option<PageNumber>,
) -> ServiceResult<Page<AuditCheckpointView>> {
    ctx.require(Permission::ViewAudit)?;
    let page = page_number(page);
    let paginator =
        audit_checkpoint::Entity::find().order_by_desc(audit_checkpoint::Column::Seq).paginate(services.db(), PER_PAGE);
    let total = paginator.num_items().await?;
    let items = paginator
        .fetch_page(page - 1)
        .await?
        .into_iter()
        .map(|c| AuditCheckpointView {
            seq: c.seq,
            hash: c.hash,
            records: c.records,
            at: c.at,
            key_id: c.key_id,
            signature: c.signature,
        })
        .collect();
    Ok(Page { items, page, per_page: PER_PAGE, total })
}

/// The public key checkpoints are signed with, as `/.well-known/portcullis-audit-key` serves it.
pub fn public_key_pem(services: &Services) -> String {
    services.config().audit_key.public().pem()
}
