//! Single sign-on for staff with the organisation's OpenID Connect provider: the
//! authorization code flow with PKCE, `state` and `nonce`; accounts created on first sign-in
//! and linked by the provider's verified subject (never by email); roles taken from a claim at
//! every sign-in; and re-authentication at the provider as a step-up.
//!
//! What a sign-in in progress needs (PKCE verifier, state, nonce, where to go back to) is kept
//! in the session, whose store is the database, so the callback may reach any instance.

use crate::Services;
use crate::audit::{self, AuditEvent};
use crate::context::{Actor, Ctx};
use crate::db::begin_write;
use crate::entity::{break_glass_account, sso_identity, user};
use crate::error::{ServiceError, ServiceResult};
use crate::session_auth;
use crate::tokens::new_id;
use chrono::{DateTime, Utc};
use openidconnect::core::{
    CoreAuthPrompt, CoreAuthenticationFlow, CoreClient, CoreErrorResponseType, CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm,
};
use openidconnect::{
    AdditionalClaims, AuthorizationCode, ClaimsVerificationError, ClientId, ClientSecret, CsrfToken, IdToken,
    IssuerUrl, Nonce, OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier, ProviderMetadataWithLogout,
    RedirectUrl, RequestTokenError, Scope, TokenResponse,
};
use portcullis_domain::account::normalize_email;
use portcullis_domain::role::Roles;
use portcullis_domain::sso::{
    CALLBACK_PATH, PENDING_TTL_SECS, RoleMapping, STEP_UP_AUTH_MAX_AGE_SECS, SsoProblem, may_sign_in, return_path,
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, SqlErr,
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tower_sessions::Session;
use url::Url;

/// The session key of a sign-in in progress.
const PENDING_KEY: &str = "sso_pending";
/// How long the provider's discovery document and keys are reused before they are fetched again.
const METADATA_TTL: Duration = Duration::from_secs(300);
/// How long the portal waits for the provider.
const PROVIDER_TIMEOUT: Duration = Duration::from_secs(10);

/// The operator's settings (`PORTCULLIS_OIDC_*`).
#[derive(Clone)]
pub struct SsoSettings {
    /// The provider's issuer identifier, exactly as its discovery document states it.
    pub issuer: String,
    pub client_id: String,
    pub client_secret: String,
    /// The claim whose values map to roles (`groups` by default).
    pub role_claim: String,
    pub roles: RoleMapping,
    /// Developers may sign in this way too (`PORTCULLIS_OIDC_DEVELOPERS`).
    pub developers: bool,
}

/// The client secret stays out of whatever prints the settings.
impl std::fmt::Debug for SsoSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SsoSettings")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("role_claim", &self.role_claim)
            .field("roles", &self.roles)
            .field("developers", &self.developers)
            .finish_non_exhaustive()
    }
}

/// The provider as the portal talks to it: its settings, an HTTP client that follows no
/// redirects (a provider's answer naming another host must not make the portal fetch it), and
/// the discovery document of the last few minutes.
pub struct Provider {
    settings: SsoSettings,
    redirect_url: RedirectUrl,
    http: openidconnect::reqwest::Client,
    metadata: Mutex<Option<(Instant, Arc<ProviderMetadataWithLogout>)>>,
}

impl std::fmt::Debug for Provider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Provider").field("settings", &self.settings).finish_non_exhaustive()
    }
}

impl Provider {
    pub fn new(settings: SsoSettings, public_url: &Url) -> Self {
        let callback = public_url.join(CALLBACK_PATH.trim_start_matches('/')).expect("static path joins");
        let http = openidconnect::reqwest::Client::builder()
            .redirect(openidconnect::reqwest::redirect::Policy::none())
            .timeout(PROVIDER_TIMEOUT)
            .build()
            .expect("an HTTP client without special settings builds");
        Self { settings, redirect_url: RedirectUrl::from_url(callback), http, metadata: Mutex::new(None) }
    }

