//! An organisation's contact address is mailed only once someone at it has proved it is theirs:
//! otherwise anyone could make the portal mail any address by naming it as a contact.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            timestamp_with_time_zone_null(Orgs::ContactVerifiedAt),
            // The pending link's hash; one at a time, a new one replaces it.
            string_null(Orgs::ContactTokenHash),
            timestamp_with_time_zone_null(Orgs::ContactTokenExpiresAt),
        ] {
            manager.alter_table(Table::alter().table(Orgs::Table).add_column(column).to_owned()).await?;
        }
        // A contact address that is a member's own verified address was proved already.
        manager
            .get_connection()
            .execute_unprepared(
                "UPDATE orgs SET contact_verified_at = created_at WHERE EXISTS (\
                 SELECT 1 FROM org_members m JOIN users u ON u.id = m.user_id \
                 WHERE m.org_id = orgs.id AND u.email = orgs.contact_email AND u.email_verified_at IS NOT NULL)",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [Orgs::ContactTokenExpiresAt, Orgs::ContactTokenHash, Orgs::ContactVerifiedAt] {
            manager.alter_table(Table::alter().table(Orgs::Table).drop_column(column).to_owned()).await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Orgs {
    Table,
    ContactVerifiedAt,
    ContactTokenHash,
    ContactTokenExpiresAt,
}
