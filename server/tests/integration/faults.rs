//! Faults, against the real `portcullis` binary: two instances on one PostgreSQL database, the
//! database restarted under load, the mail server gone for two minutes, and the server killed
//! (`SIGKILL`) in the middle of a burst of writes.

use crate::common;

use common::fixtures::{access_token, gateway_key, introspect, png, ready_to_submit};
use common::smtp::SmtpServer;
use common::{Client, json};
use portcullis_service::accounts::DEMO_ACCOUNTS;
use portcullis_service::entity::{application, application_revision, mockup};
use reqwest::{Method, StatusCode};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::Value;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tempfile::TempDir;

/// One `portcullis serve` process.
struct Portal {
    base: String,
    child: Child,
}

impl Portal {
    async fn start(database_url: &str, data_dir: &Path, args: &[&str], env: &[(&str, String)]) -> Portal {
        let port = common::free_port();
        let base = format!("http://127.0.0.1:{port}");
        let log = std::fs::File::create(data_dir.join(format!("portal-{port}.log"))).unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_portcullis"))
            .arg("serve")
            .args(args)
            .env("PORTCULLIS_ADDR", format!("127.0.0.1:{port}"))
            .env("PORTCULLIS_PUBLIC_URL", &base)
            .env("DATABASE_URL", database_url)
            .env("PORTCULLIS_DATA_DIR", data_dir)
            .env("PORTCULLIS_MAIL_POLL_MS", "100")
            .env("PORTCULLIS_MAIL_RETRY_BASE_MS", "200")
            .env("RUST_LOG", "warn")
            // As in `TestApp`: these tests are not about second factors.
            .env("PORTCULLIS_REQUIRE_MFA", "off")
            .env_remove("SMTP_URL")
            .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("the portcullis binary starts");
        let mut portal = Portal { base, child };
        portal.wait_until_healthy(Duration::from_secs(60)).await;
        portal
    }

    async fn wait_until_healthy(&mut self, within: Duration) {
        let started = Instant::now();
        while started.elapsed() < within {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("{} exited with {status} (its log is portal-<port>.log in the data directory)", self.base);
            }
            if let Ok(r) = reqwest::get(format!("{}/healthz", self.base)).await
                && r.status() == StatusCode::OK
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("{} did not become healthy within {within:?}", self.base);
    }

    fn client(&self) -> Client {
        Client::new(&self.base)
    }

    /// `SIGKILL`: no shutdown, no flush, as a crash or the OOM killer would.
    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Portal {
    fn drop(&mut self) {
        self.kill();
    }
}

fn portcullis(database_url: &str, data_dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_portcullis"))
        .args(args)
        .env("DATABASE_URL", database_url)
        .env("PORTCULLIS_DATA_DIR", data_dir)
        .env("PORTCULLIS_PUBLIC_URL", "http://127.0.0.1:3000")
        .env_remove("SMTP_URL")
        .output()
        .expect("the portcullis binary runs")
}

fn audit_verifies(database_url: &str, data_dir: &Path) -> String {
    let out = portcullis(database_url, data_dir, &["audit", "verify"]);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "audit verify: {text} {}", String::from_utf8_lossy(&out.stderr));
    text
}

fn on_postgres() -> bool {
    std::env::var("PORTCULLIS_TEST_DATABASE").is_ok_and(|v| v.starts_with("postgres"))
}