    pub fn settings(&self) -> &SsoSettings {
        &self.settings
    }

    /// The discovery document (with the signing keys), fetched again after [`METADATA_TTL`].
    async fn metadata(&self) -> Result<Arc<ProviderMetadataWithLogout>, SsoProblem> {
        if let Some((at, metadata)) = self.metadata.lock().expect("metadata lock").as_ref()
            && at.elapsed() < METADATA_TTL
        {
            return Ok(metadata.clone());
        }
        let issuer = IssuerUrl::new(self.settings.issuer.clone()).map_err(|_| SsoProblem::NotConfigured)?;
        let metadata = ProviderMetadataWithLogout::discover_async(issuer, &self.http).await.map_err(|error| {
            tracing::warn!(error = %error_chain(&error), "cannot fetch the identity provider's discovery document");
            SsoProblem::ProviderUnreachable
        })?;
        let metadata = Arc::new(metadata);
        *self.metadata.lock().expect("metadata lock") = Some((Instant::now(), metadata.clone()));
        Ok(metadata)
    }

    /// Forgets the discovery document, so the next sign-in fetches it (and the keys) again.
    fn forget_metadata(&self) {
        *self.metadata.lock().expect("metadata lock") = None;
    }

    async fn client(&self) -> Result<(Arc<ProviderMetadataWithLogout>, ProviderClient), SsoProblem> {
        let metadata = self.metadata().await?;
        let client = CoreClient::from_provider_metadata(
            (*metadata).clone(),
            ClientId::new(self.settings.client_id.clone()),
            Some(ClientSecret::new(self.settings.client_secret.clone())),
        )
        .set_redirect_uri(self.redirect_url.clone());
        Ok((metadata, client))
    }

    /// The provider's end-session endpoint, when it offers RP-initiated logout, with this
    /// portal as the client and the sign-in page to come back to.
    pub async fn logout_url(&self, public_url: &Url) -> Option<Url> {
        let metadata = self.metadata().await.ok()?;
        let endpoint = metadata.additional_metadata().end_session_endpoint.clone()?;
        let back = public_url.join("login").ok()?;
        Some(
            openidconnect::LogoutRequest::from(endpoint)
                .set_client_id(ClientId::new(self.settings.client_id.clone()))
                .set_post_logout_redirect_uri(openidconnect::PostLogoutRedirectUrl::from_url(back))
                .http_get_url(),
        )
    }
}

fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// A client made from the discovery document: its token and userinfo endpoints may be absent.
type ProviderClient = CoreClient<
    openidconnect::EndpointSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointMaybeSet,
    openidconnect::EndpointMaybeSet,
>;

/// Every claim of the ID token beyond the standard ones, so the role claim can be any of them.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct OtherClaims {
    #[serde(flatten)]
    claims: HashMap<String, Value>,
}

impl AdditionalClaims for OtherClaims {}

type ClaimsIdToken = IdToken<OtherClaims, CoreGenderClaim, CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm>;

/// The values of the role claim: a list of strings, or one string.
fn claim_values(claims: &OtherClaims, name: &str) -> Vec<String> {
    match claims.claims.get(name) {
        Some(Value::Array(values)) => values.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect(),
        Some(Value::String(value)) => vec![value.clone()],
        _ => Vec::new(),
    }
}

/// A sign-in in progress, kept in the session until the provider sends the browser back.
#[derive(Serialize, Deserialize)]
struct Pending {
    state: String,
    nonce: String,
    pkce_verifier: String,
    return_to: String,
    started_at: i64,
    /// A re-authentication of the signed-in person (step-up), not a sign-in.
    step_up: bool,
}

/// What `GET /auth/oidc/start` asks for.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct StartRequest {
    /// Where to go afterwards: a path on this site.
    #[serde(rename = "return")]
    pub return_to: Option<String>,
    /// Re-authenticate the signed-in person instead of signing in (`step_up=1`).
    pub step_up: Option<String>,
}

