//! Applications for API access: the draft form, submission and revisions, mockups, the
//! message thread and the timeline. Who may do what is decided by the lifecycle rules in
//! the domain crate; this layer finds out who the caller is to the application.

pub(crate) mod access;
pub mod appeal_attachments;
pub mod appeals;
pub(crate) mod events;
pub mod inspect;
pub mod messages;
pub mod mockups;
pub(crate) mod scopes;
pub mod submission;
pub mod suspension;
mod thumbnail;

use crate::audit::{self, AuditEvent};
use crate::context::Ctx;
use crate::db::begin_write;
use crate::entity::{application, mockup, org, org_member, scope, user};
use crate::error::{ServiceError, ServiceResult};
use crate::tokens::new_id;
use crate::{Services, timestamp};
use access::{Access, load, load_for_change};
use portcullis_domain::admin::{Page, PageNumber, page_number};
use portcullis_domain::application::content::{ApplicationContent, ApplicationPatch, missing_items};
use portcullis_domain::application::lifecycle::{Action, Party, transition};
use portcullis_domain::application::mockup::MockupView;
use portcullis_domain::application::next_step::{self, NextStep};
use portcullis_domain::application::scope::{Frequency, ScopeCategory, ScopeList, ScopeView};
use portcullis_domain::application::status::ApplicationStatus;
use portcullis_domain::application::view::{
    ApplicationQuery, ApplicationStatusPage, ApplicationSummary, ApplicationView, CreateApplicationInput,
    FirstApproval, TimelineEntry,
};
use portcullis_domain::markdown::render_markdown;
use portcullis_domain::role::Permission;
use rand::Rng;
use sea_orm::sea_query::{Condition, Expr};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, PaginatorTrait,
    QueryFilter, QueryOrder,
};
use serde_json::json;
use std::str::FromStr;
use validator::Validate;

pub const PER_PAGE: u64 = 25;

/// The scope catalogue, in display order: public, so it asks for no caller.
pub async fn scopes(services: &Services) -> ServiceResult<Vec<ScopeView>> {
    catalogue(services.db()).await
}

pub(crate) async fn catalogue(conn: &impl ConnectionTrait) -> ServiceResult<Vec<ScopeView>> {
    let rows = scope::Entity::find().order_by_asc(scope::Column::Position).all(conn).await?;
    Ok(rows
        .into_iter()
        .filter_map(|row| {
            Some(ScopeView {
                category: ScopeCategory::from_str(&row.category).ok()?,
                frequency: Frequency::from_str(&row.frequency).ok()?,
                name: row.name,
                title: row.title,
                description: row.description,
                sensitive: row.sensitive,
            })
        })
        .collect())
}

/// `PA-` and eight characters that cannot be confused when read aloud or retyped.
fn new_reference() -> String {
    const ALPHABET: &[u8] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
    let mut rng = rand::rng();
    let code: String = (0..8).map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char).collect();
    format!("PA-{code}")
}

pub(crate) fn content_of(app: &application::Model) -> ApplicationContent {
    // The column is only ever written from `ApplicationContent`; a row that fails to parse
    // would be a bug, and showing it empty is better than failing every read.
    serde_json::from_str(&app.content).unwrap_or_default()
}

/// The application's status. Only the portal writes the column; a value it never writes is
/// a fault to report, never a status to guess.
pub(crate) fn status_of(app: &application::Model) -> ServiceResult<ApplicationStatus> {
    crate::stored::parse("applications.status", &app.status)
}

pub(crate) fn mockup_view(row: &mockup::Model) -> MockupView {
    MockupView {
        id: row.id.clone(),
        label: row.label.clone(),
        content_type: row.content_type.clone(),
        size: row.size as u64,
        sha256: row.sha256.clone(),
    }
}

pub(crate) async fn current_mockups(
    conn: &impl ConnectionTrait,
    application_id: &str,
) -> ServiceResult<Vec<mockup::Model>> {
    Ok(mockup::Entity::find()
        .filter(mockup::Column::ApplicationId.eq(application_id))
        .filter(mockup::Column::DeletedAt.is_null())
        .order_by_asc(mockup::Column::CreatedAt)
        .all(conn)
        .await?)
}

