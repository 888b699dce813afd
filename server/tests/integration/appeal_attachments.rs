//! Files attached to a pending appeal: who may attach them and when, the limits they share
//! with mockups, who may read them, and their audit records.

use crate::appeals::{Rejected, appeal, audit_actions, decide_appeal, rejected};
use crate::common;
use crate::mockups::{noise_png, stored_files};

use common::fixtures::{pdf, png, reviewer};
use common::{Client, Options, TestApp, json, link_token};
use reqwest::StatusCode;
use reqwest::header::{CONTENT_DISPOSITION, CONTENT_SECURITY_POLICY, CONTENT_TYPE, X_CONTENT_TYPE_OPTIONS};
use serde_json::Value;
use sha2::Digest;

fn attachments(path: &str) -> String {
    format!("{path}/appeal/attachments")
}

/// A member (not an owner) of the organisation of the application at `path`, invited by `dev`.
async fn member(app: &TestApp, dev: &mut Client, path: &str) -> Client {
    let (_, application) = dev.get_json(path).await;
    let org_id = application["application"]["org_id"].as_str().unwrap().to_owned();
    let (status, _) =
        dev.post_json(&format!("/api/v1/orgs/{org_id}/members"), json!({"email": "mate@example.com"})).await;
    assert_eq!(status, StatusCode::CREATED);
    let token = link_token(&app.wait_for_mail("mate@example.com", "invitations/accept").await, "invitations/accept");
    let mut mate = app.signed_in_user("mate@example.com", "Mate").await;
    let (status, _) = mate.post_json("/api/v1/invitations/accept", json!({"token": token})).await;
    assert_eq!(status, StatusCode::OK);
    mate
}

