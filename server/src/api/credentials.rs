//! Credentials and gateway keys. Secrets appear only in the responses that create them.

use super::applications::{ApplicationBody, body};
use crate::http::error::{ApiError, ApiResult, ErrorBody};
use crate::http::extract::{ApiJson, Caller};
use crate::http::state::AppState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use portcullis_domain::credential::{
    CollectedSecret, CredentialView, ForcedRotation, GatewayKeyInput, GatewayKeyView, IssueInput, IssuedCredential,
    NewGatewayKey, ReasonInput, RotatedSecret,
};
use portcullis_service::applications::suspension;
use portcullis_service::credentials;
use serde::Serialize;
use utoipa::ToSchema;

/// A response that may carry a secret: never stored by a cache.
fn no_store(status: StatusCode, body: impl Serialize) -> Response {
    let mut response = (status, Json(body)).into_response();
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn secret_response(body: impl Serialize) -> Response {
    no_store(StatusCode::CREATED, body)
}

#[derive(Serialize, ToSchema)]
pub struct CredentialList {
    items: Vec<CredentialView>,
}

#[utoipa::path(
    post,
    path = "/applications/{id}/credentials",
    tag = "credentials",
    summary = "Issue credentials. Sandbox: members of the organisation (or admins) once the application is submitted, with the requested scopes; the secret appears in this response only (`Cache-Control: no-store`). Production: admins only, for an approved application, with exactly the granted scopes; the response has no secret: the organisation's owners are mailed and collect it (`POST /credentials/{client_id}/collect`) before `collect_by`. One active set per application and environment (a set whose secret lapsed uncollected does not count).",
    params(("id" = String, Path)),
    request_body = IssueInput,
    responses(
        (status = 201, description = "Issued. Sandbox: keep the secret now, it is never shown again. Production: ready to collect by an owner.", body = IssuedCredential),
        (status = 400, description = "Malformed request.", body = ErrorBody),
        (status = 403, description = "Not allowed: production credentials are for admins; sandbox ones for the organisation and admins.", body = ErrorBody),
        (status = 404, description = "No such application, or not yours.", body = ErrorBody),
        (status = 409, description = "The gate is not satisfied (not submitted, not approved, nothing granted) or active credentials exist.", body = ErrorBody),
        (status = 422, description = "Validation failed.", body = ErrorBody),
    ),
)]
pub async fn issue(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<IssueInput>,
) -> ApiResult<Response> {
    Ok(secret_response(credentials::issue(&state.services, &caller.ctx, &id, input).await?))
}

#[utoipa::path(
    get,
    path = "/applications/{id}/credentials",
    operation_id = "list_credentials",
    tag = "credentials",
    summary = "The application's credentials, without any secret.",
    params(("id" = String, Path)),
    responses(
        (status = 200, description = "Newest first.", body = CredentialList),
        (status = 404, description = "No such application, or not yours.", body = ErrorBody),
    ),
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<CredentialList>> {
    Ok(Json(CredentialList { items: credentials::list(&state.services, &caller.ctx, &id).await? }))
}

#[utoipa::path(
    post,
    path = "/credentials/{client_id}/rotate",
    tag = "credentials",
    summary = "Rotate the secret; the new one is in this response only. The replaced secret stays valid for the overlap window (default 7 days); at most two earlier secrets stay valid. Sandbox: the organisation and admins. Production: owners of the organisation only (admins force a rotation instead).",
    params(("client_id" = String, Path)),
    responses(
        (status = 201, description = "The new secret, shown once.", body = RotatedSecret),
        (status = 403, description = "Not allowed.", body = ErrorBody),
        (status = 404, description = "No such credential, or not yours.", body = ErrorBody),
        (status = 409, description = "Revoked, expired, lapsed, or the first secret is still waiting to be collected.", body = ErrorBody),
    ),
)]
pub async fn rotate(
    State(state): State<AppState>,
    caller: Caller,
    Path(client_id): Path<String>,
) -> ApiResult<Response> {
    Ok(secret_response(credentials::rotate(&state.services, &caller.ctx, &client_id).await?))
}

/// An owner's one look at a production secret.
#[utoipa::path(
    post,
    path = "/credentials/{client_id}/collect",
    tag = "credentials",
    summary = "Collect a production secret waiting for the organisation (after issuing, or an admin's forced rotation). Owners of the organisation only, with a fresh sign-in (else 401 `step_up_required`: confirm with `POST /auth/step-up`). The secret is made now and appears in this response only (`Cache-Control: no-store`); the collection is audited.",
    params(("client_id" = String, Path)),
    responses(
        (status = 200, description = "The secret, shown once.", body = CollectedSecret),
        (status = 401, description = "Not signed in, or `step_up_required`: the sign-in is not recent enough.", body = ErrorBody),
        (status = 403, description = "Not an owner of the organisation.", body = ErrorBody),
        (status = 404, description = "No such credential, or not yours.", body = ErrorBody),
        (status = 409, description = "Nothing waits to be collected: collected already, lapsed, revoked or expired.", body = ErrorBody),
    ),
)]
pub async fn collect(
    State(state): State<AppState>,
    caller: Caller,
    Path(client_id): Path<String>,
) -> ApiResult<Response> {
    let collected = credentials::collect(&state.services, &caller.ctx, &client_id).await?;
    Ok(no_store(StatusCode::OK, collected))
}

