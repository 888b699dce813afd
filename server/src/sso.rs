//! Single sign-on's browser routes: `GET /auth/oidc/start` sends the browser to the
//! organisation's identity provider, `GET /auth/oidc/callback` is where it comes back. Both
//! answer with redirects: to the provider, to where the person was going, or to a page that
//! explains what went wrong (never an error status the browser shows bare).

use crate::http::extract::Caller;
use crate::http::state::AppState;
use axum::extract::{Query, State};
use axum::http::header::CACHE_CONTROL;
use axum::response::{IntoResponse, Redirect, Response};
use portcullis_domain::sso::{PROBLEM_PATH, SsoProblem};
use portcullis_service::ServiceError;
use portcullis_service::sso::{self, CallbackParams, StartRequest};

/// The problem page for `problem`.
fn problem_page(problem: SsoProblem) -> Response {
    no_store(Redirect::to(&format!("{PROBLEM_PATH}?reason={}", problem.code())))
}

/// Nothing on these answers is for a cache: each carries a one-time state or a session change.
fn no_store(redirect: Redirect) -> Response {
    ([(CACHE_CONTROL, "no-store")], redirect).into_response()
}

/// A browser came here, not an API client: every failure is a page it can act on.
fn failed(error: ServiceError) -> Response {
    match error {
        // A step-up asked for by someone whose session has ended.
        ServiceError::Unauthenticated => no_store(Redirect::to("/login")),
        ServiceError::RateLimited { .. } | ServiceError::LimitReached { .. } => {
            problem_page(SsoProblem::TooManyAttempts)
        }
        other => {
            tracing::error!(error = ?other, "a single sign-on could not finish");
            problem_page(SsoProblem::PortalUnavailable)
        }
    }
}

/// `GET /auth/oidc/start?return=/path[&step_up=1]`.
pub async fn start(State(state): State<AppState>, caller: Caller, Query(request): Query<StartRequest>) -> Response {
    match sso::start(&state.services, &caller.session, &caller.ctx, request).await {
        Ok(Ok(url)) => no_store(Redirect::to(url.as_str())),
        Ok(Err(problem)) => problem_page(problem),
        Err(error) => failed(error),
    }
}

/// `GET /auth/oidc/callback?code=…&state=…` (or `error=…`), from the provider.
pub async fn callback(State(state): State<AppState>, caller: Caller, Query(params): Query<CallbackParams>) -> Response {
    match sso::finish(&state.services, &caller.session, &caller.ctx, params).await {
        Ok(Ok(path)) => no_store(Redirect::to(&path)),
        Ok(Err(problem)) => problem_page(problem),
        Err(error) => failed(error),
    }
}
