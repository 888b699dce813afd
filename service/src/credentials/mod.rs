//! API client credentials: issued only behind the review gate, rotated with an overlap,
//! revoked at once, and checked by the OAuth endpoints. Secrets are shown once and stored
//! only as hashes.

mod awaiting;
mod gateway_keys;
mod issue;
mod lookups;
mod manage;
pub mod oauth;
mod reminders;

pub use awaiting::awaiting_production;
pub use gateway_keys::{create_gateway_key, list_gateway_keys, revoke_gateway_key};
pub use issue::issue;
pub(crate) use lookups::TokenLookups;
pub(crate) use manage::narrow_to_grant;
pub use manage::{collect, force_rotation, list, overview, revoke, rotate};
pub use reminders::remind_expiring;

use crate::Services;
use crate::entity::{credential, credential_secret, user};
use crate::error::ServiceResult;
use crate::timestamp;
use crate::tokens::{new_id, random_token, sha256_hex};
use chrono::{DateTime, Duration, Utc};
use portcullis_domain::application::scope::ScopeList;
use portcullis_domain::application::status::ApplicationStatus;
use portcullis_domain::credential::{CredentialState, CredentialView, Environment, secret_valid};
use rand::TryRngCore;
use rand::rngs::OsRng;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use subtle::ConstantTimeEq;

/// How long credentials, secrets and tokens live.
#[derive(Debug, Clone, Copy)]
pub struct CredentialPolicy {
    pub production_lifetime: Duration,
    pub sandbox_lifetime: Duration,
    /// How long a replaced secret keeps working after a rotation.
    pub rotation_overlap: Duration,
    pub token_lifetime: Duration,
    /// How long a production secret waits for an owner to collect it before it lapses.
    pub collection_window: Duration,
}

impl Default for CredentialPolicy {
    fn default() -> Self {
        Self {
            production_lifetime: Duration::days(365),
            sandbox_lifetime: Duration::days(90),
            rotation_overlap: Duration::days(7),
            token_lifetime: Duration::minutes(15),
            collection_window: Duration::days(7),
        }
    }
}

/// Prefixes that secret scanners can match; the environment is visible in the secret itself.
pub const SECRET_PREFIXES: [(Environment, &str); 2] =
    [(Environment::Production, "pcs_live_"), (Environment::Sandbox, "pcs_test_")];
pub const CLIENT_ID_PREFIX: &str = "pcc_";
pub const GATEWAY_KEY_PREFIX: &str = "pgk_";
pub const ACCESS_TOKEN_PREFIX: &str = "pat_";

/// A client secret: its prefix, then 256 bits from the OS random source.
fn new_secret(environment: Environment) -> String {
    let prefix = SECRET_PREFIXES.iter().find(|(e, _)| *e == environment).map_or("pcs_", |(_, p)| p);
    format!("{prefix}{}", random_token())
}

/// Public, random, and short enough to read out.
fn new_client_id() -> String {
    let mut bytes = [0u8; 16];
    OsRng.try_fill_bytes(&mut bytes).expect("the OS random source is available");
    format!("{CLIENT_ID_PREFIX}{}", hex::encode(bytes))
}

/// Compares two hex hashes without leaking where they differ.
fn hashes_equal(stored: &str, presented: &str) -> bool {
    stored.as_bytes().ct_eq(presented.as_bytes()).into()
}

/// Whether `secret` is one of the credential's currently valid secrets. Every stored hash is
/// compared, so the time taken does not say which one matched.
/// `secrets` are the stored hashes with the end of their validity.
fn secret_matches<'a>(
    secrets: impl IntoIterator<Item = (&'a str, Option<DateTime<Utc>>)>,
    secret: &str,
    now: DateTime<Utc>,
) -> bool {
    let presented = sha256_hex(secret);
    secrets.into_iter().fold(false, |found, (hash, valid_until)| {
        found | (hashes_equal(hash, &presented) & secret_valid(valid_until, now))
    })
}

