//! Evidence packs: one ZIP per application that a regulator checks offline, with only the
//! portal's public key. This module holds the pack's layout, its manifest, the audit links it
//! carries, and the whole offline check, so the portal that writes a pack and the verifier that
//! reads one agree by construction.
//!
//! What vouches for what: every file is listed in `manifest.json` with its size and SHA-256; the
//! manifest itself is not signed, so the digests of the content files are also in the details of
//! the pack's own `evidence.exported` audit record, which is chained and covered by a checkpoint
//! the portal signed. A forger who edits a file and its manifest line still breaks that record's
//! hash, or the chain from it to the signed checkpoint.

pub mod summary;

use crate::audit::checkpoint::{CheckpointFault, Statement};
use crate::audit::{AuditFields, ChainFormat, link_hash};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};

/// The manifest's `format`: names the layout, so another can follow.
pub const FORMAT: &str = "portcullis-evidence-pack";
pub const VERSION: u32 = 1;
/// The manifest's path; it lists every other file.
pub const MANIFEST: &str = "manifest.json";
/// The audit records and their links to signed checkpoints.
pub const CHAIN: &str = "audit/chain.json";
/// The index of the mockups, by SHA-256, with the revisions that hold each.
pub const MOCKUP_INDEX: &str = "mockups/index.json";
/// Where mockups are, each named `<sha256>.<ext>`.
pub const MOCKUP_DIR: &str = "mockups/";
/// Where the files attached to appeals are, each named `<sha256>.<ext>`; `appeals.json` lists
/// them under their appeal.
pub const APPEAL_ATTACHMENT_DIR: &str = "appeals/";
/// The action of the audit record each export writes; its details vouch for the files.
pub const EXPORT_ACTION: &str = "evidence.exported";

/// Which audit records concern an application, stated in the pack: the rule the portal used.
pub const RECORD_RULE: &str = "Records whose object is the application (object_type \"application\" and object_id its \
     id): its creation, edits, submissions, assignments, verdicts, decisions, messages, credentials (issued, \
     collected, rotated, narrowed, suspended, revoked) and every auditor's reading of it; and records whose \
     object is one of its mockups (object_type \"mockup\"). Records between them and the checkpoint that covers \
     them appear by their content hash alone (format 2), or whole when they predate format 2.";

/// `manifest.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub version: u32,
    pub application_id: String,
    /// RFC 3339 UTC.
    pub generated_at: String,
    /// The id of the key the pack's checkpoints are signed with.
    pub key_id: String,
    pub files: Vec<ManifestFile>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestFile {
    pub path: String,
    pub size: u64,
    pub sha256: String,
}

impl ManifestFile {
    pub fn of(path: impl Into<String>, content: &[u8]) -> Self {
        Self { path: path.into(), size: content.len() as u64, sha256: sha256_hex(content) }
    }
}

pub fn sha256_hex(content: &[u8]) -> String {
    hex::encode(Sha256::digest(content))
}

/// `audit/chain.json`: the rule, and one segment per checkpoint that covers a record of the
/// application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainFile {
    pub rule: String,
    pub segments: Vec<Segment>,
}

/// Consecutive records, from the first record of the application after the previous segment's
/// checkpoint up to the record `checkpoint` covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Segment {
    pub checkpoint: SignedCheckpoint,
    pub links: Vec<Link>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedCheckpoint {
    pub seq: i64,
    pub hash: String,
    pub records: i64,
    pub at: String,
    pub key_id: String,
    /// Ed25519 over [`Statement::payload`], base64.
    pub signature: String,
}

impl SignedCheckpoint {
    pub fn statement(&self) -> Statement {
        Statement {
            seq: self.seq,
            hash: self.hash.clone(),
            records: self.records,
            at: self.at.clone(),
            key_id: self.key_id.clone(),
        }
    }
}

/// One record of the chain, whole or by its content hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Link {
    /// Every field: a record of the application, or one between that predates format 2.
    Record(PackRecord),
    /// A format-2 record of someone else's: only what links it.
    Hashed { seq: i64, prev_hash: String, content_sha256: String, hash: String },
}

impl Link {
    pub fn seq(&self) -> i64 {
        match self {
            Link::Record(record) => record.seq,
            Link::Hashed { seq, .. } => *seq,
        }
    }
}

