//! Second factors: TOTP enrolment with its recovery codes, checking a code at sign-in and at
//! step-up, and the admins' reset for someone who lost their device.
//!
//! Recovery codes are stored as SHA-256 hashes, not with the password hasher: each is 16
//! random characters (about 79 bits), so a slow hash would add nothing against guessing, and
//! online guesses are bounded by the sign-in limits. The TOTP secret must be read back to
//! check a code, so it is sealed with a key kept outside the database (`sealed`) rather than
//! hashed; it never goes into logs or audit details.

use crate::Services;
use crate::accounts::{begin_user_administration, target_user};
use crate::audit::{self, AuditEvent};
use crate::context::Ctx;
use crate::db::begin_write;
use crate::entity::{passkey, recovery_code, second_factor};
use crate::error::{ServiceError, ServiceResult};
use crate::mail::{enqueue, templates};
use crate::tokens::{new_id, sha256_hex};
use portcullis_domain::account::Factors;
use portcullis_domain::role::Permission;
use portcullis_domain::second_factor::{
    Code, CodeInput, MfaPolicy, RECOVERY_CODE_ALPHABET, RECOVERY_CODE_CHARS, RECOVERY_CODE_COUNT, RecoveryCodes,
    TOTP_DIGITS, TOTP_SKEW_STEPS, TOTP_STEP_SECS, TotpEnrolment, format_recovery_code, step_is_new,
};
use rand::TryRngCore;
use rand::rngs::OsRng;
use sea_orm::sea_query::{Condition, Expr};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, PaginatorTrait, QueryFilter,
};
use serde_json::json;
use totp_rs::{Builder, Secret, Totp};
use validator::Validate;

/// The name authenticator apps show beside the account.
const ISSUER: &str = "Portcullis";
const WRONG_CODE: &str = "That code is not right, or was used already.";

/// The TOTP of a stored secret: SHA-1, six digits, 30-second steps, one step of skew (what
/// every authenticator app does).
fn totp(secret: &str, account: &str) -> ServiceResult<Totp> {
    let secret = Secret::try_from_base32(secret).map_err(|_| ServiceError::Internal("stored TOTP secret".into()))?;
    Builder::new()
        .with_secret(secret)
        .with_digits(TOTP_DIGITS as u8)
        .with_step_duration(TOTP_STEP_SECS)
        .with_skew(TOTP_SKEW_STEPS)
        .with_account_name(account)
        .with_issuer(Some(ISSUER))
        .build()
        .map_err(|e| ServiceError::Internal(format!("TOTP parameters: {e}")))
}

/// The factor's TOTP key, opened with the portal's key.
fn opened(services: &Services, factor: &second_factor::Model) -> ServiceResult<String> {
    services.config().secret_key.open(&factor.secret, &factor.user_id)
}

async fn find(conn: &impl ConnectionTrait, user_id: &str) -> ServiceResult<Option<second_factor::Model>> {
    Ok(second_factor::Entity::find_by_id(user_id.to_owned()).one(conn).await?)
}

/// Whether the account has a confirmed TOTP factor.
async fn totp_enrolled(conn: &impl ConnectionTrait, user_id: &str) -> ServiceResult<bool> {
    Ok(find(conn, user_id).await?.is_some_and(|f| f.confirmed_at.is_some()))
}

/// Which second factors the account has: a confirmed authenticator app, passkeys.
pub(crate) async fn factors(conn: &impl ConnectionTrait, user_id: &str) -> ServiceResult<Factors> {
    let totp = totp_enrolled(conn, user_id).await?;
    let passkey = passkey::Entity::find().filter(passkey::Column::UserId.eq(user_id)).count(conn).await? > 0;
    Ok(Factors { totp, passkey })
}

/// Whether the account has a second factor of any kind. An account of the organisation's
/// identity provider (single sign-on) has it there.
pub(crate) async fn enrolled(conn: &impl ConnectionTrait, user_id: &str) -> ServiceResult<bool> {
    Ok(factors(conn, user_id).await?.any() || crate::sso::is_sso_account(conn, user_id).await?)
}