/// The full view of an application for a caller with `access`.
async fn first_approval(
    conn: &impl ConnectionTrait,
    app: &application::Model,
    status: ApplicationStatus,
) -> ServiceResult<Option<FirstApproval>> {
    if status != ApplicationStatus::InReview {
        return Ok(None);
    }
    let Some(first) = crate::review::prior_approvals(conn, app).await?.into_iter().next() else {
        return Ok(None);
    };
    let reviewer_name =
        user::Entity::find_by_id(&first.decided_by).one(conn).await?.map(|u| u.name).unwrap_or_default();
    Ok(Some(FirstApproval {
        reviewer_id: first.decided_by,
        reviewer_name,
        granted_scopes: ScopeList::parse(&first.granted_scopes).into_names(),
        at: timestamp(first.decided_at),
    }))
}

pub(crate) async fn view(conn: &impl ConnectionTrait, access: &Access) -> ServiceResult<ApplicationView> {
    let app = &access.application;
    let content = content_of(app);
    let mockups = current_mockups(conn, &app.id).await?;
    let catalogue = catalogue(conn).await?;
    let status = status_of(app)?;
    let org = org::Entity::find_by_id(&app.org_id).one(conn).await?.ok_or(ServiceError::NotFound)?;
    Ok(ApplicationView {
        id: app.id.clone(),
        org_id: app.org_id.clone(),
        org_name: org.name,
        reference: app.reference.clone(),
        status,
        version: i64::from(app.version),
        revision: i64::from(app.revision),
        missing: missing_items(&content, mockups.len(), &catalogue),
        content,
        mockups: mockups.iter().map(mockup_view).collect(),
        created_at: timestamp(app.created_at),
        updated_at: timestamp(app.updated_at),
        submitted_at: app.submitted_at.map(timestamp),
        can_edit: transition(status, Action::Edit, access.party).is_ok(),
        can_withdraw: transition(status, Action::Withdraw, access.party).is_ok(),
        can_recertify: transition(status, Action::Recertify, access.party).is_ok(),
        can_review: transition(status, Action::StartReview, access.party).is_ok()
            || transition(status, Action::RequestChanges, access.party).is_ok(),
        granted_scopes: app.granted_scopes.as_deref().map(|s| ScopeList::parse(s).into_names()),
        due_at: app.due_at.map(timestamp),
        first_approval: first_approval(conn, app, status).await?,
        appeal: appeals::latest_view(conn, &app.id).await?,
        // Depend on the time and the caller: see `appeals::complete`.
        appeal_until: None,
        can_appeal: false,
        can_decide_appeal: false,
        can_attach_to_appeal: false,
    })
}

pub async fn create(services: &Services, ctx: &Ctx, input: CreateApplicationInput) -> ServiceResult<ApplicationView> {
    let actor = ctx.require(Permission::Apply)?;
    input.validate()?;
    let now = services.clock().now();
    let txn = begin_write(services.db()).await?;
    let role = crate::orgs::membership(&txn, &input.org_id, &actor.user_id)
        .await?
        .ok_or_else(|| ServiceError::field("org_id", "Choose one of your organisations."))?;
    let content = ApplicationContent { name: input.name.trim().to_owned(), ..Default::default() };
    let app = application::ActiveModel {
        id: Set(new_id()),
        org_id: Set(input.org_id.clone()),
        reference: Set(new_reference()),
        name: Set(content.name.clone()),
        status: Set(ApplicationStatus::Draft.as_str().to_owned()),
        content: Set(serde_json::to_string(&content).expect("content serialises")),
        requested_scopes: Set(String::new()),
        version: Set(1),
        revision: Set(0),
        created_by: Set(actor.user_id.clone()),
        created_at: Set(now),
        updated_at: Set(now),
        submitted_at: Set(None),
        granted_scopes: Set(None),
        review_used_days: Set(0),
        review_clock_since: Set(None),
        due_at: Set(None),
    }
    .insert(&txn)
    .await?;
    events::record(&txn, now, &app.id, "created", Some(&actor.user_id), json!({})).await?;
    audit::record(
        &txn,
        services.clock(),
        ctx,
        AuditEvent::new("application.created", "application", app.id.clone())
            .details(json!({ "org_id": app.org_id, "reference": app.reference, "name": app.name })),
    )
    .await?;
    let access = Access { application: app, party: Access::member_party(role) };
    let view = view(&txn, &access).await?;
    txn.commit().await?;
    Ok(view)
}

