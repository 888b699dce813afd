use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "review_verdicts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub review_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub item_id: String,
    pub verdict: String,
    pub note: String,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
