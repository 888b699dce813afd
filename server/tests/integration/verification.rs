//! Whatever mails other people or reaches reviewers needs a verified email address, so nobody
//! can make the portal write to an address that is not theirs; a new link can be asked for.

use crate::common;

use common::fixtures::org_input;
use common::{Options, TestApp, json, link_token};
use reqwest::StatusCode;

const PASSWORD: &str = "correct horse battery staple";

#[tokio::test]
async fn an_unverified_address_can_sign_in_but_not_act_until_verified() {
    let app = TestApp::spawn_with(Options {
        env: vec![("PORTCULLIS_LIMIT_VERIFY_RESEND_PER_HOUR", "1".into())],
        ..Default::default()
    })
    .await;
    let mut owner = app.signed_in_user("owner@example.com", "Owner").await;
    let (_, org) = owner.post_json("/api/v1/orgs", org_input()).await;
    let org_id = org["org"]["id"].as_str().unwrap().to_owned();
    owner.post_json(&format!("/api/v1/orgs/{org_id}/members"), json!({"email": "new@example.com"})).await;
    let invitation =
        link_token(&app.wait_for_mail("new@example.com", "invitations/accept").await, "invitations/accept");

    let mut newcomer = app.client();
    let registration = json!({"email": "new@example.com", "password": PASSWORD, "name": "New"});
    assert_eq!(newcomer.post("/api/v1/auth/register", registration).await.status(), StatusCode::CREATED);
    let first_link = app.wait_for_mail("new@example.com", "/verify-email?token=").await;
    let login = json!({"email": "new@example.com", "password": PASSWORD});
    assert_eq!(newcomer.post("/api/v1/auth/login", login).await.status(), StatusCode::OK);

    // Signed in, but nothing that reaches others yet.
    let (status, body) = newcomer.post_json("/api/v1/orgs", org_input()).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(body["error"]["message"].as_str().unwrap().starts_with("Verify your email address first"), "{body}");
    let (status, _) = newcomer.post_json("/api/v1/invitations/accept", json!({"token": invitation})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // A new link, at most once an hour here; the new one verifies.
    assert_eq!(newcomer.post("/api/v1/auth/verify-email/resend", json!({})).await.status(), StatusCode::ACCEPTED);
    let (status, body) = newcomer.post_json("/api/v1/auth/verify-email/resend", json!({})).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    // The new link is written by the mail worker: wait for it.
    let mut links: Vec<String> = Vec::new();
    for _ in 0..100 {
        links = common::read_mails(&app.mail_dir())
            .into_iter()
            .filter(|m| m.contains("To: new@example.com") && m.contains("/verify-email?token="))
            .collect();
        if links.len() == 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(links.len(), 2, "the first mail and the new one");
    let second = links.iter().find(|m| **m != first_link).unwrap();
    let token = link_token(second, "/verify-email");
    assert_eq!(
        newcomer.post("/api/v1/auth/verify-email", json!({"token": token})).await.status(),
        StatusCode::NO_CONTENT
    );

    let (status, body) = newcomer.post_json("/api/v1/invitations/accept", json!({"token": invitation})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = newcomer.post_json("/api/v1/orgs", org_input()).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = newcomer.post_json("/api/v1/auth/verify-email/resend", json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT, "verified already: {body}");
}
