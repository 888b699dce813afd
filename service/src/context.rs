//! Who is calling and from where: the one mechanism every operation checks.

use crate::entity::user;
use crate::error::{Refusal, ServiceError, ServiceResult};
use chrono::{DateTime, Utc};
use portcullis_domain::account::{Factors, SecondFactorState, UserView, is_fresh};
use portcullis_domain::role::{Permission, Roles};
use portcullis_domain::second_factor::MfaPolicy;
use sea_orm::{ConnectionTrait, EntityTrait};

/// The client's address as the server saw it, put into each request's extensions by the
/// HTTP layer so server functions and API handlers read it the same way.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientIp(pub Option<String>);

/// The browser as the HTTP layer saw it, put into each request's extensions beside
/// [`ClientIp`]: its `User-Agent`, and the id of its device cookie (a random value the browser
/// keeps across sign-ins, so a sign-in from a new device can be told).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientDevice {
    pub id: Option<String>,
    pub user_agent: Option<String>,
}

/// A signed-in, enabled account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: String,
    pub email: String,
    pub name: String,
    pub roles: Roles,
    pub email_verified: bool,
    /// When the person last signed in or confirmed their password in this session (Unix
    /// seconds); `None` when not known from a session.
    pub confirmed_at: Option<i64>,
    pub second_factor: SecondFactorStatus,
    /// Whether this session may use the staff roles the account holds: not when single
    /// sign-on is on and the session signed in with a password (see `session_auth`).
    pub staff_allowed: bool,
}

/// What the session knows about the account's second factor, with the policy it is judged by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SecondFactorStatus {
    pub policy: MfaPolicy,
    /// The account has a confirmed second factor.
    pub enrolled: bool,
    /// When this session last verified it (Unix seconds).
    pub verified_at: Option<i64>,
    /// The factor is at the organisation's identity provider (single sign-on account).
    pub sso: bool,
    /// Which factors the account has, whatever the policy (for the pages to offer them).
    pub factors: Factors,
}

impl SecondFactorStatus {
    /// For callers that are not a signed-in session (the command line, the demo world): they
    /// cannot show a code, and nothing asks them to.
    pub const NOT_ASKED: Self = Self {
        policy: MfaPolicy::Off,
        enrolled: false,
        verified_at: None,
        sso: false,
        factors: Factors { totp: false, passkey: false },
    };
}

impl Actor {
    /// Fails on roles the portal never writes rather than reading them as no role.
    pub fn from_user(user: &user::Model) -> ServiceResult<Self> {
        Ok(Self {
            user_id: user.id.clone(),
            email: user.email.clone(),
            name: user.name.clone(),
            roles: crate::stored::parse("users.roles", &user.roles)?,
            email_verified: user.email_verified_at.is_some(),
            confirmed_at: None,
            second_factor: SecondFactorStatus::NOT_ASKED,
            staff_allowed: true,
        })
    }

    /// Without its staff roles unless `staff_allowed`.
    pub fn limited_to_staff(self, staff_allowed: bool) -> Self {
        let roles = portcullis_domain::sso::session_roles(self.roles, staff_allowed);
        Self { roles, staff_allowed, ..self }
    }

    pub fn view(&self) -> UserView {
        UserView {
            id: self.user_id.clone(),
            email: self.email.clone(),
            name: self.name.clone(),
            roles: self.roles.iter().collect(),
            email_verified: self.email_verified,
            second_factor: if self.second_factor.enrolled {
                SecondFactorState::Enabled
            } else if self.second_factor.policy.setup_pending(&self.roles, false) {
                SecondFactorState::SetupRequired
            } else {
                SecondFactorState::None
            },
            sso: self.second_factor.sso,
            factors: self.second_factor.factors,
        }
    }
}

/// The caller of an operation. Built by the HTTP layer from the session and the
/// connection; services decide with [`Ctx::require`], never by looking at routes.
#[derive(Debug, Clone, Default)]
pub struct Ctx {
    pub actor: Option<Actor>,
    pub ip: Option<String>,
    pub device: ClientDevice,
}

impl Ctx {
    pub fn anonymous(ip: Option<String>) -> Self {
        Self { actor: None, ip, device: ClientDevice::default() }
    }

    /// The command line acts as nobody in particular, from no address.
    pub fn system() -> Self {
        Self::default()
    }

    /// The same caller, now known as `user` (after registering or signing in).
    pub fn as_user(&self, user: &user::Model) -> ServiceResult<Self> {
        Ok(Self { actor: Some(Actor::from_user(user)?), ..self.clone() })
    }

    /// Deny by default: signed in, and holding a role that grants `permission`.
    pub fn require(&self, permission: Permission) -> ServiceResult<&Actor> {
        let actor = self.signed_in()?;
        if actor.roles.allows(permission) { Ok(actor) } else { Err(ServiceError::Forbidden) }
    }

    /// Signed in, with the second factor the policy asks of the account: every operation
    /// checks this (or something built on it), so a session that must set up a factor first
    /// can do nothing else.
    pub fn signed_in(&self) -> ServiceResult<&Actor> {
        let actor = self.signed_in_for_setup()?;
        let factor = actor.second_factor;
        if factor.policy.setup_pending(&actor.roles, factor.enrolled) {
            Err(ServiceError::NotAllowed(Refusal::SecondFactorSetupRequired))
        } else {
            Ok(actor)
        }
    }

