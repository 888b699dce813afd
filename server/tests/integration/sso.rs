//! Single sign-on for staff against a real OpenID Connect provider (`oidc-provider` on
//! loopback): accounts made at first sign-in and linked by subject, roles from the `groups`
//! claim at every sign-in, the clear pages for bad input, staff roles only through single
//! sign-on, and step-up by signing in at the provider again.

use crate::common::oidc::{OidcProvider, ProviderBrowser};
use crate::common::{Client, Options, TestApp, free_port, json, link_token, loopback_listener};
use chrono::Utc;
use portcullis_service::clock::ManualClock;
use reqwest::StatusCode;
use reqwest::header::LOCATION;
use serde_json::Value;
use std::time::Duration;

const ROLES: &str = "portal-reviewers=reviewer,portal-admins=admin";
const PASSWORD: &str = "correct horse battery staple";

fn accounts(groups: &[(&str, &[&str])]) -> Value {
    let mut all = serde_json::Map::new();
    for (login, groups) in groups {
        all.insert(
            (*login).to_owned(),
            json!({ "email": format!("{login}@corp.example"), "name": format!("{login} Staff"), "groups": groups }),
        );
    }
    Value::Object(all)
}

struct Setup {
    accounts: Value,
    id_token_ttl: u64,
    claims_in_userinfo_only: bool,
    clock: Option<ManualClock>,
    require_mfa: &'static str,
    env: Vec<(&'static str, String)>,
}

impl Default for Setup {
    fn default() -> Self {
        Self {
            accounts: accounts(&[("alice", &["portal-reviewers"]), ("bob", &["other-team"])]),
            id_token_ttl: 3600,
            claims_in_userinfo_only: false,
            clock: None,
            require_mfa: "off",
            env: Vec::new(),
        }
    }
}

/// The provider and a portal configured for it, each knowing the other's address.
async fn spawn(setup: Setup) -> (TestApp, OidcProvider) {
    let listener = loopback_listener();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let provider = OidcProvider::start(&base, setup.accounts, setup.id_token_ttl, setup.claims_in_userinfo_only).await;
    let mut env = provider.portal_env(ROLES);
    env.extend(setup.env);
    let options = Options { env, clock: setup.clock, require_mfa: setup.require_mfa, listener: Some(listener) };
    let app = TestApp::spawn_with(options).await;
    assert_eq!(app.base, base);
    (app, provider)
}

fn location(response: &reqwest::Response) -> String {
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "a redirect");
    response.headers()[LOCATION].to_str().unwrap().to_owned()
}

/// The path and query of a URL on the portal.
fn on_portal(app: &TestApp, url: &str) -> String {
    url.strip_prefix(&app.base).unwrap_or_else(|| panic!("{url} is not on the portal")).to_owned()
}

/// Starts a sign-in at `start` (a portal path), signs in at the provider as `login`, and
/// returns the callback path the provider sent the browser back to.
async fn through_provider(app: &TestApp, client: &mut Client, start: &str, login: &str) -> String {
    let r = client.get(start).await;
    let authorize = location(&r);
    assert!(authorize.contains("code_challenge_method=S256") && authorize.contains("nonce="), "{authorize}");
    let back = ProviderBrowser::new().sign_in(&authorize, login).await;
    on_portal(app, &back)
}

/// A full sign-in as `login`: where the portal sends the browser at the end, and the client.
async fn sign_in(app: &TestApp, login: &str) -> (Client, String) {
    let mut client = Client::without_redirects(&app.base);
    let callback = through_provider(app, &mut client, "/auth/oidc/start?return=/review", login).await;
    let r = client.get(&callback).await;
    (client, location(&r))
}

/// The problem page a refusal leads to shows its heading, the reason and the way back.
async fn assert_problem_page(app: &TestApp, landed: &str, reason: &str) {
    assert_eq!(landed, format!("/sso/problem?reason={reason}"));
    let r = app.client().get(landed).await;
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    let problem = portcullis_domain::sso::SsoProblem::from_code(reason).unwrap();
    let title = problem.title();
    assert!(html.contains(title) || html.contains(&title.replace('\'', "&#x27;")), "{html}");
    assert!(html.contains("<h1"), "a heading");
    assert!(html.contains("href=\"/login\""), "a link back to sign-in");
}

