//! Password hashing: argon2id with OWASP parameters, on dedicated threads at a modest nice
//! value, so a burst of hashes leaves CPU to page requests without ever being starved.
//!
//! Hashes wait in two bounded lanes: signing in (checking a password) goes before making a new
//! one (registering, resetting), so a flood of registrations cannot keep people from signing
//! in. A full lane answers "busy" instead of queueing without end, after a short pause: a
//! client that retries at once (a flood) then costs a few requests a second, not thousands.

use crate::error::{ServiceError, ServiceResult};
use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use rand::TryRngCore;
use rand::rngs::OsRng;
use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock};
use tokio::sync::oneshot;

/// 19 MiB, 2 iterations, 1 lane (OWASP Password Storage Cheat Sheet).
fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("valid argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// How long a caller refused for a full queue is asked to wait.
pub const BUSY_RETRY_AFTER_SECS: u64 = 2;
/// How long a refusal for a full queue takes. Nothing is held meanwhile (no transaction, no
/// queue place); without it, 32 clients retrying at once got 15,000 refusals a second, which
/// took the CPU from everyone else.
pub const BUSY_PAUSE: std::time::Duration = std::time::Duration::from_millis(500);

/// Of the jobs waiting in both lanes, a new-password job runs at least after this many
/// sign-in jobs in a row: sign-ins come first, but never starve the other lane.
const SIGN_IN_STREAK: u32 = 3;

type Job = Box<dyn FnOnce() + Send>;

/// Why a hash is needed, which decides its place in the queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lane {
    SignIn,
    NewPassword,
}

#[derive(Default)]
struct Queues {
    sign_in: VecDeque<Job>,
    new_password: VecDeque<Job>,
    streak: u32,
    closed: bool,
}

impl Queues {
    fn lane(&mut self, lane: Lane) -> &mut VecDeque<Job> {
        match lane {
            Lane::SignIn => &mut self.sign_in,
            Lane::NewPassword => &mut self.new_password,
        }
    }

    fn next(&mut self) -> Option<Job> {
        let take_sign_in = !self.sign_in.is_empty() && (self.new_password.is_empty() || self.streak < SIGN_IN_STREAK);
        if take_sign_in {
            self.streak += 1;
            self.sign_in.pop_front()
        } else {
            self.streak = 0;
            self.new_password.pop_front()
        }
    }
}

struct Shared {
    queues: Mutex<Queues>,
    ready: Condvar,
    /// Jobs each lane may hold waiting (those running are not counted).
    capacity: usize,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Queues> {
        // A job never runs under the lock, so a poisoned lock still holds consistent queues.
        self.queues.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Ends the threads when the last clone of the hasher is dropped.
struct Handle(Arc<Shared>);

impl Drop for Handle {
    fn drop(&mut self) {
        self.0.lock().closed = true;
        self.0.ready.notify_all();
    }
}

#[derive(Clone)]
pub struct PasswordHasher {
    handle: Arc<Handle>,
    threads: usize,
}

impl std::fmt::Debug for PasswordHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasswordHasher").field("threads", &self.threads).finish_non_exhaustive()
    }
}

impl PasswordHasher {
    /// `concurrency` hashing threads; up to `capacity` hashes wait in each lane.
    pub fn new(concurrency: usize, capacity: usize) -> Self {
        let shared = Arc::new(Shared { queues: Mutex::default(), ready: Condvar::new(), capacity: capacity.max(1) });
        let threads = concurrency.max(1);
        for n in 0..threads {
            let shared = shared.clone();
            std::thread::Builder::new()
                .name(format!("password-hash-{n}"))
                .spawn(move || work(&shared))
                .expect("spawn a hashing thread");
        }
        Self { handle: Arc::new(Handle(shared)), threads }
    }

