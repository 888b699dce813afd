//! Passkeys (WebAuthn): their names, how many an account may hold, how long a started
//! ceremony waits for the browser, which relying party a public URL stands for, and when the
//! last factor of an account may not go.

use crate::role::Roles;
use crate::second_factor::MfaPolicy;
use serde::{Deserialize, Serialize};
use url::{Host, Url};
use validator::{Validate, ValidationError};

/// Passkeys one account may hold: enough for every device a person has, and a bound on what a
/// session can store.
pub const MAX_PASSKEYS_PER_ACCOUNT: usize = 10;
pub const MAX_PASSKEY_NAME_CHARS: usize = 64;
/// Seconds a started registration or sign-in waits for the browser's answer; it works once.
pub const CEREMONY_TTL_SECS: i64 = 5 * 60;
/// A credential id is at most 1023 bytes (WebAuthn §5.8.3 of level 3).
pub const MAX_CREDENTIAL_ID_BYTES: usize = 1023;

/// A passkey's name, for telling one device from another.
pub fn validate_passkey_name(name: &str) -> Result<(), ValidationError> {
    let err = |code: &'static str, message: String| Err(ValidationError::new(code).with_message(message.into()));
    if name.trim().is_empty() {
        return err("required", "Name the passkey, e.g. the device that holds it.".into());
    }
    if name.chars().count() > MAX_PASSKEY_NAME_CHARS {
        return err("too_long", format!("Use at most {MAX_PASSKEY_NAME_CHARS} characters."));
    }
    if name.chars().any(char::is_control) {
        return err("control_chars", "Remove control characters.".into());
    }
    Ok(())
}

/// `PATCH /me/passkeys/{id}`: a new name.
#[derive(Debug, Clone, Default, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PasskeyNameInput {
    #[validate(custom(function = validate_passkey_name))]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 64, example = "Work laptop"))]
    pub name: String,
}

/// A passkey of the signed-in account, as listed. The key itself never leaves the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PasskeyView {
    pub id: String,
    pub name: String,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339; `null` until it is first used to sign in or confirm.
    pub last_used_at: Option<String>,
}

/// What a passkey assertion is asked for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PasskeyPurpose {
    /// Signing in: with the passkey alone, or as the second step after the password.
    #[default]
    SignIn,
    /// Confirming it is you again before a dangerous action.
    StepUp,
}

/// `POST /auth/passkey/options`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PasskeyOptionsInput {
    #[serde(default)]
    pub purpose: PasskeyPurpose,
}

/// Whether an account may lose one of its second factors and keep `others_left`: not when the
/// policy obliges it to have one and none would be left (an admin's reset is the way out of a
/// lost device, not a stolen session removing the last factor).
pub fn may_remove_factor(policy: MfaPolicy, roles: &Roles, others_left: bool) -> bool {
    others_left || !policy.requires_factor(roles)
}

/// The WebAuthn relying party of a portal: its id and the origin browsers report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelyingParty {
    pub id: String,
    pub origin: Url,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("passkeys need PORTCULLIS_PUBLIC_URL to name the portal by a host name (browsers refuse them on {0})")]
pub struct NoRelyingParty(pub String);

impl RelyingParty {
    /// The relying party for the portal at `public_url`. Browsers refuse WebAuthn on IP
    /// addresses, so a loopback address (the default `http://127.0.0.1:3000`) stands for
    /// `localhost` on the same port: open the portal as `http://localhost:PORT` to use passkeys.
    /// Plain http is allowed only there, as browsers do.
    pub fn for_public_url(public_url: &Url) -> Result<Self, NoRelyingParty> {
        let refused = || NoRelyingParty(public_url.origin().ascii_serialization());
        let loopback = |host: &Host<&str>| match host {
            Host::Ipv4(ip) => ip.is_loopback(),
            Host::Ipv6(ip) => ip.is_loopback(),
            Host::Domain(domain) => *domain == "localhost",
        };
        let host = public_url.host().ok_or_else(refused)?;
        let is_loopback = loopback(&host);
        if public_url.scheme() != "https" && !is_loopback {
            return Err(refused());
        }
        let id = match host {
            Host::Domain(domain) => domain.to_owned(),
            Host::Ipv4(_) | Host::Ipv6(_) if is_loopback => "localhost".to_owned(),
            Host::Ipv4(_) | Host::Ipv6(_) => return Err(refused()),
        };
        let mut origin = Url::parse(&format!("{}://{id}", public_url.scheme())).map_err(|_| refused())?;
        origin.set_port(public_url.port()).map_err(|()| refused())?;
        Ok(Self { id, origin })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::role::Role;

    fn rp(url: &str) -> Result<RelyingParty, NoRelyingParty> {
        RelyingParty::for_public_url(&Url::parse(url).unwrap())
    }

    #[test]
    fn the_relying_party_is_the_public_host() {
        let party = rp("https://portal.example.com/").unwrap();
        assert_eq!(party.id, "portal.example.com");
        assert_eq!(party.origin.as_str(), "https://portal.example.com/");
        let party = rp("https://portal.example.com:8443/base/").unwrap();
        assert_eq!(party.origin.as_str(), "https://portal.example.com:8443/");
    }

    #[test]
    fn a_loopback_address_stands_for_localhost_on_the_same_port() {
        for url in ["http://127.0.0.1:3000/", "http://[::1]:3000/", "http://localhost:3000/"] {
            let party = rp(url).unwrap();
            assert_eq!(party.id, "localhost", "{url}");
            assert_eq!(party.origin.as_str(), "http://localhost:3000/", "{url}");
        }
    }

    #[test]
    fn plain_http_elsewhere_and_other_addresses_have_no_passkeys() {
        assert!(rp("http://portal.example.com/").is_err());
        assert!(rp("https://192.0.2.10/").is_err());
        assert!(rp("http://10.0.0.1:3000/").is_err());
    }

    #[test]
    fn names_are_required_bounded_and_printable() {
        assert!(validate_passkey_name("Work laptop").is_ok());
        assert!(validate_passkey_name("  ").is_err());
        assert!(validate_passkey_name(&"x".repeat(MAX_PASSKEY_NAME_CHARS)).is_ok());
        assert!(validate_passkey_name(&"x".repeat(MAX_PASSKEY_NAME_CHARS + 1)).is_err());
        assert!(validate_passkey_name("a\u{7}b").is_err());
    }

    #[test]
    fn the_last_factor_stays_when_the_policy_asks_for_one() {
        let admin = Roles::new([Role::Admin]);
        assert!(!may_remove_factor(MfaPolicy::Staff, &admin, false));
        assert!(may_remove_factor(MfaPolicy::Staff, &admin, true));
        assert!(may_remove_factor(MfaPolicy::Staff, &Roles::developer(), false));
        assert!(!may_remove_factor(MfaPolicy::All, &Roles::developer(), false));
        assert!(may_remove_factor(MfaPolicy::Off, &admin, false));
    }
}
