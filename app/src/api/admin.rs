use crate::error::AppError;
use leptos::prelude::*;
use portcullis_domain::admin::{AuditRecordView, MailView, Page, UserSummary};
use portcullis_domain::application::view::ApplicationSummary;

#[cfg(feature = "ssr")]
use {
    super::ssr::caller,
    portcullis_domain::admin::{AuditQuery, PageNumber, UserQuery},
    portcullis_service::accounts,
};

#[server(prefix = "/rpc", endpoint = "list_users")]
pub async fn list_users(q: Option<String>, page: Option<u64>) -> Result<Page<UserSummary>, AppError> {
    let (services, ctx, _) = caller().await?;
    Ok(accounts::list_users(&services, &ctx, &UserQuery { q, page: page.map(PageNumber::clamped) }).await?)
}

/// `reviewer`, `admin` and `auditor` arrive as checkbox values ("on" when ticked, absent otherwise).
#[server(prefix = "/rpc", endpoint = "set_roles")]
pub async fn set_roles(
    user_id: String,
    reviewer: Option<String>,
    admin: Option<String>,
    auditor: Option<String>,
) -> Result<UserSummary, AppError> {
    use portcullis_domain::role::Role;
    let (services, ctx, _) = caller().await?;
    let roles = [(reviewer, Role::Reviewer), (admin, Role::Admin), (auditor, Role::Auditor)]
        .into_iter()
        .filter_map(|(ticked, role)| ticked.map(|_| role))
        .collect();
    Ok(accounts::set_roles(&services, &ctx, &user_id, roles).await?)
}

#[server(prefix = "/rpc", endpoint = "set_disabled")]
pub async fn set_disabled(user_id: String, disabled: bool) -> Result<UserSummary, AppError> {
    let (services, ctx, _) = caller().await?;
    if disabled {
        Ok(accounts::disable(&services, &ctx, &user_id).await?)
    } else {
        Ok(accounts::enable(&services, &ctx, &user_id).await?)
    }
}

#[server(prefix = "/rpc", endpoint = "list_audit")]
pub async fn list_audit(
    action: Option<String>,
    actor: Option<String>,
    object_id: Option<String>,
    page: Option<u64>,
) -> Result<Page<AuditRecordView>, AppError> {
    let (services, ctx, _) = caller().await?;
    let query = AuditQuery { action, actor, object_id, page: page.map(PageNumber::clamped) };
    Ok(portcullis_service::audit::list(&services, &ctx, &query).await?)
}

#[server(prefix = "/rpc", endpoint = "list_mail")]
pub async fn list_mail(status: Option<String>, page: Option<u64>) -> Result<Page<MailView>, AppError> {
    let (services, ctx, _) = caller().await?;
    Ok(portcullis_service::mail::outbox::list(services.db(), &ctx, status.as_deref(), page.map(PageNumber::clamped))
        .await?)
}

/// Approved applications still without production credentials: the admins' work list.
#[server(prefix = "/rpc", endpoint = "awaiting_production")]
pub async fn awaiting_production() -> Result<Vec<ApplicationSummary>, AppError> {
    let (services, ctx, _) = caller().await?;
    Ok(portcullis_service::credentials::awaiting_production(&services, &ctx).await?)
}
