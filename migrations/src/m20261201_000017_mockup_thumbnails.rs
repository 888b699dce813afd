//! A small derived preview per image mockup, stored as a blob of its own, so a gallery never
//! loads the full original (which may be 20 MB). Mockups stored before this get theirs when
//! it is first asked for.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Mockups::Table)
                    .add_column(ColumnDef::new(Mockups::ThumbnailKey).string())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table(Mockups::Table).drop_column(Mockups::ThumbnailKey).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum Mockups {
    Table,
    ThumbnailKey,
}
