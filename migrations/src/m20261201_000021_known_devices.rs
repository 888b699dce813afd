//! The devices each account has signed in from, so a sign-in from a new one can be mailed.
//! A device is named by a random cookie, stored here hashed.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(KnownDevices::Table)
                    .col(string_len(KnownDevices::UserId, 36))
                    .col(string_len(KnownDevices::DeviceHash, 64))
                    .col(string_len(KnownDevices::Label, 100))
                    .col(timestamp_with_time_zone(KnownDevices::FirstSeenAt))
                    .col(timestamp_with_time_zone(KnownDevices::LastSeenAt))
                    .primary_key(Index::create().col(KnownDevices::UserId).col(KnownDevices::DeviceHash))
                    .foreign_key(
                        ForeignKey::create()
                            .from(KnownDevices::Table, KnownDevices::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(KnownDevices::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum KnownDevices {
    Table,
    UserId,
    DeviceHash,
    Label,
    FirstSeenAt,
    LastSeenAt,
}
