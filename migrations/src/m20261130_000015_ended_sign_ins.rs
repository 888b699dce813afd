//! A sign-in keeps one id across every re-issue of its session id; logging out records it as
//! ended, so a request still in flight cannot re-create the session under a new id.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Copied out of the data, like `user_id`, so that a sign-in's session can be ended
        // whatever id it has by now. NULL for sessions from before and for anonymous ones.
        manager
            .alter_table(
                Table::alter().table(Sessions::Table).add_column(string_len_null(Sessions::SignInId, 36)).to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create().name("idx_sessions_sign_in").table(Sessions::Table).col(Sessions::SignInId).to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(EndedSignIns::Table)
                    .col(string_len(EndedSignIns::SignInId, 36).primary_key())
                    // When the sign-in would have timed out anyway: the row can go then.
                    .col(timestamp_with_time_zone(EndedSignIns::ExpiresAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(EndedSignIns::Table).to_owned()).await?;
        manager.drop_index(Index::drop().name("idx_sessions_sign_in").table(Sessions::Table).to_owned()).await?;
        manager.alter_table(Table::alter().table(Sessions::Table).drop_column(Sessions::SignInId).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    SignInId,
}

#[derive(DeriveIden)]
enum EndedSignIns {
    Table,
    SignInId,
    ExpiresAt,
}
