use crate::http::error::{ApiResult, ErrorBody};
use crate::http::extract::{ApiJson, Caller};
use crate::http::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use portcullis_domain::account::{
    PasswordChangeInput, PasswordResetConfirm, PasswordResetRequest, RegisterInput, SignInInput, StepUpRequest,
    UserView, VerifyEmailInput,
};
use portcullis_domain::second_factor::{CodeInput, RecoveryCodes, TotpEnrolment};
use portcullis_service::{accounts, second_factors, session_auth};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct UserBody {
    pub(super) user: UserView,
}

#[utoipa::path(
    post,
    path = "/auth/register",
    tag = "accounts",
    summary = "Register an account; a verification mail is sent.",
    description = "An address that already has an account gets a notice by mail instead; the answer looks the same.",
    request_body = RegisterInput,
    responses(
        (status = 201, description = "Registered.", body = UserBody),
        (status = 400, description = "Malformed JSON.", body = ErrorBody),
        (status = 413, description = "Body too large.", body = ErrorBody),
        (status = 422, description = "Validation failed; `fields` lists every problem.", body = ErrorBody),
        (status = 429, description = "Too many registrations from this address; see `Retry-After`.", body = ErrorBody),
    ),
    security(()),
)]
pub async fn register(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<RegisterInput>,
) -> ApiResult<(StatusCode, Json<UserBody>)> {
    let user = accounts::register(&state.services, &caller.ctx, input).await?;
    Ok((StatusCode::CREATED, Json(UserBody { user })))
}

#[utoipa::path(
    post,
    path = "/auth/verify-email",
    tag = "accounts",
    summary = "Confirm an email address with the token from the mailed link.",
    request_body = VerifyEmailInput,
    responses(
        (status = 204, description = "Verified."),
        (status = 400, description = "Invalid or expired token.", body = ErrorBody),
        (status = 422, description = "Validation failed; `fields` lists every problem.", body = ErrorBody),
    ),
    security(()),
)]
pub async fn verify_email(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<VerifyEmailInput>,
) -> ApiResult<StatusCode> {
    accounts::verify_email(&state.services, &caller.ctx, input).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    post,
    path = "/auth/verify-email/resend",
    tag = "accounts",
    summary = "Mail a new verification link to the signed-in person. Until the address is verified, creating or joining an organisation, submitting and getting credentials answer 403. At most `PORTCULLIS_LIMIT_VERIFY_RESEND_PER_HOUR` (default 5) per client address per hour.",
    responses(
        (status = 202, description = "A new link is on its way."),
        (status = 409, description = "The address is verified already.", body = ErrorBody),
        (status = 429, description = "Too many verification mails from this address; see `Retry-After`.", body = ErrorBody),
    ),
)]
pub async fn resend_verification(State(state): State<AppState>, caller: Caller) -> ApiResult<StatusCode> {
    accounts::resend_verification(&state.services, &caller.ctx).await?;
    Ok(StatusCode::ACCEPTED)
}

#[utoipa::path(
    post,
    path = "/auth/login",
    tag = "accounts",
    summary = "Sign in; sets the session cookie.",
    description = "An account with a second factor (while `PORTCULLIS_REQUIRE_MFA` is not `off`) also sends `code`: six digits from its authenticator app, or one of its recovery codes (each works once). Wrong codes count against the same failure limits as wrong passwords. An account that must have a second factor and has none is signed in only to set one up: its other calls answer 403 `second_factor_setup_required`.",
    request_body = SignInInput,
    responses(
        (status = 200, description = "Signed in.", body = UserBody),
        (status = 401, description = "Unknown email or wrong password (same answer, code `invalid_credentials`), or `second_factor_required`: the password is right, and `code` must come with it.", body = ErrorBody),
        (status = 403, description = "Account disabled.", body = ErrorBody),
        (status = 422, description = "Validation failed, or a wrong or used code (`fields.code`).", body = ErrorBody),
        (status = 429, description = "Too many attempts.", body = ErrorBody),
    ),
    security(()),
)]
pub async fn login(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<SignInInput>,
) -> ApiResult<Json<UserBody>> {
    let user = session_auth::log_in(&state.services, &caller.session, &caller.ctx, input).await?;
    Ok(Json(UserBody { user }))
}

#[utoipa::path(
    post,
    path = "/auth/logout",
    tag = "accounts",
    summary = "Sign out; the session is deleted on the server.",
    responses(
        (status = 204, description = "Signed out, or there was no session to end."),
    ),
    security((), ("session" = [])),
)]
pub async fn logout(State(state): State<AppState>, caller: Caller) -> ApiResult<StatusCode> {
    // The provider's end-session page is for browsers (the sign-out button); an API client
    // ends its own session only.
    session_auth::log_out(&state.services, &caller.session, &caller.ctx).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    post,
    path = "/auth/password-reset",
    tag = "accounts",
    summary = "Mail a password-reset link if the address has an account.",
    request_body = PasswordResetRequest,
    responses(
        (status = 202, description = "Accepted (same answer for unknown addresses)."),
        (status = 422, description = "Validation failed; `fields` lists every problem.", body = ErrorBody),
        (status = 429, description = "Too many reset requests from this address; see `Retry-After`.", body = ErrorBody),
    ),
    security(()),
)]
pub async fn request_password_reset(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<PasswordResetRequest>,
) -> ApiResult<StatusCode> {
    accounts::request_password_reset(&state.services, &caller.ctx, input).await?;
    Ok(StatusCode::ACCEPTED)
}