/// An admin replaces a production secret; the owners collect the new one.
#[utoipa::path(
    post,
    path = "/credentials/{client_id}/force-rotation",
    tag = "credentials",
    summary = "Force a rotation of production credentials (admins). The current secret keeps working for the overlap window, then stops; the owners are mailed to collect a new secret, which the admin never sees.",
    params(("client_id" = String, Path)),
    responses(
        (status = 200, description = "Forced; the owners are asked to collect the new secret.", body = ForcedRotation),
        (status = 403, description = "Not an admin.", body = ErrorBody),
        (status = 404, description = "No such credential.", body = ErrorBody),
        (status = 409, description = "Revoked, expired, or the first secret was never collected.", body = ErrorBody),
    ),
)]
pub async fn force_rotation(
    State(state): State<AppState>,
    caller: Caller,
    Path(client_id): Path<String>,
) -> ApiResult<Json<ForcedRotation>> {
    Ok(Json(credentials::force_rotation(&state.services, &caller.ctx, &client_id).await?))
}

/// The body `{reason}` is optional here (the contract's scripts may send none); the web UI
/// always asks for a reason.
#[utoipa::path(
    post,
    path = "/credentials/{client_id}/revoke",
    tag = "credentials",
    summary = "Revoke at once: every secret and token stops working with this response. The organisation is mailed. Production: admins and owners; sandbox: also members.",
    params(("client_id" = String, Path)),
    request_body(content = Option<ReasonInput>, description = "Optional: `{reason}`, or no body."),
    responses(
        (status = 204, description = "Revoked."),
        (status = 400, description = "Malformed JSON.", body = ErrorBody),
        (status = 403, description = "Not allowed.", body = ErrorBody),
        (status = 404, description = "No such credential, or not yours.", body = ErrorBody),
        (status = 409, description = "Already revoked.", body = ErrorBody),
        (status = 422, description = "The reason is invalid.", body = ErrorBody),
    ),
)]
pub async fn revoke(
    State(state): State<AppState>,
    caller: Caller,
    Path(client_id): Path<String>,
    body: Bytes,
) -> ApiResult<StatusCode> {
    let input: Option<ReasonInput> = if body.iter().all(u8::is_ascii_whitespace) {
        None
    } else {
        serde_json::from_slice(&body).map_err(|e| ApiError::BadRequest(format!("Invalid JSON body: {e}")))?
    };
    let input = input.unwrap_or_default();
    credentials::revoke(&state.services, &caller.ctx, &client_id, input).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    post,
    path = "/applications/{id}/suspend",
    tag = "credentials",
    summary = "Suspend an approved application (admins): every credential and token stops until it is reinstated. The organisation is mailed.",
    params(("id" = String, Path)),
    request_body = ReasonInput,
    responses(
        (status = 200, description = "The application as it is now.", body = ApplicationBody),
        (status = 403, description = "Not an admin.", body = ErrorBody),
        (status = 404, description = "No such application.", body = ErrorBody),
        (status = 409, description = "Not in a state that allows it.", body = ErrorBody),
        (status = 422, description = "A reason is required.", body = ErrorBody),
    ),
)]
pub async fn suspend(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<ReasonInput>,
) -> ApiResult<Json<ApplicationBody>> {
    Ok(body(suspension::suspend(&state.services, &caller.ctx, &id, input).await?))
}

#[utoipa::path(
    post,
    path = "/applications/{id}/reinstate",
    tag = "credentials",
    summary = "Reinstate a suspended application (admins): its credentials work again.",
    params(("id" = String, Path)),
    request_body = ReasonInput,
    responses(
        (status = 200, description = "The application as it is now.", body = ApplicationBody),
        (status = 403, description = "Not an admin.", body = ErrorBody),
        (status = 404, description = "No such application.", body = ErrorBody),
        (status = 409, description = "Not in a state that allows it.", body = ErrorBody),
        (status = 422, description = "A reason is required.", body = ErrorBody),
    ),
)]
pub async fn reinstate(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<ReasonInput>,
) -> ApiResult<Json<ApplicationBody>> {
    Ok(body(suspension::reinstate(&state.services, &caller.ctx, &id, input).await?))
}

#[derive(Serialize, ToSchema)]
pub struct GatewayKeyList {
    items: Vec<GatewayKeyView>,
}

#[utoipa::path(
    post,
    path = "/gateway-keys",
    tag = "credentials",
    summary = "Create a key for the platform's gateway to call /oauth/introspect with (admins). The key appears in this response only.",
    request_body = GatewayKeyInput,
    responses(
        (status = 201, description = "Created.", body = NewGatewayKey),
        (status = 400, description = "Malformed request.", body = ErrorBody),
        (status = 403, description = "Not an admin.", body = ErrorBody),
        (status = 422, description = "Invalid name.", body = ErrorBody),
    ),
)]
pub async fn create_gateway_key(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<GatewayKeyInput>,
) -> ApiResult<Response> {
    Ok(secret_response(credentials::create_gateway_key(&state.services, &caller.ctx, input).await?))
}

#[utoipa::path(
    get,
    path = "/gateway-keys",
    tag = "credentials",
    summary = "Gateway keys, without the keys (admins).",
    responses(
        (status = 200, description = "Newest first.", body = GatewayKeyList),
        (status = 403, description = "Not an admin.", body = ErrorBody),
    ),
)]
pub async fn list_gateway_keys(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<GatewayKeyList>> {
    Ok(Json(GatewayKeyList { items: credentials::list_gateway_keys(&state.services, &caller.ctx).await? }))
}

#[utoipa::path(
    delete,
    path = "/gateway-keys/{id}",
    tag = "credentials",
    summary = "Revoke a gateway key (admins); it stops working at once and stays listed.",
    params(("id" = String, Path)),
    responses(
        (status = 204, description = "Revoked."),
        (status = 403, description = "Not an admin.", body = ErrorBody),
        (status = 404, description = "No such key.", body = ErrorBody),
        (status = 409, description = "Already revoked.", body = ErrorBody),
    ),
)]
pub async fn revoke_gateway_key(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    credentials::revoke_gateway_key(&state.services, &caller.ctx, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
