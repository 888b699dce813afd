//! A reviewer's own review of a revision: the checklist items that concern the requested
//! scopes, frozen at the template versions the review started with, and their verdicts; and
//! every review of an application, for those who account for them.

use super::gate_refusal;
use crate::Services;
use crate::applications::access::{Access, load, load_for_change};
use crate::applications::{self, catalogue, status_of, submission};
use crate::audit::{self, AuditEvent};
use crate::context::Ctx;
use crate::db::begin_write;
use crate::entity::{application, checklist_item, checklist_template, review, review_verdict, user};
use crate::error::{ServiceError, ServiceResult};
use crate::timestamp;
use crate::tokens::new_id;
use chrono::{DateTime, Utc};
use portcullis_domain::application::scope::ScopeList;
use portcullis_domain::application::status::ApplicationStatus;
use portcullis_domain::application::visibility::visible_to_staff;
use portcullis_domain::ids::{ApplicationId, ItemId};
use portcullis_domain::markdown::render_markdown;
use portcullis_domain::review::checklist::{ChecklistKind, ReviewItem, Verdict, check_verdict};
use portcullis_domain::review::gate::{GateError, blocking_items};
use portcullis_domain::review::view::{Progress, ReviewPageView, ReviewView, ReviewsView, VerdictInput};
use portcullis_domain::role::Permission;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::json;
use std::collections::HashMap;

pub(crate) fn requested_scopes(app: &application::Model) -> Vec<String> {
    ScopeList::parse(&app.requested_scopes).into_names()
}

/// The scopes reviewers granted; empty until the application is approved.
pub(crate) fn granted_scopes(app: &application::Model) -> Vec<String> {
    ScopeList::parse(app.granted_scopes.as_deref().unwrap_or_default()).into_names()
}

async fn current_template(
    conn: &impl ConnectionTrait,
    kind: ChecklistKind,
) -> ServiceResult<checklist_template::Model> {
    checklist_template::Entity::find()
        .filter(checklist_template::Column::Kind.eq(kind.as_str()))
        .order_by_desc(checklist_template::Column::Version)
        .one(conn)
        .await?
        .ok_or_else(|| ServiceError::Internal(format!("no {} checklist template", kind.as_str())))
}

