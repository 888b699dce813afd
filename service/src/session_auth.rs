//! Who a session belongs to, with the idle and absolute timeouts, the re-issue of the
//! session id whenever the account's privileges change, and the end of every session that
//! signed in before the password last changed.

use crate::Services;
use crate::accounts;
use crate::audit::{self, AuditEvent};
use crate::context::{Actor, Ctx, SecondFactorStatus};
use crate::db::begin_write;
use crate::devices;
use crate::entity::session as session_row;
use crate::entity::user;
use crate::error::{Refusal, ServiceError, ServiceResult};
use crate::passkeys::{self, PENDING_SIGN_IN_KEY, PendingSignIn, PublicKeyCredential, RegisterPublicKeyCredential};
use crate::second_factors;
use crate::session_store::{MOVED_SIGN_IN_KEY, end_sign_in, end_sign_in_in};
use crate::tokens::new_id;
use portcullis_domain::account::{PasswordChangeInput, SignInInput, StepUpRequest, UserView, normalize_email};
use portcullis_domain::device::{SessionList, SessionView, clip_user_agent, device_label};
use portcullis_domain::passkey::{PasskeyNameInput, PasskeyPurpose, PasskeyView};
use portcullis_domain::second_factor::{CodeInput, MfaPolicy, RecoveryCodes};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde::{Deserialize, Serialize};
use serde_json::json;
use tower_sessions::Session;
use validator::Validate;

pub const AUTH_KEY: &str = "auth";
/// A session ends this long after sign-in, however active.
pub const ABSOLUTE_TIMEOUT_SECS: i64 = 12 * 3600;
/// A session ends after this long without a request.
pub const IDLE_TIMEOUT_SECS: i64 = 30 * 60;
/// Activity is written back at most this often, to keep reads cheap.
const TOUCH_EVERY_SECS: i64 = 60;

#[derive(Debug, Clone, Serialize, Deserialize)]
struct SessionAuth {
    user_id: String,
    /// Names this sign-in across every re-issue of the session id, so logging out ends it
    /// whatever id it has by then (empty for sessions from before this field).
    #[serde(default)]
    sign_in_id: String,
    /// The account's `auth_epoch` when this session id was issued.
    epoch: i32,
    /// The account's `password_epoch` at sign-in (0 for sessions from before this field, as
    /// for every account before its first password change).
    #[serde(default)]
    password_epoch: i32,
    logged_in_at: i64,
    seen_at: i64,
    /// The last time the password was confirmed again (step-up); sessions from before this
    /// field have none.
    #[serde(default)]
    confirmed_at: Option<i64>,
    /// The last time this session verified a code of the account's second factor: at sign-in,
    /// at step-up, or when confirming a new factor.
    #[serde(default)]
    factor_verified_at: Option<i64>,
    /// Signed in with the organisation's identity provider (single sign-on), not a password.
    #[serde(default)]
    via_sso: bool,
    /// The browser's `User-Agent` and the client address at sign-in, for the Security page.
    #[serde(default)]
    user_agent: Option<String>,
    #[serde(default)]
    address: Option<String>,
}

impl SessionAuth {
    /// Whether the session has timed out, idle or absolutely.
    fn lapsed(&self, now: i64) -> bool {
        now - self.logged_in_at > ABSOLUTE_TIMEOUT_SECS || now - self.seen_at > IDLE_TIMEOUT_SECS
    }

    /// When the sign-in would time out at the latest: its end is recorded until then.
    fn ends_by(&self) -> chrono::DateTime<chrono::Utc> {
        chrono::DateTime::from_timestamp(self.logged_in_at + ABSOLUTE_TIMEOUT_SECS, 0).unwrap_or_default()
    }
}

/// The session store is the database: when it cannot be reached, the answer is the same 503 as
/// for any other query, not an internal error.
pub(crate) fn session_err(e: tower_sessions::session::Error) -> ServiceError {
    match e {
        tower_sessions::session::Error::Store(tower_sessions::session_store::Error::Backend(message)) => {
            ServiceError::Database(sea_orm::DbErr::Custom(message))
        }
        other => ServiceError::Internal(format!("session: {other}")),
    }
}

