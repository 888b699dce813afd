//! tower-sessions store on the portal's own database, so sessions survive restarts and are
//! shared by every instance. Ids are stored hashed; the cookie value never is.

use crate::db::{begin_write, lock_for, lock_key};
use crate::entity::{ended_sign_in, session};
use crate::tokens::sha256_hex;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbErr, EntityTrait,
    QueryFilter,
};
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, ExpiredDeletion, SessionStore};

#[derive(Debug, Clone)]
pub struct DbSessionStore {
    db: DatabaseConnection,
}

impl DbSessionStore {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }
}

/// The key under which a deleted session's stub names its sign-in.
pub const MOVED_SIGN_IN_KEY: &str = "moved_sign_in";
/// How long a stub lasts: longer than any request that could be re-issuing its id (the
/// slowest allowed upload of the largest file takes about 11 minutes).
const STUB_SECS: i64 = 15 * 60;

fn backend(e: DbErr) -> session_store::Error {
    session_store::Error::Backend(e.to_string())
}

fn expiry(record: &Record) -> DateTime<Utc> {
    DateTime::from_timestamp(record.expiry_date.unix_timestamp(), record.expiry_date.nanosecond())
        .unwrap_or_else(Utc::now)
}

/// A field of the signed-in state, if any, copied to a column.
fn auth_field(record: &Record, field: &str) -> Option<String> {
    record
        .data
        .get(crate::session_auth::AUTH_KEY)
        .and_then(|auth| auth.get(field))
        .and_then(|id| id.as_str())
        .filter(|id| !id.is_empty())
        .map(str::to_owned)
}

/// The signed-in user, so all their sessions can be ended.
fn user_of(record: &Record) -> Option<String> {
    auth_field(record, "user_id")
}

/// The sign-in the session belongs to, whatever its id now, so logging out can end it.
fn sign_in_of(record: &Record) -> Option<String> {
    auth_field(record, "sign_in_id")
}

/// Serialises re-creating and ending one sign-in's session across instances.
fn sign_in_lock(sign_in_id: &str) -> i64 {
    lock_key(&format!("session sign-in {sign_in_id}"))
}

fn key(id: &Id) -> String {
    sha256_hex(&id.to_string())
}

fn encode(record: &Record) -> session_store::Result<String> {
    serde_json::to_string(&record.data).map_err(|e| session_store::Error::Encode(e.to_string()))
}

fn active_model(record: &Record) -> session_store::Result<session::ActiveModel> {
    Ok(session::ActiveModel {
        id: Set(key(&record.id)),
        user_id: Set(user_of(record)),
        data: Set(encode(record)?),
        expires_at: Set(expiry(record)),
        sign_in_id: Set(sign_in_of(record)),
    })
}

/// Inserts the session under its id, drawing another on a (128-bit) collision.
async fn insert(conn: &impl ConnectionTrait, record: &mut Record) -> session_store::Result<()> {
    loop {
        let inserted = session::Entity::insert(active_model(record)?)
            .on_conflict(OnConflict::column(session::Column::Id).do_nothing().to_owned())
            .exec_without_returning(conn)
            .await
            .map_err(backend)?;
        if inserted == 1 {
            return Ok(());
        }
        record.id = Id::default();
    }
}

