//! The outbox table: enqueue, claim, and record the outcome of a delivery attempt.

use crate::clock::Clock;
use crate::entity::mail_outbox;
use crate::error::ServiceResult;
use crate::tokens::new_id;
use chrono::{DateTime, Utc};
use portcullis_domain::admin::{MailView, Page, PageNumber, page_number};
use sea_orm::sea_query::{Condition, Expr, ExprTrait};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect,
};
use std::time::Duration;

pub const PENDING: &str = "pending";
pub const SENT: &str = "sent";
pub const FAILED: &str = "failed";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingMail {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// Adds a message to the outbox inside the caller's transaction: it is sent if and only
/// if the change that caused it commits.
pub async fn enqueue(conn: &impl ConnectionTrait, clock: &dyn Clock, mail: OutgoingMail) -> Result<String, DbErr> {
    let now = clock.now();
    let id = new_id();
    mail_outbox::Entity::insert(mail_outbox::ActiveModel {
        id: Set(id.clone()),
        to_addr: Set(mail.to),
        subject: Set(mail.subject),
        text_body: Set(mail.text),
        html_body: Set(mail.html),
        status: Set(PENDING.into()),
        attempts: Set(0),
        next_attempt_at: Set(now),
        locked_until: Set(None),
        last_error: Set(None),
        created_at: Set(now),
        sent_at: Set(None),
    })
    .exec_without_returning(conn)
    .await?;
    Ok(id)
}

/// Claims up to `limit` due messages for `lease`. A claim is a conditional update, so two
/// workers (in one process or in several instances) never hold the same message.
pub(crate) async fn claim_due(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    lease: Duration,
    limit: u64,
) -> Result<Vec<mail_outbox::Model>, DbErr> {
    let candidates = mail_outbox::Entity::find()
        .filter(mail_outbox::Column::Status.eq(PENDING))
        .filter(mail_outbox::Column::NextAttemptAt.lte(now))
        .filter(free_at(now))
        .order_by_asc(mail_outbox::Column::NextAttemptAt)
        .limit(limit)
        .all(db)
        .await?;
    let until = now + chrono::Duration::from_std(lease).unwrap_or_default();
    let mut claimed = Vec::with_capacity(candidates.len());
    for mail in candidates {
        let result = mail_outbox::Entity::update_many()
            .col_expr(mail_outbox::Column::LockedUntil, Expr::value(until))
            .filter(mail_outbox::Column::Id.eq(&mail.id))
            .filter(mail_outbox::Column::Status.eq(PENDING))
            .filter(free_at(now))
            .exec(db)
            .await?;
        if result.rows_affected == 1 {
            claimed.push(mail);
        }
    }
    Ok(claimed)
}

fn free_at(now: DateTime<Utc>) -> Condition {
    Condition::any().add(mail_outbox::Column::LockedUntil.is_null()).add(mail_outbox::Column::LockedUntil.lt(now))
}

/// What a one-time link's token becomes in the outbox once the message has left.
pub const REDACTED_TOKEN: &str = "(removed once sent)";

/// `text` with the value of every `token=` query parameter (verification, reset and
/// invitation links) replaced: once sent, a link is only in the recipient's mailbox, not in
/// a table that admins, backups and database readers see.
pub(crate) fn redact_links(text: &str) -> String {
    const KEY: &str = "token=";
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(KEY) {
        let (before, after) = rest.split_at(at + KEY.len());
        out.push_str(before);
        let end =
            after.find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '%'))).unwrap_or(after.len());
        if end > 0 {
            out.push_str(REDACTED_TOKEN);
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

pub(crate) async fn mark_sent(
    db: &DatabaseConnection,
    mail: &mail_outbox::Model,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    mail_outbox::Entity::update_many()
        .col_expr(mail_outbox::Column::Status, Expr::value(SENT))
        .col_expr(mail_outbox::Column::TextBody, Expr::value(redact_links(&mail.text_body)))
        .col_expr(mail_outbox::Column::HtmlBody, Expr::value(redact_links(&mail.html_body)))
        .col_expr(mail_outbox::Column::SentAt, Expr::value(now))
        .col_expr(mail_outbox::Column::Attempts, Expr::col(mail_outbox::Column::Attempts).add(1))
        .col_expr(mail_outbox::Column::LockedUntil, Expr::value(Option::<DateTime<Utc>>::None))
        .col_expr(mail_outbox::Column::LastError, Expr::value(Option::<String>::None))
        .filter(mail_outbox::Column::Id.eq(&mail.id))
        .exec(db)
        .await?;
    Ok(())
}

/// Makes every message waiting for a retry due now; returns how many.
pub(crate) async fn retry_now(db: &DatabaseConnection, now: DateTime<Utc>) -> Result<u64, DbErr> {
    let result = mail_outbox::Entity::update_many()
        .col_expr(mail_outbox::Column::NextAttemptAt, Expr::value(now))
        .filter(mail_outbox::Column::Status.eq(PENDING))
        .filter(mail_outbox::Column::Attempts.gt(0))
        .filter(mail_outbox::Column::NextAttemptAt.gt(now))
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}

/// Gives back claimed messages that were not tried, so any pass may take them again.
pub(crate) async fn release(db: &DatabaseConnection, ids: &[String]) -> Result<(), DbErr> {
    if ids.is_empty() {
        return Ok(());
    }
    mail_outbox::Entity::update_many()
        .col_expr(mail_outbox::Column::LockedUntil, Expr::value(Option::<DateTime<Utc>>::None))
        .filter(mail_outbox::Column::Id.is_in(ids.iter().cloned()))
        .filter(mail_outbox::Column::Status.eq(PENDING))
        .exec(db)
        .await?;
    Ok(())
}

/// Records a failed attempt: retried at `retry_at`, or parked when `retry_at` is `None`.
pub(crate) async fn mark_failed(
    db: &DatabaseConnection,
    id: &str,
    error: &str,
    retry_at: Option<DateTime<Utc>>,
) -> Result<(), DbErr> {
    let mut update = mail_outbox::Entity::update_many()
        .col_expr(mail_outbox::Column::Attempts, Expr::col(mail_outbox::Column::Attempts).add(1))
        .col_expr(mail_outbox::Column::LockedUntil, Expr::value(Option::<DateTime<Utc>>::None))
        .col_expr(mail_outbox::Column::LastError, Expr::value(error.chars().take(1000).collect::<String>()));
    update = match retry_at {
        Some(at) => update.col_expr(mail_outbox::Column::NextAttemptAt, Expr::value(at)),
        None => update.col_expr(mail_outbox::Column::Status, Expr::value(FAILED)),
    };
    update.filter(mail_outbox::Column::Id.eq(id)).exec(db).await?;
    Ok(())
}

/// Messages for the admin page: parked ones first, then the newest.
pub async fn list(
    db: &DatabaseConnection,
    ctx: &crate::context::Ctx,
    status: Option<&str>,
    page: Option<PageNumber>,
) -> ServiceResult<Page<MailView>> {
    ctx.require(portcullis_domain::role::Permission::ViewMailOutbox)?;
    const PER_PAGE: u64 = 50;
    let page = page_number(page);
    let mut select = mail_outbox::Entity::find();
    if let Some(status) = status.filter(|s| !s.is_empty()) {
        select = select.filter(mail_outbox::Column::Status.eq(status));
    }
    let paginator = select.order_by_desc(mail_outbox::Column::CreatedAt).paginate(db, PER_PAGE);
    let total = paginator.num_items().await?;
    let items = paginator
        .fetch_page(page - 1)
        .await?
        .into_iter()
        .map(|m| MailView {
            id: m.id,
            to: m.to_addr,
            subject: m.subject,
            status: m.status,
            attempts: m.attempts,
            last_error: m.last_error,
            created_at: m.created_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        })
        .collect();
    Ok(Page { items, page, per_page: PER_PAGE, total })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_time_links_are_redacted_and_nothing_else() {
        let text = "Open https://portal.example/verify-email?token=Ab-9_x%3D now.\n<a href=\"https://p/reset-password?token=zz\">link</a> token= alone";
        let redacted = redact_links(text);
        assert_eq!(
            redacted,
            "Open https://portal.example/verify-email?token=(removed once sent) now.\n<a href=\"https://p/reset-password?token=(removed once sent)\">link</a> token= alone"
        );
        assert_eq!(redact_links("no links here"), "no links here");
    }
}