/// What the provider sends back to `GET /auth/oidc/callback`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct CallbackParams {
    pub code: Option<String>,
    pub state: Option<String>,
    pub error: Option<String>,
}

fn provider(services: &Services) -> Result<&Provider, SsoProblem> {
    services.sso().ok_or(SsoProblem::NotConfigured)
}

fn session_problem(error: tower_sessions::session::Error) -> ServiceError {
    ServiceError::Internal(format!("session: {error}"))
}

/// Starts a sign-in (or, with `step_up`, a re-authentication of the signed-in person) at the
/// provider: remembers the secrets of this attempt in the session and answers with the
/// provider's authorization URL to send the browser to.
pub async fn start(
    services: &Services,
    session: &Session,
    ctx: &Ctx,
    request: StartRequest,
) -> ServiceResult<Result<Url, SsoProblem>> {
    let provider = match provider(services) {
        Ok(provider) => provider,
        Err(problem) => return Ok(Err(problem)),
    };
    services.limit(crate::action_limits::Action::SsoStart, ctx)?;
    let step_up = request.step_up.as_deref().is_some_and(|v| matches!(v, "1" | "true"));
    if step_up {
        ctx.signed_in()?;
    }
    let (_, client) = match provider.client().await {
        Ok(client) => client,
        Err(problem) => return Ok(Err(problem)),
    };
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let mut authorize = client
        .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
        .add_scope(Scope::new("email".into()))
        .add_scope(Scope::new("profile".into()))
        .set_pkce_challenge(challenge);
    authorize = if step_up {
        // The provider must ask again now, and say when it did (`auth_time`).
        authorize.set_max_age(Duration::ZERO).add_prompt(CoreAuthPrompt::Login)
    } else {
        // With `max_age` the provider must say when the person last authenticated (`auth_time`),
        // which is when their second factor was last verified; no older than a session lives.
        authorize.set_max_age(Duration::from_secs(session_auth::ABSOLUTE_TIMEOUT_SECS as u64))
    };
    let (url, state, nonce) = authorize.url();
    let pending = Pending {
        state: state.secret().clone(),
        nonce: nonce.secret().clone(),
        pkce_verifier: verifier.secret().clone(),
        return_to: return_path(request.return_to.as_deref()),
        started_at: services.clock().now().timestamp(),
        step_up,
    };
    session.insert(PENDING_KEY, pending).await.map_err(session_problem)?;
    Ok(Ok(url))
}

/// Who the provider says signed in, after every check of the ID token.
#[derive(Clone)]
struct Verified {
    subject: String,
    email: Option<String>,
    email_verified: bool,
    name: Option<String>,
    roles: Roles,
    /// The claim's values that the mapping knows (for the audit: a person may be in hundreds of groups).
    claim_values: Vec<String>,
    auth_time: Option<i64>,
}

