//! The review queue and a reviewer's dashboard. Filtering, sorting and paging happen in the
//! database; the rows of one page are then completed with a handful of batched queries, so
//! the cost stays flat as the number of applications grows.

use super::decide::FIRST_APPROVAL;
use super::reviews::requested_scopes;
use crate::Services;
use crate::applications::scopes::ScopeKind;
use crate::applications::{catalogue, status_of};
use crate::context::Ctx;
use crate::entity::{
    appeal, application, application_scope, assignment, checklist_item, decision, org, org_member, review,
    review_verdict,
};
use crate::error::{ServiceError, ServiceResult};
use crate::timestamp;
use chrono::{DateTime, Utc};
use portcullis_domain::admin::{MAX_PAGE, PageNumber, page_number};
use portcullis_domain::application::appeal::AppealStatus;
use portcullis_domain::application::scope::ScopeList;
use portcullis_domain::application::status::ApplicationStatus;
use portcullis_domain::review::queue::{
    AssigneeFilter, Dashboard, QUEUE_COUNT_BOUND, QUEUE_PAGE_SIZE, QueueCursor, QueueFilter, QueuePage, QueueParams,
    QueuePosition, QueueRow, QueueScope, QueueSort, ScopeFilter, StatusFilter,
};
use portcullis_domain::review::view::Progress;
use portcullis_domain::role::Permission;
use sea_orm::sea_query::{
    Alias, Condition, Expr, ExprTrait, Func, LikeExpr, NullOrdering, Order, Query, SelectStatement,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait,
    Select, Statement,
};
use std::collections::BTreeSet;

