//! sea-orm entities, one module per table.

pub mod audit_log;
pub mod mail_outbox;
pub mod session;
pub mod user;
pub mod user_token;
