use axum::http::header;
use axum::response::IntoResponse;

/// The OpenAPI 3 document of every `/api/v1` and `/oauth` operation, kept beside the code
/// it describes and checked by a test against the router.
pub const DOCUMENT: &str = include_str!("openapi.json");

pub async fn document() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], DOCUMENT)
}
