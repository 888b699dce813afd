//! The message thread cannot be used to mail people: messages need a submitted application,
//! reach the reviewers assigned to it (everyone who reviews while none is), and each person
//! gets at most one notification per thread every ten minutes.

use crate::common;

use common::fixtures::{ready_to_submit, reviewer};
use common::{Options, TestApp, json, read_mails};
use portcullis_service::clock::ManualClock;
use reqwest::StatusCode;
use std::time::Duration;

/// Notifications about the thread of `reference` that went to `to`.
fn notifications(app: &TestApp, to: &str, reference: &str) -> usize {
    let subject = format!("New message about application {reference}");
    read_mails(&app.mail_dir())
        .iter()
        .filter(|m| m.lines().any(|l| l.eq_ignore_ascii_case(&format!("To: {to}"))) && m.contains(&subject))
        .count()
}

/// Waits until the mail worker has written every queued message.
async fn outbox_sent(app: &TestApp, admin: &mut common::Client) {
    for _ in 0..200 {
        let (_, outbox) = admin.get_json("/api/v1/mail/outbox?status=pending").await;
        if outbox["total"] == 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("mail still pending in {}", app.base);
}

#[tokio::test]
async fn messages_need_a_submitted_application_and_notify_at_most_every_ten_minutes() {
    let clock = ManualClock::new(chrono::Utc::now());
    let app = TestApp::spawn_with(Options { clock: Some(clock.clone()), ..Default::default() }).await;
    let mut admin = app.signed_in_admin().await;
    let mut assigned = reviewer(&app, &mut admin, "assigned@example.com").await;
    reviewer(&app, &mut admin, "bystander@example.com").await;
    let mut dev = app.signed_in_user("dev@example.com", "Dev").await;
    let (_, id) = ready_to_submit(&mut dev).await;
    let thread = format!("/api/v1/applications/{id}/messages");

    let (status, body) = dev.post_json(&thread, json!({"body": "Hello?"})).await;
    assert_eq!(status, StatusCode::CONFLICT, "a draft has nobody to talk to: {body}");
    let (_, submitted) = dev.post_json(&format!("/api/v1/applications/{id}/submit"), json!({})).await;
    let reference = submitted["application"]["reference"].as_str().unwrap().to_owned();
    let (status, body) = assigned.post_json(&format!("/api/v1/applications/{id}/assign"), json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // Three messages in a row: the assigned reviewer is told once, the others not at all.
    for text in ["First question.", "Second question.", "Third question."] {
        let (status, body) = dev.post_json(&thread, json!({"body": text})).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    outbox_sent(&app, &mut admin).await;
    assert_eq!(notifications(&app, "assigned@example.com", &reference), 1);
    assert_eq!(notifications(&app, "bystander@example.com", &reference), 0, "not assigned");

    // Ten minutes later, the next message notifies again.
    clock.advance(Duration::from_secs(10 * 60 + 1));
    let mut dev = app.signed_in_user("dev2@example.com", "Dev 2").await;
    let (status, _) = dev.post_json(&thread, json!({"body": "Anyone?"})).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "somebody else's application");
    let mut owner = app.client();
    let login = json!({"email": "dev@example.com", "password": "correct horse battery staple"});
    assert_eq!(owner.post("/api/v1/auth/login", login).await.status(), StatusCode::OK);
    let (status, _) = owner.post_json(&thread, json!({"body": "Fourth question."})).await;
    assert_eq!(status, StatusCode::CREATED);
    let mut admin = app.signed_in_admin().await;
    outbox_sent(&app, &mut admin).await;
    assert_eq!(notifications(&app, "assigned@example.com", &reference), 2);
}