/// An audit record with every chain field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackRecord {
    /// Whether it concerns the application (see [`RECORD_RULE`]), or only links.
    pub concerns: bool,
    /// [`ChainFormat`]'s number.
    pub format: i64,
    pub seq: i64,
    pub at: String,
    pub actor_id: Option<String>,
    pub actor_email: Option<String>,
    pub action: String,
    pub object_type: String,
    pub object_id: Option<String>,
    pub ip: Option<String>,
    /// Canonical JSON text, exactly as stored and hashed.
    pub details: String,
    pub prev_hash: String,
    pub hash: String,
}

impl PackRecord {
    pub fn fields(&self) -> AuditFields<'_> {
        AuditFields {
            seq: self.seq,
            at: &self.at,
            actor_id: self.actor_id.as_deref(),
            actor_email: self.actor_email.as_deref(),
            action: &self.action,
            object_type: &self.object_type,
            object_id: self.object_id.as_deref(),
            ip: self.ip.as_deref(),
            details: &self.details,
        }
    }
}

/// The details of the `evidence.exported` record: the SHA-256 of every file but the manifest
/// and the chain (which holds this record).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportDetails {
    pub files: BTreeMap<String, String>,
}

/// What an intact pack holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub application_id: String,
    pub files: usize,
    /// Records of the application.
    pub records: usize,
    /// The records the signed checkpoints cover, in order.
    pub checkpoints: Vec<i64>,
}

/// The first thing wrong with a pack.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PackFault {
    #[error("{MANIFEST}: missing")]
    NoManifest,
    #[error("{path}: not readable: {reason}")]
    Unreadable { path: String, reason: String },
    #[error("{MANIFEST}: not a {FORMAT} v{VERSION} manifest")]
    WrongFormat,
    #[error("{MANIFEST}: {path} is listed twice")]
    ListedTwice { path: String },
    #[error("{path}: in the pack twice")]
    Twice { path: String },
    #[error("{path}: listed in the manifest but not in the pack")]
    Missing { path: String },
    #[error("{path}: in the pack but not listed in the manifest")]
    Unlisted { path: String },
    #[error("{path}: {found} bytes, the manifest says {listed}")]
    Size { path: String, listed: u64, found: u64 },
    #[error("{path}: its content does not match its SHA-256 in the manifest (altered)")]
    Digest { path: String },
    #[error("{path}: a mockup or appeal attachment must be named by its content's SHA-256")]
    MockupName { path: String },
    #[error("{CHAIN}: segment {index} links no record")]
    EmptySegment { index: usize },
    #[error("{CHAIN}: audit record {seq} appears out of order")]
    OutOfOrder { seq: i64 },
    #[error("audit record {seq}: unknown chain format {format}")]
    UnknownFormat { seq: i64, format: i64 },
    #[error("audit record {seq}: its content does not match its hash (altered)")]
    Altered { seq: i64 },
    #[error("audit record {seq}: it does not point to the previous record's hash (removed or reordered)")]
    Unlinked { seq: i64 },
    #[error("audit record {seq}: the chain does not end in the record its checkpoint {checkpoint} covers")]
    NotCovered { seq: i64, checkpoint: i64 },
    #[error("{0}")]
    Checkpoint(CheckpointFault),
    #[error("{CHAIN}: no {EXPORT_ACTION} record of application {application_id} vouches for the files")]
    NoExportRecord { application_id: String },
    #[error("{path}: its SHA-256 is not the one the signed {EXPORT_ACTION} record {seq} gives")]
    NotVouched { path: String, seq: i64 },
}

/// Checks a pack read into memory (`files`: path → content), with `check_signature` saying
/// whether a checkpoint's signature is the portal's. Reports the first fault: the files against
/// the manifest, then every audit record's hash and link up to a signed checkpoint, then that
/// the signed export record vouches for every file.
pub fn verify(
    files: &BTreeMap<String, Vec<u8>>,
    check_signature: impl Fn(&Statement, &str) -> Result<(), CheckpointFault>,
) -> Result<Verified, PackFault> {
    let manifest = read_manifest(files)?;
    check_files(&manifest, files)?;
    let chain: ChainFile = parse(CHAIN, files.get(CHAIN).ok_or(PackFault::Missing { path: CHAIN.into() })?)?;
    let checkpoints = check_chain(&chain, check_signature)?;
    check_vouched(&manifest, &chain)?;
    let records = records(&chain).filter(|r| r.concerns).count();
    Ok(Verified { application_id: manifest.application_id, files: manifest.files.len(), records, checkpoints })
}

