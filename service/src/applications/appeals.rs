//! Appeals against rejections: filing one (owners, once per rejection, within the window) and
//! deciding it (reviewers who took no part in the rejection). The rules are the domain's
//! `appeal` module; this layer finds out the facts it needs and writes the outcome.

use super::access::{Access, load_for_change};
use super::submission::{application_link, freeze_revision, org_recipients};
use super::{events, status_of, view};
use crate::audit::{self, AuditEvent};
use crate::context::Ctx;
use crate::db::begin_write;
use crate::entity::{appeal, application, assignment, decision, org_member, review, review_verdict, user};
use crate::error::{Refusal, ServiceError, ServiceResult};
use crate::mail::enqueue;
use crate::mail::templates::{self, AboutApplication};
use crate::tokens::new_id;
use crate::{Services, timestamp};
use chrono::{DateTime, Utc};
use portcullis_domain::application::appeal::{
    self as rules, AppealDecisionInput, AppealError, AppealInput, AppealOutcome, AppealStatus, AppealView, Decider,
    Filing,
};
use portcullis_domain::application::lifecycle::Party;
use portcullis_domain::application::status::ApplicationStatus;
use portcullis_domain::application::view::ApplicationView;
use portcullis_domain::role::{Permission, Role};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder,
};
use serde_json::json;
use std::collections::BTreeSet;

/// The kind of the decision row that rejects a revision.
const REJECTED: &str = "rejected";

fn parse_status(row: &appeal::Model) -> ServiceResult<AppealStatus> {
    crate::stored::parse("appeals.status", &row.status)
}

/// A refused filing or decision: about the caller, 403; about the application, 409; each with
/// its code.
fn refusal(access: &Access, error: AppealError) -> ServiceError {
    match error {
        AppealError::Lifecycle(e) => access.refusal(e),
        e if e.is_about_the_caller() => {
            ServiceError::NotAllowed(Refusal::Coded { code: e.code(), message: e.to_string() })
        }
        e => ServiceError::Blocked { code: e.code(), message: e.to_string() },
    }
}

/// The appeal against the rejection of `revision`, if one was filed.
async fn for_revision(
    conn: &impl ConnectionTrait,
    application_id: &str,
    revision: i32,
) -> ServiceResult<Option<appeal::Model>> {
    Ok(appeal::Entity::find()
        .filter(appeal::Column::ApplicationId.eq(application_id))
        .filter(appeal::Column::Revision.eq(revision))
        .one(conn)
        .await?)
}

/// When the application's current revision was rejected, if it was.
async fn rejected_at(conn: &impl ConnectionTrait, app: &application::Model) -> ServiceResult<Option<DateTime<Utc>>> {
    Ok(decision::Entity::find()
        .filter(decision::Column::ApplicationId.eq(&app.id))
        .filter(decision::Column::Revision.eq(app.revision))
        .filter(decision::Column::Kind.eq(REJECTED))
        .one(conn)
        .await?
        .map(|d| d.decided_at))
}

/// Everyone who took part in the rejection of `revision`: who recorded a decision on it
/// (a first approval too), and who recorded a checklist verdict in a review of it.
async fn participants(
    conn: &impl ConnectionTrait,
    application_id: &str,
    revision: i32,
) -> ServiceResult<(Vec<String>, Vec<String>)> {
    let deciders = decision::Entity::find()
        .filter(decision::Column::ApplicationId.eq(application_id))
        .filter(decision::Column::Revision.eq(revision))
        .all(conn)
        .await?
        .into_iter()
        .map(|d| d.decided_by)
        .collect();
    let reviews = review::Entity::find()
        .filter(review::Column::ApplicationId.eq(application_id))
        .filter(review::Column::Revision.eq(revision))
        .all(conn)
        .await?;
    let judged: BTreeSet<String> = review_verdict::Entity::find()
        .filter(review_verdict::Column::ReviewId.is_in(reviews.iter().map(|r| r.id.clone())))
        .all(conn)
        .await?
        .into_iter()
        .map(|v| v.review_id)
        .collect();
    let authors = reviews.into_iter().filter(|r| judged.contains(&r.id)).map(|r| r.reviewer_id).collect();
    Ok((deciders, authors))
}

async fn took_part(
    conn: &impl ConnectionTrait,
    app: &application::Model,
    revision: i32,
    user_id: &str,
) -> ServiceResult<bool> {
    let (deciders, authors) = participants(conn, &app.id, revision).await?;
    Ok(rules::took_part(user_id, deciders.iter().map(String::as_str), authors.iter().map(String::as_str)))
}