async fn me(client: &mut Client) -> Value {
    let (status, body) = client.get_json("/api/v1/me").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["user"].clone()
}

async fn audit(admin: &mut Client, action: &str) -> Vec<Value> {
    let (status, body) = admin.get_json(&format!("/api/v1/audit?action={action}")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // `details` comes as JSON text.
    let mut items = body["items"].as_array().unwrap().clone();
    for item in &mut items {
        let details: Value = serde_json::from_str(item["details"].as_str().unwrap_or("null")).unwrap_or(Value::Null);
        item["details"] = details;
    }
    items
}

#[tokio::test]
async fn first_sign_in_creates_the_account_with_the_mapped_role_and_group_changes_apply_at_the_next() {
    let (app, provider) = spawn(Setup::default()).await;
    let mut admin = app.signed_in_admin().await;

    // First sign-in: an account with the role the group maps to, back where the person was going.
    let (mut alice, landed) = sign_in(&app, "alice").await;
    assert_eq!(landed, "/review");
    let user = me(&mut alice).await;
    assert_eq!(user["email"], "alice@corp.example");
    assert_eq!(user["name"], "alice Staff");
    assert_eq!(user["roles"], json!(["developer", "reviewer"]));
    assert_eq!(user["email_verified"], true);
    assert_eq!(user["sso"], true);
    let (status, _) = alice.get_json("/api/v1/review/queue").await;
    assert_eq!(status, StatusCode::OK);
    let created = audit(&mut admin, "user.sso_created").await;
    assert_eq!(created.len(), 1);
    assert_eq!(created[0]["object_id"], user["id"]);

    // The provider moves her to the admins: the next sign-in is the same account, now an admin.
    provider.set_accounts(accounts(&[("alice", &["portal-admins"])]));
    let (mut again, _) = sign_in(&app, "alice").await;
    let now = me(&mut again).await;
    assert_eq!(now["id"], user["id"], "linked by subject, not made twice");
    assert_eq!(now["roles"], json!(["developer", "admin"]));
    let changes = audit(&mut admin, "user.roles_changed").await;
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert_eq!(changes[0]["details"]["from"], "developer,reviewer");
    assert_eq!(changes[0]["details"]["to"], "developer,admin");
    assert_eq!(changes[0]["details"]["by"], "sso");
    let (status, _) = again.get_json("/api/v1/users").await;
    assert_eq!(status, StatusCode::OK);

    // Out of every mapped group: the sign-in is refused, and the role is gone from her open
    // sessions too.
    provider.set_accounts(accounts(&[("alice", &[])]));
    let (_, landed) = sign_in(&app, "alice").await;
    assert_problem_page(&app, &landed, "no_role").await;
    let (status, _) = again.get_json("/api/v1/users").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(audit(&mut admin, "user.roles_changed").await.len(), 2);
}

#[tokio::test]
async fn groups_and_email_are_read_from_userinfo_when_the_id_token_leaves_them_out() {
    let (app, _provider) = spawn(Setup { claims_in_userinfo_only: true, ..Default::default() }).await;
    let (mut alice, landed) = sign_in(&app, "alice").await;
    assert_eq!(landed, "/review");
    let user = me(&mut alice).await;
    assert_eq!(user["email"], "alice@corp.example");
    assert_eq!(user["name"], "alice Staff");
    assert_eq!(user["roles"], json!(["developer", "reviewer"]));
    let (_, landed) = sign_in(&app, "bob").await;
    assert_problem_page(&app, &landed, "no_role").await;
}

#[tokio::test]
async fn simultaneous_first_sign_ins_of_one_person_make_one_account() {
    let people: Vec<String> = (0..4).map(|n| format!("new{n}")).collect();
    let groups: Vec<(&str, &[&str])> = people.iter().map(|p| (p.as_str(), &["portal-reviewers"][..])).collect();
    let (app, _provider) = spawn(Setup { accounts: accounts(&groups), ..Default::default() }).await;
    for person in &people {
        // Two browsers come back from the provider at the same moment, before either account exists.
        let mut first = Client::without_redirects(&app.base);
        let mut second = Client::without_redirects(&app.base);
        let first_back = through_provider(&app, &mut first, "/auth/oidc/start?return=/review", person).await;
        let second_back = through_provider(&app, &mut second, "/auth/oidc/start?return=/review", person).await;
        let (a, b) = tokio::join!(first.get(&first_back), second.get(&second_back));
        assert_eq!((location(&a), location(&b)), ("/review".to_owned(), "/review".to_owned()), "{person}");
        assert_eq!(me(&mut first).await["id"], me(&mut second).await["id"], "{person}: one account");
    }
}

#[tokio::test]
async fn too_many_sign_ins_get_a_page_not_an_error_status() {
    let setup = Setup { env: vec![("PORTCULLIS_LIMIT_SSO_PER_HOUR", "2".into())], ..Default::default() };
    let (app, provider) = spawn(setup).await;
    let mut client = Client::without_redirects(&app.base);
    for _ in 0..2 {
        let r = client.get("/auth/oidc/start").await;
        assert!(location(&r).starts_with(&provider.issuer), "to the provider");
    }
    let r = client.get("/auth/oidc/start").await;
    assert_problem_page(&app, &location(&r), "too_many_attempts").await;
}

#[tokio::test]
async fn a_claim_mapping_to_no_role_is_refused_unless_developers_may_use_single_sign_on() {
    let (app, _provider) = spawn(Setup::default()).await;
    let mut admin = app.signed_in_admin().await;
    let (mut bob, landed) = sign_in(&app, "bob").await;
    assert_problem_page(&app, &landed, "no_role").await;
    assert_eq!(bob.get_json("/api/v1/me").await.0, StatusCode::UNAUTHORIZED);
    let refused = audit(&mut admin, "user.sso_refused").await;
    assert_eq!(refused.len(), 1);
    assert_eq!(refused[0]["details"]["reason"], "no_role");
    assert_eq!(refused[0]["details"]["subject"], "bob");

    let setup = Setup { env: vec![("PORTCULLIS_OIDC_DEVELOPERS", "true".into())], ..Default::default() };
    let (app, _provider) = spawn(setup).await;
    let (mut bob, landed) = sign_in(&app, "bob").await;
    assert_eq!(landed, "/review");
    assert_eq!(me(&mut bob).await["roles"], json!(["developer"]));
}

#[tokio::test]
async fn a_wrong_state_or_a_replayed_code_gets_a_clear_page() {
    let (app, _provider) = spawn(Setup::default()).await;
    let mut admin = app.signed_in_admin().await;

    // A state this session did not send.
    let mut client = Client::without_redirects(&app.base);
    let callback = through_provider(&app, &mut client, "/auth/oidc/start", "alice").await;
    let (path, query) = callback.split_once('?').unwrap();
    let forged: String = query
        .split('&')
        .map(|pair| if pair.starts_with("state=") { "state=forged".to_owned() } else { pair.to_owned() })
        .collect::<Vec<_>>()
        .join("&");
    let r = client.get(&format!("{path}?{forged}")).await;
    assert_problem_page(&app, &location(&r), "wrong_state").await;
    assert_eq!(client.get_json("/api/v1/me").await.0, StatusCode::UNAUTHORIZED);

    // A callback with no sign-in started in this browser.
    let mut stranger = Client::without_redirects(&app.base);
    let r = stranger.get("/auth/oidc/callback?code=abc&state=def").await;
    assert_problem_page(&app, &location(&r), "wrong_state").await;

    // A sign-in that went through; its answer sent again is refused…
    let mut client = Client::without_redirects(&app.base);
    let callback = through_provider(&app, &mut client, "/auth/oidc/start", "alice").await;
    let r = client.get(&callback).await;
    assert_eq!(location(&r), "/");
    let r = client.get(&callback).await;
    assert_problem_page(&app, &location(&r), "wrong_state").await;
    // …and so is its code under the state of a new sign-in: the provider takes a code once.
    let r = client.get("/auth/oidc/start").await;
    let authorize = location(&r);
    let state = authorize.split("state=").nth(1).unwrap().split('&').next().unwrap();
    let code = callback.split("code=").nth(1).unwrap().split('&').next().unwrap();
    let r = client.get(&format!("/auth/oidc/callback?code={code}&state={state}")).await;
    assert_problem_page(&app, &location(&r), "code_rejected").await;

    let reasons: Vec<Value> =
        audit(&mut admin, "user.sso_refused").await.iter().map(|e| e["details"]["reason"].clone()).collect();
    assert!(reasons.contains(&json!("wrong_state")) && reasons.contains(&json!("code_rejected")), "{reasons:?}");
}

#[tokio::test]
async fn an_expired_id_token_is_refused() {
    // ID tokens live a minute; the portal's clock moves on five while the browser is away.
    let clock = ManualClock::new(Utc::now());
    let setup = Setup { id_token_ttl: 60, clock: Some(clock.clone()), ..Default::default() };
    let (app, _provider) = spawn(setup).await;
    let mut client = Client::without_redirects(&app.base);
    let callback = through_provider(&app, &mut client, "/auth/oidc/start", "alice").await;
    clock.advance(Duration::from_secs(300));
    let r = client.get(&callback).await;
    assert_problem_page(&app, &location(&r), "id_token_expired").await;
    assert_eq!(client.get_json("/api/v1/me").await.0, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn an_unreachable_provider_gets_a_clear_page() {
    let (app, mut provider) = spawn(Setup::default()).await;
    // Gone between leaving for the provider and coming back: the code cannot be exchanged.
    let mut client = Client::without_redirects(&app.base);
    let callback = through_provider(&app, &mut client, "/auth/oidc/start", "alice").await;
    provider.stop();
    let r = client.get(&callback).await;
    assert_problem_page(&app, &location(&r), "provider_unreachable").await;

    // Never there: a portal configured for an address where nothing answers.
    let mut env = provider.portal_env(ROLES);
    env.retain(|(k, _)| *k != "PORTCULLIS_OIDC_ISSUER");
    env.push(("PORTCULLIS_OIDC_ISSUER", format!("http://127.0.0.1:{}", free_port())));
    let app = TestApp::spawn_with(Options { env, ..Default::default() }).await;
    let mut client = Client::without_redirects(&app.base);
    let r = client.get("/auth/oidc/start").await;
    assert_problem_page(&app, &location(&r), "provider_unreachable").await;
}

#[tokio::test]
async fn an_email_with_a_password_account_is_not_taken_over() {
    let (app, _provider) = spawn(Setup::default()).await;
    let mut owner = app.signed_in_user("alice@corp.example", "Alice Owner").await;
    let (_, landed) = sign_in(&app, "alice").await;
    assert_problem_page(&app, &landed, "email_taken").await;
    let user = me(&mut owner).await;
    assert_eq!(user["sso"], false);
    assert_eq!(user["roles"], json!(["developer"]));
}

#[tokio::test]
async fn with_single_sign_on_a_password_sign_in_never_carries_staff_roles() {
    let (app, _provider) = spawn(Setup::default()).await;
    // The break-glass admin of `create-admin` keeps its role with a password, audited as such.
    let mut admin = app.signed_in_admin().await;
    let created = audit(&mut admin, "user.admin_created").await;
    assert_eq!(created[0]["details"]["break_glass"], true);

    // Staff roles cannot be given to a password account.
    let mut dev = app.signed_in_user("dev@example.com", "Dev").await;
    let dev_id = me(&mut dev).await["id"].as_str().unwrap().to_owned();
    let (status, body) = admin.put_json(&format!("/api/v1/users/{dev_id}/roles"), json!({"roles": ["reviewer"]})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(body["error"]["message"].as_str().unwrap().starts_with("Single sign-on is on"), "{body}");

    // An account of the provider that got a password (a reset) is no reviewer with it.
    let (mut alice, _) = sign_in(&app, "alice").await;
    let alice_id = me(&mut alice).await["id"].as_str().unwrap().to_owned();
    let mut anonymous = app.client();
    let r = anonymous.post("/api/v1/auth/password-reset", json!({"email": "alice@corp.example"})).await;
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let mail = app.wait_for_mail("alice@corp.example", "/reset-password?token=").await;
    let token = link_token(&mail, "/reset-password");
    let r = anonymous.post("/api/v1/auth/password-reset/confirm", json!({"token": token, "password": PASSWORD})).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let mut with_password = app.client();
    let (status, body) = with_password
        .post_json("/api/v1/auth/login", json!({"email": "alice@corp.example", "password": PASSWORD}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["user"]["id"], alice_id.as_str());
    assert_eq!(body["user"]["roles"], json!(["developer"]));
    assert_eq!(me(&mut with_password).await["roles"], json!(["developer"]));
    assert_eq!(with_password.get_json("/api/v1/review/queue").await.0, StatusCode::FORBIDDEN);
    // The same account through the provider is a reviewer again.
    let (mut alice, _) = sign_in(&app, "alice").await;
    assert_eq!(alice.get_json("/api/v1/review/queue").await.0, StatusCode::OK);
}

#[tokio::test]
async fn step_up_is_a_new_sign_in_at_the_provider() {
    // The portal's clock starts behind the provider's, so the first sign-in can grow stale
    // while the provider's `auth_time` of the step-up is fresh.
    let clock = ManualClock::new(Utc::now() - chrono::Duration::minutes(20));
    let setup = Setup {
        accounts: accounts(&[("alice", &["portal-admins"])]),
        clock: Some(clock.clone()),
        require_mfa: "staff",
        ..Default::default()
    };
    let (app, _provider) = spawn(setup).await;
    let (mut alice, _) = sign_in(&app, "alice").await;
    let user = me(&mut alice).await;
    assert_eq!(user["second_factor"], "enabled", "the provider holds the second factor");
    let id = user["id"].as_str().unwrap().to_owned();
    let roles = format!("/api/v1/users/{id}/roles");

    // Twenty minutes on, changing roles needs a fresh factor.
    clock.advance(Duration::from_secs(20 * 60));
    let (status, body) = alice.put_json(&roles, json!({"roles": ["admin", "reviewer"]})).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(body["error"]["code"], "step_up_required");

    // A sign-in at the provider that must ask again (max_age=0, prompt=login) brings her back
    // where she was, fresh.
    let r = alice.get("/auth/oidc/start?return=/admin/users&step_up=1").await;
    let authorize = location(&r);
    assert!(authorize.contains("max_age=0") && authorize.contains("prompt=login"), "{authorize}");
    let back = ProviderBrowser::new().sign_in(&authorize, "alice").await;
    let r = alice.get(&on_portal(&app, &back)).await;
    assert_eq!(location(&r), "/admin/users");
    let (status, body) = alice.put_json(&roles, json!({"roles": ["admin", "reviewer"]})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let step_ups = audit(&mut alice, "user.step_up").await;
    assert_eq!(step_ups.len(), 1);
    assert_eq!(step_ups[0]["details"]["sso"], true);
}

#[tokio::test]
async fn signing_out_of_a_single_sign_on_session_goes_on_to_the_providers_sign_out() {
    let (app, provider) = spawn(Setup::default()).await;
    let (alice, _) = sign_in(&app, "alice").await;
    // The sign-out button: a form sent without JavaScript.
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let r = http
        .post(format!("{}/rpc/logout", app.base))
        .header(reqwest::header::COOKIE, alice.cookie.clone().unwrap())
        .header(reqwest::header::ACCEPT, "text/html")
        .header(reqwest::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body("")
        .send()
        .await
        .unwrap();
    assert!(r.status().is_redirection(), "{}", r.status());
    let next = r.headers()[LOCATION].to_str().unwrap().to_owned();
    assert!(next.starts_with(&format!("{}/session/end?", provider.issuer)), "{next}");
    assert!(next.contains("client_id=") && next.contains("post_logout_redirect_uri="), "{next}");
    let mut alice = alice;
    assert_eq!(alice.get_json("/api/v1/me").await.0, StatusCode::UNAUTHORIZED);

    // A password session signs out at the portal only.
    let mut dev = app.signed_in_user("dev@example.com", "Dev").await;
    let r = http
        .post(format!("{}/rpc/logout", app.base))
        .header(reqwest::header::COOKIE, dev.cookie.clone().unwrap())
        .header(reqwest::header::ACCEPT, "text/html")
        .header(reqwest::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body("")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()[LOCATION], "/");
    assert_eq!(dev.get_json("/api/v1/me").await.0, StatusCode::UNAUTHORIZED);
}