fn parse<T: serde::de::DeserializeOwned>(path: &str, content: &[u8]) -> Result<T, PackFault> {
    serde_json::from_slice(content).map_err(|e| PackFault::Unreadable { path: path.into(), reason: e.to_string() })
}

/// The manifest, if present and of this format.
pub fn read_manifest(files: &BTreeMap<String, Vec<u8>>) -> Result<Manifest, PackFault> {
    let manifest: Manifest = parse(MANIFEST, files.get(MANIFEST).ok_or(PackFault::NoManifest)?)?;
    if manifest.format != FORMAT || manifest.version != VERSION {
        return Err(PackFault::WrongFormat);
    }
    Ok(manifest)
}

/// Every listed file present with its size and digest, nothing unlisted, mockups named by
/// their digest.
pub fn check_files(manifest: &Manifest, files: &BTreeMap<String, Vec<u8>>) -> Result<(), PackFault> {
    let mut listed = BTreeSet::new();
    for entry in &manifest.files {
        if entry.path == MANIFEST || !listed.insert(entry.path.as_str()) {
            return Err(PackFault::ListedTwice { path: entry.path.clone() });
        }
        let content = files.get(&entry.path).ok_or_else(|| PackFault::Missing { path: entry.path.clone() })?;
        if content.len() as u64 != entry.size {
            return Err(PackFault::Size { path: entry.path.clone(), listed: entry.size, found: content.len() as u64 });
        }
        if sha256_hex(content) != entry.sha256 {
            return Err(PackFault::Digest { path: entry.path.clone() });
        }
        let stored_file = entry.path.strip_prefix(MOCKUP_DIR).filter(|_| entry.path != MOCKUP_INDEX);
        if let Some(name) = stored_file.or_else(|| entry.path.strip_prefix(APPEAL_ATTACHMENT_DIR))
            && name.split_once('.').is_none_or(|(stem, _)| stem != entry.sha256)
        {
            return Err(PackFault::MockupName { path: entry.path.clone() });
        }
    }
    match files.keys().find(|path| *path != MANIFEST && !listed.contains(path.as_str())) {
        Some(path) => Err(PackFault::Unlisted { path: path.clone() }),
        None => Ok(()),
    }
}

/// Each segment: every record's hash recomputed, each linked to the one before, the last one
/// the record its checkpoint covers with the hash it signed, and the signature the portal's.
/// Returns the checkpoints' records.
pub fn check_chain(
    chain: &ChainFile,
    check_signature: impl Fn(&Statement, &str) -> Result<(), CheckpointFault>,
) -> Result<Vec<i64>, PackFault> {
    let mut covered = Vec::new();
    let mut last_seq = 0;
    for (index, segment) in chain.segments.iter().enumerate() {
        let mut previous: Option<(i64, String)> = None;
        for link in &segment.links {
            let seq = link.seq();
            if seq <= last_seq {
                return Err(PackFault::OutOfOrder { seq });
            }
            if let Some((prev_seq, prev_hash)) = &previous {
                let points_back = match link {
                    Link::Record(record) => &record.prev_hash,
                    Link::Hashed { prev_hash, .. } => prev_hash,
                };
                if seq != prev_seq + 1 || points_back != prev_hash {
                    return Err(PackFault::Unlinked { seq });
                }
            }
            let (computed, stored) = match link {
                Link::Record(record) => {
                    let format = ChainFormat::from_number(record.format)
                        .map_err(|_| PackFault::UnknownFormat { seq, format: record.format })?;
                    (format.hash(&record.prev_hash, &record.fields()), &record.hash)
                }
                Link::Hashed { prev_hash, content_sha256, hash, .. } => (link_hash(prev_hash, content_sha256), hash),
            };
            if &computed != stored {
                return Err(PackFault::Altered { seq });
            }
            last_seq = seq;
            previous = Some((seq, computed));
        }
        let Some((seq, hash)) = previous else { return Err(PackFault::EmptySegment { index }) };
        let checkpoint = &segment.checkpoint;
        if seq != checkpoint.seq || hash != checkpoint.hash {
            return Err(PackFault::NotCovered { seq, checkpoint: checkpoint.seq });
        }
        check_signature(&checkpoint.statement(), &checkpoint.signature).map_err(PackFault::Checkpoint)?;
        covered.push(checkpoint.seq);
    }
    Ok(covered)
}

fn records(chain: &ChainFile) -> impl Iterator<Item = &PackRecord> {
    chain.segments.iter().flat_map(|s| &s.links).filter_map(|link| match link {
        Link::Record(record) => Some(record),
        Link::Hashed { .. } => None,
    })
}