/// Starts a TOTP enrolment for the signed-in person: a new secret, not in force until a code
/// from it is confirmed. Starting again replaces an unconfirmed secret; a confirmed one stays
/// until an admin resets it, so a stolen session cannot swap the factor.
pub async fn start_totp(services: &Services, ctx: &Ctx) -> ServiceResult<TotpEnrolment> {
    let actor = ctx.signed_in_for_setup()?;
    let now = services.clock().now();
    let txn = begin_write(services.db()).await?;
    if totp_enrolled(&txn, &actor.user_id).await? {
        return Err(ServiceError::Conflict(
            "You have an authenticator app already. If you lost it, an admin can remove it so you can set up a new one."
                .into(),
        ));
    }
    second_factor::Entity::delete_by_id(actor.user_id.clone()).exec(&txn).await?;
    // 160 bits, as RFC 4226 recommends.
    let mut bytes = [0u8; 20];
    OsRng.try_fill_bytes(&mut bytes).expect("the OS random source is available");
    let secret = Secret::from(bytes).to_base32();
    second_factor::Entity::insert(second_factor::ActiveModel {
        user_id: Set(actor.user_id.clone()),
        secret: Set(services.config().secret_key.seal(&secret, &actor.user_id)),
        confirmed_at: Set(None),
        last_step: Set(None),
        created_at: Set(now),
    })
    .exec_without_returning(&txn)
    .await?;
    audit::record(
        &txn,
        services.clock(),
        ctx,
        AuditEvent::new("user.totp_enrolment_started", "user", actor.user_id.clone()),
    )
    .await?;
    txn.commit().await?;
    let otpauth_uri =
        totp(&secret, &actor.email)?.to_url().map_err(|e| ServiceError::Internal(format!("otpauth URI: {e}")))?;
    let qr_svg = qr_svg(&otpauth_uri)?;
    Ok(TotpEnrolment { secret, otpauth_uri, qr_svg })
}

/// `uri` as a QR code that phone cameras read at a glance: an SVG without the XML prolog (it goes
/// inside a page), named for screen readers.
fn qr_svg(uri: &str) -> ServiceResult<String> {
    let code = qrcode::QrCode::new(uri.as_bytes()).map_err(|e| ServiceError::Internal(format!("QR code: {e}")))?;
    let svg = code.render::<qrcode::render::svg::Color>().min_dimensions(192, 192).build();
    let start = svg.find("<svg").ok_or_else(|| ServiceError::Internal("QR code: no svg element".into()))?;
    Ok(svg[start..].replacen("<svg ", "<svg role=\"img\" aria-label=\"QR code of the key\" ", 1))
}

/// Confirms the enrolment with a code from the new secret: the factor is in force from now,
/// and its recovery codes are returned, once. Wrong codes count like wrong passwords.
pub(crate) async fn confirm_totp(services: &Services, ctx: &Ctx, input: CodeInput) -> ServiceResult<RecoveryCodes> {
    input.validate()?;
    let actor = ctx.signed_in_for_setup()?;
    let limits = services.login_limits();
    limits.check(&actor.email, ctx.ip.as_deref(), services.clock().instant())?;
    let now = services.clock().now();
    let txn = begin_write(services.db()).await?;
    let pending = find(&txn, &actor.user_id).await?.filter(|f| f.confirmed_at.is_none()).ok_or_else(|| {
        ServiceError::Conflict(
            "There is no second factor waiting to be confirmed: start with POST /api/v1/me/totp.".into(),
        )
    })?;
    let step = match Code::parse(&input.code) {
        Some(Code::Totp(code)) => totp(&opened(services, &pending)?, &actor.email)?.check(&code, unix_secs(now)),
        _ => None,
    };
    let Some(step) = step else {
        limits.record_failure(&actor.email, ctx.ip.as_deref(), services.clock().instant());
        let event = AuditEvent::new("user.second_factor_failed", "user", actor.user_id.clone())
            .details(json!({ "during": "enrolment" }));
        audit::record(&txn, services.clock(), ctx, event).await?;
        txn.commit().await?;
        return Err(ServiceError::field("code", WRONG_CODE));
    };
    second_factor::Entity::update_many()
        .col_expr(second_factor::Column::ConfirmedAt, Expr::value(Some(now)))
        .col_expr(second_factor::Column::LastStep, Expr::value(Some(step_number(step))))
        .filter(second_factor::Column::UserId.eq(&actor.user_id))
        .exec(&txn)
        .await?;
    let recovery_codes = replace_recovery_codes(&txn, &actor.user_id).await?;
    audit::record(&txn, services.clock(), ctx, AuditEvent::new("user.totp_confirmed", "user", actor.user_id.clone()))
        .await?;
    let account_page = services.config().public_url.join("account").expect("static path").to_string();
    enqueue(&txn, services.clock(), templates::totp_added(&actor.email, &actor.name, &account_page)).await?;
    txn.commit().await?;
    services.wake_mail_worker();
    limits.record_success(&actor.email, ctx.ip.as_deref());
    Ok(RecoveryCodes { recovery_codes })
}