async fn sign_in(client: &mut Client, which: usize) {
    let (email, _, password, _) = DEMO_ACCOUNTS[which];
    let (status, body) = client.post_json("/api/v1/auth/login", json!({"email": email, "password": password})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

/// Demo accounts, on PostgreSQL too (it refuses them there unless told it is meant).
const DEMO: &[&str] = &["--demo", "--force-demo"];
const DEVELOPER: usize = 0;
const REVIEWER: usize = 1;
const ADMIN: usize = 2;

/// The recipients of `mails`, with how many each got.
fn recipients(mails: &[String]) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    for mail in mails {
        if let Some(to) = mail.lines().find_map(|l| l.strip_prefix("To: ")) {
            *counts.entry(to.trim().to_owned()).or_insert(0) += 1;
        }
    }
    counts
}

async fn register(client: &mut Client, email: &str) {
    let body = json!({"email": email, "password": "correct horse battery staple", "name": "Someone"});
    let r = client.post("/api/v1/auth/register", body).await;
    assert_eq!(r.status(), StatusCode::CREATED, "{email}");
}

#[tokio::test]
async fn two_instances_on_one_database_act_as_one() {
    if !on_postgres() {
        return;
    }
    let dir = TempDir::new().unwrap();
    let database_url = common::fresh_database(dir.path()).await;
    let a = Portal::start(&database_url, dir.path(), DEMO, &[]).await;
    let b = Portal::start(&database_url, dir.path(), &[], &[]).await;

    // A session made on A works on B.
    let mut dev_a = a.client();
    sign_in(&mut dev_a, DEVELOPER).await;
    let mut dev_b = dev_a.clone();
    dev_b.base = b.base.clone();
    let (status, me) = dev_b.get_json("/api/v1/me").await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(me["user"]["email"], DEMO_ACCOUNTS[DEVELOPER].0);

    // Work on both: each outbox message is sent once, by one of them.
    let (mut on_a, mut on_b) = (a.client(), b.client());
    for n in 0..6 {
        register(&mut on_a, &format!("a{n}@example.com")).await;
        register(&mut on_b, &format!("b{n}@example.com")).await;
    }
    let mail_dir = dir.path().join("mail");
    let deadline = Instant::now() + Duration::from_secs(30);
    while recipients(&common::read_mails_any(&mail_dir)).len() < 12 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let counts = recipients(&common::read_mails_any(&mail_dir));
    for n in 0..6 {
        for to in [format!("a{n}@example.com"), format!("b{n}@example.com")] {
            assert_eq!(counts.get(&to), Some(&1), "{to}: {counts:?}");
        }
    }

    // A revocation through A is seen by introspection on B at once.
    let (_, id) = ready_to_submit(&mut dev_b).await;
    let (status, body) = dev_a.post_json(&format!("/api/v1/applications/{id}/submit"), json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, issued) =
        dev_b.post_json(&format!("/api/v1/applications/{id}/credentials"), json!({"environment": "sandbox"})).await;
    assert_eq!(status, StatusCode::CREATED, "{issued}");
    let (client_id, secret) = (issued["client_id"].as_str().unwrap(), issued["client_secret"].as_str().unwrap());
    let mut admin = a.client();
    sign_in(&mut admin, ADMIN).await;
    let key = gateway_key(&mut admin).await;
    let token = access_token(&b.base, client_id, secret).await;
    assert_eq!(introspect(&b.base, &key, &token).await.1["active"], true);
    let revoke = format!("/api/v1/credentials/{client_id}/revoke");
    let r = dev_a.post(&revoke, json!({"reason": "Leaked in a public repository."})).await;
    assert!(r.status().is_success(), "{}", r.status());
    assert_eq!(introspect(&b.base, &key, &token).await.1, json!({"active": false}));

    // Both wrote to one audit chain, and it holds.
    drop((a, b));
    let verified = audit_verifies(&database_url, dir.path());
    assert!(verified.contains("audit trail intact"), "{verified}");
}

/// A PostgreSQL cluster of the test's own, on its own port, that it may stop and start.
struct PrivatePostgres {
    dir: TempDir,
    port: u16,
}

const PG_BIN: &str = "/usr/lib/postgresql/15/bin";

fn as_postgres(program: &str, args: &[&str]) -> Output {
    let program = format!("{PG_BIN}/{program}");
    // initdb and pg_ctl refuse to run as root.
    let mut command = if running_as_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--", &program]);
        c
    } else {
        Command::new(&program)
    };
    command.args(args).output().expect("PostgreSQL's programs run")
}

fn running_as_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|o| o.stdout.starts_with(b"0\n"))
}

