//! The review queue sorted by due date reads a page at a time in `(due_at, id)` order, as it
//! already does in submission order through `idx_applications_queue`; without this index every
//! open application was read and sorted for each page. Status and submission time ride along,
//! so the queue's conditions are answered from the index alone.

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
                    .name("idx_applications_due")
                    .table(Applications::Table)
                    .col(Applications::DueAt)
                    .col(Applications::Id)
                    .col(Applications::Status)
                    .col(Applications::SubmittedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(Index::drop().if_exists().name("idx_applications_due").table(Applications::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Applications {
    Table,
    Id,
    Status,
    SubmittedAt,
    DueAt,
}
