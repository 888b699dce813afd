use crate::error::AppError;
use leptos::prelude::*;
use portcullis_domain::application::view::ApplicationView;
use portcullis_domain::ids::{ApplicationId, ItemId};
use portcullis_domain::review::queue::{Dashboard, QueuePage, QueueParams};
use portcullis_domain::review::view::{ReviewPageView, ReviewView, ReviewsView};

#[cfg(feature = "ssr")]
use {
    super::ssr::caller,
    portcullis_domain::admin::PageNumber,
    portcullis_domain::review::checklist::Verdict,
    portcullis_domain::review::decision::{DecisionInput, DecisionKind},
    portcullis_domain::review::view::VerdictInput,
    portcullis_service::ServiceError,
    portcullis_service::review::{self, queue, reviews},
};

/// With every filter unset the form encoding sends nothing at all, hence the default.
#[server(prefix = "/rpc", endpoint = "review_queue")]
pub async fn review_queue(#[server(default)] params: QueueParams) -> Result<QueuePage, AppError> {
    let (services, ctx, _) = caller().await?;
    Ok(queue::queue(&services, &ctx, &params).await?)
}

#[server(prefix = "/rpc", endpoint = "review_dashboard")]
pub async fn review_dashboard(page: Option<u64>) -> Result<Dashboard, AppError> {
    let (services, ctx, _) = caller().await?;
    Ok(queue::dashboard(&services, &ctx, page.map(PageNumber::clamped)).await?)
}

#[server(prefix = "/rpc", endpoint = "review_page")]
pub async fn review_page(id: String) -> Result<ReviewPageView, AppError> {
    let (services, ctx, _) = caller().await?;
    Ok(reviews::page(&services, &ctx, &id).await?)
}

#[server(prefix = "/rpc", endpoint = "all_reviews")]
pub async fn all_reviews(id: String) -> Result<ReviewsView, AppError> {
    let (services, ctx, _) = caller().await?;
    Ok(reviews::all(&services, &ctx, &id).await?)
}

/// `verdict`: `pass`, `fail`, `na`, or empty to clear.
#[server(prefix = "/rpc", endpoint = "record_verdict")]
pub async fn record_verdict(
    id: ApplicationId,
    item_id: ItemId,
    verdict: String,
    note: String,
) -> Result<ReviewView, AppError> {
    let (services, ctx, _) = caller().await?;
    let verdict = match verdict.as_str() {
        "" => None,
        other => Some(
            Verdict::parse(other).ok_or_else(|| AppError::from(ServiceError::field("verdict", "Choose a verdict.")))?,
        ),
    };
    Ok(reviews::record(&services, &ctx, &id, &item_id, VerdictInput { verdict, note }).await?)
}

#[server(prefix = "/rpc", endpoint = "claim_application")]
pub async fn claim_application(id: String) -> Result<ApplicationView, AppError> {
    let (services, ctx, _) = caller().await?;
    let application = review::assign(&services, &ctx, &id, None).await?;
    leptos_axum::redirect(&format!("/applications/{id}/review"));
    Ok(application)
}

/// `decision`: `approve`, `request_changes` or `reject`; `granted_scopes` only for approvals;
/// `revision` and `version` as the page showed them. The page offers deciding only to the
/// application's reviewers, so no override reason comes from it.
#[server(prefix = "/rpc", endpoint = "decide_application")]
pub async fn decide_application(
    id: String,
    decision: String,
    #[server(default)] granted_scopes: Vec<String>,
    message: String,
    revision: i64,
    version: i64,
) -> Result<ApplicationView, AppError> {
    let (services, ctx, _) = caller().await?;
    let decision = match decision.as_str() {
        "approve" => DecisionKind::Approve,
        "request_changes" => DecisionKind::RequestChanges,
        "reject" => DecisionKind::Reject,
        _ => return Err(ServiceError::field("decision", "Choose a decision.").into()),
    };
    let input = DecisionInput { decision, granted_scopes, message, revision, version, override_reason: String::new() };
    let application = review::decide(&services, &ctx, &id, input).await?;
    leptos_axum::redirect(&format!("/applications/{id}"));
    Ok(application)
}
