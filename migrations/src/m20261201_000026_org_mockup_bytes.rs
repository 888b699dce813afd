//! Each organisation's running total of stored mockup bytes, for its upload quota. Summing the
//! sizes of every mockup of every application of the organisation on each upload cost a read
//! per application it ever had: seeding 100,000 applications over 250 organisations slowed
//! down as each organisation's list grew.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter().table(Orgs::Table).add_column(big_integer(Orgs::MockupBytes).default(0)).to_owned(),
            )
            .await?;
        let sizes = Query::select()
            .expr(Func::coalesce([Expr::col((Mockups::Table, Mockups::Size)).sum(), Expr::val(0)]))
            .from(Mockups::Table)
            .inner_join(
                Applications::Table,
                Expr::col((Applications::Table, Applications::Id)).equals((Mockups::Table, Mockups::ApplicationId)),
            )
            .and_where(Expr::col((Applications::Table, Applications::OrgId)).equals((Orgs::Table, Orgs::Id)))
            .to_owned();
        manager
            .exec_stmt(
                Query::update()
                    .table(Orgs::Table)
                    .value(Orgs::MockupBytes, Expr::SubQuery(None, Box::new(sizes.into())))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table(Orgs::Table).drop_column(Orgs::MockupBytes).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum Orgs {
    Table,
    Id,
    MockupBytes,
}

#[derive(DeriveIden)]
enum Applications {
    Table,
    Id,
    OrgId,
}

#[derive(DeriveIden)]
enum Mockups {
    Table,
    ApplicationId,
    Size,
}
