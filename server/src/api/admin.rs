use crate::http::error::{ApiResult, ErrorBody};
use crate::http::extract::{ApiQuery, Caller};
use crate::http::state::AppState;
use axum::Json;
use axum::extract::State;
use portcullis_domain::admin::{AuditCheckpointView, AuditQuery, AuditRecordView, MailView, Page, PageNumber};
use portcullis_service::{audit, mail};
use serde::Deserialize;
use utoipa::IntoParams;

#[utoipa::path(
    get,
    path = "/audit",
    tag = "admin",
    summary = "Browse the audit trail, newest first (admins).",
    params(AuditQuery),
    responses(
        (status = 200, description = "A page of records.", body = Page<AuditRecordView>),
        (status = 403, description = "Not allowed, or a cross-site request.", body = ErrorBody),
    ),
)]
pub async fn audit(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<AuditQuery>,
) -> ApiResult<Json<Page<AuditRecordView>>> {
    Ok(Json(audit::list(&state.services, &caller.ctx, &query).await?))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CheckpointQuery {
    #[param(value_type = Option<u64>, minimum = 1, maximum = 1000000)]
    page: Option<PageNumber>,
}

#[utoipa::path(
    get,
    path = "/audit/checkpoints",
    tag = "admin",
    summary = "The audit trail's signed checkpoints, newest first (whoever may browse the trail). Each signs, with the key at `/.well-known/portcullis-audit-key`, the payload `portcullis-audit-checkpoint v1\\nrecord: {seq}\\nhash: {hash}\\nrecords: {records}\\nat: {at}\\nkey: {key_id}\\n` (one line per field, each ending in a newline).",
    params(CheckpointQuery),
    responses(
        (status = 200, description = "A page of checkpoints.", body = Page<AuditCheckpointView>),
        (status = 403, description = "Not allowed.", body = ErrorBody),
    ),
)]
pub async fn checkpoints(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<CheckpointQuery>,
) -> ApiResult<Json<Page<AuditCheckpointView>>> {
    Ok(Json(audit::checkpoints::list(&state.services, &caller.ctx, query.page).await?))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OutboxQuery {
    status: Option<String>,
    #[param(value_type = Option<u64>, minimum = 1, maximum = 1000000)]
    page: Option<PageNumber>,
}

#[utoipa::path(
    get,
    path = "/mail/outbox",
    tag = "admin",
    summary = "Outgoing mail and its delivery state (admins).",
    params(OutboxQuery),
    responses(
        (status = 200, description = "A page of messages.", body = Page<MailView>),
        (status = 403, description = "Not allowed, or a cross-site request.", body = ErrorBody),
    ),
)]
pub async fn outbox(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<OutboxQuery>,
) -> ApiResult<Json<Page<MailView>>> {
    Ok(Json(mail::outbox::list(state.services.db(), &caller.ctx, query.status.as_deref(), query.page).await?))
}
