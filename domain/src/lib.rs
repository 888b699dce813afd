//! Domain rules of Portcullis.
//!
//! Everything here is plain Rust: no HTTP, no database, no clock of its own. The server
//! and the browser share these types so that input rules are the same on both sides.

pub mod account;
pub mod admin;
pub mod application;
pub mod audit;
pub mod credential;
pub mod device;
pub mod evidence;
pub mod ids;
#[cfg(feature = "markdown")]
pub mod markdown;
pub mod org;
pub mod passkey;
pub mod password;
pub mod rate_limit;
pub mod report;
pub mod review;
pub mod role;
pub mod second_factor;
pub mod sso;
pub mod time;
