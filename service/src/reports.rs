//! Programme reports: reads the rows a report counts, bounded by its range, and leaves the
//! counting to `portcullis_domain::report`.

use crate::Services;
use crate::applications::catalogue;
use crate::applications::scopes::ScopeKind;
use crate::context::Ctx;
use crate::entity::{application_event, application_scope, credential};
use crate::error::{ServiceError, ServiceResult};
use crate::timestamp;
use chrono::{DateTime, Duration, Utc};
use portcullis_domain::application::scope::ScopeList;
use portcullis_domain::report::{
    self, AppealEvent, AppealStep, ApplicationHistory, CredentialSpan, Milestone, ProgrammeReport, ReportInput,
    ReportQuery, ReportRange,
};
use portcullis_domain::role::Permission;
use sea_orm::sea_query::Condition;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Applications per `IN (…)` list: well under every database's limit of bound values.
const CHUNK: usize = 500;

/// The report `query` asks for (admins and auditors; an auditor's reading is recorded).
pub async fn programme(services: &Services, ctx: &Ctx, query: &ReportQuery) -> ServiceResult<ProgrammeReport> {
    ctx.require(Permission::Inspect)?;
    let now = services.clock().now();
    let range =
        ReportRange::parse(query.from.as_deref(), query.to.as_deref(), query.period.as_deref(), now.date_naive())
            .map_err(ServiceError::Validation)?;
    let db = services.db();
    let names: Vec<String> = catalogue(db).await?.into_iter().map(|s| s.name).collect();
    let scope = query.scope.as_deref().map(str::trim).filter(|s| !s.is_empty());
    if let Some(scope) = scope
        && !names.iter().any(|name| name == scope)
    {
        return Err(ServiceError::field("scope", "Choose a scope of the catalogue."));
    }
    crate::audit::record_inspection(services, ctx, "report", None, "programme report").await?;
    let target_days = services.config().review_target_days;
    let applications = histories(db, &range, target_days).await?;
    let credentials = production_credentials(db, &range).await?;
    let appeals = appeals(db, &range).await?;
    let input = ReportInput {
        range,
        target_days,
        now,
        applications: &applications,
        credentials: &credentials,
        appeals: &appeals,
    };
    Ok(report::report(&input, scope, &names, timestamp(now)))
}

/// Every application with a milestone in the range, or whose review could fall due in it: a
/// review started up to `target_days` business days before the range can be due inside it,
/// and twice as many calendar days always hold that many business days.
async fn histories(
    db: &impl ConnectionTrait,
    range: &ReportRange,
    target_days: u32,
) -> ServiceResult<Vec<ApplicationHistory>> {
    let lookback = range.start() - Duration::days(2 * i64::from(target_days) + 7);
    let ids: Vec<String> = application_event::Entity::find()
        .select_only()
        .column(application_event::Column::ApplicationId)
        .distinct()
        .filter(application_event::Column::At.gte(lookback))
        .filter(application_event::Column::At.lt(range.end()))
        .filter(application_event::Column::Kind.is_in(Milestone::EVENT_KINDS))
        .into_tuple()
        .all(db)
        .await?;
    let mut histories = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(CHUNK) {
        let mut scopes = requested_scopes(db, chunk).await?;
        // The whole story up to the range's end: the review clock's days used and the first
        // submission may lie before the range.
        let events: Vec<(String, String, DateTime<Utc>)> = application_event::Entity::find()
            .select_only()
            .column(application_event::Column::ApplicationId)
            .column(application_event::Column::Kind)
            .column(application_event::Column::At)
            .filter(application_event::Column::ApplicationId.is_in(chunk.iter().cloned()))
            .filter(application_event::Column::Kind.is_in(Milestone::EVENT_KINDS))
            .filter(application_event::Column::At.lt(range.end()))
            .order_by_asc(application_event::Column::Seq)
            .into_tuple()
            .all(db)
            .await?;
        let mut milestones: BTreeMap<String, Vec<(DateTime<Utc>, Milestone)>> = BTreeMap::new();
        for (id, kind, at) in events {
            let milestone = Milestone::from_event_kind(&kind)
                .ok_or_else(|| ServiceError::Internal(format!("unknown timeline event `{kind}`")))?;
            milestones.entry(id).or_default().push((at, milestone));
        }
        histories.extend(
            milestones.into_iter().map(|(id, milestones)| ApplicationHistory {
                scopes: scopes.remove(&id).unwrap_or_default(),
                milestones,
            }),
        );
    }
    Ok(histories)
}