pub async fn get(services: &Services, ctx: &Ctx, id: &str) -> ServiceResult<ApplicationView> {
    let access = load(services.db(), ctx, id).await?;
    crate::audit::record_inspection(services, ctx, "application", Some(id), "application").await?;
    let mut view = view(services.db(), &access).await?;
    appeals::complete(services, services.db(), ctx, &access, &mut view).await?;
    Ok(view)
}

/// The application's timeline, for those who may see the application.
pub async fn timeline(services: &Services, ctx: &Ctx, id: &str) -> ServiceResult<Vec<TimelineEntry>> {
    let access = load(services.db(), ctx, id).await?;
    crate::audit::record_inspection(services, ctx, "application", Some(id), "timeline").await?;
    events::timeline(services.db(), &access.application.id).await
}

/// Everything the status page shows: the application, its timeline and revisions, the
/// comparison of two revisions when `compare` names them, and a page of the thread.
pub async fn page(
    services: &Services,
    ctx: &Ctx,
    id: &str,
    compare: Option<(i64, i64)>,
    messages_page: Option<PageNumber>,
) -> ServiceResult<ApplicationStatusPage> {
    let application = get(services, ctx, id).await?;
    let timeline = events::timeline(services.db(), &application.id).await?;
    let revisions = submission::revisions(services, ctx, id).await?;
    let comparison = match compare {
        Some((from, to)) => Some(submission::compare_revisions(services, ctx, id, from, to).await?),
        None => None,
    };
    let messages = messages::list(services, ctx, id, messages_page).await?;
    let use_case_html = render_markdown(&application.content.use_case);
    Ok(ApplicationStatusPage { application, use_case_html, timeline, revisions, comparison, messages })
}

/// What the signed-in person should do next with their organisations' applications, for the
/// home page. Staff see every application in `list`; only their own organisations' count here.
pub async fn next_steps(services: &Services, ctx: &Ctx) -> ServiceResult<Vec<NextStep>> {
    let orgs = crate::orgs::list_mine(services, ctx).await?;
    let recent = list(services, ctx, &ApplicationQuery::default()).await?;
    let own: Vec<ApplicationSummary> =
        recent.items.into_iter().filter(|a| orgs.iter().any(|o| o.id == a.org_id)).collect();
    Ok(next_step::next_steps(!orgs.is_empty(), &own))
}

/// Developers see their organisations' applications; reviewers and admins also see every
/// application that has been submitted.
pub async fn list(services: &Services, ctx: &Ctx, query: &ApplicationQuery) -> ServiceResult<Page<ApplicationSummary>> {
    let actor = ctx.signed_in()?;
    let my_orgs: Vec<String> = org_member::Entity::find()
        .filter(org_member::Column::UserId.eq(&actor.user_id))
        .all(services.db())
        .await?
        .into_iter()
        .map(|m| m.org_id)
        .collect();
    let mut visible = Condition::any().add(application::Column::OrgId.is_in(my_orgs));
    if actor.roles.allows(Permission::Review) || actor.roles.allows(Permission::Inspect) {
        visible = visible.add(seen_by_staff());
    }
    let mut select = application::Entity::find().filter(visible);
    if let Some(status) = query.status {
        select = select.filter(application::Column::Status.eq(status.as_str()));
    }
    let paginator = select.order_by_desc(application::Column::UpdatedAt).paginate(services.db(), PER_PAGE);
    let total = paginator.num_items().await?;
    let page = page_number(query.page);
    let rows = paginator.fetch_page(page - 1).await?;
    let names = crate::orgs::names(services.db(), rows.iter().map(|a| a.org_id.as_str())).await?;
    let appeals = appeals::of_many(services, services.db(), &rows).await?;
    let items = rows
        .iter()
        .zip(appeals)
        .map(|(app, (appeal, appeal_until))| {
            Ok(ApplicationSummary {
                appeal,
                appeal_until,
                ..summary(app, names.get(&app.org_id).cloned().unwrap_or_default())?
            })
        })
        .collect::<ServiceResult<_>>()?;
    Ok(Page { items, page, per_page: PER_PAGE, total })
}

