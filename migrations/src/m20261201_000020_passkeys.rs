//! Passkeys (WebAuthn credentials): any number per account, each with its owner's name for it.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Passkeys::Table)
                    .col(string_len(Passkeys::Id, 36).primary_key())
                    .col(string_len(Passkeys::UserId, 36))
                    // The credential id, base64url: how an assertion names its passkey (at most
                    // 1023 bytes, so 1364 characters). One credential belongs to one account.
                    .col(string_len(Passkeys::CredentialId, 1400).unique_key())
                    .col(string_len(Passkeys::Name, 64))
                    // The public key, its algorithm and signature counter, as webauthn-rs keeps
                    // them (JSON). Nothing secret: the private key never leaves the authenticator.
                    .col(text(Passkeys::Credential))
                    .col(timestamp_with_time_zone(Passkeys::CreatedAt))
                    .col(timestamp_with_time_zone_null(Passkeys::LastUsedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Passkeys::Table, Passkeys::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create().name("idx_passkeys_user").table(Passkeys::Table).col(Passkeys::UserId).to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Passkeys::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Passkeys {
    Table,
    Id,
    UserId,
    CredentialId,
    Name,
    Credential,
    CreatedAt,
    LastUsedAt,
}