    /// A new hash of `password` (registering, resetting, setting a password).
    pub async fn hash(&self, password: &str) -> ServiceResult<String> {
        let password = password.to_owned();
        self.run(Lane::NewPassword, move || {
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
        self.run(Lane::SignIn, move || {
            let known = stored.is_some();
            let hash = stored.unwrap_or_else(|| dummy_hash().to_owned());
            let parsed =
                PasswordHash::new(&hash).map_err(|e| ServiceError::Internal(format!("bad stored hash: {e}")))?;
            let ok = argon2().verify_password(password.as_bytes(), &parsed).is_ok();
            Ok(known && ok)
        })
        .await
    }

    /// Hashes waiting in either lane, not yet running.
    pub fn waiting(&self) -> usize {
        let queues = self.handle.0.lock();
        queues.sign_in.len() + queues.new_password.len()
    }

    /// Keeps every hashing thread busy until the returned guard is dropped. For tests that
    /// need a hash to be waiting at a known moment.
    #[doc(hidden)]
    pub fn occupy(&self) -> Occupied {
        let mut releases = Vec::new();
        let (started_tx, started) = std::sync::mpsc::channel();
        for _ in 0..self.threads {
            let (release, wait) = std::sync::mpsc::channel::<()>();
            let started_tx = started_tx.clone();
            let job: Job = Box::new(move || {
                let _ = started_tx.send(());
                let _ = wait.recv();
            });
            let mut queues = self.handle.0.lock();
            queues.sign_in.push_front(job);
            drop(queues);
            self.handle.0.ready.notify_one();
            releases.push(release);
        }
        for _ in 0..self.threads {
            started.recv().expect("a hashing thread takes the job");
        }
        Occupied { _releases: releases }
    }

    async fn run<T: Send + 'static>(
        &self,
        lane: Lane,
        job: impl FnOnce() -> ServiceResult<T> + Send + 'static,
    ) -> ServiceResult<T> {
        let (done, result) = oneshot::channel();
        let queued = {
            let shared = &self.handle.0;
            let mut queues = shared.lock();
            let room = queues.lane(lane).len() < shared.capacity;
            if room {
                // Runs to completion even if the caller gives up meanwhile: the answer is dropped.
                queues.lane(lane).push_back(Box::new(move || {
                    let _ = done.send(job());
                }));
            }
            room
        };
        if !queued {
            tokio::time::sleep(BUSY_PAUSE).await;
            return Err(ServiceError::Busy { retry_after_secs: BUSY_RETRY_AFTER_SECS });
        }
        self.handle.0.ready.notify_one();
        result.await.map_err(|_| ServiceError::Internal("a hashing job was dropped".into()))?
    }
}

/// Releases the threads [`PasswordHasher::occupy`] holds when dropped.
pub struct Occupied {
    _releases: Vec<std::sync::mpsc::Sender<()>>,
}

/// A hashing thread: lowers its own priority, then runs jobs until the hasher is dropped.
fn work(shared: &Shared) {
    lower_priority();
    loop {
        let job = {
            let mut queues = shared.lock();
            loop {
                if let Some(job) = queues.next() {
                    break job;
                }
                if queues.closed {
                    return;
                }
                queues = shared.ready.wait(queues).unwrap_or_else(|poisoned| poisoned.into_inner());
            }
        };
        job();
    }
}

#[cfg(target_os = "linux")]
fn lower_priority() {
    // Nice 10 for this thread only (on Linux, `setpriority` with a thread id): requests win
    // the CPU when both want it, yet the hashes always progress. SCHED_IDLE, used before,
    // could starve a queued hash for as long as the server stayed busy.
    // SAFETY: plain system calls on the calling thread's own id.
    unsafe {
        let tid = libc::gettid();
        libc::setpriority(libc::PRIO_PROCESS, tid as libc::id_t, 10);
    }
}

#[cfg(not(target_os = "linux"))]
fn lower_priority() {}

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
        let hasher = PasswordHasher::new(2, 8);
        let hash = hasher.hash("correct horse battery").await.unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{hash}");
        assert!(hasher.verify("correct horse battery", Some(&hash)).await.unwrap());
        assert!(!hasher.verify("correct horse batterY", Some(&hash)).await.unwrap());
    }

    #[tokio::test]
    async fn unknown_accounts_never_verify() {
        let hasher = PasswordHasher::new(1, 8);
        assert!(!hasher.verify("portcullis dummy password", None).await.unwrap());
    }

    #[tokio::test]
    async fn long_passwords_are_not_truncated() {
        let hasher = PasswordHasher::new(1, 8);
        let long = "a".repeat(128);
        let hash = hasher.hash(&long).await.unwrap();
        let mut other = long.clone();
        other.replace_range(127.., "b");
        assert!(!hasher.verify(&other, Some(&hash)).await.unwrap());
    }

    /// Waits until `n` jobs are queued (they are queued from other tasks).
    async fn until_waiting(hasher: &PasswordHasher, n: usize) {
        for _ in 0..500 {
            if hasher.waiting() == n {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        panic!("{} hashes waiting, not {n}", hasher.waiting());
    }

    #[tokio::test(start_paused = true)]
    async fn a_full_lane_is_refused_after_a_pause_and_queued_hashes_still_complete() {
        let hasher = PasswordHasher::new(1, 2);
        let held = hasher.occupy();
        let queued: Vec<_> = (0..2)
            .map(|_| {
                let hasher = hasher.clone();
                tokio::spawn(async move { hasher.hash("correct horse battery").await })
            })
            .collect();
        until_waiting(&hasher, 2).await;
        let asked = tokio::time::Instant::now();
        let refused = hasher.hash("correct horse battery").await;
        assert!(matches!(refused, Err(ServiceError::Busy { retry_after_secs: BUSY_RETRY_AFTER_SECS })), "{refused:?}");
        assert!(asked.elapsed() >= BUSY_PAUSE, "a flood is slowed down: {:?}", asked.elapsed());
        assert_eq!(hasher.waiting(), 2, "the refused hash took no place in the queue");
        // The other lane has room of its own: signing in is not blocked by registrations.
        let sign_in = {
            let hasher = hasher.clone();
            tokio::spawn(async move { hasher.verify("correct horse battery", None).await })
        };
        until_waiting(&hasher, 3).await;
        drop(held);
        for hash in queued {
            assert!(hash.await.unwrap().unwrap().starts_with("$argon2id$"));
        }
        assert!(!sign_in.await.unwrap().unwrap());
    }

    #[test]
    fn signing_in_goes_first_without_starving_new_passwords() {
        let mut queues = Queues::default();
        let order = Arc::new(Mutex::new(Vec::new()));
        for (lane, n) in [(Lane::NewPassword, 2), (Lane::SignIn, 5)] {
            for i in 0..n {
                let order = order.clone();
                queues.lane(lane).push_back(Box::new(move || order.lock().unwrap().push((lane, i))));
            }
        }
        while let Some(job) = queues.next() {
            job();
        }
        use Lane::{NewPassword as N, SignIn as S};
        assert_eq!(*order.lock().unwrap(), [(S, 0), (S, 1), (S, 2), (N, 0), (S, 3), (S, 4), (N, 1)]);
    }
}
