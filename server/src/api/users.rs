use crate::http::error::{ApiResult, ErrorBody};
use crate::http::extract::{ApiJson, ApiQuery, Caller};
use crate::http::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use portcullis_domain::account::SetRolesInput;
use portcullis_domain::admin::{Page, UserQuery, UserSummary};
use portcullis_service::{accounts, second_factors};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct UserSummaryBody {
    user: UserSummary,
}

#[utoipa::path(
    get,
    path = "/users",
    operation_id = "list_users",
    tag = "admin",
    summary = "List users (admins).",
    params(UserQuery),
    responses(
        (status = 200, description = "A page of users.", body = Page<UserSummary>),
        (status = 403, description = "Not allowed, or a cross-site request.", body = ErrorBody),
    ),
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<UserQuery>,
) -> ApiResult<Json<Page<UserSummary>>> {
    Ok(Json(accounts::list_users(&state.services, &caller.ctx, &query).await?))
}

#[utoipa::path(
    put,
    path = "/users/{id}/roles",
    tag = "admin",
    summary = "Replace a user's roles (admins). `developer` is always kept; sessions of the user get a new id.",
    params(("id" = String, Path)),
    request_body = SetRolesInput,
    responses(
        (status = 200, description = "Updated.", body = UserSummaryBody),
        (status = 403, description = "Not allowed, or a cross-site request.", body = ErrorBody),
        (status = 404, description = "Not found.", body = ErrorBody),
        (status = 409, description = "Would remove the last admin.", body = ErrorBody),
        (status = 422, description = "Validation failed; `fields` lists every problem.", body = ErrorBody),
    ),
)]
pub async fn set_roles(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<SetRolesInput>,
) -> ApiResult<Json<UserSummaryBody>> {
    let user = accounts::set_roles(&state.services, &caller.ctx, &id, input.roles).await?;
    Ok(Json(UserSummaryBody { user }))
}

#[utoipa::path(
    post,
    path = "/users/{id}/disable",
    tag = "admin",
    summary = "Disable an account and end all its sessions (admins).",
    params(("id" = String, Path)),
    responses(
        (status = 200, description = "Disabled.", body = UserSummaryBody),
        (status = 403, description = "Not allowed, or a cross-site request.", body = ErrorBody),
        (status = 404, description = "Not found.", body = ErrorBody),
        (status = 409, description = "Cannot disable yourself.", body = ErrorBody),
    ),
)]
pub async fn disable(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<UserSummaryBody>> {
    let user = accounts::disable(&state.services, &caller.ctx, &id).await?;
    Ok(Json(UserSummaryBody { user }))
}

#[utoipa::path(
    post,
    path = "/users/{id}/enable",
    tag = "admin",
    summary = "Enable a disabled account (admins).",
    params(("id" = String, Path)),
    responses(
        (status = 200, description = "Enabled.", body = UserSummaryBody),
        (status = 403, description = "Not allowed, or a cross-site request.", body = ErrorBody),
        (status = 404, description = "Not found.", body = ErrorBody),
    ),
)]
pub async fn enable(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<UserSummaryBody>> {
    let user = accounts::enable(&state.services, &caller.ctx, &id).await?;
    Ok(Json(UserSummaryBody { user }))
}

#[utoipa::path(
    delete,
    path = "/users/{id}/second-factors",
    tag = "admin",
    summary = "Remove a user's second factor and recovery codes, for someone who lost their device (admins, with a fresh second factor of their own: else 401 `step_up_required`). The user is mailed; they set up a new factor at their next sign-in.",
    params(("id" = String, Path)),
    responses(
        (status = 204, description = "Removed, or there was none."),
        (status = 401, description = "Not signed in, or `step_up_required`.", body = ErrorBody),
        (status = 403, description = "Not allowed, or a cross-site request.", body = ErrorBody),
        (status = 404, description = "Not found.", body = ErrorBody),
    ),
)]
pub async fn reset_second_factors(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    second_factors::reset(&state.services, &caller.ctx, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
