//! The audit trail's hash chain.
//!
//! Each record's hash covers its own fields and the previous record's hash, so changing,
//! removing or reordering any stored record breaks every link after it.
//!
//! Two formats: v1 hashes the previous hash with the fields' canonical JSON; v2 (every record
//! written since) hashes the previous hash with the SHA-256 of that JSON, so a record can be
//! shown linked into the chain by its content hash alone, without its content (an evidence
//! pack links one application's records to a checkpoint without revealing anyone else's).

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

/// How a record's hash is made; stored with the record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ChainFormat {
    /// `sha256(prev_hash + "\n" + canonical_json(fields))`: records written before v2.
    V1,
    /// `sha256(prev_hash + "\n" + sha256hex(canonical_json(fields)))`.
    V2,
}

impl ChainFormat {
    /// The format new records are written in.
    pub const CURRENT: ChainFormat = ChainFormat::V2;

    pub fn number(self) -> i16 {
        match self {
            ChainFormat::V1 => 1,
            ChainFormat::V2 => 2,
        }
    }

    pub fn from_number(number: i64) -> Result<Self, UnknownFormat> {
        match number {
            1 => Ok(ChainFormat::V1),
            2 => Ok(ChainFormat::V2),
            other => Err(UnknownFormat(other)),
        }
    }

    /// Hash of a record in this format given the previous record's hash (hex SHA-256).
    pub fn hash(self, prev_hash: &str, fields: &AuditFields<'_>) -> String {
        match self {
            ChainFormat::V1 => chain_hash(prev_hash, fields),
            ChainFormat::V2 => link_hash(prev_hash, &content_sha256(fields)),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown audit chain format {0}")]
pub struct UnknownFormat(pub i64);

fn canonical(fields: &AuditFields<'_>) -> String {
    serde_json::to_string(fields).expect("audit fields serialise")
}

/// A v1 record's hash given the previous record's hash (hex SHA-256).
pub fn chain_hash(prev_hash: &str, fields: &AuditFields<'_>) -> String {
    let mut hasher = Sha256::new();
    hasher.update(prev_hash.as_bytes());
    hasher.update(b"\n");
    hasher.update(canonical(fields).as_bytes());
    hex::encode(hasher.finalize())
}

/// What a v2 hash covers of a record's own fields: the SHA-256 of their canonical JSON, hex.
pub fn content_sha256(fields: &AuditFields<'_>) -> String {
    hex::encode(Sha256::digest(canonical(fields).as_bytes()))
}

/// A v2 record's hash from the previous hash and its [`content_sha256`].
pub fn link_hash(prev_hash: &str, content_sha256: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(prev_hash.as_bytes());
    hasher.update(b"\n");
    hasher.update(content_sha256.as_bytes());
    hex::encode(hasher.finalize())
}

/// A stored record as read back for verification.
#[derive(Debug, Clone)]
pub struct StoredLink<'a> {
    pub format: ChainFormat,
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
    #[error("record {seq}: unknown chain format {format}")]
    UnknownFormat { seq: i64, format: i64 },
}

/// Walks records in sequence order, carrying the expected previous hash; returns the first
/// broken link. The caller feeds records page by page and keeps the returned hash.
pub fn verify_link(expected_prev: &str, link: &StoredLink<'_>) -> Result<String, BrokenLink> {
    if link.prev_hash != expected_prev {
        return Err(BrokenLink::Unlinked { seq: link.fields.seq });
    }
    let computed = link.format.hash(link.prev_hash, &link.fields);
    if computed != link.hash {
        return Err(BrokenLink::Altered { seq: link.fields.seq });
    }
    Ok(computed)
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Owned {
        format: ChainFormat,
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
            StoredLink { format: self.format, fields: self.fields(), prev_hash: &self.prev_hash, hash: &self.hash }
        }
    }

    /// `n` records, the first `v1` of them in format v1, as a trail that predates v2.
    fn mixed_chain(n: i64, v1: i64) -> Vec<Owned> {
        let mut prev = GENESIS_HASH.to_owned();
        (1..=n)
            .map(|seq| {
                let mut r = Owned {
                    format: if seq <= v1 { ChainFormat::V1 } else { ChainFormat::V2 },
                    seq,
                    at: format!("2026-01-01T00:00:{seq:02}.000000Z"),
                    action: "user.login".into(),
                    details: format!("{{\"n\":{seq}}}"),
                    prev_hash: prev.clone(),
                    hash: String::new(),
                };
                r.hash = r.format.hash(&prev, &r.fields());
                prev = r.hash.clone();
                r
            })
            .collect()
    }

    fn chain(n: i64) -> Vec<Owned> {
        mixed_chain(n, n)
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
    fn a_trail_of_v1_then_v2_records_verifies_and_catches_an_alteration_in_either() {
        assert_eq!(verify(&mixed_chain(6, 3)), Ok(()));
        for seq in [2, 5] {
            let mut c = mixed_chain(6, 3);
            c[seq - 1].details = "{\"n\":99}".into();
            assert_eq!(verify(&c), Err(BrokenLink::Altered { seq: seq as i64 }));
        }
        // A v2 record presented as v1 (or back) no longer matches its hash.
        let mut c = mixed_chain(6, 3);
        c[4].format = ChainFormat::V1;
        assert_eq!(verify(&c), Err(BrokenLink::Altered { seq: 5 }));
    }

    #[test]
    fn a_v2_hash_follows_from_the_content_hash_alone() {
        let c = mixed_chain(2, 0);
        let fields = c[1].fields();
        assert_eq!(link_hash(&c[1].prev_hash, &content_sha256(&fields)), c[1].hash);
        assert_ne!(chain_hash(&c[1].prev_hash, &fields), c[1].hash, "the formats differ");
        assert_eq!(ChainFormat::from_number(2), Ok(ChainFormat::V2));
        assert_eq!(ChainFormat::from_number(3), Err(UnknownFormat(3)));
        assert_eq!(ChainFormat::from_number(i64::from(ChainFormat::CURRENT.number())), Ok(ChainFormat::CURRENT));
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