/// A production credential's scopes, issue time, expiry and revocation.
type CredentialRow = (String, DateTime<Utc>, DateTime<Utc>, Option<DateTime<Utc>>);

/// Production credentials active at some moment of the range.
async fn production_credentials(db: &impl ConnectionTrait, range: &ReportRange) -> ServiceResult<Vec<CredentialSpan>> {
    let rows: Vec<CredentialRow> = credential::Entity::find()
        .select_only()
        .column(credential::Column::Scopes)
        .column(credential::Column::CreatedAt)
        .column(credential::Column::ExpiresAt)
        .column(credential::Column::RevokedAt)
        .filter(credential::Column::Environment.eq("production"))
        .filter(credential::Column::CreatedAt.lt(range.end()))
        .filter(credential::Column::ExpiresAt.gte(range.start()))
        .filter(
            Condition::any()
                .add(credential::Column::RevokedAt.is_null())
                .add(credential::Column::RevokedAt.gte(range.start())),
        )
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(scopes, issued_at, expires_at, revoked_at)| CredentialSpan {
            scopes: ScopeList::parse(&scopes).into_names(),
            issued_at,
            ended_at: Some(revoked_at.map_or(expires_at, |revoked| revoked.min(expires_at))),
        })
        .collect())
}

/// The scopes each of `ids` requests.
async fn requested_scopes(db: &impl ConnectionTrait, ids: &[String]) -> ServiceResult<HashMap<String, Vec<String>>> {
    let rows: Vec<(String, String)> = application_scope::Entity::find()
        .select_only()
        .column(application_scope::Column::ApplicationId)
        .column(application_scope::Column::Scope)
        .filter(application_scope::Column::ApplicationId.is_in(ids.iter().cloned()))
        .filter(application_scope::Column::Kind.eq(ScopeKind::Requested.as_str()))
        .into_tuple()
        .all(db)
        .await?;
    let mut scopes: HashMap<String, Vec<String>> = HashMap::new();
    for (id, scope) in rows {
        scopes.entry(id).or_default().push(scope);
    }
    Ok(scopes)
}

/// Appeals filed, upheld and overturned in the range, from the timeline entries their filing
/// and decision write, each with the scopes its application requests.
async fn appeals(db: &impl ConnectionTrait, range: &ReportRange) -> ServiceResult<Vec<AppealEvent>> {
    let steps = [
        ("appealed", AppealStep::Filed),
        ("appeal_upheld", AppealStep::Upheld),
        ("appeal_overturned", AppealStep::Overturned),
    ];
    let rows: Vec<(String, String, DateTime<Utc>)> = application_event::Entity::find()
        .select_only()
        .column(application_event::Column::ApplicationId)
        .column(application_event::Column::Kind)
        .column(application_event::Column::At)
        .filter(application_event::Column::At.gte(range.start()))
        .filter(application_event::Column::At.lt(range.end()))
        .filter(application_event::Column::Kind.is_in(steps.map(|(kind, _)| kind)))
        .into_tuple()
        .all(db)
        .await?;
    // An application filed and decided in the range is read once.
    let ids: Vec<String> = rows.iter().map(|(id, ..)| id.clone()).collect::<BTreeSet<_>>().into_iter().collect();
    let mut scopes = HashMap::new();
    for chunk in ids.chunks(CHUNK) {
        scopes.extend(requested_scopes(db, chunk).await?);
    }
    Ok(rows
        .into_iter()
        .filter_map(|(id, kind, at)| {
            let step = steps.iter().find(|(k, _)| *k == kind)?.1;
            Some(AppealEvent { scopes: scopes.get(&id).cloned().unwrap_or_default(), at, step })
        })
        .collect())
}
