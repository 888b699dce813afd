//! Where the signed-in account is signed in, and ending those sessions.

use crate::http::error::{ApiResult, ErrorBody};
use crate::http::extract::Caller;
use crate::http::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use portcullis_domain::device::SessionList;
use portcullis_service::session_auth;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct EndedSessions {
    /// How many sessions ended.
    ended: usize,
}

#[utoipa::path(
    get,
    path = "/me/sessions",
    tag = "accounts",
    summary = "Where the signed-in account is signed in: each session's device (from its browser's User-Agent), address at sign-in and last activity, the current one first and marked `current`.",
    responses(
        (status = 200, description = "The sessions.", body = SessionList),
        (status = 401, description = "Not signed in.", body = ErrorBody),
    ),
)]
pub async fn list(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<SessionList>> {
    Ok(Json(session_auth::sessions(&state.services, &caller.session, &caller.ctx).await?))
}

#[utoipa::path(
    delete,
    path = "/me/sessions/{id}",
    tag = "accounts",
    summary = "End another session of the signed-in account: its cookie stops working at once. The current session signs out with `/auth/logout` instead (409).",
    params(("id" = String, Path, description = "The session's `id` from the list.")),
    responses(
        (status = 204, description = "Ended."),
        (status = 401, description = "Not signed in.", body = ErrorBody),
        (status = 404, description = "No such session of this account.", body = ErrorBody),
        (status = 409, description = "That is the current session.", body = ErrorBody),
    ),
)]
pub async fn end(State(state): State<AppState>, caller: Caller, Path(id): Path<String>) -> ApiResult<StatusCode> {
    session_auth::end_session(&state.services, &caller.session, &caller.ctx, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    post,
    path = "/me/sessions/end-others",
    tag = "accounts",
    summary = "End every session of the signed-in account except the current one.",
    responses(
        (status = 200, description = "Ended.", body = EndedSessions),
        (status = 401, description = "Not signed in.", body = ErrorBody),
    ),
)]
pub async fn end_others(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<EndedSessions>> {
    let ended = session_auth::end_other_sessions(&state.services, &caller.session, &caller.ctx).await?;
    Ok(Json(EndedSessions { ended }))
}
