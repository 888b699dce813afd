//! Token introspection under load: lookups that arrive together share one database round
//! trip. A gateway may ask thousands of times a second; one query each would spend most of
//! the time handing work to the database connections rather than doing it. Every batch is
//! read after all of its lookups arrived, so a revocation committed before a request is
//! always seen by it.

use crate::entity::{access_token, application, credential, gateway_key};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, FromQueryResult, QueryFilter,
    prelude::DateTimeUtc,
};
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::{Mutex, mpsc, oneshot};

/// Batches read at the same time; the pool keeps connections for everything else.
const WORKERS: usize = 4;
/// Lookups per batch, far below any database's limit on parameters.
const MAX_BATCH: usize = 64;
/// Lookups waiting for a batch before callers wait to hand in theirs.
const QUEUE: usize = 1024;

/// A valid (unrevoked) gateway key.
#[derive(Debug, Clone)]
pub(super) struct KeyRow {
    pub id: String,
    pub last_used_at: Option<DateTimeUtc>,
}

/// A token with everything that decides whether it is active.
#[derive(Debug, Clone, FromQueryResult)]
pub(super) struct TokenRow {
    pub token_hash: String,
    pub scopes: String,
    pub issued_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    pub client_id: String,
    pub environment: String,
    /// What the credential carries now: a narrower grant since the token was issued wins.
    pub credential_scopes: String,
    pub revoked_at: Option<DateTimeUtc>,
    pub credential_expires_at: DateTimeUtc,
    pub status: String,
}

/// What one lookup found: the token is only looked for behind a valid key.
#[derive(Debug)]
pub(super) struct Found {
    pub key: Option<KeyRow>,
    pub token: Option<TokenRow>,
}

struct Lookup {
    key_hash: String,
    token_hash: String,
    reply: oneshot::Sender<Result<Found, DbErr>>,
}

/// The queue of lookups and the tasks that answer them in batches.
#[derive(Debug)]
pub struct TokenLookups {
    queue: mpsc::Sender<Lookup>,
}

impl TokenLookups {
    /// Starts the workers on the current runtime; they stop when this is dropped.
    pub(crate) fn start(db: DatabaseConnection) -> Self {
        let (queue, receiver) = mpsc::channel(QUEUE);
        let receiver = Arc::new(Mutex::new(receiver));
        for _ in 0..WORKERS {
            tokio::spawn(work(db.clone(), receiver.clone()));
        }
        Self { queue }
    }

    pub(super) async fn find(&self, key_hash: String, token_hash: String) -> Result<Found, DbErr> {
        let stopped = || DbErr::Custom("token lookups have stopped".into());
        let (reply, answer) = oneshot::channel();
        self.queue.send(Lookup { key_hash, token_hash, reply }).await.map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

async fn work(db: DatabaseConnection, receiver: Arc<Mutex<mpsc::Receiver<Lookup>>>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    loop {
        // Only gathering holds the lock: the next batch forms while this one is read.
        if receiver.lock().await.recv_many(&mut batch, MAX_BATCH).await == 0 {
            return;
        }
        match read(&db, &batch).await {
            Ok((keys, tokens)) => {
                for lookup in batch.drain(..) {
                    let key = keys.get(&lookup.key_hash).cloned();
                    let token = key.as_ref().and_then(|_| tokens.get(&lookup.token_hash).cloned());
                    let _ = lookup.reply.send(Ok(Found { key, token }));
                }
            }
            Err(error) => {
                tracing::error!(%error, lookups = batch.len(), "token lookups failed");
                for lookup in batch.drain(..) {
                    let _ = lookup.reply.send(Err(DbErr::Custom(error.to_string())));
                }
            }
        }
    }
}

type Rows = (HashMap<String, KeyRow>, HashMap<String, TokenRow>);

/// The batch's valid keys, then the tokens asked for behind them, by hash.
async fn read(db: &DatabaseConnection, batch: &[Lookup]) -> Result<Rows, DbErr> {
    let key_hashes = distinct(batch.iter().map(|l| l.key_hash.as_str()));
    let keys: HashMap<String, KeyRow> = gateway_key::Entity::find()
        .filter(gateway_key::Column::KeyHash.is_in(key_hashes))
        .filter(gateway_key::Column::RevokedAt.is_null())
        .all(db)
        .await?
        .into_iter()
        .map(|k| (k.key_hash, KeyRow { id: k.id, last_used_at: k.last_used_at }))
        .collect();
    let token_hashes = distinct(batch.iter().filter(|l| keys.contains_key(&l.key_hash)).map(|l| l.token_hash.as_str()));
    if token_hashes.is_empty() {
        return Ok((keys, HashMap::new()));
    }
    let tokens = token_rows(db, &token_hashes).await?.into_iter().map(|t| (t.token_hash.clone(), t)).collect();
    Ok((keys, tokens))
}

fn distinct<'a>(values: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut values: Vec<String> = values.map(str::to_owned).collect();
    values.sort_unstable();
    values.dedup();
    values
}

async fn token_rows(conn: &impl ConnectionTrait, token_hashes: &[String]) -> Result<Vec<TokenRow>, DbErr> {
    use access_token::Column as T;
    use application::Column as A;
    use credential::Column as C;
    let query = Query::select()
        .column((access_token::Entity, T::TokenHash))
        .column((access_token::Entity, T::Scopes))
        .column((access_token::Entity, T::IssuedAt))
        .column((access_token::Entity, T::ExpiresAt))
        .column((credential::Entity, C::ClientId))
        .column((credential::Entity, C::Environment))
        .expr_as(Expr::col((credential::Entity, C::Scopes)), Alias::new("credential_scopes"))
        .column((credential::Entity, C::RevokedAt))
        .expr_as(Expr::col((credential::Entity, C::ExpiresAt)), Alias::new("credential_expires_at"))
        .column((application::Entity, A::Status))
        .from(access_token::Entity)
        .inner_join(
            credential::Entity,
            Expr::col((credential::Entity, C::Id)).equals((access_token::Entity, T::CredentialId)),
        )
        .inner_join(
            application::Entity,
            Expr::col((application::Entity, A::Id)).equals((credential::Entity, C::ApplicationId)),
        )
        .and_where(Expr::col((access_token::Entity, T::TokenHash)).is_in(token_hashes.iter().cloned()))
        .to_owned();
    TokenRow::find_by_statement(conn.get_database_backend().build(&query)).all(conn).await
}
