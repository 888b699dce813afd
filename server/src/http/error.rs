//! JSON errors of the API: `{"error": {"code", "message", "fields"?, "request_id"}}`.
//! Internals go to the log under the request id; clients get a generic message.

use super::middleware::current_request_id;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use portcullis_domain::account::FieldErrors;
use portcullis_service::ServiceError;
use portcullis_service::error::Refusal;
use serde::Serialize;
use utoipa::ToSchema;

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
                ServiceError::Unauthenticated
                | ServiceError::StepUpRequired
                | ServiceError::InvalidCredentials
                | ServiceError::NotAllowed(Refusal::SecondFactorRequired) => StatusCode::UNAUTHORIZED,
                ServiceError::Forbidden | ServiceError::NotAllowed(_) | ServiceError::AccountDisabled => {
                    StatusCode::FORBIDDEN
                }
                ServiceError::NotFound => StatusCode::NOT_FOUND,
                ServiceError::Conflict(_) | ServiceError::Blocked { .. } | ServiceError::Stale { .. } => {
                    StatusCode::CONFLICT
                }
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
                tracing::error!(error = %e, "database error");
            }
            ApiError::Service(ServiceError::Internal(e)) => {
                tracing::error!(error = %e, "internal error");
            }
            _ => {}
        }
        let error = ErrorDetail {
            code: self.code(),
            message: self.to_string(),
            request_id,
            fields: self.fields().cloned(),
            current: match &self {
                ApiError::Service(ServiceError::Stale { current, .. }) => Some((**current).clone()),
                _ => None,
            },
        };
        let mut response = (status, axum::Json(ErrorBody { error })).into_response();
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

/// The body of every error answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable and machine-readable, such as `validation_failed` or `stale`.
    pub code: &'static str,
    /// For people.
    pub message: String,
    /// The request's id, as in the server's log and the `x-request-id` header.
    pub request_id: String,
    /// With 422: each field's problems.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fields: Option<FieldErrors>,
    /// With code `stale`: the object as it is now.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub current: Option<serde_json::Value>,
}

/// What a 503 for an unreachable database asks clients to wait: about as long as PostgreSQL
/// takes to restart or fail over.
pub const DATABASE_RETRY_AFTER_SECS: u64 = 5;

pub type ApiResult<T> = Result<T, ApiError>;
