//! Delivering one message: SMTP when configured, otherwise `.eml` files in a directory.

use crate::entity::mail_outbox;
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// Worth retrying later: connection refused, timeouts, 4xx replies.
    #[error("temporary: {0}")]
    Temporary(String),
    /// Retrying cannot help: 5xx replies, an unparseable address.
    #[error("permanent: {0}")]
    Permanent(String),
}

#[derive(Clone)]
pub enum MailTransport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Files(AsyncFileTransport<Tokio1Executor>),
}

impl std::fmt::Debug for MailTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MailTransport::Smtp(_) => f.write_str("MailTransport::Smtp"),
            MailTransport::Files(_) => f.write_str("MailTransport::Files"),
        }
    }
}

impl MailTransport {
    /// `smtp://host:port` (plain, for a local relay) or `smtps://user:pass@host:port`.
    pub fn smtp(url: &str) -> Result<Self, String> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| e.to_string())?
            .timeout(Some(Duration::from_secs(15)))
            .build();
        Ok(MailTransport::Smtp(transport))
    }

    pub fn files(dir: PathBuf) -> Self {
        MailTransport::Files(AsyncFileTransport::new(dir))
    }

    pub async fn send(&self, from: &Mailbox, mail: &mail_outbox::Model) -> Result<(), SendError> {
        let to: Mailbox = mail.to_addr.parse().map_err(|e| SendError::Permanent(format!("bad recipient: {e}")))?;
        let message = Message::builder()
            .from(from.clone())
            .to(to)
            .subject(mail.subject.clone())
            .message_id(Some(format!("<{}@portcullis>", mail.id)))
            .multipart(MultiPart::alternative_plain_html(mail.text_body.clone(), mail.html_body.clone()))
            .map_err(|e| SendError::Permanent(format!("cannot build message: {e}")))?;
        match self {
            MailTransport::Smtp(smtp) => smtp.send(message).await.map(drop).map_err(|e| {
                if e.is_permanent() { SendError::Permanent(e.to_string()) } else { SendError::Temporary(e.to_string()) }
            }),
            MailTransport::Files(files) => {
                files.send(message).await.map(drop).map_err(|e| SendError::Temporary(e.to_string()))
            }
        }
    }
}
