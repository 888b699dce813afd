use crate::http::error::ApiResult;
use crate::http::extract::{ApiJson, Caller};
use crate::http::state::AppState;
use axum::Json;
use axum::extract::{Path, Query, State};
use portcullis_domain::account::SetRolesInput;
use portcullis_domain::admin::{Page, UserQuery, UserSummary};
use portcullis_service::accounts;
use serde::Serialize;

#[derive(Serialize)]
pub struct UserSummaryBody {
    user: UserSummary,
}

pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<UserQuery>,
) -> ApiResult<Json<Page<UserSummary>>> {
    Ok(Json(accounts::list_users(&state.services, &caller.ctx, &query).await?))
}

pub async fn set_roles(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<SetRolesInput>,
) -> ApiResult<Json<UserSummaryBody>> {
    let user = accounts::set_roles(&state.services, &caller.ctx, &id, input.roles).await?;
    Ok(Json(UserSummaryBody { user }))
}

pub async fn disable(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<UserSummaryBody>> {
    let user = accounts::disable(&state.services, &caller.ctx, &id).await?;
    Ok(Json(UserSummaryBody { user }))
}

pub async fn enable(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<UserSummaryBody>> {
    let user = accounts::enable(&state.services, &caller.ctx, &id).await?;
    Ok(Json(UserSummaryBody { user }))
}
