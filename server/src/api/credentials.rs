//! Credentials and gateway keys. Secrets appear only in the responses that create them.

use super::applications::{ApplicationBody, body};
use crate::http::error::{ApiError, ApiResult};
use crate::http::extract::{ApiJson, Caller};
use crate::http::state::AppState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use portcullis_domain::credential::{
    CredentialView, ForcedRotation, GatewayKeyInput, GatewayKeyView, IssueInput, ReasonInput,
};
use portcullis_service::applications::suspension;
use portcullis_service::credentials;
use serde::Serialize;

/// A response that may carry a secret: never stored by a cache.
fn no_store(status: StatusCode, body: impl Serialize) -> Response {
    let mut response = (status, Json(body)).into_response();
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn secret_response(body: impl Serialize) -> Response {
    no_store(StatusCode::CREATED, body)
}

#[derive(Serialize)]
pub struct CredentialList {
    items: Vec<CredentialView>,
}

pub async fn issue(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<IssueInput>,
) -> ApiResult<Response> {
    Ok(secret_response(credentials::issue(&state.services, &caller.ctx, &id, input).await?))
}

pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<CredentialList>> {
    Ok(Json(CredentialList { items: credentials::list(&state.services, &caller.ctx, &id).await? }))
}

pub async fn rotate(
    State(state): State<AppState>,
    caller: Caller,
    Path(client_id): Path<String>,
) -> ApiResult<Response> {
    Ok(secret_response(credentials::rotate(&state.services, &caller.ctx, &client_id).await?))
}

/// An owner's one look at a production secret.
pub async fn collect(
    State(state): State<AppState>,
    caller: Caller,
    Path(client_id): Path<String>,
) -> ApiResult<Response> {
    let collected = credentials::collect(&state.services, &caller.ctx, &client_id).await?;
    Ok(no_store(StatusCode::OK, collected))
}

/// An admin replaces a production secret; the owners collect the new one.
pub async fn force_rotation(
    State(state): State<AppState>,
    caller: Caller,
    Path(client_id): Path<String>,
) -> ApiResult<Json<ForcedRotation>> {
    Ok(Json(credentials::force_rotation(&state.services, &caller.ctx, &client_id).await?))
}

/// The body `{reason}` is optional here (the contract's scripts may send none); the web UI
/// always asks for a reason.
pub async fn revoke(
    State(state): State<AppState>,
    caller: Caller,
    Path(client_id): Path<String>,
    body: Bytes,
) -> ApiResult<StatusCode> {
    let input: ReasonInput = if body.iter().all(u8::is_ascii_whitespace) {
        ReasonInput::default()
    } else {
        serde_json::from_slice(&body).map_err(|e| ApiError::BadRequest(format!("Invalid JSON body: {e}")))?
    };
    credentials::revoke(&state.services, &caller.ctx, &client_id, input).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn suspend(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<ReasonInput>,
) -> ApiResult<Json<ApplicationBody>> {
    Ok(body(suspension::suspend(&state.services, &caller.ctx, &id, input).await?))
}

pub async fn reinstate(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<ReasonInput>,
) -> ApiResult<Json<ApplicationBody>> {
    Ok(body(suspension::reinstate(&state.services, &caller.ctx, &id, input).await?))
}

#[derive(Serialize)]
pub struct GatewayKeyList {
    items: Vec<GatewayKeyView>,
}

pub async fn create_gateway_key(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<GatewayKeyInput>,
) -> ApiResult<Response> {
    Ok(secret_response(credentials::create_gateway_key(&state.services, &caller.ctx, input).await?))
}

pub async fn list_gateway_keys(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<GatewayKeyList>> {
    Ok(Json(GatewayKeyList { items: credentials::list_gateway_keys(&state.services, &caller.ctx).await? }))
}

pub async fn revoke_gateway_key(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    credentials::revoke_gateway_key(&state.services, &caller.ctx, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