/// Signs in with a password, and a code of the second factor when the account needs one:
/// checks them, then starts the session. The one way in, for the API and the pages alike.
pub async fn log_in(
    services: &Services,
    session: &Session,
    ctx: &Ctx,
    input: impl Into<SignInInput>,
) -> ServiceResult<UserView> {
    let input = input.into();
    let email = normalize_email(&input.email);
    let (user, factor_verified) = match accounts::login(services, ctx, input).await {
        Ok(signed_in) => signed_in,
        Err(refused @ ServiceError::NotAllowed(Refusal::SecondFactorRequired)) => {
            // The password was right: the second step may be a passkey of this account, which
            // the passkey options will ask for.
            await_second_step(services, session, &email).await?;
            return Err(refused);
        }
        Err(other) => return Err(other),
    };
    sign_in(services, session, ctx, &user, factor_verified).await?;
    signed_in_view(services, &user).await
}

/// Notes in the session that `email`'s password was right, for the second step to finish.
async fn await_second_step(services: &Services, session: &Session, email: &str) -> ServiceResult<()> {
    let user = user::Entity::find().filter(user::Column::Email.eq(email)).one(services.db()).await?;
    let Some(user) = user else { return Ok(()) };
    let pending =
        PendingSignIn { user_id: user.id, password_epoch: user.password_epoch, at: services.clock().now().timestamp() };
    session.insert(PENDING_SIGN_IN_KEY, pending).await.map_err(session_err)
}

/// The user as a sign-in answers it.
async fn signed_in_view(services: &Services, user: &user::Model) -> ServiceResult<UserView> {
    let second_factor = second_factor_status(services, &user.id, None).await?;
    let staff_allowed = staff_allowed(services, &user.id, false).await?;
    Ok(Actor { second_factor, ..Actor::from_user(user)?.limited_to_staff(staff_allowed) }.view())
}

/// The account's second factors as the policy judges them; `verified_at` is when this session
/// last verified one. An account of the identity provider has its second factor there.
async fn second_factor_status(
    services: &Services,
    user_id: &str,
    verified_at: Option<i64>,
) -> ServiceResult<SecondFactorStatus> {
    let policy = services.config().require_mfa;
    let factors = second_factors::factors(services.db(), user_id).await?;
    let sso = services.sso().is_some() && crate::sso::is_sso_account(services.db(), user_id).await?;
    let enrolled = policy != MfaPolicy::Off && (factors.any() || sso);
    Ok(SecondFactorStatus { policy, enrolled, verified_at, sso, factors })
}

/// Finishes a passkey assertion started in this session (see [`passkeys::start_authentication`]):
/// a sign-in binds the session to the passkey's account, with its second factor verified; a
/// step-up makes the session fresh, as a code would.
pub async fn finish_passkey(
    services: &Services,
    session: &Session,
    ctx: &Ctx,
    credential: PublicKeyCredential,
) -> ServiceResult<UserView> {
    let asserted = passkeys::finish_authentication(services, session, ctx, credential).await?;
    match asserted.purpose {
        PasskeyPurpose::SignIn => sign_in(services, session, ctx, &asserted.user, true).await?,
        PasskeyPurpose::StepUp => factor_step_up(services, session).await?,
    }
    signed_in_view(services, &asserted.user).await
}

/// Finishes adding a passkey to the signed-in account. Its registration verified the person on
/// the authenticator, so it counts as a verified factor, as confirming an authenticator app does.
pub async fn register_passkey(
    services: &Services,
    session: &Session,
    ctx: &Ctx,
    name: PasskeyNameInput,
    credential: RegisterPublicKeyCredential,
) -> ServiceResult<PasskeyView> {
    let Some(mut auth) = session.get::<SessionAuth>(AUTH_KEY).await.map_err(session_err)? else {
        return Err(ServiceError::Unauthenticated);
    };
    let added = passkeys::finish_registration(services, session, ctx, name, credential).await?;
    session.cycle_id().await.map_err(session_err)?;
    auth.factor_verified_at = Some(services.clock().now().timestamp());
    session.insert(AUTH_KEY, auth).await.map_err(session_err)?;
    Ok(added)
}

/// Signs out: records it when someone was signed in, then ends the session for good. Without
/// a session it does nothing and succeeds. A session signed in through the organisation's
/// identity provider gets the provider's end-session page to go to next, when it has one
/// (RP-initiated logout), so the person is signed out there too.
pub async fn log_out(services: &Services, session: &Session, ctx: &Ctx) -> ServiceResult<Option<url::Url>> {
    let via_sso = session.get::<SessionAuth>(AUTH_KEY).await.map_err(session_err)?.is_some_and(|auth| auth.via_sso);
    accounts::record_logout(services, ctx).await?;
    sign_out(services, session).await?;
    Ok(match services.sso() {
        Some(provider) if via_sso => provider.logout_url(&services.config().public_url).await,
        _ => None,
    })
}

