//! The audit trail's hash chain.
//!
//! Each record's hash covers its own fields and the previous record's hash, so changing,
//! removing or reordering any stored record breaks every link after it.

pub mod checkpoint;

use serde::Serialize;
use sha2::{Digest, Sha256};

/// The hash the first record points back to.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The fields a record's hash covers, in their stored form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditFields<'a> {
    pub seq: i64,
    /// RFC 3339 UTC with microseconds, exactly as stored.
    pub at: &'a str,
    pub actor_id: Option<&'a str>,
    pub actor_email: Option<&'a str>,
    pub action: &'a str,
    pub object_type: &'a str,
    pub object_id: Option<&'a str>,
    pub ip: Option<&'a str>,
    /// Canonical JSON text, exactly as stored.
    pub details: &'a str,
}

/// Hash of a record given the previous record's hash (hex SHA-256).
pub fn chain_hash(prev_hash: &str, fields: &AuditFields<'_>) -> String {
    let canonical = serde_json::to_string(fields).expect("audit fields serialise");
    let mut hasher = Sha256::new();
    hasher.update(prev_hash.as_bytes());
    hasher.update(b"\n");
    hasher.update(canonical.as_bytes());
    hex::encode(hasher.finalize())
}

/// A stored record as read back for verification.
#[derive(Debug, Clone)]
pub struct StoredLink<'a> {
    pub fields: AuditFields<'a>,
    pub prev_hash: &'a str,
    pub hash: &'a str,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BrokenLink {
    #[error("record {seq}: its content does not match its hash (altered)")]
    Altered { seq: i64 },
    #[error("record {seq}: it does not point to the previous record's hash (removed or reordered)")]
    Unlinked { seq: i64 },
}

/// Walks records in sequence order, carrying the expected previous hash; returns the first
/// broken link. The caller feeds records page by page and keeps the returned hash.
pub fn verify_link(expected_prev: &str, link: &StoredLink<'_>) -> Result<String, BrokenLink> {
    if link.prev_hash != expected_prev {
        return Err(BrokenLink::Unlinked { seq: link.fields.seq });
    }
    let computed = chain_hash(link.prev_hash, &link.fields);
    if computed != link.hash {
        return Err(BrokenLink::Altered { seq: link.fields.seq });
    }
    Ok(computed)
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Owned {
        seq: i64,
        at: String,
        action: String,
        details: String,
        prev_hash: String,
        hash: String,
    }

    impl Owned {
        fn fields(&self) -> AuditFields<'_> {
            AuditFields {
                seq: self.seq,
                at: &self.at,
                actor_id: Some("u1"),
                actor_email: Some("ada@example.com"),
                action: &self.action,
                object_type: "user",
                object_id: Some("u2"),
                ip: Some("127.0.0.1"),
                details: &self.details,
            }
        }
        fn link(&self) -> StoredLink<'_> {
            StoredLink { fields: self.fields(), prev_hash: &self.prev_hash, hash: &self.hash }
        }
    }

    fn chain(n: i64) -> Vec<Owned> {
        let mut prev = GENESIS_HASH.to_owned();
        (1..=n)
            .map(|seq| {
                let mut r = Owned {
                    seq,
                    at: format!("2026-01-01T00:00:{seq:02}.000000Z"),
                    action: "user.login".into(),
                    details: format!("{{\"n\":{seq}}}"),
                    prev_hash: prev.clone(),
                    hash: String::new(),
                };
                r.hash = chain_hash(&prev, &r.fields());
                prev = r.hash.clone();
                r
            })
            .collect()
    }

    fn verify(records: &[Owned]) -> Result<(), BrokenLink> {
        let mut prev = GENESIS_HASH.to_owned();
        for r in records {
            prev = verify_link(&prev, &r.link())?;
        }
        Ok(())
    }

    #[test]
    fn an_intact_chain_verifies() {
        assert_eq!(verify(&chain(5)), Ok(()));
        assert_eq!(verify(&[]), Ok(()));
    }

    #[test]
    fn hash_is_deterministic_and_covers_every_field() {
        let r = &chain(1)[0];
        assert_eq!(chain_hash(GENESIS_HASH, &r.fields()), r.hash);
        let mut f = r.fields();
        f.ip = Some("10.0.0.1");
        assert_ne!(chain_hash(GENESIS_HASH, &f), r.hash);
        assert_ne!(chain_hash(&"1".repeat(64), &r.fields()), r.hash);
    }

    #[test]
    fn an_altered_record_is_the_first_broken_link() {
        let mut c = chain(5);
        c[2].details = "{\"n\":99}".into();
        assert_eq!(verify(&c), Err(BrokenLink::Altered { seq: 3 }));
    }

    #[test]
    fn a_removed_record_breaks_the_next_link() {
        let mut c = chain(5);
        c.remove(1);
        assert_eq!(verify(&c), Err(BrokenLink::Unlinked { seq: 3 }));
    }

    #[test]
    fn a_rehashed_forgery_still_breaks_the_following_link() {
        let mut c = chain(4);
        c[1].action = "user.roles_changed".into();
        c[1].hash = chain_hash(&c[1].prev_hash, &c[1].fields());
        assert_eq!(verify(&c), Err(BrokenLink::Unlinked { seq: 3 }));
    }
}
