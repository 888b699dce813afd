//! Passkeys (WebAuthn): registering several per account, naming and removing them, and the
//! assertions that sign in (with a passkey alone, or as the second step after the password)
//! or step up before a dangerous action.
//!
//! Each ceremony is two requests. What the first one starts (its challenge, and what the
//! answer must match) is kept in the server-side session, never in the browser, and is taken
//! out by the second one before it is checked: it works once, and for
//! [`CEREMONY_TTL_SECS`] at most. The credentials stored are public keys and counters: nothing
//! in the table would let anyone sign in.

use crate::Services;
use crate::audit::{self, AuditEvent};
use crate::context::Ctx;
use crate::db::begin_write;
use crate::entity::{passkey, user};
use crate::error::{ServiceError, ServiceResult};
use crate::mail::{enqueue, templates};
use crate::second_factors;
use crate::session_auth::session_err;
use crate::timestamp;
use crate::tokens::new_id;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use portcullis_domain::account::is_fresh;
use portcullis_domain::passkey::{
    CEREMONY_TTL_SECS, MAX_CREDENTIAL_ID_BYTES, MAX_PASSKEYS_PER_ACCOUNT, PasskeyNameInput, PasskeyPurpose,
    PasskeyView, RelyingParty, may_remove_factor,
};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, SqlErr,
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tower_sessions::Session;
use validator::Validate;
use webauthn_rs::prelude::{
    DiscoverableAuthentication, Passkey, PasskeyAuthentication, PasskeyRegistration, Uuid, Webauthn, WebauthnBuilder,
};

pub use webauthn_rs::prelude::{PublicKeyCredential, RegisterPublicKeyCredential};

/// The session key of the ceremony under way.
const CEREMONY_KEY: &str = "passkey_ceremony";
/// The session key of a sign-in whose password was right and whose second step is awaited.
pub(crate) const PENDING_SIGN_IN_KEY: &str = "pending_sign_in";
const NOT_ACCEPTED: &str = "That passkey was not accepted. Try again, or sign in another way.";

/// The portal's WebAuthn settings, from its public URL; the reason when it has none.
pub(crate) fn relying_party(public_url: &url::Url) -> Result<Webauthn, String> {
    let party = RelyingParty::for_public_url(public_url).map_err(|e| e.to_string())?;
    WebauthnBuilder::new(&party.id, &party.origin)
        .and_then(|builder| builder.rp_name("Portcullis").build())
        .map_err(|e| format!("passkeys: {e}"))
}

/// A ceremony started by the first request, awaiting the browser's answer.
#[derive(Serialize, Deserialize)]
struct Pending {
    ceremony: Ceremony,
    /// Unix seconds.
    started_at: i64,
}

#[derive(Serialize, Deserialize)]
enum Ceremony {
    Registration {
        user_id: String,
        state: PasskeyRegistration,
    },
    /// With a passkey alone: whichever account the authenticator names.
    SignIn {
        state: DiscoverableAuthentication,
    },
    /// The second step after the password: one of that account's passkeys.
    SecondFactor {
        user_id: String,
        password_epoch: i32,
        state: PasskeyAuthentication,
    },
    StepUp {
        user_id: String,
        state: PasskeyAuthentication,
    },
}

/// A sign-in whose password was right, waiting for its second factor.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct PendingSignIn {
    pub user_id: String,
    pub password_epoch: i32,
    /// Unix seconds.
    pub at: i64,
}

fn encode_id(raw: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(raw)
}

fn stored(row: &passkey::Model) -> ServiceResult<Passkey> {
    serde_json::from_str(&row.credential).map_err(|e| ServiceError::Internal(format!("stored passkey {}: {e}", row.id)))
}

fn view(row: &passkey::Model) -> PasskeyView {
    PasskeyView {
        id: row.id.clone(),
        name: row.name.clone(),
        created_at: timestamp(row.created_at),
        last_used_at: row.last_used_at.map(timestamp),
    }
}

/// The WebAuthn user handle of an account: its id, which is a UUID.
fn user_handle(user_id: &str) -> ServiceResult<Uuid> {
    Uuid::parse_str(user_id).map_err(|_| ServiceError::Internal(format!("user id {user_id} is not a UUID")))
}

async fn rows(conn: &impl ConnectionTrait, user_id: &str) -> ServiceResult<Vec<passkey::Model>> {
    Ok(passkey::Entity::find()
        .filter(passkey::Column::UserId.eq(user_id))
        .order_by_asc(passkey::Column::CreatedAt)
        .all(conn)
        .await?)
}

