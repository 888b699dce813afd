//! The audit signing key (Ed25519, held in a file outside the database) and the pure check of
//! a checkpoint's signature, which an offline verifier reuses with only the public key.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use portcullis_domain::audit::checkpoint::{self, CheckpointFault, Statement};
use ring::rand::SystemRandom;
use ring::signature::{ED25519, Ed25519KeyPair, KeyPair, UnparsedPublicKey};
use std::io::Write;
use std::path::Path;
use std::sync::Arc;

/// The PEM label of the key file: PKCS#8, as `openssl genpkey -algorithm ed25519` writes it.
const PRIVATE_KEY_LABEL: &str = "PRIVATE KEY";

/// Signs checkpoints. Neither `Debug`-printed nor serialised.
#[derive(Clone)]
pub struct SigningKey {
    pair: Arc<Ed25519KeyPair>,
    public: PublicKey,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SigningKey({})", self.public.id)
    }
}

impl SigningKey {
    /// A new key as a PKCS#8 PEM document.
    pub fn generate_pem() -> String {
        let document = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new()).expect("the OS random source is available");
        checkpoint::pem_encode(PRIVATE_KEY_LABEL, document.as_ref())
    }

    /// A new random key (tests and the benchmark's throw-away portals).
    pub fn generate() -> Self {
        Self::parse(&Self::generate_pem()).expect("a fresh key parses")
    }

    pub fn parse(text: &str) -> Result<Self, String> {
        let der = checkpoint::pem_decode(PRIVATE_KEY_LABEL, text)
            .map_err(|_| "not a PEM private key (make one with `portcullis audit keygen FILE`)".to_owned())?;
        let pair =
            Ed25519KeyPair::from_pkcs8_maybe_unchecked(&der).map_err(|e| format!("not an Ed25519 private key: {e}"))?;
        let bytes: [u8; 32] = pair.public_key().as_ref().try_into().expect("an Ed25519 public key is 32 bytes");
        Ok(Self { pair: Arc::new(pair), public: PublicKey::from_bytes(bytes) })
    }

    /// Writes a new key to `path`, readable by its owner only; never over an existing file.
    pub fn create_file(path: &Path) -> Result<Self, String> {
        let pem = Self::generate_pem();
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(path).map_err(|e| format!("{}: {e}", path.display()))?;
        file.write_all(pem.as_bytes())
            .and_then(|()| file.sync_all())
            .map_err(|e| format!("{}: {e}", path.display()))?;
        Self::parse(&pem)
    }

    /// Reads the key file. The default one (`create` true) is made when missing; one named
    /// by the operator must exist, since a typo would otherwise start a new key silently.
    /// Instances sharing a data directory race safely: one creates it, the others read it.
    pub fn load(path: &Path, create: bool) -> Result<Self, String> {
        match std::fs::read_to_string(path) {
            Ok(text) => Self::parse(&text).map_err(|e| format!("{}: {e}", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && create => {
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
                }
                match Self::create_file(path) {
                    Err(_) if path.exists() => Self::load(path, false),
                    created => created,
                }
            }
            Err(e) => Err(format!("{}: {e}", path.display())),
        }
    }

    pub fn public(&self) -> &PublicKey {
        &self.public
    }

    /// The statement signed, base64.
    pub fn sign(&self, statement: &Statement) -> String {
        STANDARD.encode(self.pair.sign(statement.payload().as_bytes()))
    }
}

/// The key checkpoints are checked against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKey {
    bytes: [u8; 32],
    id: String,
}

