//! Configuration from the environment (and `.env`), with defaults that need nothing set.

use crate::http::client_address::parse_trusted;
use crate::http::timeouts::Timeouts;
use portcullis_domain::application::appeal::{DEFAULT_APPEAL_DAYS, MAX_APPEAL_DAYS};
use portcullis_domain::application::mockup::DEFAULT_ORG_UPLOAD_QUOTA_MB;
use portcullis_domain::rate_limit::LimitPolicy;
use portcullis_domain::review::due::DEFAULT_TARGET_BUSINESS_DAYS;
use portcullis_domain::second_factor::{MfaPolicy, UnknownPolicy};
use portcullis_service::action_limits::ActionLimits;
use portcullis_service::applications::mockups::UploadPolicy;
use portcullis_service::credentials::CredentialPolicy;
use portcullis_service::login_limits::LoginLimits;
use portcullis_service::sso::SsoSettings;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;
use url::Url;

#[derive(Debug, thiserror::Error)]
#[error("invalid configuration: {variable}: {message}")]
pub struct ConfigError {
    pub variable: &'static str,
    pub message: String,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub database_url: String,
    pub addr: SocketAddr,
    pub data_dir: PathBuf,
    pub public_url: Url,
    /// `None`: mail is written as `.eml` files under `data_dir/mail`.
    pub smtp_url: Option<String>,
    pub mail_from: lettre::message::Mailbox,
    pub site_root: PathBuf,
    pub login_limits: LoginLimits,
    pub mail_retry_base: Duration,
    pub mail_poll_every: Duration,
    /// Business days reviewers have to decide a submitted application.
    pub review_target_days: u32,
    /// Days after a rejection within which the organisation may appeal it.
    pub appeal_days: u32,
    pub credentials: CredentialPolicy,
    pub uploads: UploadPolicy,
    /// Password hashes that may wait in each lane before requests get 503.
    pub hash_queue: usize,
    /// Peers whose `Forwarded` / `X-Forwarded-For` name the client's address.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    pub action_limits: ActionLimits,
    pub timeouts: Timeouts,
    /// `PORTCULLIS_REQUIRE_MFA`, when set; see [`Config::mfa_policy`].
    pub require_mfa: Option<MfaPolicy>,
    /// Single sign-on for staff (`PORTCULLIS_OIDC_*`), when an issuer is set.
    pub sso: Option<SsoSettings>,
    /// The key that seals stored TOTP keys (created when missing); shared by every instance.
    pub secrets_key_file: PathBuf,
    /// The key that signs audit checkpoints: `PORTCULLIS_AUDIT_SIGNING_KEY`, which must exist,
    /// else `data_dir/audit-signing.key`, created when missing.
    pub audit_key_file: AuditKeyFile,
}