/// A fresh set of recovery codes, stored hashed; the earlier set stops working.
async fn replace_recovery_codes(txn: &DatabaseTransaction, user_id: &str) -> ServiceResult<Vec<String>> {
    recovery_code::Entity::delete_many().filter(recovery_code::Column::UserId.eq(user_id)).exec(txn).await?;
    let mut shown = Vec::with_capacity(RECOVERY_CODE_COUNT);
    let mut rows = Vec::with_capacity(RECOVERY_CODE_COUNT);
    for _ in 0..RECOVERY_CODE_COUNT {
        let canonical = random_recovery_code();
        rows.push(recovery_code::ActiveModel {
            id: Set(new_id()),
            user_id: Set(user_id.to_owned()),
            code_hash: Set(sha256_hex(&canonical)),
            used_at: Set(None),
        });
        shown.push(format_recovery_code(&canonical));
    }
    recovery_code::Entity::insert_many(rows).exec_without_returning(txn).await?;
    Ok(shown)
}

fn random_recovery_code() -> String {
    let alphabet = RECOVERY_CODE_ALPHABET;
    // Rejection sampling keeps every character equally likely.
    let limit = u8::MAX - (u8::MAX % alphabet.len() as u8);
    let mut code = String::with_capacity(RECOVERY_CODE_CHARS);
    while code.len() < RECOVERY_CODE_CHARS {
        let mut byte = [0u8; 1];
        OsRng.try_fill_bytes(&mut byte).expect("the OS random source is available");
        if byte[0] < limit {
            code.push(alphabet[usize::from(byte[0]) % alphabet.len()] as char);
        }
    }
    code
}

fn unix_secs(at: chrono::DateTime<chrono::Utc>) -> u64 {
    u64::try_from(at.timestamp()).unwrap_or(0)
}

fn step_number(step: u64) -> i64 {
    i64::try_from(step).unwrap_or(i64::MAX)
}

/// How an accepted code proved the factor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Accepted {
    Totp,
    RecoveryCode,
}

impl Accepted {
    fn as_str(self) -> &'static str {
        match self {
            Accepted::Totp => "totp",
            Accepted::RecoveryCode => "recovery_code",
        }
    }
}

/// Checks `code` against the account's confirmed factor and uses it up: a TOTP time step,
/// or a recovery code, is accepted once (conditional updates, so of two requests at once only
/// one wins). `None` for a wrong, replayed or used code. A recovery code's use is audited.
async fn accept(
    services: &Services,
    txn: &DatabaseTransaction,
    ctx: &Ctx,
    user_id: &str,
    email: &str,
    code: &str,
) -> ServiceResult<Option<Accepted>> {
    let Some(factor) = find(txn, user_id).await?.filter(|f| f.confirmed_at.is_some()) else {
        return Ok(None);
    };
    let now = services.clock().now();
    match Code::parse(code) {
        None => Ok(None),
        Some(Code::Totp(code)) => {
            let secret = opened(services, &factor)?;
            let Some(step) = totp(&secret, email)?.check(&code, unix_secs(now)).map(step_number) else {
                return Ok(None);
            };
            if !step_is_new(factor.last_step, step) {
                return Ok(None);
            }
            let taken = second_factor::Entity::update_many()
                .col_expr(second_factor::Column::LastStep, Expr::value(Some(step)))
                // A key stored before sealing is sealed at its first use.
                .col_expr(
                    second_factor::Column::Secret,
                    Expr::value(services.config().secret_key.seal(&secret, user_id)),
                )
                .filter(second_factor::Column::UserId.eq(user_id))
                .filter(
                    Condition::any()
                        .add(second_factor::Column::LastStep.is_null())
                        .add(second_factor::Column::LastStep.lt(step)),
                )
                .exec(txn)
                .await?;
            Ok((taken.rows_affected == 1).then_some(Accepted::Totp))
        }
        Some(Code::Recovery(code)) => {
            let used = recovery_code::Entity::update_many()
                .col_expr(recovery_code::Column::UsedAt, Expr::value(Some(now)))
                .filter(recovery_code::Column::UserId.eq(user_id))
                .filter(recovery_code::Column::CodeHash.eq(sha256_hex(&code)))
                .filter(recovery_code::Column::UsedAt.is_null())
                .exec(txn)
                .await?;
            if used.rows_affected != 1 {
                return Ok(None);
            }
            let remaining = recovery_code::Entity::find()
                .filter(recovery_code::Column::UserId.eq(user_id))
                .filter(recovery_code::Column::UsedAt.is_null())
                .count(txn)
                .await?;
            let event = AuditEvent::new("user.recovery_code_used", "user", user_id.to_owned())
                .details(json!({ "remaining": remaining }));
            audit::record(txn, services.clock(), ctx, event).await?;
            Ok(Some(Accepted::RecoveryCode))
        }
    }
}

