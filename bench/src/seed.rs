//! Submitted applications for the review queue, written before the server starts through the
//! service layer itself: the same rows as real submissions (application, revision, mockup,
//! events, audit trail, mail) without the cost of HTTP. Each worker has its own clock, set to
//! when its application was written, so submissions spread over the past weeks and the older
//! ones are overdue.

use crate::server::Site;
use bytes::Bytes;
use chrono::{DateTime, SubsecRound, Utc};
use portcullis_domain::account::RegisterInput;
use portcullis_domain::application::content::ApplicationPatch;
use portcullis_domain::application::scope::default_catalogue;
use portcullis_domain::application::view::CreateApplicationInput;
use portcullis_domain::ids::{ApplicationId, ItemId};
use portcullis_domain::org::OrgInput;
use portcullis_domain::review::checklist::Verdict;
use portcullis_domain::review::due::DEFAULT_TARGET_BUSINESS_DAYS;
use portcullis_domain::review::view::VerdictInput;
use portcullis_migrations::MigratorTrait;
use portcullis_service::applications::mockups::{self, UploadPolicy};
use portcullis_service::applications::{self, submission};
use portcullis_service::clock::Clock;
use portcullis_service::credentials::CredentialPolicy;
use portcullis_service::entity::user;
use portcullis_service::login_limits::LoginLimits;
use portcullis_service::mail::MailTransport;
use portcullis_service::mail::worker::MailWorker;
use portcullis_service::review::{self, reviews};
use portcullis_service::storage::LocalStore;
use portcullis_service::{Ctx, ServiceConfig, Services, accounts, db, orgs};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The scope of the queue's filtered measurement: sensitive, requested by about a fifth.
pub const SCOPE: &str = "portability.direct_messages.ongoing";

/// Accounts that own the organisations; they also upload in the benchmark.
pub const APPLICANTS: usize = 4;
pub const APPLICANT_PASSWORD: &str = "bench-applicant-password";

pub fn applicant_email(k: usize) -> String {
    format!("applicant{k}@bench.portcullis.test")
}
const ORGS: usize = 250;
/// Writers queue for SQLite's one write lock; a few keep it busy while others read and hash.
const WORKERS: usize = 1;
/// Submissions spread over this many days, ending a day ago; the review target is ten
/// business days, so roughly the older half is overdue.
const SPAN_DAYS: i64 = 30;

const COMPANIES: [&str; 12] = [
    "Northwind",
    "Blue Fjord",
    "Kestrel",
    "Lumen",
    "Orbit",
    "Tannery",
    "Quill",
    "Harbour",
    "Meridian",
    "Saffron",
    "Alder",
    "Juniper",
];
const FORMS: [&str; 5] = ["Labs", "GmbH", "Software AB", "Data Oy", "Studio BV"];
const ADJECTIVES: [&str; 10] =
    ["Archive", "Portable", "Quiet", "Swift", "Open", "Bright", "Private", "Tidy", "Steady", "Gentle"];
const NOUNS: [&str; 10] =
    ["Mover", "Export", "Vault", "Bridge", "Backup", "Mirror", "Keeper", "Ledger", "Harvest", "Relay"];

/// Bumped whenever what [`seed`] writes changes: a cached database of another version is not reused.
const SEED_VERSION: u32 = 1;

pub struct Seeded {
    pub applications: usize,
    /// Seeding time; zero when a cached database was reused.
    pub elapsed: Duration,
    pub reused: bool,
    /// The queue lists the oldest submission first: the name on top of its first page.
    pub oldest: String,
    /// The same among the applications that request [`SCOPE`].
    pub oldest_with_scope: String,
}

/// Time that stands where it is told; one per worker.
#[derive(Debug, Default)]
struct SeedClock(Mutex<DateTime<Utc>>);

impl SeedClock {
    fn set(&self, at: DateTime<Utc>) {
        *self.0.lock().expect("clock lock") = at.trunc_subsecs(6);
    }
}

impl Clock for SeedClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().expect("clock lock")
    }
    fn instant(&self) -> std::time::Instant {
        std::time::Instant::now()
    }
}

fn app_name(i: usize) -> String {
    format!("{} {} {i:05}", ADJECTIVES[i % ADJECTIVES.len()], NOUNS[(i / ADJECTIVES.len()) % NOUNS.len()])
}

/// One to three scopes from the catalogue, [`SCOPE`] among them for about a fifth.
fn scopes_of(i: usize, catalogue: &[String]) -> Vec<String> {
    let mut picked = vec![catalogue[i % catalogue.len()].clone()];
    if i.is_multiple_of(3) {
        picked.push(catalogue[(i / 3 + 5) % catalogue.len()].clone());
    }
    if i.is_multiple_of(7) {
        picked.push(SCOPE.to_owned());
    }
    let mut seen = std::collections::BTreeSet::new();
    picked.retain(|name| seen.insert(name.clone()));
    picked
}

