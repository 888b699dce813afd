//! Files an organisation attaches to its pending appeal. They are stored like mockups (in the
//! blob store, counted in the organisation's `mockup_bytes` quota), but belong to the appeal:
//! a revision never holds them, and they are frozen once the appeal is decided.

use crate::m20261125_000001_accounts::Users;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AppealAttachments::Table)
                    .col(string_len(AppealAttachments::Id, 36).primary_key())
                    .col(string_len(AppealAttachments::AppealId, 36))
                    .col(string_len(AppealAttachments::Label, 80))
                    .col(string_len(AppealAttachments::ContentType, 32))
                    .col(big_integer(AppealAttachments::Size))
                    .col(string_len(AppealAttachments::Sha256, 64))
                    .col(string_len(AppealAttachments::StorageKey, 100))
                    .col(string_len_null(AppealAttachments::ThumbnailKey, 100))
                    .col(integer_null(AppealAttachments::Width))
                    .col(integer_null(AppealAttachments::Height))
                    .col(string_len(AppealAttachments::UploadedBy, 36))
                    .col(timestamp_with_time_zone(AppealAttachments::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(AppealAttachments::Table, AppealAttachments::AppealId)
                            .to(Appeals::Table, Appeals::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(AppealAttachments::Table, AppealAttachments::UploadedBy)
                            .to(Users::Table, Users::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_appeal_attachments_appeal")
                    .table(AppealAttachments::Table)
                    .col(AppealAttachments::AppealId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(AppealAttachments::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum AppealAttachments {
    Table,
    Id,
    AppealId,
    Label,
    ContentType,
    Size,
    Sha256,
    StorageKey,
    ThumbnailKey,
    Width,
    Height,
    UploadedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Appeals {
    Table,
    Id,
}
