//! Each audit record names how its hash is made. Records written so far are format 1 (the
//! hash covers the fields' JSON); new ones are format 2 (it covers the JSON's SHA-256), so an
//! evidence pack can link a record to a checkpoint through the records between by their
//! hashes alone. Adding a column with a constant default rewrites no row, so the append-only
//! triggers of 000024 (row-level UPDATE and DELETE) do not fire.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter().table(AuditLog::Table).add_column(small_integer(AuditLog::Format).default(1)).to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table(AuditLog::Table).drop_column(AuditLog::Format).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum AuditLog {
    Table,
    Format,
}
