//! Accounts through the JSON API: register, verify, sign in and out, reset, rate limits.

use crate::common;

use common::fixtures::org_input;
use common::{Options, TestApp, json, link_token};
use reqwest::StatusCode;
use std::time::Duration;

const PASSWORD: &str = "correct horse battery staple";

#[tokio::test]
async fn register_verify_login_me_logout() {
    let app = TestApp::spawn().await;
    let mut client = app.client();

    let (status, body) = client
        .post_json("/api/v1/auth/register", json!({"email": "Ada@Example.com", "password": PASSWORD, "name": "Ada"}))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(body["user"]["email"], "ada@example.com");
    assert_eq!(body["user"]["roles"], json!(["developer"]));
    assert_eq!(body["user"]["email_verified"], false);

    // Signing in works before verification; `me` shows it unverified.
    let (status, _) =
        client.post_json("/api/v1/auth/login", json!({"email": "ada@example.com", "password": PASSWORD})).await;
    assert_eq!(status, StatusCode::OK);
    let (_, me) = client.get_json("/api/v1/me").await;
    assert_eq!(me["user"]["email_verified"], false);

    let mail = app.wait_for_mail("ada@example.com", "/verify-email?token=").await;
    assert!(mail.contains("Content-Type: text/html"), "mail has an HTML part");
    assert!(mail.contains("Content-Type: text/plain"), "mail has a text part");
    let token = link_token(&mail, "/verify-email");
    assert!(mail.contains(&format!("{}/verify-email?token={token}", app.base)), "link uses the public URL");
    let r = client.post("/api/v1/auth/verify-email", json!({ "token": token })).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    // One use only.
    let (status, body) = client.post_json("/api/v1/auth/verify-email", json!({ "token": token })).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["code"], "invalid_token");

    let (status, me) = client.get_json("/api/v1/me").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["user"]["email_verified"], true);
    assert_eq!(me["user"]["name"], "Ada");

    let old_cookie = client.cookie.clone().expect("session cookie");
    let r = client.post("/api/v1/auth/logout", json!({})).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);

    // Replaying the logged-out cookie does not work.
    let mut replay = app.client();
    replay.cookie = Some(old_cookie);
    let (status, body) = replay.get_json("/api/v1/me").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"]["code"], "unauthenticated");
}

#[tokio::test]
async fn login_issues_a_new_session_id() {
    let app = TestApp::spawn().await;
    let mut client = app.client();
    client.post("/api/v1/auth/register", json!({"email": "b@example.com", "password": PASSWORD, "name": "B"})).await;
    // An anonymous session exists before login (e.g. from a previous visit).
    client.cookie = Some("portcullis_session=attacker-chosen".into());
    let r = client.post("/api/v1/auth/login", json!({"email": "b@example.com", "password": PASSWORD})).await;
    assert_eq!(r.status(), StatusCode::OK);
    let cookie = client.cookie.clone().unwrap();
    assert!(cookie.starts_with("portcullis_session="));
    assert_ne!(cookie, "portcullis_session=attacker-chosen");
    let set_cookie = r.headers().get("set-cookie").unwrap().to_str().unwrap().to_owned();
    assert!(set_cookie.contains("HttpOnly"), "{set_cookie}");
    assert!(set_cookie.contains("SameSite=Lax"), "{set_cookie}");
}

#[tokio::test]
async fn unknown_email_and_wrong_password_answer_alike() {
    let app = TestApp::spawn().await;
    let mut client = app.client();
    client.post("/api/v1/auth/register", json!({"email": "c@example.com", "password": PASSWORD, "name": "C"})).await;

    let (s1, b1) = client
        .post_json("/api/v1/auth/login", json!({"email": "c@example.com", "password": "wrong password here"}))
        .await;
    let (s2, b2) = client
        .post_json("/api/v1/auth/login", json!({"email": "nobody@example.com", "password": "wrong password here"}))
        .await;
    assert_eq!(s1, StatusCode::UNAUTHORIZED);
    assert_eq!(s2, StatusCode::UNAUTHORIZED);
    assert_eq!(b1["error"]["code"], b2["error"]["code"]);
    assert_eq!(b1["error"]["message"], b2["error"]["message"]);
    assert_eq!(b1["error"]["message"], "Incorrect email or password.");
}

