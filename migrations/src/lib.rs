//! Database migrations, run at start-up and by `portcullis migrate`.

pub use sea_orm_migration::prelude::*;

mod m20261125_000001_accounts;
mod m20261125_000002_sessions;
mod m20261125_000003_mail_outbox;
mod m20261125_000004_audit_log;
mod m20261125_000005_organisations;
mod m20261125_000006_applications;
mod m20261125_000007_scopes;
mod m20261125_000008_reviews;
mod m20261125_000009_queue_indexes;
mod m20261125_000010_credentials;
mod m20261130_000011_secret_collection;
mod m20261130_000013_password_epoch;
mod m20261130_000014_org_contact_verification;
mod m20261130_000015_ended_sign_ins;
mod m20261130_000016_secret_generations;
mod m20261201_000017_mockup_thumbnails;
mod m20261201_000018_second_factors;
mod m20261201_000019_sso_identities;
mod m20261201_000020_passkeys;
mod m20261201_000021_known_devices;
mod m20261201_000022_sealed_totp_secrets;
mod m20261201_000023_application_scopes;
mod m20261201_000024_audit_checkpoints;
mod m20261201_000025_due_index;
mod m20261201_000026_org_mockup_bytes;
mod m20261201_000027_scope_sort_keys;
mod m20261201_000028_audit_chain_format;
mod m20261201_000029_appeals;
mod m20261201_000030_report_indexes;
mod m20261201_000031_appeal_attachments;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261125_000001_accounts::Migration),
            Box::new(m20261125_000002_sessions::Migration),
            Box::new(m20261125_000003_mail_outbox::Migration),
            Box::new(m20261125_000004_audit_log::Migration),
            Box::new(m20261125_000005_organisations::Migration),
            Box::new(m20261125_000006_applications::Migration),
            Box::new(m20261125_000007_scopes::Migration),
            Box::new(m20261125_000008_reviews::Migration),
            Box::new(m20261125_000009_queue_indexes::Migration),
            Box::new(m20261125_000010_credentials::Migration),
            Box::new(m20261130_000011_secret_collection::Migration),
            Box::new(m20261130_000013_password_epoch::Migration),
            Box::new(m20261130_000014_org_contact_verification::Migration),
            Box::new(m20261130_000015_ended_sign_ins::Migration),
            Box::new(m20261130_000016_secret_generations::Migration),
            Box::new(m20261201_000017_mockup_thumbnails::Migration),
            Box::new(m20261201_000018_second_factors::Migration),
            Box::new(m20261201_000019_sso_identities::Migration),
            Box::new(m20261201_000020_passkeys::Migration),
            Box::new(m20261201_000021_known_devices::Migration),
            Box::new(m20261201_000022_sealed_totp_secrets::Migration),
            Box::new(m20261201_000023_application_scopes::Migration),
            Box::new(m20261201_000024_audit_checkpoints::Migration),
            Box::new(m20261201_000025_due_index::Migration),
            Box::new(m20261201_000026_org_mockup_bytes::Migration),
            Box::new(m20261201_000027_scope_sort_keys::Migration),
            Box::new(m20261201_000028_audit_chain_format::Migration),
            Box::new(m20261201_000029_appeals::Migration),
            Box::new(m20261201_000030_report_indexes::Migration),
            Box::new(m20261201_000031_appeal_attachments::Migration),
        ]
    }
}
