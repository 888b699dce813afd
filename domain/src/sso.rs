//! Single sign-on for staff (OpenID Connect): which portal roles an identity provider's claim
//! grants, who may sign in that way, where the browser may be sent back to, and the problems
//! a sign-in can run into, each with the words the page shows.

use crate::role::{Role, Roles};
use std::fmt;

/// How long a sign-in may take between leaving for the provider and coming back.
pub const PENDING_TTL_SECS: i64 = 10 * 60;
/// How old the provider's `auth_time` may be for a re-authentication to count as a step-up.
pub const STEP_UP_AUTH_MAX_AGE_SECS: i64 = 5 * 60;
/// The claim that carries group memberships unless `PORTCULLIS_OIDC_ROLE_CLAIM` says otherwise.
pub const DEFAULT_ROLE_CLAIM: &str = "groups";
/// Where the provider sends the browser back to.
pub const CALLBACK_PATH: &str = "/auth/oidc/callback";
/// Where a sign-in with the provider starts.
pub const START_PATH: &str = "/auth/oidc/start";
/// Where a problem is explained.
pub const PROBLEM_PATH: &str = "/sso/problem";

/// `PORTCULLIS_OIDC_ROLES`: claim values and the role each grants, e.g.
/// `portal-reviewers=reviewer,portal-admins=admin`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RoleMapping(Vec<(String, Role)>);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct BadMapping(pub String);

impl RoleMapping {
    /// Pairs `value=role` separated by commas; only staff roles (`reviewer`, `admin`, `auditor`) can be
    /// granted, since every account is a developer already.
    pub fn parse(raw: &str) -> Result<Self, BadMapping> {
        let mut pairs = Vec::new();
        for item in raw.split(',').map(str::trim).filter(|item| !item.is_empty()) {
            let Some((value, role)) = item.rsplit_once('=') else {
                return Err(BadMapping(format!("`{item}` is not of the form claim-value=role")));
            };
            let (value, role) = (value.trim(), role.trim());
            if value.is_empty() {
                return Err(BadMapping(format!("`{item}` names no claim value")));
            }
            let role: Role =
                role.parse().map_err(|_| BadMapping(format!("`{role}`: use reviewer, admin or auditor")))?;
            if role == Role::Developer {
                return Err(BadMapping(format!("`{item}`: every account is a developer; map to reviewer or admin")));
            }
            pairs.push((value.to_owned(), role));
        }
        Ok(RoleMapping(pairs))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The values that the mapping names, in the claim's order.
    pub fn mapped(&self, values: Vec<String>) -> Vec<String> {
        values.into_iter().filter(|value| self.0.iter().any(|(known, _)| known == value)).collect()
    }

    /// The staff roles the claim's values grant (plus `developer`, which every account has).
    pub fn roles_for<'a>(&self, values: impl IntoIterator<Item = &'a str>) -> Roles {
        let values: Vec<&str> = values.into_iter().collect();
        let roles =
            Roles::new(self.0.iter().filter(|(value, _)| values.contains(&value.as_str())).map(|(_, role)| *role));
        // In an auditors' group and a reviewers' one: reading only is the safe reading.
        if roles.conflict().is_some() { Roles::new([Role::Auditor]) } else { roles }
    }
}

/// Whether a sign-in whose claim granted `roles` may go on: staff always, developers only
/// when the operator lets them use the organisation's sign-in too.
pub fn may_sign_in(roles: &Roles, developers_allowed: bool) -> bool {
    crate::second_factor::is_staff(roles) || developers_allowed
}

/// The roles a session may use: staff roles only from the organisation's sign-in (or an
/// account the operator made with `create-admin`) while single sign-on is configured.
pub fn session_roles(roles: Roles, staff_allowed: bool) -> Roles {
    if staff_allowed { roles } else { Roles::new(roles.iter().filter(|r| *r == Role::Developer)) }
}

/// Where to go after signing in: a path on this site, never another origin (`//host`,
/// `/\host` or a scheme); anything else goes home.
pub fn return_path(raw: Option<&str>) -> String {
    match raw.map(str::trim) {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.starts_with("/\\")
                && path.len() <= 2048
                && !path.chars().any(|c| c.is_control() || c == '\\') =>
        {
            path.to_owned()
        }
        _ => "/".to_owned(),
    }
}

/// The link that starts a sign-in (or, with `step_up`, a re-authentication) and comes back to
/// `return_to`.
pub fn start_href(return_to: &str, step_up: bool) -> String {
    let mut encoded = String::with_capacity(return_to.len());
    for byte in return_path(Some(return_to)).bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => encoded.push(byte as char),
            other => encoded.push_str(&format!("%{other:02X}")),
        }
    }
    let step_up = if step_up { "&step_up=1" } else { "" };
    format!("{START_PATH}?return={encoded}{step_up}")
}

