//! The audit trail: its hash chain, its signed checkpoints, the published key, and
//! `portcullis audit verify` catching each kind of tampering forged in the database.

use crate::common::{self, Options, TestApp, json};
use portcullis_domain::audit::checkpoint::Statement;
use portcullis_domain::audit::{BrokenLink, ChainFormat};
use portcullis_service::audit::signing::{PublicKey, SigningKey};
use portcullis_service::audit::{self, ChainReport, checkpoints};
use portcullis_service::clock::ManualClock;
use portcullis_service::entity::{audit_checkpoint, audit_log};
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, DbBackend, EntityTrait, IntoActiveModel, QueryOrder, Statement as Sql};
use std::process::{Command, Output};

fn postgres(app: &TestApp) -> bool {
    app.services.db().get_database_backend() == DbBackend::Postgres
}

/// Runs `sql` as someone with write access to the database would. On PostgreSQL the triggers
/// refuse it, so the forger is the tables' owner, who can switch them off first.
async fn forge(app: &TestApp, sql: &str) {
    let db = app.services.db();
    let backend = db.get_database_backend();
    let run = |sql: String| async move { db.execute_raw(Sql::from_string(backend, sql)).await.unwrap() };
    if postgres(app) {
        run("ALTER TABLE audit_log DISABLE TRIGGER USER".into()).await;
        run("ALTER TABLE audit_checkpoint DISABLE TRIGGER USER".into()).await;
    }
    run(sql.to_owned()).await;
    if postgres(app) {
        run("ALTER TABLE audit_log ENABLE TRIGGER USER".into()).await;
        run("ALTER TABLE audit_checkpoint ENABLE TRIGGER USER".into()).await;
    }
}

/// `portcullis audit verify` against the app's database, with its key file.
fn verify_cli(app: &TestApp) -> (Option<i32>, String) {
    let out = portcullis(app, &["audit", "verify"]);
    (out.status.code(), String::from_utf8_lossy(&out.stdout).into_owned())
}

fn portcullis(app: &TestApp, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_portcullis"))
        .args(args)
        .current_dir(app.data_dir.path())
        .env("DATABASE_URL", &app.database_url)
        .env("PORTCULLIS_DATA_DIR", app.data_dir.path())
        .env_remove("PORTCULLIS_AUDIT_SIGNING_KEY")
        .env_remove("SMTP_URL")
        .output()
        .expect("binary runs")
}

/// An app with some history and a checkpoint covering all of it; returns the covered record.
async fn app_with_checkpoint() -> (TestApp, i64) {
    let app = TestApp::spawn().await;
    let mut admin = app.signed_in_admin().await;
    app.signed_in_user("t@example.com", "T").await;
    admin.post("/api/v1/auth/logout", json!({})).await;
    assert!(checkpoints::take_final(&app.services).await.unwrap());
    let head = records(&app).await.last().unwrap().seq;
    (app, head)
}

async fn records(app: &TestApp) -> Vec<audit_log::Model> {
    audit_log::Entity::find().order_by_asc(audit_log::Column::Seq).all(app.services.db()).await.unwrap()
}

#[tokio::test]
async fn an_edited_or_removed_record_breaks_the_chain() {
    let app = TestApp::spawn().await;
    let mut admin = app.signed_in_admin().await;
    app.signed_in_user("t@example.com", "T").await;
    admin.post("/api/v1/auth/logout", json!({})).await;
    let ChainReport::Intact { records, .. } = audit::verify(&app.services).await.unwrap() else {
        panic!("chain broken")
    };
    assert!(records >= 6, "{records}");

    // Someone edits a stored record directly in the database.
    forge(&app, "UPDATE audit_log SET details = '{\"forged\":true}' WHERE seq = 3").await;
    assert_eq!(
        audit::verify(&app.services).await.unwrap(),
        ChainReport::Broken { checked: 2, link: BrokenLink::Altered { seq: 3 } }
    );

    // Deleting a record instead breaks the chain at the gap.
    let app = TestApp::spawn().await;
    app.signed_in_user("u@example.com", "U").await;
    forge(&app, "DELETE FROM audit_log WHERE seq = 2").await;
    assert!(matches!(
        audit::verify(&app.services).await.unwrap(),
        ChainReport::Broken { link: BrokenLink::Unlinked { seq: 3 }, .. }
    ));
    let (code, out) = verify_cli(&app);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("record 3: it does not point to the previous record's hash"), "{out}");
}

