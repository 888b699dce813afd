//! The audit trail becomes append-only and anchored: a table of signed checkpoints of the chain
//! (one per covered record, so instances racing to take the same one store it once), and, on
//! PostgreSQL, triggers that refuse to change or remove a record or a checkpoint.

use sea_orm_migration::sea_orm::DatabaseBackend;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Raised for any UPDATE, DELETE or TRUNCATE of an append-only table.
const REFUSE_CHANGE: &str = "CREATE FUNCTION portcullis_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% on % refused: the table is append-only', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$";

const APPEND_ONLY: [&str; 2] = ["audit_log", "audit_checkpoint"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AuditCheckpoint::Table)
                    // The record the checkpoint covers: unique, so a race inserts it once.
                    .col(big_integer(AuditCheckpoint::Seq).primary_key())
                    .col(string_len(AuditCheckpoint::Hash, 64))
                    .col(big_integer(AuditCheckpoint::Records))
                    // RFC 3339 text, exactly the string the signature covers.
                    .col(string_len(AuditCheckpoint::At, 32))
                    .col(string_len(AuditCheckpoint::KeyId, 16))
                    .col(string_len(AuditCheckpoint::Signature, 128))
                    .to_owned(),
            )
            .await?;
        if manager.get_database_backend() != DatabaseBackend::Postgres {
            return Ok(());
        }
        let db = manager.get_connection();
        db.execute_unprepared(REFUSE_CHANGE).await?;
        for table in APPEND_ONLY {
            db.execute_unprepared(&format!(
                "CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} \
                 FOR EACH ROW EXECUTE PROCEDURE portcullis_append_only()"
            ))
            .await?;
            db.execute_unprepared(&format!(
                "CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} \
                 FOR EACH STATEMENT EXECUTE PROCEDURE portcullis_append_only()"
            ))
            .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DatabaseBackend::Postgres {
            let db = manager.get_connection();
            for table in APPEND_ONLY {
                db.execute_unprepared(&format!("DROP TRIGGER {table}_append_only ON {table}")).await?;
                db.execute_unprepared(&format!("DROP TRIGGER {table}_no_truncate ON {table}")).await?;
            }
        }
        manager.drop_table(Table::drop().table(AuditCheckpoint::Table).to_owned()).await?;
        if manager.get_database_backend() == DatabaseBackend::Postgres {
            manager.get_connection().execute_unprepared("DROP FUNCTION portcullis_append_only()").await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum AuditCheckpoint {
    Table,
    Seq,
    Hash,
    Records,
    At,
    KeyId,
    Signature,
}
