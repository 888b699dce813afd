//! The service layer: every operation of the portal, shared by the web UI's server
//! functions and the JSON API. Callers pass a [`Ctx`]; every operation checks it.

pub mod accounts;
pub mod action_limits;
pub mod applications;
pub mod audit;
pub mod clock;
pub mod context;
pub mod credentials;
pub mod db;
pub mod demo_world;
mod devices;
#[cfg(feature = "test-support")]
pub mod entity;
#[cfg(not(feature = "test-support"))]
pub(crate) mod entity;
pub mod error;
pub mod evidence;
pub mod login_limits;
pub mod mail;
pub mod orgs;
pub mod passkeys;
pub mod password;
pub mod reports;
pub mod review;
pub mod sealed;
pub mod second_factors;
pub mod session_auth;
pub mod session_store;
pub mod sso;
pub mod storage;
mod stored;
pub mod tokens;

pub use context::{Actor, ClientDevice, ClientIp, Ctx};
pub use error::{ServiceError, ServiceResult};

use clock::SharedClock;
use sea_orm::DatabaseConnection;
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tokio::sync::Notify;
use url::Url;

/// RFC 3339 UTC, to the second: how the API shows times.
pub(crate) fn timestamp(at: chrono::DateTime<chrono::Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Settings the services need; the server builds them from its configuration.
#[derive(Debug, Clone)]
pub struct ServiceConfig {
    /// Base of every link in mail.
    pub public_url: Url,
    /// First retry delay of a failed mail delivery; doubles after each attempt.
    pub mail_retry_base: Duration,
    pub login_limits: login_limits::LoginLimits,
    pub action_limits: action_limits::ActionLimits,
    /// How many password hashes may run at once.
    pub hash_concurrency: usize,
    /// How many hashes may wait in each lane (signing in, new passwords) before "busy".
    pub hash_queue: usize,
    /// Business days reviewers have to decide a submitted application.
    pub review_target_days: u32,
    /// Days after a rejection within which the organisation may appeal it.
    pub appeal_days: u32,
    pub credentials: credentials::CredentialPolicy,
    pub uploads: applications::mockups::UploadPolicy,
    /// Whose accounts need a second factor, and so step-ups.
    pub require_mfa: portcullis_domain::second_factor::MfaPolicy,
    /// Single sign-on with the organisation's OpenID Connect provider, when configured.
    pub sso: Option<sso::SsoSettings>,
    /// Seals the secrets stored for reading back (TOTP keys).
    pub secret_key: sealed::SecretKey,
    /// Signs the audit trail's checkpoints.
    pub audit_key: audit::signing::SigningKey,
}

impl ServiceConfig {
    /// `<public_url>/<path>?token=<token>`.
    pub fn link(&self, path: &str, token: &str) -> String {
        let mut url = self.public_url.join(path).expect("static path joins");
        url.query_pairs_mut().append_pair("token", token);
        url.to_string()
    }
}

struct Inner {
    db: DatabaseConnection,
    clock: SharedClock,
    config: ServiceConfig,
    hasher: password::PasswordHasher,
    login_limits: login_limits::LoginLimiter,
    action_limits: action_limits::ActionLimiter,
    client_limits: credentials::oauth::ClientLimiter,
    /// Started by the first introspection, which runs on the runtime that will serve the rest.
    token_lookups: OnceLock<credentials::TokenLookups>,
    mail_notify: Arc<Notify>,
    storage: Arc<dyn storage::BlobStore>,
    /// Judging uploads takes memory (images) or a child process (PDFs); a few at a time.
    decode_permits: Arc<tokio::sync::Semaphore>,
    upload_slots: applications::mockups::UploadSlots,
    sso: Option<sso::Provider>,
    /// The WebAuthn relying party, or why the public URL allows none.
    webauthn: Result<webauthn_rs::Webauthn, String>,
}

/// Cheap to clone; one per process.
#[derive(Clone)]
pub struct Services {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Services {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Services").field("config", &self.inner.config).finish_non_exhaustive()
    }
}

impl Services {
    pub fn new(
        db: DatabaseConnection,
        clock: SharedClock,
        config: ServiceConfig,
        storage: Arc<dyn storage::BlobStore>,
    ) -> Self {
        let hasher = password::PasswordHasher::new(config.hash_concurrency, config.hash_queue);
        let login_limits = login_limits::LoginLimiter::new(config.login_limits);
        let action_limits = action_limits::ActionLimiter::new(config.action_limits);
        let sso = config.sso.clone().map(|settings| sso::Provider::new(settings, &config.public_url));
        let webauthn = passkeys::relying_party(&config.public_url);
        Self {
            inner: Arc::new(Inner {
                db,
                clock,
                config,
                hasher,
                login_limits,
                action_limits,
                client_limits: Default::default(),
                token_lookups: OnceLock::new(),
                mail_notify: Arc::new(Notify::new()),
                storage,
                decode_permits: Arc::new(tokio::sync::Semaphore::new(2)),
                upload_slots: Default::default(),
                sso,
                webauthn,
            }),
        }
    }

    /// The same database, storage and settings on another clock: the demo world is written as
    /// a story of the past weeks.
    pub(crate) fn with_clock(&self, clock: SharedClock) -> Self {
        Self::new(self.inner.db.clone(), clock, self.inner.config.clone(), self.inner.storage.clone())
    }

    pub fn db(&self) -> &DatabaseConnection {
        &self.inner.db
    }

    pub fn clock(&self) -> &dyn clock::Clock {
        self.inner.clock.as_ref()
    }

    pub fn config(&self) -> &ServiceConfig {
        &self.inner.config
    }

    pub fn hasher(&self) -> &password::PasswordHasher {
        &self.inner.hasher
    }

    pub fn login_limits(&self) -> &login_limits::LoginLimiter {
        &self.inner.login_limits
    }

    pub fn client_limits(&self) -> &credentials::oauth::ClientLimiter {
        &self.inner.client_limits
    }

    /// Counts the caller's attempt at `action` against its address's hourly limit.
    pub fn limit(&self, action: action_limits::Action, ctx: &Ctx) -> ServiceResult<()> {
        self.inner.action_limits.attempt(action, ctx, self.clock().instant())
    }

    /// Forgets rate-limit entries whose window has passed; run by a timer, so no request
    /// ever scans the limiters' maps.
    pub fn sweep_limits(&self) {
        let now = self.clock().instant();
        self.inner.login_limits.sweep(now);
        self.inner.action_limits.sweep(now);
        self.inner.client_limits.sweep(now);
    }

    pub(crate) fn token_lookups(&self) -> &credentials::TokenLookups {
        self.inner.token_lookups.get_or_init(|| credentials::TokenLookups::start(self.inner.db.clone()))
    }

    /// Woken after a transaction that enqueued mail commits.
    pub fn mail_notify(&self) -> Arc<Notify> {
        self.inner.mail_notify.clone()
    }

    pub fn storage(&self) -> &dyn storage::BlobStore {
        self.inner.storage.as_ref()
    }

    pub fn decode_permits(&self) -> &tokio::sync::Semaphore {
        &self.inner.decode_permits
    }

    pub(crate) fn upload_slots(&self) -> &applications::mockups::UploadSlots {
        &self.inner.upload_slots
    }

    /// The organisation's identity provider, when single sign-on is configured.
    pub fn sso(&self) -> Option<&sso::Provider> {
        self.inner.sso.as_ref()
    }

    /// The WebAuthn relying party; passkeys are refused (409) when the public URL allows none.
    pub(crate) fn webauthn(&self) -> ServiceResult<&webauthn_rs::Webauthn> {
        self.inner
            .webauthn
            .as_ref()
            .map_err(|reason| ServiceError::Conflict(format!("Passkeys are not available: {reason}.")))
    }

    pub fn wake_mail_worker(&self) {
        self.inner.mail_notify.notify_one();
    }
}
