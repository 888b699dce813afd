//! The admins' work list: approved applications that have no live production credentials.

use crate::Services;
use crate::applications::summary;
use crate::context::Ctx;
use crate::entity::{application, credential};
use crate::error::ServiceResult;
use portcullis_domain::application::status::ApplicationStatus;
use portcullis_domain::application::view::ApplicationSummary;
use portcullis_domain::credential::Environment;
use portcullis_domain::role::Permission;
use sea_orm::sea_query::Query;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

/// More than an admin works through at once.
const AWAITING_SHOWN: u64 = 50;

/// Approved applications without live production credentials, the longest waiting first.
pub async fn awaiting_production(services: &Services, ctx: &Ctx) -> ServiceResult<Vec<ApplicationSummary>> {
    ctx.require(Permission::ManageUsers)?;
    let now = services.clock().now();
    let live = Query::select()
        .column(credential::Column::ApplicationId)
        .from(credential::Entity)
        .and_where(credential::Column::Environment.eq(Environment::Production.as_str()))
        .and_where(credential::Column::RevokedAt.is_null())
        .and_where(credential::Column::ExpiresAt.gt(now))
        .to_owned();
    let rows = application::Entity::find()
        .filter(application::Column::Status.eq(ApplicationStatus::Approved.as_str()))
        .filter(application::Column::Id.not_in_subquery(live))
        .order_by_asc(application::Column::UpdatedAt)
        .limit(AWAITING_SHOWN)
        .all(services.db())
        .await?;
    let names = crate::orgs::names(services.db(), rows.iter().map(|a| a.org_id.as_str())).await?;
    rows.iter().map(|app| summary(app, names.get(&app.org_id).cloned().unwrap_or_default())).collect()
}