async fn own_row(conn: &impl ConnectionTrait, user_id: &str, id: &str) -> ServiceResult<passkey::Model> {
    passkey::Entity::find_by_id(id.to_owned())
        .filter(passkey::Column::UserId.eq(user_id))
        .one(conn)
        .await?
        .ok_or(ServiceError::NotFound)
}

/// Adding a passkey gives a new way in, so it needs a recent sign-in (or password), and a
/// fresh second factor when the account has one; an account that must set up its first factor
/// has just signed in and may do nothing else.
fn may_add(services: &Services, ctx: &Ctx) -> ServiceResult<()> {
    let actor = ctx.signed_in_for_setup()?;
    let factor = actor.second_factor;
    if factor.policy.setup_pending(&actor.roles, factor.enrolled) {
        return Ok(());
    }
    let now = services.clock().now();
    if !is_fresh(actor.confirmed_at, now.timestamp()) {
        return Err(ServiceError::StepUpRequired);
    }
    ctx.second_factor_fresh(now).map(drop)
}

/// The signed-in account's passkeys, oldest first.
pub async fn list(services: &Services, ctx: &Ctx) -> ServiceResult<Vec<PasskeyView>> {
    let actor = ctx.signed_in_for_setup()?;
    Ok(rows(services.db(), &actor.user_id).await?.iter().map(view).collect())
}

/// Starts registering a passkey for the signed-in account: the options for
/// `navigator.credentials.create()` (as JSON, binary fields in base64url).
pub async fn start_registration(services: &Services, session: &Session, ctx: &Ctx) -> ServiceResult<Value> {
    may_add(services, ctx)?;
    let actor = ctx.signed_in_for_setup()?;
    let webauthn = services.webauthn()?;
    let existing = rows(services.db(), &actor.user_id).await?;
    if existing.len() >= MAX_PASSKEYS_PER_ACCOUNT {
        return Err(ServiceError::Conflict(format!(
            "You have {MAX_PASSKEYS_PER_ACCOUNT} passkeys, the most an account may have: remove one first."
        )));
    }
    let exclude =
        existing.iter().map(stored).map(|key| key.map(|key| key.cred_id().clone())).collect::<Result<_, _>>()?;
    let (options, state) = webauthn
        .start_passkey_registration(user_handle(&actor.user_id)?, &actor.email, &actor.name, Some(exclude))
        .map_err(|e| ServiceError::Internal(format!("passkey registration: {e}")))?;
    let mut options = serde_json::to_value(options).map_err(|e| ServiceError::Internal(e.to_string()))?;
    // Ask for a discoverable credential where the authenticator can keep one, so the passkey
    // can also sign in without an email address; one that cannot still serves after the password.
    options["publicKey"]["authenticatorSelection"]["residentKey"] = json!("preferred");
    put(services, session, Ceremony::Registration { user_id: actor.user_id.clone(), state }).await?;
    Ok(options)
}

async fn put(services: &Services, session: &Session, ceremony: Ceremony) -> ServiceResult<()> {
    let pending = Pending { ceremony, started_at: services.clock().now().timestamp() };
    session.insert(CEREMONY_KEY, pending).await.map_err(session_err)
}

/// Takes the ceremony out of the session, so its challenge answers once, if it has not expired.
async fn take(services: &Services, session: &Session) -> ServiceResult<Ceremony> {
    let pending = session.remove::<Pending>(CEREMONY_KEY).await.map_err(session_err)?;
    let now = services.clock().now().timestamp();
    match pending {
        Some(pending) if (0..=CEREMONY_TTL_SECS).contains(&(now - pending.started_at)) => Ok(pending.ceremony),
        _ => Err(ServiceError::Conflict(
            "No passkey request is waiting in this session, or it expired: start again.".into(),
        )),
    }
}

