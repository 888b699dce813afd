//! The `application_scopes` rows, kept in step with the scope columns of `applications` in the
//! transaction that writes them: the review queue filters by scope through these rows.

use crate::entity::application_scope;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
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
    application_scope::Entity::insert_many(names.into_iter().map(|name| application_scope::ActiveModel {
        application_id: Set(application_id.to_owned()),
        kind: Set(kind.as_str().to_owned()),
        scope: Set(name.to_owned()),
    }))
    .exec_without_returning(conn)
    .await?;
    Ok(())
}
