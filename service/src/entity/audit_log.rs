use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_log")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub seq: i64,
    pub at: String,
    pub actor_id: Option<String>,
    pub actor_email: Option<String>,
    pub action: String,
    pub object_type: String,
    pub object_id: Option<String>,
    pub ip: Option<String>,
    pub details: String,
    pub prev_hash: String,
    pub hash: String,
    /// How `hash` is made: [`portcullis_domain::audit::ChainFormat`]'s number.
    pub format: i16,
}

impl Model {
    pub fn fields(&self) -> portcullis_domain::audit::AuditFields<'_> {
        portcullis_domain::audit::AuditFields {
            seq: self.seq,
            at: &self.at,
            actor_id: self.actor_id.as_deref(),
            actor_email: self.actor_email.as_deref(),
            action: &self.action,
            object_type: &self.object_type,
            object_id: self.object_id.as_deref(),
            ip: self.ip.as_deref(),
            details: &self.details,
        }
    }

    /// The record as the chain check reads it; an unknown format is a broken link, never a guess.
    pub fn link(&self) -> Result<portcullis_domain::audit::StoredLink<'_>, portcullis_domain::audit::BrokenLink> {
        let format = portcullis_domain::audit::ChainFormat::from_number(self.format.into())
            .map_err(|e| portcullis_domain::audit::BrokenLink::UnknownFormat { seq: self.seq, format: e.0 })?;
        Ok(portcullis_domain::audit::StoredLink {
            format,
            fields: self.fields(),
            prev_hash: &self.prev_hash,
            hash: &self.hash,
        })
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
