//! An application's evidence pack: one ZIP that a regulator checks offline.

use super::openapi::EvidencePack;
use crate::http::error::{ApiResult, ErrorBody};
use crate::http::extract::Caller;
use crate::http::state::AppState;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use portcullis_domain::ids::ApplicationId;
use portcullis_service::evidence;

/// Each download is on the audit trail (`evidence.exported`, with every file's SHA-256), and a
/// checkpoint is signed if the newest records are not covered yet.
#[utoipa::path(
    get,
    path = "/applications/{id}/evidence",
    operation_id = "export_evidence",
    tag = "applications",
    summary = "The application's evidence pack (admins and auditors): a ZIP with `manifest.json`, every revision, the mockups, checklists and verdicts, decisions, credential events (never a secret), the message thread, the audit records with their links to signed checkpoints, and `summary.html`. Check it offline with `portcullis evidence verify PACK.zip --key KEY`.",
    params(("id" = String, Path)),
    responses(
        (status = 200, description = "The pack, as an attachment named `evidence-<id>-<date>.zip`.", content((EvidencePack = "application/zip"))),
        (status = 403, description = "Not an admin or an auditor.", body = ErrorBody),
        (status = 404, description = "No such application, or a draft.", body = ErrorBody),
    ),
)]
pub async fn export(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<ApplicationId>,
) -> ApiResult<Response> {
    let pack = evidence::export(&state.services, &caller.ctx, &id).await?;
    let disposition = format!("attachment; filename=\"{}\"", pack.file_name);
    let mut response = Body::from_stream(tokio_util::io::ReaderStream::new(pack.body)).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/zip"));
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(pack.size));
    headers.insert(header::CONTENT_DISPOSITION, HeaderValue::from_str(&disposition).expect("ascii file name"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}
