//! The review queue and a reviewer's dashboard. Filtering, sorting and paging happen in the
//! database; the rows of one page are then completed with a handful of batched queries, so
//! the cost stays flat as the number of applications grows.

use super::decide::FIRST_APPROVAL;
use super::reviews::requested_scopes;
use crate::Services;
use crate::applications::{catalogue, seen_by_staff, status_of};
use crate::context::Ctx;
use crate::entity::{application, assignment, checklist_item, decision, org, org_member, review, review_verdict, user};
use crate::error::{ServiceError, ServiceResult};
use crate::timestamp;
use chrono::{DateTime, Utc};
use portcullis_domain::admin::{Page, PageNumber, page_number};
use portcullis_domain::application::scope::ScopeList;
use portcullis_domain::application::status::ApplicationStatus;
use portcullis_domain::review::queue::{
    AssigneeFilter, Dashboard, QUEUE_PAGE_SIZE, QueueFilter, QueueParams, QueueRow, QueueScope, QueueSort, ScopeFilter,
    StatusFilter,
};
use portcullis_domain::review::view::Progress;
use portcullis_domain::role::Permission;
use sea_orm::sea_query::{Condition, Expr, ExprTrait, Func, LikeExpr, NullOrdering, Order, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use std::collections::{BTreeSet, HashMap};

fn like_escaped(text: &str) -> String {
    text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

/// `requested_scopes` is space separated: the name as a whole word, with one pattern over the
/// list padded with spaces rather than four over the bare list (the queue scans every row).
fn has_scope(name: &str) -> Expr {
    Expr::cust("(' ' || requested_scopes || ' ')")
        .like(LikeExpr::new(format!("% {} %", like_escaped(name))).escape('\\'))
}

fn condition(filter: &QueueFilter, sensitive: &BTreeSet<String>, me: &str, now: DateTime<Utc>) -> Condition {
    let statuses: Vec<&str> = filter.status.statuses().into_iter().map(ApplicationStatus::as_str).collect();
    // The status filter alone would let in a draft withdrawn before it was ever submitted.
    let mut all = Condition::all().add(application::Column::Status.is_in(statuses)).add(seen_by_staff());
    match &filter.scope {
        ScopeFilter::Any => {}
        ScopeFilter::Named(name) => all = all.add(has_scope(name)),
        ScopeFilter::Sensitive => {
            all = all.add(sensitive.iter().fold(Condition::any(), |any, name| any.add(has_scope(name))));
        }
    }
    let assigned = |reviewer: Option<&str>| {
        let mut query = Query::select();
        query.column(assignment::Column::ApplicationId).from(assignment::Entity);
        if let Some(reviewer) = reviewer {
            query.and_where(assignment::Column::ReviewerId.eq(reviewer));
        }
        query.to_owned()
    };
    match filter.assignee {
        AssigneeFilter::Anyone => {}
        AssigneeFilter::Me => all = all.add(application::Column::Id.in_subquery(assigned(Some(me)))),
        AssigneeFilter::Nobody => all = all.add(application::Column::Id.not_in_subquery(assigned(None))),
    }
    if filter.overdue {
        all = all.add(application::Column::DueAt.lt(now));
    }
    if !filter.q.is_empty() {
        let pattern = LikeExpr::new(format!("%{}%", like_escaped(&filter.q))).escape('\\');
        let orgs = Query::select()
            .column(org::Column::Id)
            .from(org::Entity)
            .and_where(Expr::expr(Func::lower(Expr::col(org::Column::Name))).like(pattern.clone()))
            .to_owned();
        all = all.add(
            Condition::any()
                .add(Expr::expr(Func::lower(Expr::col((application::Entity, application::Column::Name)))).like(pattern))
                .add(application::Column::OrgId.in_subquery(orgs)),
        );
    }
    all
}

async fn sensitive_scopes(conn: &impl ConnectionTrait) -> ServiceResult<(BTreeSet<String>, BTreeSet<String>)> {
    let catalogue = catalogue(conn).await?;
    let sensitive = catalogue.iter().filter(|s| s.sensitive).map(|s| s.name.clone()).collect();
    Ok((catalogue.into_iter().map(|s| s.name).collect(), sensitive))
}

pub async fn queue(services: &Services, ctx: &Ctx, params: &QueueParams) -> ServiceResult<Page<QueueRow>> {
    let actor = ctx.require(Permission::Review)?;
    let conn = services.db();
    let (known, sensitive) = sensitive_scopes(conn).await?;
    let filter =
        QueueFilter::parse(params, |name| known.contains(name)).map_err(|(field, m)| ServiceError::field(field, m))?;
    let now = services.clock().now();
    let select = application::Entity::find().filter(condition(&filter, &sensitive, &actor.user_id, now));
    let select = match filter.sort {
        QueueSort::Oldest => select.order_by_asc(application::Column::SubmittedAt),
        QueueSort::Newest => select.order_by_desc(application::Column::SubmittedAt),
        QueueSort::Due => select.order_by_with_nulls(application::Column::DueAt, Order::Asc, NullOrdering::Last),
    }
    .order_by_asc(application::Column::Id);
    let paginator = select.paginate(conn, QUEUE_PAGE_SIZE);
    let total = paginator.num_items().await?;
    let apps = paginator.fetch_page(filter.page - 1).await?;
    Ok(Page {
        items: rows(conn, apps, &sensitive, &actor.user_id, now).await?,
        page: filter.page,
        per_page: QUEUE_PAGE_SIZE,
        total,
    })
}

/// What is assigned to the caller, and what another reviewer approved once and waits for a
/// second approval.
/// `page` pages what is assigned; what waits for a second approval is always shown whole.
pub async fn dashboard(services: &Services, ctx: &Ctx, page: Option<PageNumber>) -> ServiceResult<Dashboard> {
    let actor = ctx.require(Permission::Review)?;
    let conn = services.db();
    let (_, sensitive) = sensitive_scopes(conn).await?;
    let now = services.clock().now();
    let mine = QueueFilter {
        status: StatusFilter::Open,
        scope: ScopeFilter::Any,
        assignee: AssigneeFilter::Me,
        overdue: false,
        q: String::new(),
        sort: QueueSort::Due,
        page: page_number(page),
    };
    let paginator = application::Entity::find()
        .filter(condition(&mine, &sensitive, &actor.user_id, now))
        .order_by_with_nulls(application::Column::DueAt, Order::Asc, NullOrdering::Last)
        .order_by_asc(application::Column::Id)
        .paginate(conn, QUEUE_PAGE_SIZE);
    let total = paginator.num_items().await?;
    let assigned = paginator.fetch_page(mine.page - 1).await?;
    let overdue = application::Entity::find()
        .filter(condition(&QueueFilter { overdue: true, ..mine }, &sensitive, &actor.user_id, now))
        .count(conn)
        .await?;
    let approved_once: Vec<(String, i32)> = decision::Entity::find()
        .filter(decision::Column::Kind.eq(FIRST_APPROVAL))
        .filter(decision::Column::DecidedBy.ne(&actor.user_id))
        .all(conn)
        .await?
        .into_iter()
        .map(|d| (d.application_id, d.revision))
        .collect();
    let waiting = application::Entity::find()
        .filter(application::Column::Id.is_in(approved_once.iter().map(|(id, _)| id.clone())))
        .filter(application::Column::Status.eq(ApplicationStatus::InReview.as_str()))
        .all(conn)
        .await?
        .into_iter()
        .filter(|app| approved_once.contains(&(app.id.clone(), app.revision)))
        .collect();
    Ok(Dashboard {
        assigned: rows(conn, assigned, &sensitive, &actor.user_id, now).await?,
        page: mine.page,
        per_page: QUEUE_PAGE_SIZE,
        total,
        overdue,
        awaiting_second_approval: rows(conn, waiting, &sensitive, &actor.user_id, now).await?,
    })
}

/// Completes one page of applications with names, assignees, progress and approvals.
async fn rows(
    conn: &impl ConnectionTrait,
    apps: Vec<application::Model>,
    sensitive: &BTreeSet<String>,
    viewer: &str,
    now: DateTime<Utc>,
) -> ServiceResult<Vec<QueueRow>> {
    let ids: Vec<String> = apps.iter().map(|a| a.id.clone()).collect();
    let own_orgs: BTreeSet<String> = org_member::Entity::find()
        .filter(org_member::Column::UserId.eq(viewer))
        .filter(org_member::Column::OrgId.is_in(apps.iter().map(|a| a.org_id.clone())))
        .all(conn)
        .await?
        .into_iter()
        .map(|m| m.org_id)
        .collect();
    let orgs: HashMap<String, String> = org::Entity::find()
        .filter(org::Column::Id.is_in(apps.iter().map(|a| a.org_id.clone())))
        .all(conn)
        .await?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect();
    let assignments = assignment::Entity::find()
        .filter(assignment::Column::ApplicationId.is_in(ids.clone()))
        .order_by_asc(assignment::Column::AssignedAt)
        .all(conn)
        .await?;
    let first_approvals = decision::Entity::find()
        .filter(decision::Column::ApplicationId.is_in(ids.clone()))
        .filter(decision::Column::Kind.eq(FIRST_APPROVAL))
        .all(conn)
        .await?;
    let reviews = review::Entity::find().filter(review::Column::ApplicationId.is_in(ids.clone())).all(conn).await?;
    let people: BTreeSet<String> = assignments
        .iter()
        .map(|a| a.reviewer_id.clone())
        .chain(first_approvals.iter().map(|d| d.decided_by.clone()))
        .collect();
    let names: HashMap<String, String> = user::Entity::find()
        .filter(user::Column::Id.is_in(people))
        .all(conn)
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect();
    let verdicts = review_verdict::Entity::find()
        .filter(review_verdict::Column::ReviewId.is_in(reviews.iter().map(|r| r.id.clone())))
        .all(conn)
        .await?;
    let templates: BTreeSet<String> =
        reviews.iter().flat_map(|r| [r.privacy_template_id.clone(), r.security_template_id.clone()]).collect();
    let items =
        checklist_item::Entity::find().filter(checklist_item::Column::TemplateId.is_in(templates)).all(conn).await?;
    let name_of = |id: &str| names.get(id).cloned().unwrap_or_default();

    apps.into_iter()
        .map(|app| {
            let status = status_of(&app)?;
            let scopes = requested_scopes(&app);
            let progress = reviews
                .iter()
                .filter(|r| r.application_id == app.id && r.revision == app.revision)
                .map(|r| review_progress(r, &items, &verdicts, &scopes))
                .max_by_key(|p| (p.recorded, p.total))
                .unwrap_or_default();
            let first_approved_by = first_approvals
                .iter()
                .find(|d| d.application_id == app.id && d.revision == app.revision)
                .filter(|_| status == ApplicationStatus::InReview)
                .map(|d| name_of(&d.decided_by));
            Ok(QueueRow {
                org_name: orgs.get(&app.org_id).cloned().unwrap_or_default(),
                reference: app.reference.clone(),
                name: app.name.clone(),
                status,
                revision: i64::from(app.revision),
                requested_scopes: scopes
                    .iter()
                    .map(|name| QueueScope { name: name.clone(), sensitive: sensitive.contains(name) })
                    .collect(),
                submitted_at: app.submitted_at.map(timestamp),
                age_days: app.submitted_at.map_or(0, |at| Ord::max((now - at).num_days(), 0)),
                due_at: app.due_at.map(timestamp),
                overdue: app.due_at.is_some_and(|due| now > due),
                assignees: assignments
                    .iter()
                    .filter(|a| a.application_id == app.id)
                    .map(|a| name_of(&a.reviewer_id))
                    .collect(),
                progress,
                first_approved_by,
                own_org: own_orgs.contains(&app.org_id),
                id: app.id,
            })
        })
        .collect()
}

fn review_progress(
    review: &review::Model,
    items: &[checklist_item::Model],
    verdicts: &[review_verdict::Model],
    scopes: &[String],
) -> Progress {
    let relevant: Vec<&checklist_item::Model> = items
        .iter()
        .filter(|i| i.template_id == review.privacy_template_id || i.template_id == review.security_template_id)
        .filter(|i| {
            let applies = ScopeList::parse(&i.applies_to);
            let applies = applies.names();
            applies.is_empty() || applies.iter().any(|s| scopes.iter().any(|r| r == s))
        })
        .collect();
    let recorded =
        relevant.iter().filter(|i| verdicts.iter().any(|v| v.review_id == review.id && v.item_id == i.id)).count();
    Progress { recorded: recorded as u32, total: relevant.len() as u32 }
}