fn complete_patch(scopes: &[String], slug: &str) -> Result<ApplicationPatch, String> {
    let scopes: Vec<_> = scopes
        .iter()
        .map(|name| serde_json::json!({"name": name, "justification": format!("The archive needs {name} to keep what the person asked to move.")}))
        .collect();
    serde_json::from_value(serde_json::json!({
        "description": "Moves the person's data into their own encrypted archive.",
        "website_url": format!("https://{slug}.example"),
        "privacy_policy_url": format!("https://{slug}.example/privacy"),
        "redirect_uris": [format!("https://{slug}.example/oauth/callback")],
        "use_case": "The app keeps a private copy of what the person published and received, so they can leave the platform without losing it. ".repeat(3),
        "scopes": scopes,
        "eea": {"serves_eea_users": true, "countries": ["DE", "FR", "SE"], "distinguishing_method": "The account's country of residence, as the platform reports it at authorization time."},
        "data_handling": {
            "storage_region": "EU (Frankfurt)", "retention_days": 30, "encryption_at_rest": true,
            "deletion_process": "A delete button in the app erases the archive within 24 hours.",
            "subprocessors": ["Hetzner Online GmbH"], "security_contact_email": format!("security@{slug}.example")
        }
    }))
    .map_err(|e| format!("application patch: {e}"))
}

/// Everything the workers share.
struct Plan {
    count: usize,
    first_submission: DateTime<Utc>,
    catalogue: Vec<String>,
    mockup: Bytes,
    /// Per organisation: its id and its owner.
    orgs: Vec<(String, Ctx)>,
    reviewer: Ctx,
    admin: Ctx,
    reviewer_id: String,
    next: AtomicUsize,
    /// When the last thousand applications were done.
    thousand: Mutex<Instant>,
    /// SQLite admits one writer at a time, and a writer that finds the lock taken polls it
    /// with sleeps of up to 100 ms; the workers queue here instead.
    writer: tokio::sync::Mutex<()>,
}

impl Plan {
    fn submitted_at(&self, i: usize) -> DateTime<Utc> {
        let step = chrono::Duration::days(SPAN_DAYS) / self.count.max(1) as i32;
        self.first_submission + step * i as i32
    }
}

fn service_config(site: &Site) -> Result<ServiceConfig, String> {
    Ok(ServiceConfig {
        public_url: site.url.parse().map_err(|e| format!("public URL: {e}"))?,
        mail_retry_base: Duration::from_secs(30),
        login_limits: LoginLimits::default(),
        action_limits: Default::default(),
        hash_concurrency: std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
        hash_queue: 64,
        review_target_days: DEFAULT_TARGET_BUSINESS_DAYS,
        appeal_days: portcullis_domain::application::appeal::DEFAULT_APPEAL_DAYS,
        credentials: CredentialPolicy::default(),
        uploads: UploadPolicy::default(),
        // The seeder signs in as its cast through the service, with passwords only.
        require_mfa: portcullis_domain::second_factor::MfaPolicy::Off,
        sso: None,
        secret_key: portcullis_service::sealed::SecretKey::generate(),
        audit_key: portcullis_service::audit::signing::SigningKey::generate(),
    })
}

/// Marks the address verified, as following the link in its mail would (organisations need it).
async fn verify(conn: &DatabaseConnection, email: &str) -> Result<(), String> {
    user::Entity::update_many()
        .col_expr(user::Column::EmailVerifiedAt, Expr::value(Utc::now()))
        .filter(user::Column::Email.eq(email))
        .exec(conn)
        .await
        .map_err(|e| format!("verifying {email}: {e}"))?;
    Ok(())
}

async fn user_ctx(conn: &DatabaseConnection, email: &str) -> Result<Ctx, String> {
    let user = user::Entity::find()
        .filter(user::Column::Email.eq(email))
        .one(conn)
        .await
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("no account {email}"))?;
    Ctx::system().as_user(&user).map_err(|e| e.to_string())
}

