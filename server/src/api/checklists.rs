//! Checklist templates: reviewers read them, admins publish new versions.

use crate::http::error::{ApiResult, ErrorBody};
use crate::http::extract::{ApiJson, ApiQuery, Caller};
use crate::http::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use portcullis_domain::review::checklist::ChecklistKind;
use portcullis_domain::review::template::{ItemInput, TemplateInput, TemplateView, VersionSummary};
use portcullis_service::review::checklists;
use serde::Deserialize;
use utoipa::IntoParams;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct VersionQuery {
    version: Option<i32>,
}

#[utoipa::path(
    get,
    path = "/checklists",
    tag = "review",
    summary = "The latest version of both checklist templates (reviewers and admins).",
    responses(
        (status = 200, description = "Privacy first, then security.", body = Vec<TemplateView>),
        (status = 403, description = "Neither a reviewer nor an admin.", body = ErrorBody),
    ),
)]
pub async fn current(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<Vec<TemplateView>>> {
    Ok(Json(checklists::current(&state.services, &caller.ctx).await?))
}

#[utoipa::path(
    get,
    path = "/checklists/{kind}",
    operation_id = "get_checklist",
    tag = "review",
    summary = "One version of a checklist template; the latest without `version` (reviewers and admins).",
    params(("kind" = ChecklistKind, Path, description = "`privacy` or `security`."), VersionQuery),
    responses(
        (status = 200, description = "The template version.", body = TemplateView),
        (status = 400, description = "Malformed query.", body = ErrorBody),
        (status = 403, description = "Neither a reviewer nor an admin.", body = ErrorBody),
        (status = 404, description = "No such checklist or version.", body = ErrorBody),
    ),
)]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(kind): Path<String>,
    ApiQuery(query): ApiQuery<VersionQuery>,
) -> ApiResult<Json<TemplateView>> {
    Ok(Json(checklists::get(&state.services, &caller.ctx, &kind, query.version).await?))
}

#[utoipa::path(
    get,
    path = "/checklists/{kind}/versions",
    tag = "review",
    summary = "Every version of a checklist, newest first (reviewers and admins).",
    params(("kind" = ChecklistKind, Path, description = "`privacy` or `security`.")),
    responses(
        (status = 200, description = "Versions.", body = Vec<VersionSummary>),
        (status = 403, description = "Neither a reviewer nor an admin.", body = ErrorBody),
        (status = 404, description = "No such checklist.", body = ErrorBody),
    ),
)]
pub async fn versions(
    State(state): State<AppState>,
    caller: Caller,
    Path(kind): Path<String>,
) -> ApiResult<Json<Vec<VersionSummary>>> {
    Ok(Json(checklists::versions(&state.services, &caller.ctx, &kind).await?))
}

#[utoipa::path(
    put,
    path = "/checklists/{kind}",
    tag = "review",
    summary = "Publish a new version of a checklist (admins): the whole list in order. Items carrying the `id` of an item of the edited version continue it (reworded, moved, made optional); items without one are new; items left out are retired. Reviews in progress keep the version they started with.",
    params(("kind" = ChecklistKind, Path, description = "`privacy` or `security`.")),
    request_body = TemplateInput,
    responses(
        (status = 200, description = "The new version.", body = TemplateView),
        (status = 400, description = "Malformed request.", body = ErrorBody),
        (status = 403, description = "Not an admin.", body = ErrorBody),
        (status = 404, description = "No such checklist.", body = ErrorBody),
        (status = 409, description = "`stale_version`: another version was published since `version` (the latest is in `current`); or `conflict`: nothing changed.", body = ErrorBody),
        (status = 422, description = "Validation failed; `fields` keyed `items[<index>].<field>` or `items`.", body = ErrorBody),
    ),
)]
pub async fn publish(
    State(state): State<AppState>,
    caller: Caller,
    Path(kind): Path<String>,
    ApiJson(input): ApiJson<TemplateInput>,
) -> ApiResult<Json<TemplateView>> {
    Ok(Json(checklists::publish(&state.services, &caller.ctx, &kind, input).await?))
}

#[utoipa::path(
    post,
    path = "/checklists/{kind}/items",
    tag = "review",
    summary = "Add one item at the end of the latest version, publishing the next version (admins).",
    params(("kind" = ChecklistKind, Path, description = "`privacy` or `security`.")),
    request_body = ItemInput,
    responses(
        (status = 201, description = "The new version.", body = TemplateView),
        (status = 400, description = "Malformed request.", body = ErrorBody),
        (status = 403, description = "Not an admin.", body = ErrorBody),
        (status = 404, description = "No such checklist.", body = ErrorBody),
        (status = 422, description = "Validation failed.", body = ErrorBody),
    ),
)]
pub async fn add_item(
    State(state): State<AppState>,
    caller: Caller,
    Path(kind): Path<String>,
    ApiJson(item): ApiJson<ItemInput>,
) -> ApiResult<(StatusCode, Json<TemplateView>)> {
    Ok((StatusCode::CREATED, Json(checklists::add_item(&state.services, &caller.ctx, &kind, item).await?)))
}
