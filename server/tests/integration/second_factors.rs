//! Second factors: TOTP enrolment, codes at sign-in (once each, with a step of skew), recovery
//! codes, the requirement for staff, step-up before dangerous actions, and the admins' reset.

use crate::common::fixtures::{complete_patch, decide, pass_everything, ready_to_submit, reviewer, submitted_as};
use crate::common::{Client, Options, TestApp, json};
use chrono::{DateTime, Utc};
use portcullis_service::clock::{Clock, ManualClock};
use reqwest::StatusCode;
use serde_json::Value;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use totp_rs::{Builder, Secret};

const PASSWORD: &str = "correct horse battery staple";
const POSTS: &str = "portability.posts.single";
const DMS: &str = "portability.direct_messages.ongoing";
const STEP: Duration = Duration::from_secs(30);
/// Just past the 10 minutes a verified factor counts as fresh.
const PAST_FRESH: Duration = Duration::from_secs(10 * 60 + 1);

async fn spawn(require_mfa: &'static str) -> (TestApp, ManualClock) {
    let clock = ManualClock::new(Utc::now());
    let app = TestApp::spawn_with(Options { clock: Some(clock.clone()), require_mfa, ..Default::default() }).await;
    (app, clock)
}

/// The code an authenticator app holding `secret` shows at `at`.
fn code_at(secret: &str, at: DateTime<Utc>) -> String {
    let totp = Builder::new().with_secret(Secret::try_from_base32(secret).unwrap()).build().unwrap();
    totp.generate(u64::try_from(at.timestamp()).unwrap()).to_string()
}

/// A TOTP factor set up through the API.
struct Factor {
    secret: String,
    recovery_codes: Vec<String>,
}

impl Factor {
    /// The app's next code: the clock moves on a step first, as each step's code works once.
    fn next_code(&self, clock: &ManualClock) -> String {
        clock.advance(STEP);
        code_at(&self.secret, clock.now())
    }
}

/// Starts and confirms a TOTP factor for the signed-in `client`.
async fn enrol(client: &mut Client, clock: &ManualClock) -> Factor {
    let (status, started) = client.post_json("/api/v1/me/totp", json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{started}");
    let secret = started["secret"].as_str().unwrap().to_owned();
    assert!(started["otpauth_uri"].as_str().unwrap().starts_with("otpauth://totp/Portcullis:"), "{started}");
    let qr = started["qr_svg"].as_str().unwrap();
    assert!(qr.starts_with("<svg role=\"img\""), "an image to put in a page: {qr:.80}");
    assert!(!qr.contains("otpauth"), "the key is drawn, not written out");
    let code = code_at(&secret, clock.now());
    let (status, confirmed) = client.post_json("/api/v1/me/totp/confirm", json!({ "code": code })).await;
    assert_eq!(status, StatusCode::OK, "{confirmed}");
    let recovery_codes: Vec<String> =
        confirmed["recovery_codes"].as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_owned()).collect();
    Factor { secret, recovery_codes }
}

async fn log_in(client: &mut Client, email: &str, code: Option<&str>) -> (StatusCode, Value) {
    let mut body = json!({"email": email, "password": PASSWORD});
    if let Some(code) = code {
        body["code"] = json!(code);
    }
    client.post_json("/api/v1/auth/login", body).await
}

async fn step_up(client: &mut Client, code: &str) {
    let r = client.post("/api/v1/auth/step-up", json!({ "code": code })).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
}

fn assert_code(status: StatusCode, body: &Value, expected_status: StatusCode, code: &str) {
    assert_eq!(status, expected_status, "{body}");
    assert_eq!(body["error"]["code"], code, "{body}");
}

