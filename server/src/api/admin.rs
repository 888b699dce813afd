use crate::http::error::{ApiResult, ErrorBody};
use crate::http::extract::{ApiQuery, Caller};
use crate::http::state::AppState;
use axum::Json;
use axum::extract::State;
use portcullis_domain::admin::{AuditQuery, AuditRecordView, MailView, Page, PageNumber};
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