/// Why a sign-in with the organisation's provider did not go through. Each has a stable code
/// (the problem page's `reason`), a title and an explanation that are safe to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SsoProblem {
    /// The portal has no provider configured.
    NotConfigured,
    /// The provider's discovery document, keys or token endpoint could not be reached.
    ProviderUnreachable,
    /// The browser came back with a `state` this session did not send (or with none pending).
    WrongState,
    /// The sign-in took longer than [`PENDING_TTL_SECS`].
    TooSlow,
    /// The provider answered with an error instead of a code (the person cancelled, say).
    ProviderRefused,
    /// The provider did not accept the code: used already, or forged.
    CodeRejected,
    /// The ID token failed validation (signature, issuer, audience, nonce).
    InvalidIdToken,
    /// The ID token had expired when it arrived.
    IdTokenExpired,
    /// The claim maps to no staff role, and developers may not sign in this way.
    NoRole,
    /// The provider sent no email address.
    NoEmail,
    /// A portal account that signs in with a password has this email address.
    EmailTaken,
    /// The linked portal account is disabled.
    AccountDisabled,
    /// A step-up came back as someone else, or without a fresh authentication.
    StepUpFailed,
    /// Too many sign-ins started from this address within the hour.
    TooManyAttempts,
    /// The portal itself could not finish (its database did not answer, say).
    PortalUnavailable,
}

impl SsoProblem {
    pub const ALL: [SsoProblem; 15] = [
        SsoProblem::NotConfigured,
        SsoProblem::ProviderUnreachable,
        SsoProblem::WrongState,
        SsoProblem::TooSlow,
        SsoProblem::ProviderRefused,
        SsoProblem::CodeRejected,
        SsoProblem::InvalidIdToken,
        SsoProblem::IdTokenExpired,
        SsoProblem::NoRole,
        SsoProblem::NoEmail,
        SsoProblem::EmailTaken,
        SsoProblem::AccountDisabled,
        SsoProblem::StepUpFailed,
        SsoProblem::TooManyAttempts,
        SsoProblem::PortalUnavailable,
    ];

    pub fn code(self) -> &'static str {
        match self {
            SsoProblem::NotConfigured => "not_configured",
            SsoProblem::ProviderUnreachable => "provider_unreachable",
            SsoProblem::WrongState => "wrong_state",
            SsoProblem::TooSlow => "too_slow",
            SsoProblem::ProviderRefused => "provider_refused",
            SsoProblem::CodeRejected => "code_rejected",
            SsoProblem::InvalidIdToken => "invalid_id_token",
            SsoProblem::IdTokenExpired => "id_token_expired",
            SsoProblem::NoRole => "no_role",
            SsoProblem::NoEmail => "no_email",
            SsoProblem::EmailTaken => "email_taken",
            SsoProblem::AccountDisabled => "account_disabled",
            SsoProblem::StepUpFailed => "step_up_failed",
            SsoProblem::TooManyAttempts => "too_many_attempts",
            SsoProblem::PortalUnavailable => "portal_unavailable",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.code() == code)
    }

    pub fn title(self) -> &'static str {
        match self {
            SsoProblem::NotConfigured => "Single sign-on is not set up",
            SsoProblem::ProviderUnreachable => "Your organisation's sign-in cannot be reached",
            SsoProblem::WrongState | SsoProblem::TooSlow => "This sign-in cannot be completed",
            SsoProblem::ProviderRefused => "Your organisation's sign-in did not sign you in",
            SsoProblem::CodeRejected | SsoProblem::InvalidIdToken | SsoProblem::IdTokenExpired => {
                "Your organisation's sign-in could not be confirmed"
            }
            SsoProblem::NoRole => "Your organisation has not given you access to this portal",
            SsoProblem::NoEmail => "Your organisation's sign-in sent no email address",
            SsoProblem::EmailTaken => "This email address has a portal account already",
            SsoProblem::AccountDisabled => "This account has been disabled",
            SsoProblem::StepUpFailed => "That did not confirm it is you",
            SsoProblem::TooManyAttempts => "Too many sign-in attempts",
            SsoProblem::PortalUnavailable => "The portal could not finish signing you in",
        }
    }

    pub fn message(self) -> &'static str {
        match self {
            SsoProblem::NotConfigured => {
                "This portal does not offer single sign-on. Sign in with your email address and password."
            }
            SsoProblem::ProviderUnreachable => {
                "The portal could not reach your organisation's identity provider. Try again in a few minutes; if it keeps happening, tell your administrator."
            }
            SsoProblem::WrongState => {
                "The answer from your organisation's sign-in does not belong to a sign-in started in this browser, or it was used already. Start again from the sign-in page."
            }
            SsoProblem::TooSlow => "The sign-in took too long. Start again from the sign-in page.",
            SsoProblem::ProviderRefused => {
                "Your organisation's identity provider answered without signing you in. Start again, or ask your administrator."
            }
            SsoProblem::CodeRejected => {
                "Your organisation's identity provider did not accept the sign-in code: it was used already or has expired. Start again from the sign-in page."
            }
            SsoProblem::InvalidIdToken => {
                "The identity token from your organisation's sign-in did not pass the portal's checks, so it was not accepted. Start again; if it keeps happening, tell your administrator."
            }
            SsoProblem::IdTokenExpired => {
                "The identity token from your organisation's sign-in had expired when it arrived. Start again from the sign-in page."
            }
            SsoProblem::NoRole => {
                "You signed in, but none of your groups gives you a role in this portal. Ask your administrator for access, or, if you apply for API access, register with your email address and a password."
            }
            SsoProblem::NoEmail => {
                "The portal needs your email address, and your organisation's identity provider did not share it. Tell your administrator."
            }
            SsoProblem::EmailTaken => {
                "An account that signs in with a password already uses this email address, and the portal never hands an existing account to single sign-on. Sign in with that account's password, or ask an administrator."
            }
            SsoProblem::AccountDisabled => "Your portal account has been disabled. Contact an administrator.",
            SsoProblem::StepUpFailed => {
                "Confirming with your organisation's sign-in needs the same account you are signed in with, and a fresh sign-in at your organisation. Try again."
            }
            SsoProblem::TooManyAttempts => {
                "Too many sign-ins were started from your network in the last hour. Wait a while, then start again from the sign-in page."
            }
            SsoProblem::PortalUnavailable => {
                "The portal is busy or briefly unavailable, so your sign-in was not completed. Wait a few seconds, then start again from the sign-in page."
            }
        }
    }
}

