//! Single sign-on: the identities of the organisation's provider linked to portal accounts
//! (keyed by issuer and subject, never by email), and the accounts `create-admin` made or
//! promoted, which keep their admin role with a password while single sign-on is on.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(SsoIdentities::Table)
                    .col(string_len(SsoIdentities::Issuer, 512))
                    // OpenID Connect caps `sub` at 255 ASCII characters.
                    .col(string_len(SsoIdentities::Subject, 255))
                    .col(string_len_uniq(SsoIdentities::UserId, 36))
                    .col(timestamp_with_time_zone(SsoIdentities::CreatedAt))
                    .col(timestamp_with_time_zone(SsoIdentities::LastSignInAt))
                    .primary_key(Index::create().col(SsoIdentities::Issuer).col(SsoIdentities::Subject))
                    .foreign_key(
                        ForeignKey::create()
                            .from(SsoIdentities::Table, SsoIdentities::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(BreakGlassAccounts::Table)
                    .col(string_len(BreakGlassAccounts::UserId, 36).primary_key())
                    .col(timestamp_with_time_zone(BreakGlassAccounts::GrantedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(BreakGlassAccounts::Table, BreakGlassAccounts::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(BreakGlassAccounts::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(SsoIdentities::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum SsoIdentities {
    Table,
    Issuer,
    Subject,
    UserId,
    CreatedAt,
    LastSignInAt,
}

#[derive(DeriveIden)]
enum BreakGlassAccounts {
    Table,
    UserId,
    GrantedAt,
}