/// Binds the session to `user` under a fresh id (no session fixation); `factor_verified` when
/// a code of the second factor came with the password.
async fn sign_in(
    services: &Services,
    session: &Session,
    ctx: &Ctx,
    user: &user::Model,
    factor_verified: bool,
) -> ServiceResult<()> {
    let factor_verified_at = factor_verified.then(|| services.clock().now().timestamp());
    start_session(services, session, ctx, user, factor_verified_at, false).await
}

/// Binds the session to `user`, signed in with the organisation's identity provider, under a
/// fresh id; the provider vouches for the second factor as of `factor_verified_at`.
pub(crate) async fn sign_in_with_sso(
    services: &Services,
    session: &Session,
    ctx: &Ctx,
    user: &user::Model,
    factor_verified_at: Option<i64>,
) -> ServiceResult<()> {
    start_session(services, session, ctx, user, factor_verified_at, true).await
}

/// Every way of signing in ends here: the device is remembered, and the session gets a fresh id
/// (no session fixation) and forgets any half-done sign-in.
async fn start_session(
    services: &Services,
    session: &Session,
    ctx: &Ctx,
    user: &user::Model,
    factor_verified_at: Option<i64>,
    via_sso: bool,
) -> ServiceResult<()> {
    devices::remember(services, ctx, user).await?;
    let now = services.clock().now().timestamp();
    session.cycle_id().await.map_err(session_err)?;
    session.remove::<PendingSignIn>(PENDING_SIGN_IN_KEY).await.map_err(session_err)?;
    let auth = SessionAuth {
        user_id: user.id.clone(),
        sign_in_id: new_id(),
        epoch: user.auth_epoch,
        password_epoch: user.password_epoch,
        logged_in_at: now,
        seen_at: now,
        confirmed_at: None,
        factor_verified_at,
        via_sso,
        user_agent: ctx.device.user_agent.as_deref().map(clip_user_agent),
        address: ctx.ip.clone(),
    };
    session.insert(AUTH_KEY, auth).await.map_err(session_err)
}

/// The signed-in person verified a second factor again (a passkey, or a new sign-in at the
/// identity provider): a fresh confirmation and second factor, under a new id.
pub(crate) async fn factor_step_up(services: &Services, session: &Session) -> ServiceResult<()> {
    let Some(mut auth) = session.get::<SessionAuth>(AUTH_KEY).await.map_err(session_err)? else {
        return Err(ServiceError::Unauthenticated);
    };
    let now = services.clock().now().timestamp();
    session.cycle_id().await.map_err(session_err)?;
    auth.confirmed_at = Some(now);
    auth.factor_verified_at = Some(now);
    session.insert(AUTH_KEY, auth).await.map_err(session_err)
}

/// Whether a session may use the staff roles its account holds: always without single
/// sign-on; with it, only when signed in through it, or for a `create-admin` account.
async fn staff_allowed(services: &Services, user_id: &str, via_sso: bool) -> ServiceResult<bool> {
    Ok(services.sso().is_none() || via_sso || crate::sso::is_break_glass(services.db(), user_id).await?)
}

/// Ends the session for good: its cookie is worthless afterwards, and so is any new id a
/// request in flight would issue for it.
pub(crate) async fn sign_out(services: &Services, session: &Session) -> ServiceResult<()> {
    let now = services.clock().now();
    let sign_in = match session.get::<SessionAuth>(AUTH_KEY).await.map_err(session_err)? {
        Some(auth) => Some((auth.sign_in_id, auth.logged_in_at)),
        // The id was replaced by a request in flight: the stub names the sign-in.
        None => session.get::<String>(MOVED_SIGN_IN_KEY).await.map_err(session_err)?.map(|id| (id, now.timestamp())),
    };
    if let Some((sign_in_id, logged_in_at)) = sign_in.filter(|(id, _)| !id.is_empty()) {
        let until = chrono::DateTime::from_timestamp(logged_in_at + ABSOLUTE_TIMEOUT_SECS, 0).unwrap_or(now);
        end_sign_in(services.db(), &sign_in_id, until).await?;
    }
    session.flush().await.map_err(session_err)
}

