//! Rate limits that fit a real deployment: the client's address behind trusted proxies, limits
//! per address on what costs work or mails strangers, login lockouts that an attacker cannot
//! turn against an account's owner, and OAuth client authentication that a flood of invented
//! client ids cannot block.

use crate::common;

use common::fixtures::{approve, submitted_as};
use common::{Client, Options, TestApp, json};
use portcullis_service::credentials::oauth::{self, ClientAuth, OAuthError};
use reqwest::StatusCode;
use reqwest::header::HeaderValue;
use serde_json::Value;

const PASSWORD: &str = "correct horse battery staple";

/// The test client connects from 127.0.0.1, trusted as a proxy here.
fn behind_proxy(env: &[(&'static str, &str)]) -> Options {
    let mut options =
        Options { env: vec![("PORTCULLIS_TRUSTED_PROXIES", "127.0.0.1/32".into())], ..Default::default() };
    options.env.extend(env.iter().map(|(k, v)| (*k, (*v).to_owned())));
    options
}

/// A client whose requests the proxy forwards from `address`.
fn from(app: &TestApp, address: &'static str) -> Client {
    let mut client = app.client();
    client.headers.insert("x-forwarded-for", HeaderValue::from_static(address));
    client
}

async fn login(client: &mut Client, email: &str, password: &str) -> StatusCode {
    client.post("/api/v1/auth/login", json!({"email": email, "password": password})).await.status()
}

#[tokio::test]
async fn the_client_address_comes_from_trusted_proxies_only() {
    for (options, expected) in [(behind_proxy(&[]), "203.0.113.9"), (Options::default(), "127.0.0.1")] {
        let app = TestApp::spawn_with(options).await;
        let mut client = from(&app, "203.0.113.9");
        assert_eq!(login(&mut client, "nobody@example.com", "wrong password here").await, StatusCode::UNAUTHORIZED);
        let mut admin = app.signed_in_admin().await;
        let (_, audit) = admin.get_json("/api/v1/audit?action=user.login_failed").await;
        assert_eq!(audit["items"][0]["ip"], expected, "{audit}");
    }
}

#[tokio::test]
async fn registrations_are_limited_per_address_and_the_answer_names_the_limit() {
    let app = TestApp::spawn_with(behind_proxy(&[("PORTCULLIS_LIMIT_REGISTER_PER_HOUR", "3")])).await;
    let mut flood = from(&app, "198.51.100.7");
    for i in 0..3 {
        let registration = json!({"email": format!("bot{i}@example.com"), "password": PASSWORD, "name": "Bot"});
        assert_eq!(flood.post("/api/v1/auth/register", registration).await.status(), StatusCode::CREATED);
    }
    let response = flood
        .post("/api/v1/auth/register", json!({"email": "bot3@example.com", "password": PASSWORD, "name": "Bot"}))
        .await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = response.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=3600).contains(&retry), "{retry}");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "rate_limited");
    assert!(body["error"]["message"].as_str().unwrap().starts_with("Too many registrations from your address"));
    // Somebody else, from another address, is not affected.
    let mut neighbour = from(&app, "203.0.113.9");
    let registration = json!({"email": "person@example.com", "password": PASSWORD, "name": "Person"});
    assert_eq!(neighbour.post("/api/v1/auth/register", registration).await.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn resets_invitations_and_messages_are_limited_per_address() {
    let app = TestApp::spawn_with(behind_proxy(&[
        ("PORTCULLIS_LIMIT_PASSWORD_RESET_PER_HOUR", "2"),
        ("PORTCULLIS_LIMIT_PASSWORD_RESET_CONFIRM_PER_HOUR", "2"),
        ("PORTCULLIS_LIMIT_INVITATIONS_PER_HOUR", "2"),
        ("PORTCULLIS_LIMIT_MESSAGES_PER_HOUR", "2"),
    ]))
    .await;
    let (mut dev, id) = submitted_as(&app, "dev@example.com").await;
    dev.headers.insert("x-forwarded-for", HeaderValue::from_static("198.51.100.7"));
    let (_, application) = dev.get_json(&format!("/api/v1/applications/{id}")).await;
    let org_id = application["application"]["org_id"].as_str().unwrap().to_owned();
    let cases = [
        ("/api/v1/auth/password-reset".to_owned(), "password reset requests", json!({"email": "dev@example.com"})),
        (
            "/api/v1/auth/password-reset/confirm".to_owned(),
            "password reset attempts",
            json!({"token": "forged", "password": PASSWORD}),
        ),
        (format!("/api/v1/orgs/{org_id}/members"), "invitations", json!({"email": "mate@example.com"})),
        (format!("/api/v1/applications/{id}/messages"), "messages", json!({"body": "Any news?"})),
    ];
    for (path, noun, body) in cases {
        for _ in 0..2 {
            let status = dev.post(&path, body.clone()).await.status();
            assert_ne!(status, StatusCode::TOO_MANY_REQUESTS, "{path}");
        }
        let (status, refused) = dev.post_json(&path, body).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{path}: {refused}");
        let message = refused["error"]["message"].as_str().unwrap();
        assert!(message.contains(&format!("Too many {noun} from your address: at most 2 an hour")), "{message}");
    }
}

#[tokio::test]
async fn wrong_guesses_from_one_address_do_not_lock_the_owner_out_elsewhere() {
    let app = TestApp::spawn_with(behind_proxy(&[])).await;
    app.signed_in_user("admin-ish@example.com", "Target").await;
    let mut attacker = from(&app, "198.51.100.7");
    for _ in 0..5 {
        assert_eq!(login(&mut attacker, "admin-ish@example.com", "guess guess guess").await, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(login(&mut attacker, "admin-ish@example.com", PASSWORD).await, StatusCode::TOO_MANY_REQUESTS);
    let mut owner = from(&app, "203.0.113.9");
    assert_eq!(login(&mut owner, "admin-ish@example.com", PASSWORD).await, StatusCode::OK);
}

#[tokio::test]
async fn guessers_from_many_addresses_meet_an_account_wide_ceiling() {
    let app = TestApp::spawn_with(behind_proxy(&[("PORTCULLIS_LOGIN_MAX_FAILURES_PER_ACCOUNT", "4")])).await;
    app.signed_in_user("target@example.com", "Target").await;
    for address in ["198.51.100.1", "198.51.100.2", "198.51.100.3", "198.51.100.4"] {
        let mut attacker = from(&app, address);
        assert_eq!(login(&mut attacker, "target@example.com", "guess guess guess").await, StatusCode::UNAUTHORIZED);
    }
    let mut fifth = from(&app, "198.51.100.5");
    assert_eq!(login(&mut fifth, "target@example.com", "guess guess guess").await, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn a_flood_of_invented_client_ids_blocks_nobody_else() {
    let app = TestApp::spawn().await;
    let mut admin = app.signed_in_admin().await;
    let (mut dev, id) = submitted_as(&app, "dev@example.com").await;
    approve(&app, &mut admin, &id, &["portability.posts.single"]).await;
    let path = format!("/api/v1/applications/{id}");
    let (_, sandbox) = dev.post_json(&format!("{path}/credentials"), json!({"environment": "sandbox"})).await;
    let legitimate = || ClientAuth {
        client_id: sandbox["client_id"].as_str().unwrap().to_owned(),
        client_secret: sandbox["client_secret"].as_str().unwrap().to_owned(),
    };

    // 100,000 invented client ids from one address.
    let mut limited = 0;
    for i in 0..100_000u32 {
        let invented = ClientAuth { client_id: format!("pcc_{i:032x}"), client_secret: "pcs_test_guess".into() };
        match oauth::token(&app.services, invented, Some("198.51.100.7"), "client_credentials", None).await {
            Err(OAuthError::RateLimited { .. }) => limited += 1,
            Err(OAuthError::InvalidClient(_)) => {}
            other => panic!("{other:?}"),
        }
    }
    assert!(limited > 99_000, "the flood is refused before any lookup: {limited}");
    // The real client, from its own address, is not refused; nor with a wrong secret from
    // a third address on the same client id.
    let token = oauth::token(&app.services, legitimate(), Some("203.0.113.9"), "client_credentials", None).await;
    assert!(token.is_ok(), "{token:?}");
    let mut wrong = legitimate();
    wrong.client_secret.push('x');
    for _ in 0..10 {
        let refused = oauth::token(&app.services, wrong.clone(), Some("192.0.2.66"), "client_credentials", None).await;
        assert!(matches!(refused, Err(OAuthError::InvalidClient(_))), "{refused:?}");
    }
    let token = oauth::token(&app.services, legitimate(), Some("203.0.113.9"), "client_credentials", None).await;
    assert!(token.is_ok(), "failures from another address do not refuse it: {token:?}");
}
