//! The message thread between an organisation and the reviewers of its application.
//! Notifications say that there is a message, never what it says.

use super::access::{load, load_for_change};
use super::submission::{application_link, org_recipients};
use crate::action_limits::Action;
use crate::audit::{self, AuditEvent};
use crate::context::Ctx;
use crate::db::begin_write;
use crate::entity::{application_message, assignment, mail_outbox, user};
use crate::error::{ServiceError, ServiceResult};
use crate::mail::{enqueue, templates};
use crate::tokens::new_id;
use crate::{Services, timestamp};
use chrono::{DateTime, Duration, Utc};
use portcullis_domain::admin::{Page, PageNumber, page_number};
use portcullis_domain::application::view::{MESSAGES_PER_PAGE, MessageInput, MessageView};
use portcullis_domain::application::visibility::visible_to_staff;
use portcullis_domain::role::Role;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder,
};
use serde_json::json;
use validator::Validate;

const APPLICANT: &str = "applicant";
const REVIEWER: &str = "reviewer";

async fn message_view(conn: &impl ConnectionTrait, row: application_message::Model) -> ServiceResult<MessageView> {
    let author_name = user::Entity::find_by_id(&row.author_id).one(conn).await?.map(|u| u.name).unwrap_or_default();
    Ok(MessageView { id: row.id, author_name, side: row.side, body: row.body, created_at: timestamp(row.created_at) })
}

/// One page of the thread, oldest first within it; page 1 holds the latest messages.
pub async fn list(
    services: &Services,
    ctx: &Ctx,
    id: &str,
    page: Option<PageNumber>,
) -> ServiceResult<Page<MessageView>> {
    let access = load(services.db(), ctx, id).await?;
    crate::audit::record_inspection(services, ctx, "application", Some(id), "messages").await?;
    let page = page_number(page);
    let paginator = application_message::Entity::find()
        .filter(application_message::Column::ApplicationId.eq(&access.application.id))
        .order_by_desc(application_message::Column::CreatedAt)
        .order_by_desc(application_message::Column::Id)
        .paginate(services.db(), MESSAGES_PER_PAGE);
    let total = paginator.num_items().await?;
    let rows = paginator.fetch_page(page - 1).await?;
    let mut items = Vec::with_capacity(rows.len());
    for row in rows.into_iter().rev() {
        items.push(message_view(services.db(), row).await?);
    }
    Ok(Page { items, page, per_page: MESSAGES_PER_PAGE, total })
}

/// The reviewers assigned to the application, or every reviewer while none is.
async fn reviewer_recipients(
    conn: &impl ConnectionTrait,
    application_id: &str,
) -> ServiceResult<Vec<(String, String)>> {
    let assigned: Vec<String> = assignment::Entity::find()
        .filter(assignment::Column::ApplicationId.eq(application_id))
        .all(conn)
        .await?
        .into_iter()
        .map(|a| a.reviewer_id)
        .collect();
    let users = if assigned.is_empty() {
        user::Entity::find().filter(user::Column::Roles.contains(Role::Reviewer.as_str())).all(conn).await?
    } else {
        user::Entity::find().filter(user::Column::Id.is_in(assigned)).all(conn).await?
    };
    Ok(users.into_iter().filter(|u| u.disabled_at.is_none()).map(|u| (u.email, u.name)).collect())
}

/// A thread mails each person at most once in this long, however many messages are posted.
const NOTIFY_AT_MOST_EVERY: Duration = Duration::minutes(10);

/// Whether `to` was told about a new message in this thread within the last
/// [`NOTIFY_AT_MOST_EVERY`].
async fn notified_lately(
    conn: &impl ConnectionTrait,
    to: &str,
    reference: &str,
    now: DateTime<Utc>,
) -> ServiceResult<bool> {
    let recent = mail_outbox::Entity::find()
        .filter(mail_outbox::Column::ToAddr.eq(to))
        .filter(mail_outbox::Column::Subject.eq(templates::new_message_subject(reference)))
        .filter(mail_outbox::Column::CreatedAt.gt(now - NOTIFY_AT_MOST_EVERY))
        .count(conn)
        .await?;
    Ok(recent > 0)
}

pub async fn post(services: &Services, ctx: &Ctx, id: &str, input: MessageInput) -> ServiceResult<MessageView> {
    let actor = ctx.signed_in()?;
    services.limit(Action::Message, ctx)?;
    input.validate()?;
    let now = services.clock().now();
    let txn = begin_write(services.db()).await?;
    let access = load_for_change(&txn, ctx, id).await?;
    let app = &access.application;
    if !visible_to_staff(app.submitted_at) {
        return Err(ServiceError::Conflict(
            "Messages go to the reviewers, who see the application once it is submitted: submit it first.".into(),
        ));
    }
    let side = if access.is_member() { APPLICANT } else { REVIEWER };
    let row = application_message::ActiveModel {
        id: Set(new_id()),
        application_id: Set(app.id.clone()),
        author_id: Set(actor.user_id.clone()),
        side: Set(side.to_owned()),
        body: Set(input.body.trim_end().to_owned()),
        created_at: Set(now),
    }
    .insert(&txn)
    .await?;
    let recipients = if side == APPLICANT {
        reviewer_recipients(&txn, &app.id).await?
    } else {
        org_recipients(&txn, &app.org_id).await?
    };
    let link = format!("{}#messages", application_link(services, &app.id));
    for (to, name) in recipients.into_iter().filter(|(to, _)| *to != actor.email) {
        if !notified_lately(&txn, &to, &app.reference, now).await? {
            let mail = templates::new_message(&to, &name, &app.name, &app.reference, &link);
            enqueue(&txn, services.clock(), mail).await?;
        }
    }
    audit::record(
        &txn,
        services.clock(),
        ctx,
        AuditEvent::new("application.message_posted", "application", app.id.clone())
            .details(json!({ "message_id": row.id, "side": side, "chars": row.body.chars().count() })),
    )
    .await?;
    let view = message_view(&txn, row).await?;
    txn.commit().await?;
    services.wake_mail_worker();
    Ok(view)
}
