use crate::m20261125_000001_accounts::Users;
use crate::m20261125_000006_applications::Applications;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Credentials::Table)
                    .col(string_len(Credentials::Id, 36).primary_key())
                    .col(string_len(Credentials::ClientId, 64).unique_key())
                    .col(string_len(Credentials::ApplicationId, 36))
                    // sandbox | production
                    .col(string_len(Credentials::Environment, 16))
                    // Space-separated scope names, fixed at issuance.
                    .col(text(Credentials::Scopes))
                    .col(string_len(Credentials::CreatedBy, 36))
                    .col(timestamp_with_time_zone(Credentials::CreatedAt))
                    .col(timestamp_with_time_zone(Credentials::ExpiresAt))
                    .col(timestamp_with_time_zone_null(Credentials::LastUsedAt))
                    .col(timestamp_with_time_zone_null(Credentials::RevokedAt))
                    .col(text_null(Credentials::RevokedReason))
                    // `<application>:<environment>` while active, NULL once revoked: one active
                    // set per application and environment, even when two admins issue at once.
                    .col(string_len_null(Credentials::ActiveKey, 60).unique_key())
                    // Days-before-expiry threshold of the last reminder mailed (30, then 7).
                    .col(integer_null(Credentials::LastReminderDays))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Credentials::Table, Credentials::ApplicationId)
                            .to(Applications::Table, Applications::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Credentials::Table, Credentials::CreatedBy)
                            .to(Users::Table, Users::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_credentials_application")
                    .table(Credentials::Table)
                    .col(Credentials::ApplicationId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(CredentialSecrets::Table)
                    .col(string_len(CredentialSecrets::Id, 36).primary_key())
                    .col(string_len(CredentialSecrets::CredentialId, 36))
                    // SHA-256 of the secret, hex: secrets have 256 bits of entropy, so a fast
                    // hash is enough and the plain secret is never stored.
                    .col(string_len(CredentialSecrets::SecretHash, 64))
                    // 1 for the first secret, then one more per rotation: orders them exactly,
                    // even when rotations happen within the same clock tick.
                    .col(integer(CredentialSecrets::Generation))
                    .col(timestamp_with_time_zone(CredentialSecrets::CreatedAt))
                    // NULL for the current secret; set when a rotation replaces it.
                    .col(timestamp_with_time_zone_null(CredentialSecrets::ValidUntil))
                    .foreign_key(
                        ForeignKey::create()
                            .from(CredentialSecrets::Table, CredentialSecrets::CredentialId)
                            .to(Credentials::Table, Credentials::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_credential_secrets_credential")
                    .table(CredentialSecrets::Table)
                    .col(CredentialSecrets::CredentialId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AccessTokens::Table)
                    // SHA-256 of the opaque token, hex.
                    .col(string_len(AccessTokens::TokenHash, 64).primary_key())
                    .col(string_len(AccessTokens::CredentialId, 36))
                    .col(text(AccessTokens::Scopes))
                    .col(timestamp_with_time_zone(AccessTokens::IssuedAt))
                    .col(timestamp_with_time_zone(AccessTokens::ExpiresAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(AccessTokens::Table, AccessTokens::CredentialId)
                            .to(Credentials::Table, Credentials::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_access_tokens_expiry")
                    .table(AccessTokens::Table)
                    .col(AccessTokens::ExpiresAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(GatewayKeys::Table)
                    .col(string_len(GatewayKeys::Id, 36).primary_key())
                    .col(string_len(GatewayKeys::Name, 100))
                    .col(string_len(GatewayKeys::KeyHash, 64).unique_key())
                    .col(string_len(GatewayKeys::CreatedBy, 36))
                    .col(timestamp_with_time_zone(GatewayKeys::CreatedAt))
                    .col(timestamp_with_time_zone_null(GatewayKeys::LastUsedAt))
                    .col(timestamp_with_time_zone_null(GatewayKeys::RevokedAt))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            GatewayKeys::Table.into_iden(),
            AccessTokens::Table.into_iden(),
            CredentialSecrets::Table.into_iden(),
            Credentials::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Credentials {
    Table,
    Id,
    ClientId,
    ApplicationId,
    Environment,
    Scopes,
    CreatedBy,
    CreatedAt,
    ExpiresAt,
    LastUsedAt,
    RevokedAt,
    RevokedReason,
    ActiveKey,
    LastReminderDays,
}

#[derive(DeriveIden)]
enum CredentialSecrets {
    Table,
    Id,
    CredentialId,
    SecretHash,
    Generation,
    CreatedAt,
    ValidUntil,
}

#[derive(DeriveIden)]
enum AccessTokens {
    Table,
    TokenHash,
    CredentialId,
    Scopes,
    IssuedAt,
    ExpiresAt,
}

#[derive(DeriveIden)]
enum GatewayKeys {
    Table,
    Id,
    Name,
    KeyHash,
    CreatedBy,
    CreatedAt,
    LastUsedAt,
    RevokedAt,
}
