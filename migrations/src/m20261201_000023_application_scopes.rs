//! One row per scope an application requests, and per scope it was granted: the review queue
//! filters by scope through an index here, where a pattern over the space-separated column
//! read every open application. The columns stay; the service writes both in one transaction.

use portcullis_domain::application::scope::ScopeList;
use sea_orm_migration::sea_orm::ConnectionTrait;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Rows per `INSERT` while backfilling: well under SQLite's limit of bound values.
const BATCH: usize = 300;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ApplicationScopes::Table)
                    .col(string_len(ApplicationScopes::ApplicationId, 36))
                    // `requested` or `granted`.
                    .col(string_len(ApplicationScopes::Kind, 16))
                    .col(string_len(ApplicationScopes::Scope, 100))
                    // Application first: the queue asks "does this application request it?" of
                    // each row it walks in its sort order, one lookup in this key.
                    .primary_key(
                        Index::create()
                            .col(ApplicationScopes::ApplicationId)
                            .col(ApplicationScopes::Kind)
                            .col(ApplicationScopes::Scope),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(ApplicationScopes::Table, ApplicationScopes::ApplicationId)
                            .to(Applications::Table, Applications::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // "Which applications request this scope?", for a scope that few request.
        manager
            .create_index(
                Index::create()
                    .name("idx_application_scopes_scope")
                    .table(ApplicationScopes::Table)
                    .col(ApplicationScopes::Kind)
                    .col(ApplicationScopes::Scope)
                    .col(ApplicationScopes::ApplicationId)
                    .to_owned(),
            )
            .await?;
        backfill(manager).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(ApplicationScopes::Table).to_owned()).await
    }
}

async fn backfill(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    let conn = manager.get_connection();
    let select = Query::select()
        .columns([Applications::Id, Applications::RequestedScopes, Applications::GrantedScopes])
        .from(Applications::Table)
        .to_owned();
    let mut rows: Vec<(String, &'static str, String)> = Vec::new();
    for row in conn.query_all(&select).await? {
        let id: String = row.try_get("", "id")?;
        let requested: String = row.try_get("", "requested_scopes")?;
        let granted: Option<String> = row.try_get("", "granted_scopes")?;
        for (kind, stored) in [("requested", requested), ("granted", granted.unwrap_or_default())] {
            let mut names = ScopeList::parse(&stored).into_names();
            names.sort();
            names.dedup();
            rows.extend(names.into_iter().map(|name| (id.clone(), kind, name)));
        }
    }
    for chunk in rows.chunks(BATCH) {
        let mut insert = Query::insert()
            .into_table(ApplicationScopes::Table)
            .columns([ApplicationScopes::ApplicationId, ApplicationScopes::Kind, ApplicationScopes::Scope])
            .to_owned();
        for (id, kind, name) in chunk {
            insert.values_panic([id.clone().into(), (*kind).into(), name.clone().into()]);
        }
        manager.exec_stmt(insert).await?;
    }
    Ok(())
}

#[derive(DeriveIden)]
enum Applications {
    Table,
    Id,
    RequestedScopes,
    GrantedScopes,
}

#[derive(DeriveIden)]
enum ApplicationScopes {
    Table,
    ApplicationId,
    Kind,
    Scope,
}