/// The provider sent the browser back: checks the answer against the sign-in this session
/// started, exchanges the code (with the PKCE verifier), validates the ID token (signature,
/// issuer, audience, expiry, nonce), then signs in (creating or updating the account) or
/// completes the step-up. Answers with the path to go to; each refusal is audited.
pub async fn finish(
    services: &Services,
    session: &Session,
    ctx: &Ctx,
    params: CallbackParams,
) -> ServiceResult<Result<String, SsoProblem>> {
    let provider = match provider(services) {
        Ok(provider) => provider,
        Err(problem) => return Ok(Err(problem)),
    };
    // Taken out at once: whatever happens next, the same answer is never accepted twice.
    let pending = session.remove::<Pending>(PENDING_KEY).await.map_err(session_problem)?;
    let Some(pending) = pending else {
        // Nothing started here: a stale tab, a replayed answer, or someone else's link.
        return Ok(Err(SsoProblem::WrongState));
    };
    let outcome = match verify(services, provider, &pending, params).await {
        Ok(verified) => {
            if pending.step_up {
                step_up(services, session, ctx, provider, &pending, verified).await?
            } else {
                let first = sign_in(services, session, ctx, provider, verified.clone()).await;
                // Another sign-in of the same person (a second tab or device) may have made the
                // account at the same moment: refused by the unique index, or seeing its email
                // address taken between two reads. The account exists now; signing in again
                // finds it linked (or, for a real password account, refuses again).
                let raced = match &first {
                    Err(ServiceError::Database(error)) => {
                        matches!(error.sql_err(), Some(SqlErr::UniqueConstraintViolation(_)))
                    }
                    Ok(Err((SsoProblem::EmailTaken, _, _))) => true,
                    _ => false,
                };
                if raced { sign_in(services, session, ctx, provider, verified).await? } else { first? }
            }
        }
        Err(problem) => Err((problem, None, None)),
    };
    match outcome {
        Ok(()) => Ok(Ok(pending.return_to)),
        Err((problem, subject, user_id)) => {
            let txn = begin_write(services.db()).await?;
            let details = json!({
                "reason": problem.code(),
                "issuer": provider.settings.issuer,
                "subject": subject,
                "step_up": pending.step_up,
            });
            let event = AuditEvent::new("user.sso_refused", "user", user_id).details(details);
            audit::record(&txn, services.clock(), ctx, event).await?;
            txn.commit().await?;
            Ok(Err(problem))
        }
    }
}

/// A refusal, with the provider's subject and the portal account when known, for the audit.
type Refused = (SsoProblem, Option<String>, Option<String>);

async fn verify(
    services: &Services,
    provider: &Provider,
    pending: &Pending,
    params: CallbackParams,
) -> Result<Verified, SsoProblem> {
    let now = services.clock().now();
    let state_matches = params.state.as_deref().is_some_and(|state| {
        use subtle::ConstantTimeEq;
        bool::from(state.as_bytes().ct_eq(pending.state.as_bytes()))
    });
    if !state_matches {
        return Err(SsoProblem::WrongState);
    }
    if now.timestamp() - pending.started_at > PENDING_TTL_SECS {
        return Err(SsoProblem::TooSlow);
    }
    if params.error.is_some() {
        return Err(SsoProblem::ProviderRefused);
    }
    let Some(code) = params.code.filter(|code| !code.is_empty()) else {
        return Err(SsoProblem::ProviderRefused);
    };
    let (_, client) = provider.client().await?;
    let exchange = client.exchange_code(AuthorizationCode::new(code)).map_err(|_| SsoProblem::ProviderUnreachable)?;
    let response = exchange
        .set_pkce_verifier(PkceCodeVerifier::new(pending.pkce_verifier.clone()))
        .request_async(&provider.http)
        .await
        .map_err(|error| match &error {
            RequestTokenError::ServerResponse(answer) if *answer.error() == CoreErrorResponseType::InvalidGrant => {
                SsoProblem::CodeRejected
            }
            RequestTokenError::Request(_) => {
                tracing::warn!(error = %error_chain(&error), "cannot reach the identity provider's token endpoint");
                SsoProblem::ProviderUnreachable
            }
            _ => {
                tracing::warn!(error = %error_chain(&error), "the identity provider refused the code");
                SsoProblem::CodeRejected
            }
        })?;
    let raw = response.id_token().ok_or(SsoProblem::InvalidIdToken)?.to_string();
    let token: ClaimsIdToken = raw.parse().map_err(|_| SsoProblem::InvalidIdToken)?;
    let verifier = client.id_token_verifier().set_time_fn(move || now);
    let nonce = Nonce::new(pending.nonce.clone());
    let claims = token.claims(&verifier, &nonce).map_err(|error| match error {
        ClaimsVerificationError::Expired(_) => SsoProblem::IdTokenExpired,
        ClaimsVerificationError::SignatureVerification(_) => {
            // The provider may have rotated its keys: fetch them again next time.
            provider.forget_metadata();
            tracing::warn!(%error, "an ID token failed its signature check");
            SsoProblem::InvalidIdToken
        }
        error => {
            tracing::warn!(%error, "an ID token failed validation");
            SsoProblem::InvalidIdToken
        }
    })?;
    let role_claim = &provider.settings.role_claim;
    let mut values = claim_values(claims.additional_claims(), role_claim);
    let mut email = claims.email().map(|email| normalize_email(email.as_str()));
    let mut email_verified = claims.email_verified() == Some(true);
    let mut name = display_name(claims.name());
    // Many providers put group memberships and the profile only in userinfo, not in the ID
    // token: ask there for what the token left out, as the same subject.
    let incomplete = !claims.additional_claims().claims.contains_key(role_claim) || email.is_none();
    if incomplete && let Some(info) = user_info(provider, &client, response.access_token(), claims.subject()).await? {
        if !claims.additional_claims().claims.contains_key(role_claim) {
            values = claim_values(info.additional_claims(), role_claim);
        }
        if email.is_none() {
            email = info.email().map(|email| normalize_email(email.as_str()));
            email_verified = info.email_verified() == Some(true);
        }
        name = name.or_else(|| display_name(info.name()));
    }
    Ok(Verified {
        subject: claims.subject().as_str().to_owned(),
        email,
        email_verified,
        name,
        roles: provider.settings.roles.roles_for(values.iter().map(String::as_str)),
        claim_values: provider.settings.roles.mapped(values),
        auth_time: claims.auth_time().map(|at| at.timestamp()),
    })
}

