//! Where uploaded files live. Files are stored under generated keys, never under names
//! from users, and outside the web root. The local filesystem is the default backend;
//! several instances need a shared one (object storage) behind the same trait.

use async_trait::async_trait;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::time::SystemTime;
use tokio::io::AsyncRead;

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("no such file")]
    NotFound,
    #[error("invalid storage key")]
    InvalidKey,
    #[error("storage I/O: {0}")]
    Io(#[from] std::io::Error),
}

pub type BlobReader = Pin<Box<dyn AsyncRead + Send>>;

/// Held by the process sweeping `incoming` and claiming its own directory there.
const CLAIM_LOCK: &str = ".claim";

#[async_trait]
pub trait BlobStore: Send + Sync + std::fmt::Debug {
    /// A local directory for uploads in progress; files there are moved in by [`BlobStore::put_file`].
    fn scratch_dir(&self) -> &Path;
    /// Stores a finished upload (consuming the scratch file) and returns its new key.
    async fn put_file(&self, scratch: &Path) -> Result<String, StorageError>;
    async fn open(&self, key: &str) -> Result<(BlobReader, u64), StorageError>;
    async fn delete(&self, key: &str) -> Result<(), StorageError>;
    /// Keys of the files stored before `before`.
    async fn keys_stored_before(&self, before: SystemTime) -> Result<Vec<String>, StorageError>;
}

/// Files under `<root>/<first two characters of the key>/<key>`; uploads in progress under
/// `<root>/incoming/<one directory per process>`.
#[derive(Debug, Clone)]
pub struct LocalStore {
    root: PathBuf,
    scratch: PathBuf,
    /// Locks `scratch` for as long as the store lives, so no other process sweeps it.
    _scratch_lock: Arc<std::fs::File>,
}

impl LocalStore {
    /// Opens the store, first removing the scratch directories of processes that ended (a
    /// crash or a kill leaves the files of the uploads it was receiving).
    pub fn new(root: impl Into<PathBuf>) -> Result<Self, StorageError> {
        let root = root.into();
        let incoming = root.join("incoming");
        std::fs::create_dir_all(&incoming)?;
        // One process at a time sweeps and claims, so none sweeps a directory another is
        // about to lock.
        let claiming = std::fs::File::create(incoming.join(CLAIM_LOCK))?;
        claiming.lock()?;
        for entry in std::fs::read_dir(&incoming)? {
            let path = entry?.path();
            if path.is_dir() {
                if std::fs::File::open(&path)?.try_lock().is_ok() {
                    std::fs::remove_dir_all(&path)?;
                }
            } else if !path.ends_with(CLAIM_LOCK) {
                std::fs::remove_file(&path)?;
            }
        }
        let scratch = incoming.join(uuid::Uuid::new_v4().simple().to_string());
        std::fs::create_dir(&scratch)?;
        let scratch_lock = std::fs::File::open(&scratch)?;
        scratch_lock.lock()?;
        Ok(Self { root, scratch, _scratch_lock: Arc::new(scratch_lock) })
    }

    fn path_of(&self, key: &str) -> Result<PathBuf, StorageError> {
        // Keys are ours (UUIDs), but check anyway: a key never leaves the store's directory.
        if key.len() < 3 || !key.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
            return Err(StorageError::InvalidKey);
        }
        Ok(self.root.join(&key[..2]).join(key))
    }
}

#[async_trait]
impl BlobStore for LocalStore {
    fn scratch_dir(&self) -> &Path {
        &self.scratch
    }

    async fn put_file(&self, scratch: &Path) -> Result<String, StorageError> {
        let key = uuid::Uuid::new_v4().simple().to_string();
        let path = self.path_of(&key)?;
        tokio::fs::create_dir_all(path.parent().expect("keys have a directory")).await?;
        tokio::fs::rename(scratch, &path).await?;
        Ok(key)
    }

