//! The JSON API under `/api/v1`: thin handlers over the service layer.

mod admin;
mod auth;
pub mod health;
mod openapi;
mod orgs;
mod users;

use crate::http::error::ApiError;
use crate::http::state::AppState;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post, put};
use tower_http::limit::RequestBodyLimitLayer;

/// JSON bodies of the API are small; larger ones get 413.
pub const JSON_BODY_LIMIT: usize = 64 * 1024;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/auth/register", post(auth::register))
        .route("/auth/verify-email", post(auth::verify_email))
        .route("/auth/login", post(auth::login))
        .route("/auth/logout", post(auth::logout))
        .route("/auth/password-reset", post(auth::request_password_reset))
        .route("/auth/password-reset/confirm", post(auth::confirm_password_reset))
        .route("/me", get(auth::me))
        .route("/users", get(users::list))
        .route("/users/{id}/roles", put(users::set_roles))
        .route("/users/{id}/disable", post(users::disable))
        .route("/users/{id}/enable", post(users::enable))
        .route("/audit", get(admin::audit))
        .route("/mail/outbox", get(admin::outbox))
        .route("/openapi.json", get(openapi::document))
        .route("/orgs", post(orgs::create).get(orgs::list))
        .route("/orgs/{id}", get(orgs::detail))
        .route("/orgs/{id}/members", post(orgs::invite))
        .route("/invitations/accept", post(orgs::accept_invitation))
        .layer(DefaultBodyLimit::max(JSON_BODY_LIMIT))
        .layer(RequestBodyLimitLayer::new(JSON_BODY_LIMIT))
        .fallback(|| async { ApiError::UnknownEndpoint })
}
