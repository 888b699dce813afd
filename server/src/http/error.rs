//! JSON errors of the API: `{"error": {"code", "message", "fields"?, "request_id"}}`.
//! Internals go to the log under the request id; clients get a generic message.

use super::middleware::current_request_id;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use portcullis_domain::account::FieldErrors;
use portcullis_service::ServiceError;
use serde_json::json;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error(transparent)]
    Service(#[from] ServiceError),
    #[error("{0}")]
    BadRequest(String),
    #[error("The request body is too large.")]
    PayloadTooLarge,
    #[error("Cross-site requests are not allowed.")]
    CrossSite,
    #[error("No such endpoint.")]
    UnknownEndpoint,
}

impl ApiError {
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::Service(e) => match e {
                ServiceError::Unauthenticated | ServiceError::StepUpRequired | ServiceError::InvalidCredentials => {
                    StatusCode::UNAUTHORIZED
                }
                ServiceError::Forbidden | ServiceError::NotAllowed(_) | ServiceError::AccountDisabled => {
                    StatusCode::FORBIDDEN
                }
                ServiceError::NotFound => StatusCode::NOT_FOUND,
                ServiceError::Conflict(_) | ServiceError::Stale { .. } => StatusCode::CONFLICT,
                ServiceError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
                ServiceError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
                ServiceError::InvalidToken => StatusCode::BAD_REQUEST,
                ServiceError::RateLimited { .. } | ServiceError::LimitReached { .. } => StatusCode::TOO_MANY_REQUESTS,
                ServiceError::Database(_) | ServiceError::Unavailable | ServiceError::Busy { .. } => {
                    StatusCode::SERVICE_UNAVAILABLE
                }
                ServiceError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            },
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::CrossSite => StatusCode::FORBIDDEN,
            ApiError::UnknownEndpoint => StatusCode::NOT_FOUND,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            ApiError::Service(e) => e.code(),
            ApiError::BadRequest(_) => "bad_request",
            ApiError::PayloadTooLarge => "payload_too_large",
            ApiError::CrossSite => "cross_site_request",
            ApiError::UnknownEndpoint => "not_found",
        }
    }

    fn fields(&self) -> Option<&FieldErrors> {
        match self {
            ApiError::Service(ServiceError::Validation(fields)) => Some(fields),
            _ => None,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let request_id = current_request_id();
        match &self {
            ApiError::Service(ServiceError::Database(e)) => {
                tracing::error!(request_id = %request_id, error = %e, "database error");
            }
            ApiError::Service(ServiceError::Internal(e)) => {
                tracing::error!(request_id = %request_id, error = %e, "internal error");
            }
            _ => {}
        }
        let mut error = json!({ "code": self.code(), "message": self.to_string(), "request_id": request_id });
        if let Some(fields) = self.fields() {
            error["fields"] = json!(fields);
        }
        if let ApiError::Service(ServiceError::Stale { current, .. }) = &self {
            error["current"] = (**current).clone();
        }
        let mut response = (status, axum::Json(json!({ "error": error }))).into_response();
        let retry_after = match self {
            ApiError::Service(
                ServiceError::RateLimited { retry_after_secs }
                | ServiceError::LimitReached { retry_after_secs, .. }
                | ServiceError::Busy { retry_after_secs },
            ) => Some(retry_after_secs),
            ApiError::Service(ServiceError::Database(_) | ServiceError::Unavailable) => Some(DATABASE_RETRY_AFTER_SECS),
            _ => None,
        };
        if let Some(secs) = retry_after {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}

/// What a 503 for an unreachable database asks clients to wait: about as long as PostgreSQL
/// takes to restart or fail over.
pub const DATABASE_RETRY_AFTER_SECS: u64 = 5;

pub type ApiResult<T> = Result<T, ApiError>;