/// Where the audit signing key is, and whether the portal may create it there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuditKeyFile {
    /// Named by `PORTCULLIS_AUDIT_SIGNING_KEY`: a missing file is an error, not a new key.
    Named(PathBuf),
    /// The default under the data directory, created when missing (as the secrets key is).
    Default(PathBuf),
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok().filter(|v| !v.trim().is_empty()))
    }

    /// Reads settings through `get`, so tests can configure without touching the process env.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let addr: SocketAddr = parse(&get, "PORTCULLIS_ADDR", "127.0.0.1:3000")?;
        let data_dir = PathBuf::from(get("PORTCULLIS_DATA_DIR").unwrap_or_else(|| "./data".into()));
        let database_url = match get("DATABASE_URL") {
            Some(url)
                if url.starts_with("sqlite:") || url.starts_with("postgres://") || url.starts_with("postgresql://") =>
            {
                url
            }
            Some(_) => return Err(invalid("DATABASE_URL", "must start with sqlite:, postgres:// or postgresql://")),
            None => format!("sqlite://{}?mode=rwc", data_dir.join("portcullis.db").display()),
        };
        let public_url = match get("PORTCULLIS_PUBLIC_URL") {
            Some(raw) => {
                let url = Url::parse(&raw).map_err(|e| invalid("PORTCULLIS_PUBLIC_URL", &e.to_string()))?;
                if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
                    return Err(invalid("PORTCULLIS_PUBLIC_URL", "must be an absolute http(s) URL"));
                }
                url
            }
            None => Url::parse(&format!("http://{addr}/")).expect("socket address forms a URL"),
        };
        let smtp_url = get("SMTP_URL");
        if let Some(url) = &smtp_url
            && !(url.starts_with("smtp://") || url.starts_with("smtps://"))
        {
            return Err(invalid("SMTP_URL", "must start with smtp:// or smtps://"));
        }
        let mail_from = get("PORTCULLIS_MAIL_FROM")
            .unwrap_or_else(|| "Portcullis <no-reply@portcullis.localhost>".into())
            .parse()
            .map_err(|e: lettre::address::AddressError| invalid("PORTCULLIS_MAIL_FROM", &e.to_string()))?;
        let defaults = LoginLimits::default();
        let failures = |variable: &'static str, policy: LimitPolicy| -> Result<LimitPolicy, ConfigError> {
            Ok(LimitPolicy { max_failures: parse(&get, variable, &policy.max_failures.to_string())?, ..policy })
        };
        let login_limits = LoginLimits {
            per_account_address: failures(
                "PORTCULLIS_LOGIN_MAX_FAILURES_PER_ACCOUNT_ADDRESS",
                defaults.per_account_address,
            )?,
            per_account: failures("PORTCULLIS_LOGIN_MAX_FAILURES_PER_ACCOUNT", defaults.per_account)?,
            per_address: failures("PORTCULLIS_LOGIN_MAX_FAILURES_PER_ADDRESS", defaults.per_address)?,
        };
        let secrets_key_file =
            get("PORTCULLIS_SECRETS_KEY_FILE").map_or_else(|| data_dir.join("secrets.key"), PathBuf::from);
        let audit_key_file = match get("PORTCULLIS_AUDIT_SIGNING_KEY") {
            Some(path) => AuditKeyFile::Named(PathBuf::from(path.trim())),
            None => AuditKeyFile::Default(data_dir.join("audit-signing.key")),
        };
        Ok(Config {
            database_url,
            addr,
            site_root: PathBuf::from(get("PORTCULLIS_SITE_ROOT").unwrap_or_else(|| "target/site".into())),
            data_dir,
            public_url,
            smtp_url,
            mail_from,
            login_limits,
            mail_retry_base: Duration::from_millis(parse(&get, "PORTCULLIS_MAIL_RETRY_BASE_MS", "30000")?),
            mail_poll_every: Duration::from_millis(parse(&get, "PORTCULLIS_MAIL_POLL_MS", "5000")?),
            review_target_days: match parse(
                &get,
                "PORTCULLIS_REVIEW_TARGET_DAYS",
                &DEFAULT_TARGET_BUSINESS_DAYS.to_string(),
            )? {
                0 => return Err(invalid("PORTCULLIS_REVIEW_TARGET_DAYS", "must be at least 1")),
                days => days,
            },
            appeal_days: match parse(&get, "PORTCULLIS_APPEAL_DAYS", &DEFAULT_APPEAL_DAYS.to_string())? {
                0 => return Err(invalid("PORTCULLIS_APPEAL_DAYS", "must be at least 1")),
                days if days > MAX_APPEAL_DAYS => {
                    return Err(invalid("PORTCULLIS_APPEAL_DAYS", &format!("must be at most {MAX_APPEAL_DAYS}")));
                }
                days => days,
            },
            credentials: credential_policy(&get)?,
            uploads: upload_policy(&get)?,
            hash_queue: match parse(&get, "PORTCULLIS_HASH_QUEUE", "16")? {
                0 => return Err(invalid("PORTCULLIS_HASH_QUEUE", "must be at least 1")),
                n => n,
            },
            trusted_proxies: parse_trusted(&get("PORTCULLIS_TRUSTED_PROXIES").unwrap_or_default())
                .map_err(|e| invalid("PORTCULLIS_TRUSTED_PROXIES", &e))?,
            action_limits: action_limits(&get)?,
            timeouts: timeouts(&get)?,
            secrets_key_file,
            audit_key_file,
            require_mfa: get("PORTCULLIS_REQUIRE_MFA")
                .map(|raw| raw.parse().map_err(|e: UnknownPolicy| invalid("PORTCULLIS_REQUIRE_MFA", &e.to_string())))
                .transpose()?,
            sso: sso_settings(&get)?,
        })
    }

    /// `serve --demo`: the demo accounts sign in with their passwords alone, so the second
    /// factor requirement is off unless `PORTCULLIS_REQUIRE_MFA` says otherwise.
    pub fn for_demo(self) -> Self {
        Self { require_mfa: self.require_mfa.or(Some(MfaPolicy::Off)), ..self }
    }

    /// Whose accounts need a second factor: as set, else reviewers and admins.
    pub fn mfa_policy(&self) -> MfaPolicy {
        self.require_mfa.unwrap_or_default()
    }

    pub fn is_https(&self) -> bool {
        self.public_url.scheme() == "https"
    }

    pub fn mail_dir(&self) -> PathBuf {
        self.data_dir.join("mail")
    }
}