/// The newest export record of the application (already checked to be chained and signed)
/// names exactly the files the manifest lists, but the manifest and the chain, with the same
/// digests.
pub fn check_vouched(manifest: &Manifest, chain: &ChainFile) -> Result<(), PackFault> {
    let no_record = || PackFault::NoExportRecord { application_id: manifest.application_id.clone() };
    let export = records(chain)
        .filter(|r| r.concerns && r.action == EXPORT_ACTION && r.object_id.as_deref() == Some(&manifest.application_id))
        .last()
        .ok_or_else(no_record)?;
    let details: ExportDetails = serde_json::from_str(&export.details).map_err(|_| no_record())?;
    let not_vouched = |path: &str| PackFault::NotVouched { path: path.to_owned(), seq: export.seq };
    let content: Vec<&ManifestFile> = manifest.files.iter().filter(|f| f.path != CHAIN).collect();
    for entry in &content {
        if details.files.get(&entry.path) != Some(&entry.sha256) {
            return Err(not_vouched(&entry.path));
        }
    }
    match details.files.keys().find(|path| !content.iter().any(|f| &f.path == *path)) {
        Some(path) => Err(PackFault::Missing { path: path.clone() }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::{GENESIS_HASH, content_sha256};

    const APP: &str = "app-1";

    /// A signature the test's "key" accepts: the payload's digest, prefixed.
    fn sign(statement: &Statement) -> String {
        format!("ok:{}", sha256_hex(statement.payload().as_bytes()))
    }

    fn check(statement: &Statement, signature: &str) -> Result<(), CheckpointFault> {
        if statement.key_id != "key-1" {
            return Err(CheckpointFault::OtherKey {
                seq: statement.seq,
                found: statement.key_id.clone(),
                expected: "key-1".into(),
            });
        }
        if signature == sign(statement) { Ok(()) } else { Err(CheckpointFault::BadSignature { seq: statement.seq }) }
    }

    fn record(seq: i64, prev: &str, format: ChainFormat, object_id: &str, action: &str, details: &str) -> PackRecord {
        let mut r = PackRecord {
            concerns: object_id == APP,
            format: i64::from(format.number()),
            seq,
            at: format!("2026-12-01T10:00:{seq:02}.000000Z"),
            actor_id: Some("u1".into()),
            actor_email: Some("ada@example.com".into()),
            action: action.into(),
            object_type: "application".into(),
            object_id: Some(object_id.into()),
            ip: Some("192.0.2.1".into()),
            details: details.into(),
            prev_hash: prev.into(),
            hash: String::new(),
        };
        r.hash = format.hash(prev, &r.fields());
        r
    }

    fn checkpoint(seq: i64, hash: &str) -> SignedCheckpoint {
        let mut c = SignedCheckpoint {
            seq,
            hash: hash.into(),
            records: seq,
            at: "2026-12-01T11:00:00Z".into(),
            key_id: "key-1".into(),
            signature: String::new(),
        };
        c.signature = sign(&c.statement());
        c
    }

    /// A pack whose chain runs 1..=6: records 1 (v1) and 2 are the application's, 3 and 4
    /// another's (v1 whole, v2 by hash), 5 the export, 6 someone else's; checkpoints at 2 and 6.
    fn pack() -> BTreeMap<String, Vec<u8>> {
        let mut files = BTreeMap::new();
        files.insert("revisions/1.json".to_owned(), b"{\"number\":1}".to_vec());
        files.insert(format!("mockups/{}.png", sha256_hex(b"png")), b"png".to_vec());
        files.insert(MOCKUP_INDEX.to_owned(), b"[]".to_vec());
        let details = ExportDetails { files: files.iter().map(|(p, c)| (p.clone(), sha256_hex(c))).collect() };
        let r1 = record(1, GENESIS_HASH, ChainFormat::V1, APP, "application.created", "{}");
        let r2 = record(2, &r1.hash, ChainFormat::V2, APP, "application.updated", "{}");
        let r3 = record(3, &r2.hash, ChainFormat::V1, "other", "application.created", "{}");
        let r4 = record(4, &r3.hash, ChainFormat::V2, "other", "application.updated", "{}");
        let r5 = record(5, &r4.hash, ChainFormat::V2, APP, EXPORT_ACTION, &serde_json::to_string(&details).unwrap());
        let r6 = record(6, &r5.hash, ChainFormat::V2, "other", "application.updated", "{}");
        let hashed = |r: &PackRecord| Link::Hashed {
            seq: r.seq,
            prev_hash: r.prev_hash.clone(),
            content_sha256: content_sha256(&r.fields()),
            hash: r.hash.clone(),
        };
        let chain = ChainFile {
            rule: RECORD_RULE.into(),
            segments: vec![
                Segment { checkpoint: checkpoint(2, &r2.hash), links: vec![Link::Record(r1), Link::Record(r2)] },
                Segment {
                    checkpoint: checkpoint(6, &r6.hash),
                    links: vec![Link::Record(r3), hashed(&r4), Link::Record(r5), hashed(&r6)],
                },
            ],
        };
        files.insert(CHAIN.to_owned(), serde_json::to_vec(&chain).unwrap());
        seal(&mut files);
        files
    }

    /// (Re)writes the manifest for the files as they are, as a forger would.
    fn seal(files: &mut BTreeMap<String, Vec<u8>>) {
        files.remove(MANIFEST);
        let manifest = Manifest {
            format: FORMAT.into(),
            version: VERSION,
            application_id: APP.into(),
            generated_at: "2026-12-01T11:00:00Z".into(),
            key_id: "key-1".into(),
            files: files.iter().map(|(path, content)| ManifestFile::of(path, content)).collect(),
        };
        files.insert(MANIFEST.to_owned(), serde_json::to_vec(&manifest).unwrap());
    }

    fn chain_of(files: &BTreeMap<String, Vec<u8>>) -> ChainFile {
        serde_json::from_slice(&files[CHAIN]).unwrap()
    }

    fn with_chain(mut files: BTreeMap<String, Vec<u8>>, chain: &ChainFile) -> BTreeMap<String, Vec<u8>> {
        files.insert(CHAIN.to_owned(), serde_json::to_vec(chain).unwrap());
        seal(&mut files);
        files
    }

    #[test]
    fn an_intact_pack_verifies() {
        let verified = verify(&pack(), check).unwrap();
        assert_eq!(verified, Verified { application_id: APP.into(), files: 4, records: 3, checkpoints: vec![2, 6] });
    }

    #[test]
    fn a_changed_missing_or_extra_file_is_named() {
        let mut files = pack();
        files.get_mut("revisions/1.json").unwrap()[2] ^= 1;
        assert_eq!(verify(&files, check), Err(PackFault::Digest { path: "revisions/1.json".into() }));

        let mut files = pack();
        files.get_mut("revisions/1.json").unwrap().push(b' ');
        assert!(matches!(verify(&files, check), Err(PackFault::Size { listed: 12, found: 13, .. })));

        let mut files = pack();
        files.insert("extra.txt".into(), vec![]);
        assert_eq!(verify(&files, check), Err(PackFault::Unlisted { path: "extra.txt".into() }));

        let mut files = pack();
        files.remove(MOCKUP_INDEX);
        assert_eq!(verify(&files, check), Err(PackFault::Missing { path: MOCKUP_INDEX.into() }));

        let mut files = pack();
        files.remove(MANIFEST);
        assert_eq!(verify(&files, check), Err(PackFault::NoManifest));
    }

    #[test]
    fn a_file_changed_with_its_manifest_line_is_not_vouched_for_by_the_signed_record() {
        let mut files = pack();
        files.insert("revisions/1.json".into(), b"{\"number\":2}".to_vec());
        seal(&mut files);
        assert_eq!(verify(&files, check), Err(PackFault::NotVouched { path: "revisions/1.json".into(), seq: 5 }));

        // A file added with its manifest line is not vouched for either.
        let mut files = pack();
        files.insert("revisions/2.json".into(), b"{}".to_vec());
        seal(&mut files);
        assert_eq!(verify(&files, check), Err(PackFault::NotVouched { path: "revisions/2.json".into(), seq: 5 }));
    }

    #[test]
    fn a_mockup_not_named_by_its_digest_is_refused() {
        let mut files = pack();
        let name = files.keys().find(|p| p.ends_with(".png")).unwrap().clone();
        let content = files.remove(&name).unwrap();
        files.insert("mockups/consent.png".into(), content);
        seal(&mut files);
        assert_eq!(verify(&files, check), Err(PackFault::MockupName { path: "mockups/consent.png".into() }));
    }

    #[test]
    fn an_appeal_attachment_is_named_by_its_digest_too() {
        let mut files = pack();
        let content = b"%PDF-1.7 new evidence".to_vec();
        files.insert(format!("{APPEAL_ATTACHMENT_DIR}{}.pdf", sha256_hex(&content)), content.clone());
        seal(&mut files);
        let manifest =
            |files: &BTreeMap<String, Vec<u8>>| -> Manifest { serde_json::from_slice(&files[MANIFEST]).unwrap() };
        assert_eq!(check_files(&manifest(&files), &files), Ok(()));
        files.insert(format!("{APPEAL_ATTACHMENT_DIR}letter.pdf"), content);
        seal(&mut files);
        let refused = check_files(&manifest(&files), &files);
        assert_eq!(refused, Err(PackFault::MockupName { path: "appeals/letter.pdf".into() }));
    }

    #[test]
    fn an_altered_record_breaks_its_own_hash_even_with_a_new_manifest() {
        for (segment, link) in [(0, 0), (0, 1), (1, 0), (1, 2)] {
            let files = pack();
            let mut chain = chain_of(&files);
            let Link::Record(record) = &mut chain.segments[segment].links[link] else { panic!("a whole record") };
            record.ip = Some("198.51.100.7".into());
            let seq = record.seq;
            assert_eq!(verify(&with_chain(files, &chain), check), Err(PackFault::Altered { seq }));
        }
    }

    #[test]
    fn a_rehashed_record_or_a_hashed_link_no_longer_reaches_the_signed_checkpoint() {
        // Re-hashing the altered record breaks the next link.
        let files = pack();
        let mut chain = chain_of(&files);
        let Link::Record(record) = &mut chain.segments[1].links[2] else { panic!() };
        record.details = "{\"files\":{}}".into();
        record.hash = ChainFormat::V2.hash(&record.prev_hash, &record.fields());
        assert_eq!(verify(&with_chain(files, &chain), check), Err(PackFault::Unlinked { seq: 6 }));

        // A hashed record whose content hash is changed.
        let files = pack();
        let mut chain = chain_of(&files);
        let Link::Hashed { content_sha256, .. } = &mut chain.segments[1].links[1] else { panic!() };
        *content_sha256 = "0".repeat(64);
        assert_eq!(verify(&with_chain(files, &chain), check), Err(PackFault::Altered { seq: 4 }));

        // The last record of the application dropped, with the rest re-hashed up to a forged head.
        let files = pack();
        let mut chain = chain_of(&files);
        chain.segments[0].links.pop();
        assert_eq!(verify(&with_chain(files, &chain), check), Err(PackFault::NotCovered { seq: 1, checkpoint: 2 }));

        // A record removed from the middle.
        let files = pack();
        let mut chain = chain_of(&files);
        chain.segments[1].links.remove(1);
        assert_eq!(verify(&with_chain(files, &chain), check), Err(PackFault::Unlinked { seq: 5 }));
    }

    #[test]
    fn a_checkpoint_must_carry_the_portals_signature() {
        let files = pack();
        let mut chain = chain_of(&files);
        chain.segments[1].checkpoint.records = 7;
        assert_eq!(
            verify(&with_chain(files, &chain), check),
            Err(PackFault::Checkpoint(CheckpointFault::BadSignature { seq: 6 }))
        );
        let other_key = |statement: &Statement, _: &str| {
            Err(CheckpointFault::OtherKey { seq: statement.seq, found: "key-1".into(), expected: "key-2".into() })
        };
        assert!(matches!(
            verify(&pack(), other_key),
            Err(PackFault::Checkpoint(CheckpointFault::OtherKey { seq: 2, .. }))
        ));
    }

    #[test]
    fn a_pack_without_its_export_record_vouches_for_nothing() {
        let files = pack();
        let mut chain = chain_of(&files);
        let Link::Record(record) = &mut chain.segments[1].links[2] else { panic!() };
        record.concerns = false;
        assert_eq!(
            verify(&with_chain(files, &chain), check),
            Err(PackFault::NoExportRecord { application_id: APP.into() })
        );
    }

    #[test]
    fn segments_run_forward_and_each_links_a_record() {
        let files = pack();
        let mut chain = chain_of(&files);
        chain.segments.swap(0, 1);
        assert_eq!(verify(&with_chain(files, &chain), check), Err(PackFault::OutOfOrder { seq: 1 }));
        let files = pack();
        let mut chain = chain_of(&files);
        chain.segments[0].links.clear();
        assert_eq!(verify(&with_chain(files, &chain), check), Err(PackFault::EmptySegment { index: 0 }));
    }
}
