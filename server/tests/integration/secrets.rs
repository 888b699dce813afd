//! No secret reaches a log, the database, the audit trail or a mail: after a run through every
//! operation that creates or uses one, all of them are searched.

use crate::common;

use common::fixtures::{access_token, approve, introspect, submitted_as};
use common::{TestApp, json, read_mails_any};
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, Database, Statement};
use serde_json::Value;
use std::io::Write;
use std::sync::{Arc, Mutex};

/// Everything the portal logs, at every level, for this test binary.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Every row of every table, as text.
async fn database_text(app: &TestApp) -> String {
    if app.database_url.starts_with("sqlite:") {
        let mut text = String::new();
        for entry in std::fs::read_dir(app.data_dir.path()).unwrap() {
            let path = entry.unwrap().path();
            if path.file_name().unwrap().to_string_lossy().starts_with("test.db") {
                text.push_str(&String::from_utf8_lossy(&std::fs::read(path).unwrap()));
            }
        }
        assert!(text.contains("credential_secrets"), "read the database file");
        return text;
    }
    let db = Database::connect(&app.database_url).await.unwrap();
    let tables = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'",
        ))
        .await
        .unwrap();
    let mut text = String::new();
    for table in tables {
        let name: String = table.try_get("", "table_name").unwrap();
        let rows = db
            .query_all_raw(Statement::from_string(
                db.get_database_backend(),
                format!("SELECT row_to_json(t)::text AS row FROM \"{name}\" t"),
            ))
            .await
            .unwrap();
        for row in rows {
            text.push_str(&row.try_get::<String>("", "row").unwrap());
        }
    }
    text
}

#[tokio::test]
async fn secrets_are_shown_once_and_found_nowhere_else() {
    let logs = Captured::default();
    let writer = logs.clone();
    tracing_subscriber::fmt().with_max_level(tracing::Level::TRACE).with_writer(move || writer.clone()).init();

    let app = TestApp::spawn().await;
    let mut admin = app.signed_in_admin().await;
    let (mut dev, id) = submitted_as(&app, "dev@example.com").await;
    let mut secrets: Vec<String> = Vec::new();

    let (status, sandbox) =
        dev.post_json(&format!("/api/v1/applications/{id}/credentials"), json!({"environment": "sandbox"})).await;
    assert_eq!(status, StatusCode::CREATED);
    secrets.push(sandbox["client_secret"].as_str().unwrap().to_owned());
    approve(&app, &mut admin, &id, &["portability.posts.single"]).await;
    let path = format!("/api/v1/applications/{id}");
    let (status, live) = admin.post_json(&format!("{path}/credentials"), json!({"environment": "production"})).await;
    assert_eq!(status, StatusCode::CREATED);
    assert!(live.get("client_secret").is_none(), "the admin never sees a production secret: {live}");
    let client_id = live["client_id"].as_str().unwrap().to_owned();
    // Only the owner ever sees a production secret: collected, rotated, then forced out and
    // collected again.
    let response = dev.post(&format!("/api/v1/credentials/{client_id}/collect"), json!({})).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["cache-control"], "no-store", "a page with a secret is not cached");
    let collected: Value = response.json().await.unwrap();
    secrets.push(collected["client_secret"].as_str().unwrap().to_owned());
    let (status, rotated) = dev.post_json(&format!("/api/v1/credentials/{client_id}/rotate"), json!({})).await;
    assert_eq!(status, StatusCode::CREATED);
    secrets.push(rotated["client_secret"].as_str().unwrap().to_owned());
    let (status, forced) = admin.post_json(&format!("/api/v1/credentials/{client_id}/force-rotation"), json!({})).await;
    assert_eq!(status, StatusCode::OK, "{forced}");
    let (status, recollected) = dev.post_json(&format!("/api/v1/credentials/{client_id}/collect"), json!({})).await;
    assert_eq!(status, StatusCode::OK);
    let current = recollected["client_secret"].as_str().unwrap().to_owned();
    secrets.push(current.clone());
    let (_, key) = admin.post_json("/api/v1/gateway-keys", json!({"name": "Gateway"})).await;
    let key = key["key"].as_str().unwrap().to_owned();
    secrets.push(key.clone());

    let http = reqwest::Client::new();
    let previous = secrets[1].clone();
    for password in [&current, &previous] {
        let access_token = access_token(&app.base, &client_id, password).await;
        let (_, active) = introspect(&app.base, &key, &access_token).await;
        assert_eq!(active["active"], true);
        secrets.push(access_token);
    }
    // A failed attempt with a secret-like value is not logged either.
    let wrong = format!("{current}-typo");
    http.post(format!("{}/oauth/token", app.base))
        .form(&[("grant_type", "client_credentials"), ("client_id", &client_id), ("client_secret", &wrong)])
        .send()
        .await
        .unwrap();
    secrets.push(wrong);
    let response =
        admin.post(&format!("/api/v1/credentials/{client_id}/revoke"), json!({"reason": "Rotating out."})).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    app.wait_for_mail("dev@example.com", "Rotating out.").await;

    let mut audit = String::new();
    for page in 1..=10 {
        let (_, body) = admin.get_json(&format!("/api/v1/audit?page={page}")).await;
        audit.push_str(&body.to_string());
    }
    for action in ["credential.issued", "credential.collected", "credential.rotated", "credential.rotation_forced"] {
        assert!(audit.contains(action), "searched the audit trail for {action}");
    }
    let database = database_text(&app).await;
    let mails = read_mails_any(&app.mail_dir()).join("\n");
    assert!(mails.contains(&client_id), "searched the mail");
    let logs = String::from_utf8_lossy(&logs.0.lock().unwrap()).into_owned();
    assert!(logs.contains("/oauth/token"), "captured the request log");
    for secret in &secrets {
        assert!(!logs.contains(secret.as_str()), "a secret is in the log");
        assert!(!database.contains(secret.as_str()), "a secret is in the database");
        assert!(!audit.contains(secret.as_str()), "a secret is in the audit trail");
        assert!(!mails.contains(secret.as_str()), "a secret is in a mail");
    }
}
