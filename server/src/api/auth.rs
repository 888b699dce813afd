use crate::http::error::ApiResult;
use crate::http::extract::{ApiJson, Caller};
use crate::http::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use portcullis_domain::account::{
    LoginInput, PasswordChangeInput, PasswordResetConfirm, PasswordResetRequest, RegisterInput, StepUpInput, UserView,
    VerifyEmailInput,
};
use portcullis_service::{Actor, accounts, session_auth};
use serde::Serialize;

#[derive(Serialize)]
pub struct UserBody {
    user: UserView,
}

pub async fn register(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<RegisterInput>,
) -> ApiResult<(StatusCode, Json<UserBody>)> {
    let user = accounts::register(&state.services, &caller.ctx, input).await?;
    Ok((StatusCode::CREATED, Json(UserBody { user })))
}

pub async fn verify_email(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<VerifyEmailInput>,
) -> ApiResult<StatusCode> {
    accounts::verify_email(&state.services, &caller.ctx, input).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn resend_verification(State(state): State<AppState>, caller: Caller) -> ApiResult<StatusCode> {
    accounts::resend_verification(&state.services, &caller.ctx).await?;
    Ok(StatusCode::ACCEPTED)
}

pub async fn login(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<LoginInput>,
) -> ApiResult<Json<UserBody>> {
    let user = accounts::login(&state.services, &caller.ctx, input).await?;
    session_auth::sign_in(&state.services, &caller.session, &user).await?;
    Ok(Json(UserBody { user: Actor::from_user(&user).view() }))
}

pub async fn logout(State(state): State<AppState>, caller: Caller) -> ApiResult<StatusCode> {
    accounts::record_logout(&state.services, &caller.ctx).await?;
    session_auth::sign_out(&state.services, &caller.session).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn request_password_reset(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<PasswordResetRequest>,
) -> ApiResult<StatusCode> {
    accounts::request_password_reset(&state.services, &caller.ctx, input).await?;
    Ok(StatusCode::ACCEPTED)
}

pub async fn confirm_password_reset(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<PasswordResetConfirm>,
) -> ApiResult<StatusCode> {
    accounts::confirm_password_reset(&state.services, &caller.ctx, input).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Sets a new password; every other session of the account ends.
pub async fn change_password(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<PasswordChangeInput>,
) -> ApiResult<StatusCode> {
    session_auth::change_password(&state.services, &caller.session, &caller.ctx, input).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Confirms the password again, so the session counts as a fresh sign-in for a while.
pub async fn step_up(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<StepUpInput>,
) -> ApiResult<StatusCode> {
    session_auth::step_up(&state.services, &caller.session, &caller.ctx, input).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn me(caller: Caller) -> ApiResult<Json<UserBody>> {
    let actor = caller.ctx.signed_in()?;
    Ok(Json(UserBody { user: actor.view() }))
}
