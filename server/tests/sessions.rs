//! Sessions end when they must: a password reset and a logout end them for good, even against
//! a request in flight, and slow clients cannot hold connections open.

mod common;

use common::{Client, Options, TestApp, json, link_token};
use portcullis_service::clock::ManualClock;
use portcullis_service::session_auth;
use portcullis_service::session_store::DbSessionStore;
use reqwest::StatusCode;
use std::sync::Arc;
use std::time::Duration;
use tower_sessions::Session;
use tower_sessions::session::Id;

const PASSWORD: &str = "correct horse battery staple";
const NEW_PASSWORD: &str = "a brand new passphrase";

/// An app whose clock the test moves, so a request can be made to write its session back.
async fn app_with_clock() -> (TestApp, ManualClock) {
    let clock = ManualClock::new(chrono::Utc::now());
    let app = TestApp::spawn_with(Options { clock: Some(clock.clone()), ..Default::default() }).await;
    (app, clock)
}

/// The session a request carrying `client`'s cookie works on, as the session layer builds it.
fn session_of(app: &TestApp, client: &Client) -> Session {
    let cookie = client.cookie.as_deref().expect("session cookie");
    let id: Id = cookie.split_once('=').expect("name=value").1.parse().expect("session id");
    Session::new(Some(id), Arc::new(DbSessionStore::new(app.services.db().clone())), None)
}

/// A client presenting the session id `session` ends with, like the browser after the response.
fn client_with(app: &TestApp, session: &Session) -> Client {
    let mut client = app.client();
    client.cookie = Some(format!("portcullis_session={}", session.id().expect("session id")));
    client
}

/// Resets the password through the mailed link.
async fn reset_password(app: &TestApp, email: &str) {
    let mut anonymous = app.client();
    let r = anonymous.post("/api/v1/auth/password-reset", json!({ "email": email })).await;
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let token = link_token(&app.wait_for_mail(email, "/reset-password?token=").await, "/reset-password");
    let r =
        anonymous.post("/api/v1/auth/password-reset/confirm", json!({"token": token, "password": NEW_PASSWORD})).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn a_request_in_flight_across_a_password_reset_cannot_bring_the_session_back() {
    let (app, clock) = app_with_clock().await;
    let mut user = app.signed_in_user("ada@example.com", "Ada").await;

    // A request starts: it reads the session and, a while after the last one, notes the activity.
    clock.advance(Duration::from_secs(120));
    let in_flight = session_of(&app, &user);
    assert!(session_auth::resolve(&app.services, &in_flight).await.unwrap().is_some());
    assert!(in_flight.is_modified());

    // The password is reset meanwhile, then the request ends and saves its session.
    reset_password(&app, "ada@example.com").await;
    in_flight.save().await.unwrap();

    let (status, _) = user.get_json("/api/v1/me").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_request_in_flight_across_a_logout_cannot_bring_the_session_back() {
    let (app, clock) = app_with_clock().await;
    let mut user = app.signed_in_user("ada@example.com", "Ada").await;
    let stolen = user.clone();

    clock.advance(Duration::from_secs(120));
    let in_flight = session_of(&app, &user);
    assert!(session_auth::resolve(&app.services, &in_flight).await.unwrap().is_some());

    let r = user.post("/api/v1/auth/logout", json!({})).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    in_flight.save().await.unwrap();

    let (status, _) = stolen.clone().get_json("/api/v1/me").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_session_reissued_in_flight_across_a_password_reset_is_signed_out() {
    let (app, _clock) = app_with_clock().await;
    let mut admin = app.signed_in_admin().await;
    let user = app.signed_in_user("ada@example.com", "Ada").await;
    let (_, me) = user.clone().get_json("/api/v1/me").await;
    let id = me["user"]["id"].as_str().unwrap().to_owned();
    let (status, _) = admin.put_json(&format!("/api/v1/users/{id}/roles"), json!({"roles": ["reviewer"]})).await;
    assert_eq!(status, StatusCode::OK);

    // A request starts and, the roles having changed, moves the session to a new id.
    let in_flight = session_of(&app, &user);
    assert!(session_auth::resolve(&app.services, &in_flight).await.unwrap().is_some());

    // The password is reset meanwhile; the request ends and stores the session under its new id.
    reset_password(&app, "ada@example.com").await;
    in_flight.save().await.unwrap();

    let (status, _) = client_with(&app, &in_flight).get_json("/api/v1/me").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_reset_ends_the_other_reset_links_and_mails_a_notice() {
    let app = TestApp::spawn().await;
    app.signed_in_user("ada@example.com", "Ada").await;
    let mut anonymous = app.client();
    for _ in 0..2 {
        let r = anonymous.post("/api/v1/auth/password-reset", json!({"email": "ada@example.com"})).await;
        assert_eq!(r.status(), StatusCode::ACCEPTED);
    }
    let tokens = wait_for_reset_tokens(&app, "ada@example.com", 2).await;

    let r = anonymous
        .post("/api/v1/auth/password-reset/confirm", json!({"token": tokens[0], "password": NEW_PASSWORD}))
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let (status, body) = anonymous
        .post_json("/api/v1/auth/password-reset/confirm", json!({"token": tokens[1], "password": PASSWORD}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["code"], "invalid_token");

    let notice = app.wait_for_mail("ada@example.com", "password of your Portcullis account was changed").await;
    assert!(notice.contains("/forgot-password"), "the notice says how to take the account back: {notice}");
}

/// The tokens of the `n` reset links mailed to `to`, waiting for them to be written.
async fn wait_for_reset_tokens(app: &TestApp, to: &str, n: usize) -> Vec<String> {
    for _ in 0..100 {
        let tokens: Vec<String> = common::read_mails(&app.mail_dir())
            .iter()
            .filter(|m| m.contains(&format!("To: {to}")) && m.contains("/reset-password?token="))
            .map(|m| link_token(m, "/reset-password"))
            .collect();
        if tokens.len() == n {
            return tokens;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{n} reset links to {to} were not mailed");
}