/// `PORTCULLIS_OIDC_*`: nothing set means no single sign-on; an issuer needs a client id and
/// secret, and a mapping that grants at least one staff role.
fn sso_settings(get: &impl Fn(&str) -> Option<String>) -> Result<Option<SsoSettings>, ConfigError> {
    const ISSUER: &str = "PORTCULLIS_OIDC_ISSUER";
    let Some(issuer) = get(ISSUER).map(|raw| raw.trim().to_owned()) else {
        for other in ["PORTCULLIS_OIDC_CLIENT_ID", "PORTCULLIS_OIDC_CLIENT_SECRET", "PORTCULLIS_OIDC_ROLES"] {
            if get(other).is_some() {
                return Err(invalid(ISSUER, &format!("must be set when {other} is")));
            }
        }
        return Ok(None);
    };
    let url = Url::parse(&issuer).map_err(|e| invalid(ISSUER, &format!("`{issuer}`: {e}")))?;
    let loopback = match url.host() {
        Some(url::Host::Domain(name)) => name == "localhost",
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    if url.host().is_none() || !(url.scheme() == "https" || (url.scheme() == "http" && loopback)) {
        return Err(invalid(ISSUER, "must be an https URL (http only on this machine's loopback)"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid(ISSUER, "must have no query or fragment"));
    }
    let required = |variable: &'static str| {
        get(variable)
            .map(|v| v.trim().to_owned())
            .ok_or_else(|| invalid(variable, &format!("must be set with {ISSUER}")))
    };
    let roles = portcullis_domain::sso::RoleMapping::parse(&get("PORTCULLIS_OIDC_ROLES").unwrap_or_default())
        .map_err(|e| invalid("PORTCULLIS_OIDC_ROLES", &e.0))?;
    if roles.is_empty() {
        return Err(invalid(
            "PORTCULLIS_OIDC_ROLES",
            "must map at least one claim value to reviewer or admin, e.g. portal-reviewers=reviewer,portal-admins=admin",
        ));
    }
    let developers = match get("PORTCULLIS_OIDC_DEVELOPERS").map(|v| v.trim().to_ascii_lowercase()).as_deref() {
        None | Some("false") | Some("0") | Some("no") => false,
        Some("true") | Some("1") | Some("yes") => true,
        Some(other) => return Err(invalid("PORTCULLIS_OIDC_DEVELOPERS", &format!("`{other}`: use true or false"))),
    };
    let role_claim = get("PORTCULLIS_OIDC_ROLE_CLAIM")
        .map(|v| v.trim().to_owned())
        .unwrap_or_else(|| portcullis_domain::sso::DEFAULT_ROLE_CLAIM.to_owned());
    Ok(Some(SsoSettings {
        issuer,
        client_id: required("PORTCULLIS_OIDC_CLIENT_ID")?,
        client_secret: required("PORTCULLIS_OIDC_CLIENT_SECRET")?,
        role_claim,
        roles,
        developers,
    }))
}

/// What an organisation's mockups may take together, in MB (at least 1), and how old a stored
/// file no mockup refers to must be before it is deleted, in seconds.
fn upload_policy(get: &impl Fn(&str) -> Option<String>) -> Result<UploadPolicy, ConfigError> {
    let defaults = UploadPolicy::default();
    let variable = "PORTCULLIS_ORG_UPLOAD_QUOTA_MB";
    let megabytes: u64 = parse(get, variable, &DEFAULT_ORG_UPLOAD_QUOTA_MB.to_string())?;
    let org_quota_bytes = match megabytes.checked_mul(1 << 20) {
        Some(0) => return Err(invalid(variable, "must be at least 1")),
        Some(bytes) => bytes,
        None => return Err(invalid(variable, "is too large")),
    };
    let grace: u64 = parse(get, "PORTCULLIS_UPLOAD_ORPHAN_GRACE_SECS", &defaults.orphan_grace.as_secs().to_string())?;
    Ok(UploadPolicy { org_quota_bytes, orphan_grace: Duration::from_secs(grace), ..defaults })
}

/// Lifetimes of credentials, replaced secrets and access tokens; each must be positive.
fn credential_policy(get: &impl Fn(&str) -> Option<String>) -> Result<CredentialPolicy, ConfigError> {
    let positive = |variable: &'static str, default: i64| -> Result<i64, ConfigError> {
        match parse::<i64>(get, variable, &default.to_string())? {
            value if value > 0 => Ok(value),
            _ => Err(invalid(variable, "must be at least 1")),
        }
    };
    let defaults = CredentialPolicy::default();
    Ok(CredentialPolicy {
        production_lifetime: chrono::Duration::days(positive(
            "PORTCULLIS_CREDENTIAL_LIFETIME_DAYS",
            defaults.production_lifetime.num_days(),
        )?),
        sandbox_lifetime: chrono::Duration::days(positive(
            "PORTCULLIS_SANDBOX_CREDENTIAL_LIFETIME_DAYS",
            defaults.sandbox_lifetime.num_days(),
        )?),
        rotation_overlap: chrono::Duration::hours(positive(
            "PORTCULLIS_ROTATION_OVERLAP_HOURS",
            defaults.rotation_overlap.num_hours(),
        )?),
        token_lifetime: chrono::Duration::seconds(positive(
            "PORTCULLIS_ACCESS_TOKEN_SECONDS",
            defaults.token_lifetime.num_seconds(),
        )?),
        collection_window: chrono::Duration::days(positive(
            "PORTCULLIS_SECRET_COLLECTION_DAYS",
            defaults.collection_window.num_days(),
        )?),
    })
}

