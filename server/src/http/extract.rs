//! Extractors: the caller (session + address → `Ctx`) and JSON bodies whose rejections
//! follow the API's error format.

use super::error::ApiError;
use super::state::AppState;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use portcullis_service::{ClientDevice, ClientIp, Ctx, ServiceError, session_auth};
use serde::de::DeserializeOwned;
use tower_sessions::Session;

/// The caller of an API operation: whoever the session belongs to (or nobody), and from
/// which address. Authorization happens in the service layer via `Ctx::require`.
pub struct Caller {
    pub ctx: Ctx,
    pub session: Session,
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let session = parts
            .extensions
            .get::<Session>()
            .cloned()
            .ok_or_else(|| ServiceError::Internal("session layer missing".into()))?;
        let ip = parts.extensions.get::<ClientIp>().cloned().unwrap_or_default().0;
        let device = parts.extensions.get::<ClientDevice>().cloned().unwrap_or_default();
        let actor = session_auth::resolve(&state.services, &session).await?;
        Ok(Caller { ctx: Ctx { actor, ip, device }, session })
    }
}

/// `axum::Json` with 400 for malformed JSON, 413 for oversize bodies and 422 for JSON of the
/// wrong shape.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(ApiJson(value)),
            Err(rejection) => Err(json_rejection(rejection)),
        }
    }
}

fn json_rejection(rejection: JsonRejection) -> ApiError {
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return ApiError::PayloadTooLarge;
    }
    match rejection {
        JsonRejection::JsonDataError(e) => ServiceError::field(
            "body",
            e.body_text().replace("Failed to deserialize the JSON body into the target type: ", ""),
        )
        .into(),
        JsonRejection::JsonSyntaxError(_) => ApiError::BadRequest("The request body is not valid JSON.".into()),
        JsonRejection::MissingJsonContentType(_) => {
            ApiError::BadRequest("Send the body as JSON with `Content-Type: application/json`.".into())
        }
        other => ApiError::BadRequest(other.body_text()),
    }
}

/// `axum::extract::Query` whose rejection is a JSON 400 naming the parameter problem.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(value)) => Ok(ApiQuery(value)),
            Err(rejection) => Err(ApiError::BadRequest(format!("Invalid query parameters: {}", rejection.body_text()))),
        }
    }
}
