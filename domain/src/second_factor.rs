//! Second factors: who must have one under the operator's policy, when a dangerous action
//! needs one verified recently (step-up), and the codes people type.

use crate::account::is_fresh;
use crate::role::{Role, Roles};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use validator::Validate;

/// `PORTCULLIS_REQUIRE_MFA`: whose accounts need a second factor.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum MfaPolicy {
    /// Nobody is asked for a second factor, nor for a step-up (development and tests).
    Off,
    /// Reviewers and admins.
    #[default]
    Staff,
    /// Every account.
    All,
}

impl MfaPolicy {
    pub const ALL: [MfaPolicy; 3] = [MfaPolicy::Off, MfaPolicy::Staff, MfaPolicy::All];

    pub fn as_str(self) -> &'static str {
        match self {
            MfaPolicy::Off => "off",
            MfaPolicy::Staff => "staff",
            MfaPolicy::All => "all",
        }
    }

    /// Whether an account holding `roles` must have a second factor.
    pub fn requires_factor(self, roles: &Roles) -> bool {
        match self {
            MfaPolicy::Off => false,
            MfaPolicy::Staff => is_staff(roles),
            MfaPolicy::All => true,
        }
    }

    /// Whether the account may only set up its second factor until it has one.
    pub fn setup_pending(self, roles: &Roles, enrolled: bool) -> bool {
        self.requires_factor(roles) && !enrolled
    }

    /// Whether a dangerous action needs a second factor verified within the step-up window.
    /// Asked of the accounts the policy obliges to have one, and of those who enrolled one of
    /// their own accord: they chose the protection, so a stolen password alone must not do
    /// what it guards. An account with none and no obligation has nothing to step up with.
    pub fn step_up_needed(self, roles: &Roles, enrolled: bool) -> bool {
        self != MfaPolicy::Off && (self.requires_factor(roles) || enrolled)
    }

    /// Whether a dangerous action may go ahead at `now` for an account whose second factor
    /// was last verified in this session at `verified_at` (Unix seconds).
    pub fn allows_action(self, roles: &Roles, enrolled: bool, verified_at: Option<i64>, now: i64) -> bool {
        !self.step_up_needed(roles, enrolled) || is_fresh(verified_at, now)
    }
}

/// Reviewers, admins and auditors: the accounts whose sessions grant access to others' data,
/// or read all of it.
pub fn is_staff(roles: &Roles) -> bool {
    roles.contains(Role::Reviewer) || roles.contains(Role::Admin) || roles.contains(Role::Auditor)
}

impl fmt::Display for MfaPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown policy `{0}`: use off, staff or all")]
pub struct UnknownPolicy(pub String);

impl FromStr for MfaPolicy {
    type Err = UnknownPolicy;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        MfaPolicy::ALL.into_iter().find(|p| p.as_str() == s.trim()).ok_or_else(|| UnknownPolicy(s.to_owned()))
    }
}

/// Seconds a TOTP code stands for (RFC 6238's recommendation, which every app uses).
pub const TOTP_STEP_SECS: u64 = 30;
pub const TOTP_DIGITS: usize = 6;
/// Steps either side of the server's that are still accepted, for clocks that drift.
pub const TOTP_SKEW_STEPS: u16 = 1;
/// Recovery codes issued with a confirmed factor; each works once.
pub const RECOVERY_CODE_COUNT: usize = 10;
/// Characters of a recovery code, without its dashes: 16 from 31 letters, about 79 bits.
pub const RECOVERY_CODE_CHARS: usize = 16;
/// No 0/o or 1/l/i, so a code copied from paper is read right.
pub const RECOVERY_CODE_ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";

/// What someone typed where a code is asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Code {
    /// Six digits from the authenticator app.
    Totp(String),
    /// A recovery code, in its canonical form (lower case, no dashes or spaces).
    Recovery(String),
}

impl Code {
    /// Spaces and dashes are ignored, as people copy codes in groups; anything that is not six
    /// digits is taken as a recovery code.
    pub fn parse(input: &str) -> Option<Code> {
        let compact: String = input.chars().filter(|c| !c.is_whitespace() && *c != '-').collect();
        if compact.is_empty() {
            None
        } else if compact.len() == TOTP_DIGITS && compact.bytes().all(|b| b.is_ascii_digit()) {
            Some(Code::Totp(compact))
        } else {
            Some(Code::Recovery(compact.to_lowercase()))
        }
    }
}

/// A recovery code as shown: groups of four separated by dashes.
pub fn format_recovery_code(canonical: &str) -> String {
    canonical.as_bytes().chunks(4).map(|group| String::from_utf8_lossy(group)).collect::<Vec<_>>().join("-")
}

