//! Appeals against rejections: one row per appealed rejection. The unique key on the rejected
//! revision makes "once per rejection" hold when two owners appeal at the same moment.

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
                    .table(Appeals::Table)
                    .col(string_len(Appeals::Id, 36).primary_key())
                    .col(string_len(Appeals::ApplicationId, 36))
                    // The rejected revision appealed against.
                    .col(integer(Appeals::Revision))
                    .col(text(Appeals::Reasons))
                    // pending | upheld | overturned
                    .col(string_len(Appeals::Status, 16))
                    .col(string_len(Appeals::FiledBy, 36))
                    .col(timestamp_with_time_zone(Appeals::FiledAt))
                    // The end of the window it was filed in, as it was then.
                    .col(timestamp_with_time_zone(Appeals::Deadline))
                    .col(string_len_null(Appeals::DecidedBy, 36))
                    .col(timestamp_with_time_zone_null(Appeals::DecidedAt))
                    .col(text_null(Appeals::OutcomeReason))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Appeals::Table, Appeals::ApplicationId)
                            .to(Applications::Table, Applications::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create().from(Appeals::Table, Appeals::FiledBy).to(Users::Table, Users::Id),
                    )
                    .foreign_key(
                        ForeignKey::create().from(Appeals::Table, Appeals::DecidedBy).to(Users::Table, Users::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_appeals_once")
                    .table(Appeals::Table)
                    .col(Appeals::ApplicationId)
                    .col(Appeals::Revision)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Appeals::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum Appeals {
    Table,
    Id,
    ApplicationId,
    Revision,
    Reasons,
    Status,
    FiledBy,
    FiledAt,
    Deadline,
    DecidedBy,
    DecidedAt,
    OutcomeReason,
}