/// Seeds `count` submitted applications into the site's database, then delivers the mail
/// they caused, as the server's worker would, so none is left to disturb the measurements.
pub async fn seed(site: &Site, count: usize) -> Result<Seeded, String> {
    let start = Instant::now();
    std::fs::create_dir_all(&site.data_dir).map_err(|e| format!("{}: {e}", site.data_dir.display()))?;
    let conn = db::connect(&site.database_url()).await.map_err(|e| format!("database: {e}"))?;
    db::migrate(&conn).await.map_err(|e| format!("migrations: {e}"))?;
    let storage = Arc::new(LocalStore::new(site.data_dir.join("uploads")).map_err(|e| format!("uploads: {e}"))?);
    let config = service_config(site)?;
    let now = Utc::now();
    let first_submission = now - chrono::Duration::days(SPAN_DAYS + 1);

    let clock = Arc::new(SeedClock::default());
    let services = Services::new(conn.clone(), clock.clone(), config.clone(), storage.clone());
    clock.set(first_submission - chrono::Duration::days(7));
    accounts::seed_demo(&services).await.map_err(|e| format!("demo accounts: {e:?}"))?;
    let mut applicants = Vec::with_capacity(APPLICANTS);
    for k in 0..APPLICANTS {
        let email = applicant_email(k);
        let input =
            RegisterInput { email: email.clone(), password: APPLICANT_PASSWORD.into(), name: format!("Applicant {k}") };
        accounts::register(&services, &Ctx::anonymous(None), input).await.map_err(|e| format!("register: {e:?}"))?;
        verify(&conn, &email).await?;
        applicants.push(user_ctx(&conn, &email).await?);
    }
    let mut org_ids = Vec::with_capacity(ORGS);
    for k in 0..ORGS {
        let owner = applicants[k % APPLICANTS].clone();
        let name = format!("{} {} {k}", COMPANIES[k % COMPANIES.len()], FORMS[(k / COMPANIES.len()) % FORMS.len()]);
        let input = OrgInput {
            name,
            country: ["DE", "SE", "FI", "NL", "FR"][k % 5].into(),
            website: format!("https://org{k}.example"),
            contact_email: owner.actor.as_ref().map(|a| a.email.clone()).unwrap_or_default(),
        };
        let org = orgs::create(&services, &owner, input).await.map_err(|e| format!("organisation: {e:?}"))?;
        org_ids.push((org.id, owner));
    }
    let reviewer = user_ctx(&conn, crate::server::REVIEWER_EMAIL).await?;
    let reviewer_id = reviewer.actor.as_ref().map(|a| a.user_id.clone()).unwrap_or_default();
    let plan = Arc::new(Plan {
        count,
        first_submission,
        catalogue: default_catalogue().into_iter().map(|s| s.name).collect(),
        mockup: Bytes::from(crate::uploads::noise_png(8 * 1024)),
        orgs: org_ids,
        reviewer,
        admin: user_ctx(&conn, crate::server::ADMIN_EMAIL).await?,
        reviewer_id,
        next: AtomicUsize::new(0),
        thousand: Mutex::new(Instant::now()),
        writer: tokio::sync::Mutex::new(()),
    });

    let workers: Vec<_> = (0..WORKERS)
        .map(|_| {
            let clock = Arc::new(SeedClock::default());
            let services = Services::new(conn.clone(), clock.clone(), config.clone(), storage.clone());
            let plan = plan.clone();
            tokio::spawn(async move { work(&services, &clock, &plan).await })
        })
        .collect();
    for worker in workers {
        worker.await.map_err(|e| format!("seeding worker: {e}"))??;
    }

    clock.set(Utc::now());
    let from = "Portcullis <no-reply@portcullis.localhost>".parse().map_err(|e| format!("mail sender: {e}"))?;
    let mail_dir = site.data_dir.join("mail");
    std::fs::create_dir_all(&mail_dir).map_err(|e| format!("{}: {e}", mail_dir.display()))?;
    let mail = MailWorker::new(services, MailTransport::files(mail_dir), from, Duration::from_secs(5));
    mail.deliver_due().await.map_err(|e| format!("mail: {e}"))?;
    conn.close().await.map_err(|e| format!("closing the database: {e}"))?;

    Ok(Seeded::of(count, start.elapsed(), false))
}

impl Seeded {
    /// What a seed of `count` applications holds: the same every time.
    fn of(count: usize, elapsed: Duration, reused: bool) -> Self {
        let catalogue: Vec<String> = default_catalogue().into_iter().map(|s| s.name).collect();
        let oldest_with_scope =
            (0..count).find(|&i| scopes_of(i, &catalogue).iter().any(|s| s == SCOPE)).map(app_name).unwrap_or_default();
        Seeded { applications: count, elapsed, reused, oldest: app_name(0), oldest_with_scope }
    }
}

/// The cache entry of a seed: it holds when the seed, the count and the list of migrations
/// are the same (migrations are only ever appended, so the last one and their number say it).
fn cache_entry(cache: &Path, count: usize) -> PathBuf {
    let migrations = portcullis_migrations::Migrator::migrations();
    let last = migrations.last().map(|m| m.name().to_owned()).unwrap_or_default();
    cache.join(format!("seed-v{SEED_VERSION}-{count}-{}-{last}", migrations.len()))
}

