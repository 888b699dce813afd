//! How often one client address may do the things that cost the portal work or mail a
//! stranger: register, ask for or use a password reset, invite, post a message. Every attempt
//! counts, successful or not; the answer past the limit is 429 with `Retry-After`.

use crate::context::Ctx;
use crate::error::{ServiceError, ServiceResult};
use portcullis_domain::rate_limit::{FailureLimiter, LimitPolicy};
use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Register,
    PasswordReset,
    PasswordResetConfirm,
    VerifyResend,
    Invite,
    Message,
    /// Leaving for the organisation's identity provider (each start stores a sign-in in progress).
    SsoStart,
    /// Starting a sign-in with a passkey: each start keeps a challenge in a session.
    PasskeySignIn,
}

impl Action {
    pub const ALL: [Action; 8] = [
        Action::Register,
        Action::PasswordReset,
        Action::PasswordResetConfirm,
        Action::VerifyResend,
        Action::Invite,
        Action::Message,
        Action::SsoStart,
        Action::PasskeySignIn,
    ];

    /// What the refusal says was limited.
    fn noun(self) -> &'static str {
        match self {
            Action::Register => "registrations",
            Action::PasswordReset => "password reset requests",
            Action::PasswordResetConfirm => "password reset attempts",
            Action::VerifyResend => "verification mails",
            Action::Invite => "invitations",
            Action::Message => "messages",
            Action::SsoStart => "single sign-on attempts",
            Action::PasskeySignIn => "passkey sign-ins",
        }
    }
}

/// Attempts allowed per client address per hour, for each action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ActionLimits {
    pub register: usize,
    pub password_reset: usize,
    pub password_reset_confirm: usize,
    pub verify_resend: usize,
    pub invite: usize,
    pub message: usize,
    pub sso_start: usize,
    pub passkey_sign_in: usize,
}

impl Default for ActionLimits {
    fn default() -> Self {
        Self {
            register: 10,
            password_reset: 10,
            password_reset_confirm: 20,
            verify_resend: 5,
            invite: 30,
            message: 60,
            // Staff of a whole office may share one address.
            sso_start: 300,
            passkey_sign_in: 60,
        }
    }
}

impl ActionLimits {
    pub const WINDOW: Duration = Duration::from_secs(3600);

    pub fn per_hour(&self, action: Action) -> usize {
        match action {
            Action::Register => self.register,
            Action::PasswordReset => self.password_reset,
            Action::PasswordResetConfirm => self.password_reset_confirm,
            Action::VerifyResend => self.verify_resend,
            Action::Invite => self.invite,
            Action::Message => self.message,
            Action::SsoStart => self.sso_start,
            Action::PasskeySignIn => self.passkey_sign_in,
        }
    }
}

#[derive(Debug)]
pub struct ActionLimiter {
    limits: ActionLimits,
    limiters: Vec<(Action, Mutex<FailureLimiter<String>>)>,
}

impl ActionLimiter {
    pub fn new(limits: ActionLimits) -> Self {
        let limiters = Action::ALL
            .into_iter()
            .map(|action| {
                let policy = LimitPolicy { max_failures: limits.per_hour(action), window: ActionLimits::WINDOW };
                (action, Mutex::new(FailureLimiter::new(policy)))
            })
            .collect();
        Self { limits, limiters }
    }

    fn limiter(&self, action: Action) -> &Mutex<FailureLimiter<String>> {
        &self.limiters.iter().find(|(a, _)| *a == action).expect("a limiter per action").1
    }

    /// Counts the caller's attempt; refused past the limit. Callers without an address (the
    /// command line) are not limited.
    pub fn attempt(&self, action: Action, ctx: &Ctx, now: Instant) -> ServiceResult<()> {
        let Some(address) = ctx.ip.as_deref() else { return Ok(()) };
        let attempt = self.limiter(action).lock().expect("limiter lock").attempt(address.to_owned(), now);
        attempt.map_err(|retry| ServiceError::LimitReached {
            message: format!(
                "Too many {} from your address: at most {} an hour. Try again in {} seconds.",
                action.noun(),
                self.limits.per_hour(action),
                retry.as_secs_ceil()
            ),
            retry_after_secs: retry.as_secs_ceil(),
        })
    }

    /// Forgets attempts that left their window (from a timer, never on a request's path).
    pub fn sweep(&self, now: Instant) {
        for (_, limiter) in &self.limiters {
            limiter.lock().expect("limiter lock").sweep(now);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_action_has_its_own_count_per_address() {
        let limiter = ActionLimiter::new(ActionLimits { register: 2, ..Default::default() });
        let ctx = Ctx::anonymous(Some("198.51.100.7".into()));
        let other = Ctx::anonymous(Some("203.0.113.9".into()));
        let now = Instant::now();
        limiter.attempt(Action::Register, &ctx, now).unwrap();
        limiter.attempt(Action::Register, &ctx, now).unwrap();
        let refused = limiter.attempt(Action::Register, &ctx, now).unwrap_err();
        assert!(refused.to_string().starts_with("Too many registrations from your address: at most 2 an hour."));
        assert!(matches!(refused, ServiceError::LimitReached { retry_after_secs: 3600, .. }));
        limiter.attempt(Action::Register, &other, now).unwrap();
        limiter.attempt(Action::PasswordReset, &ctx, now).unwrap();
        limiter.attempt(Action::Register, &Ctx::system(), now).unwrap();
        limiter.sweep(now + ActionLimits::WINDOW);
        limiter.attempt(Action::Register, &ctx, now + ActionLimits::WINDOW).unwrap();
    }
}