async fn name_of(conn: &impl ConnectionTrait, user_id: &str) -> ServiceResult<String> {
    Ok(user::Entity::find_by_id(user_id).one(conn).await?.map(|u| u.name).unwrap_or_default())
}

/// The latest appeal of the application, as its page shows it: also once overturned, when
/// the application has moved on to a new revision.
pub(crate) async fn latest_view(
    conn: &impl ConnectionTrait,
    application_id: &str,
) -> ServiceResult<Option<AppealView>> {
    let Some(row) = appeal::Entity::find()
        .filter(appeal::Column::ApplicationId.eq(application_id))
        .order_by_desc(appeal::Column::Revision)
        .one(conn)
        .await?
    else {
        return Ok(None);
    };
    let decided_by = match &row.decided_by {
        Some(id) => Some(name_of(conn, id).await?),
        None => None,
    };
    let attachments = super::appeal_attachments::of_appeal(conn, &row.id).await?;
    Ok(Some(AppealView {
        attachments: attachments.iter().map(super::appeal_attachments::view).collect(),
        status: parse_status(&row)?,
        filed_by: name_of(conn, &row.filed_by).await?,
        revision: i64::from(row.revision),
        filed_at: timestamp(row.filed_at),
        deadline: timestamp(row.deadline),
        decided_at: row.decided_at.map(timestamp),
        decided_by,
        outcome_reason: row.outcome_reason,
        reasons: row.reasons,
    }))
}

/// Fills in what the caller may do about appeals, which depends on the time and on who the
/// caller is: until when the rejection may be appealed, whether they may appeal or decide.
pub(crate) async fn complete(
    services: &Services,
    conn: &impl ConnectionTrait,
    ctx: &Ctx,
    access: &Access,
    view: &mut ApplicationView,
) -> ServiceResult<()> {
    let app = &access.application;
    let status = status_of(app)?;
    if status != ApplicationStatus::Rejected {
        return Ok(());
    }
    let existing = for_revision(conn, &app.id, app.revision).await?.map(|a| parse_status(&a)).transpose()?;
    let filing = Filing {
        status,
        party: access.party,
        rejected_at: rejected_at(conn, app).await?,
        existing,
        days: services.config().appeal_days,
        now: services.clock().now(),
    };
    view.appeal_until = filing.open_until().map(timestamp);
    view.can_appeal = filing.check().is_ok();
    let attached = view.appeal.as_ref().map_or(0, |a| a.attachments.len());
    view.can_attach_to_appeal = rules::may_attach(access.party, existing, attached).is_ok();
    if existing == Some(AppealStatus::Pending) && matches!(access.party, Party::Reviewer | Party::Admin) {
        let user_id = &ctx.signed_in()?.user_id;
        let decider = Decider {
            party: access.party,
            member: false,
            took_part: took_part(conn, app, app.revision, user_id).await?,
        };
        view.can_decide_appeal = rules::may_decide(status, existing, decider);
    }
    Ok(())
}

/// Appeal states of these applications' latest rejections, and until when the others may be
/// appealed, for lists of applications.
pub(crate) async fn of_many(
    services: &Services,
    conn: &impl ConnectionTrait,
    apps: &[application::Model],
) -> ServiceResult<Vec<(Option<AppealStatus>, Option<String>)>> {
    let rejected: Vec<&application::Model> =
        apps.iter().filter(|a| a.status == ApplicationStatus::Rejected.as_str()).collect();
    let ids: Vec<String> = rejected.iter().map(|a| a.id.clone()).collect();
    let appeals = appeal::Entity::find().filter(appeal::Column::ApplicationId.is_in(ids.clone())).all(conn).await?;
    let rejections = decision::Entity::find()
        .filter(decision::Column::ApplicationId.is_in(ids))
        .filter(decision::Column::Kind.eq(REJECTED))
        .all(conn)
        .await?;
    let now = services.clock().now();
    apps.iter()
        .map(|app| {
            let Some(status) =
                (app.status == ApplicationStatus::Rejected.as_str()).then_some(ApplicationStatus::Rejected)
            else {
                return Ok((None, None));
            };
            let existing = appeals
                .iter()
                .find(|a| a.application_id == app.id && a.revision == app.revision)
                .map(parse_status)
                .transpose()?;
            let filing = Filing {
                status,
                party: Party::Owner,
                rejected_at: rejections
                    .iter()
                    .find(|d| d.application_id == app.id && d.revision == app.revision)
                    .map(|d| d.decided_at),
                existing,
                days: services.config().appeal_days,
                now,
            };
            Ok((existing, filing.open_until().map(timestamp)))
        })
        .collect()
}

