//! The OAuth 2.0 endpoints' logic: the client credentials grant (RFC 6749 §4.4) and token
//! introspection for the platform's gateway (RFC 7662). Every check reads the database, so a
//! revocation or suspension takes effect on the very next request, on every instance.

use super::{ACCESS_TOKEN_PREFIX, scopes_of, secret_matches};
use crate::Services;
use crate::entity::{access_token, application, credential, credential_secret, gateway_key};
use crate::error::ServiceError;
use crate::tokens::{random_token, sha256_hex};
use chrono::{DateTime, Duration, Utc};
use portcullis_domain::application::scope::ScopeList;
use portcullis_domain::application::status::ApplicationStatus;
use portcullis_domain::credential::{CredentialState, Introspection, TokenResponse, effective_scopes, token_scopes};
use portcullis_domain::rate_limit::{FailureLimiter, LimitPolicy, RetryAfter};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, QueryFilter,
    prelude::DateTimeUtc,
};
use std::sync::Mutex;
use std::time::Instant;

/// RFC 6749 §5.2 errors (and the rate limit), with a description safe to show the client.
#[derive(Debug, thiserror::Error)]
pub enum OAuthError {
    #[error("{0}")]
    InvalidRequest(String),
    #[error("{0}")]
    InvalidClient(String),
    #[error("{0}")]
    InvalidScope(String),
    #[error("Only the client_credentials grant is supported.")]
    UnsupportedGrantType,
    #[error("Too many failed attempts for this client. Try again in {retry_after_secs} seconds.")]
    RateLimited { retry_after_secs: u64 },
    #[error(transparent)]
    Service(#[from] ServiceError),
}

impl From<sea_orm::DbErr> for OAuthError {
    fn from(error: sea_orm::DbErr) -> Self {
        OAuthError::Service(error.into())
    }
}

impl OAuthError {
    /// The RFC's `error` code.
    pub fn code(&self) -> &'static str {
        match self {
            OAuthError::InvalidRequest(_) => "invalid_request",
            OAuthError::InvalidClient(_) => "invalid_client",
            OAuthError::InvalidScope(_) => "invalid_scope",
            OAuthError::UnsupportedGrantType => "unsupported_grant_type",
            OAuthError::RateLimited { .. } => "slow_down",
            OAuthError::Service(_) => "server_error",
        }
    }
}

/// How the client authenticated; the server has already taken it from the `Authorization`
/// header or the form.
#[derive(Debug, Clone)]
pub struct ClientAuth {
    pub client_id: String,
    pub client_secret: String,
}

/// Failed client authentications, per instance. Keyed by (client id, address) for clients that
/// exist, and by address alone for client ids that do not: a flood of invented ids costs only
/// the address it comes from, and a correct secret from an address that has not failed is
/// never refused because of failures elsewhere.
#[derive(Debug)]
pub struct ClientLimiter {
    pairs: Mutex<FailureLimiter<(String, String)>>,
    unknown: Mutex<FailureLimiter<String>>,
}

impl Default for ClientLimiter {
    fn default() -> Self {
        let window = std::time::Duration::from_secs(5 * 60);
        Self {
            pairs: Mutex::new(FailureLimiter::new(LimitPolicy { max_failures: 10, window })),
            unknown: Mutex::new(FailureLimiter::new(LimitPolicy { max_failures: 20, window })),
        }
    }
}

impl ClientLimiter {
    fn check(&self, client_id: &str, address: &str, now: Instant) -> Result<(), OAuthError> {
        let refused = |r: RetryAfter| OAuthError::RateLimited { retry_after_secs: r.as_secs_ceil() };
        self.unknown.lock().expect("limiter lock").check(&address.to_owned(), now).map_err(refused)?;
        let pair = (client_id.to_owned(), address.to_owned());
        self.pairs.lock().expect("limiter lock").check(&pair, now).map_err(refused)
    }

