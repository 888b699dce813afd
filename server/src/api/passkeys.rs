//! Passkeys: the signed-in account's list, the two halves of adding one, renaming and removing;
//! and the two halves of an assertion, which signs in or steps up.

use super::auth::UserBody;
use crate::http::error::{ApiResult, ErrorBody};
use crate::http::extract::{ApiJson, Caller};
use crate::http::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use portcullis_domain::passkey::{PasskeyNameInput, PasskeyOptionsInput, PasskeyView};
use portcullis_service::passkeys::{self, PublicKeyCredential, RegisterPublicKeyCredential};
use portcullis_service::session_auth;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct PasskeyBody {
    passkey: PasskeyView,
}

#[derive(Serialize, ToSchema)]
pub struct PasskeyList {
    passkeys: Vec<PasskeyView>,
}

/// `POST /me/passkeys`: the browser's answer to the registration, and a name for the passkey.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasskeyRegistration {
    /// What the person calls it, e.g. the device that holds it (1 to 64 characters).
    #[schema(min_length = 1, max_length = 64, example = "Work laptop")]
    name: String,
    /// The `PublicKeyCredential` that `navigator.credentials.create()` gave, as JSON with its
    /// binary fields in unpadded base64url: `{id, rawId, type, response: {attestationObject,
    /// clientDataJSON, transports?}, extensions?}`.
    #[schema(value_type = Object)]
    credential: RegisterPublicKeyCredential,
}

/// `POST /auth/passkey`: the browser's answer to the assertion.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasskeyAssertion {
    /// The `PublicKeyCredential` that `navigator.credentials.get()` gave, as JSON with its
    /// binary fields in unpadded base64url: `{id, rawId, type, response: {authenticatorData,
    /// clientDataJSON, signature, userHandle}, extensions?}`.
    #[schema(value_type = Object)]
    credential: PublicKeyCredential,
}

#[utoipa::path(
    get,
    path = "/me/passkeys",
    operation_id = "list_passkeys",
    tag = "passkeys",
    summary = "The signed-in account's passkeys, oldest first (names and dates; keys never leave the server).",
    responses(
        (status = 200, description = "The passkeys.", body = PasskeyList),
        (status = 401, description = "Not signed in.", body = ErrorBody),
    ),
)]
pub async fn list(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<PasskeyList>> {
    Ok(Json(PasskeyList { passkeys: passkeys::list(&state.services, &caller.ctx).await? }))
}

#[utoipa::path(
    post,
    path = "/me/passkeys/registration",
    operation_id = "start_passkey_registration",
    tag = "passkeys",
    summary = "Start adding a passkey: the options for `navigator.credentials.create()` (`{publicKey: {...}}`, binary fields in unpadded base64url). The challenge is kept in this session for 5 minutes and answers once, through `POST /me/passkeys`.",
    description = "Adding a way in needs a sign-in (or step-up) from the last 10 minutes, and a fresh second factor when the account has one (`step_up_required` otherwise); an account that must set up its first factor may add one at once. At most 10 passkeys per account. Passkeys need `PORTCULLIS_PUBLIC_URL` to name the portal by a host name over https, or `localhost` (a loopback address stands for `localhost` on the same port).",
    responses(
        (status = 200, description = "The creation options.", body = Object),
        (status = 401, description = "Not signed in, or `step_up_required`.", body = ErrorBody),
        (status = 409, description = "10 passkeys already, or passkeys are not available under this public URL.", body = ErrorBody),
    ),
)]
pub async fn start_registration(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<Value>> {
    Ok(Json(passkeys::start_registration(&state.services, &caller.session, &caller.ctx).await?))
}

#[utoipa::path(
    post,
    path = "/me/passkeys",
    operation_id = "add_passkey",
    tag = "passkeys",
    summary = "Finish adding the passkey started in this session. The account is mailed a notice, and the session counts as having verified a second factor.",
    request_body = PasskeyRegistration,
    responses(
        (status = 201, description = "Added.", body = PasskeyBody),
        (status = 401, description = "Not signed in.", body = ErrorBody),
        (status = 409, description = "No registration waiting in this session (or it expired), or this passkey is registered already.", body = ErrorBody),
        (status = 422, description = "A name that is empty or too long (`fields.name`), or an answer that does not check out (`fields.credential`).", body = ErrorBody),
    ),
)]
pub async fn finish_registration(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<PasskeyRegistration>,
) -> ApiResult<(StatusCode, Json<PasskeyBody>)> {
    let name = PasskeyNameInput { name: input.name };
    let passkey =
        session_auth::register_passkey(&state.services, &caller.session, &caller.ctx, name, input.credential).await?;
    Ok((StatusCode::CREATED, Json(PasskeyBody { passkey })))
}