/// The second factor's part of a sign-in whose password was right.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AtSignIn {
    /// No factor to show: none enrolled, or the policy is off.
    NotAsked,
    Verified,
    Missing,
    Wrong,
}

/// Checks the code sent with a sign-in, in the sign-in's transaction. With the policy off no
/// code is asked, even of accounts that have a factor.
pub(crate) async fn at_sign_in(
    services: &Services,
    txn: &DatabaseTransaction,
    ctx: &Ctx,
    user_id: &str,
    email: &str,
    code: Option<&str>,
) -> ServiceResult<AtSignIn> {
    if services.config().require_mfa == MfaPolicy::Off || !enrolled(txn, user_id).await? {
        return Ok(AtSignIn::NotAsked);
    }
    let Some(code) = code else { return Ok(AtSignIn::Missing) };
    Ok(match accept(services, txn, ctx, user_id, email, code).await? {
        Some(_) => AtSignIn::Verified,
        None => AtSignIn::Wrong,
    })
}

/// Step-up with a code of the signed-in person's factor, under the same failure limits as a
/// sign-in; audited either way.
pub(crate) async fn step_up(services: &Services, ctx: &Ctx, code: &str) -> ServiceResult<()> {
    let actor = ctx.signed_in()?;
    let limits = services.login_limits();
    limits.check(&actor.email, ctx.ip.as_deref(), services.clock().instant())?;
    let txn = begin_write(services.db()).await?;
    if !totp_enrolled(&txn, &actor.user_id).await? {
        return Err(ServiceError::field(
            "code",
            "You have no authenticator app to send a code from: use your passkey, or else your password.",
        ));
    }
    let accepted = accept(services, &txn, ctx, &actor.user_id, &actor.email, code).await?;
    let event = match accepted {
        Some(how) => {
            AuditEvent::new("user.step_up", "user", actor.user_id.clone()).details(json!({"factor": how.as_str()}))
        }
        None => {
            limits.record_failure(&actor.email, ctx.ip.as_deref(), services.clock().instant());
            AuditEvent::new("user.step_up_failed", "user", actor.user_id.clone()).details(json!({"factor": "code"}))
        }
    };
    audit::record(&txn, services.clock(), ctx, event).await?;
    txn.commit().await?;
    match accepted {
        Some(_) => {
            limits.record_success(&actor.email, ctx.ip.as_deref());
            Ok(())
        }
        None => Err(ServiceError::field("code", WRONG_CODE)),
    }
}

/// An admin removes another account's (or their own) second factors (authenticator app,
/// recovery codes and passkeys), for
/// someone who lost their device; the account is told by mail. Needs a fresh second factor
/// of the admin's own, like every change to who may do what.
pub async fn reset(services: &Services, ctx: &Ctx, user_id: &str) -> ServiceResult<()> {
    ctx.require(Permission::ManageUsers)?;
    ctx.second_factor_fresh(services.clock().now())?;
    let (txn, _) = begin_user_administration(services, ctx).await?;
    let user = target_user(&txn, user_id).await?;
    let removed = second_factor::Entity::delete_by_id(user.id.clone()).exec(&txn).await?.rows_affected;
    recovery_code::Entity::delete_many().filter(recovery_code::Column::UserId.eq(&user.id)).exec(&txn).await?;
    let removed = removed
        + passkey::Entity::delete_many().filter(passkey::Column::UserId.eq(&user.id)).exec(&txn).await?.rows_affected;
    if removed > 0 {
        enqueue(&txn, services.clock(), templates::second_factors_reset(&user.email, &user.name)).await?;
        audit::record(&txn, services.clock(), ctx, AuditEvent::new("user.second_factors_reset", "user", user.id))
            .await?;
    }
    txn.commit().await?;
    services.wake_mail_worker();
    Ok(())
}