/// The signed-in account, or `None` (and the session ended) when it timed out, was disabled
/// or deleted, or its password changed after this session signed in.
pub async fn resolve(services: &Services, session: &Session) -> ServiceResult<Option<Actor>> {
    let Some(mut auth) = session.get::<SessionAuth>(AUTH_KEY).await.map_err(session_err)? else {
        return Ok(None);
    };
    let now = services.clock().now().timestamp();
    if auth.lapsed(now) {
        sign_out(services, session).await?;
        return Ok(None);
    }
    let user = user::Entity::find_by_id(auth.user_id.clone()).one(services.db()).await?;
    // A session from before a password change is never re-keyed: it may be the one the change
    // meant to end, written back by a request that was in flight.
    let Some(user) = user.filter(|u| u.disabled_at.is_none() && u.password_epoch == auth.password_epoch) else {
        sign_out(services, session).await?;
        return Ok(None);
    };
    let confirmed_at = auth.confirmed_at.map_or(auth.logged_in_at, |at| at.max(auth.logged_in_at));
    let second_factor = second_factor_status(services, &user.id, auth.factor_verified_at).await?;
    let staff_allowed = staff_allowed(services, &user.id, auth.via_sso).await?;
    if user.auth_epoch != auth.epoch {
        // Privileges changed since this id was issued: issue a new one.
        session.cycle_id().await.map_err(session_err)?;
        auth.epoch = user.auth_epoch;
        auth.seen_at = now;
        session.insert(AUTH_KEY, auth).await.map_err(session_err)?;
    } else if now - auth.seen_at >= TOUCH_EVERY_SECS {
        auth.seen_at = now;
        session.insert(AUTH_KEY, auth).await.map_err(session_err)?;
    }
    Ok(Some(Actor {
        confirmed_at: Some(confirmed_at),
        second_factor,
        ..Actor::from_user(&user)?.limited_to_staff(staff_allowed)
    }))
}

/// The signed-in person proves again that it is them, with a code of their second factor or
/// with their password: the session counts as a fresh sign-in for the dangerous actions
/// (under a new id, as after any change of privilege), without extending its absolute
/// lifetime. Only a code counts for the actions that need a fresh second factor.
pub async fn step_up(
    services: &Services,
    session: &Session,
    ctx: &Ctx,
    input: impl Into<StepUpRequest>,
) -> ServiceResult<()> {
    let input = input.into();
    input.validate()?;
    let Some(mut auth) = session.get::<SessionAuth>(AUTH_KEY).await.map_err(session_err)? else {
        return Err(ServiceError::Unauthenticated);
    };
    let factor_verified = match (input.code, input.password) {
        (Some(code), None) => {
            second_factors::step_up(services, ctx, &code).await?;
            true
        }
        (None, Some(password)) => {
            crate::accounts::confirm_password(services, ctx, &password).await?;
            false
        }
        _ => {
            return Err(ServiceError::field(
                "code",
                "Send a code from your authenticator app (or a recovery code), or else your password.",
            ));
        }
    };
    let now = services.clock().now().timestamp();
    session.cycle_id().await.map_err(session_err)?;
    auth.confirmed_at = Some(now);
    if factor_verified {
        auth.factor_verified_at = Some(now);
    }
    session.insert(AUTH_KEY, auth).await.map_err(session_err)
}

/// Confirms the signed-in person's new TOTP factor with a code from it, and returns its
/// recovery codes. The code counts as a verified factor, so the session may go on at once
/// (under a new id: it may do more now).
pub async fn confirm_totp(
    services: &Services,
    session: &Session,
    ctx: &Ctx,
    input: CodeInput,
) -> ServiceResult<RecoveryCodes> {
    let Some(mut auth) = session.get::<SessionAuth>(AUTH_KEY).await.map_err(session_err)? else {
        return Err(ServiceError::Unauthenticated);
    };
    let codes = second_factors::confirm_totp(services, ctx, input).await?;
    session.cycle_id().await.map_err(session_err)?;
    auth.factor_verified_at = Some(services.clock().now().timestamp());
    session.insert(AUTH_KEY, auth).await.map_err(session_err)?;
    Ok(codes)
}

/// Changes the signed-in person's password: every session of the account ends, and this one
/// continues as a new sign-in under a new id.
pub async fn change_password(
    services: &Services,
    session: &Session,
    ctx: &Ctx,
    input: PasswordChangeInput,
) -> ServiceResult<()> {
    let user = crate::accounts::change_password(services, ctx, input).await?;
    sign_in(services, session, ctx, &user, false).await
}