#[tokio::test]
async fn checkpoints_are_listed_for_admins_and_verify_with_the_published_key() {
    let (app, head) = app_with_checkpoint().await;
    let mut admin = app.signed_in_admin().await;

    let (status, page) = admin.get_json("/api/v1/audit/checkpoints").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(page["total"], 1);
    let checkpoint = &page["items"][0];
    assert_eq!(checkpoint["seq"], head);
    assert_eq!(checkpoint["records"], head);

    // Anyone can fetch the key, and check the signature with it alone.
    let r = app.client().get("/.well-known/portcullis-audit-key").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/plain"));
    let key = PublicKey::parse_pem(&r.text().await.unwrap()).unwrap();
    let statement = Statement {
        seq: head,
        hash: checkpoint["hash"].as_str().unwrap().into(),
        records: head,
        at: checkpoint["at"].as_str().unwrap().into(),
        key_id: checkpoint["key_id"].as_str().unwrap().into(),
    };
    assert_eq!(statement.key_id, key.id());
    assert_eq!(key.verify(&statement, checkpoint["signature"].as_str().unwrap()), Ok(()));
    let last = records(&app).await.into_iter().find(|r| r.seq == head).unwrap();
    assert_eq!(statement.hash, last.hash);

    // Whoever may not browse the trail may not list its checkpoints either.
    let mut dev = app.signed_in_user("dev@example.com", "Dev").await;
    assert_eq!(dev.get("/api/v1/audit/checkpoints").await.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.client().get("/api/v1/audit/checkpoints").await.status(), StatusCode::UNAUTHORIZED);

    let (code, out) = verify_cli(&app);
    assert_eq!(code, Some(0), "{out}");
    // The sign-ins since the checkpoint are newer records, covered by the chain alone.
    let now = records(&app).await.len();
    let summary = format!("1 checkpoints signed by key {}, the newest covers record {head}", key.id());
    assert!(out.contains(&format!("audit trail intact: {now} records verified, {summary}")), "{out}");
}

/// Appends `n` correctly chained records, as a busy portal would.
async fn append_records(app: &TestApp, n: i64, at: &str) {
    let db = app.services.db();
    let last = records(app).await.pop();
    let (mut seq, mut prev) = last.map_or((0, portcullis_domain::audit::GENESIS_HASH.to_owned()), |r| (r.seq, r.hash));
    let mut rows = Vec::new();
    for _ in 0..n {
        seq += 1;
        let mut row = audit_log::Model {
            seq,
            at: at.to_owned(),
            actor_id: None,
            actor_email: None,
            action: "test.event".into(),
            object_type: "test".into(),
            object_id: None,
            ip: None,
            details: "{}".into(),
            prev_hash: prev.clone(),
            hash: String::new(),
            format: ChainFormat::CURRENT.number(),
        };
        row.hash = ChainFormat::CURRENT.hash(&prev, &row.fields());
        prev = row.hash.clone();
        rows.push(row.into_active_model());
    }
    for chunk in rows.chunks(100) {
        audit_log::Entity::insert_many(chunk.to_vec()).exec_without_returning(db).await.unwrap();
    }
}

async fn checkpointed(app: &TestApp) -> Vec<(i64, i64)> {
    let all = audit_checkpoint::Entity::find()
        .order_by_asc(audit_checkpoint::Column::Seq)
        .all(app.services.db())
        .await
        .unwrap();
    all.into_iter().map(|c| (c.seq, c.records)).collect()
}

#[tokio::test]
async fn a_checkpoint_is_taken_every_thousand_records_and_after_an_hour() {
    let clock = ManualClock::new(chrono::Utc::now());
    let app = TestApp::spawn_with(Options { clock: Some(clock.clone()), ..Default::default() }).await;
    let now = clock_text(&clock);

    // A burst: one checkpoint per thousand records, at exactly each thousandth.
    append_records(&app, 2_500, &now).await;
    checkpoints::take_due(&app.services).await.unwrap();
    assert_eq!(checkpointed(&app).await, [(1_000, 1_000), (2_000, 2_000)]);
    assert_eq!(checkpoints::take_due(&app.services).await.unwrap(), 0, "the rest is neither many nor old");

    // An hour later the rest is covered too.
    clock.advance(std::time::Duration::from_secs(3_601));
    checkpoints::take_due(&app.services).await.unwrap();
    assert_eq!(checkpointed(&app).await, [(1_000, 1_000), (2_000, 2_000), (2_500, 2_500)]);
    assert!(matches!(
        audit::verify(&app.services).await.unwrap(),
        ChainReport::Intact { records: 2_500, checkpoints: 3, latest_checkpoint: Some(2_500) }
    ));
}