fn display_name(name: Option<&openidconnect::LocalizedClaim<openidconnect::EndUserName>>) -> Option<String> {
    name.and_then(|name| name.get(None)).map(|name| name.as_str().trim().to_owned()).filter(|name| !name.is_empty())
}

/// The provider's userinfo answer for `subject`, or `None` when it has no userinfo endpoint.
async fn user_info(
    provider: &Provider,
    client: &ProviderClient,
    access_token: &openidconnect::AccessToken,
    subject: &openidconnect::SubjectIdentifier,
) -> Result<Option<openidconnect::UserInfoClaims<OtherClaims, CoreGenderClaim>>, SsoProblem> {
    let Ok(request) = client.user_info(access_token.clone(), Some(subject.clone())) else {
        return Ok(None);
    };
    match request.request_async(&provider.http).await {
        Ok(info) => Ok(Some(info)),
        Err(openidconnect::UserInfoError::ClaimsVerification(error)) => {
            tracing::warn!(%error, "the identity provider's userinfo answer is about someone else");
            Err(SsoProblem::InvalidIdToken)
        }
        Err(error) => {
            tracing::warn!(error = %error_chain(&error), "cannot read the identity provider's userinfo");
            Err(SsoProblem::ProviderUnreachable)
        }
    }
}

/// Signs in as the account linked to the provider's subject, creating it on first sign-in,
/// with the roles the claim grants now.
async fn sign_in(
    services: &Services,
    session: &Session,
    ctx: &Ctx,
    provider: &Provider,
    who: Verified,
) -> ServiceResult<Result<(), Refused>> {
    let issuer = provider.settings.issuer.clone();
    let now = services.clock().now();
    let refuse = |problem: SsoProblem, user_id: Option<String>| -> ServiceResult<Result<(), Refused>> {
        Ok(Err((problem, Some(who.subject.clone()), user_id)))
    };
    let txn = begin_write(services.db()).await?;
    let linked = sso_identity::Entity::find_by_id((issuer.clone(), who.subject.clone())).one(&txn).await?;
    let user = match linked {
        Some(identity) => {
            let user =
                user::Entity::find_by_id(identity.user_id.clone()).one(&txn).await?.ok_or(ServiceError::NotFound)?;
            let before = Actor::from_user(&user)?.roles;
            // The claim decides, at every sign-in: a role taken away at the provider is gone
            // here too, even when the sign-in is then refused.
            let user =
                if before != who.roles { change_roles(services, &txn, ctx, user, &before, &who).await? } else { user };
            if user.disabled_at.is_some() {
                txn.commit().await?;
                return refuse(SsoProblem::AccountDisabled, Some(user.id));
            }
            if !may_sign_in(&who.roles, provider.settings.developers) {
                txn.commit().await?;
                return refuse(SsoProblem::NoRole, Some(user.id));
            }
            let mut identity = identity.into_active_model();
            identity.last_sign_in_at = Set(now);
            identity.update(&txn).await?;
            refresh_profile(&txn, user, &who, now).await?
        }
        None => {
            if !may_sign_in(&who.roles, provider.settings.developers) {
                txn.rollback().await?;
                return refuse(SsoProblem::NoRole, None);
            }
            let Some(email) = who.email.clone() else {
                txn.rollback().await?;
                return refuse(SsoProblem::NoEmail, None);
            };
            if let Some(existing) = user::Entity::find().filter(user::Column::Email.eq(&email)).one(&txn).await? {
                // Email is never the key: an account someone made with a password stays theirs.
                txn.rollback().await?;
                return refuse(SsoProblem::EmailTaken, Some(existing.id));
            }
            let name = who.name.clone().unwrap_or_else(|| email.split('@').next().unwrap_or("Staff").to_owned());
            let user = user::ActiveModel {
                id: Set(new_id()),
                email: Set(email),
                name: Set(name),
                password_hash: Set(None),
                roles: Set(who.roles.to_csv()),
                email_verified_at: Set(who.email_verified.then_some(now)),
                disabled_at: Set(None),
                auth_epoch: Set(0),
                password_epoch: Set(0),
                created_at: Set(now),
                updated_at: Set(now),
            }
            .insert(&txn)
            .await?;
            sso_identity::Entity::insert(sso_identity::ActiveModel {
                issuer: Set(issuer.clone()),
                subject: Set(who.subject.clone()),
                user_id: Set(user.id.clone()),
                created_at: Set(now),
                last_sign_in_at: Set(now),
            })
            .exec_without_returning(&txn)
            .await?;
            let event = AuditEvent::new("user.sso_created", "user", user.id.clone()).details(json!({
                "issuer": issuer,
                "subject": who.subject.clone(),
                "roles": who.roles.to_csv(),
            }));
            audit::record(&txn, services.clock(), &ctx.as_user(&user)?, event).await?;
            user
        }
    };
    let event = AuditEvent::new("user.login", "user", user.id.clone())
        .details(json!({ "sso": true, "second_factor": true, "claim_values": who.claim_values }));
    audit::record(&txn, services.clock(), &ctx.as_user(&user)?, event).await?;
    txn.commit().await?;
    // The provider vouches for the second factor, as of when the person last authenticated there.
    let factor_verified_at = who.auth_time.map(|at| at.min(now.timestamp()));
    session_auth::sign_in_with_sso(services, session, ctx, &user, factor_verified_at).await?;
    Ok(Ok(()))
}

