//! The `application_scopes` rows, kept in step with the scope columns of `applications` in the
//! transaction that writes them: the review queue filters by scope through these rows.

use crate::entity::{application, application_scope};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use std::collections::BTreeSet;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ScopeKind {
    Requested,
    Granted,
}

impl ScopeKind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            ScopeKind::Requested => "requested",
            ScopeKind::Granted => "granted",
        }
    }
}

/// Makes the application's rows of `kind` exactly `names`.
pub(crate) async fn replace<S: AsRef<str>>(
    conn: &impl ConnectionTrait,
    application_id: &str,
    kind: ScopeKind,
    names: &[S],
) -> Result<(), DbErr> {
    application_scope::Entity::delete_many()
        .filter(application_scope::Column::ApplicationId.eq(application_id))
        .filter(application_scope::Column::Kind.eq(kind.as_str()))
        .exec(conn)
        .await?;
    let names: BTreeSet<&str> = names.iter().map(AsRef::as_ref).collect();
    if names.is_empty() {
        return Ok(());
    }
    // Each row copies the application's sort keys as they stand in this transaction; a later
    // change to them reaches the rows through the `applications_scope_keys` trigger.
    for name in names {
        let keys = Query::select()
            .expr(Expr::val(application_id))
            .expr(Expr::val(kind.as_str()))
            .expr(Expr::val(name))
            .columns([application::Column::Status, application::Column::SubmittedAt, application::Column::DueAt])
            .from(application::Entity)
            .and_where(application::Column::Id.eq(application_id))
            .to_owned();
        let insert = Query::insert()
            .into_table(application_scope::Entity)
            .columns([
                application_scope::Column::ApplicationId,
                application_scope::Column::Kind,
                application_scope::Column::Scope,
                application_scope::Column::Status,
                application_scope::Column::SubmittedAt,
                application_scope::Column::DueAt,
            ])
            .select_from(keys)
            .map_err(|e| DbErr::Custom(e.to_string()))?
            .to_owned();
        conn.execute(&insert).await?;
    }
    Ok(())
}
