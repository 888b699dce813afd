//! Credentials behind the review gate, and the OAuth endpoints driven by a standard OAuth 2.0
//! client library (the `oauth2` crate), as a developer's app would.

use crate::common;

use common::fixtures::{approve, decide, gateway_key, introspect, pass_everything, reviewer, submitted_as};
use common::{Client, Options, TestApp, json};
use oauth2::basic::{BasicClient, BasicErrorResponseType};
use oauth2::{AuthType, ClientId, ClientSecret, RequestTokenError, Scope, TokenResponse, TokenUrl};
use portcullis_service::clock::ManualClock;
use reqwest::StatusCode;
use serde_json::Value;
use std::time::Duration;

const POSTS: &str = "portability.posts.single";
const CONNECTIONS: &str = "portability.connections.single";

struct Issued {
    client_id: String,
    client_secret: String,
}

async fn issue(client: &mut Client, id: &str, environment: &str) -> (StatusCode, Value) {
    client.post_json(&format!("/api/v1/applications/{id}/credentials"), json!({ "environment": environment })).await
}

async fn issued(client: &mut Client, id: &str, environment: &str) -> Issued {
    let (status, body) = issue(client, id, environment).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    Issued {
        client_id: body["client_id"].as_str().unwrap().to_owned(),
        client_secret: body["client_secret"].as_str().unwrap().to_owned(),
    }
}

/// Production credentials as the gate hands them out: the admin issues them without seeing a
/// secret, then an owner of the organisation collects it.
async fn live(admin: &mut Client, owner: &mut Client, id: &str) -> Issued {
    let (status, body) = issue(admin, id, "production").await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert!(body.get("client_secret").is_none(), "the admin never sees a production secret: {body}");
    let client_id = body["client_id"].as_str().unwrap().to_owned();
    let (status, collected) = collect(owner, &client_id).await;
    assert_eq!(status, StatusCode::OK, "{collected}");
    Issued { client_id, client_secret: collected["client_secret"].as_str().unwrap().to_owned() }
}

async fn collect(client: &mut Client, client_id: &str) -> (StatusCode, Value) {
    client.post_json(&format!("/api/v1/credentials/{client_id}/collect"), json!({})).await
}

/// Signs in again, as after a session ended on the injected clock.
async fn sign_in_again(client: &mut Client, email: &str) {
    let r = client.post("/api/v1/auth/login", json!({"email": email, "password": PASSWORD})).await;
    assert_eq!(r.status(), StatusCode::OK);
}

/// The password `TestApp::signed_in_user` registers with.
const PASSWORD: &str = "correct horse battery staple";

/// A reviewer approves the application with posts only (connections were asked for too).
async fn approve_posts_only(app: &TestApp, admin: &mut Client, id: &str) {
    approve(app, admin, id, &[POSTS]).await;
}

/// What an app does: the client credentials grant through the `oauth2` crate.
async fn oauth_token(
    app: &TestApp,
    credentials: &Issued,
    auth: AuthType,
    scopes: &[&str],
) -> Result<oauth2::basic::BasicTokenResponse, Option<BasicErrorResponseType>> {
    let client = BasicClient::new(ClientId::new(credentials.client_id.clone()))
        .set_client_secret(ClientSecret::new(credentials.client_secret.clone()))
        .set_token_uri(TokenUrl::new(format!("{}/oauth/token", app.base)).unwrap())
        .set_auth_type(auth);
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let mut request = client.exchange_client_credentials();
    for scope in scopes {
        request = request.add_scope(Scope::new((*scope).to_owned()));
    }
    request.request_async(&http).await.map_err(|error| match error {
        RequestTokenError::ServerResponse(response) => Some(response.error().clone()),
        _ => None,
    })
}