/// Sets the roles the claim grants now, audited with what they were, in the sign-in's
/// transaction; the account's sessions get new ids at their next request.
async fn change_roles(
    services: &Services,
    txn: &sea_orm::DatabaseTransaction,
    ctx: &Ctx,
    user: user::Model,
    before: &Roles,
    who: &Verified,
) -> ServiceResult<user::Model> {
    let now = services.clock().now();
    let epoch = user.auth_epoch + 1;
    let mut active = user.into_active_model();
    active.roles = Set(who.roles.to_csv());
    active.auth_epoch = Set(epoch);
    active.updated_at = Set(now);
    let user = active.update(txn).await?;
    let event = AuditEvent::new("user.roles_changed", "user", user.id.clone()).details(json!({
        "from": before.to_csv(),
        "to": who.roles.to_csv(),
        "by": "sso",
        "claim_values": who.claim_values,
    }));
    audit::record(txn, services.clock(), &ctx.as_user(&user)?, event).await?;
    Ok(user)
}

/// Takes the name, and the email address when no other account has it, from the provider.
async fn refresh_profile(
    txn: &sea_orm::DatabaseTransaction,
    user: user::Model,
    who: &Verified,
    now: DateTime<Utc>,
) -> ServiceResult<user::Model> {
    let name = who.name.clone().filter(|name| *name != user.name);
    let email = match who.email.clone().filter(|email| *email != user.email) {
        Some(email) if user::Entity::find().filter(user::Column::Email.eq(&email)).one(txn).await?.is_none() => {
            Some(email)
        }
        _ => None,
    };
    if name.is_none() && email.is_none() {
        return Ok(user);
    }
    let mut active = user.into_active_model();
    if let Some(name) = name {
        active.name = Set(name);
    }
    if let Some(email) = email {
        active.email = Set(email);
        active.email_verified_at = Set(who.email_verified.then_some(now));
    }
    active.updated_at = Set(now);
    Ok(active.update(txn).await?)
}

