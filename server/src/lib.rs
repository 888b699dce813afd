//! The `portcullis` binary's library: configuration, the HTTP application (JSON API, web UI,
//! middleware), background workers and the command line.

pub mod api;
pub mod cli;
pub mod config;
pub mod http;
pub mod oauth;
pub mod sso;
pub mod startup;
pub mod telemetry;
pub mod well_known;
pub mod workers;
