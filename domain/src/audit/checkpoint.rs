//! Signed checkpoints of the audit chain: what a checkpoint states, the exact bytes that are
//! signed, the public key's text form, when the next checkpoint is due, and what a verifier
//! concludes when a checkpoint and the stored records disagree.
//!
//! Everything here is pure, so an offline verifier (an evidence pack, a regulator's script)
//! rebuilds the same bytes with no database.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

/// A checkpoint is due once this many records are not covered by one…
pub const EVERY_RECORDS: i64 = 1_000;
/// …or once the oldest record not covered is this old.
pub const EVERY_SECONDS: i64 = 3_600;

/// First line of the signed statement: names the format, so another can follow.
const STATEMENT_HEADER: &str = "portcullis-audit-checkpoint v1";

/// The DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410); the 32 key bytes follow.
const SPKI_PREFIX: [u8; 12] = [0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00];

/// What the portal signs: the chain up to record `seq` ends in `hash`, and holds `records`
/// records; signed at `at` with the key `key_id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    pub seq: i64,
    /// The chain hash of record `seq` (hex SHA-256).
    pub hash: String,
    pub records: i64,
    /// RFC 3339 UTC, exactly as stored.
    pub at: String,
    pub key_id: String,
}

impl Statement {
    /// The exact bytes signed: one `name: value` line each, in this order, each ending in `\n`.
    pub fn payload(&self) -> String {
        format!(
            "{STATEMENT_HEADER}\nrecord: {}\nhash: {}\nrecords: {}\nat: {}\nkey: {}\n",
            self.seq, self.hash, self.records, self.at, self.key_id
        )
    }
}

/// The id of a public key: the first 8 bytes of its SHA-256, in hex.
pub fn key_id(public_key: &[u8; 32]) -> String {
    hex::encode(&Sha256::digest(public_key)[..8])
}

/// The public key as PEM (SubjectPublicKeyInfo, `-----BEGIN PUBLIC KEY-----`), as OpenSSL
/// writes and reads it.
pub fn public_key_pem(public_key: &[u8; 32]) -> String {
    let mut der = SPKI_PREFIX.to_vec();
    der.extend_from_slice(public_key);
    pem_encode("PUBLIC KEY", &der)
}

/// Reads a public key in the form [`public_key_pem`] writes.
pub fn parse_public_key_pem(text: &str) -> Result<[u8; 32], KeyTextError> {
    let der = pem_decode("PUBLIC KEY", text)?;
    der.strip_prefix(&SPKI_PREFIX[..]).and_then(|key| <[u8; 32]>::try_from(key).ok()).ok_or(KeyTextError::NotEd25519)
}

/// PEM text of `der` under `label`, with 64-character lines.
pub fn pem_encode(label: &str, der: &[u8]) -> String {
    let body = STANDARD.encode(der);
    let mut text = format!("-----BEGIN {label}-----\n");
    for line in body.as_bytes().chunks(64) {
        text.push_str(std::str::from_utf8(line).expect("base64 is ASCII"));
        text.push('\n');
    }
    text.push_str(&format!("-----END {label}-----\n"));
    text
}

/// The DER inside the one PEM block labelled `label`.
pub fn pem_decode(label: &str, text: &str) -> Result<Vec<u8>, KeyTextError> {
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let start = text.find(&begin).ok_or(KeyTextError::NotPem)? + begin.len();
    let stop = text[start..].find(&end).ok_or(KeyTextError::NotPem)? + start;
    let body: String = text[start..stop].chars().filter(|c| !c.is_ascii_whitespace()).collect();
    STANDARD.decode(body).map_err(|_| KeyTextError::NotPem)
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyTextError {
    #[error("not a PEM file")]
    NotPem,
    #[error("not an Ed25519 key")]
    NotEd25519,
}

/// The newest checkpoint, as the due rule needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Covered {
    pub seq: i64,
    pub records: i64,
}