#[async_trait]
impl SessionStore for DbSessionStore {
    /// A new session id: a new sign-in, or a sign-in's session under a new id (privileges
    /// changed, step-up). The latter is created only while the sign-in has not ended, checked
    /// under the lock that logging out takes, so a request in flight across a logout cannot
    /// bring the session back under its new id; the id then signs nobody in.
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        let Some(sign_in_id) = sign_in_of(record) else { return insert(&self.db, record).await };
        let txn = begin_write(&self.db).await.map_err(backend)?;
        lock_for(&txn, sign_in_lock(&sign_in_id)).await.map_err(backend)?;
        if ended_sign_in::Entity::find_by_id(&sign_in_id).one(&txn).await.map_err(backend)?.is_none() {
            insert(&txn, record).await?;
        }
        txn.commit().await.map_err(backend)
    }

    /// Updates the session and never inserts it: a session deleted meanwhile (logout, password
    /// reset, disabling) stays deleted whatever a request still in flight writes back.
    async fn save(&self, record: &Record) -> session_store::Result<()> {
        session::Entity::update_many()
            .col_expr(session::Column::UserId, Expr::value(user_of(record)))
            .col_expr(session::Column::Data, Expr::value(encode(record)?))
            .col_expr(session::Column::ExpiresAt, Expr::value(expiry(record)))
            .col_expr(session::Column::SignInId, Expr::value(sign_in_of(record)))
            .filter(session::Column::Id.eq(key(&record.id)))
            .exec(&self.db)
            .await
            .map_err(backend)?;
        Ok(())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let found = session::Entity::find_by_id(key(id))
            .filter(session::Column::ExpiresAt.gt(Utc::now()))
            .one(&self.db)
            .await
            .map_err(backend)?;
        let Some(row) = found else { return Ok(None) };
        let data = serde_json::from_str(&row.data).map_err(|e| session_store::Error::Decode(e.to_string()))?;
        let expiry_date = time::OffsetDateTime::from_unix_timestamp(row.expires_at.timestamp())
            .map_err(|e| session_store::Error::Decode(e.to_string()))?;
        Ok(Some(Record { id: *id, data, expiry_date }))
    }

    /// A signed-in session's row becomes an anonymous stub for a while instead of going at
    /// once: its id may be being replaced by a request in flight, and a logout that still
    /// presents the old id must find out which sign-in to end.
    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        let row = session::Entity::find_by_id(key(id)).one(&self.db).await.map_err(backend)?;
        let Some(sign_in_id) = row.and_then(|row| row.sign_in_id) else {
            session::Entity::delete_by_id(key(id)).exec(&self.db).await.map_err(backend)?;
            return Ok(());
        };
        let stub = serde_json::json!({ MOVED_SIGN_IN_KEY: sign_in_id }).to_string();
        session::Entity::update_many()
            .col_expr(session::Column::UserId, Expr::value(None::<String>))
            .col_expr(session::Column::Data, Expr::value(stub))
            .col_expr(session::Column::ExpiresAt, Expr::value(Utc::now() + chrono::Duration::seconds(STUB_SECS)))
            .filter(session::Column::Id.eq(key(id)))
            .exec(&self.db)
            .await
            .map_err(backend)?;
        Ok(())
    }
}

#[async_trait]
impl ExpiredDeletion for DbSessionStore {
    async fn delete_expired(&self) -> session_store::Result<()> {
        session::Entity::delete_many()
            .filter(session::Column::ExpiresAt.lte(Utc::now()))
            .exec(&self.db)
            .await
            .map_err(backend)?;
        ended_sign_in::Entity::delete_many()
            .filter(ended_sign_in::Column::ExpiresAt.lte(Utc::now()))
            .exec(&self.db)
            .await
            .map_err(backend)?;
        Ok(())
    }
}

/// Ends every session of a user (disabling, password reset).
pub(crate) async fn delete_user_sessions(conn: &impl ConnectionTrait, user_id: &str) -> Result<u64, DbErr> {
    Ok(session::Entity::delete_many().filter(session::Column::UserId.eq(user_id)).exec(conn).await?.rows_affected)
}

/// Ends a sign-in for good: deletes its session under whatever id it has now, and records the
/// end until `until` (when it would have timed out), so no new id can be issued for it.
pub(crate) async fn end_sign_in(db: &DatabaseConnection, sign_in_id: &str, until: DateTime<Utc>) -> Result<(), DbErr> {
    let txn = begin_write(db).await?;
    end_sign_in_in(&txn, sign_in_id, until).await?;
    txn.commit().await
}

/// [`end_sign_in`] within a transaction of the caller's, beside its audit record.
pub(crate) async fn end_sign_in_in(
    txn: &DatabaseTransaction,
    sign_in_id: &str,
    until: DateTime<Utc>,
) -> Result<(), DbErr> {
    lock_for(txn, sign_in_lock(sign_in_id)).await?;
    ended_sign_in::Entity::insert(ended_sign_in::ActiveModel {
        sign_in_id: Set(sign_in_id.to_owned()),
        expires_at: Set(until),
    })
    .on_conflict(OnConflict::column(ended_sign_in::Column::SignInId).do_nothing().to_owned())
    .exec_without_returning(txn)
    .await?;
    session::Entity::delete_many().filter(session::Column::SignInId.eq(sign_in_id)).exec(txn).await?;
    Ok(())
}