fn like_escaped(text: &str) -> String {
    text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

fn scope_names(filter: &ScopeFilter, sensitive: &BTreeSet<String>) -> Option<Vec<String>> {
    match filter {
        ScopeFilter::Any => None,
        ScopeFilter::Named(name) => Some(vec![name.clone()]),
        ScopeFilter::Sensitive => Some(sensitive.iter().cloned().collect()),
    }
}

/// Whether the application of the row at hand has one of `names` as a `kind` scope: a page
/// walks the applications in its sort order and looks each one up in the rows' key.
fn has_scope(kind: ScopeKind, names: Vec<String>) -> Expr {
    Expr::exists(
        Query::select()
            .expr(Expr::val(1))
            .from(application_scope::Entity)
            .and_where(application_scope::Column::Kind.eq(kind.as_str()))
            .and_where(application_scope::Column::Scope.is_in(names))
            .and_where(
                Expr::col((application_scope::Entity, application_scope::Column::ApplicationId))
                    .equals((application::Entity, application::Column::Id)),
            )
            .to_owned(),
    )
}

/// The conditions on an application's own status and dates, on whichever table carries them:
/// `applications`, or the copies in `application_scopes`.
fn key_condition(filter: &QueueFilter, now: DateTime<Utc>, status: Expr, submitted: Expr, due: Expr) -> Condition {
    let statuses: Vec<&str> = filter.status.statuses().into_iter().map(ApplicationStatus::as_str).collect();
    // The status filter alone would let in a draft withdrawn before it was ever submitted
    // (the rule of `seen_by_staff`).
    let mut all = Condition::all().add(status.is_in(statuses)).add(submitted.is_not_null());
    if filter.overdue {
        all = all.add(due.lt(now));
    }
    all
}

/// The other conditions, each looked up from the application at hand; `except` is a scope
/// kind already answered by the table the query reads.
fn other_condition(
    filter: &QueueFilter,
    sensitive: &BTreeSet<String>,
    me: &str,
    except: Option<ScopeKind>,
) -> Condition {
    let mut all = Condition::all();
    for (kind, scopes) in [(ScopeKind::Requested, &filter.scope), (ScopeKind::Granted, &filter.granted)] {
        if let Some(names) = scope_names(scopes, sensitive).filter(|_| except != Some(kind)) {
            all = all.add(has_scope(kind, names));
        }
    }
    // Looked up per application in the assignments' key, rather than a list of every assignment.
    let assigned = |reviewer: Option<&str>| {
        let mut query = Query::select();
        query.expr(Expr::val(1)).from(assignment::Entity).and_where(
            Expr::col((assignment::Entity, assignment::Column::ApplicationId))
                .equals((application::Entity, application::Column::Id)),
        );
        if let Some(reviewer) = reviewer {
            query.and_where(assignment::Column::ReviewerId.eq(reviewer));
        }
        query.to_owned()
    };
    match filter.assignee {
        AssigneeFilter::Anyone => {}
        AssigneeFilter::Me => all = all.add(Expr::exists(assigned(Some(me)))),
        AssigneeFilter::Nobody => all = all.add(Expr::not_exists(assigned(None))),
    }
    if filter.appeal_pending {
        all = all.add(appeals_for(me));
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

/// A pending appeal against the rejection of the application's current revision, which `me`
/// may decide: no decision or checklist verdict of theirs on that revision, and not of the
/// applying organisation (as `appeal::took_part` and `appeal::decide` say).
fn appeals_for(me: &str) -> Condition {
    let same_revision = |application_id: Expr, revision: Expr| {
        Condition::all()
            .add(application_id.equals((application::Entity, application::Column::Id)))
            .add(revision.equals((application::Entity, application::Column::Revision)))
    };
    let pending = Query::select()
        .expr(Expr::val(1))
        .from(appeal::Entity)
        .cond_where(same_revision(
            Expr::col((appeal::Entity, appeal::Column::ApplicationId)),
            Expr::col((appeal::Entity, appeal::Column::Revision)),
        ))
        .and_where(Expr::col((appeal::Entity, appeal::Column::Status)).eq(AppealStatus::Pending.as_str()))
        .to_owned();
    let decided = Query::select()
        .expr(Expr::val(1))
        .from(decision::Entity)
        .cond_where(same_revision(
            Expr::col((decision::Entity, decision::Column::ApplicationId)),
            Expr::col((decision::Entity, decision::Column::Revision)),
        ))
        .and_where(Expr::col((decision::Entity, decision::Column::DecidedBy)).eq(me))
        .to_owned();
    let judged = Query::select()
        .expr(Expr::val(1))
        .from(review::Entity)
        .inner_join(
            review_verdict::Entity,
            Expr::col((review_verdict::Entity, review_verdict::Column::ReviewId))
                .equals((review::Entity, review::Column::Id)),
        )
        .cond_where(same_revision(
            Expr::col((review::Entity, review::Column::ApplicationId)),
            Expr::col((review::Entity, review::Column::Revision)),
        ))
        .and_where(Expr::col((review::Entity, review::Column::ReviewerId)).eq(me))
        .to_owned();
    let own_orgs = Query::select()
        .column((org_member::Entity, org_member::Column::OrgId))
        .from(org_member::Entity)
        .and_where(Expr::col((org_member::Entity, org_member::Column::UserId)).eq(me))
        .to_owned();
    Condition::all()
        .add(Expr::exists(pending))
        .add(Expr::not_exists(decided))
        .add(Expr::not_exists(judged))
        .add(application::Column::OrgId.not_in_subquery(own_orgs))
}

fn condition(filter: &QueueFilter, sensitive: &BTreeSet<String>, me: &str, now: DateTime<Utc>) -> Condition {
    let column = |column: application::Column| Expr::col((application::Entity, column));
    key_condition(
        filter,
        now,
        column(application::Column::Status),
        column(application::Column::SubmittedAt),
        column(application::Column::DueAt),
    )
    .add(other_condition(filter, sensitive, me, None))
}

async fn sensitive_scopes(conn: &impl ConnectionTrait) -> ServiceResult<(BTreeSet<String>, BTreeSet<String>)> {
    let catalogue = catalogue(conn).await?;
    let sensitive = catalogue.iter().filter(|s| s.sensitive).map(|s| s.name.clone()).collect();
    Ok((catalogue.into_iter().map(|s| s.name).collect(), sensitive))
}

/// A stretch of a sort order that one index lists in order. Due dates take two: the dated
/// applications by date, then the undated ones; one `NULLS LAST` order would be sorted anew
/// for each page on SQLite, whose indexes put nulls first.
struct Segment {
    /// The sort key before the id; `None` when every row of the stretch has none.
    key: Option<application::Column>,
    only: Option<Expr>,
}

fn segments(sort: QueueSort) -> Vec<Segment> {
    match sort {
        QueueSort::Oldest | QueueSort::Newest => {
            vec![Segment { key: Some(application::Column::SubmittedAt), only: None }]
        }
        QueueSort::Due => vec![
            Segment { key: Some(application::Column::DueAt), only: Some(application::Column::DueAt.is_not_null()) },
            Segment { key: None, only: Some(application::Column::DueAt.is_null()) },
        ],
    }
}

fn key_of(sort: QueueSort, app: &application::Model) -> Option<i64> {
    match sort {
        QueueSort::Oldest | QueueSort::Newest => app.submitted_at,
        QueueSort::Due => app.due_at,
    }
    .and_then(|at| at.timestamp_nanos_opt())
}

fn cursor_of(sort: QueueSort, page: u64, app: &application::Model) -> String {
    QueueCursor { sort, page, key: key_of(sort, app), id: app.id.clone() }.encode()
}

/// Counts up to one past the bound ("more than" needs no more). With a scope filter the count
/// reads that scope's rows, which carry the status and dates it checks, from one index range;
/// the applications' rows are visited only for the filters those copies do not answer.
fn count_statement(
    filter: &QueueFilter,
    sensitive: &BTreeSet<String>,
    me: &str,
    now: DateTime<Utc>,
) -> SelectStatement {
    let driving = [(ScopeKind::Requested, &filter.scope), (ScopeKind::Granted, &filter.granted)]
        .into_iter()
        .find_map(|(kind, scopes)| scope_names(scopes, sensitive).map(|names| (kind, names)));
    let matching = match driving {
        None => Query::select()
            .expr(Expr::val(1))
            .from(application::Entity)
            .cond_where(condition(filter, sensitive, me, now))
            .limit(QUEUE_COUNT_BOUND + 1)
            .to_owned(),
        Some((kind, names)) => {
            let of_kind_and_names = |rows: &mut SelectStatement, alias: &str| {
                rows.and_where(Expr::col((Alias::new(alias), application_scope::Column::Kind)).eq(kind.as_str()))
                    .and_where(Expr::col((Alias::new(alias), application_scope::Column::Scope)).is_in(names.clone()));
            };
            let mut rows = Query::select();
            rows.expr(Expr::val(1)).from_as(application_scope::Entity, Alias::new("s"));
            of_kind_and_names(&mut rows, "s");
            rows.cond_where(key_condition(
                filter,
                now,
                Expr::col((Alias::new("s"), application_scope::Column::Status)),
                Expr::col((Alias::new("s"), application_scope::Column::SubmittedAt)),
                Expr::col((Alias::new("s"), application_scope::Column::DueAt)),
            ));
            if names.len() > 1 {
                // An application holding several of the names counts once, at the first of
                // them: a lookup in the rows' key, where DISTINCT would read every row of
                // the kind in application order.
                let mut earlier = Query::select();
                earlier.expr(Expr::val(1)).from_as(application_scope::Entity, Alias::new("t"));
                of_kind_and_names(&mut earlier, "t");
                earlier
                    .and_where(
                        Expr::col((Alias::new("t"), application_scope::Column::ApplicationId))
                            .equals((Alias::new("s"), application_scope::Column::ApplicationId)),
                    )
                    .and_where(
                        Expr::col((Alias::new("t"), application_scope::Column::Scope))
                            .lt(Expr::col((Alias::new("s"), application_scope::Column::Scope))),
                    );
                rows.and_where(Expr::not_exists(earlier.to_owned()));
            }
            let others = other_condition(filter, sensitive, me, Some(kind));
            if !others.is_empty() {
                rows.and_where(Expr::exists(
                    Query::select()
                        .expr(Expr::val(1))
                        .from(application::Entity)
                        .and_where(
                            Expr::col((application::Entity, application::Column::Id))
                                .equals((Alias::new("s"), application_scope::Column::ApplicationId)),
                        )
                        .cond_where(others)
                        .to_owned(),
                ));
            }
            rows.limit(QUEUE_COUNT_BOUND + 1).to_owned()
        }
    };
    Query::select().expr(Expr::cust("COUNT(*)")).from_subquery(matching, "matching").to_owned()
}

/// The queries of one page: its conditions and its order, and its count.
struct Plan {
    sort: QueueSort,
    page_condition: Condition,
    count: SelectStatement,
}

impl Plan {
    fn new(filter: &QueueFilter, sensitive: &BTreeSet<String>, me: &str, now: DateTime<Utc>) -> Self {
        Plan {
            sort: filter.sort,
            page_condition: condition(filter, sensitive, me, now),
            count: count_statement(filter, sensitive, me, now),
        }
    }

    /// Up to `limit` rows from `from` on (`None`: the start, or the end when going `back`),
    /// each segment read through its index in order, the next one only when a page is not full.
    fn selects(&self, from: Option<&QueueCursor>, back: bool, limit: u64) -> Vec<Select<application::Entity>> {
        let segments = segments(self.sort);
        let desc = (self.sort == QueueSort::Newest) != back;
        let order = if desc { Order::Desc } else { Order::Asc };
        let at = match from {
            Some(cursor) => usize::from(cursor.key.is_none() && self.sort == QueueSort::Due),
            None if back => segments.len() - 1,
            None => 0,
        };
        let visit: Vec<usize> = if back { (0..=at).rev().collect() } else { (at..segments.len()).collect() };
        visit
            .into_iter()
            .enumerate()
            .map(|(n, i)| {
                let segment = &segments[i];
                let mut condition = self.page_condition.clone();
                if let Some(only) = &segment.only {
                    condition = condition.add(only.clone());
                }
                let id = Expr::col((application::Entity, application::Column::Id));
                if let Some(cursor) = from.filter(|_| n == 0) {
                    let beyond = |row: Expr, value: Expr| if desc { row.lt(value) } else { row.gt(value) };
                    condition = condition.add(match (segment.key, cursor.key) {
                        (Some(key), Some(nanos)) => beyond(
                            Expr::tuple([Expr::col((application::Entity, key)), id]),
                            Expr::tuple([
                                Expr::val(DateTime::from_timestamp_nanos(nanos)),
                                Expr::val(cursor.id.clone()),
                            ]),
                        ),
                        _ => beyond(id, Expr::val(cursor.id.clone())),
                    });
                }
                let mut select = application::Entity::find().filter(condition);
                if let Some(key) = segment.key {
                    select = select.order_by(key, order.clone());
                }
                select.order_by(application::Column::Id, order.clone()).limit(limit)
            })
            .collect()
    }

    async fn fetch(
        &self,
        conn: &impl ConnectionTrait,
        from: Option<&QueueCursor>,
        back: bool,
        limit: u64,
    ) -> ServiceResult<Vec<application::Model>> {
        let mut rows = Vec::new();
        for select in self.selects(from, back, limit) {
            let wanted = limit - rows.len() as u64;
            rows.extend(select.limit(wanted).all(conn).await?);
            if rows.len() as u64 >= limit {
                break;
            }
        }
        if back {
            rows.reverse();
        }
        Ok(rows)
    }

    /// By page number: the rows before it are skipped one by one, so only links that people
    /// type or keep from before cursors come this way.
    async fn fetch_page(&self, conn: &impl ConnectionTrait, page: u64) -> ServiceResult<Vec<application::Model>> {
        let select = application::Entity::find().filter(self.page_condition.clone());
        let select = match self.sort {
            QueueSort::Oldest => {
                select.order_by_asc(application::Column::SubmittedAt).order_by_asc(application::Column::Id)
            }
            QueueSort::Newest => {
                select.order_by_desc(application::Column::SubmittedAt).order_by_desc(application::Column::Id)
            }
            QueueSort::Due => select
                .order_by_with_nulls(application::Column::DueAt, Order::Asc, NullOrdering::Last)
                .order_by_asc(application::Column::Id),
        };
        Ok(select.offset((page - 1) * QUEUE_PAGE_SIZE).limit(QUEUE_PAGE_SIZE + 1).all(conn).await?)
    }

    async fn count(&self, conn: &impl ConnectionTrait) -> ServiceResult<u64> {
        let row = conn.query_one(&self.count).await?;
        let count: i64 = row.map(|r| r.try_get_by_index(0)).transpose()?.unwrap_or_default();
        Ok(count as u64)
    }
}

pub async fn queue(services: &Services, ctx: &Ctx, params: &QueueParams) -> ServiceResult<QueuePage> {
    let actor = ctx.require(Permission::Review)?;
    let conn = services.db();
    let (known, sensitive) = sensitive_scopes(conn).await?;
    let filter =
        QueueFilter::parse(params, |name| known.contains(name)).map_err(|(field, m)| ServiceError::field(field, m))?;
    let now = services.clock().now();
    let plan = Plan::new(&filter, &sensitive, &actor.user_id, now);
    let size = QUEUE_PAGE_SIZE;
    let (mut apps, page, has_previous, has_next) = match &filter.position {
        QueuePosition::Page(1) => {
            let apps = plan.fetch(conn, None, false, size + 1).await?;
            let more = apps.len() as u64 > size;
            (apps, 1, false, more)
        }
        QueuePosition::Page(page) => {
            let apps = plan.fetch_page(conn, *page).await?;
            let more = apps.len() as u64 > size;
            (apps, *page, true, more)
        }
        QueuePosition::After(cursor) => {
            let apps = plan.fetch(conn, Some(cursor), false, size + 1).await?;
            let more = apps.len() as u64 > size;
            (apps, Ord::min(cursor.page.saturating_add(1), MAX_PAGE), true, more)
        }
        QueuePosition::Before(cursor) => {
            let mut apps = plan.fetch(conn, Some(cursor), true, size + 1).await?;
            if apps.len() as u64 > size {
                // Read backwards, so the surplus row is the first.
                apps.remove(0);
                (apps, Ord::max(cursor.page.saturating_sub(1), 2), true, true)
            } else {
                // Back at the start: the first page, full, as its own link shows it.
                let apps = plan.fetch(conn, None, false, size + 1).await?;
                let more = apps.len() as u64 > size;
                (apps, 1, false, more)
            }
        }
    };
    apps.truncate(size as usize);
    let next = has_next.then(|| apps.last().map(|app| cursor_of(filter.sort, page, app))).flatten();
    let previous = has_previous.then(|| apps.first().map(|app| cursor_of(filter.sort, page, app))).flatten();
    let counted = plan.count(conn).await?;
    Ok(QueuePage {
        items: rows(conn, apps, &sensitive, &actor.user_id, now).await?,
        page,
        per_page: size,
        total: Ord::min(counted, QUEUE_COUNT_BOUND),
        total_exceeds: counted > QUEUE_COUNT_BOUND,
        next,
        previous,
    })
}

/// The statements behind the first page of the queue for these parameters, as the database
/// receives them: the rows, read through each segment's index, then the count. For checking
/// with `EXPLAIN` that indexes answer them.
pub async fn statements(services: &Services, ctx: &Ctx, params: &QueueParams) -> ServiceResult<Vec<Statement>> {
    let actor = ctx.require(Permission::Review)?;
    let conn = services.db();
    let (known, sensitive) = sensitive_scopes(conn).await?;
    let filter =
        QueueFilter::parse(params, |name| known.contains(name)).map_err(|(field, m)| ServiceError::field(field, m))?;
    let plan = Plan::new(&filter, &sensitive, &actor.user_id, services.clock().now());
    let backend = conn.get_database_backend();
    let mut statements: Vec<Statement> =
        plan.selects(None, false, QUEUE_PAGE_SIZE + 1).into_iter().map(|select| select.build(backend)).collect();
    statements.push(backend.build(&plan.count));
    Ok(statements)
}

/// What is assigned to the caller, and what another reviewer approved once and waits for a
/// second approval.
/// `page` pages what is assigned; what waits for a second approval is always shown whole.
pub async fn dashboard(services: &Services, ctx: &Ctx, page: Option<PageNumber>) -> ServiceResult<Dashboard> {
    let actor = ctx.require(Permission::Review)?;
    let conn = services.db();
    let (_, sensitive) = sensitive_scopes(conn).await?;
    let now = services.clock().now();
    let page = page_number(page);
    let mine = QueueFilter {
        status: StatusFilter::Open,
        scope: ScopeFilter::Any,
        granted: ScopeFilter::Any,
        assignee: AssigneeFilter::Me,
        overdue: false,
        q: String::new(),
        sort: QueueSort::Due,
        position: QueuePosition::Page(page),
        appeal_pending: false,
    };
    let paginator = application::Entity::find()
        .filter(condition(&mine, &sensitive, &actor.user_id, now))
        .order_by_with_nulls(application::Column::DueAt, Order::Asc, NullOrdering::Last)
        .order_by_asc(application::Column::Id)
        .paginate(conn, QUEUE_PAGE_SIZE);
    let total = paginator.num_items().await?;
    let assigned = paginator.fetch_page(page - 1).await?;
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
        page,
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
    let orgs = crate::orgs::names(conn, apps.iter().map(|a| a.org_id.as_str())).await?;
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
    let appeals = appeal::Entity::find().filter(appeal::Column::ApplicationId.is_in(ids.clone())).all(conn).await?;
    let people: BTreeSet<String> = assignments
        .iter()
        .map(|a| a.reviewer_id.clone())
        .chain(first_approvals.iter().map(|d| d.decided_by.clone()))
        .collect();
    let names = crate::accounts::names(conn, people.iter().map(String::as_str)).await?;
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
                appeal: appeals
                    .iter()
                    .find(|a| a.application_id == app.id && a.revision == app.revision)
                    .map(|a| crate::stored::parse("appeals.status", &a.status))
                    .transpose()?,
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