#[tokio::test]
async fn repeated_failures_are_rate_limited_per_account() {
    let app = TestApp::spawn().await;
    let mut client = app.client();
    client.post("/api/v1/auth/register", json!({"email": "d@example.com", "password": PASSWORD, "name": "D"})).await;
    for _ in 0..5 {
        let (status, _) = client
            .post_json("/api/v1/auth/login", json!({"email": "d@example.com", "password": "not the password"}))
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    // Even the right password is refused now, before any hashing.
    let r = client.post("/api/v1/auth/login", json!({"email": "d@example.com", "password": PASSWORD})).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = r.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!(retry > 0 && retry <= 15 * 60, "{retry}");
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "rate_limited");
    // Another account from the same address is not affected yet.
    let (status, _) =
        client.post_json("/api/v1/auth/login", json!({"email": "other@example.com", "password": "x"})).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn failures_are_rate_limited_per_address() {
    let app = TestApp::spawn_with(common::Options {
        env: vec![("PORTCULLIS_LOGIN_MAX_FAILURES_PER_ADDRESS", "3".into())],
        ..Default::default()
    })
    .await;
    let mut client = app.client();
    for i in 0..3 {
        let (status, _) = client
            .post_json("/api/v1/auth/login", json!({"email": format!("u{i}@example.com"), "password": "x"}))
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let (status, body) =
        client.post_json("/api/v1/auth/login", json!({"email": "fresh@example.com", "password": "x"})).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(body["error"]["code"], "rate_limited");
}

#[tokio::test]
async fn password_reset_by_mailed_link() {
    let app = TestApp::spawn().await;
    let mut client = app.signed_in_user("e@example.com", "E").await;

    let r = client.post("/api/v1/auth/password-reset", json!({"email": "e@example.com"})).await;
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    // Unknown addresses get the same answer and no mail.
    let r = client.post("/api/v1/auth/password-reset", json!({"email": "ghost@example.com"})).await;
    assert_eq!(r.status(), StatusCode::ACCEPTED);

    let mail = app.wait_for_mail("e@example.com", "/reset-password?token=").await;
    let token = link_token(&mail, "/reset-password");

    let (status, body) =
        client.post_json("/api/v1/auth/password-reset/confirm", json!({"token": token, "password": "short"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["fields"]["password"][0], "Use at least 12 characters.");

    let new_password = "a brand new passphrase";
    let r = client.post("/api/v1/auth/password-reset/confirm", json!({"token": token, "password": new_password})).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);

    // The reset ended the existing session.
    let (status, _) = client.get_json("/api/v1/me").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let mut fresh = app.client();
    let (status, _) =
        fresh.post_json("/api/v1/auth/login", json!({"email": "e@example.com", "password": PASSWORD})).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) =
        fresh.post_json("/api/v1/auth/login", json!({"email": "e@example.com", "password": new_password})).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        !std::fs::read_dir(app.mail_dir())
            .unwrap()
            .any(|e| { std::fs::read_to_string(e.unwrap().path()).unwrap().contains("To: ghost@example.com") })
    );
}

#[tokio::test]
async fn registering_an_existing_address_reveals_nothing() {
    let app = TestApp::spawn().await;
    let mut client = app.client();
    let body = json!({"email": "f@example.com", "password": PASSWORD, "name": "F"});
    let (s1, first) = client.post_json("/api/v1/auth/register", body.clone()).await;
    let (s2, second) = client.post_json("/api/v1/auth/register", body).await;
    assert_eq!((s1, s2), (StatusCode::CREATED, StatusCode::CREATED));
    assert_eq!(first["user"]["email"], second["user"]["email"]);
    // The owner is told by mail instead.
    app.wait_for_mail("f@example.com", "Someone tried to register").await;
}

#[tokio::test]
async fn validation_reports_every_field() {
    let app = TestApp::spawn().await;
    let mut client = app.client();
    let (status, body) = client
        .post_json("/api/v1/auth/register", json!({"email": "nope", "password": "short", "name": "bad\u{7}name"}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields = body["error"]["fields"].as_object().unwrap();
    assert_eq!(fields.keys().collect::<Vec<_>>(), ["email", "name", "password"]);

    // Unicode and the length limits: 128 characters of 4 bytes each are accepted.
    let long = "🔒".repeat(128);
    let (status, _) = client
        .post_json("/api/v1/auth/register", json!({"email": "g@example.com", "password": long, "name": "Zoë 李"}))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _) = client.post_json("/api/v1/auth/login", json!({"email": "g@example.com", "password": long})).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = client
        .post_json(
            "/api/v1/auth/register",
            json!({"email": "h@example.com", "password": "🔒".repeat(129), "name": "H"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["fields"]["password"][0], "Use at most 128 characters.");
}

#[tokio::test]
async fn bad_json_oversize_and_wrong_types() {
    let app = TestApp::spawn().await;
    let http = reqwest::Client::new();
    let url = format!("{}/api/v1/auth/login", app.base);

    let r = http.post(&url).header("content-type", "application/json").body("{not json").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "bad_request");
    assert!(body["error"]["request_id"].as_str().is_some_and(|id| !id.is_empty()));

    let r = http.post(&url).json(&json!({"email": 5, "password": []})).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let huge = json!({"email": "a@example.com", "password": "x".repeat(2 * 1024 * 1024)});
    let r = http.post(&url).json(&huge).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);

    let r = http.post(format!("{}/api/v1/no-such-thing", app.base)).json(&json!({})).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

/// Waits until `n` password hashes are queued behind the occupied hashing threads.
async fn until_hashes_wait(app: &TestApp, n: usize) {
    for _ in 0..500 {
        if app.services.hasher().waiting() == n {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("{} hashes waiting, not {n}", app.services.hasher().waiting());
}

fn registration(email: &str) -> serde_json::Value {
    json!({"email": email, "password": PASSWORD, "name": "Stranger"})
}

#[tokio::test]
async fn no_write_waits_while_a_registration_is_hashed() {
    let app = TestApp::spawn().await;
    let mut dev = app.signed_in_user("dev@example.com", "Dev").await;
    let held = app.services.hasher().occupy();
    let mut stranger = app.client();
    let registering =
        tokio::spawn(async move { stranger.post_json("/api/v1/auth/register", registration("new@example.com")).await });
    until_hashes_wait(&app, 1).await;

    // The registration waits for its hash without holding the database: a write goes through.
    let created = tokio::time::timeout(Duration::from_secs(30), dev.post_json("/api/v1/orgs", org_input())).await;
    let (status, body) = created.expect("the write does not wait for the hash");
    assert_eq!(status, StatusCode::CREATED, "{body}");
    drop(held);
    let (status, body) = registering.await.unwrap();
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

#[tokio::test]
async fn a_bad_reset_token_costs_no_hash() {
    let app = TestApp::spawn().await;
    let _held = app.services.hasher().occupy();
    let mut stranger = app.client();
    let answer = tokio::time::timeout(
        Duration::from_secs(30),
        stranger.post_json("/api/v1/auth/password-reset/confirm", json!({"token": "forged", "password": PASSWORD})),
    )
    .await;
    let (status, body) = answer.expect("answered without waiting for a hash");
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["code"], "invalid_token");
    assert_eq!(app.services.hasher().waiting(), 0);
}

#[tokio::test]
async fn a_full_hash_queue_answers_busy_while_queued_hashes_and_sign_ins_complete() {
    let app =
        TestApp::spawn_with(Options { env: vec![("PORTCULLIS_HASH_QUEUE", "1".into())], ..Default::default() }).await;
    let dev = app.signed_in_user("dev@example.com", "Dev").await;
    let held = app.services.hasher().occupy();
    let mut first = app.client();
    let queued =
        tokio::spawn(async move { first.post_json("/api/v1/auth/register", registration("a@example.com")).await });
    until_hashes_wait(&app, 1).await;

    let response = app.client().post("/api/v1/auth/register", registration("b@example.com")).await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(response.headers()["retry-after"], "2");
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "busy");
    // Signing in has a lane of its own: the registrations do not crowd it out.
    let mut signing_in = dev.clone();
    let login = tokio::spawn(async move {
        signing_in.post_json("/api/v1/auth/login", json!({"email": "dev@example.com", "password": PASSWORD})).await
    });
    until_hashes_wait(&app, 2).await;
    drop(held);
    assert_eq!(queued.await.unwrap().0, StatusCode::CREATED, "a queued hash runs to completion");
    assert_eq!(login.await.unwrap().0, StatusCode::OK);
    app.wait_for_mail("a@example.com", "/verify-email?token=").await;
    assert!(common::read_mails(&app.mail_dir()).iter().all(|m| !m.contains("b@example.com")), "b was not registered");
}

#[tokio::test]
async fn registering_an_existing_address_costs_the_same_hash() {
    let app = TestApp::spawn().await;
    app.signed_in_user("taken@example.com", "Taken").await;
    let held = app.services.hasher().occupy();
    let mut stranger = app.client();
    let registering =
        tokio::spawn(
            async move { stranger.post_json("/api/v1/auth/register", registration("taken@example.com")).await },
        );
    until_hashes_wait(&app, 1).await;
    drop(held);
    let (status, body) = registering.await.unwrap();
    assert_eq!(status, StatusCode::CREATED, "the same answer as for a new address: {body}");
    app.wait_for_mail("taken@example.com", "already has one").await;
}