/// Finishes the registration started in this session with the browser's answer: the passkey
/// is stored under `name`, audited, and the account is told by mail.
pub(crate) async fn finish_registration(
    services: &Services,
    session: &Session,
    ctx: &Ctx,
    name: PasskeyNameInput,
    credential: RegisterPublicKeyCredential,
) -> ServiceResult<PasskeyView> {
    name.validate()?;
    let actor = ctx.signed_in_for_setup()?;
    let webauthn = services.webauthn()?;
    let Ceremony::Registration { user_id, state } = take(services, session).await? else {
        return Err(ServiceError::Conflict("Start adding a passkey first.".into()));
    };
    if user_id != actor.user_id {
        return Err(ServiceError::Conflict("Start adding a passkey first.".into()));
    }
    let key = webauthn.finish_passkey_registration(&credential, &state).map_err(|e| {
        tracing::info!(error = %e, "passkey registration refused");
        ServiceError::field("credential", "The passkey could not be added: the browser's answer did not check out.")
    })?;
    let credential_id = encode_id(key.cred_id());
    if key.cred_id().len() > MAX_CREDENTIAL_ID_BYTES {
        return Err(ServiceError::field("credential", "The authenticator's credential id is too long."));
    }
    let now = services.clock().now();
    let name = name.name.trim().to_owned();
    let txn = begin_write(services.db()).await?;
    if rows(&txn, &actor.user_id).await?.len() >= MAX_PASSKEYS_PER_ACCOUNT {
        return Err(ServiceError::Conflict(format!(
            "An account may have at most {MAX_PASSKEYS_PER_ACCOUNT} passkeys."
        )));
    }
    let row = passkey::Model {
        id: new_id(),
        user_id: actor.user_id.clone(),
        credential_id,
        name: name.clone(),
        credential: serde_json::to_string(&key).map_err(|e| ServiceError::Internal(e.to_string()))?,
        created_at: now,
        last_used_at: None,
    };
    let inserted = passkey::Entity::insert(passkey::ActiveModel {
        id: Set(row.id.clone()),
        user_id: Set(row.user_id.clone()),
        credential_id: Set(row.credential_id.clone()),
        name: Set(row.name.clone()),
        credential: Set(row.credential.clone()),
        created_at: Set(now),
        last_used_at: Set(None),
    })
    .exec_without_returning(&txn)
    .await;
    if let Err(e) = inserted {
        return Err(match e.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => {
                ServiceError::Conflict("This passkey is registered already.".into())
            }
            _ => e.into(),
        });
    }
    let event = AuditEvent::new("user.passkey_added", "user", actor.user_id.clone())
        .details(json!({ "passkey_id": row.id, "name": name }));
    audit::record(&txn, services.clock(), ctx, event).await?;
    let account_page = services.config().public_url.join("account").expect("static path").to_string();
    enqueue(&txn, services.clock(), templates::passkey_added(&actor.email, &actor.name, &name, &account_page)).await?;
    txn.commit().await?;
    services.wake_mail_worker();
    Ok(view(&row))
}

/// Gives one of the signed-in account's passkeys a new name.
pub async fn rename(services: &Services, ctx: &Ctx, id: &str, input: PasskeyNameInput) -> ServiceResult<PasskeyView> {
    input.validate()?;
    let actor = ctx.signed_in()?;
    let name = input.name.trim().to_owned();
    let txn = begin_write(services.db()).await?;
    let mut row = own_row(&txn, &actor.user_id, id).await?;
    passkey::Entity::update_many()
        .col_expr(passkey::Column::Name, Expr::value(name.clone()))
        .filter(passkey::Column::Id.eq(&row.id))
        .exec(&txn)
        .await?;
    let event = AuditEvent::new("user.passkey_renamed", "user", actor.user_id.clone())
        .details(json!({ "passkey_id": row.id, "from": row.name, "to": name }));
    audit::record(&txn, services.clock(), ctx, event).await?;
    txn.commit().await?;
    row.name = name;
    Ok(view(&row))
}

/// Removes one of the signed-in account's passkeys. Taking a way in away needs a fresh second
/// factor (where the policy asks for step-ups), so a stolen session cannot strip the account's
/// protection; and the last factor of an account the policy obliges to have one stays (an admin
/// resets factors for a lost device).
pub async fn remove(services: &Services, ctx: &Ctx, id: &str) -> ServiceResult<()> {
    let actor = ctx.second_factor_fresh(services.clock().now())?;
    let txn = begin_write(services.db()).await?;
    let row = own_row(&txn, &actor.user_id, id).await?;
    let factors = second_factors::factors(&txn, &actor.user_id).await?;
    let other_passkeys = passkey::Entity::find()
        .filter(passkey::Column::UserId.eq(&actor.user_id))
        .filter(passkey::Column::Id.ne(&row.id))
        .count(&txn)
        .await?;
    let others_left = factors.totp || other_passkeys > 0;
    if !may_remove_factor(services.config().require_mfa, &actor.roles, others_left) {
        return Err(ServiceError::Conflict(
            "This passkey is your account's last second factor, which your role must have: add another passkey \
             or an authenticator app first."
                .into(),
        ));
    }
    passkey::Entity::delete_by_id(row.id.clone()).exec(&txn).await?;
    let event = AuditEvent::new("user.passkey_removed", "user", actor.user_id.clone())
        .details(json!({ "passkey_id": row.id, "name": row.name }));
    audit::record(&txn, services.clock(), ctx, event).await?;
    txn.commit().await?;
    Ok(())
}

