//! Connecting to SQLite or PostgreSQL through the same code.

use portcullis_migrations::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseBackend, DatabaseConnection, DatabaseTransaction, DbErr,
    SqliteTransactionMode, Statement, TransactionOptions, TransactionTrait,
};
use sha2::Digest;
use std::time::Duration;

/// Opens a pool. SQLite gets WAL, foreign keys, a busy timeout and is created when missing.
pub async fn connect(url: &str) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(url.to_owned());
    // sqlx would otherwise ping on every acquire: a whole extra round trip per query (on SQLite a
    // hand-off to the connection's thread). Only connections idle long enough to have been
    // dropped by a server or a proxy are checked.
    options
        .sqlx_logging(false)
        // Until the health check notices an outage (a second or two), requests wait this long
        // for a connection before their 503.
        .connect_timeout(Duration::from_secs(5))
        .acquire_timeout(Duration::from_secs(5))
        .test_before_acquire_if_idle_for(Duration::from_secs(30));
    if url.starts_with("sqlite:") {
        options.max_connections(8).map_sqlx_sqlite_opts(|o: SqliteConnectOptions| {
            o.create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
        });
    } else {
        options.max_connections(16);
    }
    Database::connect(options).await
}

/// Applies pending migrations. With none pending nothing is created, not even the migrations
/// table, so a role without rights on the schema (see the README on the append-only audit
/// table) can run an up-to-date portal.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    if Migrator::get_pending_migrations_read_only(db).await?.is_empty() {
        return Ok(());
    }
    Migrator::up(db, None).await
}

/// Starts a transaction that will write. On SQLite it takes the write lock up front
/// (`BEGIN IMMEDIATE`): a deferred transaction that reads first could otherwise fail to
/// upgrade when another connection wrote in between.
pub async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..Default::default()
    })
    .await
}

/// The advisory-lock key of a named thing (one organisation's quota, one sign-in…): the first
/// 8 bytes of its name's SHA-256.
pub(crate) fn lock_key(name: &str) -> i64 {
    let digest = sha2::Sha256::digest(name);
    i64::from_be_bytes(digest[..8].try_into().expect("eight bytes"))
}

/// Serialises writers of one kind across every portal instance for the rest of the
/// transaction. SQLite needs nothing: `begin_write` already holds the only write lock.
pub(crate) async fn lock_for(txn: &DatabaseTransaction, key: i64) -> Result<(), DbErr> {
    if txn.get_database_backend() == DatabaseBackend::Postgres {
        txn.execute_raw(Statement::from_sql_and_values(
            DatabaseBackend::Postgres,
            "SELECT pg_advisory_xact_lock($1)",
            [key.into()],
        ))
        .await?;
    }
    Ok(())
}

/// `true` when the database answers a trivial query.
pub async fn ping(db: &DatabaseConnection) -> bool {
    db.ping().await.is_ok()
}

/// Connections of its own for the health check, so it tells whether the database answers, not
/// whether the pool has a free connection: under a burst of writes the pool's connections wait
/// on locks, and a check queued behind them looked like an outage. The check is itself a ping,
/// so connections are not pinged again before use.
pub async fn connect_probe(url: &str) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .sqlx_logging(false)
        .max_connections(2)
        .min_connections(0)
        .connect_timeout(Duration::from_secs(2))
        .acquire_timeout(Duration::from_secs(2))
        .test_before_acquire(false);
    Database::connect(options).await
}