    /// Signed in, maybe still without the second factor the account needs: for setting it up,
    /// and for saying who is signed in.
    pub fn signed_in_for_setup(&self) -> ServiceResult<&Actor> {
        self.actor.as_ref().ok_or(ServiceError::Unauthenticated)
    }

    /// Signed in with a verified email address: needed for whatever mails other people or
    /// reaches reviewers, so an unverified (possibly someone else's) address cannot.
    pub fn verified(&self) -> ServiceResult<&Actor> {
        let actor = self.signed_in()?;
        if actor.email_verified {
            Ok(actor)
        } else {
            Err(ServiceError::NotAllowed(
                "Verify your email address first: open the link we mailed you, or send a new one from the home page."
                    .into(),
            ))
        }
    }

    /// The same caller as the database has it now, read in `conn`'s transaction: a role taken
    /// away or an account disabled by a transaction that committed first no longer counts.
    /// Privileged writes decide on this, not on what the session loaded when the request began.
    pub async fn reread(&self, conn: &impl ConnectionTrait) -> ServiceResult<Ctx> {
        let Some(actor) = &self.actor else { return Ok(self.clone()) };
        match user::Entity::find_by_id(&actor.user_id).one(conn).await? {
            Some(user) if user.disabled_at.is_none() => {
                let roles = Actor::from_user(&user)?.limited_to_staff(actor.staff_allowed).roles;
                Ok(Ctx { actor: Some(Actor { roles, ..actor.clone() }), ..self.clone() })
            }
            _ => Err(ServiceError::Unauthenticated),
        }
    }

    /// [`Ctx::require`] on the caller as [`Ctx::reread`] finds them.
    pub async fn require_now(&self, conn: &impl ConnectionTrait, permission: Permission) -> ServiceResult<Actor> {
        self.reread(conn).await?.require(permission).cloned()
    }

    /// Signed in, and recently enough (or confirmed again) for a dangerous action.
    pub fn signed_in_freshly(&self, now: DateTime<Utc>) -> ServiceResult<&Actor> {
        let actor = self.signed_in()?;
        if is_fresh(actor.confirmed_at, now.timestamp()) { Ok(actor) } else { Err(ServiceError::StepUpRequired) }
    }

    /// Signed in, with the second factor verified recently enough for a dangerous action when
    /// the policy asks it of this account (step-up).
    pub fn second_factor_fresh(&self, now: DateTime<Utc>) -> ServiceResult<&Actor> {
        let actor = self.signed_in()?;
        let factor = actor.second_factor;
        if factor.policy.allows_action(&actor.roles, factor.enrolled, factor.verified_at, now.timestamp()) {
            Ok(actor)
        } else {
            Err(ServiceError::StepUpRequired)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use portcullis_domain::role::Role;

    fn actor(roles: Roles) -> Actor {
        Actor {
            user_id: "u".into(),
            email: "e@x.io".into(),
            name: "E".into(),
            roles,
            email_verified: true,
            confirmed_at: None,
            second_factor: SecondFactorStatus::NOT_ASKED,
            staff_allowed: true,
        }
    }

    #[test]
    fn anonymous_callers_must_sign_in() {
        let ctx = Ctx::anonymous(None);
        assert!(matches!(ctx.require(Permission::Apply), Err(ServiceError::Unauthenticated)));
    }

    #[test]
    fn roles_decide() {
        let dev = Ctx { actor: Some(actor(Roles::developer())), ..Ctx::default() };
        assert!(dev.require(Permission::Apply).is_ok());
        assert!(matches!(dev.require(Permission::ManageUsers), Err(ServiceError::Forbidden)));
        let admin = Ctx { actor: Some(actor(Roles::new([Role::Admin]))), ..Ctx::default() };
        assert!(admin.require(Permission::ManageUsers).is_ok());
    }

    fn admin_with(second_factor: SecondFactorStatus) -> Ctx {
        Ctx { actor: Some(Actor { second_factor, ..actor(Roles::new([Role::Admin])) }), ..Ctx::default() }
    }

    #[test]
    fn an_admin_without_the_factor_the_policy_asks_for_may_only_set_it_up() {
        let ctx = admin_with(SecondFactorStatus {
            policy: MfaPolicy::Staff,
            enrolled: false,
            verified_at: None,
            sso: false,
            factors: Factors::default(),
        });
        let refused = ctx.require(Permission::ManageUsers).unwrap_err();
        assert_eq!(refused.code(), "second_factor_setup_required");
        assert_eq!(ctx.signed_in().unwrap_err().code(), "second_factor_setup_required");
        assert!(ctx.signed_in_for_setup().is_ok());
    }

    #[test]
    fn dangerous_actions_need_a_recently_verified_factor() {
        let now = chrono::Utc::now();
        let stale = Some(now.timestamp() - 11 * 60);
        let ctx = admin_with(SecondFactorStatus {
            policy: MfaPolicy::Staff,
            enrolled: true,
            verified_at: stale,
            sso: false,
            factors: Factors::default(),
        });
        assert!(ctx.require(Permission::ManageUsers).is_ok());
        assert!(matches!(ctx.second_factor_fresh(now), Err(ServiceError::StepUpRequired)));
        let fresh = Some(now.timestamp() - 60);
        let ctx = admin_with(SecondFactorStatus {
            policy: MfaPolicy::Staff,
            enrolled: true,
            verified_at: fresh,
            sso: false,
            factors: Factors::default(),
        });
        assert!(ctx.second_factor_fresh(now).is_ok());
    }
}
