//! Reviewing through the API: the queue, taking applications, checklists and decisions.

use super::applications::{ApplicationBody, PageQuery, body};
use crate::http::error::{ApiResult, ErrorBody};
use crate::http::extract::{ApiJson, ApiQuery, Caller};
use crate::http::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use portcullis_domain::ids::{ApplicationId, ItemId};
use portcullis_domain::review::decision::{AssignInput, DecisionInput};
use portcullis_domain::review::queue::{Dashboard, QueuePage, QueueParams};
use portcullis_domain::review::view::{ReviewView, ReviewsView, VerdictInput};
use portcullis_service::review::{self, queue, reviews};

#[utoipa::path(
    get,
    path = "/review/queue",
    tag = "review",
    summary = "The review queue, filtered, sorted and paged on the server (reviewers and admins). Pages follow one another by position (`after`, `before`), so they stay put as applications come and go; `page` still counts from the start.",
    params(QueueParams),
    responses(
        (status = 200, description = "A page of the queue, with `next` and `previous` positions to pass as `after` and `before`; counted up to 1,000.", body = QueuePage),
        (status = 400, description = "Malformed request.", body = ErrorBody),
        (status = 403, description = "Not a reviewer or admin.", body = ErrorBody),
        (status = 422, description = "An unknown filter value; `fields` names it.", body = ErrorBody),
    ),
)]
pub async fn queue(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(params): ApiQuery<QueueParams>,
) -> ApiResult<Json<QueuePage>> {
    Ok(Json(queue::queue(&state.services, &caller.ctx, &params).await?))
}

#[utoipa::path(
    get,
    path = "/review/dashboard",
    tag = "review",
    summary = "The caller's own reviewing: open applications assigned to them (soonest due first), how many are overdue, and applications another reviewer approved once that wait for a second approval.",
    params(PageQuery),
    responses(
        (status = 200, description = "The dashboard.", body = Dashboard),
        (status = 403, description = "Not a reviewer or admin.", body = ErrorBody),
    ),
)]
pub async fn dashboard(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> ApiResult<Json<Dashboard>> {
    Ok(Json(queue::dashboard(&state.services, &caller.ctx, query.page).await?))
}

#[utoipa::path(
    post,
    path = "/applications/{id}/assign",
    tag = "review",
    summary = "Claim an application (reviewers) or assign it to a reviewer (admins); a submitted application goes into review. Nobody reviews an application of their own organisation.",
    params(("id" = String, Path)),
    request_body = AssignInput,
    responses(
        (status = 200, description = "Assigned.", body = ApplicationBody),
        (status = 403, description = "Not allowed.", body = ErrorBody),
        (status = 409, description = "Conflict or illegal state change.", body = ErrorBody),
    ),
)]
pub async fn assign(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<AssignInput>,
) -> ApiResult<Json<ApplicationBody>> {
    Ok(body(review::assign(&state.services, &caller.ctx, &id, input.reviewer_id).await?))
}

#[utoipa::path(
    get,
    path = "/applications/{id}/review",
    operation_id = "get_review",
    tag = "review",
    summary = "The caller's review of the current revision: the checklist items relevant to the requested scopes, from the template versions the review started with (claiming the application starts it), with the caller's verdicts.",
    params(("id" = String, Path)),
    responses(
        (status = 200, description = "The review.", body = ReviewView),
        (status = 403, description = "Not a reviewer, or a member of the applying organisation.", body = ErrorBody),
        (status = 409, description = "The caller has not claimed the application, or did not review its current revision.", body = ErrorBody),
    ),
)]
pub async fn get(State(state): State<AppState>, caller: Caller, Path(id): Path<String>) -> ApiResult<Json<ReviewView>> {
    Ok(Json(reviews::get(&state.services, &caller.ctx, &id).await?))
}

#[utoipa::path(
    get,
    path = "/applications/{id}/reviews",
    operation_id = "list_reviews",
    tag = "review",
    summary = "Every reviewer's review of every revision (admins and auditors): the checklist items with each verdict and note, oldest revision first. An auditor's reading is on the audit trail.",
    params(("id" = String, Path)),
    responses(
        (status = 200, description = "The reviews; none is editable here.", body = ReviewsView),
        (status = 403, description = "Not an admin or an auditor.", body = ErrorBody),
        (status = 404, description = "No such application, or a draft.", body = ErrorBody),
    ),
)]
pub async fn all(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<ReviewsView>> {
    Ok(Json(reviews::all(&state.services, &caller.ctx, &id).await?))
}

#[utoipa::path(
    put,
    path = "/applications/{id}/review/items/{item_id}",
    tag = "review",
    summary = "Record the caller's verdict on one checklist item (a note is required for fail and na); a null verdict clears it. Only while the application is in review.",
    params(("id" = String, Path), ("item_id" = String, Path)),
    request_body = VerdictInput,
    responses(
        (status = 200, description = "Recorded; the whole review as it is now.", body = ReviewView),
        (status = 400, description = "Malformed request.", body = ErrorBody),
        (status = 403, description = "Not a reviewer, or a member of the applying organisation.", body = ErrorBody),
        (status = 404, description = "No such application, or no such item in the caller's review.", body = ErrorBody),
        (status = 409, description = "Not in review, or not claimed by the caller.", body = ErrorBody),
        (status = 422, description = "Validation failed; `fields.note` says why.", body = ErrorBody),
    ),
)]
pub async fn record_verdict(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, item_id)): Path<(ApplicationId, ItemId)>,
    ApiJson(input): ApiJson<VerdictInput>,
) -> ApiResult<Json<ReviewView>> {
    Ok(Json(reviews::record(&state.services, &caller.ctx, &id, &item_id, input).await?))
}

#[utoipa::path(
    post,
    path = "/applications/{id}/decision",
    tag = "review",
    summary = "Decide the current revision: approve (only when every required checklist item for the granted scopes passes; sensitive scopes need two reviewers), request changes or reject. Exactly one decision per revision. An approval that grants fewer scopes than live production credentials carry narrows them at once (audited as `credential.narrowed`, mailed).",
    params(("id" = String, Path)),
    request_body = DecisionInput,
    responses(
        (status = 200, description = "Decided.", body = ApplicationBody),
        (status = 403, description = "Not a reviewer, or a member of the applying organisation.", body = ErrorBody),
        (status = 409, description = "Code `stale` (with `error.current`, the application as it is now) when its revision or version moved on since the page the decision comes from; otherwise not in review, the caller neither claimed it nor was assigned to it, a rule of the approval gate blocks it, or another decision came first.", body = ErrorBody),
        (status = 422, description = "Validation failed; `fields` names each problem (`message`, `override_reason`, or a missing `revision` / `version`).", body = ErrorBody),
    ),
)]
pub async fn decide(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<DecisionInput>,
) -> ApiResult<Json<ApplicationBody>> {
    Ok(body(review::decide(&state.services, &caller.ctx, &id, input).await?))
}