/// Starts an assertion: the options for `navigator.credentials.get()` (as JSON, binary fields
/// in base64url).
///
/// - `sign_in` right after a password the session accepted (401 `second_factor_required`):
///   one of that account's passkeys, as its second step;
/// - `sign_in` otherwise: any account's discoverable passkey, which names its account;
/// - `step_up`: one of the signed-in account's passkeys.
pub async fn start_authentication(
    services: &Services,
    session: &Session,
    ctx: &Ctx,
    purpose: PasskeyPurpose,
) -> ServiceResult<Value> {
    let webauthn = services.webauthn()?;
    let (options, ceremony) = match purpose {
        PasskeyPurpose::StepUp => {
            let actor = ctx.signed_in()?;
            let keys = keys_of(services.db(), &actor.user_id).await?;
            let (options, state) = webauthn.start_passkey_authentication(&keys).map_err(internal)?;
            (serde_json::to_value(options), Ceremony::StepUp { user_id: actor.user_id.clone(), state })
        }
        PasskeyPurpose::SignIn => {
            services.limit(crate::action_limits::Action::PasskeySignIn, ctx)?;
            match pending_sign_in(services, session).await? {
                Some(pending) => {
                    let keys = keys_of(services.db(), &pending.user_id).await?;
                    let (options, state) = webauthn.start_passkey_authentication(&keys).map_err(internal)?;
                    let ceremony = Ceremony::SecondFactor {
                        user_id: pending.user_id,
                        password_epoch: pending.password_epoch,
                        state,
                    };
                    (serde_json::to_value(options), ceremony)
                }
                None => {
                    let (mut options, state) = webauthn.start_discoverable_authentication().map_err(internal)?;
                    // A button asks, not the autofill of a username field.
                    options.mediation = None;
                    (serde_json::to_value(options), Ceremony::SignIn { state })
                }
            }
        }
    };
    let options = options.map_err(|e| ServiceError::Internal(e.to_string()))?;
    put(services, session, ceremony).await?;
    Ok(options)
}

fn internal(e: webauthn_rs::prelude::WebauthnError) -> ServiceError {
    ServiceError::Internal(format!("passkey authentication: {e}"))
}

async fn keys_of(conn: &impl ConnectionTrait, user_id: &str) -> ServiceResult<Vec<Passkey>> {
    let keys = rows(conn, user_id).await?.iter().map(stored).collect::<ServiceResult<Vec<_>>>()?;
    if keys.is_empty() {
        return Err(ServiceError::Conflict(
            "This account has no passkey: use the code from your authenticator app instead.".into(),
        ));
    }
    Ok(keys)
}

/// The sign-in of this session whose password was right, if it is recent.
async fn pending_sign_in(services: &Services, session: &Session) -> ServiceResult<Option<PendingSignIn>> {
    let pending = session.get::<PendingSignIn>(PENDING_SIGN_IN_KEY).await.map_err(session_err)?;
    let now = services.clock().now().timestamp();
    Ok(pending.filter(|p| (0..=CEREMONY_TTL_SECS).contains(&(now - p.at))))
}

/// What a checked assertion proved.
pub(crate) struct Asserted {
    pub user: user::Model,
    pub purpose: PasskeyPurpose,
}

