//! Passkeys with a real (software) authenticator driving the WebAuthn ceremonies over HTTP:
//! adding, listing, renaming and removing them; signing in with one alone and as the second
//! step after the password; step-up before a dangerous action; and the answers that must be
//! refused (replayed, to another challenge, another account's passkey, too late).

use crate::common::{Client, Options, TestApp, json};
use chrono::Utc;
use portcullis_service::clock::ManualClock;
use reqwest::StatusCode;
use serde_json::Value;
use std::time::Duration;
use webauthn_authenticator_rs::prelude::{
    CreationChallengeResponse, RequestChallengeResponse, Url, WebauthnAuthenticator,
};
use webauthn_authenticator_rs::softpasskey::SoftPasskey;

const PASSWORD: &str = "correct horse battery staple";
/// Just past the 10 minutes a verified factor counts as fresh.
const PAST_FRESH: Duration = Duration::from_secs(10 * 60 + 1);
/// Just past the 5 minutes a started ceremony waits.
const PAST_CEREMONY: Duration = Duration::from_secs(5 * 60 + 1);

async fn spawn(require_mfa: &'static str) -> (TestApp, ManualClock) {
    let clock = ManualClock::new(Utc::now());
    let app = TestApp::spawn_with(Options { clock: Some(clock.clone()), require_mfa, ..Default::default() }).await;
    (app, clock)
}

/// A software authenticator, answering as the browser would at the portal's origin: the
/// portal's public URL is a loopback address, which stands for `localhost` on its port.
struct Authenticator {
    soft: SoftPasskey,
    origin: Url,
    /// Its credentials (base64url ids) with the user handle each was created for: what an
    /// authenticator keeping discoverable credentials holds.
    credentials: Vec<(String, String)>,
}

impl Authenticator {
    fn new(app: &TestApp) -> Self {
        let port = Url::parse(&app.base).unwrap().port().unwrap();
        // It claims user verification, as a passkey with a PIN or a fingerprint does.
        let soft = SoftPasskey::new(true);
        Self { soft, origin: Url::parse(&format!("http://localhost:{port}")).unwrap(), credentials: Vec::new() }
    }

    /// `navigator.credentials.create()` with the portal's options.
    fn create(&mut self, options: &Value) -> Value {
        let user_handle = options["publicKey"]["user"]["id"].as_str().unwrap().to_owned();
        let options: CreationChallengeResponse = serde_json::from_value(options.clone()).unwrap();
        let credential = self.soft.do_registration(self.origin.clone(), options).unwrap();
        let credential = serde_json::to_value(credential).unwrap();
        self.credentials.push((credential["rawId"].as_str().unwrap().to_owned(), user_handle));
        credential
    }

    /// `navigator.credentials.get()` with the portal's options, answered with its credential
    /// `index`: named in the options, or discovered (with its user handle) when they name none.
    fn get(&mut self, options: &Value, index: usize) -> Value {
        let mut options = options.clone();
        let (id, user_handle) = self.credentials[index].clone();
        let allowed = options["publicKey"]["allowCredentials"].as_array().cloned().unwrap_or_default();
        let discovered = allowed.is_empty();
        // The software authenticator only answers for credentials it is asked for by id.
        options["publicKey"]["allowCredentials"] = json!([{ "type": "public-key", "id": id }]);
        let options: RequestChallengeResponse = serde_json::from_value(options).unwrap();
        let credential = self.soft.do_authentication(self.origin.clone(), options).unwrap();
        let mut credential = serde_json::to_value(credential).unwrap();
        if discovered {
            credential["response"]["userHandle"] = json!(user_handle);
        }
        credential
    }
}