    fn record_failure(&self, client_id: &str, address: &str, known_client: bool, now: Instant) {
        if known_client {
            self.pairs.lock().expect("limiter lock").record_failure((client_id.to_owned(), address.to_owned()), now);
        } else {
            self.unknown.lock().expect("limiter lock").record_failure(address.to_owned(), now);
        }
    }

    /// Forgets failures that left their window (from a timer, never on a request's path).
    pub fn sweep(&self, now: Instant) {
        self.pairs.lock().expect("limiter lock").sweep(now);
        self.unknown.lock().expect("limiter lock").sweep(now);
    }
}

/// `last_used_at` is written at most this often, so busy clients do not turn reads into writes.
const LAST_USED_RESOLUTION: Duration = Duration::minutes(1);

fn stale(last_used: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    last_used.is_none_or(|at| now - at >= LAST_USED_RESOLUTION)
}

/// A credential with everything that decides whether it may have a token: one row per
/// stored secret, so the grant needs a single read.
#[derive(Debug, FromQueryResult)]
struct ClientRow {
    credential_id: String,
    scopes: String,
    expires_at: DateTimeUtc,
    last_used_at: Option<DateTimeUtc>,
    revoked_at: Option<DateTimeUtc>,
    status: String,
    secret_hash: String,
    valid_until: Option<DateTimeUtc>,
}

async fn client_rows(conn: &impl ConnectionTrait, client_id: &str) -> Result<Vec<ClientRow>, DbErr> {
    use application::Column as A;
    use credential::Column as C;
    use credential_secret::Column as S;
    let query = Query::select()
        .expr_as(Expr::col((credential::Entity, C::Id)), Alias::new("credential_id"))
        .column((credential::Entity, C::Scopes))
        .column((credential::Entity, C::ExpiresAt))
        .column((credential::Entity, C::LastUsedAt))
        .column((credential::Entity, C::RevokedAt))
        .column((application::Entity, A::Status))
        .column((credential_secret::Entity, S::SecretHash))
        .column((credential_secret::Entity, S::ValidUntil))
        .from(credential::Entity)
        .inner_join(
            application::Entity,
            Expr::col((application::Entity, A::Id)).equals((credential::Entity, C::ApplicationId)),
        )
        .inner_join(
            credential_secret::Entity,
            Expr::col((credential_secret::Entity, S::CredentialId)).equals((credential::Entity, C::Id)),
        )
        .and_where(Expr::col((credential::Entity, C::ClientId)).eq(client_id))
        .to_owned();
    ClientRow::find_by_statement(conn.get_database_backend().build(&query)).all(conn).await
}

/// The client credentials grant.
/// `address`: the client's address (none only for callers that have none, such as tests of
/// the service alone; they share one key).
pub async fn token(
    services: &Services,
    auth: ClientAuth,
    address: Option<&str>,
    grant_type: &str,
    scope: Option<&str>,
) -> Result<TokenResponse, OAuthError> {
    if grant_type != "client_credentials" {
        return Err(OAuthError::UnsupportedGrantType);
    }
    let limiter = services.client_limits();
    let address = address.unwrap_or_default();
    limiter.check(&auth.client_id, address, services.clock().instant())?;
    let db = services.db();
    let now = services.clock().now();
    let rows = client_rows(db, &auth.client_id).await?;
    let refused = || {
        limiter.record_failure(&auth.client_id, address, !rows.is_empty(), services.clock().instant());
        OAuthError::InvalidClient("Client authentication failed.".into())
    };
    let secrets = rows.iter().map(|r| (r.secret_hash.as_str(), r.valid_until));
    let Some(row) = rows.first().filter(|_| secret_matches(secrets, &auth.client_secret, now)) else {
        return Err(refused());
    };
    let status =
        crate::stored::parse::<ApplicationStatus>("applications.status", &row.status).map_err(OAuthError::Service)?;
    // A matching secret exists only once it was collected.
    let state = CredentialState::of(row.revoked_at.is_some(), row.expires_at, None, status, now);
    if state != CredentialState::Active {
        return Err(OAuthError::InvalidClient(format!(
            "These client credentials are {}.",
            state.label().to_lowercase()
        )));
    }
    let scopes = token_scopes(scope, &scopes_of(&row.scopes)).map_err(|e| OAuthError::InvalidScope(e.to_string()))?;
    let lifetime = services.config().credentials.token_lifetime;
    let access_token = format!("{ACCESS_TOKEN_PREFIX}{}", random_token());
    access_token::Entity::insert(access_token::ActiveModel {
        token_hash: Set(sha256_hex(&access_token)),
        credential_id: Set(row.credential_id.clone()),
        scopes: Set(ScopeList::store(&scopes)),
        issued_at: Set(now),
        expires_at: Set(now + lifetime),
    })
    .exec_without_returning(db)
    .await?;
    if stale(row.last_used_at, now) {
        credential::Entity::update_many()
            .col_expr(credential::Column::LastUsedAt, Expr::value(Some(now)))
            .filter(credential::Column::Id.eq(&row.credential_id))
            .exec(db)
            .await?;
    }
    Ok(TokenResponse {
        access_token,
        token_type: "Bearer".into(),
        expires_in: lifetime.num_seconds(),
        scope: ScopeList::store(&scopes),
    })
}