/// The sign-ins of the caller's account that are still going, read from their sessions.
async fn live_sign_ins(conn: &impl ConnectionTrait, user_id: &str, now: i64) -> ServiceResult<Vec<SessionAuth>> {
    let rows = session_row::Entity::find()
        .filter(session_row::Column::UserId.eq(user_id))
        .filter(session_row::Column::ExpiresAt.gt(chrono::DateTime::from_timestamp(now, 0).unwrap_or_default()))
        .all(conn)
        .await?;
    let mut sign_ins: Vec<SessionAuth> = rows
        .iter()
        .filter_map(|row| serde_json::from_str::<serde_json::Value>(&row.data).ok())
        .filter_map(|data| serde_json::from_value::<SessionAuth>(data.get(AUTH_KEY)?.clone()).ok())
        .filter(|auth| auth.user_id == user_id && !auth.sign_in_id.is_empty() && !auth.lapsed(now))
        .collect();
    // A sign-in briefly has two rows while its id is re-issued: list it once.
    sign_ins.sort_by(|a, b| a.sign_in_id.cmp(&b.sign_in_id).then(b.seen_at.cmp(&a.seen_at)));
    sign_ins.dedup_by(|a, b| a.sign_in_id == b.sign_in_id);
    Ok(sign_ins)
}

async fn current_sign_in(session: &Session) -> ServiceResult<SessionAuth> {
    session.get::<SessionAuth>(AUTH_KEY).await.map_err(session_err)?.ok_or(ServiceError::Unauthenticated)
}

fn rfc3339(at: i64) -> String {
    chrono::DateTime::from_timestamp(at, 0).unwrap_or_default().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Where the caller's account is signed in: this session first, then the most recently seen.
pub async fn sessions(services: &Services, session: &Session, ctx: &Ctx) -> ServiceResult<SessionList> {
    let actor = ctx.signed_in_for_setup()?;
    let current = current_sign_in(session).await?;
    let now = services.clock().now().timestamp();
    let mut sign_ins = live_sign_ins(services.db(), &actor.user_id, now).await?;
    sign_ins.sort_by_key(|auth| (auth.sign_in_id != current.sign_in_id, -auth.seen_at));
    let sessions = sign_ins
        .into_iter()
        .map(|auth| SessionView {
            current: auth.sign_in_id == current.sign_in_id,
            device: device_label(auth.user_agent.as_deref()),
            address: auth.address,
            signed_in_at: rfc3339(auth.logged_in_at),
            last_seen_at: rfc3339(auth.seen_at),
            id: auth.sign_in_id,
        })
        .collect();
    Ok(SessionList { sessions })
}

/// Ends one other session of the caller's account (a device left signed in, or not theirs).
/// The session asking signs out instead.
pub async fn end_session(services: &Services, session: &Session, ctx: &Ctx, id: &str) -> ServiceResult<()> {
    let actor = ctx.signed_in_for_setup()?;
    if current_sign_in(session).await?.sign_in_id == id {
        return Err(ServiceError::Conflict("That is the session you are using: sign out instead.".into()));
    }
    let now = services.clock().now().timestamp();
    let txn = begin_write(services.db()).await?;
    let found = live_sign_ins(&txn, &actor.user_id, now).await?.into_iter().find(|auth| auth.sign_in_id == id);
    let Some(ended) = found else { return Err(ServiceError::NotFound) };
    end_sign_in_in(&txn, &ended.sign_in_id, ended.ends_by()).await?;
    let device = device_label(ended.user_agent.as_deref());
    let event = AuditEvent::new("user.session_ended", "user", actor.user_id.clone())
        .details(json!({ "device": device, "address": ended.address }));
    audit::record(&txn, services.clock(), ctx, event).await?;
    txn.commit().await?;
    Ok(())
}

/// Ends every session of the caller's account but the one asking; returns how many ended.
pub async fn end_other_sessions(services: &Services, session: &Session, ctx: &Ctx) -> ServiceResult<usize> {
    let actor = ctx.signed_in_for_setup()?;
    let current = current_sign_in(session).await?;
    let now = services.clock().now().timestamp();
    let txn = begin_write(services.db()).await?;
    let others: Vec<SessionAuth> = live_sign_ins(&txn, &actor.user_id, now)
        .await?
        .into_iter()
        .filter(|auth| auth.sign_in_id != current.sign_in_id)
        .collect();
    for other in &others {
        end_sign_in_in(&txn, &other.sign_in_id, other.ends_by()).await?;
    }
    let event = AuditEvent::new("user.other_sessions_ended", "user", actor.user_id.clone())
        .details(json!({ "sessions_ended": others.len() }));
    audit::record(&txn, services.clock(), ctx, event).await?;
    txn.commit().await?;
    Ok(others.len())
}