/// Adds a passkey named `name` to the signed-in `client`'s account.
async fn add(client: &mut Client, authenticator: &mut Authenticator, name: &str) -> Value {
    let (status, options) = client.post_json("/api/v1/me/passkeys/registration", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{options}");
    let credential = authenticator.create(&options);
    let (status, body) = client.post_json("/api/v1/me/passkeys", json!({"name": name, "credential": credential})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["passkey"]["name"], name, "{body}");
    body["passkey"].clone()
}

async fn options(client: &mut Client, purpose: &str) -> Value {
    let (status, options) = client.post_json("/api/v1/auth/passkey/options", json!({ "purpose": purpose })).await;
    assert_eq!(status, StatusCode::OK, "{options}");
    options
}

/// A whole assertion with the authenticator's credential `index`.
async fn assert_with(
    client: &mut Client,
    authenticator: &mut Authenticator,
    purpose: &str,
    index: usize,
) -> (StatusCode, Value) {
    let options = options(client, purpose).await;
    let credential = authenticator.get(&options, index);
    client.post_json("/api/v1/auth/passkey", json!({ "credential": credential })).await
}

fn assert_code(status: StatusCode, body: &Value, expected_status: StatusCode, code: &str) {
    assert_eq!(status, expected_status, "{body}");
    assert_eq!(body["error"]["code"], code, "{body}");
}

async fn audit_total(admin: &mut Client, query: &str) -> u64 {
    let (status, audit) = admin.get_json(&format!("/api/v1/audit?{query}")).await;
    assert_eq!(status, StatusCode::OK, "{audit}");
    audit["total"].as_u64().unwrap()
}

#[tokio::test]
async fn passkeys_are_added_listed_renamed_and_removed_and_each_change_is_audited() {
    let (app, _clock) = spawn("staff").await;
    let mut dev = app.signed_in_user("dev@example.com", "Dev").await;
    let mut laptop = Authenticator::new(&app);
    let mut phone = Authenticator::new(&app);

    // Two passkeys; the account hears of each.
    let first = add(&mut dev, &mut laptop, "Laptop").await;
    app.wait_for_mail("dev@example.com", "A passkey named \"Laptop\" was added").await;
    let second = add(&mut dev, &mut phone, "Phone").await;
    let (status, list) = dev.get_json("/api/v1/me/passkeys").await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let names: Vec<&str> = list["passkeys"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Laptop", "Phone"]);
    assert!(list["passkeys"][0]["last_used_at"].is_null(), "{list}");
    let (_, me) = dev.get_json("/api/v1/me").await;
    assert_eq!(me["user"]["factors"]["passkey"], true, "{me}");
    assert_eq!(me["user"]["second_factor"], "enabled", "a passkey is a second factor: {me}");

    // Renamed; a name is required.
    let path = format!("/api/v1/me/passkeys/{}", first["id"].as_str().unwrap());
    let (status, body) = dev.patch_json(&path, json!({"name": "Work laptop"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["passkey"]["name"], "Work laptop");
    let (status, body) = dev.patch_json(&path, json!({"name": " "})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["error"]["fields"]["name"].is_array(), "{body}");

    // Nobody else sees, renames or removes them.
    let mut other = app.signed_in_user("other@example.com", "Other").await;
    let (_, theirs) = other.get_json("/api/v1/me/passkeys").await;
    assert_eq!(theirs["passkeys"], json!([]), "{theirs}");
    let (status, _) = other.patch_json(&path, json!({"name": "Mine"})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(other.delete(&path).await.status(), StatusCode::NOT_FOUND);

    // Removed.
    assert_eq!(dev.delete(&path).await.status(), StatusCode::NO_CONTENT);
    let (_, list) = dev.get_json("/api/v1/me/passkeys").await;
    assert_eq!(list["passkeys"].as_array().unwrap().len(), 1, "{list}");
    assert_eq!(list["passkeys"][0]["id"], second["id"], "{list}");
    assert_eq!(dev.delete(&path).await.status(), StatusCode::NOT_FOUND);

    // The trail, read by an admin whose own factor is a passkey.
    let mut admin = app.signed_in_admin().await;
    add(&mut admin, &mut Authenticator::new(&app), "Admin key").await;
    assert_eq!(audit_total(&mut admin, "action=user.passkey_added").await, 3);
    assert_eq!(audit_total(&mut admin, "action=user.passkey_renamed").await, 1);
    assert_eq!(audit_total(&mut admin, "action=user.passkey_removed").await, 1);
}

#[tokio::test]
async fn a_passkey_alone_signs_in_with_its_factor_verified() {
    let (app, _clock) = spawn("staff").await;
    let mut admin = app.signed_in_admin().await;
    let mut key = Authenticator::new(&app);
    add(&mut admin, &mut key, "Admin key").await;

    // No email, no password: the passkey names its account.
    let mut fresh = app.client();
    let (status, body) = assert_with(&mut fresh, &mut key, "sign_in", 0).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["user"]["email"], "root@example.com", "{body}");
    // Its factor counts as verified: a dangerous action goes ahead at once.
    let (status, body) = fresh.post_json("/api/v1/gateway-keys", json!({"name": "Edge"})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (_, list) = fresh.get_json("/api/v1/me/passkeys").await;
    assert!(list["passkeys"][0]["last_used_at"].is_string(), "{list}");
    assert!(audit_total(&mut fresh, "action=user.login").await >= 2);
}

#[tokio::test]
async fn after_the_password_a_passkey_is_the_second_step() {
    let (app, _clock) = spawn("all").await;
    let mut dev = app.signed_in_user("dev@example.com", "Dev").await;
    let (status, body) = dev.get_json("/api/v1/orgs").await;
    assert_code(status, &body, StatusCode::FORBIDDEN, "second_factor_setup_required");
    // A passkey is enough of a second factor for the policy.
    let mut key = Authenticator::new(&app);
    add(&mut dev, &mut key, "Laptop").await;
    let (status, body) = dev.get_json("/api/v1/orgs").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let mut carol = app.signed_in_user("carol@example.com", "Carol").await;
    let mut carols = Authenticator::new(&app);
    add(&mut carol, &mut carols, "Carol's").await;

    // The password alone is not enough; the passkey asked for next is one of this account's.
    let mut client = app.client();
    let login = json!({"email": "dev@example.com", "password": PASSWORD});
    let (status, body) = client.post_json("/api/v1/auth/login", login.clone()).await;
    assert_code(status, &body, StatusCode::UNAUTHORIZED, "second_factor_required");
    let asked = options(&mut client, "sign_in").await;
    let allowed: Vec<&str> =
        asked["publicKey"]["allowCredentials"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(allowed, [key.credentials[0].0.as_str()], "{asked}");
    // Carol's passkey does not finish the developer's sign-in.
    let credential = carols.get(&asked, 0);
    let (status, body) = client.post_json("/api/v1/auth/passkey", json!({ "credential": credential })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["error"]["fields"]["credential"].is_array(), "{body}");
    let (status, _) = client.get_json("/api/v1/me").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // The account's own passkey does.
    let (status, body) = client.post_json("/api/v1/auth/login", login).await;
    assert_code(status, &body, StatusCode::UNAUTHORIZED, "second_factor_required");
    let (status, body) = assert_with(&mut client, &mut key, "sign_in", 0).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["user"]["email"], "dev@example.com", "{body}");
    let (status, body) = client.get_json("/api/v1/orgs").await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn a_passkey_steps_up_before_a_dangerous_action() {
    let (app, clock) = spawn("staff").await;
    let mut admin = app.signed_in_admin().await;
    let mut key = Authenticator::new(&app);
    add(&mut admin, &mut key, "Admin key").await;
    clock.advance(PAST_FRESH);

    let (status, body) = admin.post_json("/api/v1/gateway-keys", json!({"name": "Edge"})).await;
    assert_code(status, &body, StatusCode::UNAUTHORIZED, "step_up_required");
    // Adding or removing a way in waits for the step-up too.
    let (status, body) = admin.post_json("/api/v1/me/passkeys/registration", json!({})).await;
    assert_code(status, &body, StatusCode::UNAUTHORIZED, "step_up_required");
    let (_, list) = admin.get_json("/api/v1/me/passkeys").await;
    let first = format!("/api/v1/me/passkeys/{}", list["passkeys"][0]["id"].as_str().unwrap());
    let r = admin.delete(&first).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);

    let (status, body) = assert_with(&mut admin, &mut key, "step_up", 0).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = admin.post_json("/api/v1/gateway-keys", json!({"name": "Edge"})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(audit_total(&mut admin, "action=user.step_up").await, 1);

    // The last factor of a staff account stays; with a second one, the first may go.
    let refused = admin.delete(&first).await;
    assert_eq!(refused.status(), StatusCode::CONFLICT);
    let body: Value = refused.json().await.unwrap();
    assert!(body["error"]["message"].as_str().unwrap().contains("last second factor"), "{body}");
    add(&mut admin, &mut Authenticator::new(&app), "Spare key").await;
    assert_eq!(admin.delete(&first).await.status(), StatusCode::NO_CONTENT);
    let (status, body) = assert_with(&mut app.client(), &mut key, "sign_in", 0).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "a removed passkey signs nobody in: {body}");
}

#[tokio::test]
async fn replayed_late_and_misdirected_answers_are_refused() {
    let (app, clock) = spawn("staff").await;
    let mut dev = app.signed_in_user("dev@example.com", "Dev").await;
    let mut key = Authenticator::new(&app);
    add(&mut dev, &mut key, "Laptop").await;
    let mut carol = app.signed_in_user("carol@example.com", "Carol").await;
    let mut carols = Authenticator::new(&app);
    add(&mut carol, &mut carols, "Carol's").await;

    // An answer works once: not again in another ceremony, nor with none waiting.
    let mut client = app.client();
    let asked = options(&mut client, "sign_in").await;
    let answer = key.get(&asked, 0);
    let (status, body) = client.post_json("/api/v1/auth/passkey", json!({ "credential": answer })).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let mut thief = app.client();
    let (status, body) = thief.post_json("/api/v1/auth/passkey", json!({ "credential": answer })).await;
    assert_code(status, &body, StatusCode::CONFLICT, "conflict");
    options(&mut thief, "sign_in").await;
    let (status, body) = thief.post_json("/api/v1/auth/passkey", json!({ "credential": answer })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "replayed: {body}");

    // An answer to an earlier challenge does not answer the later one.
    let mut client = app.client();
    let earlier = options(&mut client, "sign_in").await;
    options(&mut client, "sign_in").await;
    let answer = key.get(&earlier, 0);
    let (status, body) = client.post_json("/api/v1/auth/passkey", json!({ "credential": answer })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "wrong challenge: {body}");

    // A discovered passkey naming another account than its own signs nobody in.
    let mut client = app.client();
    let asked = options(&mut client, "sign_in").await;
    let mut answer = key.get(&asked, 0);
    answer["response"]["userHandle"] = json!(carols.credentials[0].1);
    let (status, body) = client.post_json("/api/v1/auth/passkey", json!({ "credential": answer })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");

    // Carol cannot step up with the developer's passkey.
    let asked = options(&mut carol, "step_up").await;
    let answer = key.get(&asked, 0);
    let (status, body) = carol.post_json("/api/v1/auth/passkey", json!({ "credential": answer })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");

    // A ceremony waits five minutes.
    let mut client = app.client();
    let asked = options(&mut client, "sign_in").await;
    clock.advance(PAST_CEREMONY);
    let answer = key.get(&asked, 0);
    let (status, body) = client.post_json("/api/v1/auth/passkey", json!({ "credential": answer })).await;
    assert_code(status, &body, StatusCode::CONFLICT, "conflict");

    // A stranger's unknown credential is refused like the rest, and the refusals are on record.
    let mut stranger = Authenticator::new(&app);
    let mut other = app.signed_in_user("other@example.com", "Other").await;
    let (_, creation) = other.post_json("/api/v1/me/passkeys/registration", json!({})).await;
    stranger.create(&creation);
    let (status, body) = assert_with(&mut app.client(), &mut stranger, "sign_in", 0).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "never registered: {body}");
    let mut admin = app.signed_in_admin().await;
    add(&mut admin, &mut Authenticator::new(&app), "Admin key").await;
    assert!(audit_total(&mut admin, "action=user.passkey_failed").await >= 4);
}
