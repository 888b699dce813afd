//! Sessions end when they must: a password reset and a logout end them for good, even against
//! a request in flight, and slow clients cannot hold connections, uploads or requests open.

use crate::common;

use common::fixtures::draft;
use common::{Client, Options, TestApp, json, link_token};
use portcullis_service::clock::ManualClock;
use portcullis_service::session_auth;
use portcullis_service::session_store::DbSessionStore;
use reqwest::StatusCode;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
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

/// Logging out with the cookie a request in flight is replacing (its roles changed) ends the
/// session under its new id too, whether the logout comes before or after that request saves.
#[tokio::test]
async fn a_session_reissued_in_flight_across_a_logout_stays_ended() {
    for logout_first in [true, false] {
        let (app, _clock) = app_with_clock().await;
        let mut admin = app.signed_in_admin().await;
        let user = app.signed_in_user("ada@example.com", "Ada").await;
        let (_, me) = user.clone().get_json("/api/v1/me").await;
        let id = me["user"]["id"].as_str().unwrap().to_owned();
        let (status, _) = admin.put_json(&format!("/api/v1/users/{id}/roles"), json!({"roles": ["reviewer"]})).await;
        assert_eq!(status, StatusCode::OK);

        let in_flight = session_of(&app, &user);
        assert!(session_auth::resolve(&app.services, &in_flight).await.unwrap().is_some());
        if !logout_first {
            in_flight.save().await.unwrap();
        }
        let r = user.clone().post("/api/v1/auth/logout", json!({})).await;
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        if logout_first {
            in_flight.save().await.unwrap();
        }

        let (status, _) = client_with(&app, &in_flight).get_json("/api/v1/me").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "logout first: {logout_first}");
    }
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

/// How long a test waits for the server to end a slow request: far beyond the 1-second
/// timeouts the tests configure, far below what a slow client would otherwise hold.
const DEADLINE: Duration = Duration::from_secs(20);

/// Sends `start` over a raw connection, then `drip` every 100 ms, as a slow-loris client does.
/// Returns what the server sent before it ended the exchange (a response, or closing the
/// connection), or `None` if it was still waiting at the deadline.
async fn trickle(app: &TestApp, start: String, drip: &'static [u8]) -> Option<String> {
    let stream = TcpStream::connect(app.base.trim_start_matches("http://")).await.unwrap();
    let (mut reader, mut writer) = stream.into_split();
    writer.write_all(start.as_bytes()).await.unwrap();
    let dripping = tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_millis(100)).await;
            if !drip.is_empty() && writer.write_all(drip).await.is_err() {
                break;
            }
        }
    });
    let answered = tokio::time::timeout(DEADLINE, async {
        let mut received = Vec::new();
        let mut buffer = [0u8; 4096];
        loop {
            match reader.read(&mut buffer).await {
                Ok(0) | Err(_) => break,
                Ok(n) => received.extend_from_slice(&buffer[..n]),
            }
            if received.windows(4).any(|w| w == b"\r\n\r\n") {
                break;
            }
        }
        String::from_utf8_lossy(&received).into_owned()
    })
    .await;
    dripping.abort();
    answered.ok()
}

fn timeouts(variable: &'static str) -> Options {
    Options { env: vec![(variable, "1".into())], ..Default::default() }
}

#[tokio::test]
async fn a_client_slow_to_send_its_headers_is_disconnected() {
    let app = TestApp::spawn_with(timeouts("PORTCULLIS_HEADER_TIMEOUT_SECS")).await;
    let answer = trickle(&app, "GET /healthz HTTP/1.1\r\nHost: localhost\r\n".into(), b"X-Slow: 1\r\n").await;
    let answer = answer.expect("the server ended the connection");
    assert!(!answer.contains(" 200 "), "the request was never served: {answer}");
}

#[tokio::test]
async fn a_request_body_that_stalls_is_refused() {
    let app = TestApp::spawn_with(timeouts("PORTCULLIS_BODY_TIMEOUT_SECS")).await;
    let start = "POST /api/v1/auth/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n\
                 Content-Length: 100\r\n\r\n{\"email\":";
    let answer = trickle(&app, start.into(), b"").await.expect("the server stopped waiting for the body");
    assert!(answer.is_empty() || answer.starts_with("HTTP/1.1 4"), "{answer}");
}

