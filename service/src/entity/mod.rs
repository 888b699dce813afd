//! sea-orm entities, one module per table.

pub mod access_token;
pub mod application;
pub mod application_event;
pub mod application_message;
pub mod application_revision;
pub mod assignment;
pub mod audit_log;
pub mod checklist_item;
pub mod checklist_template;
pub mod credential;
pub mod credential_secret;
pub mod decision;
pub mod ended_sign_in;
pub mod gateway_key;
pub mod mail_outbox;
pub mod mockup;
pub mod org;
pub mod org_invitation;
pub mod org_member;
pub mod review;
pub mod review_verdict;
pub mod scope;
pub mod session;
pub mod user;
pub mod user_token;
