use crate::http::error::{ApiResult, ErrorBody};
use crate::http::extract::{ApiJson, ApiQuery, Caller};
use crate::http::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use portcullis_domain::account::SetRolesInput;
use portcullis_domain::admin::{Page, UserQuery, UserSummary};
use portcullis_service::accounts;
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
