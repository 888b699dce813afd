//! tower-sessions store on the portal's own database, so sessions survive restarts and are
//! shared by every instance. Ids are stored hashed; the cookie value never is.

use crate::entity::session;
use crate::tokens::sha256_hex;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter};
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

fn backend(e: DbErr) -> session_store::Error {
    session_store::Error::Backend(e.to_string())
}

fn expiry(record: &Record) -> DateTime<Utc> {
    DateTime::from_timestamp(record.expiry_date.unix_timestamp(), record.expiry_date.nanosecond())
        .unwrap_or_else(Utc::now)
}

/// The signed-in user, if any, copied to a column so all their sessions can be ended.
fn user_of(record: &Record) -> Option<String> {
    record
        .data
        .get(crate::session_auth::AUTH_KEY)
        .and_then(|auth| auth.get("user_id"))
        .and_then(|id| id.as_str())
        .map(str::to_owned)
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
    })
}

#[async_trait]
impl SessionStore for DbSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        loop {
            let inserted = session::Entity::insert(active_model(record)?)
                .on_conflict(OnConflict::column(session::Column::Id).do_nothing().to_owned())
                .exec_without_returning(&self.db)
                .await
                .map_err(backend)?;
            if inserted == 1 {
                return Ok(());
            }
            // A 128-bit collision: draw another id.
            record.id = Id::default();
        }
    }

    /// Updates the session and never inserts it: a session deleted meanwhile (logout, password
    /// reset, disabling) stays deleted whatever a request still in flight writes back.
    async fn save(&self, record: &Record) -> session_store::Result<()> {
        session::Entity::update_many()
            .col_expr(session::Column::UserId, Expr::value(user_of(record)))
            .col_expr(session::Column::Data, Expr::value(encode(record)?))
            .col_expr(session::Column::ExpiresAt, Expr::value(expiry(record)))
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

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        session::Entity::delete_by_id(key(id)).exec(&self.db).await.map_err(backend)?;
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
        Ok(())
    }
}

/// Ends every session of a user (disabling, password reset).
pub async fn delete_user_sessions(conn: &impl ConnectionTrait, user_id: &str) -> Result<u64, DbErr> {
    Ok(session::Entity::delete_many().filter(session::Column::UserId.eq(user_id)).exec(conn).await?.rows_affected)
}