/// Stores a new secret, as its hash only. `generation` orders a credential's secrets.
async fn insert_secret(
    conn: &impl ConnectionTrait,
    credential_id: &str,
    secret: &str,
    generation: i32,
    now: DateTime<Utc>,
) -> ServiceResult<()> {
    credential_secret::Entity::insert(credential_secret::ActiveModel {
        id: Set(new_id()),
        credential_id: Set(credential_id.to_owned()),
        secret_hash: Set(sha256_hex(secret)),
        generation: Set(generation),
        created_at: Set(now),
        valid_until: Set(None),
    })
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

/// The credentials page of an application, for links in mail.
fn credentials_link(services: &Services, application_id: &str) -> String {
    let path = format!("applications/{application_id}/credentials");
    services.config().public_url.join(&path).expect("the id joins").to_string()
}

/// Scopes are stored space-separated, as OAuth sends them.
fn scopes_of(stored: &str) -> Vec<String> {
    ScopeList::parse(stored).into_names()
}

fn environment_of(row: &credential::Model) -> ServiceResult<Environment> {
    crate::stored::known("credentials.environment", &row.environment, Environment::parse(&row.environment))
}

/// Secrets of a credential, newest (the current one) first.
async fn secrets_of(conn: &impl ConnectionTrait, credential_id: &str) -> ServiceResult<Vec<credential_secret::Model>> {
    Ok(credential_secret::Entity::find()
        .filter(credential_secret::Column::CredentialId.eq(credential_id))
        .order_by_desc(credential_secret::Column::Generation)
        .all(conn)
        .await?)
}

async fn view(
    conn: &impl ConnectionTrait,
    row: &credential::Model,
    status: ApplicationStatus,
    now: DateTime<Utc>,
) -> ServiceResult<CredentialView> {
    let previous = secrets_of(conn, &row.id)
        .await?
        .into_iter()
        .filter_map(|s| s.valid_until.filter(|until| *until > now))
        .map(timestamp)
        .collect();
    let created_by = user::Entity::find_by_id(&row.created_by).one(conn).await?.map(|u| u.name).unwrap_or_default();
    Ok(CredentialView {
        client_id: row.client_id.clone(),
        application_id: row.application_id.clone(),
        environment: environment_of(row)?,
        scopes: scopes_of(&row.scopes),
        state: state_of(row, status, now),
        created_at: timestamp(row.created_at),
        created_by,
        expires_at: timestamp(row.expires_at),
        last_used_at: row.last_used_at.map(timestamp),
        revoked_at: row.revoked_at.map(timestamp),
        revoked_reason: row.revoked_reason.clone(),
        previous_secrets_valid_until: previous,
        collect_by: row.collect_by.map(timestamp),
    })
}

fn state_of(row: &credential::Model, status: ApplicationStatus, now: DateTime<Utc>) -> CredentialState {
    let uncollected_until = row.collect_by.filter(|_| row.collected_at.is_none());
    CredentialState::of(row.revoked_at.is_some(), row.expires_at, uncollected_until, status, now)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_prefixed_and_long() {
        let live = new_secret(Environment::Production);
        let test = new_secret(Environment::Sandbox);
        assert!(live.starts_with("pcs_live_") && live.len() == 9 + 43, "{live}");
        assert!(test.starts_with("pcs_test_"));
        assert_ne!(new_secret(Environment::Production), live);
        let id = new_client_id();
        assert!(id.starts_with(CLIENT_ID_PREFIX) && id.len() == 4 + 32);
    }

    #[test]
    fn only_a_valid_stored_secret_matches() {
        let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let hashes = ["current", "previous", "old"].map(sha256_hex);
        let stored = || {
            [(None, 0), (Some(now + Duration::hours(1)), 1), (Some(now), 2)]
                .map(|(valid_until, i)| (hashes[i].as_str(), valid_until))
        };
        assert!(secret_matches(stored(), "current", now));
        assert!(secret_matches(stored(), "previous", now));
        assert!(!secret_matches(stored(), "old", now), "expired at this instant");
        assert!(!secret_matches(stored(), "wrong", now));
        assert!(!secret_matches([], "current", now));
    }
}