/// Starts `reviewer_id`'s review of the current revision, on the current template versions,
/// unless it exists already.
pub(super) async fn start(
    conn: &impl ConnectionTrait,
    app: &application::Model,
    reviewer_id: &str,
    now: DateTime<Utc>,
) -> ServiceResult<()> {
    if find(conn, app, reviewer_id).await?.is_some() {
        return Ok(());
    }
    let privacy = current_template(conn, ChecklistKind::Privacy).await?;
    let security = current_template(conn, ChecklistKind::Security).await?;
    review::Entity::insert(review::ActiveModel {
        id: Set(new_id()),
        application_id: Set(app.id.clone()),
        reviewer_id: Set(reviewer_id.to_owned()),
        revision: Set(app.revision),
        privacy_template_id: Set(privacy.id),
        security_template_id: Set(security.id),
        started_at: Set(now),
    })
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

pub(super) async fn find(
    conn: &impl ConnectionTrait,
    app: &application::Model,
    reviewer_id: &str,
) -> ServiceResult<Option<review::Model>> {
    Ok(review::Entity::find()
        .filter(review::Column::ApplicationId.eq(&app.id))
        .filter(review::Column::ReviewerId.eq(reviewer_id))
        .filter(review::Column::Revision.eq(app.revision))
        .one(conn)
        .await?)
}

/// The items of a review's templates relevant to `scopes`, with its verdicts.
pub(super) async fn items(
    conn: &impl ConnectionTrait,
    review: &review::Model,
    scopes: &[String],
) -> ServiceResult<Vec<ReviewItem>> {
    let verdicts: HashMap<String, review_verdict::Model> = review_verdict::Entity::find()
        .filter(review_verdict::Column::ReviewId.eq(&review.id))
        .all(conn)
        .await?
        .into_iter()
        .map(|v| (v.item_id.clone(), v))
        .collect();
    let mut items = Vec::new();
    for (kind, template_id) in
        [(ChecklistKind::Privacy, &review.privacy_template_id), (ChecklistKind::Security, &review.security_template_id)]
    {
        let rows = checklist_item::Entity::find()
            .filter(checklist_item::Column::TemplateId.eq(template_id))
            .order_by_asc(checklist_item::Column::Position)
            .all(conn)
            .await?;
        for row in rows {
            let verdict = verdicts.get(&row.id);
            let stored_verdict = verdict
                .map(|v| crate::stored::known("review_verdicts.verdict", &v.verdict, Verdict::parse(&v.verdict)))
                .transpose()?;
            let item = ReviewItem {
                checklist: kind,
                title: row.title,
                guidance: row.guidance,
                required: row.required,
                applies_to: ScopeList::parse(&row.applies_to).into_names(),
                verdict: stored_verdict,
                note: verdict.map(|v| v.note.clone()).unwrap_or_default(),
                item_id: row.id,
            };
            if item.applies(scopes) {
                items.push(item);
            }
        }
    }
    Ok(items)
}

/// The caller's items with verdicts, for the approval gate; `None` without a review.
pub(super) async fn own_items(
    conn: &impl ConnectionTrait,
    app: &application::Model,
    reviewer_id: &str,
) -> ServiceResult<Option<Vec<ReviewItem>>> {
    match find(conn, app, reviewer_id).await? {
        Some(review) => Ok(Some(items(conn, &review, &requested_scopes(app)).await?)),
        None => Ok(None),
    }
}

/// Failed items of every review of the current revision, for the applicant: `title: note`.
pub(super) async fn failed_items(conn: &impl ConnectionTrait, app: &application::Model) -> ServiceResult<Vec<String>> {
    let reviews = review::Entity::find()
        .filter(review::Column::ApplicationId.eq(&app.id))
        .filter(review::Column::Revision.eq(app.revision))
        .order_by_asc(review::Column::StartedAt)
        .all(conn)
        .await?;
    let mut failed: Vec<String> = Vec::new();
    for review in reviews {
        for item in items(conn, &review, &requested_scopes(app)).await? {
            let line = format!("{}: {}", item.title, item.note.trim());
            if item.verdict == Some(Verdict::Fail) && !failed.contains(&line) {
                failed.push(line);
            }
        }
    }
    Ok(failed)
}

async fn view(
    conn: &impl ConnectionTrait,
    app: &application::Model,
    review: &review::Model,
) -> ServiceResult<ReviewView> {
    let scopes = requested_scopes(app);
    let items = items(conn, review, &scopes).await?;
    let version = |id: &str| {
        let id = id.to_owned();
        async move { checklist_template::Entity::find_by_id(id).one(conn).await.map(|t| t.map_or(0, |t| t.version)) }
    };
    Ok(ReviewView {
        application_id: app.id.clone(),
        revision: app.revision as i64,
        reviewer_name: user::Entity::find_by_id(&review.reviewer_id)
            .one(conn)
            .await?
            .map(|u| u.name)
            .unwrap_or_default(),
        started_at: timestamp(review.started_at),
        privacy_version: version(&review.privacy_template_id).await?,
        security_version: version(&review.security_template_id).await?,
        progress: Progress::of(&items),
        blocking: blocking_items(&items, &scopes),
        editable: status_of(app)? == ApplicationStatus::InReview,
        items,
    })
}

/// Reviewers only, and never for their own organisation's applications.
async fn load_for_review(
    conn: &impl ConnectionTrait,
    ctx: &Ctx,
    access: Access,
) -> ServiceResult<(application::Model, review::Model)> {
    let actor = ctx.require(Permission::Review)?;
    if access.is_member() {
        return Err(gate_refusal(GateError::OwnOrganisation));
    }
    let app = access.application;
    match find(conn, &app, &actor.user_id).await? {
        Some(review) => Ok((app, review)),
        None if matches!(status_of(&app)?, ApplicationStatus::Submitted | ApplicationStatus::InReview) => {
            Err(ServiceError::Conflict("Claim the application to start your review.".into()))
        }
        None => Err(ServiceError::Conflict("You did not review the current revision of this application.".into())),
    }
}

pub async fn get(services: &Services, ctx: &Ctx, id: &str) -> ServiceResult<ReviewView> {
    let access = load(services.db(), ctx, id).await?;
    let (app, review) = load_for_review(services.db(), ctx, access).await?;
    view(services.db(), &app, &review).await
}

/// Every reviewer's review of every revision, for admins and auditors (an auditor's reading is
/// on the record): who judged which item how, and why. Drafts stay with their organisation.
pub async fn all(services: &Services, ctx: &Ctx, id: &str) -> ServiceResult<ReviewsView> {
    ctx.require(Permission::Inspect)?;
    let access = load(services.db(), ctx, id).await?;
    if !visible_to_staff(access.application.submitted_at) {
        return Err(ServiceError::NotFound);
    }
    audit::record_inspection(services, ctx, "application", Some(id), "reviews").await?;
    let app = access.application;
    let rows = review::Entity::find()
        .filter(review::Column::ApplicationId.eq(&app.id))
        .order_by_asc(review::Column::Revision)
        .order_by_asc(review::Column::StartedAt)
        .all(services.db())
        .await?;
    let mut reviews = Vec::with_capacity(rows.len());
    for row in &rows {
        let mut review = view(services.db(), &app, row).await?;
        review.revision = i64::from(row.revision);
        review.editable = false;
        reviews.push(review);
    }
    Ok(ReviewsView { reviews })
}

/// What the review page shows: the application, the caller's review once claimed, what
/// changed since the previous revision, and the scope catalogue.
pub async fn page(services: &Services, ctx: &Ctx, id: &str) -> ServiceResult<ReviewPageView> {
    let application = applications::get(services, ctx, id).await?;
    let review = match get(services, ctx, id).await {
        Ok(review) => Some(review),
        // Not claimed by the caller (yet): the page offers to claim it.
        Err(ServiceError::Conflict(_)) => None,
        Err(other) => return Err(other),
    };
    let changes = match application.revision {
        n if n > 1 => Some(submission::compare_revisions(services, ctx, id, n - 1, n).await?),
        _ => None,
    };
    let use_case_html = render_markdown(&application.content.use_case);
    Ok(ReviewPageView { application, use_case_html, review, changes, catalogue: catalogue(services.db()).await? })
}

/// Records (or, with no verdict, clears) the caller's verdict on one item. Progress is saved
/// item by item, so a reviewer can stop and come back.
pub async fn record(
    services: &Services,
    ctx: &Ctx,
    id: &ApplicationId,
    item_id: &ItemId,
    input: VerdictInput,
) -> ServiceResult<ReviewView> {
    let (id, item_id) = (id.as_str(), item_id.as_str());
    check_verdict(input.verdict, &input.note).map_err(|m| ServiceError::field("note", m))?;
    let now = services.clock().now();
    let txn = begin_write(services.db()).await?;
    let access = load_for_change(&txn, ctx, id).await?;
    let (app, review) = load_for_review(&txn, ctx, access).await?;
    if status_of(&app)? != ApplicationStatus::InReview {
        return Err(ServiceError::Conflict(format!(
            "Verdicts can only change while the application is in review; it is {}.",
            status_of(&app)?.label().to_lowercase()
        )));
    }
    let item = items(&txn, &review, &requested_scopes(&app))
        .await?
        .into_iter()
        .find(|i| i.item_id == item_id)
        .ok_or(ServiceError::NotFound)?;
    match input.verdict {
        Some(verdict) => {
            review_verdict::Entity::insert(review_verdict::ActiveModel {
                review_id: Set(review.id.clone()),
                item_id: Set(item.item_id.clone()),
                verdict: Set(verdict.as_str().to_owned()),
                note: Set(input.note.trim().to_owned()),
                updated_at: Set(now),
            })
            .on_conflict(
                OnConflict::columns([review_verdict::Column::ReviewId, review_verdict::Column::ItemId])
                    .update_columns([
                        review_verdict::Column::Verdict,
                        review_verdict::Column::Note,
                        review_verdict::Column::UpdatedAt,
                    ])
                    .to_owned(),
            )
            .exec_without_returning(&txn)
            .await?;
        }
        None => {
            review_verdict::Entity::delete_by_id((review.id.clone(), item.item_id.clone())).exec(&txn).await?;
        }
    }
    audit::record(
        &txn,
        services.clock(),
        ctx,
        AuditEvent::new("review.verdict_recorded", "application", app.id.clone()).details(json!({
            "revision": app.revision,
            "checklist": item.checklist.as_str(),
            "item_id": item.item_id,
            "item": item.title,
            "verdict": input.verdict.map(Verdict::as_str),
        })),
    )
    .await?;
    let view = view(&txn, &app, &review).await?;
    txn.commit().await?;
    Ok(view)
}
