//! Secrets the portal must read back (TOTP keys) are stored sealed: ChaCha20-Poly1305 under a
//! key kept outside the database, so a copy of the database (a dump, a backup, a read-only
//! injection) does not yield them. Each value is bound to the row it belongs to, so a sealed
//! value copied onto another account does not open.

use crate::error::{ServiceError, ServiceResult};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::TryRngCore;
use rand::rngs::OsRng;
use ring::aead::{Aad, CHACHA20_POLY1305, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use std::io::Write;
use std::path::Path;

/// Marks a sealed value, and the scheme, so another can follow.
const PREFIX: &str = "v1.";
const KEY_BYTES: usize = 32;

/// The key values are sealed with. Neither `Debug`-printed nor serialised.
#[derive(Clone)]
pub struct SecretKey([u8; KEY_BYTES]);

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(..)")
    }
}

impl SecretKey {
    /// A new random key (tests and the benchmark's throw-away portals).
    pub fn generate() -> Self {
        let mut key = [0u8; KEY_BYTES];
        OsRng.try_fill_bytes(&mut key).expect("the OS random source is available");
        Self(key)
    }

    /// Reads the key file, or creates it (hex, readable by the owner only) when there is none.
    /// Instances sharing a data directory race safely: one creates it, the others read it.
    pub fn load_or_create(path: &Path) -> Result<Self, String> {
        match std::fs::read_to_string(path) {
            Ok(text) => Self::parse(&text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
                }
                let key = Self::generate();
                let mut options = std::fs::OpenOptions::new();
                options.write(true).create_new(true);
                #[cfg(unix)]
                std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
                match options.open(path) {
                    Ok(mut file) => {
                        file.write_all(format!("{}\n", hex::encode(key.0)).as_bytes())
                            .and_then(|()| file.sync_all())
                            .map_err(|e| format!("{}: {e}", path.display()))?;
                        Ok(key)
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                        Self::parse(&std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?)
                    }
                    Err(e) => Err(format!("{}: {e}", path.display())),
                }
            }
            Err(e) => Err(format!("{}: {e}", path.display())),
        }
    }

    fn parse(text: &str) -> Result<Self, String> {
        let bytes = hex::decode(text.trim()).map_err(|_| "not a hex-encoded key".to_owned())?;
        let key: [u8; KEY_BYTES] = bytes.try_into().map_err(|_| format!("a key is {KEY_BYTES} bytes"))?;
        Ok(Self(key))
    }

    fn aead(&self) -> LessSafeKey {
        LessSafeKey::new(UnboundKey::new(&CHACHA20_POLY1305, &self.0).expect("a 32-byte key"))
    }

    /// `plain` sealed for `owner` (the id of the row it belongs to), as stored text.
    pub fn seal(&self, plain: &str, owner: &str) -> String {
        let mut nonce = [0u8; NONCE_LEN];
        OsRng.try_fill_bytes(&mut nonce).expect("the OS random source is available");
        let mut sealed = plain.as_bytes().to_vec();
        self.aead()
            .seal_in_place_append_tag(Nonce::assume_unique_for_key(nonce), Aad::from(owner.as_bytes()), &mut sealed)
            .expect("sealing a short value");
        let mut stored = nonce.to_vec();
        stored.extend_from_slice(&sealed);
        format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(stored))
    }

    /// Opens a stored value of `owner`. Values from before sealing are read as they are; a value
    /// that does not open (another key, another row, altered) is an error, never a guess.
    pub fn open(&self, stored: &str, owner: &str) -> ServiceResult<String> {
        let Some(encoded) = stored.strip_prefix(PREFIX) else { return Ok(stored.to_owned()) };
        let unreadable = || ServiceError::Internal("a sealed secret does not open with this portal's key".into());
        let mut bytes = URL_SAFE_NO_PAD.decode(encoded).map_err(|_| unreadable())?;
        if bytes.len() < NONCE_LEN {
            return Err(unreadable());
        }
        let mut sealed = bytes.split_off(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(&bytes).map_err(|_| unreadable())?;
        let plain =
            self.aead().open_in_place(nonce, Aad::from(owner.as_bytes()), &mut sealed).map_err(|_| unreadable())?;
        String::from_utf8(plain.to_vec()).map_err(|_| unreadable())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_value_opens_only_with_its_key_and_for_its_owner() {
        let key = SecretKey::generate();
        let sealed = key.seal("JBSWY3DPEHPK3PXP", "user-1");
        assert!(sealed.starts_with(PREFIX));
        assert!(!sealed.contains("JBSWY3DP"));
        assert_ne!(sealed, key.seal("JBSWY3DPEHPK3PXP", "user-1"), "a fresh nonce each time");
        assert_eq!(key.open(&sealed, "user-1").unwrap(), "JBSWY3DPEHPK3PXP");
        assert!(key.open(&sealed, "user-2").is_err(), "moved onto another account");
        assert!(SecretKey::generate().open(&sealed, "user-1").is_err(), "another key");
        let mut altered = sealed.clone();
        altered.replace_range(10..11, if &sealed[10..11] == "A" { "B" } else { "A" });
        assert!(key.open(&altered, "user-1").is_err());
        assert!(key.open("v1.", "user-1").is_err());
    }

    #[test]
    fn values_from_before_sealing_still_read() {
        assert_eq!(SecretKey::generate().open("JBSWY3DPEHPK3PXP", "user-1").unwrap(), "JBSWY3DPEHPK3PXP");
    }

    #[test]
    fn the_key_file_is_created_once_private_and_then_read() {
        let dir = std::env::temp_dir().join(format!("portcullis-key-{}", uuid::Uuid::new_v4()));
        let path = dir.join("keys/secrets.key");
        let first = SecretKey::load_or_create(&path).unwrap();
        let again = SecretKey::load_or_create(&path).unwrap();
        assert_eq!(first.0, again.0);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
        std::fs::write(&path, "not hex").unwrap();
        assert!(SecretKey::load_or_create(&path).unwrap_err().contains("hex"));
        std::fs::write(&path, "abcd").unwrap();
        assert!(SecretKey::load_or_create(&path).unwrap_err().contains("32 bytes"));
        std::fs::remove_dir_all(dir).unwrap();
    }
}
