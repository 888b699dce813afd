//! Accounts: registration, email verification, sign-in, password reset, and the admin's
//! user management. Every change writes its audit record and mail in one transaction.

use crate::Services;
use crate::action_limits::Action;
use crate::audit::{self, AuditEvent};
use crate::context::{Actor, Ctx};
use crate::db::{begin_write, lock_for, lock_key};
use crate::entity::{org_member, user, user_token};
use crate::error::{Refusal, ServiceError, ServiceResult};
use crate::mail::{enqueue, templates};
use crate::second_factors::{self, AtSignIn};
use crate::session_store::delete_user_sessions;
use crate::tokens::{new_id, random_token, sha256_hex};
use chrono::{DateTime, Duration, Utc};
use portcullis_domain::account::{
    PasswordChangeInput, PasswordResetConfirm, PasswordResetRequest, RegisterInput, SignInInput, UserView,
    VerifyEmailInput, normalize_email,
};
use portcullis_domain::admin::{Page, UserQuery, UserSummary, page_number};
use portcullis_domain::role::{Permission, Role, Roles};
use sea_orm::sea_query::{Condition, Expr, ExprTrait, Func};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait,
    IntoActiveModel, PaginatorTrait, QueryFilter, QueryOrder, SqlErr, TransactionTrait,
};
use serde_json::json;
use std::collections::HashMap;
use validator::Validate;

const VERIFY_EMAIL: &str = "verify_email";
const PASSWORD_RESET: &str = "password_reset";
const VERIFY_TTL_HOURS: i64 = 24;
const RESET_TTL_HOURS: i64 = 1;
/// The link printed by `create-admin` is handed over out of band, so it lives longer.
const ADMIN_LINK_TTL_HOURS: i64 = 72;
pub const USERS_PER_PAGE: u64 = 25;

pub(crate) fn summary(user: &user::Model) -> ServiceResult<UserSummary> {
    let actor = Actor::from_user(user)?;
    Ok(UserSummary {
        id: user.id.clone(),
        email: user.email.clone(),
        name: user.name.clone(),
        roles: actor.roles.iter().collect(),
        email_verified: actor.email_verified,
        disabled: user.disabled_at.is_some(),
        created_at: user.created_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        organisations: Vec::new(),
    })
}

async fn find_by_email(conn: &impl ConnectionTrait, email: &str) -> ServiceResult<Option<user::Model>> {
    Ok(user::Entity::find().filter(user::Column::Email.eq(email)).one(conn).await?)
}

async fn issue_token(
    txn: &DatabaseTransaction,
    now: DateTime<Utc>,
    user_id: &str,
    purpose: &str,
    ttl: Duration,
) -> ServiceResult<String> {
    let token = random_token();
    user_token::Entity::insert(user_token::ActiveModel {
        id: Set(new_id()),
        token_hash: Set(sha256_hex(&token)),
        purpose: Set(purpose.to_owned()),
        user_id: Set(user_id.to_owned()),
        expires_at: Set(now + ttl),
        used_at: Set(None),
        created_at: Set(now),
    })
    .exec_without_returning(txn)
    .await?;
    Ok(token)
}

/// A valid, unused token for `purpose`, or `InvalidToken`.
async fn find_token(
    conn: &impl ConnectionTrait,
    now: DateTime<Utc>,
    token: &str,
    purpose: &str,
) -> ServiceResult<user_token::Model> {
    user_token::Entity::find()
        .filter(user_token::Column::TokenHash.eq(sha256_hex(token)))
        .filter(user_token::Column::Purpose.eq(purpose))
        .filter(user_token::Column::UsedAt.is_null())
        .filter(user_token::Column::ExpiresAt.gt(now))
        .one(conn)
        .await?
        .ok_or(ServiceError::InvalidToken)
}

