//! TOTP keys are stored sealed (nonce, ciphertext and tag, base64): longer than the 64
//! characters a plain key took. SQLite does not bound text lengths, so only PostgreSQL changes.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DatabaseBackend::Postgres {
            return Ok(());
        }
        manager
            .alter_table(
                Table::alter()
                    .table(SecondFactors::Table)
                    .modify_column(ColumnDef::new(SecondFactors::Secret).string_len(255).not_null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DatabaseBackend::Postgres {
            return Ok(());
        }
        manager
            .alter_table(
                Table::alter()
                    .table(SecondFactors::Table)
                    .modify_column(ColumnDef::new(SecondFactors::Secret).string_len(64).not_null())
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum SecondFactors {
    Table,
    Secret,
}
