use portcullis_domain::application::scope::default_catalogue;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Scopes::Table)
                    .col(string_len(Scopes::Name, 100).primary_key())
                    .col(string_len(Scopes::Category, 32))
                    .col(string_len(Scopes::Frequency, 16))
                    .col(string_len(Scopes::Title, 200))
                    .col(text(Scopes::Description))
                    .col(boolean(Scopes::Sensitive))
                    .col(integer(Scopes::Position))
                    .to_owned(),
            )
            .await?;
        // The catalogue as it stands at this migration; later changes to it get migrations of their own.
        let mut insert = Query::insert()
            .into_table(Scopes::Table)
            .columns([
                Scopes::Name,
                Scopes::Category,
                Scopes::Frequency,
                Scopes::Title,
                Scopes::Description,
                Scopes::Sensitive,
                Scopes::Position,
            ])
            .to_owned();
        for (position, scope) in default_catalogue().into_iter().enumerate() {
            insert.values_panic([
                scope.name.into(),
                scope.category.as_str().into(),
                scope.frequency.as_str().into(),
                scope.title.into(),
                scope.description.into(),
                scope.sensitive.into(),
                (position as i32).into(),
            ]);
        }
        manager.exec_stmt(insert).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Scopes::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum Scopes {
    Table,
    Name,
    Category,
    Frequency,
    Title,
    Description,
    Sensitive,
    Position,
}
