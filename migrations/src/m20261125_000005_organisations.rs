use crate::m20261125_000001_accounts::Users;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Orgs::Table)
                    .col(string_len(Orgs::Id, 36).primary_key())
                    .col(string_len(Orgs::Name, 200))
                    .col(string_len(Orgs::Country, 2))
                    .col(string_len(Orgs::Website, 2048))
                    .col(string_len(Orgs::ContactEmail, 254))
                    .col(string_len(Orgs::CreatedBy, 36))
                    .col(timestamp_with_time_zone(Orgs::CreatedAt))
                    .foreign_key(ForeignKey::create().from(Orgs::Table, Orgs::CreatedBy).to(Users::Table, Users::Id))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(OrgMembers::Table)
                    .col(string_len(OrgMembers::OrgId, 36))
                    .col(string_len(OrgMembers::UserId, 36))
                    // owner | member
                    .col(string_len(OrgMembers::Role, 16))
                    .col(timestamp_with_time_zone(OrgMembers::JoinedAt))
                    .primary_key(Index::create().col(OrgMembers::OrgId).col(OrgMembers::UserId))
                    .foreign_key(
                        ForeignKey::create()
                            .from(OrgMembers::Table, OrgMembers::OrgId)
                            .to(Orgs::Table, Orgs::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(OrgMembers::Table, OrgMembers::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_org_members_user")
                    .table(OrgMembers::Table)
                    .col(OrgMembers::UserId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(OrgInvitations::Table)
                    .col(string_len(OrgInvitations::Id, 36).primary_key())
                    .col(string_len(OrgInvitations::OrgId, 36))
                    .col(string_len(OrgInvitations::Email, 254))
                    .col(string_len(OrgInvitations::Role, 16))
                    // SHA-256 of the token mailed to the invitee.
                    .col(string_len_uniq(OrgInvitations::TokenHash, 64))
                    .col(string_len(OrgInvitations::InvitedBy, 36))
                    .col(timestamp_with_time_zone(OrgInvitations::CreatedAt))
                    .col(timestamp_with_time_zone(OrgInvitations::ExpiresAt))
                    .col(timestamp_with_time_zone_null(OrgInvitations::AcceptedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(OrgInvitations::Table, OrgInvitations::OrgId)
                            .to(Orgs::Table, Orgs::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_org_invitations_org")
                    .table(OrgInvitations::Table)
                    .col(OrgInvitations::OrgId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(OrgInvitations::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(OrgMembers::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(Orgs::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
pub enum Orgs {
    Table,
    Id,
    Name,
    Country,
    Website,
    ContactEmail,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum OrgMembers {
    Table,
    OrgId,
    UserId,
    Role,
    JoinedAt,
}

#[derive(DeriveIden)]
enum OrgInvitations {
    Table,
    Id,
    OrgId,
    Email,
    Role,
    TokenHash,
    InvitedBy,
    CreatedAt,
    ExpiresAt,
    AcceptedAt,
}
