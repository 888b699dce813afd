//! Production secrets wait for the organisation's owners instead of being shown to the admin
//! who issues them.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Set while a new secret waits for an owner (after issuing, or an admin's forced
        // rotation); the secret itself is only made when it is collected.
        manager
            .alter_table(
                Table::alter()
                    .table(Credentials::Table)
                    .add_column(timestamp_with_time_zone_null(Credentials::CollectBy))
                    .to_owned(),
            )
            .await?;
        // When the first secret was collected; NULL while it still waits (or lapsed).
        manager
            .alter_table(
                Table::alter()
                    .table(Credentials::Table)
                    .add_column(timestamp_with_time_zone_null(Credentials::CollectedAt))
                    .to_owned(),
            )
            .await?;
        // Every existing credential got its secret when it was issued.
        manager
            .exec_stmt(
                Query::update()
                    .table(Credentials::Table)
                    .value(Credentials::CollectedAt, Expr::col(Credentials::CreatedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [Credentials::CollectedAt, Credentials::CollectBy] {
            manager.alter_table(Table::alter().table(Credentials::Table).drop_column(column).to_owned()).await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Credentials {
    Table,
    CreatedAt,
    CollectBy,
    CollectedAt,
}
