//! Checklist templates: reviewers read them, admins publish new versions.

use crate::http::error::ApiResult;
use crate::http::extract::{ApiJson, ApiQuery, Caller};
use crate::http::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use portcullis_domain::review::template::{ItemInput, TemplateInput, TemplateView, VersionSummary};
use portcullis_service::review::checklists;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VersionQuery {
    version: Option<i32>,
}

pub async fn current(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<Vec<TemplateView>>> {
    Ok(Json(checklists::current(&state.services, &caller.ctx).await?))
}

pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(kind): Path<String>,
    ApiQuery(query): ApiQuery<VersionQuery>,
) -> ApiResult<Json<TemplateView>> {
    Ok(Json(checklists::get(&state.services, &caller.ctx, &kind, query.version).await?))
}

pub async fn versions(
    State(state): State<AppState>,
    caller: Caller,
    Path(kind): Path<String>,
) -> ApiResult<Json<Vec<VersionSummary>>> {
    Ok(Json(checklists::versions(&state.services, &caller.ctx, &kind).await?))
}

pub async fn publish(
    State(state): State<AppState>,
    caller: Caller,
    Path(kind): Path<String>,
    ApiJson(input): ApiJson<TemplateInput>,
) -> ApiResult<Json<TemplateView>> {
    Ok(Json(checklists::publish(&state.services, &caller.ctx, &kind, input).await?))
}

pub async fn add_item(
    State(state): State<AppState>,
    caller: Caller,
    Path(kind): Path<String>,
    ApiJson(item): ApiJson<ItemInput>,
) -> ApiResult<(StatusCode, Json<TemplateView>)> {
    Ok((StatusCode::CREATED, Json(checklists::add_item(&state.services, &caller.ctx, &kind, item).await?)))
}