#[utoipa::path(
    post,
    path = "/auth/password-reset/confirm",
    tag = "accounts",
    summary = "Set a new password with the token from the mailed link; ends all sessions.",
    request_body = PasswordResetConfirm,
    responses(
        (status = 204, description = "Password changed."),
        (status = 400, description = "Invalid or expired token.", body = ErrorBody),
        (status = 422, description = "Validation failed; `fields` lists every problem.", body = ErrorBody),
        (status = 429, description = "Too many attempts from this address; see `Retry-After`.", body = ErrorBody),
    ),
    security(()),
)]
pub async fn confirm_password_reset(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<PasswordResetConfirm>,
) -> ApiResult<StatusCode> {
    accounts::confirm_password_reset(&state.services, &caller.ctx, input).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Sets a new password; every other session of the account ends.
#[utoipa::path(
    post,
    path = "/auth/password",
    tag = "accounts",
    summary = "Set a new password, proving the current one. Every other session of the account ends for good, this one goes on under a new id, unused reset links stop working, and the owner is mailed a notice. Wrong current passwords count against the same failure limits as sign-in.",
    request_body = PasswordChangeInput,
    responses(
        (status = 204, description = "Changed."),
        (status = 400, description = "Malformed request.", body = ErrorBody),
        (status = 422, description = "Wrong current password (`fields.current_password`) or a new password that is not 12 to 128 characters (`fields.password`).", body = ErrorBody),
        (status = 429, description = "Too many failed attempts; see `Retry-After`.", body = ErrorBody),
        (status = 503, description = "Too many passwords waiting to be hashed; see `Retry-After`.", body = ErrorBody),
    ),
)]
pub async fn change_password(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<PasswordChangeInput>,
) -> ApiResult<StatusCode> {
    session_auth::change_password(&state.services, &caller.session, &caller.ctx, input).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Proves again who is signed in, so the session counts as fresh for a while.
#[utoipa::path(
    post,
    path = "/auth/step-up",
    tag = "accounts",
    summary = "Confirm it is you again, for the actions that answer 401 `step_up_required`. Send `code` (from the authenticator app, or a recovery code) or, for an account without a second factor, `password`. For the next 10 minutes the session counts as fresh: with a code for every such action (approving a sensitive scope, issuing, rotating or collecting production credentials, creating a gateway key, changing roles or second factors, publishing a checklist), with a password for collecting a production secret where no second factor is asked. Counts against the same failure limits as sign-in.",
    request_body = StepUpRequest,
    responses(
        (status = 204, description = "Confirmed; the session id is renewed."),
        (status = 400, description = "Malformed request.", body = ErrorBody),
        (status = 403, description = "`second_factor_setup_required` (set up a second factor first), or a request from another browser origin.", body = ErrorBody),
        (status = 422, description = "Wrong or used code (`fields.code`), or wrong password (`fields.password`).", body = ErrorBody),
        (status = 429, description = "Too many failed attempts; see `Retry-After`.", body = ErrorBody),
    ),
)]
pub async fn step_up(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<StepUpRequest>,
) -> ApiResult<StatusCode> {
    session_auth::step_up(&state.services, &caller.session, &caller.ctx, input).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    get,
    path = "/me",
    tag = "accounts",
    summary = "The signed-in user.",
    responses(
        (status = 200, description = "The user.", body = UserBody),
    ),
)]
pub async fn me(caller: Caller) -> ApiResult<Json<UserBody>> {
    // Also for a session that must set up its second factor first: it may see who it is.
    let actor = caller.ctx.signed_in_for_setup()?;
    Ok(Json(UserBody { user: actor.view() }))
}

#[utoipa::path(
    post,
    path = "/me/totp",
    tag = "accounts",
    summary = "Start setting up a TOTP second factor: a new secret for an authenticator app (base32, and as an `otpauth://` URI for a QR code), shown once. Not in force until a code from it is confirmed; starting again replaces an unconfirmed secret.",
    responses(
        (status = 201, description = "Started.", body = TotpEnrolment),
        (status = 401, description = "Not signed in.", body = ErrorBody),
        (status = 409, description = "The account has a second factor already; an admin can reset it.", body = ErrorBody),
    ),
)]
pub async fn start_totp(State(state): State<AppState>, caller: Caller) -> ApiResult<(StatusCode, Json<TotpEnrolment>)> {
    let enrolment = second_factors::start_totp(&state.services, &caller.ctx).await?;
    Ok((StatusCode::CREATED, Json(enrolment)))
}

#[utoipa::path(
    post,
    path = "/me/totp/confirm",
    tag = "accounts",
    summary = "Confirm the new TOTP second factor with a code from it. From now on, signing in needs a code too. Answers the 10 recovery codes, once: each can stand in for a code, one time. Wrong codes count against the same failure limits as sign-in.",
    request_body = CodeInput,
    responses(
        (status = 200, description = "Confirmed; the session counts as having verified the factor.", body = RecoveryCodes),
        (status = 401, description = "Not signed in.", body = ErrorBody),
        (status = 409, description = "No second factor waiting to be confirmed.", body = ErrorBody),
        (status = 422, description = "Wrong code (`fields.code`).", body = ErrorBody),
        (status = 429, description = "Too many failed attempts; see `Retry-After`.", body = ErrorBody),
    ),
)]
pub async fn confirm_totp(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<CodeInput>,
) -> ApiResult<Json<RecoveryCodes>> {
    Ok(Json(session_auth::confirm_totp(&state.services, &caller.session, &caller.ctx, input).await?))
}