impl PrivatePostgres {
    fn start() -> Self {
        let dir = TempDir::new().unwrap();
        if running_as_root() {
            let status = Command::new("chown").args(["postgres", dir.path().to_str().unwrap()]).status().unwrap();
            assert!(status.success());
        }
        let data = dir.path().join("data");
        let out = as_postgres("initdb", &["-D", data.to_str().unwrap(), "-A", "trust", "-U", "portcullis"]);
        assert!(out.status.success(), "initdb: {}", String::from_utf8_lossy(&out.stderr));
        let cluster = PrivatePostgres { dir, port: common::free_port() };
        cluster.resume();
        cluster
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn resume(&self) {
        let options = format!("-p {} -k {} -c listen_addresses=127.0.0.1", self.port, self.dir.path().display());
        let log = self.dir.path().join("log");
        let out = as_postgres(
            "pg_ctl",
            &["-D", self.data().to_str().unwrap(), "-o", &options, "-l", log.to_str().unwrap(), "-w", "start"],
        );
        assert!(out.status.success(), "pg_ctl start: {}", String::from_utf8_lossy(&out.stderr));
    }

    fn stop(&self) {
        let out = as_postgres("pg_ctl", &["-D", self.data().to_str().unwrap(), "-m", "fast", "-w", "stop"]);
        assert!(out.status.success(), "pg_ctl stop: {}", String::from_utf8_lossy(&out.stderr));
    }

    fn url(&self, database: &str) -> String {
        format!("postgres://portcullis@127.0.0.1:{}/{database}", self.port)
    }
}

impl Drop for PrivatePostgres {
    fn drop(&mut self) {
        let _ = as_postgres("pg_ctl", &["-D", self.data().to_str().unwrap(), "-m", "immediate", "-w", "stop"]);
    }
}

async fn refused_while_down(portal: &Portal, dev: &mut Client, anonymous: &mut Client) {
    let token = reqwest::Client::new()
        .post(format!("{}/oauth/token", portal.base))
        .basic_auth("pcc_x", Some("pcs_y"))
        .form(&[("grant_type", "client_credentials")]);
    for response in [
        dev.get("/api/v1/me").await,
        dev.post("/api/v1/orgs", common::fixtures::org_input()).await,
        anonymous.post("/api/v1/auth/login", json!({"email": "x@example.com", "password": "whatever it is"})).await,
        token.send().await.unwrap(),
    ] {
        let (status, url) = (response.status(), response.url().clone());
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{url}");
        assert_eq!(response.headers().get("retry-after").map(|v| v.to_str().unwrap().to_owned()), Some("5".into()));
        let body: Value = response.json().await.expect("a JSON body");
        assert!(body.get("error").is_some(), "{url}: {body}");
    }
}

#[tokio::test]
async fn a_database_restart_gets_503_with_retry_after_then_recovers_without_a_restart() {
    if !on_postgres() {
        return;
    }
    let cluster = PrivatePostgres::start();
    {
        use sea_orm::ConnectionTrait;
        let admin = sea_orm::Database::connect(cluster.url("postgres")).await.unwrap();
        admin.execute_unprepared("CREATE DATABASE portal").await.unwrap();
    }
    let dir = TempDir::new().unwrap();
    let mut portal = Portal::start(&cluster.url("portal"), dir.path(), DEMO, &[]).await;
    let mut dev = portal.client();
    sign_in(&mut dev, DEVELOPER).await;
    assert_eq!(dev.get_json("/api/v1/me").await.0, StatusCode::OK);

    cluster.stop();
    // Everything a user might send meanwhile, at once (the pool finds no connection) and once
    // the health check noticed (refused before trying): 503 JSON with Retry-After, never a 500.
    let mut anonymous = portal.client();
    refused_while_down(&portal, &mut dev, &mut anonymous).await;
    let http = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let health = http.get(format!("{}/healthz", portal.base)).send().await.unwrap();
        if health.status() == StatusCode::SERVICE_UNAVAILABLE {
            assert_eq!(health.json::<Value>().await.unwrap()["database"], "down");
            break;
        }
        assert!(Instant::now() < deadline, "/healthz still answers 200 with the database down");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    for _ in 0..2 {
        refused_while_down(&portal, &mut dev, &mut anonymous).await;
    }

    cluster.resume();
    portal.wait_until_healthy(Duration::from_secs(20)).await;
    let deadline = Instant::now() + Duration::from_secs(20);
    while dev.get_json("/api/v1/me").await.0 != StatusCode::OK {
        assert!(Instant::now() < deadline, "the session works again once the database is back");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let (status, body) = dev.post_json("/api/v1/orgs", common::fixtures::org_input()).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

#[tokio::test]
async fn a_mail_server_outage_of_two_minutes_delivers_every_message_once() {
    let dir = TempDir::new().unwrap();
    let database_url = common::fresh_database(dir.path()).await;
    let smtp_port = common::free_port();
    let first = TempDir::new().unwrap();
    let mut smtp = SmtpServer::start(smtp_port, first.path()).await;
    let env = [("SMTP_URL", format!("smtp://127.0.0.1:{smtp_port}"))];
    let portal = Portal::start(&database_url, dir.path(), &[], &env).await;
    let mut client = portal.client();
    register(&mut client, "before@example.com").await;
    let deadline = Instant::now() + Duration::from_secs(20);
    while smtp.received().is_empty() {
        assert!(Instant::now() < deadline, "the first mail arrives");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    smtp.stop();
    let outage = Instant::now();
    for n in 0..5 {
        register(&mut client, &format!("during{n}@example.com")).await;
    }
    tokio::time::sleep(Duration::from_secs(120).saturating_sub(outage.elapsed())).await;
    let second = TempDir::new().unwrap();
    let smtp_again = SmtpServer::start(smtp_port, second.path()).await;
    register(&mut client, "after@example.com").await;

    let expected = ["before@example.com", "during0@example.com", "during4@example.com", "after@example.com"];
    let deadline = Instant::now() + Duration::from_secs(120);
    let counts = loop {
        let mut all = smtp.received();
        all.extend(smtp_again.received());
        let counts = recipients(&all);
        if counts.len() == 7 || Instant::now() > deadline {
            break counts;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    tokio::time::sleep(Duration::from_secs(2)).await;
    let mut all = smtp.received();
    all.extend(smtp_again.received());
    assert_eq!(recipients(&all), counts, "nothing more arrived");
    assert_eq!(counts.len(), 7, "{counts:?}");
    assert!(counts.values().all(|n| *n == 1), "each exactly once: {counts:?}");
    for to in expected {
        assert_eq!(counts.get(to), Some(&1), "{to}");
    }
}

/// Acknowledged writes of one kind so far, across the burst's clients.
type Progress = std::sync::Arc<AtomicUsize>;

/// What the burst was told it had written.
#[derive(Default)]
struct Acknowledged {
    applications: Vec<String>,
    descriptions: HashMap<String, String>,
    mockups: Vec<(String, String)>,
    submitted: Vec<String>,
    verdicts: Vec<(String, String)>,
    decided: Vec<String>,
}

impl Acknowledged {
    fn add(&mut self, other: Acknowledged) {
        self.applications.extend(other.applications);
        self.descriptions.extend(other.descriptions);
        self.mockups.extend(other.mockups);
        self.submitted.extend(other.submitted);
        self.verdicts.extend(other.verdicts);
        self.decided.extend(other.decided);
    }
}

/// One developer's writes, back to back, recording each one the server acknowledged, until
/// the server stops answering.
async fn write_until_killed(mut client: Client, n: usize, progress: Progress) -> Acknowledged {
    let mut acked = Acknowledged::default();
    let (status, body) = client.post_json("/api/v1/orgs", common::fixtures::org_input()).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let org_id = body["org"]["id"].as_str().unwrap().to_owned();
    for round in 0u32.. {
        let name = format!("App {n}-{round}");
        let created =
            client.try_request(Method::POST, "/api/v1/applications", Some(json!({"org_id": org_id, "name": name})));
        let Some(body) = acknowledged(created.await, StatusCode::CREATED).await else { return acked };
        let id = body["application"]["id"].as_str().unwrap().to_owned();
        acked.applications.push(id.clone());

        let mut patch = common::fixtures::complete_patch();
        let description = format!("Written by writer {n} in round {round}, then acknowledged.");
        patch["description"] = json!(description);
        let path = format!("/api/v1/applications/{id}");
        let saved = client.try_request(Method::PATCH, &path, Some(patch)).await;
        if acknowledged(saved, StatusCode::OK).await.is_none() {
            return acked;
        }
        acked.descriptions.insert(id.clone(), description);

        let mockups = format!("{path}/mockups");
        let uploaded = client.try_upload(&mockups, Some("Consent screen"), "c.png", png(64 + round, 48)).await;
        match uploaded {
            Ok((StatusCode::CREATED, body)) => {
                acked.mockups.push((id.clone(), body["id"].as_str().unwrap().to_owned()))
            }
            _ => return acked,
        }

        let submitted = client.try_request(Method::POST, &format!("{path}/submit"), Some(json!({}))).await;
        if acknowledged(submitted, StatusCode::OK).await.is_none() {
            return acked;
        }
        acked.submitted.push(id);
        progress.fetch_add(1, Ordering::Relaxed);
    }
    acked
}

/// The demo reviewer's writes on `ids`: a claim, a verdict on every item, an approval.
async fn review_until_killed(mut reviewer: Client, ids: Vec<String>, progress: Progress) -> Acknowledged {
    let mut acked = Acknowledged::default();
    for id in ids {
        let path = format!("/api/v1/applications/{id}");
        let claimed = reviewer.try_request(Method::POST, &format!("{path}/assign"), Some(json!({}))).await;
        if acknowledged(claimed, StatusCode::OK).await.is_none() {
            return acked;
        }
        let Some(review) =
            acknowledged(reviewer.try_request(Method::GET, &format!("{path}/review"), None).await, StatusCode::OK)
                .await
        else {
            return acked;
        };
        for item in review["items"].as_array().unwrap() {
            let item_id = item["item_id"].as_str().unwrap().to_owned();
            let verdict = reviewer
                .try_request(Method::PUT, &format!("{path}/review/items/{item_id}"), Some(json!({"verdict": "pass"})))
                .await;
            if acknowledged(verdict, StatusCode::OK).await.is_none() {
                return acked;
            }
            acked.verdicts.push((id.clone(), item_id));
            progress.fetch_add(1, Ordering::Relaxed);
        }
        let Some(seen) = acknowledged(reviewer.try_request(Method::GET, &path, None).await, StatusCode::OK).await
        else {
            return acked;
        };
        let body = json!({
            "decision": "approve", "granted_scopes": ["portability.posts.single"], "message": "Fine.",
            "revision": seen["application"]["revision"], "version": seen["application"]["version"],
        });
        let decided = reviewer.try_request(Method::POST, &format!("{path}/decision"), Some(body)).await;
        if acknowledged(decided, StatusCode::OK).await.is_none() {
            return acked;
        }
        acked.decided.push(id);
    }
    acked
}

/// The body of an answer with `expected` status; `None` when there was no such answer.
async fn acknowledged(answer: reqwest::Result<reqwest::Response>, expected: StatusCode) -> Option<Value> {
    let response = answer.ok().filter(|r| r.status() == expected)?;
    response.json().await.ok()
}

#[tokio::test]
async fn killed_in_a_burst_of_writes_it_restarts_with_every_acknowledged_write_and_nothing_half_written() {
    let dir = TempDir::new().unwrap();
    let database_url = common::fresh_database(dir.path()).await;
    let mut portal = Portal::start(&database_url, dir.path(), DEMO, &[]).await;
    // Applications for the reviewer to work on during the burst.
    let mut dev = portal.client();
    sign_in(&mut dev, DEVELOPER).await;
    let mut to_review = Vec::new();
    for _ in 0..6 {
        let (_, id) = ready_to_submit(&mut dev).await;
        let (status, body) = dev.post_json(&format!("/api/v1/applications/{id}/submit"), json!({})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        to_review.push(id);
    }
    let (submissions, verdicts) = (Progress::default(), Progress::default());
    let mut writers = Vec::new();
    for n in 0..3 {
        let mut client = portal.client();
        sign_in(&mut client, DEVELOPER).await;
        writers.push(tokio::spawn(write_until_killed(client, n, submissions.clone())));
    }
    let mut reviewer = portal.client();
    sign_in(&mut reviewer, REVIEWER).await;
    writers.push(tokio::spawn(review_until_killed(reviewer, to_review, verdicts.clone())));
    // Killed mid-burst however fast the machine: once some submissions and verdicts are in.
    let deadline = Instant::now() + Duration::from_secs(60);
    while (submissions.load(Ordering::Relaxed) < 4 || verdicts.load(Ordering::Relaxed) < 4) && Instant::now() < deadline
    {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    portal.kill();
    let mut acked = Acknowledged::default();
    for writer in writers {
        acked.add(writer.await.unwrap());
    }
    assert!(acked.submitted.len() >= 2, "the burst got going before the kill: {} submitted", acked.submitted.len());
    assert!(!acked.verdicts.is_empty(), "the reviewer got going before the kill");

    // No grace for files no mockup refers to: nothing else is uploading.
    let env = [("PORTCULLIS_UPLOAD_ORPHAN_GRACE_SECS", "0".to_owned())];
    let portal = Portal::start(&database_url, dir.path(), &[], &env).await;
    audit_verifies(&database_url, dir.path());
    let mut dev = portal.client();
    sign_in(&mut dev, DEVELOPER).await;
    for id in &acked.applications {
        let (status, body) = dev.get_json(&format!("/api/v1/applications/{id}")).await;
        assert_eq!(status, StatusCode::OK, "acknowledged application {id}: {body}");
        if let Some(description) = acked.descriptions.get(id) {
            assert_eq!(body["application"]["description"], *description.as_str());
        }
    }
    for (id, mockup_id) in &acked.mockups {
        let r = dev.get(&format!("/api/v1/applications/{id}/mockups/{mockup_id}")).await;
        assert_eq!(r.status(), StatusCode::OK, "acknowledged mockup {mockup_id}");
    }
    for id in &acked.submitted {
        let (_, body) = dev.get_json(&format!("/api/v1/applications/{id}/revisions")).await;
        assert_eq!(body["revisions"].as_array().map(Vec::len), Some(1), "{body}");
    }
    let mut reviewer = portal.client();
    sign_in(&mut reviewer, REVIEWER).await;
    for (id, item_id) in &acked.verdicts {
        let (status, review) = reviewer.get_json(&format!("/api/v1/applications/{id}/review")).await;
        assert_eq!(status, StatusCode::OK, "{review}");
        let item = review["items"].as_array().unwrap().iter().find(|i| i["item_id"] == item_id.as_str()).cloned();
        assert_eq!(item.map(|i| i["verdict"].clone()), Some(json!("pass")), "acknowledged verdict {item_id} on {id}");
    }
    for id in &acked.decided {
        let (_, body) = dev.get_json(&format!("/api/v1/applications/{id}")).await;
        assert_eq!(body["application"]["status"], "approved", "acknowledged decision on {id}");
    }
    // Nothing half-written: each application has as many stored revisions as its number says,
    // and every stored file belongs to a mockup (none left from an upload cut short).
    let db = sea_orm::Database::connect(&database_url).await.unwrap();
    let applications = application::Entity::find().all(&db).await.unwrap();
    assert!(applications.len() >= acked.applications.len());
    for row in &applications {
        let stored = application_revision::Entity::find()
            .filter(application_revision::Column::ApplicationId.eq(&row.id))
            .count(&db)
            .await
            .unwrap();
        assert_eq!(stored, row.revision as u64, "application {}", row.id);
        assert_eq!(row.status == "draft", row.revision == 0, "application {}: {}", row.id, row.status);
    }
    let mut expected: Vec<String> = mockup::Entity::find()
        .all(&db)
        .await
        .unwrap()
        .into_iter()
        .flat_map(|m| [Some(m.storage_key), m.thumbnail_key])
        .flatten()
        .collect();
    expected.sort();
    // The restarted server's first housekeeping removes what the kill left.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let mut stored: Vec<String> = files_under(&dir.path().join("uploads"))
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        stored.sort();
        if stored == expected {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the stored files are exactly the mockups' files and previews: {stored:?} {expected:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    for scratch in std::fs::read_dir(dir.path().join("uploads/incoming")).unwrap().flatten() {
        if scratch.path().is_dir() {
            let left: Vec<_> = std::fs::read_dir(scratch.path()).unwrap().flatten().map(|e| e.path()).collect();
            assert!(left.is_empty(), "no upload cut short is left in scratch space: {left:?}");
        }
    }
}

/// Files under the blob store, leaving out the scratch space of running processes.
fn files_under(root: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let Ok(entries) = std::fs::read_dir(root) else { return files };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            if path.file_name().is_some_and(|n| n == "incoming") {
                continue;
            }
            files.extend(files_under(&path));
        } else {
            files.push(path);
        }
    }
    files
}
