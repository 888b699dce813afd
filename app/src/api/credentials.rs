use crate::error::AppError;
use leptos::prelude::*;
use portcullis_domain::application::view::ApplicationView;
use portcullis_domain::credential::{
    CollectedSecret, CredentialOverview, ForcedRotation, GatewayKeyView, IssuedCredential, NewGatewayKey, RotatedSecret,
};
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use {
    super::ssr::caller,
    portcullis_domain::account::StepUpRequest,
    portcullis_domain::credential::{Environment, GatewayKeyInput, IssueInput, ReasonInput},
    portcullis_service::{ServiceError, applications, applications::suspension, credentials, session_auth},
};

/// The credentials page: the application, its credentials, what the caller may do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CredentialsPageData {
    pub application: ApplicationView,
    pub overview: CredentialOverview,
}

#[server(prefix = "/rpc", endpoint = "credentials_page")]
pub async fn credentials_page(id: String) -> Result<CredentialsPageData, AppError> {
    let (services, ctx, _) = caller().await?;
    let application = applications::get(&services, &ctx, &id).await?;
    let overview = credentials::overview(&services, &ctx, &id).await?;
    Ok(CredentialsPageData { application, overview })
}

#[server(prefix = "/rpc", endpoint = "issue_credentials")]
pub async fn issue_credentials(id: String, environment: String) -> Result<IssuedCredential, AppError> {
    let (services, ctx, _) = caller().await?;
    let environment = Environment::parse(&environment)
        .ok_or_else(|| AppError::from(ServiceError::field("environment", "Choose sandbox or production.")))?;
    Ok(credentials::issue(&services, &ctx, &id, IssueInput { environment }).await?)
}

#[server(prefix = "/rpc", endpoint = "rotate_credentials")]
pub async fn rotate_credentials(client_id: String) -> Result<RotatedSecret, AppError> {
    let (services, ctx, _) = caller().await?;
    Ok(credentials::rotate(&services, &ctx, &client_id).await?)
}

#[server(prefix = "/rpc", endpoint = "collect_secret")]
pub async fn collect_secret(client_id: String) -> Result<CollectedSecret, AppError> {
    let (services, ctx, _) = caller().await?;
    Ok(credentials::collect(&services, &ctx, &client_id).await?)
}

#[server(prefix = "/rpc", endpoint = "force_rotation")]
pub async fn force_rotation(client_id: String) -> Result<ForcedRotation, AppError> {
    let (services, ctx, _) = caller().await?;
    Ok(credentials::force_rotation(&services, &ctx, &client_id).await?)
}

/// Proves it is still the signed-in person before a dangerous action: a code of the second
/// factor, or the password for accounts without one (an empty field counts as none).
#[server(prefix = "/rpc", endpoint = "step_up")]
pub async fn step_up(code: Option<String>, password: Option<String>) -> Result<(), AppError> {
    let (services, ctx, session) = caller().await?;
    let given = |value: Option<String>| value.filter(|value| !value.trim().is_empty());
    let input = StepUpRequest { code: given(code), password: given(password) };
    Ok(session_auth::step_up(&services, &session, &ctx, input).await?)
}

/// The web UI always asks why: the reason is mailed to the organisation.
#[server(prefix = "/rpc", endpoint = "revoke_credentials")]
pub async fn revoke_credentials(client_id: String, reason: String) -> Result<(), AppError> {
    let (services, ctx, _) = caller().await?;
    portcullis_domain::credential::check_reason(&reason)
        .map_err(|m| AppError::from(ServiceError::field("reason", m)))?;
    Ok(credentials::revoke(&services, &ctx, &client_id, ReasonInput { reason }).await?)
}

/// `change`: `suspend` or `reinstate`.
#[server(prefix = "/rpc", endpoint = "change_access")]
pub async fn change_access(id: String, change: String, reason: String) -> Result<ApplicationView, AppError> {
    let (services, ctx, _) = caller().await?;
    let input = ReasonInput { reason };
    Ok(match change.as_str() {
        "suspend" => suspension::suspend(&services, &ctx, &id, input).await?,
        _ => suspension::reinstate(&services, &ctx, &id, input).await?,
    })
}

#[server(prefix = "/rpc", endpoint = "list_gateway_keys")]
pub async fn list_gateway_keys() -> Result<Vec<GatewayKeyView>, AppError> {
    let (services, ctx, _) = caller().await?;
    Ok(credentials::list_gateway_keys(&services, &ctx).await?)
}

#[server(prefix = "/rpc", endpoint = "create_gateway_key")]
pub async fn create_gateway_key(name: String) -> Result<NewGatewayKey, AppError> {
    let (services, ctx, _) = caller().await?;
    Ok(credentials::create_gateway_key(&services, &ctx, GatewayKeyInput { name }).await?)
}

#[server(prefix = "/rpc", endpoint = "revoke_gateway_key")]
pub async fn revoke_gateway_key(id: String) -> Result<(), AppError> {
    let (services, ctx, _) = caller().await?;
    Ok(credentials::revoke_gateway_key(&services, &ctx, &id).await?)
}