/// Which record the next checkpoint covers, if one is due: every [`EVERY_RECORDS`] records
/// exactly (several after a burst, one call each), else the newest record once the oldest one
/// not covered is [`EVERY_SECONDS`] old. `oldest_uncovered_at` is the time of record
/// `last.seq + 1`.
pub fn due(
    head: i64,
    last: Option<Covered>,
    oldest_uncovered_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Option<i64> {
    let covered = last.map_or(0, |c| c.seq);
    if head <= covered {
        return None;
    }
    if head - covered >= EVERY_RECORDS {
        return Some(covered + EVERY_RECORDS);
    }
    let waited = oldest_uncovered_at.is_some_and(|at| (now - at).num_seconds() >= EVERY_SECONDS);
    waited.then_some(head)
}

/// Why a checkpoint does not vouch for the stored trail. Each names the checkpoint by the
/// record it covers.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointFault {
    #[error(
        "checkpoint of record {seq}: signed by another key ({found}), not this portal's ({expected}): a replaced key"
    )]
    OtherKey { seq: i64, found: String, expected: String },
    #[error("checkpoint of record {seq}: its signature does not match its content (the checkpoint was rewritten)")]
    BadSignature { seq: i64 },
    #[error(
        "checkpoint of record {seq}: record {seq} no longer has the signed hash: a record {span} was rewritten and \
         the chain re-hashed",
        span = rewritten_span(.seq, .after)
    )]
    Rewritten {
        seq: i64,
        /// The newest earlier checkpoint that still matches, which narrows the search.
        after: Option<i64>,
    },
    #[error(
        "checkpoint of record {seq}: record {seq} no longer exists (the trail ends at {last}): records were deleted"
    )]
    Missing { seq: i64, last: i64 },
    #[error("checkpoint of record {seq}: it counted {signed} records, the trail now holds {found} up to it")]
    Count { seq: i64, signed: i64, found: i64 },
}

/// Where the rewritten record must be: after the last checkpoint that still holds.
fn rewritten_span(seq: &i64, after: &Option<i64>) -> String {
    match after {
        Some(after) => format!("after {after} and up to {seq}"),
        None => format!("up to {seq}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn statement() -> Statement {
        Statement {
            seq: 1000,
            hash: "ab".repeat(32),
            records: 1000,
            at: "2026-12-01T10:00:00Z".into(),
            key_id: "0123456789abcdef".into(),
        }
    }

    #[test]
    fn the_signed_payload_is_one_line_per_field_in_a_fixed_order() {
        assert_eq!(
            statement().payload(),
            format!(
                "portcullis-audit-checkpoint v1\nrecord: 1000\nhash: {}\nrecords: 1000\nat: \
                 2026-12-01T10:00:00Z\nkey: 0123456789abcdef\n",
                "ab".repeat(32)
            )
        );
        let mut other = statement();
        other.records = 999;
        assert_ne!(other.payload(), statement().payload(), "every field is signed");
    }

    #[test]
    fn a_public_key_reads_back_from_its_pem_and_has_a_stable_id() {
        let key = [7u8; 32];
        let pem = public_key_pem(&key);
        assert!(pem.starts_with("-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA"), "{pem}");
        assert!(pem.ends_with("-----END PUBLIC KEY-----\n"));
        assert_eq!(parse_public_key_pem(&pem), Ok(key));
        assert_eq!(parse_public_key_pem(&format!("  \n{}", pem.replace('\n', "\r\n"))), Ok(key));
        assert_eq!(key_id(&key), key_id(&[7u8; 32]));
        assert_eq!(key_id(&key).len(), 16);
        assert_ne!(key_id(&key), key_id(&[8u8; 32]));
        assert_eq!(parse_public_key_pem("ed25519:abc"), Err(KeyTextError::NotPem));
        let rsa = pem_encode("PUBLIC KEY", &[0x30, 0x82, 0x01]);
        assert_eq!(parse_public_key_pem(&rsa), Err(KeyTextError::NotEd25519));
    }

    fn at(minutes_ago: i64, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        Some(now - chrono::Duration::minutes(minutes_ago))
    }

    #[test]
    fn a_checkpoint_is_due_every_thousand_records_or_after_an_hour_whichever_first() {
        let now = Utc::now();
        let last = Some(Covered { seq: 500, records: 500 });
        assert_eq!(due(0, None, None, now), None, "nothing to cover");
        assert_eq!(due(500, last, None, now), None, "all covered");
        assert_eq!(due(900, last, at(5, now), now), None, "neither many nor old");
        assert_eq!(due(1500, last, at(5, now), now), Some(1500), "a thousand records");
        assert_eq!(due(4200, last, at(5, now), now), Some(1500), "after a burst, one per thousand");
        assert_eq!(due(501, last, at(60, now), now), Some(501), "an hour old: the newest is covered");
        assert_eq!(due(10, None, at(59, now), now), None);
        assert_eq!(due(10, None, at(61, now), now), Some(10), "the first checkpoint too");
        assert_eq!(due(1000, None, at(1, now), now), Some(1000));
    }
}