/// RFC 7662 introspection for a gateway with a valid key. Unknown, expired, revoked and
/// suspended tokens are all simply inactive: the gateway needs no more.
pub async fn introspect(
    services: &Services,
    gateway_key: Option<&str>,
    token: &str,
) -> Result<Introspection, OAuthError> {
    let refused = || OAuthError::InvalidClient("A valid gateway key is required.".into());
    let key = gateway_key.ok_or_else(refused)?;
    let found = services.token_lookups().find(sha256_hex(key), sha256_hex(token)).await?;
    let key = found.key.ok_or_else(refused)?;
    let now = services.clock().now();
    if stale(key.last_used_at, now) {
        gateway_key::Entity::update_many()
            .col_expr(gateway_key::Column::LastUsedAt, Expr::value(Some(now)))
            .filter(gateway_key::Column::Id.eq(&key.id))
            .exec(services.db())
            .await?;
    }
    let Some(token) = found.token else {
        return Ok(Introspection::default());
    };
    let status =
        crate::stored::parse::<ApplicationStatus>("applications.status", &token.status).map_err(OAuthError::Service)?;
    let state = CredentialState::of(token.revoked_at.is_some(), token.credential_expires_at, None, status, now);
    if state != CredentialState::Active || now >= token.expires_at {
        return Ok(Introspection::default());
    }
    Ok(Introspection {
        active: true,
        scope: Some(ScopeList::store(&effective_scopes(
            &scopes_of(&token.scopes),
            &scopes_of(&token.credential_scopes),
        ))),
        client_id: Some(token.client_id),
        token_type: Some("Bearer".into()),
        exp: Some(token.expires_at.timestamp()),
        iat: Some(token.issued_at.timestamp()),
        environment: Some(token.environment),
    })
}

/// Drops tokens that expired a while ago; introspection already treats them as inactive.
pub async fn purge_expired_tokens(services: &Services) -> Result<u64, sea_orm::DbErr> {
    let cutoff = services.clock().now() - Duration::hours(1);
    let result = access_token::Entity::delete_many()
        .filter(access_token::Column::ExpiresAt.lt(cutoff))
        .exec(services.db())
        .await?;
    Ok(result.rows_affected)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_use_is_written_at_most_once_a_minute() {
        let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        assert!(stale(None, now));
        assert!(!stale(Some(now - Duration::seconds(59)), now));
        assert!(stale(Some(now - Duration::seconds(60)), now));
    }

    #[test]
    fn errors_carry_their_rfc_codes() {
        assert_eq!(OAuthError::InvalidClient(String::new()).code(), "invalid_client");
        assert_eq!(OAuthError::InvalidScope(String::new()).code(), "invalid_scope");
        assert_eq!(OAuthError::UnsupportedGrantType.code(), "unsupported_grant_type");
        assert_eq!(OAuthError::InvalidRequest(String::new()).code(), "invalid_request");
    }
}