impl PublicKey {
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self { id: checkpoint::key_id(&bytes), bytes }
    }

    /// Reads the text `/.well-known/portcullis-audit-key` serves.
    pub fn parse_pem(text: &str) -> Result<Self, String> {
        checkpoint::parse_public_key_pem(text).map(Self::from_bytes).map_err(|e| e.to_string())
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    pub fn pem(&self) -> String {
        checkpoint::public_key_pem(&self.bytes)
    }

    /// Whether `signature` (base64) is this key's signature of `statement`, made by this key.
    pub fn verify(&self, statement: &Statement, signature: &str) -> Result<(), CheckpointFault> {
        if statement.key_id != self.id {
            return Err(CheckpointFault::OtherKey {
                seq: statement.seq,
                found: statement.key_id.clone(),
                expected: self.id.clone(),
            });
        }
        let bad = || CheckpointFault::BadSignature { seq: statement.seq };
        let signature = STANDARD.decode(signature.trim()).map_err(|_| bad())?;
        UnparsedPublicKey::new(&ED25519, &self.bytes)
            .verify(statement.payload().as_bytes(), &signature)
            .map_err(|_| bad())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn statement(key: &SigningKey) -> Statement {
        Statement {
            seq: 42,
            hash: "cd".repeat(32),
            records: 42,
            at: "2026-12-01T10:00:00Z".into(),
            key_id: key.public().id().to_owned(),
        }
    }

    #[test]
    fn a_checkpoint_verifies_only_unchanged_and_with_its_own_key() {
        let key = SigningKey::generate();
        let statement = statement(&key);
        let signature = key.sign(&statement);
        assert_eq!(key.public().verify(&statement, &signature), Ok(()));
        let published = PublicKey::parse_pem(&key.public().pem()).unwrap();
        assert_eq!(published.verify(&statement, &signature), Ok(()), "with the published key alone");

        let mut rewritten = statement.clone();
        rewritten.hash = "ef".repeat(32);
        assert_eq!(key.public().verify(&rewritten, &signature), Err(CheckpointFault::BadSignature { seq: 42 }));
        assert_eq!(key.public().verify(&statement, "not base64!"), Err(CheckpointFault::BadSignature { seq: 42 }));

        // A forger's key signs a statement naming itself; the portal's key does not accept it.
        let forger = SigningKey::generate();
        let forged = self::statement(&forger);
        let err = key.public().verify(&forged, &forger.sign(&forged)).unwrap_err();
        assert!(matches!(err, CheckpointFault::OtherKey { seq: 42, .. }), "{err}");
        // Nor when the forger copies the portal's key id into the statement.
        let mut disguised = forged.clone();
        disguised.key_id = key.public().id().to_owned();
        assert_eq!(
            key.public().verify(&disguised, &forger.sign(&disguised)),
            Err(CheckpointFault::BadSignature { seq: 42 })
        );
    }

    #[test]
    fn the_key_file_is_private_never_overwritten_and_made_only_at_the_default_path() {
        let dir = std::env::temp_dir().join(format!("portcullis-audit-key-{}", uuid::Uuid::new_v4()));
        let path = dir.join("keys/audit-signing.key");
        assert!(SigningKey::load(&path, false).unwrap_err().contains("No such file"), "named, missing");
        let first = SigningKey::load(&path, true).unwrap();
        assert_eq!(SigningKey::load(&path, false).unwrap().public(), first.public());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
        assert!(SigningKey::create_file(&path).is_err(), "an existing key is kept");
        assert_eq!(SigningKey::load(&path, true).unwrap().public(), first.public());
        std::fs::write(&path, "not a key").unwrap();
        assert!(SigningKey::load(&path, true).unwrap_err().contains("not a PEM private key"));
        std::fs::remove_dir_all(dir).unwrap();
    }

    /// OpenSSL's `genpkey -algorithm ed25519` writes PKCS#8 v1 (no public key inside).
    #[test]
    fn a_key_made_by_openssl_is_accepted() {
        let openssl = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEICDTWZeJv+6CgwMmUieC5b6BdLlq5n53qGPjy/9Cqwa8\n-----END PRIVATE KEY-----\n";
        let key = SigningKey::parse(openssl).unwrap();
        let statement = statement(&key);
        assert_eq!(key.public().verify(&statement, &key.sign(&statement)), Ok(()));
    }
}