#[tokio::test]
async fn the_gate_decides_who_gets_which_credentials() {
    let app = TestApp::spawn().await;
    let mut admin = app.signed_in_admin().await;
    let mut dev = app.signed_in_user("dev@example.com", "Dev").await;
    let (_, draft) = common::fixtures::draft(&mut dev).await;
    let (status, body) = issue(&mut dev, &draft, "sandbox").await;
    assert_eq!(status, StatusCode::CONFLICT, "a draft gets nothing: {body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("once the application is submitted"));

    let (mut owner, id) = submitted_as(&app, "owner@example.com").await;
    let mut outsider = app.signed_in_user("outsider@example.com", "Outsider").await;
    let (status, _) = issue(&mut outsider, &id, "sandbox").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another organisation's application does not exist for them");
    let (status, body) = issue(&mut owner, &id, "production").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"]["message"], "Only admins issue production credentials.");
    let (status, body) = issue(&mut admin, &id, "production").await;
    assert_eq!(status, StatusCode::CONFLICT, "not approved yet: {body}");
    let (status, body) = issue(&mut owner, &id, "staging").await;
    assert!(status == StatusCode::UNPROCESSABLE_ENTITY || status == StatusCode::BAD_REQUEST, "{status} {body}");

    // Sandbox: the requested scopes, marked as sandbox, once.
    let (status, sandbox) = issue(&mut owner, &id, "sandbox").await;
    assert_eq!(status, StatusCode::CREATED, "{sandbox}");
    assert_eq!(sandbox["environment"], "sandbox");
    assert_eq!(sandbox["scopes"], json!([POSTS, CONNECTIONS]));
    assert!(sandbox["client_secret"].as_str().unwrap().starts_with("pcs_test_"));
    let (status, _) = issue(&mut owner, &id, "sandbox").await;
    assert_eq!(status, StatusCode::CONFLICT, "one active sandbox set");

    // Approved with fewer scopes: production carries exactly the granted ones.
    approve_posts_only(&app, &mut admin, &id).await;
    let (status, _) = issue(&mut owner, &id, "production").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, production) = issue(&mut admin, &id, "production").await;
    assert_eq!(status, StatusCode::CREATED, "{production}");
    assert_eq!(production["scopes"], json!([POSTS]));
    assert!(production.get("client_secret").is_none(), "{production}");
    assert!(production["collect_by"].is_string(), "{production}");
    let (status, _) = issue(&mut admin, &id, "production").await;
    assert_eq!(status, StatusCode::CONFLICT, "one active production set, even before it is collected");
    let client_id = production["client_id"].as_str().unwrap();
    let (status, collected) = collect(&mut owner, client_id).await;
    assert_eq!(status, StatusCode::OK, "{collected}");
    let secret = collected["client_secret"].as_str().unwrap();
    assert!(secret.starts_with("pcs_live_") && secret.len() >= 9 + 43, "256 bits, base64url: {secret}");

    // Listed for the organisation without any secret.
    let (status, list) = owner.get_json(&format!("/api/v1/applications/{id}/credentials")).await;
    assert_eq!(status, StatusCode::OK);
    let text = list.to_string();
    assert!(!text.contains(secret) && !text.contains("client_secret"), "{text}");
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["environment"], "production");
    assert_eq!(items[0]["state"], "active");
    assert_eq!(items[1]["environment"], "sandbox");
    let (status, _) = outsider.get_json(&format!("/api/v1/applications/{id}/credentials")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // A rejected application gets no sandbox credentials.
    let (mut other, rejected) = submitted_as(&app, "other@example.com").await;
    let mut rev = reviewer(&app, &mut admin, "rev2@example.com").await;
    rev.post_json(&format!("/api/v1/applications/{rejected}/assign"), json!({})).await;
    let (status, _) = decide(
        &mut rev,
        &format!("/api/v1/applications/{rejected}"),
        json!({"decision": "reject", "message": "Not a portability use."}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = issue(&mut other, &rejected, "sandbox").await;
    assert_eq!(status, StatusCode::CONFLICT);

    let (_, audit) = admin.get_json(&format!("/api/v1/audit?action=credential.issued&object_id={id}")).await;
    assert_eq!(audit["total"], 2);
    assert!(!audit.to_string().contains(secret));
}

#[tokio::test]
async fn a_standard_client_gets_tokens_within_its_grant_and_the_gateway_checks_them() {
    let app = TestApp::spawn().await;
    let mut admin = app.signed_in_admin().await;
    let (mut dev, id) = submitted_as(&app, "dev@example.com").await;
    approve_posts_only(&app, &mut admin, &id).await;
    let live = live(&mut admin, &mut dev, &id).await;
    let key = gateway_key(&mut admin).await;

    for auth in [AuthType::BasicAuth, AuthType::RequestBody] {
        let token = oauth_token(&app, &live, auth, &[]).await.expect("token");
        assert_eq!(token.token_type(), &oauth2::basic::BasicTokenType::Bearer);
        assert!(token.expires_in().unwrap() <= Duration::from_secs(3600));
        let (status, body) = introspect(&app.base, &key, token.access_token().secret()).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["active"], true, "{body}");
        assert_eq!(body["scope"], POSTS);
        assert_eq!(body["client_id"], live.client_id.as_str());
        assert_eq!(body["environment"], "production");
        assert!(body["exp"].as_i64().unwrap() > body["iat"].as_i64().unwrap());
    }
    let token = oauth_token(&app, &live, AuthType::BasicAuth, &[POSTS]).await.expect("a granted scope");
    assert_eq!(token.scopes().unwrap()[0].as_str(), POSTS);
    let refused = oauth_token(&app, &live, AuthType::BasicAuth, &[CONNECTIONS]).await;
    assert_eq!(refused.unwrap_err(), Some(BasicErrorResponseType::InvalidScope), "requested but not granted");

    // Wrong, unknown and missing client authentication.
    let wrong = Issued { client_id: live.client_id.clone(), client_secret: format!("{}x", live.client_secret) };
    assert_eq!(
        oauth_token(&app, &wrong, AuthType::BasicAuth, &[]).await.unwrap_err(),
        Some(BasicErrorResponseType::InvalidClient)
    );
    let unknown = Issued { client_id: "pcc_unknown".into(), client_secret: live.client_secret.clone() };
    assert_eq!(
        oauth_token(&app, &unknown, AuthType::RequestBody, &[]).await.unwrap_err(),
        Some(BasicErrorResponseType::InvalidClient)
    );
    let http = reqwest::Client::new();
    let token_url = format!("{}/oauth/token", app.base);
    let response = http.post(&token_url).form(&[("grant_type", "client_credentials")]).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert!(response.headers().contains_key("www-authenticate"));
    assert_eq!(response.json::<Value>().await.unwrap()["error"], "invalid_client");
    let response = http
        .post(&token_url)
        .header("authorization", "Basic not-base64!")
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let response = http
        .post(&token_url)
        .basic_auth(&live.client_id, Some(&live.client_secret))
        .form(&[("grant_type", "password")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(response.json::<Value>().await.unwrap()["error"], "unsupported_grant_type");
    let response = http
        .post(&token_url)
        .basic_auth(&live.client_id, Some(&live.client_secret))
        .json(&json!({"grant_type": "client_credentials"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST, "JSON is not the token endpoint's format");

    // The gateway must authenticate; unknown tokens are simply inactive.
    let (status, body) = introspect(&app.base, "pgk_wrong", token.access_token().secret()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    let (status, body) = introspect(&app.base, &key, "pat_unknown").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, json!({"active": false}));
    let (_, keys) = admin.get_json("/api/v1/gateway-keys").await;
    let key_id = keys["items"][0]["id"].as_str().unwrap().to_owned();
    assert!(!keys.to_string().contains(&key), "keys are never listed");
    let mut dev = app.signed_in_user("nosy@example.com", "Nosy").await;
    let (status, _) = dev.get_json("/api/v1/gateway-keys").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(admin.delete(&format!("/api/v1/gateway-keys/{key_id}")).await.status(), StatusCode::NO_CONTENT);
    let (status, _) = introspect(&app.base, &key, token.access_token().secret()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "a revoked gateway key stops at once");
}

/// Introspections that arrive together are read together; each still gets its own answer.
#[tokio::test]
async fn introspections_at_once_each_get_their_own_answer() {
    let app = TestApp::spawn().await;
    let mut admin = app.signed_in_admin().await;
    let (mut dev, id) = submitted_as(&app, "dev@example.com").await;
    approve_posts_only(&app, &mut admin, &id).await;
    let live = live(&mut admin, &mut dev, &id).await;
    let test = issued(&mut admin, &id, "sandbox").await;
    let live_token = oauth_token(&app, &live, AuthType::BasicAuth, &[]).await.expect("token");
    let test_token = oauth_token(&app, &test, AuthType::BasicAuth, &[]).await.expect("token");
    let key = gateway_key(&mut admin).await;
    let (status, body) = admin.post_json("/api/v1/gateway-keys", json!({"name": "Retired gateway"})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let revoked = body["key"].as_str().unwrap().to_owned();
    let revoked_id = body["id"].as_str().unwrap();
    assert_eq!(admin.delete(&format!("/api/v1/gateway-keys/{revoked_id}")).await.status(), StatusCode::NO_CONTENT);

    let live_token = live_token.access_token().secret().clone();
    let test_token = test_token.access_token().secret().clone();
    let cases = [
        (key.clone(), live_token.clone(), StatusCode::OK, json!("production")),
        (key.clone(), test_token.clone(), StatusCode::OK, json!("sandbox")),
        (key.clone(), "pat_unknown".to_owned(), StatusCode::OK, Value::Null),
        (revoked.clone(), live_token.clone(), StatusCode::UNAUTHORIZED, Value::Null),
        ("pgk_wrong".to_owned(), test_token.clone(), StatusCode::UNAUTHORIZED, Value::Null),
    ];
    let mut requests = tokio::task::JoinSet::new();
    for round in 0..12 {
        for (case, (key, token, _, _)) in cases.iter().enumerate() {
            let (app_base, key, token) = (app.base.clone(), key.clone(), token.clone());
            requests.spawn(async move {
                let response = reqwest::Client::new()
                    .post(format!("{app_base}/oauth/introspect"))
                    .bearer_auth(key)
                    .form(&[("token", token)])
                    .send()
                    .await
                    .unwrap();
                (round, case, response.status(), response.json::<Value>().await.unwrap())
            });
        }
    }
    let mut answered = 0;
    while let Some(answer) = requests.join_next().await {
        let (round, case, status, body) = answer.unwrap();
        let (_, _, expected_status, environment) = &cases[case];
        assert_eq!(status, *expected_status, "case {case} in round {round}: {body}");
        if status == StatusCode::OK {
            assert_eq!(body["active"], *environment != Value::Null, "case {case}: {body}");
            assert_eq!(body["environment"], *environment, "case {case}: {body}");
        }
        answered += 1;
    }
    assert_eq!(answered, 12 * cases.len());
}

#[tokio::test]
async fn revocation_and_suspension_take_effect_on_the_very_next_request() {
    let app = TestApp::spawn().await;
    let mut admin = app.signed_in_admin().await;
    let (mut dev, id) = submitted_as(&app, "dev@example.com").await;
    approve_posts_only(&app, &mut admin, &id).await;
    let live = live(&mut admin, &mut dev, &id).await;
    let key = gateway_key(&mut admin).await;
    let path = format!("/api/v1/applications/{id}");

    // Suspension stops tokens and new token requests; reinstatement brings them back.
    let token = oauth_token(&app, &live, AuthType::BasicAuth, &[]).await.unwrap();
    let secret = token.access_token().secret().clone();
    let (status, body) = dev.post_json(&format!("{path}/suspend"), json!({"reason": "Abuse report"})).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "only admins suspend: {body}");
    let (status, body) = admin.post_json(&format!("{path}/suspend"), json!({"reason": ""})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, body) =
        admin.post_json(&format!("{path}/suspend"), json!({"reason": "Investigating an abuse report."})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["application"]["status"], "suspended");
    assert_eq!(introspect(&app.base, &key, &secret).await.1, json!({"active": false}));
    assert_eq!(
        oauth_token(&app, &live, AuthType::BasicAuth, &[]).await.unwrap_err(),
        Some(BasicErrorResponseType::InvalidClient)
    );
    let (_, list) = dev.get_json(&format!("{path}/credentials")).await;
    assert_eq!(list["items"][0]["state"], "suspended");
    app.wait_for_mail("dev@example.com", "suspended").await;
    let (status, _) = admin.post_json(&format!("{path}/reinstate"), json!({"reason": "Report unfounded."})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(introspect(&app.base, &key, &secret).await.1["active"], true);

    // Revocation: the next introspection and token request fail; the organisation is told why.
    let response = admin
        .post(
            &format!("/api/v1/credentials/{}/revoke", live.client_id),
            json!({"reason": "Leaked in a public repository."}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(introspect(&app.base, &key, &secret).await.1, json!({"active": false}));
    assert_eq!(
        oauth_token(&app, &live, AuthType::RequestBody, &[]).await.unwrap_err(),
        Some(BasicErrorResponseType::InvalidClient)
    );
    let mail = app.wait_for_mail("dev@example.com", "Leaked in a public repository.").await;
    assert!(mail.contains(&live.client_id) && !mail.contains(&live.client_secret));
    let (_, list) = dev.get_json(&format!("{path}/credentials")).await;
    assert_eq!(list["items"][0]["state"], "revoked");
    assert_eq!(list["items"][0]["revoked_reason"], "Leaked in a public repository.");
    for no_reason in [json!({}), Value::Null] {
        let revoke = format!("/api/v1/credentials/{}/revoke", live.client_id);
        let (status, body) = admin.post_json(&revoke, no_reason).await;
        assert_eq!(status, StatusCode::CONFLICT, "a body of null is no reason, as the document allows: {body}");
    }
    // A new production set can be issued once the old one is revoked.
    let (status, body) = issue(&mut admin, &id, "production").await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

#[tokio::test]
async fn a_rotated_secret_works_through_the_overlap_then_stops() {
    let clock = ManualClock::new(chrono::Utc::now());
    let app = TestApp::spawn_with(Options { clock: Some(clock.clone()), ..Default::default() }).await;
    let (mut dev, id) = submitted_as(&app, "dev@example.com").await;
    let first = issued(&mut dev, &id, "sandbox").await;
    let (status, rotated) = dev.post_json(&format!("/api/v1/credentials/{}/rotate", first.client_id), json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{rotated}");
    let second =
        Issued { client_id: first.client_id.clone(), client_secret: rotated["client_secret"].as_str().unwrap().into() };
    assert_ne!(second.client_secret, first.client_secret);
    let until = chrono::DateTime::parse_from_rfc3339(rotated["previous_secret_valid_until"].as_str().unwrap()).unwrap();
    let overlap = (until.to_utc() - clock_now(&app)).num_seconds();
    assert!((7 * 24 * 3600 - 1..=7 * 24 * 3600).contains(&overlap), "{overlap}");
    assert!(oauth_token(&app, &first, AuthType::BasicAuth, &[]).await.is_ok(), "the old secret still works");
    assert!(oauth_token(&app, &second, AuthType::BasicAuth, &[]).await.is_ok());

    // Two more rotations: only the two newest earlier secrets stay valid.
    let (_, third) = dev.post_json(&format!("/api/v1/credentials/{}/rotate", first.client_id), json!({})).await;
    let (_, fourth) = dev.post_json(&format!("/api/v1/credentials/{}/rotate", first.client_id), json!({})).await;
    let third =
        Issued { client_id: first.client_id.clone(), client_secret: third["client_secret"].as_str().unwrap().into() };
    let fourth =
        Issued { client_id: first.client_id.clone(), client_secret: fourth["client_secret"].as_str().unwrap().into() };
    assert!(oauth_token(&app, &first, AuthType::BasicAuth, &[]).await.is_err(), "a third old secret stops at once");
    assert!(oauth_token(&app, &second, AuthType::BasicAuth, &[]).await.is_ok());
    assert!(oauth_token(&app, &third, AuthType::BasicAuth, &[]).await.is_ok());

    clock.advance(Duration::from_secs(7 * 24 * 3600 + 1));
    assert!(oauth_token(&app, &second, AuthType::BasicAuth, &[]).await.is_err(), "the overlap has ended");
    assert!(oauth_token(&app, &third, AuthType::BasicAuth, &[]).await.is_err());
    assert!(oauth_token(&app, &fourth, AuthType::BasicAuth, &[]).await.is_ok());
    let mut dev = app.signed_in_user("dev2@example.com", "Dev 2").await;
    let (status, _) = dev.post_json(&format!("/api/v1/credentials/{}/rotate", first.client_id), json!({})).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another organisation cannot rotate it");
}

fn clock_now(app: &TestApp) -> chrono::DateTime<chrono::Utc> {
    app.services.clock().now()
}

#[tokio::test]
async fn issuing_twice_at_once_yields_one_credential_set() {
    let app = TestApp::spawn().await;
    let mut admin = app.signed_in_admin().await;
    let (_, id) = submitted_as(&app, "dev@example.com").await;
    approve_posts_only(&app, &mut admin, &id).await;
    let attempts = (0..6).map(|_| {
        let mut admin = admin.clone();
        let id = id.clone();
        tokio::spawn(async move { issue(&mut admin, &id, "production").await.0 })
    });
    let mut statuses = Vec::new();
    for attempt in attempts.collect::<Vec<_>>() {
        statuses.push(attempt.await.unwrap());
    }
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::CREATED).count(), 1, "{statuses:?}");
    assert!(statuses.iter().all(|s| *s == StatusCode::CREATED || *s == StatusCode::CONFLICT), "{statuses:?}");
    let (_, list) = admin.get_json(&format!("/api/v1/applications/{id}/credentials")).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn the_organisation_is_reminded_thirty_and_seven_days_before_expiry() {
    let clock = ManualClock::new(chrono::Utc::now());
    let app = TestApp::spawn_with(Options { clock: Some(clock.clone()), ..Default::default() }).await;
    let mut admin = app.signed_in_admin().await;
    let (mut dev, id) = submitted_as(&app, "dev@example.com").await;
    approve_posts_only(&app, &mut admin, &id).await;
    let (_, live) = issue(&mut admin, &id, "production").await;
    let (status, collected) = collect(&mut dev, live["client_id"].as_str().unwrap()).await;
    assert_eq!(status, StatusCode::OK, "{collected}");
    let expires = chrono::DateTime::parse_from_rfc3339(live["expires_at"].as_str().unwrap()).unwrap().to_utc();
    let lifetime = (expires - clock_now(&app)).num_seconds();
    assert!((365 * 86400 - 1..=365 * 86400).contains(&lifetime), "production credentials last 12 months");
    let remind = || portcullis_service::credentials::remind_expiring(&app.services);
    let day = Duration::from_secs(24 * 3600);

    clock.advance(day * 334);
    assert_eq!(remind().await.unwrap(), 0, "31 days before: nothing yet");
    clock.advance(day);
    assert_eq!(remind().await.unwrap(), 1);
    let mail = app.wait_for_mail("dev@example.com", "expire").await;
    assert!(
        mail.contains(live["client_id"].as_str().unwrap())
            && !mail.contains(collected["client_secret"].as_str().unwrap())
    );
    assert_eq!(remind().await.unwrap(), 0, "once");
    clock.advance(day * 23);
    assert_eq!(remind().await.unwrap(), 1, "7 days before");
    assert_eq!(remind().await.unwrap(), 0);
    clock.advance(day * 8);
    assert_eq!(remind().await.unwrap(), 0, "expired: no more reminders");
    let mut admin = app.signed_in_admin().await;
    let (_, audit) = admin.get_json(&format!("/api/v1/audit?action=credential.expiry_reminded&object_id={id}")).await;
    assert_eq!(audit["total"], 2);
    let (_, list) = admin.get_json(&format!("/api/v1/applications/{id}/credentials")).await;
    assert_eq!(list["items"][0]["state"], "expired");
}

#[tokio::test]
async fn recertification_reviews_again_and_renews_production_credentials() {
    let app = TestApp::spawn().await;
    let mut admin = app.signed_in_admin().await;
    let (mut dev, id) = submitted_as(&app, "dev@example.com").await;
    approve_posts_only(&app, &mut admin, &id).await;
    let old = live(&mut admin, &mut dev, &id).await;
    let path = format!("/api/v1/applications/{id}");

    let (_, before) = dev.get_json(&path).await;
    assert_eq!(before["application"]["can_recertify"], true);
    let (status, body) = dev.post_json(&format!("{path}/recertify"), json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["application"]["status"], "submitted");
    assert_eq!(body["application"]["revision"], 2);
    assert!(
        oauth_token(&app, &old, AuthType::BasicAuth, &[]).await.is_ok(),
        "credentials keep working during the review"
    );
    let (status, _) = issue(&mut admin, &id, "production").await;
    assert_eq!(status, StatusCode::CONFLICT, "nothing to renew before the new approval");
    let (status, _) = dev.post_json(&format!("{path}/recertify"), json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT, "only an approved application");

    // Reviewed again (a new review on the new revision), approved, renewed.
    let mut rev = reviewer(&app, &mut admin, "rev2@example.com").await;
    pass_everything(&mut rev, &path).await;
    let (status, body) =
        decide(&mut rev, &path, json!({"decision": "approve", "granted_scopes": [POSTS], "message": "Still fine."}))
            .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let renewed = live(&mut admin, &mut dev, &id).await;
    assert_ne!(renewed.client_id, old.client_id);
    assert!(oauth_token(&app, &renewed, AuthType::BasicAuth, &[]).await.is_ok());
    assert!(oauth_token(&app, &old, AuthType::BasicAuth, &[]).await.is_ok(), "the old set overlaps for a while");
    let (_, list) = dev.get_json(&format!("{path}/credentials")).await;
    let old_view =
        list["items"].as_array().unwrap().iter().find(|c| c["client_id"] == old.client_id.as_str()).unwrap().clone();
    let ends = chrono::DateTime::parse_from_rfc3339(old_view["expires_at"].as_str().unwrap()).unwrap().to_utc();
    assert!(ends <= clock_now(&app) + chrono::Duration::days(7), "the superseded set ends after the overlap: {ends}");
    let (_, timeline) = dev.get_json(&format!("{path}/timeline")).await;
    assert!(timeline.to_string().contains("recertification_requested"), "{timeline}");
    let (_, audit) = admin.get_json(&format!("/api/v1/audit?action=credential.superseded&object_id={id}")).await;
    assert_eq!(audit["total"], 1);
}

#[tokio::test]
async fn failed_client_authentication_is_rate_limited_per_client() {
    let app = TestApp::spawn().await;
    let (mut dev, id) = submitted_as(&app, "dev@example.com").await;
    let sandbox = issued(&mut dev, &id, "sandbox").await;
    let wrong = Issued { client_id: sandbox.client_id.clone(), client_secret: "pcs_test_wrong".into() };
    for _ in 0..10 {
        let refused = oauth_token(&app, &wrong, AuthType::BasicAuth, &[]).await;
        assert_eq!(refused.unwrap_err(), Some(BasicErrorResponseType::InvalidClient));
    }
    let response = reqwest::Client::new()
        .post(format!("{}/oauth/token", app.base))
        .basic_auth(&sandbox.client_id, Some(&sandbox.client_secret))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS, "even the right secret waits");
    assert!(response.headers().contains_key("retry-after"));
    assert_eq!(response.json::<Value>().await.unwrap()["error"], "slow_down");
    // Another client is not affected.
    let (mut other, other_id) = submitted_as(&app, "other@example.com").await;
    let fine = issued(&mut other, &other_id, "sandbox").await;
    assert!(oauth_token(&app, &fine, AuthType::BasicAuth, &[]).await.is_ok());
}

#[tokio::test]
async fn only_an_owner_collects_a_production_secret_and_only_once() {
    let app = TestApp::spawn().await;
    let mut admin = app.signed_in_admin().await;
    let (mut owner, id) = submitted_as(&app, "owner@example.com").await;
    let (_, application) = owner.get_json(&format!("/api/v1/applications/{id}")).await;
    let org_id = application["application"]["org_id"].as_str().unwrap().to_owned();
    owner.post_json(&format!("/api/v1/orgs/{org_id}/members"), json!({"email": "mate@example.com"})).await;
    let invitation = app.wait_for_mail("mate@example.com", "invitations/accept").await;
    let mut mate = app.signed_in_user("mate@example.com", "Mate").await;
    let token = common::link_token(&invitation, "invitations/accept");
    let (status, body) = mate.post_json("/api/v1/invitations/accept", json!({"token": token})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    approve_posts_only(&app, &mut admin, &id).await;

    // Issued: the admin gets the client id only; the owners are mailed a link, never a secret.
    let (status, issued) = issue(&mut admin, &id, "production").await;
    assert_eq!(status, StatusCode::CREATED, "{issued}");
    assert!(issued.get("client_secret").is_none(), "{issued}");
    let client_id = issued["client_id"].as_str().unwrap().to_owned();
    let mail = app.wait_for_mail("owner@example.com", "ready to collect").await;
    assert!(mail.contains(&client_id) && mail.contains(&format!("/applications/{id}/credentials")), "{mail}");
    assert!(!mail.contains("pcs_live_"), "{mail}");
    let (_, list) = owner.get_json(&format!("/api/v1/applications/{id}/credentials")).await;
    assert_eq!(list["items"][0]["state"], "ready_to_collect");
    assert_eq!(list["items"][0]["collect_by"], issued["collect_by"]);

    // No token before collection, whatever secret is tried.
    let guess = Issued { client_id: client_id.clone(), client_secret: "pcs_live_guess".into() };
    assert_eq!(
        oauth_token(&app, &guess, AuthType::BasicAuth, &[]).await.unwrap_err(),
        Some(BasicErrorResponseType::InvalidClient)
    );

    // Neither the admin nor a member who is not an owner collects it.
    let (status, body) = collect(&mut admin, &client_id).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, body) = collect(&mut mate, &client_id).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"]["message"], "Only owners of the organisation collect and rotate production secrets.");
    let mut outsider = app.signed_in_user("outsider@example.com", "Outsider").await;
    let (status, _) = collect(&mut outsider, &client_id).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The owner collects once; the secret works; a second collection is refused.
    let response = owner.post(&format!("/api/v1/credentials/{client_id}/collect"), json!({})).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let collected: Value = response.json().await.unwrap();
    let secret = collected["client_secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("pcs_live_"));
    let live = Issued { client_id: client_id.clone(), client_secret: secret.clone() };
    assert!(oauth_token(&app, &live, AuthType::BasicAuth, &[]).await.is_ok());
    let (status, body) = collect(&mut owner, &client_id).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let (_, list) = owner.get_json(&format!("/api/v1/applications/{id}/credentials")).await;
    assert_eq!(list["items"][0]["state"], "active");
    assert_eq!(list["items"][0]["collect_by"], Value::Null);

    // Collected by whom is on record; the secret is not.
    let (_, audit) = admin.get_json(&format!("/api/v1/audit?action=credential.collected&object_id={id}")).await;
    assert_eq!(audit["total"], 1, "{audit}");
    assert!(!audit.to_string().contains(&secret));
}

#[tokio::test]
async fn a_secret_not_collected_in_time_lapses_and_an_admin_issues_again() {
    let clock = ManualClock::new(chrono::Utc::now());
    let app = TestApp::spawn_with(Options {
        clock: Some(clock.clone()),
        env: vec![("PORTCULLIS_SECRET_COLLECTION_DAYS", "2".into())],
        ..Default::default()
    })
    .await;
    let mut admin = app.signed_in_admin().await;
    let (mut owner, id) = submitted_as(&app, "owner@example.com").await;
    approve_posts_only(&app, &mut admin, &id).await;
    let (_, first) = issue(&mut admin, &id, "production").await;
    let deadline = chrono::DateTime::parse_from_rfc3339(first["collect_by"].as_str().unwrap()).unwrap().to_utc();
    let window = (deadline - clock_now(&app)).num_seconds();
    assert!((48 * 3600 - 1..=48 * 3600).contains(&window), "the configured window: {window}");

    clock.advance(Duration::from_secs(2 * 24 * 3600));
    sign_in_again(&mut owner, "owner@example.com").await;
    let (status, body) = collect(&mut owner, first["client_id"].as_str().unwrap()).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("lapsed"), "{body}");
    let (_, list) = owner.get_json(&format!("/api/v1/applications/{id}/credentials")).await;
    assert_eq!(list["items"][0]["state"], "lapsed");

    let mut admin = app.signed_in_admin().await;
    let second = live(&mut admin, &mut owner, &id).await;
    assert_ne!(second.client_id, first["client_id"].as_str().unwrap());
    assert!(oauth_token(&app, &second, AuthType::BasicAuth, &[]).await.is_ok());
}

#[tokio::test]
async fn collecting_needs_a_recent_sign_in_or_the_password_again() {
    let clock = ManualClock::new(chrono::Utc::now());
    let app = TestApp::spawn_with(Options { clock: Some(clock.clone()), ..Default::default() }).await;
    let mut admin = app.signed_in_admin().await;
    let (mut owner, id) = submitted_as(&app, "owner@example.com").await;
    approve_posts_only(&app, &mut admin, &id).await;
    let (_, issued) = issue(&mut admin, &id, "production").await;
    let client_id = issued["client_id"].as_str().unwrap();

    // Signed in eleven minutes ago (and active since): not fresh enough.
    for _ in 0..11 {
        clock.advance(Duration::from_secs(60));
        let (status, _) = owner.get_json("/api/v1/me").await;
        assert_eq!(status, StatusCode::OK);
    }
    let (status, body) = collect(&mut owner, client_id).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(body["error"]["code"], "step_up_required");
    let (status, body) = owner.post_json("/api/v1/auth/step-up", json!({"password": "not my password at all"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, _) = collect(&mut owner, client_id).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "a wrong password does not count");
    let response = owner.post("/api/v1/auth/step-up", json!({"password": PASSWORD})).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let (status, body) = collect(&mut owner, client_id).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, audit) = admin.get_json("/api/v1/audit?action=user.step_up_failed").await;
    assert_eq!(audit["total"], 1, "{audit}");
}

#[tokio::test]
async fn owners_rotate_their_production_secret_and_an_admin_can_force_a_rotation() {
    let clock = ManualClock::new(chrono::Utc::now());
    let app = TestApp::spawn_with(Options { clock: Some(clock.clone()), ..Default::default() }).await;
    let mut admin = app.signed_in_admin().await;
    let (mut owner, id) = submitted_as(&app, "owner@example.com").await;
    approve_posts_only(&app, &mut admin, &id).await;
    let first = live(&mut admin, &mut owner, &id).await;
    let rotate = format!("/api/v1/credentials/{}/rotate", first.client_id);
    let force = format!("/api/v1/credentials/{}/force-rotation", first.client_id);

    // The owner rotates: the new secret is in the owner's answer only.
    let (status, rotated) = owner.post_json(&rotate, json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{rotated}");
    let second =
        Issued { client_id: first.client_id.clone(), client_secret: rotated["client_secret"].as_str().unwrap().into() };
    assert!(oauth_token(&app, &first, AuthType::BasicAuth, &[]).await.is_ok(), "the overlap");
    assert!(oauth_token(&app, &second, AuthType::BasicAuth, &[]).await.is_ok());

    // The admin cannot rotate (that would show a secret) but forces a rotation.
    let (status, body) = admin.post_json(&rotate, json!({})).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, body) = owner.post_json(&force, json!({})).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, forced) = admin.post_json(&force, json!({})).await;
    assert_eq!(status, StatusCode::OK, "{forced}");
    assert!(!forced.to_string().contains("pcs_live_"), "{forced}");
    let mail = app.wait_for_mail("owner@example.com", "Collect a new client secret").await;
    assert!(mail.contains(&first.client_id) && !mail.contains("pcs_live_"));
    assert!(
        oauth_token(&app, &second, AuthType::BasicAuth, &[]).await.is_ok(),
        "the current secret works for the overlap"
    );

    // An owner collects the new secret; the old one stops after the overlap.
    let (status, collected) = collect(&mut owner, &first.client_id).await;
    assert_eq!(status, StatusCode::OK, "{collected}");
    let third = Issued {
        client_id: first.client_id.clone(),
        client_secret: collected["client_secret"].as_str().unwrap().into(),
    };
    assert!(oauth_token(&app, &third, AuthType::BasicAuth, &[]).await.is_ok());
    let (status, _) = collect(&mut owner, &first.client_id).await;
    assert_eq!(status, StatusCode::CONFLICT, "collected once");
    clock.advance(Duration::from_secs(7 * 24 * 3600 + 1));
    assert!(oauth_token(&app, &second, AuthType::BasicAuth, &[]).await.is_err(), "the overlap has ended");
    assert!(oauth_token(&app, &third, AuthType::BasicAuth, &[]).await.is_ok());
    let mut admin = app.signed_in_admin().await;
    let (_, audit) = admin.get_json(&format!("/api/v1/audit?action=credential.rotation_forced&object_id={id}")).await;
    assert_eq!(audit["total"], 1, "{audit}");
}

/// A recertification that grants less takes the difference away from the live credentials in
/// the decision's own transaction: no new token carries it, and existing tokens lose it at once.
#[tokio::test]
async fn a_narrower_approval_narrows_live_credentials_and_their_tokens_at_once() {
    let app = TestApp::spawn().await;
    let mut admin = app.signed_in_admin().await;
    let (mut dev, id) = submitted_as(&app, "dev@example.com").await;
    approve(&app, &mut admin, &id, &[POSTS, CONNECTIONS]).await;
    let old = live(&mut admin, &mut dev, &id).await;
    let token = oauth_token(&app, &old, AuthType::BasicAuth, &[]).await.unwrap();
    let key = gateway_key(&mut admin).await;
    let (_, before) = introspect(&app.base, &key, token.access_token().secret()).await;
    assert_eq!(before["scope"], format!("{CONNECTIONS} {POSTS}"), "{before}");

    let path = format!("/api/v1/applications/{id}");
    let (status, body) = dev.post_json(&format!("{path}/recertify"), json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let mut rev = reviewer(&app, &mut admin, "rev2@example.com").await;
    pass_everything(&mut rev, &path).await;
    let narrower =
        json!({"decision": "approve", "granted_scopes": [POSTS], "message": "Connections are not needed now."});
    let (status, body) = decide(&mut rev, &path, narrower).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let (_, list) = dev.get_json(&format!("{path}/credentials")).await;
    let view = list["items"].as_array().unwrap().iter().find(|c| c["client_id"] == old.client_id.as_str()).unwrap();
    assert_eq!(view["scopes"], json!([POSTS]), "{view}");
    let (_, after) = introspect(&app.base, &key, token.access_token().secret()).await;
    assert_eq!((after["active"].clone(), after["scope"].clone()), (json!(true), json!(POSTS)), "{after}");
    let refused = oauth_token(&app, &old, AuthType::BasicAuth, &[CONNECTIONS]).await;
    assert_eq!(refused.unwrap_err(), Some(BasicErrorResponseType::InvalidScope));
    let fresh = oauth_token(&app, &old, AuthType::BasicAuth, &[]).await.unwrap();
    assert_eq!(fresh.scopes().unwrap().iter().map(|s| s.as_str()).collect::<Vec<_>>(), [POSTS]);

    let (_, audit) = admin.get_json(&format!("/api/v1/audit?action=credential.narrowed&object_id={id}")).await;
    assert_eq!(audit["total"], 1, "{audit}");
    app.wait_for_mail("dev@example.com", "API access narrowed").await;
}

/// Credentials keep working while a recertification is reviewed; rejecting it stops them on
/// the very next token request or introspection.
#[tokio::test]
async fn rejecting_a_recertification_stops_the_credentials_on_the_next_request() {
    let app = TestApp::spawn().await;
    let mut admin = app.signed_in_admin().await;
    let (mut dev, id) = submitted_as(&app, "dev@example.com").await;
    approve_posts_only(&app, &mut admin, &id).await;
    let live = live(&mut admin, &mut dev, &id).await;
    let key = gateway_key(&mut admin).await;
    let token = oauth_token(&app, &live, AuthType::BasicAuth, &[]).await.unwrap();
    let secret = token.access_token().secret().clone();
    let path = format!("/api/v1/applications/{id}");
    let (status, body) = dev.post_json(&format!("{path}/recertify"), json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(introspect(&app.base, &key, &secret).await.1["active"], true, "still working during the review");

    let mut rev = reviewer(&app, &mut admin, "rev2@example.com").await;
    rev.post_json(&format!("{path}/assign"), json!({})).await;
    let (status, body) =
        decide(&mut rev, &path, json!({"decision": "reject", "message": "The use case changed beyond portability."}))
            .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(introspect(&app.base, &key, &secret).await.1, json!({"active": false}));
    assert_eq!(
        oauth_token(&app, &live, AuthType::BasicAuth, &[]).await.unwrap_err(),
        Some(BasicErrorResponseType::InvalidClient)
    );
}

#[tokio::test]
async fn a_stored_environment_the_portal_never_writes_is_a_fault_not_a_sandbox() {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
    let app = TestApp::spawn().await;
    let (mut dev, id) = submitted_as(&app, "dev@example.com").await;
    let sandbox = issued(&mut dev, &id, "sandbox").await;
    portcullis_service::entity::credential::Entity::update_many()
        .col_expr(portcullis_service::entity::credential::Column::Environment, Expr::value("productio"))
        .filter(portcullis_service::entity::credential::Column::ClientId.eq(&sandbox.client_id))
        .exec(app.services.db())
        .await
        .unwrap();
    let (status, body) = dev.get_json(&format!("/api/v1/applications/{id}/credentials")).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "read as a sandbox before: {body}");
    let (status, _) = dev.post_json(&format!("/api/v1/credentials/{}/rotate", sandbox.client_id), json!({})).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "no secret is made for a set whose kind is unknown");
}
