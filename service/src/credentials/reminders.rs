//! Production credentials expire (12 months by default); the organisation is reminded 30 and
//! 7 days before, so it can have the application recertified in time.

use super::environment_of;
use crate::Services;
use crate::applications::submission::{application_link, org_recipients};
use crate::audit::{self, AuditEvent};
use crate::context::Ctx;
use crate::db::begin_write;
use crate::entity::{application, credential};
use crate::error::ServiceResult;
use crate::mail::{enqueue, templates};
use crate::timestamp;
use chrono::Duration;
use portcullis_domain::credential::{Environment, REMINDER_DAYS, reminder_due};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;

/// Sends every reminder that is due; returns how many credentials were reminded about. Safe
/// to run on several instances at once: each reminder is claimed by a conditional update.
pub async fn remind_expiring(services: &Services) -> ServiceResult<usize> {
    let now = services.clock().now();
    let horizon = now + Duration::days(REMINDER_DAYS.into_iter().max().unwrap_or(30));
    let due = credential::Entity::find()
        .filter(credential::Column::Environment.eq(Environment::Production.as_str()))
        .filter(credential::Column::RevokedAt.is_null())
        // A set never collected never worked: nothing to renew.
        .filter(credential::Column::CollectedAt.is_not_null())
        .filter(credential::Column::ExpiresAt.gt(now))
        .filter(credential::Column::ExpiresAt.lte(horizon))
        .all(services.db())
        .await?;
    let mut reminded = 0;
    for row in due {
        let Some(days) = reminder_due(row.expires_at, now, row.last_reminder_days.map(i64::from)) else {
            continue;
        };
        let txn = begin_write(services.db()).await?;
        let mut claim = credential::Entity::update_many()
            .col_expr(credential::Column::LastReminderDays, Expr::value(Some(days as i32)))
            .filter(credential::Column::Id.eq(&row.id));
        claim = match row.last_reminder_days {
            Some(last) => claim.filter(credential::Column::LastReminderDays.eq(last)),
            None => claim.filter(credential::Column::LastReminderDays.is_null()),
        };
        if claim.exec(&txn).await?.rows_affected != 1 {
            continue;
        }
        let Some(app) = application::Entity::find_by_id(&row.application_id).one(&txn).await? else {
            continue;
        };
        let link = application_link(services, &app.id);
        for (to, name) in org_recipients(&txn, &app.org_id).await? {
            let mail = templates::credential_expiring(
                &to,
                &name,
                &app.name,
                &app.reference,
                &row.client_id,
                &timestamp(row.expires_at),
                &link,
            );
            enqueue(&txn, services.clock(), mail).await?;
        }
        audit::record(
            &txn,
            services.clock(),
            &Ctx::system(),
            AuditEvent::new("credential.expiry_reminded", "application", app.id.clone()).details(json!({
                "client_id": row.client_id,
                "environment": environment_of(&row)?.as_str(),
                "days_before": days,
                "expires_at": timestamp(row.expires_at),
            })),
        )
        .await?;
        txn.commit().await?;
        reminded += 1;
    }
    if reminded > 0 {
        services.wake_mail_worker();
    }
    Ok(reminded)
}
