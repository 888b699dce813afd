//! The registration flood: 32 clients register without pause, every request a new address,
//! while a signed-in user signs in, creates organisations and `/healthz` is polled, each at a
//! fixed rate. It runs on a server of its own with the per-address registration limit lifted:
//! what it measures is the password-hashing defence (bounded lanes, no transaction held while
//! hashing), not the limit that would otherwise stop one address's flood at once.

use crate::load::{self, Scenario, Stats, Target};
use crate::server::{self, Server, Site};
use sea_orm::{ConnectionTrait, Database};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::time::Instant;

pub const CLIENTS: usize = 32;
pub const FLOOD: Duration = Duration::from_secs(20);
const IDLE: Duration = Duration::from_secs(10);
const HEALTH_RATE: u32 = 200;
const LOGIN_RATE: u32 = 5;
const WRITE_RATE: u32 = 10;
/// The PostgreSQL role `make test` sets up (`scripts/postgres.sh`).
const POSTGRES: &str = "postgres://portcullis:portcullis@127.0.0.1:5432";

/// What the flood's registrations were answered with.
#[derive(Debug, Default)]
pub struct Outcomes {
    pub created: u64,
    pub busy: u64,
    pub other: u64,
}

pub struct Flood {
    pub database: &'static str,
    pub outcomes: Outcomes,
    pub idle_health: Stats,
    pub health: Stats,
    pub login: Stats,
    pub write: Stats,
}

/// On SQLite, then on PostgreSQL when a local server answers (as after `make test`).
pub async fn run_all(binary: &Path, site_root: &Path) -> Result<Vec<Flood>, String> {
    let mut floods = vec![run(binary, site_root, "SQLite", None).await?];
    match PostgresDatabase::create().await {
        Ok(database) => {
            let flood = run(binary, site_root, "PostgreSQL", Some(database.url.clone())).await;
            database.drop().await;
            floods.push(flood?);
        }
        Err(error) => eprintln!("bench: flood on PostgreSQL skipped ({error}); run `scripts/postgres.sh` first"),
    }
    Ok(floods)
}

async fn run(
    binary: &Path,
    site_root: &Path,
    database: &'static str,
    database_url: Option<String>,
) -> Result<Flood, String> {
    eprintln!("bench: registration flood on {database}: {CLIENTS} clients for {}s", FLOOD.as_secs());
    let site = Site::new()?;
    let env = [("PORTCULLIS_LIMIT_REGISTER_PER_HOUR", "1000000000".to_owned())];
    let server = Server::start_with(binary, site_root, site, database_url, &env).await?;
    let cookie = load::sign_in(&server.url, server::DEMO_EMAIL, server::DEMO_PASSWORD).await?;
    let health = Target::get(&server.url, "/healthz", None);
    let login = Target::login(&server.url, server::DEMO_EMAIL, server::DEMO_PASSWORD);
    let org = serde_json::json!({
        "name": "Bench Org", "country": "DE", "website": "https://bench.example", "contact_email": "privacy@bench.example"
    });
    let write = Target::json(&server.url, "/api/v1/orgs", org, cookie);
    Scenario::new().with(&health, HEALTH_RATE).run(Duration::from_secs(2)).await;
    let idle_health = Scenario::new().with(&health, HEALTH_RATE).run(IDLE).await.remove(0);

    let outcomes = Arc::new([AtomicU64::new(0), AtomicU64::new(0), AtomicU64::new(0)]);
    let flooders = flood(server.url.clone(), outcomes.clone());
    let mut measured =
        Scenario::new().with(&health, HEALTH_RATE).with(&login, LOGIN_RATE).with(&write, WRITE_RATE).run(FLOOD).await;
    let _ = flooders.join();
    server.stop().await;
    let [created, busy, other] = outcomes.as_ref();
    let outcomes = Outcomes {
        created: created.load(Ordering::Relaxed),
        busy: busy.load(Ordering::Relaxed),
        other: other.load(Ordering::Relaxed),
    };
    let write = measured.remove(2);
    let login = measured.remove(1);
    let health = measured.remove(0);
    Ok(Flood { database, outcomes, idle_health, health, login, write })
}

/// The flooding clients, on a thread of their own at nice 10. They stand in for machines
/// elsewhere: sharing the measuring clients' runtime (and CPU priority), their own work delayed
/// the measuring clients' timers, and that delay was counted as the server's.
fn flood(url: String, outcomes: Arc<[AtomicU64; 3]>) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        // SAFETY: a plain system call on the calling thread's own id.
        unsafe {
            libc::setpriority(libc::PRIO_PROCESS, libc::gettid() as libc::id_t, 10);
        }
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("flood runtime");
        let until = Instant::now() + FLOOD;
        runtime.block_on(futures_util::future::join_all(
            (0..CLIENTS).map(|client| register_until(url.clone(), client, until, outcomes.clone())),
        ));
    })
}

/// One flooding client: registrations back to back, each with a new address.
async fn register_until(url: String, client: usize, until: Instant, outcomes: Arc<[AtomicU64; 3]>) {
    let http = reqwest::Client::builder().timeout(Duration::from_secs(30)).build().expect("http client");
    let mut n = 0u64;
    while Instant::now() < until {
        n += 1;
        let body = serde_json::json!({
            "email": format!("flood-{client}-{n}@bench.example"),
            "password": "flood password long enough",
            "name": "Flood",
        });
        let status = http.post(format!("{url}/api/v1/auth/register")).json(&body).send().await.map(|r| r.status());
        let slot = match status.map(|s| s.as_u16()) {
            Ok(201) => 0,
            Ok(503) => 1,
            _ => 2,
        };
        outcomes[slot].fetch_add(1, Ordering::Relaxed);
    }
}

/// A throw-away database on the local PostgreSQL server.
struct PostgresDatabase {
    name: String,
    url: String,
}

impl PostgresDatabase {
    async fn create() -> Result<Self, String> {
        let admin = Database::connect(format!("{POSTGRES}/postgres")).await.map_err(|e| e.to_string())?;
        let name = format!("bench_flood_{}", std::process::id());
        admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS {name}")).await.map_err(|e| e.to_string())?;
        admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await.map_err(|e| e.to_string())?;
        Ok(PostgresDatabase { url: format!("{POSTGRES}/{name}"), name })
    }

    async fn drop(self) {
        if let Ok(admin) = Database::connect(format!("{POSTGRES}/postgres")).await {
            let _ = admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name)).await;
        }
    }
}
