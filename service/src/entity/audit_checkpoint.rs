use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_checkpoint")]
pub struct Model {
    /// The record covered.
    #[sea_orm(primary_key, auto_increment = false)]
    pub seq: i64,
    pub hash: String,
    pub records: i64,
    pub at: String,
    pub key_id: String,
    /// Ed25519 over the statement's payload, base64.
    pub signature: String,
}

impl Model {
    pub fn statement(&self) -> portcullis_domain::audit::checkpoint::Statement {
        portcullis_domain::audit::checkpoint::Statement {
            seq: self.seq,
            hash: self.hash.clone(),
            records: self.records,
            at: self.at.clone(),
            key_id: self.key_id.clone(),
        }
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
