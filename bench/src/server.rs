//! The server under test: the release binary on a free port, a temporary data directory, demo
//! accounts seeded. The port and directory are chosen first, so the database can be seeded
//! (with links in its mail that point at the right address) before the server starts.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;
use tokio::process::{Child, Command};

pub const DEMO_EMAIL: &str = "developer@demo.portcullis.test";
pub const DEMO_PASSWORD: &str = "demo-developer-password";
pub const REVIEWER_EMAIL: &str = "reviewer@demo.portcullis.test";
pub const REVIEWER_PASSWORD: &str = "demo-reviewer-password";
pub const ADMIN_EMAIL: &str = "admin@demo.portcullis.test";
pub const ADMIN_PASSWORD: &str = "demo-admin-password";

/// Where the server will listen and keep its data.
pub struct Site {
    pub url: String,
    port: u16,
    pub data_dir: PathBuf,
}

impl Site {
    pub fn new() -> Result<Self, String> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| format!("no free port: {e}"))?
            .port();
        let data_dir = std::env::temp_dir().join(format!("portcullis-bench-{}-{port}", std::process::id()));
        Ok(Site { url: format!("http://127.0.0.1:{port}"), port, data_dir })
    }

    pub fn database_url(&self) -> String {
        format!("sqlite://{}?mode=rwc", self.data_dir.join("portcullis.db").display())
    }
}

/// The data directory goes with the site, however the run ends.
impl Drop for Site {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.data_dir);
    }
}

pub fn require_binary(binary: &Path) -> Result<(), String> {
    if binary.exists() { Ok(()) } else { Err(format!("{} not found; run `make build` first", binary.display())) }
}

pub struct Server {
    pub url: String,
    child: Child,
    /// Held for its `Drop`: the data directory goes after the process.
    _site: Site,
}

impl Server {
    pub async fn start(binary: &Path, site_root: &Path, site: Site) -> Result<Self, String> {
        Self::start_with(binary, site_root, site, None, &[]).await
    }

    /// With another database than the site's SQLite file, and more settings.
    pub async fn start_with(
        binary: &Path,
        site_root: &Path,
        site: Site,
        database_url: Option<String>,
        env: &[(&str, String)],
    ) -> Result<Self, String> {
        let mut command = Command::new(binary);
        command.envs(env.iter().map(|(k, v)| (*k, v.as_str())));
        // Demo accounts on PostgreSQL need the override meant for exactly such a throw-away database.
        let args: &[&str] =
            if database_url.is_some() { &["serve", "--demo", "--force-demo"] } else { &["serve", "--demo"] };
        let child = command
            .args(args)
            .env("PORTCULLIS_ADDR", format!("127.0.0.1:{}", site.port))
            .env("PORTCULLIS_PUBLIC_URL", &site.url)
            .env("PORTCULLIS_DATA_DIR", &site.data_dir)
            .env("PORTCULLIS_SITE_ROOT", site_root)
            .env("DATABASE_URL", database_url.unwrap_or_else(|| site.database_url()))
            .env("SMTP_URL", "")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
        let server = Server { url: site.url.clone(), child, _site: site };
        server.wait_healthy().await?;
        Ok(server)
    }

    async fn wait_healthy(&self) -> Result<(), String> {
        let client = reqwest::Client::new();
        for _ in 0..300 {
            if let Ok(response) = client.get(format!("{}/healthz", self.url)).send().await
                && response.status().is_success()
            {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err("the server did not become healthy within 30 s".into())
    }

    /// Peak resident memory of the server process so far (Linux `VmHWM`).
    pub fn peak_memory_kib(&self) -> Option<u64> {
        status_kib(self.child.id()?, "VmHWM:")
    }

    /// Resident memory of the server process now (Linux `VmRSS`).
    pub fn memory_kib(&self) -> Option<u64> {
        status_kib(self.child.id()?, "VmRSS:")
    }

    /// Watches the processes the server starts (its PDF checks) until the returned watch is
    /// read: their highest peak resident memory, sampled every 5 ms.
    pub fn watch_children(&self) -> ChildrenWatch {
        let Some(pid) = self.child.id() else { return ChildrenWatch(None) };
        let (stop, mut stopped) = tokio::sync::oneshot::channel::<()>();
        let sampler = tokio::spawn(async move {
            let mut peak = None;
            let mut every = tokio::time::interval(Duration::from_millis(5));
            loop {
                tokio::select! {
                    _ = every.tick() => {
                        for child in children(pid) {
                            peak = peak.max(status_kib(child, "VmHWM:"));
                        }
                    }
                    _ = &mut stopped => return peak,
                }
            }
        });
        ChildrenWatch(Some((stop, sampler)))
    }

    /// Starts a new peak-memory measurement (Linux: writing 5 to `clear_refs` resets `VmHWM`).
    pub fn reset_peak_memory(&self) {
        if let Some(pid) = self.child.id() {
            let _ = std::fs::write(format!("/proc/{pid}/clear_refs"), "5");
        }
    }

    pub async fn stop(mut self) {
        let _ = self.child.kill().await;
    }
}

/// A sampler of the server's child processes; see [`Server::watch_children`].
pub struct ChildrenWatch(Option<(tokio::sync::oneshot::Sender<()>, tokio::task::JoinHandle<Option<u64>>)>);

impl ChildrenWatch {
    /// The highest peak seen, if any child was.
    pub async fn peak_kib(self) -> Option<u64> {
        let (stop, sampler) = self.0?;
        let _ = stop.send(());
        sampler.await.ok().flatten()
    }
}

/// A field of `/proc/<pid>/status`, in KiB.
fn status_kib(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// The children of every thread of process `pid`.
fn children(pid: u32) -> Vec<u32> {
    let Ok(threads) = std::fs::read_dir(format!("/proc/{pid}/task")) else { return Vec::new() };
    threads
        .filter_map(|thread| std::fs::read_to_string(thread.ok()?.path().join("children")).ok())
        .flat_map(|list| list.split_whitespace().filter_map(|child| child.parse().ok()).collect::<Vec<_>>())
        .collect()
}
