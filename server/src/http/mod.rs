//! HTTP plumbing shared by the JSON API and the web UI.

pub mod client_address;
pub mod error;
pub mod extract;
pub mod health;
pub mod middleware;
pub mod state;
pub mod timeouts;
