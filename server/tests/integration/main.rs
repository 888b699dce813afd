//! The integration suite: the real server on SQLite or PostgreSQL, driven over HTTP, as one test
//! binary (one link, one file on disk) with a module per area.

mod common;

mod accounts;
mod admin;
mod appeal_attachments;
mod appeals;
mod applications;
mod audit;
mod auditor;
mod checklists;
mod cli;
mod credentials;
mod demo_world;
mod devices;
mod evidence;
mod faults;
mod harness;
mod limits;
mod mail;
mod messages;
mod mockup_downloads;
mod mockups;
mod orgs;
mod paging;
mod passkeys;
mod queue;
mod races;
mod reports;
mod review;
mod second_factors;
mod secrets;
mod security;
mod sessions;
mod sso;
mod url_errors;
mod verification;