/// Attempts per client address per hour, each at least 1.
fn action_limits(get: &impl Fn(&str) -> Option<String>) -> Result<ActionLimits, ConfigError> {
    let defaults = ActionLimits::default();
    let per_hour = |variable: &'static str, default: usize| -> Result<usize, ConfigError> {
        match parse::<usize>(get, variable, &default.to_string())? {
            0 => Err(invalid(variable, "must be at least 1")),
            value => Ok(value),
        }
    };
    Ok(ActionLimits {
        register: per_hour("PORTCULLIS_LIMIT_REGISTER_PER_HOUR", defaults.register)?,
        password_reset: per_hour("PORTCULLIS_LIMIT_PASSWORD_RESET_PER_HOUR", defaults.password_reset)?,
        password_reset_confirm: per_hour(
            "PORTCULLIS_LIMIT_PASSWORD_RESET_CONFIRM_PER_HOUR",
            defaults.password_reset_confirm,
        )?,
        verify_resend: per_hour("PORTCULLIS_LIMIT_VERIFY_RESEND_PER_HOUR", defaults.verify_resend)?,
        invite: per_hour("PORTCULLIS_LIMIT_INVITATIONS_PER_HOUR", defaults.invite)?,
        message: per_hour("PORTCULLIS_LIMIT_MESSAGES_PER_HOUR", defaults.message)?,
        sso_start: per_hour("PORTCULLIS_LIMIT_SSO_PER_HOUR", defaults.sso_start)?,
        passkey_sign_in: per_hour("PORTCULLIS_LIMIT_PASSKEY_SIGN_IN_PER_HOUR", defaults.passkey_sign_in)?,
    })
}

/// How long clients may take; each at least 1.
fn timeouts(get: &impl Fn(&str) -> Option<String>) -> Result<Timeouts, ConfigError> {
    let positive = |variable: &'static str, default: u64| -> Result<u64, ConfigError> {
        match parse::<u64>(get, variable, &default.to_string())? {
            0 => Err(invalid(variable, "must be at least 1")),
            value => Ok(value),
        }
    };
    let seconds = |variable, default: Duration| positive(variable, default.as_secs()).map(Duration::from_secs);
    let defaults = Timeouts::default();
    Ok(Timeouts {
        header: seconds("PORTCULLIS_HEADER_TIMEOUT_SECS", defaults.header)?,
        body: seconds("PORTCULLIS_BODY_TIMEOUT_SECS", defaults.body)?,
        request: seconds("PORTCULLIS_REQUEST_TIMEOUT_SECS", defaults.request)?,
        upload_min_bytes_per_sec: positive(
            "PORTCULLIS_UPLOAD_MIN_KIB_PER_SEC",
            defaults.upload_min_bytes_per_sec >> 10,
        )?
        .saturating_mul(1024),
    })
}

