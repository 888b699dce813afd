use crate::m20261125_000006_applications::Applications;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The review queue lists open applications oldest first, a page at a time, optionally those
/// requesting a scope. Through an index that starts with the status, SQLite answers
/// `status IN (submitted, in_review)` by reading every open application and sorting them all.
/// This index lists them in submission order, so the first page stops after a page's rows,
/// and the status and scope conditions (and the count) are read from the index alone. The
/// status index goes: without statistics, SQLite would keep choosing it for the `IN`.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .if_not_exists()
                    .name("idx_applications_queue")
                    .table(Applications::Table)
                    .col(Applications::SubmittedAt)
                    .col(Applications::Id)
                    .col(Applications::Status)
                    .col(Applications::RequestedScopes)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(Index::drop().if_exists().name("idx_applications_status").table(Applications::Table).to_owned())
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .if_not_exists()
                    .name("idx_applications_status")
                    .table(Applications::Table)
                    .col(Applications::Status)
                    .col(Applications::SubmittedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(Index::drop().if_exists().name("idx_applications_queue").table(Applications::Table).to_owned())
            .await
    }
}
