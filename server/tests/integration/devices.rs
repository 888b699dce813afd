//! Where an account is signed in: the list of its sessions, ending another one, and the mail
//! when it signs in from a new device.

use crate::common;

use common::{Client, TestApp, json, read_mails};
use reqwest::StatusCode;
use reqwest::header::{HeaderValue, USER_AGENT};

const PASSWORD: &str = "correct horse battery staple";
const FIREFOX: &str = "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:131.0) Gecko/20100101 Firefox/131.0";
const IPHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1";

/// A browser of its own (its own device cookie), saying it is `agent`.
fn browser(app: &TestApp, agent: &'static str) -> Client {
    let mut client = app.client();
    client.headers.insert(USER_AGENT, HeaderValue::from_static(agent));
    client
}

async fn sign_in(client: &mut Client, email: &str) {
    let (status, body) = client.post_json("/api/v1/auth/login", json!({"email": email, "password": PASSWORD})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

fn new_sign_in_mails(app: &TestApp, email: &str) -> Vec<String> {
    read_mails(&app.mail_dir())
        .into_iter()
        .filter(|m| m.contains(&format!("To: {email}")) && m.contains("New sign-in to your Portcullis account"))
        .collect()
}

#[tokio::test]
async fn a_person_sees_where_they_are_signed_in_and_ends_another_session() {
    let app = TestApp::spawn().await;
    let mut laptop = app.signed_in_user("dev@example.com", "Dev").await;
    laptop.headers.insert(USER_AGENT, HeaderValue::from_static(FIREFOX));
    let mut phone = browser(&app, IPHONE);
    sign_in(&mut phone, "dev@example.com").await;

    let (status, list) = laptop.get_json("/api/v1/me/sessions").await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let sessions = list["sessions"].as_array().unwrap();
    assert_eq!(sessions.len(), 2, "{list}");
    assert_eq!(sessions[0]["current"], true, "the asking session comes first: {list}");
    assert_eq!(sessions[1]["current"], false);
    assert_eq!(sessions[1]["device"], "Safari on iPhone");
    assert_eq!(sessions[1]["address"], "127.0.0.1");
    assert!(sessions[1]["signed_in_at"].as_str().unwrap().ends_with('Z'), "{list}");
    let phone_id = sessions[1]["id"].as_str().unwrap().to_owned();
    let laptop_id = sessions[0]["id"].as_str().unwrap().to_owned();
    // The id names the sign-in, never the cookie that carries it.
    assert!(!phone.cookie.as_deref().unwrap().contains(&phone_id));

    let r = laptop.delete(&format!("/api/v1/me/sessions/{laptop_id}")).await;
    assert_eq!(r.status(), StatusCode::CONFLICT, "the current session signs out instead");
    let r = laptop.delete("/api/v1/me/sessions/no-such-session").await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);

    // Someone else cannot end it, even knowing its id.
    let mut other = app.signed_in_user("other@example.com", "Other").await;
    let r = other.delete(&format!("/api/v1/me/sessions/{phone_id}")).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(phone.get("/api/v1/me").await.status(), StatusCode::OK);

    let r = laptop.delete(&format!("/api/v1/me/sessions/{phone_id}")).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(phone.get("/api/v1/me").await.status(), StatusCode::UNAUTHORIZED, "the phone's cookie stopped working");
    let (_, list) = laptop.get_json("/api/v1/me/sessions").await;
    assert_eq!(list["sessions"].as_array().unwrap().len(), 1, "{list}");

    let mut admin = app.signed_in_admin().await;
    let (_, audit) = admin.get_json("/api/v1/audit?action=user.session_ended").await;
    assert_eq!(audit["total"], 1, "{audit}");
    assert!(audit.to_string().contains("Safari on iPhone"), "{audit}");
}

#[tokio::test]
async fn ending_every_other_session_keeps_only_the_asking_one() {
    let app = TestApp::spawn().await;
    let mut here = app.signed_in_user("dev@example.com", "Dev").await;
    let mut elsewhere = Vec::new();
    for _ in 0..3 {
        let mut client = browser(&app, FIREFOX);
        sign_in(&mut client, "dev@example.com").await;
        elsewhere.push(client);
    }
    let (status, ended) = here.post_json("/api/v1/me/sessions/end-others", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{ended}");
    assert_eq!(ended["ended"], 3);
    for client in &mut elsewhere {
        assert_eq!(client.get("/api/v1/me").await.status(), StatusCode::UNAUTHORIZED);
    }
    assert_eq!(here.get("/api/v1/me").await.status(), StatusCode::OK);
    let (_, list) = here.get_json("/api/v1/me/sessions").await;
    assert_eq!(list["sessions"].as_array().unwrap().len(), 1, "{list}");
    // Signed out, there is nothing to list.
    assert_eq!(app.client().get("/api/v1/me/sessions").await.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_sign_in_from_a_new_device_is_mailed_once_and_a_known_one_never() {
    let app = TestApp::spawn().await;
    // Registering and signing in from the first device: nothing to compare with, no mail.
    let mut laptop = app.signed_in_user("dev@example.com", "Dev").await;
    assert!(laptop.device.is_some(), "signing in gives the browser its device cookie");
    let r = laptop.post("/api/v1/auth/logout", json!({})).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    sign_in(&mut laptop, "dev@example.com").await;
    assert!(new_sign_in_mails(&app, "dev@example.com").is_empty(), "the same browser again is not news");

    let mut phone = browser(&app, IPHONE);
    sign_in(&mut phone, "dev@example.com").await;
    let mail = app.wait_for_mail("dev@example.com", "New sign-in to your Portcullis account").await;
    assert!(mail.contains("Safari on iPhone"), "{mail}");
    assert!(mail.contains("127.0.0.1"), "{mail}");
    assert!(mail.contains("/account/security"), "{mail}");

    // The phone is known now.
    let r = phone.post("/api/v1/auth/logout", json!({})).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    sign_in(&mut phone, "dev@example.com").await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(new_sign_in_mails(&app, "dev@example.com").len(), 1);

    // A forged or foreign device cookie is not a known device.
    let mut forged = browser(&app, FIREFOX);
    forged.device = Some("portcullis_device=not-a-device".into());
    sign_in(&mut forged, "dev@example.com").await;
    for _ in 0..50 {
        if new_sign_in_mails(&app, "dev@example.com").len() == 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(new_sign_in_mails(&app, "dev@example.com").len(), 2);

    let mut admin = app.signed_in_admin().await;
    let (_, audit) = admin.get_json("/api/v1/audit?action=user.new_device").await;
    assert_eq!(audit["total"], 2, "{audit}");
}

#[tokio::test]
async fn an_account_remembers_a_bounded_number_of_devices() {
    use portcullis_domain::device::MAX_KNOWN_DEVICES;
    use portcullis_service::entity::known_device;
    use sea_orm::{EntityTrait, PaginatorTrait};

    let app = TestApp::spawn().await;
    app.signed_in_user("dev@example.com", "Dev").await;
    for _ in 0..MAX_KNOWN_DEVICES + 2 {
        sign_in(&mut browser(&app, FIREFOX), "dev@example.com").await;
    }
    let remembered = known_device::Entity::find().count(app.services.db()).await.unwrap();
    assert_eq!(remembered, MAX_KNOWN_DEVICES);
}
