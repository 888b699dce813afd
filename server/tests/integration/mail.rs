//! Mail delivery through a real SMTP server process, including an outage.

use crate::common;

use common::smtp::SmtpServer;
use common::{Options, TestApp, free_port, json};
use portcullis_service::entity::mail_outbox;
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use std::time::Duration;

async fn wait_until<F: Future<Output = bool>>(mut check: impl FnMut() -> F, what: &str) {
    for _ in 0..150 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("timed out waiting for {what}");
}

#[tokio::test]
async fn mail_arrives_over_smtp() {
    let maildir = tempfile::TempDir::new().unwrap();
    let port = free_port();
    let smtp = SmtpServer::start(port, maildir.path()).await;
    let app = TestApp::spawn_with(Options {
        env: vec![("SMTP_URL", format!("smtp://127.0.0.1:{port}"))],
        ..Default::default()
    })
    .await;

    let (status, _) = app
        .client()
        .post_json(
            "/api/v1/auth/register",
            json!({"email": "m@example.com", "password": "correct horse battery", "name": "M"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    wait_until(|| async { !smtp.received().is_empty() }, "the SMTP server to receive the mail").await;
    let mail = &smtp.received()[0];
    assert!(mail.contains("To: m@example.com"));
    assert!(mail.contains("Subject: Confirm your email address"));
    assert!(mail.contains("/verify-email?token="));
    assert!(common::read_mails(&app.mail_dir()).is_empty(), "no .eml files when SMTP is configured");
    let sent = mail_outbox::Entity::find()
        .filter(mail_outbox::Column::Status.eq("sent"))
        .all(app.services.db())
        .await
        .unwrap();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].attempts, 1);
}

#[tokio::test]
async fn mail_waits_in_the_outbox_while_the_server_is_down() {
    let maildir = tempfile::TempDir::new().unwrap();
    let port = free_port();
    let app = TestApp::spawn_with(Options {
        env: vec![("SMTP_URL", format!("smtp://127.0.0.1:{port}"))],
        ..Default::default()
    })
    .await;
    let db = app.services.db().clone();

    // No SMTP server yet: the registration still succeeds and the message waits.
    let (status, _) = app
        .client()
        .post_json(
            "/api/v1/auth/register",
            json!({"email": "w@example.com", "password": "correct horse battery", "name": "W"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    wait_until(
        || async {
            let rows = mail_outbox::Entity::find().all(&db).await.unwrap();
            rows.len() == 1 && rows[0].attempts >= 2 && rows[0].status == "pending" && rows[0].last_error.is_some()
        },
        "failed attempts to be recorded",
    )
    .await;

    let smtp = SmtpServer::start(port, maildir.path()).await;
    wait_until(|| async { !smtp.received().is_empty() }, "delivery after the server came back").await;
    // The worker marks the row once the server has accepted the message.
    wait_until(
        || async { mail_outbox::Entity::find().all(&db).await.unwrap()[0].status == "sent" },
        "the message to be marked sent",
    )
    .await;
    // Delivered exactly once, even though the worker kept polling.
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(smtp.received().len(), 1);
}

/// Messages claimed together when the server is down are each tried on their own schedule:
/// the ones after the first failure are not held for the claim's two-minute lease.
#[tokio::test]
async fn a_failure_does_not_hold_the_rest_of_the_batch() {
    let port = free_port();
    let app = TestApp::spawn_with(Options {
        env: vec![("SMTP_URL", format!("smtp://127.0.0.1:{port}"))],
        ..Default::default()
    })
    .await;
    let txn = portcullis_service::db::begin_write(app.services.db()).await.unwrap();
    for n in 0..3 {
        let mail = portcullis_service::mail::OutgoingMail {
            to: format!("batch{n}@example.com"),
            subject: "x".into(),
            text: "x".into(),
            html: "x".into(),
        };
        portcullis_service::mail::enqueue(&txn, app.services.clock(), mail).await.unwrap();
    }
    txn.commit().await.unwrap();
    app.services.wake_mail_worker();
    let db = app.services.db().clone();
    wait_until(
        || async { mail_outbox::Entity::find().all(&db).await.unwrap().iter().all(|m| m.attempts >= 1) },
        "every message of the batch to be tried",
    )
    .await;
}

#[tokio::test]
async fn permanent_failures_are_parked_for_an_admin() {
    let app = TestApp::spawn().await;
    let mut admin = app.signed_in_admin().await;
    // An address lettre cannot even parse never becomes deliverable.
    let txn = portcullis_service::db::begin_write(app.services.db()).await.unwrap();
    portcullis_service::mail::enqueue(
        &txn,
        app.services.clock(),
        portcullis_service::mail::OutgoingMail {
            to: "not an address".into(),
            subject: "x".into(),
            text: "x".into(),
            html: "x".into(),
        },
    )
    .await
    .unwrap();
    txn.commit().await.unwrap();
    app.services.wake_mail_worker();
    let db = app.services.db().clone();
    wait_until(
        || async {
            mail_outbox::Entity::find().filter(mail_outbox::Column::Status.eq("failed")).all(&db).await.unwrap().len()
                == 1
        },
        "the message to be parked",
    )
    .await;
    let (status, page) = admin.get_json("/api/v1/mail/outbox?status=failed").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page["total"], 1);
    assert!(page["items"][0]["last_error"].as_str().unwrap().starts_with("permanent"));
}

#[tokio::test]
async fn one_time_links_leave_the_outbox_once_the_message_is_sent() {
    let app = TestApp::spawn().await;
    let mut client = app.client();
    let registration = json!({"email": "link@example.com", "password": "correct horse battery staple", "name": "L"});
    assert_eq!(client.post("/api/v1/auth/register", registration).await.status(), StatusCode::CREATED);
    // The file transport keeps the whole message: the link is in the recipient's copy.
    let eml = app.wait_for_mail("link@example.com", "/verify-email?token=").await;
    let token = common::link_token(&eml, "/verify-email");
    let row = || async {
        mail_outbox::Entity::find()
            .filter(mail_outbox::Column::ToAddr.eq("link@example.com"))
            .one(app.services.db())
            .await
            .unwrap()
            .unwrap()
    };
    wait_until(|| async { row().await.status == "sent" }, "the message to be marked sent").await;
    let sent = row().await;
    for body in [&sent.text_body, &sent.html_body] {
        assert!(!body.contains(&token), "the token stays in the outbox: {body}");
        assert!(body.contains("/verify-email?token=(removed once sent)"), "{body}");
    }
}