/// Checks the browser's answer to the assertion started in this session: the passkey must be
/// one the ceremony allows, its signature right, its user verified, and its counter (when it
/// keeps one) moved on. Its use is recorded, and audited as the sign-in or step-up it is, in
/// one transaction; a refusal counts against the sign-in limits like a wrong password.
pub(crate) async fn finish_authentication(
    services: &Services,
    session: &Session,
    ctx: &Ctx,
    credential: PublicKeyCredential,
) -> ServiceResult<Asserted> {
    let webauthn = services.webauthn()?;
    let ceremony = take(services, session).await?;
    let limits = services.login_limits();
    let credential_id = encode_id(&credential.raw_id);
    let row = if credential.raw_id.len() > MAX_CREDENTIAL_ID_BYTES {
        None
    } else {
        passkey::Entity::find().filter(passkey::Column::CredentialId.eq(&credential_id)).one(services.db()).await?
    };
    let owner = match &row {
        Some(row) => user::Entity::find_by_id(row.user_id.clone()).one(services.db()).await?,
        None => None,
    };
    // Unknown passkeys are counted under no account, so only the address's limit applies.
    let account = owner.as_ref().map(|u| u.email.clone()).unwrap_or_default();
    limits.check(&account, ctx.ip.as_deref(), services.clock().instant())?;

    let (expected_user, purpose) = match &ceremony {
        Ceremony::Registration { .. } => {
            return Err(ServiceError::Conflict("A passkey is being added in this session: finish that first.".into()));
        }
        Ceremony::SignIn { .. } => (None, PasskeyPurpose::SignIn),
        Ceremony::SecondFactor { user_id, .. } => (Some(user_id.clone()), PasskeyPurpose::SignIn),
        Ceremony::StepUp { user_id, .. } => {
            let actor = ctx.signed_in()?;
            if *user_id != actor.user_id {
                return Err(ServiceError::Conflict("Start the confirmation again.".into()));
            }
            (Some(user_id.clone()), PasskeyPurpose::StepUp)
        }
    };
    let checked = match (&row, &owner) {
        (Some(row), Some(owner))
            if owner.disabled_at.is_none() && expected_user.as_deref().is_none_or(|id| id == owner.id) =>
        {
            let key = stored(row)?;
            let result = match ceremony {
                Ceremony::SignIn { state } => {
                    // The authenticator names the account it keeps the passkey for: it must be
                    // the one the passkey was registered to.
                    let named = webauthn.identify_discoverable_authentication(&credential).ok().map(|(id, _)| id);
                    if named == Some(user_handle(&owner.id)?) {
                        webauthn.finish_discoverable_authentication_v2(&credential, state, &key).ok()
                    } else {
                        None
                    }
                }
                Ceremony::SecondFactor { password_epoch, state, .. } if password_epoch == owner.password_epoch => {
                    webauthn.finish_passkey_authentication(&credential, &state).ok()
                }
                Ceremony::StepUp { state, .. } => webauthn.finish_passkey_authentication(&credential, &state).ok(),
                _ => None,
            };
            result.filter(|r| r.user_verified()).map(|result| (key, result))
        }
        _ => None,
    };

    let during = match purpose {
        PasskeyPurpose::SignIn => "sign_in",
        PasskeyPurpose::StepUp => "step_up",
    };
    let now = services.clock().now();
    let txn = begin_write(services.db()).await?;
    let Some((mut key, result)) = checked else {
        limits.record_failure(&account, ctx.ip.as_deref(), services.clock().instant());
        if let Some(owner) = &owner {
            let event =
                AuditEvent::new("user.passkey_failed", "user", owner.id.clone()).details(json!({ "during": during }));
            audit::record(&txn, services.clock(), ctx, event).await?;
        }
        txn.commit().await?;
        return Err(ServiceError::field("credential", NOT_ACCEPTED));
    };
    let (row, owner) = (row.expect("checked"), owner.expect("checked"));
    key.update_credential(&result);
    let credential_json = serde_json::to_string(&key).map_err(|e| ServiceError::Internal(e.to_string()))?;
    // Conditional on the credential as read: of two answers checked at once, one counts.
    let used = passkey::Entity::update_many()
        .col_expr(passkey::Column::Credential, Expr::value(credential_json))
        .col_expr(passkey::Column::LastUsedAt, Expr::value(Some(now)))
        .filter(passkey::Column::Id.eq(&row.id))
        .filter(passkey::Column::Credential.eq(&row.credential))
        .exec(&txn)
        .await?;
    if used.rows_affected != 1 {
        return Err(ServiceError::field("credential", NOT_ACCEPTED));
    }
    let as_owner = ctx.as_user(&owner)?;
    let event = match purpose {
        PasskeyPurpose::SignIn => AuditEvent::new("user.login", "user", owner.id.clone())
            .details(json!({ "second_factor": true, "passkey_id": row.id })),
        PasskeyPurpose::StepUp => AuditEvent::new("user.step_up", "user", owner.id.clone())
            .details(json!({ "factor": "passkey", "passkey_id": row.id })),
    };
    audit::record(&txn, services.clock(), &as_owner, event).await?;
    txn.commit().await?;
    limits.record_success(&account, ctx.ip.as_deref());
    Ok(Asserted { user: owner, purpose })
}