/// Marks a valid token used and returns its user; one use only.
async fn consume_token(
    txn: &DatabaseTransaction,
    now: DateTime<Utc>,
    token: &str,
    purpose: &str,
) -> ServiceResult<user::Model> {
    let found = find_token(txn, now, token, purpose).await?;
    let used = user_token::Entity::update_many()
        .col_expr(user_token::Column::UsedAt, Expr::value(now))
        .filter(user_token::Column::Id.eq(&found.id))
        .filter(user_token::Column::UsedAt.is_null())
        .exec(txn)
        .await?;
    if used.rows_affected != 1 {
        return Err(ServiceError::InvalidToken);
    }
    let user = user::Entity::find_by_id(found.user_id).one(txn).await?.ok_or(ServiceError::InvalidToken)?;
    if user.disabled_at.is_some() {
        return Err(ServiceError::InvalidToken);
    }
    Ok(user)
}

/// Creates an account and mails a verification link. An address that already has an
/// account gets a notice instead, and the answer looks the same, so registration does not
/// reveal who has an account.
pub async fn register(services: &Services, ctx: &Ctx, input: RegisterInput) -> ServiceResult<UserView> {
    services.limit(Action::Register, ctx)?;
    input.validate()?;
    let email = normalize_email(&input.email);
    let name = input.name.trim().to_owned();
    // Hashed first, with no transaction or connection held: hashing is the slow part. Both
    // answers cost this one hash, so the time taken does not tell whether the address exists.
    let password_hash = services.hasher().hash(&input.password).await?;
    let now = services.clock().now();
    let txn = begin_write(services.db()).await?;
    if let Some(existing) = find_by_email(&txn, &email).await? {
        return already_registered(services, ctx, txn, existing, name).await;
    }
    let inserted = user::ActiveModel {
        id: Set(new_id()),
        email: Set(email.clone()),
        name: Set(name.clone()),
        password_hash: Set(Some(password_hash)),
        roles: Set(Roles::developer().to_csv()),
        email_verified_at: Set(None),
        disabled_at: Set(None),
        auth_epoch: Set(0),
        password_epoch: Set(0),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await;
    let user = match inserted {
        Ok(user) => user,
        // Registered by a request that committed meanwhile (PostgreSQL; SQLite serialises writers).
        Err(error) if matches!(error.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            txn.rollback().await?;
            let txn = begin_write(services.db()).await?;
            let existing = find_by_email(&txn, &email).await?.ok_or(ServiceError::Database(error))?;
            return already_registered(services, ctx, txn, existing, name).await;
        }
        Err(error) => return Err(error.into()),
    };
    let token = issue_token(&txn, now, &user.id, VERIFY_EMAIL, Duration::hours(VERIFY_TTL_HOURS)).await?;
    enqueue(
        &txn,
        services.clock(),
        templates::verify_email(&user.email, &user.name, &services.config().link("verify-email", &token)),
    )
    .await?;
    audit::record(
        &txn,
        services.clock(),
        &ctx.as_user(&user)?,
        AuditEvent::new("user.registered", "user", user.id.clone()),
    )
    .await?;
    txn.commit().await?;
    services.wake_mail_worker();
    Ok(Actor::from_user(&user)?.view())
}

/// Registering an address that has an account: its owner is told, and the caller gets the
/// answer a new account would get.
async fn already_registered(
    services: &Services,
    ctx: &Ctx,
    txn: DatabaseTransaction,
    existing: user::Model,
    name: String,
) -> ServiceResult<UserView> {
    let reset_page = services.config().public_url.join("forgot-password").expect("static path").to_string();
    enqueue(&txn, services.clock(), templates::already_registered(&existing.email, &existing.name, &reset_page))
        .await?;
    audit::record(&txn, services.clock(), ctx, AuditEvent::new("user.register_existing", "user", existing.id)).await?;
    txn.commit().await?;
    services.wake_mail_worker();
    Ok(UserView {
        id: new_id(),
        email: existing.email,
        name,
        roles: vec![Role::Developer],
        email_verified: false,
        second_factor: Default::default(),
        sso: false,
        factors: Default::default(),
    })
}

/// Mails a new verification link to the signed-in person, whose address is not verified yet.
pub async fn resend_verification(services: &Services, ctx: &Ctx) -> ServiceResult<()> {
    let actor = ctx.signed_in()?;
    if actor.email_verified {
        return Err(ServiceError::Conflict("Your email address is verified already.".into()));
    }
    services.limit(Action::VerifyResend, ctx)?;
    let now = services.clock().now();
    let txn = begin_write(services.db()).await?;
    let token = issue_token(&txn, now, &actor.user_id, VERIFY_EMAIL, Duration::hours(VERIFY_TTL_HOURS)).await?;
    let link = services.config().link("verify-email", &token);
    enqueue(&txn, services.clock(), templates::verify_email(&actor.email, &actor.name, &link)).await?;
    audit::record(
        &txn,
        services.clock(),
        ctx,
        AuditEvent::new("user.verification_resent", "user", actor.user_id.clone()),
    )
    .await?;
    txn.commit().await?;
    services.wake_mail_worker();
    Ok(())
}

pub async fn verify_email(services: &Services, ctx: &Ctx, input: VerifyEmailInput) -> ServiceResult<()> {
    input.validate()?;
    let now = services.clock().now();
    let txn = begin_write(services.db()).await?;
    let user = consume_token(&txn, now, &input.token, VERIFY_EMAIL).await?;
    let mut active = user.clone().into_active_model();
    active.email_verified_at = Set(Some(now));
    active.updated_at = Set(now);
    let user = active.update(&txn).await?;
    audit::record(
        &txn,
        services.clock(),
        &ctx.as_user(&user)?,
        AuditEvent::new("user.email_verified", "user", user.id.clone()),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Checks credentials: the password, then the second factor's code when the account has one
/// and the policy asks for it. Returns the account and whether a code was verified; the
/// caller binds the session. Limits are checked before hashing, and wrong codes count against
/// them like wrong passwords, so codes cannot be guessed either.
pub(crate) async fn login(services: &Services, ctx: &Ctx, input: SignInInput) -> ServiceResult<(user::Model, bool)> {
    input.validate()?;
    let email = normalize_email(&input.email);
    let limits = services.login_limits();
    limits.check(&email, ctx.ip.as_deref(), services.clock().instant())?;
    let user = find_by_email(services.db(), &email).await?;
    let ok = services.hasher().verify(&input.password, user.as_ref().and_then(|u| u.password_hash.as_deref())).await?;
    let txn = begin_write(services.db()).await?;
    let result = match user {
        Some(user) if ok && user.disabled_at.is_none() => {
            let as_user = ctx.as_user(&user)?;
            match second_factors::at_sign_in(services, &txn, &as_user, &user.id, &email, input.code.as_deref()).await? {
                // The password was right: not counted as a failure, and nothing to audit yet.
                AtSignIn::Missing => Err(ServiceError::NotAllowed(Refusal::SecondFactorRequired)),
                AtSignIn::Wrong => {
                    limits.record_failure(&email, ctx.ip.as_deref(), services.clock().instant());
                    let event = AuditEvent::new("user.second_factor_failed", "user", user.id.clone())
                        .details(json!({ "during": "sign_in" }));
                    audit::record(&txn, services.clock(), ctx, event).await?;
                    Err(ServiceError::field("code", "That code is not right, or was used already."))
                }
                checked @ (AtSignIn::Verified | AtSignIn::NotAsked) => {
                    let verified = checked == AtSignIn::Verified;
                    let event = AuditEvent::new("user.login", "user", user.id.clone());
                    let event = if verified { event.details(json!({ "second_factor": true })) } else { event };
                    audit::record(&txn, services.clock(), &as_user, event).await?;
                    limits.record_success(&email, ctx.ip.as_deref());
                    Ok((user, verified))
                }
            }
        }
        Some(user) if ok => {
            let event =
                AuditEvent::new("user.login_refused", "user", user.id.clone()).details(json!({"reason": "disabled"}));
            audit::record(&txn, services.clock(), ctx, event).await?;
            Err(ServiceError::AccountDisabled)
        }
        user => {
            limits.record_failure(&email, ctx.ip.as_deref(), services.clock().instant());
            let event =
                AuditEvent::new("user.login_failed", "user", user.map(|u| u.id)).details(json!({ "email": email }));
            audit::record(&txn, services.clock(), ctx, event).await?;
            Err(ServiceError::InvalidCredentials)
        }
    };
    txn.commit().await?;
    result
}

/// Checks the signed-in person's password again (step-up), under the same limits as a sign-in.
/// A wrong password is a field error: the person stays signed in.
pub(crate) async fn confirm_password(services: &Services, ctx: &Ctx, password: &str) -> ServiceResult<()> {
    check_own_password(services, ctx, password, "password", ["user.step_up", "user.step_up_failed"]).await.map(drop)
}

/// The signed-in person's account when `password` is theirs; `field` carries the error
/// otherwise. Counted like a sign-in, and audited as the first event, or the second on failure.
async fn check_own_password(
    services: &Services,
    ctx: &Ctx,
    password: &str,
    field: &'static str,
    [passed, failed]: [&'static str; 2],
) -> ServiceResult<user::Model> {
    let actor = ctx.signed_in()?;
    let limits = services.login_limits();
    limits.check(&actor.email, ctx.ip.as_deref(), services.clock().instant())?;
    let user =
        user::Entity::find_by_id(&actor.user_id).one(services.db()).await?.ok_or(ServiceError::Unauthenticated)?;
    let ok = services.hasher().verify(password, user.password_hash.as_deref()).await?;
    let txn = begin_write(services.db()).await?;
    let event = if ok {
        limits.record_success(&actor.email, ctx.ip.as_deref());
        AuditEvent::new(passed, "user", user.id.clone())
    } else {
        limits.record_failure(&actor.email, ctx.ip.as_deref(), services.clock().instant());
        AuditEvent::new(failed, "user", user.id.clone())
    };
    audit::record(&txn, services.clock(), ctx, event).await?;
    txn.commit().await?;
    if ok { Ok(user) } else { Err(ServiceError::field(field, "That is not your password.")) }
}

/// Sets a new password for the signed-in person, who proves the current one. Every session of
/// the account ends for good, as after a reset; the caller binds its own session again.
pub async fn change_password(services: &Services, ctx: &Ctx, input: PasswordChangeInput) -> ServiceResult<user::Model> {
    input.validate()?;
    let events = ["user.password_checked", "user.password_check_failed"];
    let user = check_own_password(services, ctx, &input.current_password, "current_password", events).await?;
    let password_hash = services.hasher().hash(&input.password).await?;
    let now = services.clock().now();
    let txn = begin_write(services.db()).await?;
    let current = target_user(&txn, &user.id).await?;
    if current.password_epoch != user.password_epoch {
        // Reset meanwhile: the password just checked is no longer the account's.
        return Err(ServiceError::Unauthenticated);
    }
    let user = set_password(&txn, now, current, password_hash).await?;
    let ended = delete_user_sessions(&txn, &user.id).await?;
    let reset_page = services.config().public_url.join("forgot-password").expect("static path").to_string();
    enqueue(&txn, services.clock(), templates::password_changed(&user.email, &user.name, &reset_page)).await?;
    let event =
        AuditEvent::new("user.password_changed", "user", user.id.clone()).details(json!({ "sessions_ended": ended }));
    audit::record(&txn, services.clock(), ctx, event).await?;
    txn.commit().await?;
    services.wake_mail_worker();
    Ok(user)
}

/// Stores a new password hash under a new password epoch, so that every session from before
/// is signed out even if a request in flight writes it back, and ends unused reset links.
async fn set_password(
    txn: &DatabaseTransaction,
    now: DateTime<Utc>,
    user: user::Model,
    password_hash: String,
) -> ServiceResult<user::Model> {
    let password_epoch = user.password_epoch + 1;
    let verified = user.email_verified_at.or(Some(now));
    let mut active = user.into_active_model();
    active.password_hash = Set(Some(password_hash));
    active.password_epoch = Set(password_epoch);
    active.email_verified_at = Set(verified);
    active.updated_at = Set(now);
    let user = active.update(txn).await?;
    user_token::Entity::update_many()
        .col_expr(user_token::Column::UsedAt, Expr::value(now))
        .filter(user_token::Column::UserId.eq(&user.id))
        .filter(user_token::Column::Purpose.eq(PASSWORD_RESET))
        .filter(user_token::Column::UsedAt.is_null())
        .exec(txn)
        .await?;
    Ok(user)
}

pub(crate) async fn record_logout(services: &Services, ctx: &Ctx) -> ServiceResult<()> {
    let Some(actor) = &ctx.actor else { return Ok(()) };
    let txn = begin_write(services.db()).await?;
    audit::record(&txn, services.clock(), ctx, AuditEvent::new("user.logout", "user", actor.user_id.clone())).await?;
    txn.commit().await?;
    Ok(())
}

/// Mails a reset link when the address has an enabled account; answers the same either way.
pub async fn request_password_reset(services: &Services, ctx: &Ctx, input: PasswordResetRequest) -> ServiceResult<()> {
    services.limit(Action::PasswordReset, ctx)?;
    input.validate()?;
    let email = normalize_email(&input.email);
    let now = services.clock().now();
    let txn = begin_write(services.db()).await?;
    if let Some(user) = find_by_email(&txn, &email).await?.filter(|u| u.disabled_at.is_none()) {
        let token = issue_token(&txn, now, &user.id, PASSWORD_RESET, Duration::hours(RESET_TTL_HOURS)).await?;
        let link = services.config().link("reset-password", &token);
        enqueue(&txn, services.clock(), templates::password_reset(&user.email, &user.name, &link)).await?;
        audit::record(&txn, services.clock(), ctx, AuditEvent::new("user.password_reset_requested", "user", user.id))
            .await?;
    }
    txn.commit().await?;
    services.wake_mail_worker();
    Ok(())
}

/// Sets a new password from a mailed (or CLI-printed) link. Signs out every session of the
/// account for good, ends its other reset links, mails the owner a notice, and proves the
/// address, so it also counts as verification.
pub async fn confirm_password_reset(services: &Services, ctx: &Ctx, input: PasswordResetConfirm) -> ServiceResult<()> {
    services.limit(Action::PasswordResetConfirm, ctx)?;
    input.validate()?;
    // A bad token costs no hash: it is checked before hashing, and consumed (once, for good)
    // with the new password after it, so no transaction is held while hashing.
    find_token(services.db(), services.clock().now(), &input.token, PASSWORD_RESET).await?;
    let password_hash = services.hasher().hash(&input.password).await?;
    let now = services.clock().now();
    let txn = begin_write(services.db()).await?;
    let user = consume_token(&txn, now, &input.token, PASSWORD_RESET).await?;
    // Sessions are deleted, and any a request in flight writes back is signed out by the new
    // password epoch (`session_auth::resolve`); another link, mailed before, stops working.
    let user = set_password(&txn, now, user, password_hash).await?;
    let ended = delete_user_sessions(&txn, &user.id).await?;
    let reset_page = services.config().public_url.join("forgot-password").expect("static path").to_string();
    enqueue(&txn, services.clock(), templates::password_changed(&user.email, &user.name, &reset_page)).await?;
    let event =
        AuditEvent::new("user.password_reset", "user", user.id.clone()).details(json!({ "sessions_ended": ended }));
    audit::record(&txn, services.clock(), &ctx.as_user(&user)?, event).await?;
    txn.commit().await?;
    services.wake_mail_worker();
    Ok(())
}

pub async fn list_users(services: &Services, ctx: &Ctx, query: &UserQuery) -> ServiceResult<Page<UserSummary>> {
    ctx.require(Permission::ManageUsers)?;
    let mut select = user::Entity::find();
    if let Some(q) = query.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let pattern = format!("%{}%", q.to_lowercase());
        select = select.filter(
            Condition::any()
                .add(Expr::col(user::Column::Email).like(pattern.clone()))
                .add(Expr::expr(Func::lower(Expr::col(user::Column::Name))).like(pattern)),
        );
    }
    let page = page_number(query.page);
    let paginator = select.order_by_asc(user::Column::Email).paginate(services.db(), USERS_PER_PAGE);
    let total = paginator.num_items().await?;
    let mut items = paginator.fetch_page(page - 1).await?.iter().map(summary).collect::<ServiceResult<Vec<_>>>()?;
    // Memberships for the page in one query, so granting a role shows whose applications
    // the person will not be able to review.
    let ids: Vec<&str> = items.iter().map(|u| u.id.as_str()).collect();
    let memberships = org_member::Entity::find()
        .filter(org_member::Column::UserId.is_in(ids))
        .order_by_asc(org_member::Column::JoinedAt)
        .all(services.db())
        .await?;
    let names = crate::orgs::names(services.db(), memberships.iter().map(|m| m.org_id.as_str())).await?;
    for member in memberships {
        if let (Some(user), Some(name)) = (items.iter_mut().find(|u| u.id == member.user_id), names.get(&member.org_id))
        {
            user.organisations.push(name.clone());
        }
    }
    Ok(Page { items, page, per_page: USERS_PER_PAGE, total })
}

/// The names of the accounts `ids`, by id: one query for a page of rows, not one per row.
pub(crate) async fn names<'a>(
    conn: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = &'a str>,
) -> ServiceResult<HashMap<String, String>> {
    let users = user::Entity::find().filter(user::Column::Id.is_in(ids)).all(conn).await?;
    Ok(users.into_iter().map(|u| (u.id, u.name)).collect())
}

pub(crate) async fn target_user(txn: &DatabaseTransaction, user_id: &str) -> ServiceResult<user::Model> {
    user::Entity::find_by_id(user_id.to_owned()).one(txn).await?.ok_or(ServiceError::NotFound)
}

async fn enabled_admins(txn: &DatabaseTransaction) -> ServiceResult<u64> {
    Ok(user::Entity::find()
        .filter(user::Column::Roles.contains("admin"))
        .filter(user::Column::DisabledAt.is_null())
        .count(txn)
        .await?)
}

/// Starts a change to who holds which rights. Such changes take turns across every instance,
/// and the caller's own rights are read again once it is their turn: of two admins demoting
/// or disabling each other at once, the second finds it no longer may.
pub(crate) async fn begin_user_administration(
    services: &Services,
    ctx: &Ctx,
) -> ServiceResult<(DatabaseTransaction, Actor)> {
    ctx.require(Permission::ManageUsers)?;
    let txn = begin_write(services.db()).await?;
    lock_for(&txn, lock_key("user administration")).await?;
    let actor = ctx.require_now(&txn, Permission::ManageUsers).await?;
    Ok((txn, actor))
}

/// Replaces a user's roles (`developer` is always kept). Bumps the account's epoch, so
/// each of its sessions gets a new id on its next request. Needs a fresh second factor.
pub async fn set_roles(services: &Services, ctx: &Ctx, user_id: &str, roles: Vec<Role>) -> ServiceResult<UserSummary> {
    let roles = Roles::new(roles);
    let now = services.clock().now();
    // Checked before taking the administration lock, so a refusal holds up nobody.
    ctx.require(Permission::ManageUsers)?;
    if let Some(conflict) = roles.conflict() {
        return Err(ServiceError::field("roles", conflict));
    }
    ctx.second_factor_fresh(now)?;
    let (txn, _) = begin_user_administration(services, ctx).await?;
    let user = target_user(&txn, user_id).await?;
    let before = Actor::from_user(&user)?.roles;
    if before == roles {
        txn.commit().await?;
        return summary(&user);
    }
    // With single sign-on, staff roles come from the organisation's identity provider; a
    // password account gets them only through `create-admin` (the break-glass path).
    let grants_staff =
        [Role::Reviewer, Role::Admin, Role::Auditor].into_iter().any(|r| roles.contains(r) && !before.contains(r));
    if grants_staff
        && services.sso().is_some()
        && !crate::sso::is_sso_account(&txn, &user.id).await?
        && !crate::sso::is_break_glass(&txn, &user.id).await?
    {
        return Err(ServiceError::Conflict(
            "Single sign-on is on: reviewer and admin roles come from your organisation's identity provider, and this \
             account signs in with a password. Give the person the role there, or use `portcullis create-admin` for a \
             break-glass admin."
                .into(),
        ));
    }
    if before.contains(Role::Admin) && !roles.contains(Role::Admin) && enabled_admins(&txn).await? <= 1 {
        return Err(ServiceError::Conflict("The last admin cannot lose the admin role.".into()));
    }
    let epoch = user.auth_epoch + 1;
    let mut active = user.into_active_model();
    active.roles = Set(roles.to_csv());
    active.auth_epoch = Set(epoch);
    active.updated_at = Set(now);
    let user = active.update(&txn).await?;
    let event = AuditEvent::new("user.roles_changed", "user", user.id.clone())
        .details(json!({ "from": before.to_csv(), "to": roles.to_csv() }));
    audit::record(&txn, services.clock(), ctx, event).await?;
    txn.commit().await?;
    summary(&user)
}

/// Disables an account and ends all its sessions at once.
pub async fn disable(services: &Services, ctx: &Ctx, user_id: &str) -> ServiceResult<UserSummary> {
    let now = services.clock().now();
    let (txn, actor) = begin_user_administration(services, ctx).await?;
    if actor.user_id == user_id {
        return Err(ServiceError::Conflict("You cannot disable your own account.".into()));
    }
    let user = target_user(&txn, user_id).await?;
    if user.disabled_at.is_some() {
        txn.commit().await?;
        return summary(&user);
    }
    let epoch = user.auth_epoch + 1;
    let mut active = user.into_active_model();
    active.disabled_at = Set(Some(now));
    active.auth_epoch = Set(epoch);
    active.updated_at = Set(now);
    let user = active.update(&txn).await?;
    let ended = delete_user_sessions(&txn, &user.id).await?;
    let event = AuditEvent::new("user.disabled", "user", user.id.clone()).details(json!({ "sessions_ended": ended }));
    audit::record(&txn, services.clock(), ctx, event).await?;
    txn.commit().await?;
    summary(&user)
}

pub async fn enable(services: &Services, ctx: &Ctx, user_id: &str) -> ServiceResult<UserSummary> {
    let now = services.clock().now();
    let (txn, _) = begin_user_administration(services, ctx).await?;
    let user = target_user(&txn, user_id).await?;
    if user.disabled_at.is_none() {
        txn.commit().await?;
        return summary(&user);
    }
    let mut active = user.into_active_model();
    active.disabled_at = Set(None);
    active.updated_at = Set(now);
    let user = active.update(&txn).await?;
    audit::record(&txn, services.clock(), ctx, AuditEvent::new("user.enabled", "user", user.id.clone())).await?;
    txn.commit().await?;
    summary(&user)
}

/// `portcullis create-admin`: creates the account (or promotes an existing one) and returns
/// a one-time link to set its password.
pub async fn create_admin(services: &Services, email: &str) -> ServiceResult<String> {
    let input = PasswordResetRequest { email: email.to_owned() };
    input.validate()?;
    let email = normalize_email(email);
    let now = services.clock().now();
    let ctx = Ctx::system();
    let txn = begin_write(services.db()).await?;
    let user = match find_by_email(&txn, &email).await? {
        Some(user) => {
            let roles = Roles::new(Actor::from_user(&user)?.roles.iter().chain([Role::Admin]));
            let epoch = user.auth_epoch + 1;
            let mut active = user.into_active_model();
            active.roles = Set(roles.to_csv());
            active.disabled_at = Set(None);
            active.auth_epoch = Set(epoch);
            active.updated_at = Set(now);
            let user = active.update(&txn).await?;
            crate::sso::mark_break_glass(&txn, &user.id, now).await?;
            audit::record(
                &txn,
                services.clock(),
                &ctx,
                AuditEvent::new("user.promoted_admin", "user", user.id.clone()).details(json!({ "break_glass": true })),
            )
            .await?;
            user
        }
        None => {
            let name = email.split('@').next().unwrap_or("Admin").to_owned();
            let user = user::ActiveModel {
                id: Set(new_id()),
                email: Set(email),
                name: Set(name),
                password_hash: Set(None),
                roles: Set(Roles::new([Role::Admin]).to_csv()),
                // Whoever runs the CLI vouches for the address.
                email_verified_at: Set(Some(now)),
                disabled_at: Set(None),
                auth_epoch: Set(0),
                password_epoch: Set(0),
                created_at: Set(now),
                updated_at: Set(now),
            }
            .insert(&txn)
            .await?;
            crate::sso::mark_break_glass(&txn, &user.id, now).await?;
            let event =
                AuditEvent::new("user.admin_created", "user", user.id.clone()).details(json!({ "break_glass": true }));
            audit::record(&txn, services.clock(), &ctx, event).await?;
            user
        }
    };
    let token = issue_token(&txn, now, &user.id, PASSWORD_RESET, Duration::hours(ADMIN_LINK_TTL_HOURS)).await?;
    txn.commit().await?;
    Ok(services.config().link("reset-password", &token))
}

/// Demo accounts for `serve --demo`; created once, with these known passwords.
pub const DEMO_ACCOUNTS: [(&str, &str, &str, &[Role]); 3] = [
    ("developer@demo.portcullis.test", "Demo Developer", "demo-developer-password", &[]),
    ("reviewer@demo.portcullis.test", "Demo Reviewer", "demo-reviewer-password", &[Role::Reviewer]),
    ("admin@demo.portcullis.test", "Demo Admin", "demo-admin-password", &[Role::Admin]),
];

/// Whether any account holds the admin role: the operator's hint at startup.
pub async fn has_admin(services: &Services) -> ServiceResult<bool> {
    let admins =
        user::Entity::find().filter(user::Column::Roles.contains(Role::Admin.as_str())).count(services.db()).await?;
    Ok(admins > 0)
}

pub async fn seed_demo(services: &Services) -> ServiceResult<()> {
    seed_accounts(services, &DEMO_ACCOUNTS).await
}

/// Creates each account that does not exist yet, verified, with its known password; the demo
/// world adds its own cast this way.
pub(crate) async fn seed_accounts(services: &Services, accounts: &[(&str, &str, &str, &[Role])]) -> ServiceResult<()> {
    let now = services.clock().now();
    for &(email, name, password, roles) in accounts {
        if find_by_email(services.db(), email).await?.is_some() {
            continue;
        }
        let hash = services.hasher().hash(password).await?;
        let txn = services.db().begin().await?;
        let user = user::ActiveModel {
            id: Set(new_id()),
            email: Set(email.to_owned()),
            name: Set(name.to_owned()),
            password_hash: Set(Some(hash)),
            roles: Set(Roles::new(roles.iter().copied()).to_csv()),
            email_verified_at: Set(Some(now)),
            disabled_at: Set(None),
            auth_epoch: Set(0),
            password_epoch: Set(0),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&txn)
        .await?;
        audit::record(&txn, services.clock(), &Ctx::system(), AuditEvent::new("user.demo_seeded", "user", user.id))
            .await?;
        txn.commit().await?;
    }
    Ok(())
}
