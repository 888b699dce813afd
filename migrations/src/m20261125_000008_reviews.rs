use crate::m20261125_000001_accounts::Users;
use crate::m20261125_000006_applications::Applications;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The first version of the two checklists: (checklist, title, required, scopes it applies to; empty = all).
const SEED: &[(&str, &str, bool, &[&str])] = &[
    ("privacy", "The use case needs every requested data category (data minimisation)", true, &[]),
    (
        "privacy",
        "Recurring access is justified by a continuing need",
        true,
        &[
            "portability.profile.ongoing",
            "portability.posts.ongoing",
            "portability.connections.ongoing",
            "portability.activity.ongoing",
            "portability.direct_messages.ongoing",
            "portability.all.ongoing",
        ],
    ),
    ("privacy", "The method of telling EEA users apart is credible", true, &[]),
    ("privacy", "The consent mockups show which categories, one-time or recurring, and how to revoke", true, &[]),
    ("privacy", "Retention and deletion are defined", true, &[]),
    ("privacy", "The privacy policy covers this use of the data", true, &[]),
    ("privacy", "Sub-processors are listed", false, &[]),
    (
        "privacy",
        "Other people's messages are handled with their interests in mind",
        true,
        &[
            "portability.direct_messages.single",
            "portability.direct_messages.ongoing",
            "portability.all.single",
            "portability.all.ongoing",
        ],
    ),
    ("security", "Redirect URIs are https and exact", true, &[]),
    ("security", "Data is encrypted in transit and at rest", true, &[]),
    ("security", "Access to the data inside the app is restricted", true, &[]),
    ("security", "Client secrets are kept server side", true, &[]),
    ("security", "There is an incident-response contact", true, &[]),
    ("security", "The storage region is stated", true, &[]),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ChecklistTemplates::Table)
                    .col(string_len(ChecklistTemplates::Id, 36).primary_key())
                    // privacy | security
                    .col(string_len(ChecklistTemplates::Kind, 16))
                    .col(integer(ChecklistTemplates::Version))
                    .col(string_len_null(ChecklistTemplates::CreatedBy, 36))
                    .col(timestamp_with_time_zone(ChecklistTemplates::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_checklist_templates_version")
                    .table(ChecklistTemplates::Table)
                    .col(ChecklistTemplates::Kind)
                    .col(ChecklistTemplates::Version)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ChecklistItems::Table)
                    .col(string_len(ChecklistItems::Id, 36).primary_key())
                    .col(string_len(ChecklistItems::TemplateId, 36))
                    .col(integer(ChecklistItems::Position))
                    .col(string_len(ChecklistItems::Title, 300))
                    .col(text(ChecklistItems::Guidance))
                    .col(boolean(ChecklistItems::Required))
                    // Space-separated scope names; empty: every application.
                    .col(text(ChecklistItems::AppliesTo))
                    .foreign_key(
                        ForeignKey::create()
                            .from(ChecklistItems::Table, ChecklistItems::TemplateId)
                            .to(ChecklistTemplates::Table, ChecklistTemplates::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Reviews::Table)
                    .col(string_len(Reviews::Id, 36).primary_key())
                    .col(string_len(Reviews::ApplicationId, 36))
                    .col(string_len(Reviews::ReviewerId, 36))
                    .col(integer(Reviews::Revision))
                    // The template versions the review started with; later edits do not change it.
                    .col(string_len(Reviews::PrivacyTemplateId, 36))
                    .col(string_len(Reviews::SecurityTemplateId, 36))
                    .col(timestamp_with_time_zone(Reviews::StartedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Reviews::Table, Reviews::ApplicationId)
                            .to(Applications::Table, Applications::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create().from(Reviews::Table, Reviews::ReviewerId).to(Users::Table, Users::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_reviews_unique")
                    .table(Reviews::Table)
                    .col(Reviews::ApplicationId)
                    .col(Reviews::ReviewerId)
                    .col(Reviews::Revision)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ReviewVerdicts::Table)
                    .col(string_len(ReviewVerdicts::ReviewId, 36))
                    .col(string_len(ReviewVerdicts::ItemId, 36))
                    // pass | fail | na
                    .col(string_len(ReviewVerdicts::Verdict, 8))
                    .col(text(ReviewVerdicts::Note))
                    .col(timestamp_with_time_zone(ReviewVerdicts::UpdatedAt))
                    .primary_key(Index::create().col(ReviewVerdicts::ReviewId).col(ReviewVerdicts::ItemId))
                    .foreign_key(
                        ForeignKey::create()
                            .from(ReviewVerdicts::Table, ReviewVerdicts::ReviewId)
                            .to(Reviews::Table, Reviews::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Assignments::Table)
                    .col(string_len(Assignments::ApplicationId, 36))
                    .col(string_len(Assignments::ReviewerId, 36))
                    .col(string_len(Assignments::AssignedBy, 36))
                    .col(timestamp_with_time_zone(Assignments::AssignedAt))
                    .primary_key(Index::create().col(Assignments::ApplicationId).col(Assignments::ReviewerId))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Assignments::Table, Assignments::ApplicationId)
                            .to(Applications::Table, Applications::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Decisions::Table)
                    .col(string_len(Decisions::Id, 36).primary_key())
                    .col(string_len(Decisions::ApplicationId, 36))
                    .col(integer(Decisions::Revision))
                    // approve (a first approval of sensitive scopes waits for a second) |
                    // request_changes | reject
                    .col(string_len(Decisions::Kind, 20))
                    .col(text(Decisions::GrantedScopes))
                    .col(text(Decisions::Message))
                    .col(string_len(Decisions::DecidedBy, 36))
                    // Final decisions of a revision are unique: two reviewers deciding at once
                    // produce exactly one.
                    .col(string_len_null(Decisions::FinalKey, 60).unique_key())
                    .col(timestamp_with_time_zone(Decisions::DecidedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Decisions::Table, Decisions::ApplicationId)
                            .to(Applications::Table, Applications::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Applications::Table)
                    .add_column(text_null(ApplicationsReview::GrantedScopes))
                    .to_owned(),
            )
            .await?;
        for column in [
            integer(ApplicationsReview::ReviewUsedDays).default(0).to_owned(),
            timestamp_with_time_zone_null(ApplicationsReview::ReviewClockSince).to_owned(),
            timestamp_with_time_zone_null(ApplicationsReview::DueAt).to_owned(),
        ] {
            manager.alter_table(Table::alter().table(Applications::Table).add_column(column).to_owned()).await?;
        }
        seed(manager).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            ApplicationsReview::GrantedScopes,
            ApplicationsReview::ReviewUsedDays,
            ApplicationsReview::ReviewClockSince,
            ApplicationsReview::DueAt,
        ] {
            manager.alter_table(Table::alter().table(Applications::Table).drop_column(column).to_owned()).await?;
        }
        for table in [
            Decisions::Table.into_iden(),
            Assignments::Table.into_iden(),
            ReviewVerdicts::Table.into_iden(),
            Reviews::Table.into_iden(),
            ChecklistItems::Table.into_iden(),
            ChecklistTemplates::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}

async fn seed(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    for kind in ["privacy", "security"] {
        let template_id =
            format!("00000000-0000-7000-8000-{}", if kind == "privacy" { "000000000001" } else { "000000000002" });
        manager
            .exec_stmt(
                Query::insert()
                    .into_table(ChecklistTemplates::Table)
                    .columns([
                        ChecklistTemplates::Id,
                        ChecklistTemplates::Kind,
                        ChecklistTemplates::Version,
                        ChecklistTemplates::CreatedAt,
                    ])
                    .values_panic([template_id.clone().into(), kind.into(), 1.into(), Expr::current_timestamp()])
                    .to_owned(),
            )
            .await?;
        let mut insert = Query::insert()
            .into_table(ChecklistItems::Table)
            .columns([
                ChecklistItems::Id,
                ChecklistItems::TemplateId,
                ChecklistItems::Position,
                ChecklistItems::Title,
                ChecklistItems::Guidance,
                ChecklistItems::Required,
                ChecklistItems::AppliesTo,
            ])
            .to_owned();
        for (position, (_, title, required, applies_to)) in SEED.iter().filter(|(k, ..)| *k == kind).enumerate() {
            insert.values_panic([
                format!("00000000-0000-7000-{}-{position:012}", if kind == "privacy" { "8001" } else { "8002" }).into(),
                template_id.clone().into(),
                (position as i32).into(),
                (*title).into(),
                "".into(),
                (*required).into(),
                applies_to.join(" ").into(),
            ]);
        }
        manager.exec_stmt(insert).await?;
    }
    Ok(())
}

#[derive(DeriveIden)]
enum ChecklistTemplates {
    Table,
    Id,
    Kind,
    Version,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ChecklistItems {
    Table,
    Id,
    TemplateId,
    Position,
    Title,
    Guidance,
    Required,
    AppliesTo,
}

#[derive(DeriveIden)]
enum Reviews {
    Table,
    Id,
    ApplicationId,
    ReviewerId,
    Revision,
    PrivacyTemplateId,
    SecurityTemplateId,
    StartedAt,
}

#[derive(DeriveIden)]
enum ReviewVerdicts {
    Table,
    ReviewId,
    ItemId,
    Verdict,
    Note,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Assignments {
    Table,
    ApplicationId,
    ReviewerId,
    AssignedBy,
    AssignedAt,
}

#[derive(DeriveIden)]
enum Decisions {
    Table,
    Id,
    ApplicationId,
    Revision,
    Kind,
    GrantedScopes,
    Message,
    DecidedBy,
    FinalKey,
    DecidedAt,
}

#[derive(DeriveIden)]
enum ApplicationsReview {
    GrantedScopes,
    ReviewUsedDays,
    ReviewClockSince,
    DueAt,
}