/// Fills the site's data directory with `count` seeded applications: a copy of the cached
/// seed when there is one, otherwise seeded now and then kept in `cache` for the next run.
/// The benchmark writes to its copy, never to the cache.
pub async fn prepare(site: &Site, count: usize, cache: Option<&Path>) -> Result<Seeded, String> {
    let Some(cache) = cache.filter(|_| count > 0) else { return seed(site, count).await };
    let entry = cache_entry(cache, count);
    if entry.join(COMPLETE).exists() {
        copy_dir(&entry, &site.data_dir)?;
        return Ok(Seeded::of(count, Duration::ZERO, true));
    }
    let seeded = seed(site, count).await?;
    let partial = entry.with_extension("partial");
    let _ = std::fs::remove_dir_all(&partial);
    copy_dir(&site.data_dir, &partial)?;
    std::fs::write(partial.join(COMPLETE), b"").map_err(|e| format!("{}: {e}", partial.display()))?;
    let _ = std::fs::remove_dir_all(&entry);
    std::fs::rename(&partial, &entry).map_err(|e| format!("{}: {e}", entry.display()))?;
    Ok(seeded)
}

/// Marks a cache entry whose copy finished.
const COMPLETE: &str = "seed-complete";

/// `cp -a`: the uploads are one file each, and the copy-on-write clone is taken where the
/// file system offers it.
fn copy_dir(from: &Path, to: &Path) -> Result<(), String> {
    std::fs::create_dir_all(to).map_err(|e| format!("{}: {e}", to.display()))?;
    let status = std::process::Command::new("cp")
        .arg("-a")
        .arg("--reflink=auto")
        .arg(format!("{}/.", from.display()))
        .arg(to)
        .status()
        .map_err(|e| format!("cp: {e}"))?;
    if status.success() { Ok(()) } else { Err(format!("copying {} to {} failed", from.display(), to.display())) }
}

/// Takes applications off the plan until none is left: drafts, fills in and submits each at
/// its time; every fourth is claimed by the reviewer (some with verdicts recorded), every
/// tenth otherwise assigned to them by the admin.
async fn work(services: &Services, clock: &SeedClock, plan: &Plan) -> Result<(), String> {
    let fail = |what: &str, i: usize, e: portcullis_service::ServiceError| format!("application {i}: {what}: {e:?}");
    loop {
        let i = plan.next.fetch_add(1, Ordering::Relaxed);
        if i >= plan.count {
            return Ok(());
        }
        let (org_id, owner) = &plan.orgs[i % plan.orgs.len()];
        let at = plan.submitted_at(i);
        let writing = plan.writer.lock().await;
        clock.set(at - chrono::Duration::hours(2));
        let input = CreateApplicationInput { org_id: org_id.clone(), name: app_name(i) };
        let id = applications::create(services, owner, input).await.map_err(|e| fail("create", i, e))?.id;
        clock.set(at - chrono::Duration::hours(1));
        let patch = complete_patch(&scopes_of(i, &plan.catalogue), &format!("app{i}"))?;
        applications::update(services, owner, &id, patch).await.map_err(|e| fail("update", i, e))?;
        drop(writing);
        let body = futures_util::stream::iter([Ok::<_, std::io::Error>(plan.mockup.clone())]);
        let upload = mockups::receive(services, owner, &id, body).await.map_err(|e| fail("upload", i, e))?;
        let _writing = plan.writer.lock().await;
        mockups::attach(services, owner, &id, upload, "Consent screen").await.map_err(|e| fail("attach", i, e))?;
        clock.set(at);
        submission::submit(services, owner, &id).await.map_err(|e| fail("submit", i, e))?;
        if i % 4 == 1 {
            clock.set(at + chrono::Duration::hours(3));
            review::assign(services, &plan.reviewer, &id, None).await.map_err(|e| fail("claim", i, e))?;
            if i % 20 == 1 {
                let items = reviews::get(services, &plan.reviewer, &id).await.map_err(|e| fail("review", i, e))?.items;
                for item in items.iter().take(3) {
                    let input = VerdictInput { verdict: Some(Verdict::Pass), note: String::new() };
                    let (app_id, item_id) = (ApplicationId::new(id.as_str()), ItemId::new(item.item_id.as_str()));
                    reviews::record(services, &plan.reviewer, &app_id, &item_id, input)
                        .await
                        .map_err(|e| fail("verdict", i, e))?;
                }
            }
        } else if i % 10 == 3 {
            clock.set(at + chrono::Duration::hours(5));
            review::assign(services, &plan.admin, &id, Some(plan.reviewer_id.clone()))
                .await
                .map_err(|e| fail("assign", i, e))?;
        }
        if (i + 1).is_multiple_of(1000) {
            // Each thousand's time, to show whether seeding slows down as the tables grow.
            let now = Instant::now();
            let previous = std::mem::replace(&mut *plan.thousand.lock().expect("seed timer"), now);
            eprintln!(
                "bench: seeded {} applications (the last 1,000 in {:.1} s)",
                i + 1,
                (now - previous).as_secs_f64()
            );
        }
    }
}