#[utoipa::path(
    patch,
    path = "/me/passkeys/{id}",
    operation_id = "rename_passkey",
    tag = "passkeys",
    summary = "Rename one of the signed-in account's passkeys.",
    params(("id" = String, Path)),
    request_body = PasskeyNameInput,
    responses(
        (status = 200, description = "Renamed.", body = PasskeyBody),
        (status = 401, description = "Not signed in.", body = ErrorBody),
        (status = 404, description = "No such passkey of this account.", body = ErrorBody),
        (status = 422, description = "A name that is empty or too long (`fields.name`).", body = ErrorBody),
    ),
)]
pub async fn rename(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<PasskeyNameInput>,
) -> ApiResult<Json<PasskeyBody>> {
    Ok(Json(PasskeyBody { passkey: passkeys::rename(&state.services, &caller.ctx, &id, input).await? }))
}

#[utoipa::path(
    delete,
    path = "/me/passkeys/{id}",
    operation_id = "remove_passkey",
    tag = "passkeys",
    summary = "Remove one of the signed-in account's passkeys. Needs a fresh second factor (`step_up_required`) where the policy asks for step-ups; the last second factor of an account that must have one is refused (409): add another first, or have an admin reset the factors.",
    params(("id" = String, Path)),
    responses(
        (status = 204, description = "Removed."),
        (status = 401, description = "Not signed in, or `step_up_required`.", body = ErrorBody),
        (status = 404, description = "No such passkey of this account.", body = ErrorBody),
        (status = 409, description = "It is the last second factor of an account that must have one.", body = ErrorBody),
    ),
)]
pub async fn remove(State(state): State<AppState>, caller: Caller, Path(id): Path<String>) -> ApiResult<StatusCode> {
    passkeys::remove(&state.services, &caller.ctx, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    post,
    path = "/auth/passkey/options",
    operation_id = "passkey_options",
    tag = "passkeys",
    summary = "Start a passkey assertion: the options for `navigator.credentials.get()` (`{publicKey: {...}}`, binary fields in unpadded base64url), kept in this session for 5 minutes, answered once through `POST /auth/passkey`.",
    description = "`sign_in` right after `POST /auth/login` answered `second_factor_required`: one of that account's passkeys is the second step. `sign_in` otherwise: any discoverable passkey, which names its account (no email needed). At most `PORTCULLIS_LIMIT_PASSKEY_SIGN_IN_PER_HOUR` (default 60) sign-in starts per client address per hour. `step_up`: one of the signed-in account's passkeys, before an action that answered `step_up_required`.",
    request_body = PasskeyOptionsInput,
    responses(
        (status = 200, description = "The request options.", body = Object),
        (status = 401, description = "`step_up` without a session.", body = ErrorBody),
        (status = 409, description = "The account has no passkey, or passkeys are not available under this public URL.", body = ErrorBody),
        (status = 429, description = "Too many passkey sign-ins from this address; see `Retry-After`.", body = ErrorBody),
    ),
    security((), ("session" = [])),
)]
pub async fn options(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<PasskeyOptionsInput>,
) -> ApiResult<Json<Value>> {
    let options = passkeys::start_authentication(&state.services, &caller.session, &caller.ctx, input.purpose).await?;
    Ok(Json(options))
}

#[utoipa::path(
    post,
    path = "/auth/passkey",
    operation_id = "passkey_assertion",
    tag = "passkeys",
    summary = "Finish the passkey assertion started in this session. A sign-in sets the session cookie, with the second factor verified; a step-up makes the session fresh for 10 minutes, as a code would. Refused answers count against the same failure limits as wrong passwords.",
    request_body = PasskeyAssertion,
    responses(
        (status = 200, description = "Signed in, or confirmed (the session id is renewed either way).", body = UserBody),
        (status = 401, description = "A step-up without a session.", body = ErrorBody),
        (status = 409, description = "No assertion waiting in this session, or it expired.", body = ErrorBody),
        (status = 422, description = "The passkey was not accepted: unknown, another account's, a wrong signature or challenge, no user verification, or replayed (`fields.credential`).", body = ErrorBody),
        (status = 429, description = "Too many failed attempts; see `Retry-After`.", body = ErrorBody),
    ),
    security((), ("session" = [])),
)]
pub async fn finish(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<PasskeyAssertion>,
) -> ApiResult<Json<UserBody>> {
    let user = session_auth::finish_passkey(&state.services, &caller.session, &caller.ctx, input.credential).await?;
    Ok(Json(UserBody { user }))
}