/// An auditor, made by `admin`, signed in.
async fn auditor(app: &TestApp, admin: &mut Client) -> Client {
    let client = app.signed_in_user("auditor@regulator.example", "Ada Auditor").await;
    let (_, users) = admin.get_json("/api/v1/users?q=auditor@regulator.example").await;
    let user_id = users["items"][0]["id"].as_str().unwrap().to_owned();
    let (status, body) = admin.put_json(&format!("/api/v1/users/{user_id}/roles"), json!({"roles": ["auditor"]})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    client
}

fn sha256(bytes: &[u8]) -> String {
    hex::encode(sha2::Sha256::digest(bytes))
}

#[tokio::test]
async fn an_owner_attaches_files_to_the_pending_appeal_and_those_entitled_read_them() {
    let app = TestApp::spawn().await;
    let Rejected { mut dev, mut admin, mut rejecter, path } = rejected(&app).await;
    let mut eligible = reviewer(&app, &mut admin, "eligible@example.com").await;
    let (status, body) = appeal(&mut dev, &path).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["application"]["can_attach_to_appeal"], true, "{body}");
    assert_eq!(body["application"]["appeal"]["attachments"], json!([]));

    // A PNG and a PDF, each judged by content and recorded with its digest.
    let image = png(64, 48);
    let (status, body) =
        dev.upload(&attachments(&path), Some("Corrected consent screen"), "c.png", image.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let image_id = body["id"].as_str().unwrap().to_owned();
    assert_eq!(
        (&body["content_type"], &body["size"], &body["sha256"]),
        (&json!("image/png"), &json!(image.len()), &json!(sha256(&image)))
    );
    let document = pdf();
    let (status, body) = dev.upload(&attachments(&path), Some("Retention policy"), "p.pdf", document.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let pdf_id = body["id"].as_str().unwrap().to_owned();

    let (_, seen) = eligible.get_json(&path).await;
    let listed = seen["application"]["appeal"]["attachments"].as_array().unwrap().clone();
    let labels: Vec<&str> = listed.iter().map(|a| a["label"].as_str().unwrap()).collect();
    assert_eq!(labels, ["Corrected consent screen", "Retention policy"]);
    assert_eq!(seen["application"]["can_attach_to_appeal"], false, "reviewers do not attach");

    // Each upload is on the record, with what was stored.
    let added = audit_actions(&app, "application.appeal_attachment_added").await;
    assert_eq!(added.len(), 2);
    let of = |id: &str| added.iter().find(|d| d["attachment_id"] == id).unwrap_or_else(|| panic!("{id}: {added:?}"));
    assert_eq!(
        (&of(&image_id)["sha256"], &of(&image_id)["size"], &of(&image_id)["content_type"]),
        (&json!(sha256(&image)), &json!(image.len()), &json!("image/png"))
    );
    assert_eq!(
        (&of(&pdf_id)["sha256"], &of(&pdf_id)["content_type"]),
        (&json!(sha256(&document)), &json!("application/pdf"))
    );

    // And on the application's timeline, under the appeal, each with who added it.
    let (_, timeline) = eligible.get_json(&format!("{path}/timeline")).await;
    let entries = timeline["timeline"].as_array().unwrap();
    let kinds: Vec<&str> = entries.iter().rev().take(3).rev().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["appealed", "appeal_attachment_added", "appeal_attachment_added"]);
    let added: Vec<(&Value, &Value)> =
        entries[entries.len() - 2..].iter().map(|e| (&e["message"], &e["actor_name"])).collect();
    assert_eq!(
        added,
        [(&json!("Corrected consent screen"), &json!("Dev")), (&json!("Retention policy"), &json!("Dev"))]
    );

    // Served as mockups are: a safe name, nosniff, a sandbox; a PDF never inline.
    let file = format!("{}/{image_id}", attachments(&path));
    let response = eligible.get(&file).await;
    assert_eq!(response.status(), StatusCode::OK);
    let headers = response.headers().clone();
    assert_eq!(headers[CONTENT_TYPE], "image/png");
    assert_eq!(headers[CONTENT_DISPOSITION], "attachment; filename=\"Corrected-consent-screen.png\"");
    assert_eq!(headers[X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert_eq!(headers[CONTENT_SECURITY_POLICY], "sandbox; default-src 'none'");
    assert_eq!(response.bytes().await.unwrap().to_vec(), image);
    let response = eligible.get(&format!("{file}?view=1")).await;
    assert!(response.headers()[CONTENT_DISPOSITION].to_str().unwrap().starts_with("inline;"));
    let response = eligible.get(&format!("{file}/thumbnail")).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[CONTENT_TYPE], "image/jpeg");
    let pdf_file = format!("{}/{pdf_id}", attachments(&path));
    let response = dev.get(&format!("{pdf_file}?view=1")).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[CONTENT_TYPE], "application/pdf");
    assert!(response.headers()[CONTENT_DISPOSITION].to_str().unwrap().starts_with("attachment;"));
    assert_eq!(response.bytes().await.unwrap().to_vec(), document);
    assert_eq!(dev.get(&format!("{pdf_file}/thumbnail")).await.status(), StatusCode::NOT_FOUND);

    // The organisation's members, staff and auditors read them; an auditor's reading is on the
    // record. Anyone else finds nothing, and an id from another application is not found.
    let mut mate = member(&app, &mut dev, &path).await;
    let mut audit = auditor(&app, &mut admin).await;
    for reader in [&mut mate, &mut rejecter, &mut admin, &mut audit] {
        assert_eq!(reader.get(&file).await.status(), StatusCode::OK);
    }
    let viewed = audit_actions(&app, "auditor.viewed").await;
    assert!(viewed.iter().any(|d| d["what"] == "appeal attachment"), "{viewed:?}");
    let mut outsider = app.signed_in_user("outsider@example.com", "Outsider").await;
    assert_eq!(outsider.get(&file).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(outsider.get(&format!("{file}/thumbnail")).await.status(), StatusCode::NOT_FOUND);
    let (_, other) = common::fixtures::submitted_as(&app, "second@example.com").await;
    let elsewhere = format!("/api/v1/applications/{other}/appeal/attachments/{image_id}");
    assert_eq!(admin.get(&elsewhere).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(eligible.get(&format!("{}/unknown", attachments(&path))).await.status(), StatusCode::NOT_FOUND);

    // Once decided, they are frozen, and still readable.
    let (status, _) = decide_appeal(&mut eligible, &path, "upheld").await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = dev.upload(&attachments(&path), Some("Too late"), "l.png", png(8, 8)).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "appeal_decided");
    let (_, seen) = dev.get_json(&path).await;
    assert_eq!(seen["application"]["appeal"]["attachments"].as_array().unwrap().len(), 2);
    assert_eq!(seen["application"]["can_attach_to_appeal"], false);
    assert_eq!(dev.get(&file).await.status(), StatusCode::OK);
    assert_eq!(audit_actions(&app, "application.appeal_attachment_added").await.len(), 2);
}

#[tokio::test]
async fn only_the_owners_attach_and_only_while_an_appeal_is_pending() {
    let app = TestApp::spawn().await;
    let Rejected { mut dev, mut admin, mut rejecter, path } = rejected(&app).await;
    let mut mate = member(&app, &mut dev, &path).await;
    let mut audit = auditor(&app, &mut admin).await;
    let mut outsider = app.signed_in_user("outsider@example.com", "Outsider").await;
    let stored = stored_files(&app).len();

    // Nothing to attach to before the appeal is filed.
    let (status, body) = dev.upload(&attachments(&path), Some("Early"), "e.png", png(8, 8)).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "no_pending_appeal");

    let (status, _) = appeal(&mut dev, &path).await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, seen) = mate.get_json(&path).await;
    assert_eq!(seen["application"]["can_attach_to_appeal"], false);
    let (status, body) = mate.upload(&attachments(&path), Some("Mine"), "m.png", png(8, 8)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"]["message"], "Only owners of the organisation can add files to its appeal.");
    for staff in [&mut admin, &mut rejecter, &mut audit] {
        let (status, body) = staff.upload(&attachments(&path), Some("Staff"), "s.png", png(8, 8)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    }
    let (status, _) = outsider.upload(&attachments(&path), Some("Theirs"), "o.png", png(8, 8)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    assert!(audit_actions(&app, "application.appeal_attachment_added").await.is_empty());
    assert_eq!(stored_files(&app).len(), stored, "nothing refused was stored");
}

#[tokio::test]
async fn an_appeal_carries_five_files_of_the_accepted_types_and_sizes() {
    let app = TestApp::spawn().await;
    let Rejected { mut dev, path, .. } = rejected(&app).await;
    let (status, _) = appeal(&mut dev, &path).await;
    assert_eq!(status, StatusCode::CREATED);

    // The type is judged by content; the message names what is accepted.
    let (status, body) = dev.upload(&attachments(&path), Some("Notes"), "n.png", b"just some text".to_vec()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let message = body["error"]["fields"]["file"][0].as_str().unwrap();
    assert!(message.contains("PNG, JPEG, WebP or PDF"), "{message}");
    let (status, body) = dev.upload(&attachments(&path), Some("   "), "n.png", png(8, 8)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["error"]["fields"]["label"].is_array(), "{body}");

    // The mockups' size limit, refused while streaming.
    let mut big = png(16, 16);
    big.resize(20 * 1024 * 1024 + 1, 0);
    let (status, body) = dev.upload(&attachments(&path), Some("Too big"), "big.png", big).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("at most 20 MB"), "{body}");

    for n in 0..5 {
        let (status, body) = dev.upload(&attachments(&path), Some(&format!("Screen {n}")), "s.png", png(4, 4)).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let (_, seen) = dev.get_json(&path).await;
    assert_eq!(seen["application"]["can_attach_to_appeal"], false, "full");
    let (status, body) = dev.upload(&attachments(&path), Some("One too many"), "s.png", png(4, 4)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert_eq!(body["error"]["message"], "An appeal can carry at most 5 files.");
    assert_eq!(audit_actions(&app, "application.appeal_attachment_added").await.len(), 5);
}

#[tokio::test]
async fn appeal_files_and_mockups_share_the_organisation_s_quota() {
    let app = TestApp::spawn_with(Options {
        env: vec![("PORTCULLIS_ORG_UPLOAD_QUOTA_MB", "1".into())],
        ..Default::default()
    })
    .await;
    let Rejected { mut dev, path, .. } = rejected(&app).await;
    let (status, _) = appeal(&mut dev, &path).await;
    assert_eq!(status, StatusCode::CREATED);
    let file = noise_png(360);
    assert!(file.len() > 300 << 10 && file.len() < 512 << 10, "{}", file.len());

    // Two files on the appeal, then a mockup of a new draft of the same organisation no
    // longer fits; and the other way round.
    let (status, body) = dev.upload(&attachments(&path), Some("One"), "1.png", file.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (_, application) = dev.get_json(&path).await;
    let org_id = application["application"]["org_id"].as_str().unwrap().to_owned();
    let (status, body) = dev.post_json("/api/v1/applications", json!({"org_id": org_id, "name": "Zoë Import"})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let mockups = format!("/api/v1/applications/{}/mockups", body["application"]["id"].as_str().unwrap());
    let (status, body) = dev.upload(&mockups, Some("Two"), "2.png", file.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    for (target, label) in [(attachments(&path), "Three"), (mockups.clone(), "Three")] {
        let (status, body) = dev.upload(&target, Some(label), "3.png", file.clone()).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{target}: {body}");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(message.contains("organisation") && message.contains("at most 1 MB"), "{message}");
    }
    let (_, seen) = dev.get_json(&path).await;
    assert_eq!(seen["application"]["appeal"]["attachments"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn the_sweep_of_orphaned_uploads_keeps_the_appeal_s_files() {
    let app = TestApp::spawn_with(Options {
        env: vec![("PORTCULLIS_UPLOAD_ORPHAN_GRACE_SECS", "0".into())],
        ..Default::default()
    })
    .await;
    let Rejected { mut dev, path, .. } = rejected(&app).await;
    let (status, _) = appeal(&mut dev, &path).await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, body) = dev.upload(&attachments(&path), Some("Kept"), "k.png", png(32, 32)).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let mut stored = stored_files(&app);
    stored.sort();

    let removed = portcullis_service::applications::mockups::remove_orphaned_files(&app.services).await.unwrap();
    assert_eq!(removed, 0);
    let mut after = stored_files(&app);
    after.sort();
    assert_eq!(after, stored, "the file and its preview stay");
    let file = format!("{}/{}", attachments(&path), body["id"].as_str().unwrap());
    assert_eq!(dev.get(&file).await.status(), StatusCode::OK);
    assert_eq!(dev.get(&format!("{file}/thumbnail")).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn two_uploads_for_the_last_place_on_an_appeal_store_one() {
    let app = TestApp::spawn().await;
    let Rejected { mut dev, path, .. } = rejected(&app).await;
    let (status, _) = appeal(&mut dev, &path).await;
    assert_eq!(status, StatusCode::CREATED);
    for n in 0..4 {
        let (status, body) = dev.upload(&attachments(&path), Some(&format!("Screen {n}")), "s.png", png(4, 4)).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let stored = stored_files(&app).len();

    let (mut first, mut second) = (dev.clone(), dev.clone());
    let target = attachments(&path);
    let (a, b) = tokio::join!(
        first.upload(&target, Some("Last A"), "a.png", png(6, 6)),
        second.upload(&target, Some("Last B"), "b.png", png(7, 7)),
    );
    let mut statuses = [a.0, b.0];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::CREATED, StatusCode::PAYLOAD_TOO_LARGE], "{a:?} {b:?}");
    let (_, seen) = dev.get_json(&path).await;
    assert_eq!(seen["application"]["appeal"]["attachments"].as_array().unwrap().len(), 5);
    assert_eq!(stored_files(&app).len(), stored + 2, "the winner's file and preview; nothing of the other");
    assert_eq!(audit_actions(&app, "application.appeal_attachment_added").await.len(), 5);
}