fn invalid(variable: &'static str, message: &str) -> ConfigError {
    ConfigError { variable, message: message.to_owned() }
}

fn parse<T: std::str::FromStr>(
    get: &impl Fn(&str) -> Option<String>,
    variable: &'static str,
    default: &str,
) -> Result<T, ConfigError>
where
    T::Err: std::fmt::Display,
{
    let raw = get(variable).unwrap_or_else(|| default.to_owned());
    raw.trim().parse().map_err(|e: T::Err| invalid(variable, &format!("`{raw}`: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Config::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_need_nothing() {
        let c = config(&[]).unwrap();
        assert_eq!(c.addr.to_string(), "127.0.0.1:3000");
        assert_eq!(c.database_url, "sqlite://./data/portcullis.db?mode=rwc");
        assert_eq!(c.public_url.as_str(), "http://127.0.0.1:3000/");
        assert!(c.smtp_url.is_none());
        assert!(!c.is_https());
        assert_eq!(c.audit_key_file, AuditKeyFile::Default(PathBuf::from("./data/audit-signing.key")));
        let named = config(&[("PORTCULLIS_AUDIT_SIGNING_KEY", "/etc/portcullis/audit.key")]).unwrap();
        assert_eq!(named.audit_key_file, AuditKeyFile::Named(PathBuf::from("/etc/portcullis/audit.key")));
    }

    #[test]
    fn invalid_values_name_the_variable() {
        let e = config(&[("PORTCULLIS_ADDR", "localhost")]).unwrap_err();
        assert_eq!(e.variable, "PORTCULLIS_ADDR");
        assert!(e.to_string().starts_with("invalid configuration: PORTCULLIS_ADDR: `localhost`"));
        assert_eq!(config(&[("DATABASE_URL", "mysql://x")]).unwrap_err().variable, "DATABASE_URL");
        assert_eq!(config(&[("PORTCULLIS_PUBLIC_URL", "ftp://x")]).unwrap_err().variable, "PORTCULLIS_PUBLIC_URL");
        assert_eq!(config(&[("SMTP_URL", "localhost:25")]).unwrap_err().variable, "SMTP_URL");
        assert_eq!(config(&[("PORTCULLIS_MAIL_FROM", "not an address")]).unwrap_err().variable, "PORTCULLIS_MAIL_FROM");
    }

    #[test]
    fn second_factors_are_required_of_staff_unless_set_and_off_in_demo_unless_set() {
        assert_eq!(config(&[]).unwrap().mfa_policy(), MfaPolicy::Staff);
        assert_eq!(config(&[]).unwrap().for_demo().mfa_policy(), MfaPolicy::Off);
        let all = config(&[("PORTCULLIS_REQUIRE_MFA", "all")]).unwrap();
        assert_eq!(all.clone().mfa_policy(), MfaPolicy::All);
        assert_eq!(all.for_demo().mfa_policy(), MfaPolicy::All, "an explicit setting wins");
        let staff = config(&[("PORTCULLIS_REQUIRE_MFA", "staff")]).unwrap();
        assert_eq!(staff.for_demo().mfa_policy(), MfaPolicy::Staff);
        assert_eq!(config(&[("PORTCULLIS_REQUIRE_MFA", "yes")]).unwrap_err().variable, "PORTCULLIS_REQUIRE_MFA");
    }

    #[test]
    fn credential_lifetimes_are_configurable_and_positive() {
        let c = config(&[]).unwrap();
        assert_eq!(c.credentials.production_lifetime, chrono::Duration::days(365));
        assert_eq!(c.credentials.rotation_overlap, chrono::Duration::days(7));
        assert_eq!(c.credentials.collection_window, chrono::Duration::days(7));
        let c = config(&[("PORTCULLIS_SECRET_COLLECTION_DAYS", "2")]).unwrap();
        assert_eq!(c.credentials.collection_window, chrono::Duration::days(2));
        let c =
            config(&[("PORTCULLIS_ROTATION_OVERLAP_HOURS", "24"), ("PORTCULLIS_ACCESS_TOKEN_SECONDS", "60")]).unwrap();
        assert_eq!(c.credentials.rotation_overlap, chrono::Duration::hours(24));
        assert_eq!(c.credentials.token_lifetime, chrono::Duration::seconds(60));
        assert_eq!(
            config(&[("PORTCULLIS_CREDENTIAL_LIFETIME_DAYS", "0")]).unwrap_err().variable,
            "PORTCULLIS_CREDENTIAL_LIFETIME_DAYS"
        );
    }

    #[test]
    fn the_organisation_upload_quota_is_configurable_and_positive() {
        assert_eq!(config(&[]).unwrap().uploads.org_quota_bytes, 500 << 20);
        let c = config(&[("PORTCULLIS_ORG_UPLOAD_QUOTA_MB", "2048")]).unwrap();
        assert_eq!(c.uploads.org_quota_bytes, 2048 << 20);
        for bad in ["0", "-1", "lots", "18446744073709551615"] {
            let e = config(&[("PORTCULLIS_ORG_UPLOAD_QUOTA_MB", bad)]).unwrap_err();
            assert_eq!(e.variable, "PORTCULLIS_ORG_UPLOAD_QUOTA_MB", "{bad}");
        }
    }

    #[test]
    fn single_sign_on_needs_an_issuer_a_client_and_a_mapping() {
        assert!(config(&[]).unwrap().sso.is_none());
        let full = [
            ("PORTCULLIS_OIDC_ISSUER", "https://id.example.com/realms/staff"),
            ("PORTCULLIS_OIDC_CLIENT_ID", "portal"),
            ("PORTCULLIS_OIDC_CLIENT_SECRET", "s3cret"),
            ("PORTCULLIS_OIDC_ROLES", "portal-reviewers=reviewer,portal-admins=admin"),
        ];
        let sso = config(&full).unwrap().sso.unwrap();
        assert_eq!(sso.role_claim, "groups");
        assert!(!sso.developers);
        assert!(!format!("{sso:?}").contains("s3cret"), "the secret is never printed");
        let with = |extra: &[(&'static str, &'static str)]| {
            let mut vars: Vec<(&str, &str)> = full.to_vec();
            for (k, v) in extra {
                vars.retain(|(name, _)| name != k);
                vars.push((k, v));
            }
            config(&vars)
        };
        assert_eq!(with(&[("PORTCULLIS_OIDC_ISSUER", "not a url")]).unwrap_err().variable, "PORTCULLIS_OIDC_ISSUER");
        assert_eq!(
            with(&[("PORTCULLIS_OIDC_ISSUER", "http://id.example.com")]).unwrap_err().variable,
            "PORTCULLIS_OIDC_ISSUER"
        );
        assert!(with(&[("PORTCULLIS_OIDC_ISSUER", "http://127.0.0.1:9000")]).is_ok(), "plain http on loopback");
        assert_eq!(with(&[("PORTCULLIS_OIDC_ROLES", "admins")]).unwrap_err().variable, "PORTCULLIS_OIDC_ROLES");
        assert_eq!(with(&[("PORTCULLIS_OIDC_ROLES", "")]).unwrap_err().variable, "PORTCULLIS_OIDC_ROLES");
        assert_eq!(
            with(&[("PORTCULLIS_OIDC_DEVELOPERS", "maybe")]).unwrap_err().variable,
            "PORTCULLIS_OIDC_DEVELOPERS"
        );
        assert!(with(&[("PORTCULLIS_OIDC_DEVELOPERS", "true")]).unwrap().sso.unwrap().developers);
        assert_eq!(with(&[("PORTCULLIS_OIDC_ROLE_CLAIM", "roles")]).unwrap().sso.unwrap().role_claim, "roles");
        let no_secret: Vec<_> = full.iter().copied().filter(|(k, _)| *k != "PORTCULLIS_OIDC_CLIENT_SECRET").collect();
        assert_eq!(config(&no_secret).unwrap_err().variable, "PORTCULLIS_OIDC_CLIENT_SECRET");
        assert_eq!(config(&[("PORTCULLIS_OIDC_CLIENT_ID", "portal")]).unwrap_err().variable, "PORTCULLIS_OIDC_ISSUER");
    }

    #[test]
    fn https_public_url() {
        let c = config(&[("PORTCULLIS_PUBLIC_URL", "https://portal.example.com")]).unwrap();
        assert!(c.is_https());
    }
}