    async fn open(&self, key: &str) -> Result<(BlobReader, u64), StorageError> {
        let path = self.path_of(key)?;
        let file = tokio::fs::File::open(&path).await.map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => StorageError::NotFound,
            _ => StorageError::Io(e),
        })?;
        let len = file.metadata().await?.len();
        Ok((Box::pin(file), len))
    }

    async fn delete(&self, key: &str) -> Result<(), StorageError> {
        match tokio::fs::remove_file(self.path_of(key)?).await {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.into()),
            _ => Ok(()),
        }
    }

    async fn keys_stored_before(&self, before: SystemTime) -> Result<Vec<String>, StorageError> {
        let mut keys = Vec::new();
        let mut shards = tokio::fs::read_dir(&self.root).await?;
        while let Some(shard) = shards.next_entry().await? {
            // Two-character directories hold the files; `incoming` is scratch space.
            if shard.file_name().len() != 2 || !shard.file_type().await?.is_dir() {
                continue;
            }
            let mut files = tokio::fs::read_dir(shard.path()).await?;
            while let Some(file) = files.next_entry().await? {
                // A rename keeps the time the upload was last written: when it was stored.
                if file.metadata().await?.modified()? < before {
                    keys.push(file.file_name().to_string_lossy().into_owned());
                }
            }
        }
        Ok(keys)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncReadExt;

    #[tokio::test]
    async fn stores_reads_and_deletes_under_generated_keys() {
        let dir = std::env::temp_dir().join(format!("portcullis-store-{}", uuid::Uuid::new_v4()));
        let store = LocalStore::new(&dir).unwrap();
        let scratch = store.scratch_dir().join("upload.part");
        tokio::fs::write(&scratch, b"hello").await.unwrap();
        let key = store.put_file(&scratch).await.unwrap();
        assert!(!scratch.exists());
        let (mut reader, len) = store.open(&key).await.unwrap();
        let mut body = String::new();
        reader.read_to_string(&mut body).await.unwrap();
        assert_eq!((body.as_str(), len), ("hello", 5));
        store.delete(&key).await.unwrap();
        assert!(matches!(store.open(&key).await, Err(StorageError::NotFound)));
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[tokio::test]
    async fn scratch_files_of_a_process_that_ended_are_removed_when_the_next_store_opens() {
        let dir = std::env::temp_dir().join(format!("portcullis-store-{}", uuid::Uuid::new_v4()));
        let ended = dir.join("incoming/0123abcd");
        std::fs::create_dir_all(&ended).unwrap();
        std::fs::write(ended.join("upload.part"), b"half an upload").unwrap();
        std::fs::write(dir.join("incoming/older.part"), b"from before directories").unwrap();
        let running = LocalStore::new(&dir).unwrap();
        assert!(!ended.exists() && !dir.join("incoming/older.part").exists());
        let in_progress = running.scratch_dir().join("upload.part");
        std::fs::write(&in_progress, b"arriving").unwrap();
        let next = LocalStore::new(&dir).unwrap();
        assert!(in_progress.exists(), "a running store's scratch files stay");
        assert_ne!(next.scratch_dir(), running.scratch_dir());
        drop(running);
        drop(LocalStore::new(&dir).unwrap());
        assert!(!in_progress.exists(), "swept once its store is gone");
        assert!(next.scratch_dir().exists());
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[tokio::test]
    async fn lists_the_keys_stored_before_a_time() {
        let dir = std::env::temp_dir().join(format!("portcullis-store-{}", uuid::Uuid::new_v4()));
        let store = LocalStore::new(&dir).unwrap();
        let scratch = store.scratch_dir().join("upload.part");
        tokio::fs::write(&scratch, b"hello").await.unwrap();
        let key = store.put_file(&scratch).await.unwrap();
        let later = SystemTime::now() + std::time::Duration::from_secs(1);
        assert_eq!(store.keys_stored_before(later).await.unwrap(), vec![key]);
        let earlier = SystemTime::now() - std::time::Duration::from_secs(60);
        assert!(store.keys_stored_before(earlier).await.unwrap().is_empty());
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[tokio::test]
    async fn keys_cannot_escape_the_store() {
        let dir = std::env::temp_dir().join(format!("portcullis-store-{}", uuid::Uuid::new_v4()));
        let store = LocalStore::new(&dir).unwrap();
        for key in ["../../etc/passwd", "ab/../../x", "", "a"] {
            assert!(matches!(store.open(key).await, Err(StorageError::InvalidKey)), "{key}");
        }
        std::fs::remove_dir_all(dir).unwrap();
    }
}