impl fmt::Display for SsoProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.title())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mapping_grants_the_staff_roles_of_the_values_present() {
        let mapping = RoleMapping::parse("portal-reviewers=reviewer, portal-admins = admin").unwrap();
        assert_eq!(mapping.roles_for(["portal-reviewers", "other"]), Roles::new([Role::Reviewer]));
        assert_eq!(mapping.roles_for(["portal-admins", "portal-reviewers"]), Roles::new([Role::Reviewer, Role::Admin]));
        assert_eq!(mapping.roles_for(["Portal-Admins"]), Roles::developer(), "values are compared exactly");
        assert_eq!(mapping.roles_for([]), Roles::developer());
        assert_eq!(mapping.mapped(vec!["x".into(), "portal-admins".into()]), vec!["portal-admins".to_owned()]);
        let mapping = RoleMapping::parse("portal-reviewers=reviewer,regulatory=auditor").unwrap();
        assert_eq!(mapping.roles_for(["regulatory"]), Roles::new([Role::Auditor]));
        assert_eq!(mapping.roles_for(["regulatory", "portal-reviewers"]), Roles::new([Role::Auditor]), "reading wins");
    }

    #[test]
    fn a_bad_mapping_says_which_part() {
        assert!(RoleMapping::parse("").unwrap().is_empty());
        assert!(RoleMapping::parse("admins").unwrap_err().0.contains("admins"));
        assert!(RoleMapping::parse("=admin").is_err());
        assert!(RoleMapping::parse("x=superuser").unwrap_err().0.contains("superuser"));
        assert!(RoleMapping::parse("x=developer").is_err());
        // A claim value may itself hold `=`: the role is after the last one.
        assert_eq!(RoleMapping::parse("cn=admins=admin").unwrap().roles_for(["cn=admins"]), Roles::new([Role::Admin]));
    }

    #[test]
    fn developers_sign_in_this_way_only_when_allowed() {
        assert!(may_sign_in(&Roles::new([Role::Reviewer]), false));
        assert!(!may_sign_in(&Roles::developer(), false));
        assert!(may_sign_in(&Roles::developer(), true));
    }

    #[test]
    fn sessions_without_the_organisations_sign_in_lose_staff_roles() {
        let staff = Roles::new([Role::Reviewer, Role::Admin]);
        assert_eq!(session_roles(staff.clone(), true), staff);
        assert_eq!(session_roles(staff, false), Roles::developer());
    }

    #[test]
    fn only_local_paths_are_returned_to() {
        assert_eq!(return_path(Some("/applications/1?tab=review")), "/applications/1?tab=review");
        for bad in ["https://evil.example/", "//evil.example/", "/\\evil.example", "evil", "/a\nb", ""] {
            assert_eq!(return_path(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(return_path(None), "/");
    }

    #[test]
    fn the_start_link_carries_the_way_back() {
        assert_eq!(start_href("/", false), "/auth/oidc/start?return=/");
        assert_eq!(
            start_href("/admin/users?q=a&page=2", true),
            "/auth/oidc/start?return=/admin/users%3Fq%3Da%26page%3D2&step_up=1"
        );
        assert_eq!(start_href("https://evil.example", false), "/auth/oidc/start?return=/");
    }

    #[test]
    fn every_problem_has_a_code_that_reads_back() {
        for problem in SsoProblem::ALL {
            assert_eq!(SsoProblem::from_code(problem.code()), Some(problem));
            assert!(!problem.title().is_empty() && !problem.message().is_empty());
        }
        assert_eq!(SsoProblem::from_code("nope"), None);
    }
}