#[tokio::test]
async fn a_request_that_takes_too_long_is_answered_408() {
    let app = TestApp::spawn_with(timeouts("PORTCULLIS_REQUEST_TIMEOUT_SECS")).await;
    let mut user = app.signed_in_user("ada@example.com", "Ada").await;
    // Signing in waits for a hashing thread, which the test holds.
    let _held = app.services.hasher().occupy();
    let login = user.post_json("/api/v1/auth/login", json!({"email": "ada@example.com", "password": PASSWORD}));
    let (status, body) = tokio::time::timeout(DEADLINE, login).await.expect("answered before the deadline");
    assert_eq!(status, StatusCode::REQUEST_TIMEOUT, "{body}");
}

#[tokio::test]
async fn an_upload_dribbled_below_the_minimum_throughput_is_cut_off() {
    let app = TestApp::spawn_with(Options {
        env: vec![("PORTCULLIS_BODY_TIMEOUT_SECS", "1".into()), ("PORTCULLIS_UPLOAD_MIN_KIB_PER_SEC", "16".into())],
        ..Default::default()
    })
    .await;
    let mut dev = app.signed_in_user("dev@example.com", "Dev").await;
    let (_, id) = draft(&mut dev).await;
    // 100 bytes every 100 ms: never idle long enough for the body timeout, but 1 KB/s.
    let start = format!(
        "POST /api/v1/applications/{id}/mockups HTTP/1.1\r\nHost: localhost\r\nCookie: {cookie}\r\n\
         Content-Type: multipart/form-data; boundary=XYZ\r\nContent-Length: 1000000\r\n\r\n\
         --XYZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\n\
         Content-Type: image/png\r\n\r\n",
        cookie = dev.cookie.as_deref().unwrap()
    );
    let answer = trickle(&app, start, &[b'x'; 100]).await.expect("the server cut the upload off");
    assert!(answer.is_empty() || answer.starts_with("HTTP/1.1 4"), "{answer}");
}

#[tokio::test]
async fn changing_the_password_ends_every_other_session_and_keeps_this_one() {
    let app = TestApp::spawn().await;
    let mut here = app.signed_in_user("ada@example.com", "Ada").await;
    let mut elsewhere = app.client();
    let r = elsewhere.post("/api/v1/auth/login", json!({"email": "ada@example.com", "password": PASSWORD})).await;
    assert_eq!(r.status(), StatusCode::OK);

    let (status, body) = here
        .post_json("/api/v1/auth/password", json!({"current_password": "not my password", "password": NEW_PASSWORD}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["error"]["fields"]["current_password"].is_array(), "{body}");
    let (status, body) =
        here.post_json("/api/v1/auth/password", json!({"current_password": PASSWORD, "password": "short"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["error"]["fields"]["password"].is_array(), "{body}");

    let r = here.post("/api/v1/auth/password", json!({"current_password": PASSWORD, "password": NEW_PASSWORD})).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(here.get_json("/api/v1/me").await.0, StatusCode::OK, "this session goes on, under a new id");
    assert_eq!(elsewhere.get_json("/api/v1/me").await.0, StatusCode::UNAUTHORIZED, "the others end");
    app.wait_for_mail("ada@example.com", "password was changed").await;

    let mut anonymous = app.client();
    let r = anonymous.post("/api/v1/auth/login", json!({"email": "ada@example.com", "password": PASSWORD})).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r = anonymous.post("/api/v1/auth/login", json!({"email": "ada@example.com", "password": NEW_PASSWORD})).await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = app
        .client()
        .post("/api/v1/auth/password", json!({"current_password": PASSWORD, "password": NEW_PASSWORD}))
        .await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "signed in only");
}

/// Wrong current passwords count as failed sign-ins: a stolen session cannot guess its way to a
/// new password.
#[tokio::test]
async fn guessing_the_current_password_is_limited_like_signing_in() {
    let app = TestApp::spawn().await;
    let mut here = app.signed_in_user("ada@example.com", "Ada").await;
    for _ in 0..5 {
        let (status, _) = here
            .post_json("/api/v1/auth/password", json!({"current_password": "a wrong guess", "password": NEW_PASSWORD}))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let r = here.post("/api/v1/auth/password", json!({"current_password": PASSWORD, "password": NEW_PASSWORD})).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
}
