//! Programme reports read the timeline events of a date range, and the production credentials
//! issued before its end; without these indexes each report read both tables whole. The
//! event index carries the kind and the application, so finding who had a milestone in the
//! range reads the index alone.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .if_not_exists()
                    .name("idx_application_events_at")
                    .table(ApplicationEvents::Table)
                    .col(ApplicationEvents::At)
                    .col(ApplicationEvents::Kind)
                    .col(ApplicationEvents::ApplicationId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .if_not_exists()
                    .name("idx_credentials_environment")
                    .table(Credentials::Table)
                    .col(Credentials::Environment)
                    .col(Credentials::CreatedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop().if_exists().name("idx_credentials_environment").table(Credentials::Table).to_owned(),
            )
            .await?;
        manager
            .drop_index(
                Index::drop().if_exists().name("idx_application_events_at").table(ApplicationEvents::Table).to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum ApplicationEvents {
    Table,
    ApplicationId,
    Kind,
    At,
}

#[derive(DeriveIden)]
enum Credentials {
    Table,
    Environment,
    CreatedAt,
}