/// A TOTP code is accepted only for a step after the last one accepted: a code seen once, by
/// an onlooker too, does not work again.
pub fn step_is_new(last_accepted: Option<i64>, step: i64) -> bool {
    last_accepted.is_none_or(|last| step > last)
}

/// `POST /me/totp/confirm`: a code from the app, proving it holds the new secret.
#[derive(Debug, Clone, Default, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CodeInput {
    #[validate(length(min = 1, max = 64, message = "Enter the code from your authenticator app."))]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 64, example = "123456"))]
    pub code: String,
}

/// A started TOTP enrolment: the secret to put into an authenticator app, shown once. Not
/// `Debug`, so it cannot end up in a log.
#[derive(Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TotpEnrolment {
    /// Base32 (RFC 4648), for typing into the app.
    pub secret: String,
    /// `otpauth://totp/...`, for a QR code.
    pub otpauth_uri: String,
    /// The same URI as a QR code: an SVG image, for pages to show.
    pub qr_svg: String,
}

/// The recovery codes of a newly confirmed factor, shown once.
#[derive(Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecoveryCodes {
    pub recovery_codes: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::STEP_UP_WINDOW_SECS;

    fn developer() -> Roles {
        Roles::developer()
    }

    fn reviewer() -> Roles {
        Roles::new([Role::Reviewer])
    }

    fn admin() -> Roles {
        Roles::new([Role::Admin])
    }

    #[test]
    fn the_policy_parses_from_its_names_only() {
        for policy in MfaPolicy::ALL {
            assert_eq!(policy.as_str().parse::<MfaPolicy>(), Ok(policy));
        }
        assert!("staff-only".parse::<MfaPolicy>().is_err());
        assert_eq!(MfaPolicy::default(), MfaPolicy::Staff);
    }

    #[test]
    fn staff_policy_obliges_reviewers_and_admins_only() {
        assert!(!MfaPolicy::Staff.requires_factor(&developer()));
        assert!(MfaPolicy::Staff.requires_factor(&reviewer()));
        assert!(MfaPolicy::Staff.requires_factor(&admin()));
        assert!(MfaPolicy::All.requires_factor(&developer()));
        assert!(!MfaPolicy::Off.requires_factor(&admin()));
    }

    #[test]
    fn an_obliged_account_without_a_factor_may_only_set_one_up() {
        assert!(MfaPolicy::Staff.setup_pending(&admin(), false));
        assert!(!MfaPolicy::Staff.setup_pending(&admin(), true));
        assert!(!MfaPolicy::Staff.setup_pending(&developer(), false));
        assert!(!MfaPolicy::Off.setup_pending(&admin(), false));
    }

    #[test]
    fn step_up_is_asked_of_the_obliged_and_of_the_enrolled_unless_off() {
        assert!(MfaPolicy::Staff.step_up_needed(&admin(), true));
        assert!(MfaPolicy::Staff.step_up_needed(&admin(), false), "staff under staff always");
        assert!(MfaPolicy::Staff.step_up_needed(&developer(), true), "enrolled of their own accord");
        assert!(!MfaPolicy::Staff.step_up_needed(&developer(), false), "nothing to step up with");
        assert!(!MfaPolicy::Off.step_up_needed(&admin(), true));
    }

    #[test]
    fn a_verified_factor_allows_dangerous_actions_for_ten_minutes() {
        let at = 1_800_000_000;
        let allows = |now| MfaPolicy::Staff.allows_action(&admin(), true, Some(at), now);
        assert!(allows(at));
        assert!(allows(at + STEP_UP_WINDOW_SECS));
        assert!(!allows(at + STEP_UP_WINDOW_SECS + 1));
        assert!(!MfaPolicy::Staff.allows_action(&admin(), true, None, at), "never verified in this session");
        assert!(MfaPolicy::Off.allows_action(&admin(), true, None, at));
        assert!(MfaPolicy::Staff.allows_action(&developer(), false, None, at));
    }

    #[test]
    fn codes_are_told_apart_and_normalised() {
        assert_eq!(Code::parse(" 123 456 "), Some(Code::Totp("123456".into())));
        assert_eq!(Code::parse("ABCD-efgh-2345-6789"), Some(Code::Recovery("abcdefgh23456789".into())));
        assert_eq!(Code::parse("12345"), Some(Code::Recovery("12345".into())));
        assert_eq!(Code::parse(" - "), None);
    }

    #[test]
    fn recovery_codes_are_shown_in_groups_of_four() {
        assert_eq!(format_recovery_code("abcdefgh23456789"), "abcd-efgh-2345-6789");
    }

    #[test]
    fn a_time_step_is_accepted_once() {
        assert!(step_is_new(None, 10));
        assert!(step_is_new(Some(9), 10));
        assert!(!step_is_new(Some(10), 10));
        assert!(!step_is_new(Some(11), 10), "an older code after a newer one");
    }
}
