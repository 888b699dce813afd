//! Outgoing mail: written to the outbox in the caller's transaction, sent by a worker.

pub mod outbox;
pub mod templates;
pub mod transport;
pub mod worker;

pub use outbox::{OutgoingMail, enqueue};
pub use transport::{MailTransport, SendError};
