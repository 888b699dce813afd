//! Reviewing through the API: the queue, taking applications, checklists and decisions.

use super::applications::{ApplicationBody, PageQuery, body};
use crate::http::error::ApiResult;
use crate::http::extract::{ApiJson, ApiQuery, Caller};
use crate::http::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use portcullis_domain::admin::Page;
use portcullis_domain::review::decision::{AssignInput, DecisionInput};
use portcullis_domain::review::queue::{Dashboard, QueueParams, QueueRow};
use portcullis_domain::review::view::{ReviewView, VerdictInput};
use portcullis_service::review::{self, queue, reviews};

pub async fn queue(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(params): ApiQuery<QueueParams>,
) -> ApiResult<Json<Page<QueueRow>>> {
    Ok(Json(queue::queue(&state.services, &caller.ctx, &params).await?))
}

pub async fn dashboard(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> ApiResult<Json<Dashboard>> {
    Ok(Json(queue::dashboard(&state.services, &caller.ctx, query.page).await?))
}

pub async fn assign(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<AssignInput>,
) -> ApiResult<Json<ApplicationBody>> {
    Ok(body(review::assign(&state.services, &caller.ctx, &id, input.reviewer_id).await?))
}

pub async fn get(State(state): State<AppState>, caller: Caller, Path(id): Path<String>) -> ApiResult<Json<ReviewView>> {
    Ok(Json(reviews::get(&state.services, &caller.ctx, &id).await?))
}

pub async fn record_verdict(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, item_id)): Path<(String, String)>,
    ApiJson(input): ApiJson<VerdictInput>,
) -> ApiResult<Json<ReviewView>> {
    Ok(Json(reviews::record(&state.services, &caller.ctx, &id, &item_id, input).await?))
}

pub async fn decide(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<DecisionInput>,
) -> ApiResult<Json<ApplicationBody>> {
    Ok(body(review::decide(&state.services, &caller.ctx, &id, input).await?))
}
