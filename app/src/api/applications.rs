use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use portcullis_domain::admin::Page;
use portcullis_domain::application::content::ApplicationPatch;
use portcullis_domain::application::next_step::NextStep;
use portcullis_domain::application::scope::ScopeView;
pub use portcullis_domain::application::view::ApplicationStatusPage;
use portcullis_domain::application::view::{ApplicationSummary, ApplicationView, MessageView};
use portcullis_domain::ids::{ApplicationId, MockupId};

#[cfg(feature = "ssr")]
use {
    super::ssr::caller,
    portcullis_domain::admin::PageNumber,
    portcullis_domain::application::appeal::{AppealDecisionInput, AppealInput, AppealOutcome},
    portcullis_domain::application::view::{ApplicationQuery, CreateApplicationInput, MessageInput},
    portcullis_service::applications::{self, appeals, messages, mockups, submission},
};

#[server(prefix = "/rpc", endpoint = "scope_catalogue")]
pub async fn scope_catalogue() -> Result<Vec<ScopeView>, AppError> {
    let (services, _, _) = caller().await?;
    Ok(applications::scopes(&services).await?)
}

#[server(prefix = "/rpc", endpoint = "next_steps")]
pub async fn next_steps() -> Result<Vec<NextStep>, AppError> {
    let (services, ctx, _) = caller().await?;
    Ok(applications::next_steps(&services, &ctx).await?)
}

#[server(prefix = "/rpc", endpoint = "list_applications")]
pub async fn list_applications(
    status: Option<String>,
    page: Option<u64>,
) -> Result<Page<ApplicationSummary>, AppError> {
    let (services, ctx, _) = caller().await?;
    let status = status.and_then(|s| s.parse().ok());
    Ok(applications::list(&services, &ctx, &ApplicationQuery { status, page: page.map(PageNumber::clamped) }).await?)
}

#[server(prefix = "/rpc", endpoint = "create_application")]
pub async fn create_application(org_id: String, name: String) -> Result<ApplicationView, AppError> {
    let (services, ctx, _) = caller().await?;
    let application = applications::create(&services, &ctx, CreateApplicationInput { org_id, name }).await?;
    leptos_axum::redirect(&format!("/applications/{}/edit", application.id));
    Ok(application)
}

#[server(prefix = "/rpc", endpoint = "get_application")]
pub async fn get_application(id: String) -> Result<ApplicationView, AppError> {
    let (services, ctx, _) = caller().await?;
    Ok(applications::get(&services, &ctx, &id).await?)
}

/// Autosave: JSON, since the form's structure (scopes, countries…) is nested.
#[server(prefix = "/rpc", endpoint = "save_application", input = Json)]
pub async fn save_application(id: String, patch: ApplicationPatch) -> Result<ApplicationView, AppError> {
    let (services, ctx, _) = caller().await?;
    Ok(applications::update(&services, &ctx, &id, patch).await?)
}

#[server(prefix = "/rpc", endpoint = "submit_application")]
pub async fn submit_application(id: String) -> Result<ApplicationView, AppError> {
    let (services, ctx, _) = caller().await?;
    let application = submission::submit(&services, &ctx, &id).await?;
    leptos_axum::redirect(&format!("/applications/{id}"));
    Ok(application)
}

#[server(prefix = "/rpc", endpoint = "recertify_application")]
pub async fn recertify_application(id: String) -> Result<ApplicationView, AppError> {
    let (services, ctx, _) = caller().await?;
    Ok(submission::recertify(&services, &ctx, &id).await?)
}

#[server(prefix = "/rpc", endpoint = "withdraw_application")]
pub async fn withdraw_application(id: String) -> Result<ApplicationView, AppError> {
    let (services, ctx, _) = caller().await?;
    Ok(submission::withdraw(&services, &ctx, &id).await?)
}

/// `from` and `to`: revisions to compare, when both are given; `messages_page`: the page of
/// the message thread (1, the latest, when not given).
#[server(prefix = "/rpc", endpoint = "application_page")]
pub async fn application_page(
    id: String,
    from: Option<i64>,
    to: Option<i64>,
    messages_page: Option<u64>,
) -> Result<ApplicationStatusPage, AppError> {
    let (services, ctx, _) = caller().await?;
    let compare = from.zip(to);
    Ok(applications::page(&services, &ctx, &id, compare, messages_page.map(PageNumber::clamped)).await?)
}

#[server(prefix = "/rpc", endpoint = "post_message")]
pub async fn post_message(id: String, body: String) -> Result<MessageView, AppError> {
    let (services, ctx, _) = caller().await?;
    Ok(messages::post(&services, &ctx, &id, MessageInput { body }).await?)
}

#[server(prefix = "/rpc", endpoint = "appeal_application")]
pub async fn appeal_application(id: String, reasons: String) -> Result<ApplicationView, AppError> {
    let (services, ctx, _) = caller().await?;
    Ok(appeals::file(&services, &ctx, &id, AppealInput { reasons }).await?)
}

/// `outcome`: `upheld` or `overturned`, as the panel's radio buttons send it.
#[server(prefix = "/rpc", endpoint = "decide_appeal")]
pub async fn decide_appeal(id: String, outcome: String, reason: String) -> Result<ApplicationView, AppError> {
    let (services, ctx, _) = caller().await?;
    let outcome = match outcome.as_str() {
        "upheld" => AppealOutcome::Upheld,
        "overturned" => AppealOutcome::Overturned,
        _ => {
            let refusal =
                portcullis_service::ServiceError::field("outcome", "Choose to uphold or to overturn the rejection.");
            return Err(refusal.into());
        }
    };
    Ok(appeals::decide(&services, &ctx, &id, AppealDecisionInput { outcome, reason }).await?)
}

#[server(prefix = "/rpc", endpoint = "delete_mockup")]
pub async fn delete_mockup(id: ApplicationId, mockup_id: MockupId) -> Result<(), AppError> {
    let (services, ctx, _) = caller().await?;
    Ok(mockups::delete(&services, &ctx, &id, &mockup_id).await?)
}
