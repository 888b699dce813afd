//! One secret per generation of a credential: two rotations at once can no longer both store
//! the same generation (the service also locks the credential's row while it rotates).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name("uq_credential_secrets_generation")
                    .table(CredentialSecrets::Table)
                    .col(CredentialSecrets::CredentialId)
                    .col(CredentialSecrets::Generation)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop().name("uq_credential_secrets_generation").table(CredentialSecrets::Table).to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum CredentialSecrets {
    Table,
    CredentialId,
    Generation,
}
