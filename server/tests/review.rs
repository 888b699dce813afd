//! Review operations through the JSON API: who may, in which state, and one decision per
//! revision even under a race.

mod common;

use common::fixtures::ready_to_submit;
use common::{Client, TestApp, json};
use reqwest::StatusCode;

async fn reviewer(app: &TestApp, admin: &mut Client, email: &str) -> Client {
    let client = app.signed_in_user(email, "Reviewer").await;
    let (_, users) = admin.get_json(&format!("/api/v1/users?q={email}")).await;
    let id = users["items"][0]["id"].as_str().unwrap().to_owned();
    admin.put_json(&format!("/api/v1/users/{id}/roles"), json!({"roles": ["reviewer"]})).await;
    client
}

async fn submitted(app: &TestApp) -> (Client, String) {
    let mut dev = app.signed_in_user("dev@example.com", "Dev").await;
    let (_, id) = ready_to_submit(&mut dev).await;
    let (status, _) = dev.post_json(&format!("/api/v1/applications/{id}/submit"), json!({})).await;
    assert_eq!(status, StatusCode::OK);
    (dev, id)
}

#[tokio::test]
async fn developers_cannot_review_and_nobody_reviews_their_own_organisation() {
    let app = TestApp::spawn().await;
    let (mut dev, id) = submitted(&app).await;
    let (status, _) = dev.post_json(&format!("/api/v1/applications/{id}/assign"), json!({})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = dev
        .post_json(&format!("/api/v1/applications/{id}/decision"), json!({"decision": "reject", "message": "no"}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // The developer becomes a reviewer: still not for their own organisation's application.
    let mut admin = app.signed_in_admin().await;
    let (_, users) = admin.get_json("/api/v1/users?q=dev@").await;
    let dev_id = users["items"][0]["id"].as_str().unwrap().to_owned();
    admin.put_json(&format!("/api/v1/users/{dev_id}/roles"), json!({"roles": ["reviewer"]})).await;
    let (status, body) = dev.post_json(&format!("/api/v1/applications/{id}/assign"), json!({})).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("organisation you belong to"));
    let (status, _) =
        admin.post_json(&format!("/api/v1/applications/{id}/assign"), json!({"reviewer_id": dev_id})).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "admins cannot assign it to them either");
}

#[tokio::test]
async fn changes_requested_reach_the_applicant_who_resubmits() {
    let app = TestApp::spawn().await;
    let (mut dev, id) = submitted(&app).await;
    let mut admin = app.signed_in_admin().await;
    let mut rev = reviewer(&app, &mut admin, "rev@example.com").await;
    let path = format!("/api/v1/applications/{id}");

    let (status, _) = rev
        .post_json(&format!("{path}/decision"), json!({"decision": "request_changes", "message": "Show revoking."}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "not in review yet");
    let (status, body) = rev.post_json(&format!("{path}/assign"), json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["application"]["status"], "in_review");

    let (status, body) = rev.post_json(&format!("{path}/decision"), json!({"decision": "request_changes"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "a message is required: {body}");
    let (status, body) = rev
        .post_json(
            &format!("{path}/decision"),
            json!({"decision": "request_changes", "message": "Add a mockup of revoking access."}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["application"]["status"], "changes_requested");
    app.wait_for_mail("dev@example.com", "Changes requested").await;

    let (_, timeline) = dev.get_json(&format!("{path}/timeline")).await;
    let last = timeline["timeline"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["kind"], "changes_requested");
    assert_eq!(last["message"], "Add a mockup of revoking access.");

    let (status, _) =
        dev.upload(&format!("{path}/mockups"), Some("Revoke access"), "r.png", common::fixtures::png(20, 20)).await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, body) = dev.post_json(&format!("{path}/submit"), json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["application"]["revision"], 2);
    let (_, diff) = dev.get_json(&format!("{path}/revisions/compare?from=1&to=2")).await;
    assert_eq!(diff["changes"][0]["field"], "mockups");
}

#[tokio::test]
async fn approval_needs_the_checklists_and_only_requested_scopes() {
    let app = TestApp::spawn().await;
    let (_, id) = submitted(&app).await;
    let mut admin = app.signed_in_admin().await;
    let mut rev = reviewer(&app, &mut admin, "rev@example.com").await;
    let path = format!("/api/v1/applications/{id}");
    rev.post_json(&format!("{path}/assign"), json!({})).await;
    let (status, body) = rev
        .post_json(
            &format!("{path}/decision"),
            json!({"decision": "approve", "granted_scopes": ["portability.all.ongoing"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(body["error"]["message"].as_str().unwrap().contains("not requested"), "{body}");
    let (status, body) = rev
        .post_json(
            &format!("{path}/decision"),
            json!({"decision": "approve", "granted_scopes": ["portability.posts.single"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(body["error"]["message"].as_str().unwrap().contains("checklist"), "{body}");
    let (_, body) = rev.get_json(&path).await;
    assert_eq!(body["application"]["status"], "in_review", "nothing was decided");
}

#[tokio::test]
async fn two_reviewers_deciding_at_once_produce_exactly_one_decision() {
    let app = TestApp::spawn().await;
    let (_, id) = submitted(&app).await;
    let mut admin = app.signed_in_admin().await;
    let mut first = reviewer(&app, &mut admin, "one@example.com").await;
    let mut second = reviewer(&app, &mut admin, "two@example.com").await;
    let path = format!("/api/v1/applications/{id}");
    first.post_json(&format!("{path}/assign"), json!({})).await;
    second.post_json(&format!("{path}/assign"), json!({})).await;
    let body = json!({"decision": "reject", "message": "Out of scope."});
    let changes = json!({"decision": "request_changes", "message": "More detail."});
    let decision = format!("{path}/decision");
    let (a, b) = tokio::join!(first.post_json(&decision, body), second.post_json(&decision, changes));
    let statuses = [a.0, b.0];
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::OK).count(), 1, "{a:?} {b:?}");
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::CONFLICT).count(), 1, "{a:?} {b:?}");
    let (_, audit) = admin.get_json(&format!("/api/v1/audit?action=application.decided&object_id={id}")).await;
    assert_eq!(audit["total"], 1);
}
