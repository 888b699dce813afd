use crate::http::error::ApiResult;
use crate::http::extract::Caller;
use crate::http::state::AppState;
use axum::Json;
use axum::extract::{Query, State};
use portcullis_domain::admin::{AuditQuery, AuditRecordView, MailView, Page};
use portcullis_service::{audit, mail};
use serde::Deserialize;

pub async fn audit(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<AuditQuery>,
) -> ApiResult<Json<Page<AuditRecordView>>> {
    Ok(Json(audit::list(state.services.db(), &caller.ctx, &query).await?))
}

#[derive(Deserialize)]
pub struct OutboxQuery {
    status: Option<String>,
    page: Option<u64>,
}

pub async fn outbox(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<OutboxQuery>,
) -> ApiResult<Json<Page<MailView>>> {
    Ok(Json(mail::outbox::list(state.services.db(), &caller.ctx, query.status.as_deref(), query.page).await?))
}
