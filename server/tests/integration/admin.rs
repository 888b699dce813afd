//! Roles, disabling and the admin views, with deny-by-default checks.

use crate::common;

use common::{TestApp, json};
use reqwest::StatusCode;

#[tokio::test]
async fn developers_cannot_call_admin_operations() {
    let app = TestApp::spawn().await;
    let mut dev = app.signed_in_user("dev@example.com", "Dev").await;
    let (_, me) = dev.get_json("/api/v1/me").await;
    let id = me["user"]["id"].as_str().unwrap().to_owned();

    for path in ["/api/v1/users", "/api/v1/audit", "/api/v1/mail/outbox"] {
        let (status, body) = dev.get_json(path).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
        assert_eq!(body["error"]["code"], "forbidden");
    }
    let r = dev.put(&format!("/api/v1/users/{id}/roles"), json!({"roles": ["admin"]})).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = dev.post(&format!("/api/v1/users/{id}/disable"), json!({})).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    // Anonymous callers are asked to sign in.
    let mut anon = app.client();
    let (status, _) = anon.get_json("/api/v1/users").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (_, me) = dev.get_json("/api/v1/me").await;
    assert_eq!(me["user"]["roles"], json!(["developer"]));
}

#[tokio::test]
async fn admin_grants_roles_and_the_session_id_changes() {
    let app = TestApp::spawn().await;
    let mut admin = app.signed_in_admin().await;
    let mut user = app.signed_in_user("rev@example.com", "Rev").await;

    let (status, page) = admin.get_json("/api/v1/users?q=rev@").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page["total"], 1);
    let id = page["items"][0]["id"].as_str().unwrap().to_owned();

    let before = user.cookie.clone().unwrap();
    let (status, body) = admin.put_json(&format!("/api/v1/users/{id}/roles"), json!({"roles": ["reviewer"]})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["user"]["roles"], json!(["developer", "reviewer"]));

    // The user's next request sees the new role under a new session id.
    let (status, me) = user.get_json("/api/v1/me").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["user"]["roles"], json!(["developer", "reviewer"]));
    assert_ne!(user.cookie.clone().unwrap(), before, "session id re-issued after a role change");
    let mut stale = app.client();
    stale.cookie = Some(before);
    let (status, _) = stale.get_json("/api/v1/me").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the old session id is gone");

    // Recorded in the audit trail with who did it.
    let (_, audit) = admin.get_json(&format!("/api/v1/audit?action=user.roles_changed&object_id={id}")).await;
    assert_eq!(audit["total"], 1);
    assert_eq!(audit["items"][0]["actor_email"], "root@example.com");
    assert!(audit["items"][0]["details"].as_str().unwrap().contains("developer,reviewer"));

    // Unknown roles are refused.
    let r = admin.put(&format!("/api/v1/users/{id}/roles"), json!({"roles": ["root"]})).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn disabling_ends_every_session() {
    let app = TestApp::spawn().await;
    let mut admin = app.signed_in_admin().await;
    let mut first = app.signed_in_user("gone@example.com", "Gone").await;
    let mut second = app.client();
    let (status, _) = second
        .post_json(
            "/api/v1/auth/login",
            json!({"email": "gone@example.com", "password": "correct horse battery staple"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);

    let (_, page) = admin.get_json("/api/v1/users?q=gone").await;
    let id = page["items"][0]["id"].as_str().unwrap().to_owned();
    let (status, body) = admin.post_json(&format!("/api/v1/users/{id}/disable"), json!({})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["user"]["disabled"], true);

    assert_eq!(first.get_json("/api/v1/me").await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(second.get_json("/api/v1/me").await.0, StatusCode::UNAUTHORIZED);
    let (status, body) = second
        .post_json(
            "/api/v1/auth/login",
            json!({"email": "gone@example.com", "password": "correct horse battery staple"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["error"]["code"], "account_disabled");

    // An admin cannot disable themselves, nor remove the last admin.
    let (_, me) = admin.get_json("/api/v1/me").await;
    let admin_id = me["user"]["id"].as_str().unwrap().to_owned();
    assert_eq!(
        admin.post(&format!("/api/v1/users/{admin_id}/disable"), json!({})).await.status(),
        StatusCode::CONFLICT
    );
    assert_eq!(
        admin.put(&format!("/api/v1/users/{admin_id}/roles"), json!({"roles": []})).await.status(),
        StatusCode::CONFLICT
    );

    let (status, body) = admin.post_json(&format!("/api/v1/users/{id}/enable"), json!({})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["user"]["disabled"], false);
    assert_eq!(admin.post("/api/v1/users/no-such-id/disable", json!({})).await.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn user_list_searches_and_pages() {
    // Thirty registrations from one address: above the default hourly limit.
    let app = TestApp::spawn_with(common::Options {
        env: vec![("PORTCULLIS_LIMIT_REGISTER_PER_HOUR", "100".into())],
        ..Default::default()
    })
    .await;
    let mut admin = app.signed_in_admin().await;
    let mut anon = app.client();
    for i in 0..30 {
        let r = anon
            .post("/api/v1/auth/register", json!({"email": format!("user{i:02}@example.com"), "password": "correct horse battery", "name": format!("Person {i}")}))
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
    }
    let (_, page1) = admin.get_json("/api/v1/users").await;
    assert_eq!(page1["total"], 31);
    assert_eq!(page1["items"].as_array().unwrap().len(), 25);
    let (_, page2) = admin.get_json("/api/v1/users?page=2").await;
    assert_eq!(page2["items"].as_array().unwrap().len(), 6);
    let (_, found) = admin.get_json("/api/v1/users?q=PERSON%2012").await;
    assert_eq!(found["total"], 1);
    assert_eq!(found["items"][0]["email"], "user12@example.com");
}

#[tokio::test]
async fn audit_records_logins_and_failures() {
    let app = TestApp::spawn().await;
    let mut admin = app.signed_in_admin().await;
    let mut anon = app.client();
    anon.post("/api/v1/auth/login", json!({"email": "root@example.com", "password": "wrong password!!"})).await;
    let (status, page) = admin.get_json("/api/v1/audit?action=user.").await;
    assert_eq!(status, StatusCode::OK);
    let actions: Vec<&str> = page["items"].as_array().unwrap().iter().map(|r| r["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["user.login_failed", "user.login", "user.password_reset", "user.admin_created"]);
    let failed = &page["items"][0];
    assert_eq!(failed["ip"], "127.0.0.1");
    assert!(failed["details"].as_str().unwrap().contains("root@example.com"));
    assert!(!failed["details"].as_str().unwrap().contains("wrong password"), "passwords never reach the audit trail");
}
