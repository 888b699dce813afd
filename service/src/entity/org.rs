use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "orgs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub name: String,
    pub country: String,
    pub website: String,
    pub contact_email: String,
    pub created_by: String,
    pub created_at: DateTimeUtc,
    pub contact_verified_at: Option<DateTimeUtc>,
    pub contact_token_hash: Option<String>,
    pub contact_token_expires_at: Option<DateTimeUtc>,
    /// Bytes of every stored mockup of the organisation's applications: its upload quota's use.
    pub mockup_bytes: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