/// Owners appeal a rejection, once, within the window, with their reasons.
pub async fn file(services: &Services, ctx: &Ctx, id: &str, input: AppealInput) -> ServiceResult<ApplicationView> {
    let actor = ctx.signed_in()?;
    input.check().map_err(|m| ServiceError::field("reasons", m))?;
    let reasons = input.reasons.trim().to_owned();
    let now = services.clock().now();
    let txn = begin_write(services.db()).await?;
    let access = load_for_change(&txn, ctx, id).await?;
    let app = access.application.clone();
    let existing = for_revision(&txn, &app.id, app.revision).await?.map(|a| parse_status(&a)).transpose()?;
    let filing = Filing {
        status: status_of(&app)?,
        party: access.party,
        rejected_at: rejected_at(&txn, &app).await?,
        existing,
        days: services.config().appeal_days,
        now,
    };
    let deadline = filing.check().map_err(|e| refusal(&access, e))?;
    let appeal_id = new_id();
    // The application's row is locked, so a second appeal waits and then finds this one; the
    // unique key catches any that got past.
    appeal::ActiveModel {
        id: Set(appeal_id.clone()),
        application_id: Set(app.id.clone()),
        revision: Set(app.revision),
        reasons: Set(reasons.clone()),
        status: Set(AppealStatus::Pending.as_str().to_owned()),
        filed_by: Set(actor.user_id.clone()),
        filed_at: Set(now),
        deadline: Set(deadline),
        decided_by: Set(None),
        decided_at: Set(None),
        outcome_reason: Set(None),
    }
    .insert(&txn)
    .await
    .map_err(|_| refusal(&access, AppealError::AlreadyAppealed))?;
    let mut active = app.clone().into_active_model();
    active.version = Set(app.version + 1);
    active.updated_at = Set(now);
    let app = active.update(&txn).await?;
    events::record(
        &txn,
        now,
        &app.id,
        "appealed",
        Some(&actor.user_id),
        json!({ "revision": app.revision, "message": reasons }),
    )
    .await?;
    let link = application_link(services, &app.id);
    let about = AboutApplication { name: &app.name, reference: &app.reference, link: &link };
    let readable_deadline = deadline.format("%-d %B %Y, %H:%M UTC").to_string();
    for (to, name) in org_recipients(&txn, &app.org_id).await? {
        enqueue(&txn, services.clock(), templates::appeal_received(&to, &name, &about, &readable_deadline)).await?;
    }
    for (to, name) in eligible_reviewers(&txn, &app).await? {
        enqueue(&txn, services.clock(), templates::appeal_to_decide(&to, &name, &about)).await?;
    }
    audit::record(
        &txn,
        services.clock(),
        ctx,
        AuditEvent::new("application.appealed", "application", app.id.clone()).details(json!({
            "appeal_id": appeal_id, "revision": app.revision, "deadline": timestamp(deadline),
            "reasons_chars": reasons.chars().count(),
        })),
    )
    .await?;
    let access = Access { application: app, party: access.party };
    let mut view = view(&txn, &access).await?;
    complete(services, &txn, ctx, &access, &mut view).await?;
    txn.commit().await?;
    services.wake_mail_worker();
    Ok(view)
}

/// The active reviewers who may decide the appeal: not of the organisation, and no part in
/// the rejection.
async fn eligible_reviewers(
    txn: &DatabaseTransaction,
    app: &application::Model,
) -> ServiceResult<Vec<(String, String)>> {
    let (deciders, authors) = participants(txn, &app.id, app.revision).await?;
    let members: BTreeSet<String> = org_member::Entity::find()
        .filter(org_member::Column::OrgId.eq(&app.org_id))
        .all(txn)
        .await?
        .into_iter()
        .map(|m| m.user_id)
        .collect();
    let reviewers = user::Entity::find()
        .filter(user::Column::Roles.contains(Role::Reviewer.as_str()))
        .filter(user::Column::DisabledAt.is_null())
        .all(txn)
        .await?;
    Ok(reviewers
        .into_iter()
        .filter(|u| !members.contains(&u.id))
        .filter(|u| !rules::took_part(&u.id, deciders.iter().map(String::as_str), authors.iter().map(String::as_str)))
        .map(|u| (u.email, u.name))
        .collect())
}

