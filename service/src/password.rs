//! Password hashing: argon2id with OWASP parameters, off the async runtime, with bounded
//! concurrency so a burst of logins cannot starve the rest of the portal.

use crate::error::{ServiceError, ServiceResult};
use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use rand::TryRngCore;
use rand::rngs::OsRng;
use std::sync::{Arc, OnceLock};
use tokio::sync::Semaphore;

/// 19 MiB, 2 iterations, 1 lane (OWASP Password Storage Cheat Sheet).
fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("valid argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

#[derive(Debug, Clone)]
pub struct PasswordHasher {
    permits: Arc<Semaphore>,
}

impl PasswordHasher {
    /// `concurrency` hashes at a time; more wait their turn.
    pub fn new(concurrency: usize) -> Self {
        Self { permits: Arc::new(Semaphore::new(concurrency.max(1))) }
    }

    pub async fn hash(&self, password: &str) -> ServiceResult<String> {
        let password = password.to_owned();
        self.run(move || {
            let salt = new_salt()?;
            argon2()
                .hash_password(password.as_bytes(), &salt)
                .map(|h| h.to_string())
                .map_err(|e| ServiceError::Internal(format!("hashing failed: {e}")))
        })
        .await
    }

    /// Verifies against a stored hash, or against a dummy hash when there is none, so an
    /// unknown account costs the same time as a wrong password.
    pub async fn verify(&self, password: &str, stored: Option<&str>) -> ServiceResult<bool> {
        let password = password.to_owned();
        let stored = stored.map(str::to_owned);
        self.run(move || {
            let known = stored.is_some();
            let hash = stored.unwrap_or_else(|| dummy_hash().to_owned());
            let parsed =
                PasswordHash::new(&hash).map_err(|e| ServiceError::Internal(format!("bad stored hash: {e}")))?;
            let ok = argon2().verify_password(password.as_bytes(), &parsed).is_ok();
            Ok(known && ok)
        })
        .await
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> ServiceResult<T> + Send + 'static,
    ) -> ServiceResult<T> {
        let _permit = self.permits.acquire().await.map_err(|_| ServiceError::Internal("hasher closed".into()))?;
        tokio::task::spawn_blocking(work).await.map_err(|e| ServiceError::Internal(format!("hashing task: {e}")))?
    }
}

fn new_salt() -> ServiceResult<SaltString> {
    let mut bytes = [0u8; 16];
    OsRng.try_fill_bytes(&mut bytes).map_err(|e| ServiceError::Internal(format!("random source: {e}")))?;
    SaltString::encode_b64(&bytes).map_err(|e| ServiceError::Internal(format!("salt: {e}")))
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let salt = new_salt().expect("salt");
        argon2().hash_password(b"portcullis dummy password", &salt).expect("dummy hash").to_string()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_use_owasp_parameters() {
        let hasher = PasswordHasher::new(2);
        let hash = hasher.hash("correct horse battery").await.unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{hash}");
        assert!(hasher.verify("correct horse battery", Some(&hash)).await.unwrap());
        assert!(!hasher.verify("correct horse batterY", Some(&hash)).await.unwrap());
    }

    #[tokio::test]
    async fn unknown_accounts_never_verify() {
        let hasher = PasswordHasher::new(1);
        assert!(!hasher.verify("portcullis dummy password", None).await.unwrap());
    }

    #[tokio::test]
    async fn long_passwords_are_not_truncated() {
        let hasher = PasswordHasher::new(1);
        let long = "a".repeat(128);
        let hash = hasher.hash(&long).await.unwrap();
        let mut other = long.clone();
        other.replace_range(127.., "b");
        assert!(!hasher.verify(&other, Some(&hash)).await.unwrap());
    }
}