fn clock_text(clock: &ManualClock) -> String {
    use portcullis_service::clock::Clock;
    clock.now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

#[tokio::test]
async fn verify_catches_records_rewritten_and_rehashed_after_a_checkpoint() {
    let (app, head) = app_with_checkpoint().await;
    // The forger changes record 2 and re-hashes every later record, so the chain itself holds.
    let mut prev = None;
    for mut row in records(&app).await.into_iter().filter(|r| r.seq >= 2) {
        if row.seq == 2 {
            row.details = "{\"forged\":true}".into();
        }
        row.prev_hash = prev.take().unwrap_or(row.prev_hash);
        row.hash = ChainFormat::CURRENT.hash(&row.prev_hash, &row.fields());
        prev = Some(row.hash.clone());
        let sql = format!(
            "UPDATE audit_log SET details = '{}', prev_hash = '{}', hash = '{}' WHERE seq = {}",
            row.details, row.prev_hash, row.hash, row.seq
        );
        forge(&app, &sql).await;
    }
    let (code, out) = verify_cli(&app);
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.contains(&format!("checkpoint of record {head}: record {head} no longer has the signed hash")),
        "{out}"
    );
    assert!(out.contains(&format!("a record up to {head} was rewritten and the chain re-hashed")), "{out}");
}

#[tokio::test]
async fn verify_catches_a_deleted_tail() {
    let (app, head) = app_with_checkpoint().await;
    forge(&app, &format!("DELETE FROM audit_log WHERE seq > {}", head - 2)).await;
    let (code, out) = verify_cli(&app);
    assert_eq!(code, Some(1), "{out}");
    let last = head - 2;
    assert!(
        out.contains(&format!(
            "checkpoint of record {head}: record {head} no longer exists (the trail ends at {last})"
        )),
        "{out}"
    );
}

#[tokio::test]
async fn verify_catches_a_checkpoint_signed_by_another_key_or_rewritten() {
    let (app, head) = app_with_checkpoint().await;
    let db = app.services.db();
    let original = audit_checkpoint::Entity::find_by_id(head).one(db).await.unwrap().unwrap();

    // A forger signs the checkpoint again with a key of their own.
    let forger = SigningKey::generate();
    let mut statement = original.statement();
    statement.key_id = forger.public().id().to_owned();
    let sql = format!(
        "UPDATE audit_checkpoint SET key_id = '{}', signature = '{}' WHERE seq = {head}",
        statement.key_id,
        forger.sign(&statement)
    );
    forge(&app, &sql).await;
    let (code, out) = verify_cli(&app);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains(&format!("checkpoint of record {head}: signed by another key ({})", forger.public().id())));
    assert!(out.contains("a replaced key"), "{out}");

    // Or edits the checkpoint and keeps the portal's signature.
    let sql = format!(
        "UPDATE audit_checkpoint SET key_id = '{}', signature = '{}', records = {} WHERE seq = {head}",
        original.key_id,
        original.signature,
        head - 1
    );
    forge(&app, &sql).await;
    let (code, out) = verify_cli(&app);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains(&format!("checkpoint of record {head}: its signature does not match its content")), "{out}");

    // Put back, the trail verifies again: the checks above were about the forgeries.
    let sql = format!("UPDATE audit_checkpoint SET records = {} WHERE seq = {head}", original.records);
    forge(&app, &sql).await;
    assert_eq!(verify_cli(&app).0, Some(0));
}