/// The signed-in person authenticated again at the provider: the same account, recently
/// enough, makes the session's second factor fresh.
async fn step_up(
    services: &Services,
    session: &Session,
    ctx: &Ctx,
    provider: &Provider,
    pending: &Pending,
    who: Verified,
) -> ServiceResult<Result<(), Refused>> {
    let now = services.clock().now().timestamp();
    let Some(actor) = ctx.actor.as_ref() else {
        return Ok(Err((SsoProblem::StepUpFailed, Some(who.subject), None)));
    };
    let identity = sso_identity::Entity::find_by_id((provider.settings.issuer.clone(), who.subject.clone()))
        .one(services.db())
        .await?;
    let same_account = identity.is_some_and(|identity| identity.user_id == actor.user_id);
    // Asked with `max_age=0`: the provider must have authenticated the person just now.
    let fresh = who.auth_time.is_some_and(|at| now - at <= STEP_UP_AUTH_MAX_AGE_SECS && at + 60 >= pending.started_at);
    if !same_account || !fresh {
        return Ok(Err((SsoProblem::StepUpFailed, Some(who.subject), Some(actor.user_id.clone()))));
    }
    let txn = begin_write(services.db()).await?;
    let event = AuditEvent::new("user.step_up", "user", actor.user_id.clone()).details(json!({ "sso": true }));
    audit::record(&txn, services.clock(), ctx, event).await?;
    txn.commit().await?;
    session_auth::factor_step_up(services, session).await?;
    Ok(Ok(()))
}

/// Whether the account signs in with the organisation's provider.
pub(crate) async fn is_sso_account(conn: &impl ConnectionTrait, user_id: &str) -> ServiceResult<bool> {
    Ok(sso_identity::Entity::find().filter(sso_identity::Column::UserId.eq(user_id)).one(conn).await?.is_some())
}

/// Whether `create-admin` made or promoted the account: it keeps its staff roles with a
/// password while single sign-on is on (the break-glass path).
pub(crate) async fn is_break_glass(conn: &impl ConnectionTrait, user_id: &str) -> ServiceResult<bool> {
    Ok(break_glass_account::Entity::find_by_id(user_id.to_owned()).one(conn).await?.is_some())
}

/// Marks the account as a break-glass admin (from `create-admin`).
pub(crate) async fn mark_break_glass(
    conn: &impl ConnectionTrait,
    user_id: &str,
    now: DateTime<Utc>,
) -> ServiceResult<()> {
    if !is_break_glass(conn, user_id).await? {
        break_glass_account::Entity::insert(break_glass_account::ActiveModel {
            user_id: Set(user_id.to_owned()),
            granted_at: Set(now),
        })
        .exec_without_returning(conn)
        .await?;
    }
    Ok(())
}

/// Whether single sign-on is configured: the sign-in page offers it then.
pub fn enabled(services: &Services) -> bool {
    services.sso().is_some()
}
