//! A counter of password changes, apart from `auth_epoch`: a session from before a password
//! change is signed out, while one from before a role change only gets a new id.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter().table(Users::Table).add_column(integer(Users::PasswordEpoch).default(0)).to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table(Users::Table).drop_column(Users::PasswordEpoch).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum Users {
    Table,
    PasswordEpoch,
}
