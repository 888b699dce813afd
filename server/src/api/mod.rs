//! The JSON API under `/api/v1`: thin handlers over the service layer.

mod admin;
mod applications;
mod auth;
mod checklists;
mod credentials;
mod evidence;
pub mod health;
pub mod openapi;
mod orgs;
mod passkeys;
mod reports;
mod review;
mod security;
mod users;

use crate::http::error::ApiError;
use crate::http::state::AppState;
use crate::http::timeouts::{Timeouts, min_throughput};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use portcullis_domain::application::mockup::MAX_MOCKUP_BYTES;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// JSON bodies of the API are small; larger ones get 413.
pub const JSON_BODY_LIMIT: usize = 64 * 1024;

pub fn router(timeouts: Timeouts) -> Router<AppState> {
    let (json, _) = json_routes().split_for_parts();
    let (uploads, _) = upload_routes().split_for_parts();
    json.layer(DefaultBodyLimit::max(JSON_BODY_LIMIT))
        .layer(RequestBodyLimitLayer::new(JSON_BODY_LIMIT))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, timeouts.request))
        .merge(
            uploads
                .layer(axum::middleware::from_fn_with_state(timeouts, min_throughput))
                .layer(DefaultBodyLimit::max(UPLOAD_BODY_LIMIT))
                .layer(RequestBodyLimitLayer::new(UPLOAD_BODY_LIMIT)),
        )
        .fallback(|| async { ApiError::UnknownEndpoint })
}

/// Every route with a JSON body (or none). A route is registered with its documentation, so
/// it cannot exist without it.
fn json_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(auth::register))
        .routes(routes!(auth::verify_email))
        .routes(routes!(auth::resend_verification))
        .routes(routes!(auth::login))
        .routes(routes!(auth::logout))
        .routes(routes!(auth::request_password_reset))
        .routes(routes!(auth::confirm_password_reset))
        .routes(routes!(auth::step_up))
        .routes(routes!(auth::change_password))
        .routes(routes!(auth::me))
        .routes(routes!(auth::start_totp))
        .routes(routes!(auth::confirm_totp))
        .routes(routes!(security::list))
        .routes(routes!(security::end))
        .routes(routes!(security::end_others))
        .routes(routes!(passkeys::list, passkeys::finish_registration))
        .routes(routes!(passkeys::start_registration))
        .routes(routes!(passkeys::rename, passkeys::remove))
        .routes(routes!(passkeys::options))
        .routes(routes!(passkeys::finish))
        .routes(routes!(users::list))
        .routes(routes!(users::set_roles))
        .routes(routes!(users::disable))
        .routes(routes!(users::enable))
        .routes(routes!(users::reset_second_factors))
        .routes(routes!(admin::audit))
        .routes(routes!(admin::checkpoints))
        .routes(routes!(admin::outbox))
        .routes(routes!(reports::programme))
        .routes(routes!(reports::programme_csv))
        .routes(routes!(openapi::document_json))
        .routes(routes!(orgs::create, orgs::list))
        .routes(routes!(orgs::detail))
        .routes(routes!(orgs::invite))
        .routes(routes!(orgs::remove_member, orgs::set_member_role))
        .routes(routes!(orgs::revoke_invitation))
        .routes(routes!(orgs::resend_contact_verification))
        .routes(routes!(orgs::verify_contact))
        .routes(routes!(orgs::accept_invitation))
        .routes(routes!(applications::scopes))
        .routes(routes!(applications::create, applications::list))
        .routes(routes!(applications::get, applications::update))
        .routes(routes!(applications::submit))
        .routes(routes!(applications::withdraw))
        .routes(routes!(applications::recertify))
        .routes(routes!(applications::appeal))
        .routes(routes!(applications::decide_appeal))
        .routes(routes!(review::assign))
        .routes(routes!(review::get))
        .routes(routes!(review::all))
        .routes(routes!(review::record_verdict))
        .routes(routes!(review::decide))
        .routes(routes!(review::queue))
        .routes(routes!(review::dashboard))
        .routes(routes!(credentials::issue, credentials::list))
        .routes(routes!(credentials::suspend))
        .routes(routes!(credentials::reinstate))
        .routes(routes!(credentials::rotate))
        .routes(routes!(credentials::collect))
        .routes(routes!(credentials::force_rotation))
        .routes(routes!(credentials::revoke))
        .routes(routes!(credentials::create_gateway_key, credentials::list_gateway_keys))
        .routes(routes!(credentials::revoke_gateway_key))
        .routes(routes!(checklists::current))
        .routes(routes!(checklists::get, checklists::publish))
        .routes(routes!(checklists::versions))
        .routes(routes!(checklists::add_item))
        .routes(routes!(applications::timeline))
        .routes(routes!(applications::revisions))
        .routes(routes!(applications::compare))
        .routes(routes!(applications::messages, applications::post_message))
        .routes(routes!(applications::download_mockup, applications::delete_mockup))
        .routes(routes!(applications::mockup_thumbnail))
        .routes(routes!(applications::download_appeal_attachment))
        .routes(routes!(applications::appeal_attachment_thumbnail))
        .routes(routes!(evidence::export))
}

/// Uploads get a limit of their own: the largest file plus room for the multipart framing.
pub const UPLOAD_BODY_LIMIT: usize = MAX_MOCKUP_BYTES as usize + 64 * 1024;

/// An upload may take as long as it keeps up the minimum throughput.
fn upload_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(applications::upload_mockup))
        .routes(routes!(applications::upload_appeal_attachment))
}
