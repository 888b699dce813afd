//! Submitting (every submission is frozen as a revision), withdrawing, and comparing
//! revisions.

use super::access::{load, load_for_change};
use super::{catalogue, content_of, current_mockups, events, status_of, view};
use crate::audit::{self, AuditEvent};
use crate::context::Ctx;
use crate::db::begin_write;
use crate::entity::{application, application_revision, org, org_member, user};
use crate::error::{ServiceError, ServiceResult};
use crate::mail::{enqueue, templates};
use crate::tokens::new_id;
use crate::{Services, timestamp};
use chrono::{DateTime, Utc};
use portcullis_domain::account::FieldErrors;
use portcullis_domain::application::content::missing_items;
use portcullis_domain::application::lifecycle::{Action, transition};
use portcullis_domain::application::revision::{MockupRef, RevisionSnapshot, compare};
use portcullis_domain::application::scope::ScopeList;
use portcullis_domain::application::view::{ApplicationView, RevisionComparison, RevisionView};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder,
};
use serde_json::json;
use std::collections::BTreeSet;

/// Everyone who should hear about the application: its organisation's members and confirmed contact.
pub(crate) async fn org_recipients(conn: &impl ConnectionTrait, org_id: &str) -> ServiceResult<Vec<(String, String)>> {
    let org = org::Entity::find_by_id(org_id).one(conn).await?.ok_or(ServiceError::NotFound)?;
    let mut seen = BTreeSet::new();
    let mut recipients = Vec::new();
    for member in org_member::Entity::find().filter(org_member::Column::OrgId.eq(org_id)).all(conn).await? {
        if let Some(user) = user::Entity::find_by_id(&member.user_id).one(conn).await?
            && user.disabled_at.is_none()
            && seen.insert(user.email.clone())
        {
            recipients.push((user.email, user.name));
        }
    }
    // An unconfirmed contact address might be anyone's: it hears nothing until confirmed.
    if org.contact_verified_at.is_some() && seen.insert(org.contact_email.clone()) {
        recipients.push((org.contact_email, org.name));
    }
    Ok(recipients)
}

pub(crate) fn application_link(services: &Services, id: &str) -> String {
    services.config().public_url.join(&format!("applications/{id}")).expect("id joins").to_string()
}

/// Checks everything on the server and answers with every missing or invalid item at
/// once; on success freezes the form and the mockups as a new revision.
pub async fn submit(services: &Services, ctx: &Ctx, id: &str) -> ServiceResult<ApplicationView> {
    send_for_review(services, ctx, id, Action::Submit).await
}

/// Sends an approved application back to review as it stands (a new revision), so its
/// credentials can be renewed; they keep working meanwhile.
pub async fn recertify(services: &Services, ctx: &Ctx, id: &str) -> ServiceResult<ApplicationView> {
    send_for_review(services, ctx, id, Action::Recertify).await
}

async fn send_for_review(services: &Services, ctx: &Ctx, id: &str, action: Action) -> ServiceResult<ApplicationView> {
    let actor = ctx.verified()?;
    let now = services.clock().now();
    let txn = begin_write(services.db()).await?;
    let access = load_for_change(&txn, ctx, id).await?;
    let app = &access.application;
    let next = transition(status_of(app)?, action, access.party).map_err(|e| access.refusal(e))?;
    let content = content_of(app);
    let mockups = current_mockups(&txn, &app.id).await?;
    let missing = missing_items(&content, mockups.len(), &catalogue(&txn).await?);
    if !missing.is_empty() {
        let mut fields = FieldErrors::new();
        for item in missing {
            fields.entry(item.field).or_default().push(item.message);
        }
        return Err(ServiceError::Validation(fields));
    }
    let number = freeze_revision(&txn, app, &actor.user_id, now).await?;
    let mut active = app.clone().into_active_model();
    active.status = Set(next.as_str().to_owned());
    active.revision = Set(number);
    active.version = Set(app.version + 1);
    active.submitted_at = Set(Some(now));
    active.updated_at = Set(now);
    let target_days = services.config().review_target_days;
    let (kind, audit_action) = match action {
        Action::Recertify => {
            crate::review::restart_clock(&mut active, target_days, now);
            ("recertification_requested", "application.recertification_requested")
        }
        _ => {
            crate::review::resume_clock(&mut active, app, target_days, now);
            (if number == 1 { "submitted" } else { "resubmitted" }, "application.submitted")
        }
    };
    let app = active.update(&txn).await?;
    events::record(&txn, now, &app.id, kind, Some(&actor.user_id), json!({ "revision": number })).await?;
    let link = application_link(services, &app.id);
    for (to, name) in org_recipients(&txn, &app.org_id).await? {
        enqueue(&txn, services.clock(), templates::submission_received(&to, &name, &app.name, &app.reference, &link))
            .await?;
    }
    audit::record(
        &txn,
        services.clock(),
        ctx,
        AuditEvent::new(audit_action, "application", app.id.clone()).details(json!({
            "revision": number,
            "reference": app.reference,
            "scopes": ScopeList::parse(&app.requested_scopes).names(),
        })),
    )
    .await?;
    let access = super::access::Access { application: app, party: access.party };
    let view = view(&txn, &access).await?;
    txn.commit().await?;
    services.wake_mail_worker();
    Ok(view)
}

