//! `/.well-known/portcullis-audit-key`: the public key the audit checkpoints are signed with,
//! for anyone to verify them (and evidence packs) without trusting the portal's database.

use crate::http::state::AppState;
use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use portcullis_service::audit::checkpoints;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> Router<AppState> {
    routes().split_for_parts().0
}

/// The endpoints with their documentation (see `api::openapi`).
pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(audit_key))
}

#[utoipa::path(
    get,
    path = "/.well-known/portcullis-audit-key",
    tag = "meta",
    summary = "The Ed25519 public key that signs the audit trail's checkpoints, as PEM (SubjectPublicKeyInfo, `-----BEGIN PUBLIC KEY-----`), the file `portcullis evidence verify --key` reads. A checkpoint's `key_id` is the first 8 bytes of the SHA-256 of the key's 32 bytes, in hex.",
    responses((status = 200, description = "The public key.", content_type = "text/plain", body = String)),
    security(()),
)]
pub async fn audit_key(State(state): State<AppState>) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], checkpoints::public_key_pem(&state.services))
}