#[tokio::test]
async fn postgresql_refuses_to_change_or_remove_audit_records_and_checkpoints() {
    let (app, head) = app_with_checkpoint().await;
    if !postgres(&app) {
        // SQLite has no triggers for this: the PostgreSQL run of the suite covers it.
        return;
    }
    let db = app.services.db();
    for sql in [
        "UPDATE audit_log SET details = '{}' WHERE seq = 1".to_owned(),
        "DELETE FROM audit_log WHERE seq = 1".to_owned(),
        "TRUNCATE audit_log".to_owned(),
        format!("UPDATE audit_checkpoint SET records = 0 WHERE seq = {head}"),
        format!("DELETE FROM audit_checkpoint WHERE seq = {head}"),
        "TRUNCATE audit_checkpoint".to_owned(),
    ] {
        let err = db.execute_raw(Sql::from_string(DbBackend::Postgres, sql.clone())).await.unwrap_err();
        assert!(err.to_string().contains("append-only"), "{sql}: {err}");
    }
    // Appending still works.
    app.signed_in_user("later@example.com", "Later").await;
    assert!(checkpoints::take_final(&app.services).await.unwrap());
    assert_eq!(verify_cli(&app).0, Some(0));
}

#[tokio::test]
async fn keygen_writes_a_private_key_once_and_the_portal_signs_with_it() {
    let dir = tempfile::TempDir::new().unwrap();
    let file = dir.path().join("audit.key");
    let keygen = || {
        Command::new(env!("CARGO_BIN_EXE_portcullis"))
            .args(["audit", "keygen"])
            .arg(&file)
            .current_dir(dir.path())
            .output()
            .unwrap()
    };
    let out = keygen();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let printed = String::from_utf8_lossy(&out.stdout).into_owned();
    let written = std::fs::read_to_string(&file).unwrap();
    assert!(written.starts_with("-----BEGIN PRIVATE KEY-----"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
    }
    let again = keygen();
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("exists"), "refused to overwrite");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), written);

    // The portal named to that key publishes its public key.
    let app = TestApp::spawn_with(Options {
        env: vec![("PORTCULLIS_AUDIT_SIGNING_KEY", file.display().to_string())],
        ..Default::default()
    })
    .await;
    let published = app.client().get("/.well-known/portcullis-audit-key").await.text().await.unwrap();
    assert!(printed.ends_with(&published), "{printed}\n{published}");
    assert!(printed.contains(PublicKey::parse_pem(&published).unwrap().id()));
}

#[tokio::test]
async fn a_bad_or_missing_signing_key_stops_startup_naming_the_variable() {
    let dir = tempfile::TempDir::new().unwrap();
    std::fs::write(dir.path().join("bad.key"), "not a key").unwrap();
    for (file, reason) in [("bad.key", "not a PEM private key"), ("missing.key", "No such file")] {
        let out = Command::new(env!("CARGO_BIN_EXE_portcullis"))
            .arg("migrate")
            .current_dir(dir.path())
            .env("PORTCULLIS_DATA_DIR", dir.path().join("data"))
            .env("PORTCULLIS_AUDIT_SIGNING_KEY", dir.path().join(file))
            .output()
            .unwrap();
        assert!(!out.status.success());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.contains("invalid configuration: PORTCULLIS_AUDIT_SIGNING_KEY"), "{stderr}");
        assert!(stderr.contains(reason), "{stderr}");
    }
    assert!(!dir.path().join("missing.key").exists(), "a named key is never made up");
}

#[tokio::test]
async fn a_graceful_shutdown_checkpoints_the_newest_record() {
    let dir = tempfile::TempDir::new().unwrap();
    let database_url = common::fresh_database(dir.path()).await;
    let run = |args: &[&str]| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_portcullis"));
        command
            .args(args)
            .current_dir(dir.path())
            .env("DATABASE_URL", &database_url)
            .env("PORTCULLIS_DATA_DIR", dir.path().join("data"))
            .env("PORTCULLIS_ADDR", format!("127.0.0.1:{}", common::free_port()))
            .env_remove("SMTP_URL");
        command
    };
    assert!(run(&["create-admin", "--email", "boss@example.com"]).output().unwrap().status.success());
    let mut serve = run(&["serve"]).stdout(std::process::Stdio::piped()).spawn().unwrap();
    let mut lines = std::io::BufRead::lines(std::io::BufReader::new(serve.stdout.take().unwrap()));
    assert!(lines.by_ref().map_while(Result::ok).any(|line| line.contains("listening")), "the portal started");
    let stopped = Command::new("kill").args(["-TERM", &serve.id().to_string()]).status().unwrap();
    assert!(stopped.success());
    assert!(serve.wait().unwrap().success());

    let out = run(&["audit", "verify"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    let records = text.split(" records verified").next().and_then(|t| t.rsplit(' ').next()).unwrap();
    assert!(text.contains(" 1 checkpoints") && text.contains(&format!("covers record {records}")), "{text}");
}