/// Freezes the application's form and current mockups as its next revision; returns its number.
pub(crate) async fn freeze_revision(
    conn: &impl ConnectionTrait,
    app: &application::Model,
    submitted_by: &str,
    now: DateTime<Utc>,
) -> ServiceResult<i32> {
    let number = app.revision + 1;
    let mockups = current_mockups(conn, &app.id).await?;
    let snapshot = RevisionSnapshot {
        content: content_of(app),
        mockups: mockups
            .iter()
            .map(|m| MockupRef {
                label: m.label.clone(),
                sha256: m.sha256.clone(),
                content_type: m.content_type.clone(),
                size: m.size as u64,
            })
            .collect(),
    };
    application_revision::ActiveModel {
        id: Set(new_id()),
        application_id: Set(app.id.clone()),
        number: Set(number),
        snapshot: Set(serde_json::to_string(&snapshot).expect("snapshot serialises")),
        submitted_by: Set(submitted_by.to_owned()),
        submitted_at: Set(now),
    }
    .insert(conn)
    .await?;
    Ok(number)
}

/// Owners may withdraw an application until it is decided.
pub async fn withdraw(services: &Services, ctx: &Ctx, id: &str) -> ServiceResult<ApplicationView> {
    let actor = ctx.signed_in()?;
    let now = services.clock().now();
    let txn = begin_write(services.db()).await?;
    let access = load_for_change(&txn, ctx, id).await?;
    let app = &access.application;
    let next = transition(status_of(app)?, Action::Withdraw, access.party).map_err(|e| access.refusal(e))?;
    let mut active = app.clone().into_active_model();
    active.status = Set(next.as_str().to_owned());
    active.version = Set(app.version + 1);
    active.updated_at = Set(now);
    let app = active.update(&txn).await?;
    events::record(&txn, now, &app.id, "withdrawn", Some(&actor.user_id), json!({})).await?;
    audit::record(
        &txn,
        services.clock(),
        ctx,
        AuditEvent::new("application.withdrawn", "application", app.id.clone())
            .details(json!({ "reference": app.reference })),
    )
    .await?;
    let access = super::access::Access { application: app, party: access.party };
    let view = view(&txn, &access).await?;
    txn.commit().await?;
    Ok(view)
}

pub async fn revisions(services: &Services, ctx: &Ctx, id: &str) -> ServiceResult<Vec<RevisionView>> {
    let access = load(services.db(), ctx, id).await?;
    crate::audit::record_inspection(services, ctx, "application", Some(id), "revisions").await?;
    let rows = application_revision::Entity::find()
        .filter(application_revision::Column::ApplicationId.eq(&access.application.id))
        .order_by_asc(application_revision::Column::Number)
        .all(services.db())
        .await?;
    let mut views = Vec::with_capacity(rows.len());
    for row in rows {
        let submitted_by =
            user::Entity::find_by_id(&row.submitted_by).one(services.db()).await?.map(|u| u.name).unwrap_or_default();
        views.push(RevisionView {
            number: i64::from(row.number),
            submitted_at: timestamp(row.submitted_at),
            submitted_by,
        });
    }
    Ok(views)
}

async fn snapshot(conn: &impl ConnectionTrait, application_id: &str, number: i64) -> ServiceResult<RevisionSnapshot> {
    let row = application_revision::Entity::find()
        .filter(application_revision::Column::ApplicationId.eq(application_id))
        .filter(application_revision::Column::Number.eq(number))
        .one(conn)
        .await?
        .ok_or(ServiceError::NotFound)?;
    serde_json::from_str(&row.snapshot).map_err(|e| ServiceError::Internal(format!("revision {number}: {e}")))
}

/// Field-by-field differences between two submitted revisions.
pub async fn compare_revisions(
    services: &Services,
    ctx: &Ctx,
    id: &str,
    from: i64,
    to: i64,
) -> ServiceResult<RevisionComparison> {
    let access = load(services.db(), ctx, id).await?;
    crate::audit::record_inspection(services, ctx, "application", Some(id), "revision comparison").await?;
    let before = snapshot(services.db(), &access.application.id, from).await?;
    let after = snapshot(services.db(), &access.application.id, to).await?;
    Ok(RevisionComparison { from, to, changes: compare(&before, &after) })
}
