use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AuditLog::Table)
                    // Assigned by the writer under a lock, so the chain order is the sequence order.
                    .col(big_integer(AuditLog::Seq).primary_key())
                    // Stored as RFC 3339 text, exactly the string the hash covers.
                    .col(string_len(AuditLog::At, 32))
                    .col(string_len_null(AuditLog::ActorId, 36))
                    .col(string_len_null(AuditLog::ActorEmail, 254))
                    .col(string_len(AuditLog::Action, 64))
                    .col(string_len(AuditLog::ObjectType, 32))
                    .col(string_len_null(AuditLog::ObjectId, 64))
                    .col(string_len_null(AuditLog::Ip, 64))
                    .col(text(AuditLog::Details))
                    .col(string_len(AuditLog::PrevHash, 64))
                    .col(string_len(AuditLog::Hash, 64))
                    .to_owned(),
            )
            .await?;
        for (name, col) in [
            ("idx_audit_log_action", AuditLog::Action),
            ("idx_audit_log_actor", AuditLog::ActorId),
            ("idx_audit_log_object", AuditLog::ObjectId),
        ] {
            manager.create_index(Index::create().name(name).table(AuditLog::Table).col(col).to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(AuditLog::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum AuditLog {
    Table,
    Seq,
    At,
    ActorId,
    ActorEmail,
    Action,
    ObjectType,
    ObjectId,
    Ip,
    Details,
    PrevHash,
    Hash,
}