/// A reviewer who took no part in the rejection decides the pending appeal: upheld (the
/// rejection stands, for good) or overturned (back to review on a new revision).
pub async fn decide(
    services: &Services,
    ctx: &Ctx,
    id: &str,
    input: AppealDecisionInput,
) -> ServiceResult<ApplicationView> {
    let actor = ctx.require(Permission::Review)?;
    input.check().map_err(|m| ServiceError::field("reason", m))?;
    let reason = input.reason.trim().to_owned();
    let now = services.clock().now();
    let txn = begin_write(services.db()).await?;
    let access = load_for_change(&txn, ctx, id).await?;
    let app = access.application.clone();
    let appeal = for_revision(&txn, &app.id, app.revision).await?;
    let decider = Decider {
        // A reviewer of the applying organisation is a reviewer refused for that, not a member.
        party: if access.is_member() { Party::Reviewer } else { access.party },
        member: access.is_member(),
        took_part: took_part(&txn, &app, app.revision, &actor.user_id).await?,
    };
    let existing = appeal.as_ref().map(parse_status).transpose()?;
    let next = rules::decide(status_of(&app)?, existing, decider, input.outcome).map_err(|e| refusal(&access, e))?;
    let appeal = appeal.ok_or(ServiceError::NotFound)?;
    let outcome = input.outcome.status();
    // Two deciders at once: the row lock serialises them, and only a pending appeal changes.
    let updated = appeal::Entity::update_many()
        .col_expr(appeal::Column::Status, Expr::value(outcome.as_str()))
        .col_expr(appeal::Column::DecidedBy, Expr::value(actor.user_id.clone()))
        .col_expr(appeal::Column::DecidedAt, Expr::value(now))
        .col_expr(appeal::Column::OutcomeReason, Expr::value(reason.clone()))
        .filter(appeal::Column::Id.eq(&appeal.id))
        .filter(appeal::Column::Status.eq(AppealStatus::Pending.as_str()))
        .exec(&txn)
        .await?;
    if updated.rows_affected == 0 {
        return Err(refusal(&access, AppealError::NotPending));
    }
    let mut active = app.clone().into_active_model();
    active.status = Set(next.as_str().to_owned());
    active.version = Set(app.version + 1);
    active.updated_at = Set(now);
    let (kind, new_revision) = match input.outcome {
        AppealOutcome::Upheld => ("appeal_upheld", None),
        AppealOutcome::Overturned => {
            let number = freeze_revision(&txn, &app, &appeal.filed_by, now).await?;
            active.revision = Set(number);
            active.submitted_at = Set(Some(now));
            crate::review::restart_clock(&mut active, services.config().review_target_days, now);
            // The new revision starts unassigned, so the queue offers it afresh.
            assignment::Entity::delete_many().filter(assignment::Column::ApplicationId.eq(&app.id)).exec(&txn).await?;
            ("appeal_overturned", Some(number))
        }
    };
    let app = active.update(&txn).await?;
    events::record(
        &txn,
        now,
        &app.id,
        kind,
        Some(&actor.user_id),
        json!({ "revision": app.revision, "message": reason }),
    )
    .await?;
    let link = application_link(services, &app.id);
    let about = AboutApplication { name: &app.name, reference: &app.reference, link: &link };
    let overturned = input.outcome == AppealOutcome::Overturned;
    for (to, name) in org_recipients(&txn, &app.org_id).await? {
        enqueue(&txn, services.clock(), templates::appeal_decided(&to, &name, &about, overturned, &reason)).await?;
    }
    audit::record(
        &txn,
        services.clock(),
        ctx,
        AuditEvent::new("application.appeal_decided", "application", app.id.clone()).details(json!({
            "appeal_id": appeal.id, "outcome": outcome.as_str(), "revision": appeal.revision,
            "new_revision": new_revision, "reason": reason,
        })),
    )
    .await?;
    let access = Access { application: app, party: access.party };
    let mut view = view(&txn, &access).await?;
    complete(services, &txn, ctx, &access, &mut view).await?;
    txn.commit().await?;
    services.wake_mail_worker();
    Ok(view)
}
