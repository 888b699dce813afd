//! The JSON API under `/api/v1`: thin handlers over the service layer.

mod admin;
mod applications;
mod auth;
mod checklists;
mod credentials;
pub mod health;
mod openapi;
mod orgs;
mod review;
mod users;

use crate::http::error::ApiError;
use crate::http::state::AppState;
use crate::http::timeouts::{Timeouts, min_throughput};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::routing::{delete, get, post, put};
use portcullis_domain::application::mockup::MAX_MOCKUP_BYTES;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;

/// JSON bodies of the API are small; larger ones get 413.
pub const JSON_BODY_LIMIT: usize = 64 * 1024;

pub fn router(timeouts: Timeouts) -> Router<AppState> {
    Router::new()
        .route("/auth/register", post(auth::register))
        .route("/auth/verify-email", post(auth::verify_email))
        .route("/auth/verify-email/resend", post(auth::resend_verification))
        .route("/auth/login", post(auth::login))
        .route("/auth/logout", post(auth::logout))
        .route("/auth/password-reset", post(auth::request_password_reset))
        .route("/auth/password-reset/confirm", post(auth::confirm_password_reset))
        .route("/auth/step-up", post(auth::step_up))
        .route("/auth/password", post(auth::change_password))
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
        .route("/orgs/{id}/members/{user_id}", delete(orgs::remove_member).patch(orgs::set_member_role))
        .route("/orgs/{id}/invitations/{invitation_id}", delete(orgs::revoke_invitation))
        .route("/orgs/{id}/contact/verification", post(orgs::resend_contact_verification))
        .route("/orgs/verify-contact", post(orgs::verify_contact))
        .route("/invitations/accept", post(orgs::accept_invitation))
        .route("/scopes", get(applications::scopes))
        .route("/applications", post(applications::create).get(applications::list))
        .route("/applications/{id}", get(applications::get).patch(applications::update))
        .route("/applications/{id}/submit", post(applications::submit))
        .route("/applications/{id}/withdraw", post(applications::withdraw))
        .route("/applications/{id}/recertify", post(applications::recertify))
        .route("/applications/{id}/assign", post(review::assign))
        .route("/applications/{id}/review", get(review::get))
        .route("/applications/{id}/review/items/{item_id}", put(review::record_verdict))
        .route("/applications/{id}/decision", post(review::decide))
        .route("/review/queue", get(review::queue))
        .route("/review/dashboard", get(review::dashboard))
        .route("/applications/{id}/credentials", post(credentials::issue).get(credentials::list))
        .route("/applications/{id}/suspend", post(credentials::suspend))
        .route("/applications/{id}/reinstate", post(credentials::reinstate))
        .route("/credentials/{client_id}/rotate", post(credentials::rotate))
        .route("/credentials/{client_id}/collect", post(credentials::collect))
        .route("/credentials/{client_id}/force-rotation", post(credentials::force_rotation))
        .route("/credentials/{client_id}/revoke", post(credentials::revoke))
        .route("/gateway-keys", post(credentials::create_gateway_key).get(credentials::list_gateway_keys))
        .route("/gateway-keys/{id}", delete(credentials::revoke_gateway_key))
        .route("/checklists", get(checklists::current))
        .route("/checklists/{kind}", get(checklists::get).put(checklists::publish))
        .route("/checklists/{kind}/versions", get(checklists::versions))
        .route("/checklists/{kind}/items", post(checklists::add_item))
        .route("/applications/{id}/timeline", get(applications::timeline))
        .route("/applications/{id}/revisions", get(applications::revisions))
        .route("/applications/{id}/revisions/compare", get(applications::compare))
        .route("/applications/{id}/messages", get(applications::messages).post(applications::post_message))
        .route(
            "/applications/{id}/mockups/{mockup_id}",
            get(applications::download_mockup).delete(applications::delete_mockup),
        )
        .layer(DefaultBodyLimit::max(JSON_BODY_LIMIT))
        .layer(RequestBodyLimitLayer::new(JSON_BODY_LIMIT))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, timeouts.request))
        .merge(uploads(timeouts))
        .fallback(|| async { ApiError::UnknownEndpoint })
}

/// Uploads get a limit of their own: the largest file plus room for the multipart framing.
pub const UPLOAD_BODY_LIMIT: usize = MAX_MOCKUP_BYTES as usize + 64 * 1024;

/// An upload may take as long as it keeps up the minimum throughput.
fn uploads(timeouts: Timeouts) -> Router<AppState> {
    Router::new()
        .route("/applications/{id}/mockups", post(applications::upload_mockup))
        .layer(axum::middleware::from_fn_with_state(timeouts, min_throughput))
        .layer(DefaultBodyLimit::max(UPLOAD_BODY_LIMIT))
        .layer(RequestBodyLimitLayer::new(UPLOAD_BODY_LIMIT))
}
