use crate::m20261125_000001_accounts::Users;
use crate::m20261125_000005_organisations::Orgs;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn belongs_to_application(
    table: impl IntoIden + 'static,
    column: impl IntoIden + 'static,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(table, column)
        .to(Applications::Table, Applications::Id)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Applications::Table)
                    .col(string_len(Applications::Id, 36).primary_key())
                    .col(string_len(Applications::OrgId, 36))
                    // Quoted in mail and on the status page.
                    .col(string_len_uniq(Applications::Reference, 20))
                    .col(string_len(Applications::Name, 100))
                    .col(string_len(Applications::Status, 32))
                    // The whole form as JSON; every submission also freezes a copy as a revision.
                    .col(text(Applications::Content))
                    // Space-separated requested scope names, for filtering lists.
                    .col(text(Applications::RequestedScopes))
                    // Optimistic concurrency for drafts edited in several tabs or by several members.
                    .col(integer(Applications::Version).default(1))
                    .col(integer(Applications::Revision).default(0))
                    .col(string_len(Applications::CreatedBy, 36))
                    .col(timestamp_with_time_zone(Applications::CreatedAt))
                    .col(timestamp_with_time_zone(Applications::UpdatedAt))
                    .col(timestamp_with_time_zone_null(Applications::SubmittedAt))
                    .foreign_key(
                        ForeignKey::create().from(Applications::Table, Applications::OrgId).to(Orgs::Table, Orgs::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Applications::Table, Applications::CreatedBy)
                            .to(Users::Table, Users::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_applications_org")
                    .table(Applications::Table)
                    .col(Applications::OrgId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_applications_status")
                    .table(Applications::Table)
                    .col(Applications::Status)
                    .col(Applications::SubmittedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ApplicationRevisions::Table)
                    .col(string_len(ApplicationRevisions::Id, 36).primary_key())
                    .col(string_len(ApplicationRevisions::ApplicationId, 36))
                    .col(integer(ApplicationRevisions::Number))
                    .col(text(ApplicationRevisions::Snapshot))
                    .col(string_len(ApplicationRevisions::SubmittedBy, 36))
                    .col(timestamp_with_time_zone(ApplicationRevisions::SubmittedAt))
                    .foreign_key(&mut belongs_to_application(
                        ApplicationRevisions::Table,
                        ApplicationRevisions::ApplicationId,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_application_revisions_number")
                    .table(ApplicationRevisions::Table)
                    .col(ApplicationRevisions::ApplicationId)
                    .col(ApplicationRevisions::Number)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Mockups::Table)
                    .col(string_len(Mockups::Id, 36).primary_key())
                    .col(string_len(Mockups::ApplicationId, 36))
                    .col(string_len(Mockups::Label, 80))
                    .col(string_len(Mockups::ContentType, 32))
                    .col(big_integer(Mockups::Size))
                    .col(string_len(Mockups::Sha256, 64))
                    // Generated name in the storage backend; never derived from user input.
                    .col(string_len(Mockups::StorageKey, 100))
                    .col(integer_null(Mockups::Width))
                    .col(integer_null(Mockups::Height))
                    .col(string_len(Mockups::UploadedBy, 36))
                    .col(timestamp_with_time_zone(Mockups::CreatedAt))
                    // Removed from the draft; the file stays for earlier revisions and the record.
                    .col(timestamp_with_time_zone_null(Mockups::DeletedAt))
                    .foreign_key(&mut belongs_to_application(Mockups::Table, Mockups::ApplicationId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_mockups_application")
                    .table(Mockups::Table)
                    .col(Mockups::ApplicationId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ApplicationMessages::Table)
                    .col(string_len(ApplicationMessages::Id, 36).primary_key())
                    .col(string_len(ApplicationMessages::ApplicationId, 36))
                    .col(string_len(ApplicationMessages::AuthorId, 36))
                    // applicant | reviewer: which side of the conversation wrote it.
                    .col(string_len(ApplicationMessages::Side, 16))
                    .col(text(ApplicationMessages::Body))
                    .col(timestamp_with_time_zone(ApplicationMessages::CreatedAt))
                    .foreign_key(&mut belongs_to_application(
                        ApplicationMessages::Table,
                        ApplicationMessages::ApplicationId,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_application_messages_application")
                    .table(ApplicationMessages::Table)
                    .col(ApplicationMessages::ApplicationId)
                    .col(ApplicationMessages::CreatedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ApplicationEvents::Table)
                    .col(big_integer(ApplicationEvents::Seq).primary_key().auto_increment())
                    .col(string_len(ApplicationEvents::ApplicationId, 36))
                    .col(string_len(ApplicationEvents::Kind, 32))
                    .col(string_len_null(ApplicationEvents::ActorId, 36))
                    .col(text(ApplicationEvents::Details))
                    .col(timestamp_with_time_zone(ApplicationEvents::At))
                    .foreign_key(&mut belongs_to_application(
                        ApplicationEvents::Table,
                        ApplicationEvents::ApplicationId,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_application_events_application")
                    .table(ApplicationEvents::Table)
                    .col(ApplicationEvents::ApplicationId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            ApplicationEvents::Table.into_iden(),
            ApplicationMessages::Table.into_iden(),
            Mockups::Table.into_iden(),
            ApplicationRevisions::Table.into_iden(),
            Applications::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
pub enum Applications {
    Table,
    Id,
    OrgId,
    Reference,
    Name,
    Status,
    Content,
    RequestedScopes,
    Version,
    Revision,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
    SubmittedAt,
}

#[derive(DeriveIden)]
enum ApplicationRevisions {
    Table,
    Id,
    ApplicationId,
    Number,
    Snapshot,
    SubmittedBy,
    SubmittedAt,
}

#[derive(DeriveIden)]
enum Mockups {
    Table,
    Id,
    ApplicationId,
    Label,
    ContentType,
    Size,
    Sha256,
    StorageKey,
    Width,
    Height,
    UploadedBy,
    CreatedAt,
    DeletedAt,
}

#[derive(DeriveIden)]
enum ApplicationMessages {
    Table,
    Id,
    ApplicationId,
    AuthorId,
    Side,
    Body,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ApplicationEvents {
    Table,
    Seq,
    ApplicationId,
    Kind,
    ActorId,
    Details,
    At,
}