async fn user_id(admin: &mut Client, email: &str) -> String {
    let (_, users) = admin.get_json(&format!("/api/v1/users?q={email}")).await;
    users["items"][0]["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_confirmed_factor_is_asked_for_at_sign_in_and_each_code_works_once() {
    let (app, clock) = spawn("all").await;
    let mut dev = app.signed_in_user("dev@example.com", "Dev").await;

    // Without a factor the account may only set one up.
    let (status, body) = dev.get_json("/api/v1/orgs").await;
    assert_code(status, &body, StatusCode::FORBIDDEN, "second_factor_setup_required");
    assert!(body["error"]["message"].as_str().unwrap().contains("/api/v1/me/totp"), "{body}");
    let (status, me) = dev.get_json("/api/v1/me").await;
    assert_eq!(status, StatusCode::OK, "{me}");

    // A wrong code does not confirm the factor; the right one does, with ten recovery codes.
    let (status, started) = dev.post_json("/api/v1/me/totp", json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{started}");
    let secret = started["secret"].as_str().unwrap().to_owned();
    let wrong = code_at(&secret, clock.now() + chrono::Duration::hours(1));
    let (status, body) = dev.post_json("/api/v1/me/totp/confirm", json!({ "code": wrong })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["error"]["fields"]["code"].is_array(), "{body}");
    let (status, confirmed) =
        dev.post_json("/api/v1/me/totp/confirm", json!({ "code": code_at(&secret, clock.now()) })).await;
    assert_eq!(status, StatusCode::OK, "{confirmed}");
    assert_eq!(confirmed["recovery_codes"].as_array().unwrap().len(), 10);
    app.wait_for_mail("dev@example.com", "An authenticator app was set up as a second factor").await;
    let (status, body) = dev.get_json("/api/v1/orgs").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = dev.post_json("/api/v1/me/totp", json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT, "a confirmed factor is not replaced: {body}");

    // Signing in now takes a code.
    let mut other = app.client();
    let (status, body) = log_in(&mut other, "dev@example.com", None).await;
    assert_code(status, &body, StatusCode::UNAUTHORIZED, "second_factor_required");
    let (status, body) = log_in(&mut other, "dev@example.com", Some(&wrong)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    clock.advance(STEP);
    let code = code_at(&secret, clock.now());
    let (status, body) = log_in(&mut other, "dev@example.com", Some(&code)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = log_in(&mut app.client(), "dev@example.com", Some(&code)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "a replayed code is refused: {body}");

    // A clock one step behind or ahead is allowed; two steps is not.
    clock.advance(STEP * 2);
    let behind = code_at(&secret, clock.now() - chrono::Duration::seconds(30));
    let (status, body) = log_in(&mut app.client(), "dev@example.com", Some(&behind)).await;
    assert_eq!(status, StatusCode::OK, "one step behind: {body}");
    clock.advance(STEP * 3);
    let too_old = code_at(&secret, clock.now() - chrono::Duration::seconds(60));
    let (status, body) = log_in(&mut app.client(), "dev@example.com", Some(&too_old)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "two steps behind: {body}");
    let ahead = code_at(&secret, clock.now() + chrono::Duration::seconds(30));
    let (status, body) = log_in(&mut app.client(), "dev@example.com", Some(&ahead)).await;
    assert_eq!(status, StatusCode::OK, "one step ahead: {body}");
}

#[tokio::test]
async fn a_recovery_code_stands_in_for_a_code_once() {
    let (app, clock) = spawn("all").await;
    let mut dev = app.signed_in_user("dev@example.com", "Dev").await;
    let factor = enrol(&mut dev, &clock).await;
    assert!(
        factor.recovery_codes.iter().all(|c| c.len() == 19 && c.matches('-').count() == 3),
        "{:?}",
        factor.recovery_codes
    );

    let (status, body) = log_in(&mut app.client(), "dev@example.com", Some(&factor.recovery_codes[0])).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = log_in(&mut app.client(), "dev@example.com", Some(&factor.recovery_codes[0])).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "used already: {body}");
    // Typed without dashes, in capitals: the same code.
    let typed = factor.recovery_codes[1].replace('-', "").to_uppercase();
    let (status, body) = log_in(&mut app.client(), "dev@example.com", Some(&typed)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    step_up(&mut dev, &factor.recovery_codes[2]).await;
    let r = dev.post("/api/v1/auth/step-up", json!({ "code": factor.recovery_codes[2] })).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn wrong_codes_count_toward_the_sign_in_lockout() {
    let (app, clock) = spawn("all").await;
    let mut dev = app.signed_in_user("dev@example.com", "Dev").await;
    let factor = enrol(&mut dev, &clock).await;
    let wrong = code_at(&factor.secret, clock.now() + chrono::Duration::hours(2));
    for _ in 0..5 {
        let (status, body) = log_in(&mut app.client(), "dev@example.com", Some(&wrong)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    }
    let (status, body) = log_in(&mut app.client(), "dev@example.com", Some(&factor.next_code(&clock))).await;
    assert_code(status, &body, StatusCode::TOO_MANY_REQUESTS, "rate_limited");
}

#[tokio::test]
async fn under_staff_an_admin_without_a_factor_may_only_set_one_up_and_developers_need_none() {
    let (app, clock) = spawn("staff").await;
    let mut admin = app.signed_in_admin().await;
    let (status, body) = admin.get_json("/api/v1/users").await;
    assert_code(status, &body, StatusCode::FORBIDDEN, "second_factor_setup_required");
    let (status, body) = admin.post_json("/api/v1/auth/step-up", json!({"code": "123456"})).await;
    assert_code(status, &body, StatusCode::FORBIDDEN, "second_factor_setup_required");
    let (status, me) = admin.get_json("/api/v1/me").await;
    assert_eq!(status, StatusCode::OK, "{me}");

    let mut dev = app.signed_in_user("dev@example.com", "Dev").await;
    let (status, body) = dev.get_json("/api/v1/orgs").await;
    assert_eq!(status, StatusCode::OK, "developers need no factor under staff: {body}");

    let factor = enrol(&mut admin, &clock).await;
    let (status, body) = admin.get_json("/api/v1/users").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let r = admin.post("/api/v1/auth/logout", json!({})).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    // `TestApp::signed_in_admin`'s account and password.
    let credentials = json!({"email": "root@example.com", "password": "admin password long enough"});
    let (status, body) = admin.post_json("/api/v1/auth/login", credentials.clone()).await;
    assert_code(status, &body, StatusCode::UNAUTHORIZED, "second_factor_required");
    let mut with_code = credentials;
    with_code["code"] = json!(factor.next_code(&clock));
    let (status, body) = admin.post_json("/api/v1/auth/login", with_code).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn dangerous_actions_ask_for_a_fresh_second_factor_and_a_step_up_gives_one() {
    let (app, clock) = spawn("staff").await;
    // Setup: an admin and a reviewer with factors; an owner who enrolled of their own accord;
    // an application asking for posts, and one asking for direct messages (sensitive).
    let mut admin = app.signed_in_admin().await;
    let admin_factor = enrol(&mut admin, &clock).await;
    let mut rev = reviewer(&app, &mut admin, "rev@example.com").await;
    let rev_factor = enrol(&mut rev, &clock).await;
    let (mut owner, id) = submitted_as(&app, "owner@example.com").await;
    let owner_factor = enrol(&mut owner, &clock).await;
    let mut dev = app.signed_in_user("dev@example.com", "Dev").await;
    let (_, sensitive) = ready_to_submit(&mut dev).await;
    let sensitive_path = format!("/api/v1/applications/{sensitive}");
    let mut scopes = complete_patch()["scopes"].clone();
    scopes.as_array_mut().unwrap().push(json!({"name": DMS, "justification": "To archive conversations."}));
    let (status, body) = dev.patch_json(&sensitive_path, json!({ "scopes": scopes })).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = dev.post_json(&format!("{sensitive_path}/submit"), json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    clock.advance(PAST_FRESH);

    // Approving ordinary scopes needs no step-up; granting a sensitive one does.
    let path = format!("/api/v1/applications/{id}");
    pass_everything(&mut rev, &path).await;
    let (status, body) = decide(&mut rev, &path, json!({"decision": "approve", "granted_scopes": [POSTS]})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    pass_everything(&mut rev, &sensitive_path).await;
    let grant = json!({"decision": "approve", "granted_scopes": [POSTS, DMS]});
    let (status, body) = decide(&mut rev, &sensitive_path, grant.clone()).await;
    assert_code(status, &body, StatusCode::UNAUTHORIZED, "step_up_required");
    step_up(&mut rev, &rev_factor.next_code(&clock)).await;
    let (status, body) = decide(&mut rev, &sensitive_path, grant).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // The admin's factor is stale: roles, gateway keys, checklists and production
    // credentials wait for a step-up.
    let dev_id = user_id(&mut admin, "dev@example.com").await;
    let roles = format!("/api/v1/users/{dev_id}/roles");
    let (_, template) = admin.get_json("/api/v1/checklists/privacy").await;
    let mut items: Vec<Value> = template["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            json!({"id": i["id"], "title": i["title"], "guidance": i["guidance"],
                   "required": i["required"], "applies_to": i["applies_to"]})
        })
        .collect();
    items[0]["title"] = json!("Every requested category is needed");
    let checklist = json!({"version": template["version"], "items": items});
    let credentials = format!("{path}/credentials");
    let (status, body) = admin.put_json(&roles, json!({"roles": ["reviewer"]})).await;
    assert_code(status, &body, StatusCode::UNAUTHORIZED, "step_up_required");
    let (status, body) = admin.post_json("/api/v1/gateway-keys", json!({"name": "Edge"})).await;
    assert_code(status, &body, StatusCode::UNAUTHORIZED, "step_up_required");
    let (status, body) = admin.put_json("/api/v1/checklists/privacy", checklist.clone()).await;
    assert_code(status, &body, StatusCode::UNAUTHORIZED, "step_up_required");
    let (status, body) = admin.post_json(&credentials, json!({"environment": "production"})).await;
    assert_code(status, &body, StatusCode::UNAUTHORIZED, "step_up_required");
    let (status, body) = admin.post_json(&credentials, json!({"environment": "sandbox"})).await;
    assert_eq!(status, StatusCode::CREATED, "sandbox credentials need no step-up: {body}");

    step_up(&mut admin, &admin_factor.next_code(&clock)).await;
    let (status, body) = admin.put_json(&roles, json!({"roles": ["reviewer"]})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = admin.post_json("/api/v1/gateway-keys", json!({"name": "Edge"})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = admin.put_json("/api/v1/checklists/privacy", checklist).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, issued) = admin.post_json(&credentials, json!({"environment": "production"})).await;
    assert_eq!(status, StatusCode::CREATED, "{issued}");
    let client_id = issued["client_id"].as_str().unwrap();

    // The owner enrolled of their own accord, so collecting and rotating ask for a code too.
    let collect = format!("/api/v1/credentials/{client_id}/collect");
    let (status, body) = owner.post_json(&collect, json!({})).await;
    assert_code(status, &body, StatusCode::UNAUTHORIZED, "step_up_required");
    step_up(&mut owner, &owner_factor.next_code(&clock)).await;
    let (status, body) = owner.post_json(&collect, json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    clock.advance(PAST_FRESH);
    let rotate = format!("/api/v1/credentials/{client_id}/rotate");
    let (status, body) = owner.post_json(&rotate, json!({})).await;
    assert_code(status, &body, StatusCode::UNAUTHORIZED, "step_up_required");
    step_up(&mut owner, &owner_factor.next_code(&clock)).await;
    let (status, body) = owner.post_json(&rotate, json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    let (_, audit) = admin.get_json("/api/v1/audit?action=user.step_up").await;
    assert_eq!(audit["total"], 4, "{audit}");
}

#[tokio::test]
async fn an_admin_resets_a_lost_factor_and_the_account_is_told() {
    let (app, clock) = spawn("staff").await;
    let mut admin = app.signed_in_admin().await;
    enrol(&mut admin, &clock).await;
    let mut dev = app.signed_in_user("dev@example.com", "Dev").await;
    let factor = enrol(&mut dev, &clock).await;
    let dev_id = user_id(&mut admin, "dev@example.com").await;
    let reset = format!("/api/v1/users/{dev_id}/second-factors");

    let r = dev.delete(&reset).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "only admins reset");
    let r = admin.delete(&reset).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    app.wait_for_mail("dev@example.com", "removed the second factor").await;
    let (status, body) = log_in(&mut app.client(), "dev@example.com", None).await;
    assert_eq!(status, StatusCode::OK, "a password is enough again: {body}");
    let (status, body) = log_in(&mut app.client(), "dev@example.com", Some(&factor.recovery_codes[0])).await;
    assert_eq!(status, StatusCode::OK, "the code is ignored with no factor: {body}");

    let (_, audit) =
        admin.get_json(&format!("/api/v1/audit?action=user.second_factors_reset&object_id={dev_id}")).await;
    assert_eq!(audit["total"], 1, "{audit}");
    let (_, everything) = admin.get_json("/api/v1/audit?action=user.").await;
    let dump = everything.to_string();
    assert!(dump.contains("user.totp_confirmed"), "{dump}");
    assert!(!dump.contains(&factor.secret), "the secret stays out of the audit trail");
    assert!(factor.recovery_codes.iter().all(|c| !dump.contains(c.as_str())));
}

#[tokio::test]
async fn with_the_requirement_off_nothing_is_asked() {
    let (app, clock) = spawn("off").await;
    let mut admin = app.signed_in_admin().await;
    clock.advance(PAST_FRESH);
    let (status, body) = admin.post_json("/api/v1/gateway-keys", json!({"name": "Edge"})).await;
    assert_eq!(status, StatusCode::CREATED, "no factor and no step-up: {body}");
    let mut dev = app.signed_in_user("dev@example.com", "Dev").await;
    enrol(&mut dev, &clock).await;
    let (status, body) = log_in(&mut app.client(), "dev@example.com", None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

/// Runs `serve --demo` on a fresh SQLite database, with `require_mfa` as the environment's
/// `PORTCULLIS_REQUIRE_MFA` (unset for `None`), and answers what the demo admin's `GET
/// /api/v1/users` gets.
async fn demo_admin_lists_users(require_mfa: Option<&str>) -> (StatusCode, Value) {
    let dir = tempfile::TempDir::new().unwrap();
    let base = format!("http://127.0.0.1:{}", crate::common::free_port());
    let mut command = Command::new(env!("CARGO_BIN_EXE_portcullis"));
    command
        .args(["serve", "--demo"])
        .env("DATABASE_URL", format!("sqlite://{}?mode=rwc", dir.path().join("demo.db").display()))
        .env("PORTCULLIS_DATA_DIR", dir.path())
        .env("PORTCULLIS_ADDR", base.trim_start_matches("http://"))
        .env("PORTCULLIS_PUBLIC_URL", &base)
        .env("RUST_LOG", "warn")
        .env_remove("PORTCULLIS_REQUIRE_MFA")
        .env_remove("SMTP_URL")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    if let Some(policy) = require_mfa {
        command.env("PORTCULLIS_REQUIRE_MFA", policy);
    }
    let mut child = command.spawn().unwrap();
    // Polling with a deadline: the demo accounts exist once the portal answers.
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut admin = Client::new(&base);
    let answer = loop {
        assert!(Instant::now() < deadline, "serve --demo did not sign the demo admin in");
        let login = json!({"email": "admin@demo.portcullis.test", "password": "demo-admin-password"});
        if let Ok(r) = admin.try_request(reqwest::Method::POST, "/api/v1/auth/login", Some(login)).await
            && r.status() == StatusCode::OK
        {
            break admin.get_json("/api/v1/users").await;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    child.kill().unwrap();
    child.wait().unwrap();
    answer
}

#[tokio::test]
async fn demo_mode_asks_no_second_factor_unless_the_setting_says_so() {
    let (status, body) = demo_admin_lists_users(None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = demo_admin_lists_users(Some("staff")).await;
    assert_code(status, &body, StatusCode::FORBIDDEN, "second_factor_setup_required");
}

#[tokio::test]
async fn the_stored_key_is_sealed_and_one_stored_before_sealing_is_sealed_at_its_first_use() {
    use portcullis_service::entity::second_factor;
    use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait};

    let (app, clock) = spawn("all").await;
    let mut dev = app.signed_in_user("dev@example.com", "Dev").await;
    let factor = enrol(&mut dev, &clock).await;
    let stored = || async { second_factor::Entity::find().one(app.services.db()).await.unwrap().unwrap() };
    let row = stored().await;
    assert!(row.secret.starts_with("v1."), "{}", row.secret);
    assert!(!row.secret.contains(&factor.secret), "a copy of the database does not hold the key");

    // A row written before sealing, as an upgraded portal has them: it still works.
    let user_id = row.user_id.clone();
    second_factor::ActiveModel {
        user_id: Set(user_id.clone()),
        secret: Set(factor.secret.clone()),
        ..Default::default()
    }
    .update(app.services.db())
    .await
    .unwrap();
    let mut again = app.client();
    let (status, body) = log_in(&mut again, "dev@example.com", Some(&factor.next_code(&clock))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(stored().await.secret.starts_with("v1."), "sealed at its first use");

    // A sealed key moved onto another account does not open there: the code is refused.
    let mut other = app.signed_in_user("other@example.com", "Other").await;
    let theirs = enrol(&mut other, &clock).await;
    let mine = second_factor::Entity::find_by_id(user_id).one(app.services.db()).await.unwrap().unwrap();
    let other_id = second_factor::Entity::find()
        .all(app.services.db())
        .await
        .unwrap()
        .into_iter()
        .find(|row| row.user_id != mine.user_id)
        .unwrap()
        .user_id;
    second_factor::ActiveModel { user_id: Set(other_id), secret: Set(mine.secret.clone()), ..Default::default() }
        .update(app.services.db())
        .await
        .unwrap();
    let (status, body) = log_in(&mut app.client(), "other@example.com", Some(&theirs.next_code(&clock))).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "a key that does not open is never guessed around: {body}");
}