pub(crate) fn summary(app: &application::Model, org_name: String) -> ServiceResult<ApplicationSummary> {
    Ok(ApplicationSummary {
        id: app.id.clone(),
        org_id: app.org_id.clone(),
        org_name,
        reference: app.reference.clone(),
        name: app.name.clone(),
        status: status_of(app)?,
        requested_scopes: ScopeList::parse(&app.requested_scopes).into_names(),
        revision: i64::from(app.revision),
        updated_at: timestamp(app.updated_at),
        submitted_at: app.submitted_at.map(timestamp),
        appeal_until: None,
        appeal: None,
    })
}

/// Saves part of the form. With `version`, a save based on an out-of-date copy is refused
/// with the current state, so two tabs or two teammates never overwrite each other silently.
pub async fn update(
    services: &Services,
    ctx: &Ctx,
    id: &str,
    patch: ApplicationPatch,
) -> ServiceResult<ApplicationView> {
    let now = services.clock().now();
    let txn = begin_write(services.db()).await?;
    let access = load_for_change(&txn, ctx, id).await?;
    let status = status_of(&access.application)?;
    transition(status, Action::Edit, access.party).map_err(|e| access.refusal(e))?;
    if let Some(version) = patch.version
        && version != i64::from(access.application.version)
    {
        let current = view(&txn, &access).await?;
        return Err(ServiceError::Stale {
            code: "stale_version",
            message: "Someone else saved this application in the meantime. Review their changes, then save again."
                .into(),
            current: Box::new(serde_json::to_value(current).expect("view serialises")),
        });
    }
    let catalogue = catalogue(&txn).await?;
    patch.validate(&catalogue).map_err(ServiceError::Validation)?;
    let changed: Vec<String> = serde_json::to_value(&patch)
        .ok()
        .and_then(|v| {
            v.as_object()
                .map(|o| o.iter().filter(|(k, v)| !v.is_null() && *k != "version").map(|(k, _)| k.clone()).collect())
        })
        .unwrap_or_default();
    let mut content = content_of(&access.application);
    patch.apply_to(&mut content);
    let mut app = access.application.clone().into_active_model();
    app.name = Set(content.name.clone());
    let requested: Vec<&str> = content.scopes.iter().map(|s| s.name.as_str()).collect();
    if ScopeList::parse(&access.application.requested_scopes).names() != requested.as_slice() {
        scopes::replace(&txn, &access.application.id, scopes::ScopeKind::Requested, &requested).await?;
    }
    app.requested_scopes = Set(ScopeList::store(&requested));
    app.content = Set(serde_json::to_string(&content).expect("content serialises"));
    app.version = Set(access.application.version + 1);
    app.updated_at = Set(now);
    let app = app.update(&txn).await?;
    audit::record(
        &txn,
        services.clock(),
        ctx,
        AuditEvent::new("application.updated", "application", app.id.clone())
            .details(json!({ "fields": changed, "version": app.version })),
    )
    .await?;
    let access = Access { application: app, party: access.party };
    let view = view(&txn, &access).await?;
    txn.commit().await?;
    Ok(view)
}

/// `visibility::visible_to_staff` as a query condition. The queue's index holds `submitted_at`,
/// so the condition costs no row reads there.
pub(crate) fn seen_by_staff() -> Expr {
    application::Column::SubmittedAt.is_not_null()
}

/// Parties other than the organisation's own people never see drafts.
pub(crate) fn staff_party(ctx: &Ctx) -> Option<Party> {
    let actor = ctx.actor.as_ref()?;
    if actor.roles.read_only() {
        Some(Party::Auditor)
    } else if actor.roles.allows(Permission::ManageUsers) {
        Some(Party::Admin)
    } else if actor.roles.allows(Permission::Review) {
        Some(Party::Reviewer)
    } else {
        None
    }
}
