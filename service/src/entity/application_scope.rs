use sea_orm::entity::prelude::*;

/// The scopes an application requests and was granted, one row each: the index the review
/// queue filters through. `applications.requested_scopes` and `granted_scopes` hold the same.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "application_scopes")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub application_id: String,
    /// `requested` or `granted`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub kind: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub scope: String,
    /// The application's, copied on insert and by a trigger when it changes: the queue's
    /// count reads a scope's rows from one index without visiting the applications.
    pub status: Option<String>,
    pub submitted_at: Option<DateTimeUtc>,
    pub due_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
