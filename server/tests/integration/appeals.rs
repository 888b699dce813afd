//! Appeals against rejections through the JSON API: the window, once per rejection, who may
//! appeal, who may decide (no part in the rejection), both outcomes, races, audit and mail.

use crate::{common, evidence};

use common::fixtures::{decide, pass_everything, png, reviewer, submitted_as};
use common::{Client, Options, TestApp, json, link_token};
use portcullis_service::clock::ManualClock;
use portcullis_service::entity::{audit_log, mail_outbox};
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::Value;
use std::time::Duration;

const REASONS: &str = "The reviewers read the retention period as 300 days; the form says 30.";

/// A rejected application: its developer (the organisation's owner), the admin, the reviewer
/// who passed every item and rejected it, and the application's API path.
pub(crate) struct Rejected {
    pub dev: Client,
    pub admin: Client,
    pub rejecter: Client,
    pub path: String,
}

pub(crate) async fn rejected(app: &TestApp) -> Rejected {
    let mut admin = app.signed_in_admin().await;
    let (dev, id) = submitted_as(app, "dev@example.com").await;
    let mut rejecter = reviewer(app, &mut admin, "rejecter@example.com").await;
    let path = format!("/api/v1/applications/{id}");
    pass_everything(&mut rejecter, &path).await;
    let (status, body) =
        decide(&mut rejecter, &path, json!({"decision": "reject", "message": "Retention is far too long."})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["application"]["status"], "rejected");
    Rejected { dev, admin, rejecter, path }
}

pub(crate) async fn appeal(client: &mut Client, path: &str) -> (StatusCode, Value) {
    client.post_json(&format!("{path}/appeal"), json!({ "reasons": REASONS })).await
}

pub(crate) async fn decide_appeal(client: &mut Client, path: &str, outcome: &str) -> (StatusCode, Value) {
    let reason = format!("Decided {outcome}: the form does say 30 days.");
    client.post_json(&format!("{path}/appeal/decision"), json!({ "outcome": outcome, "reason": reason })).await
}

pub(crate) async fn audit_actions(app: &TestApp, action: &str) -> Vec<Value> {
    audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq(action))
        .all(app.services.db())
        .await
        .unwrap()
        .into_iter()
        .map(|r| serde_json::from_str(&r.details).unwrap())
        .collect()
}

async fn outbox_to(app: &TestApp, to: &str) -> Vec<String> {
    mail_outbox::Entity::find()
        .filter(mail_outbox::Column::ToAddr.eq(to))
        .all(app.services.db())
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.subject)
        .collect()
}

fn timeline_kinds(timeline: &Value) -> Vec<String> {
    timeline["timeline"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn an_owner_appeals_once_within_the_window_and_the_application_stays_rejected() {
    let app = TestApp::spawn().await;
    let Rejected { mut dev, mut admin, path, .. } = rejected(&app).await;
    let _eligible = reviewer(&app, &mut admin, "eligible@example.com").await;

    // The page offers the appeal, and says until when.
    let (_, before) = dev.get_json(&path).await;
    assert_eq!(before["application"]["can_appeal"], true, "{before}");
    assert!(before["application"]["appeal_until"].is_string());
    assert!(before["application"]["appeal"].is_null());
    let (_, list) = dev.get_json("/api/v1/applications").await;
    assert_eq!(list["items"][0]["appeal_until"], before["application"]["appeal_until"]);

    // Reasons are required and bounded, and checked on the server.
    for reasons in [json!(""), json!("   "), json!("x".repeat(5_001))] {
        let (status, body) = dev.post_json(&format!("{path}/appeal"), json!({ "reasons": reasons })).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(body["error"]["fields"]["reasons"].is_array(), "{body}");
    }

    let (status, body) = appeal(&mut dev, &path).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let application = &body["application"];
    assert_eq!(application["status"], "rejected", "stays rejected while the appeal is pending");
    assert_eq!(application["appeal"]["status"], "pending");
    assert_eq!(application["appeal"]["reasons"], REASONS);
    assert_eq!(application["appeal"]["filed_by"], "Dev");
    assert_eq!(application["appeal"]["deadline"], before["application"]["appeal_until"]);
    assert!(application["appeal"]["decided_at"].is_null());
    assert_eq!(application["appeal_until"], Value::Null);
    assert_eq!(application["can_appeal"], false);

    // Once per rejection.
    let (status, body) = appeal(&mut dev, &path).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "already_appealed");

    let (_, timeline) = dev.get_json(&format!("{path}/timeline")).await;
    assert_eq!(timeline_kinds(&timeline).last().unwrap(), "appealed");
    assert_eq!(timeline["timeline"].as_array().unwrap().last().unwrap()["message"], REASONS);

    let appealed = audit_actions(&app, "application.appealed").await;
    assert_eq!(appealed.len(), 1);
    assert_eq!(appealed[0]["revision"], 1);

    // The organisation hears that it was received; reviewers who may decide it hear of it,
    // the one who rejected it does not.
    app.wait_for_mail("dev@example.com", "Appeal received").await;
    app.wait_for_mail("eligible@example.com", "Appeal to decide").await;
    assert!(outbox_to(&app, "rejecter@example.com").await.iter().all(|s| !s.contains("Appeal")));
}

#[tokio::test]
async fn an_appeal_after_the_window_is_refused() {
    let clock = ManualClock::new(chrono::Utc::now());
    let options =
        Options { clock: Some(clock.clone()), env: vec![("PORTCULLIS_APPEAL_DAYS", "3".into())], ..Default::default() };
    let app = TestApp::spawn_with(options).await;
    let Rejected { mut dev, path, .. } = rejected(&app).await;

    // Sessions lapse while the clock jumps: sign in again after each jump.
    let password = json!({"email": "dev@example.com", "password": "correct horse battery staple"});
    clock.advance(Duration::from_secs(2 * 24 * 3600));
    let (status, body) = dev.post_json("/api/v1/auth/login", password.clone()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, body) = dev.get_json(&path).await;
    assert!(body["application"]["appeal_until"].is_string(), "two days in, the three-day window is open: {body}");

    clock.advance(Duration::from_secs(24 * 3600 + 60));
    let (status, body) = dev.post_json("/api/v1/auth/login", password).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, body) = dev.get_json(&path).await;
    assert_eq!(body["application"]["appeal_until"], Value::Null, "{body}");
    assert_eq!(body["application"]["can_appeal"], false);
    let (status, body) = appeal(&mut dev, &path).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "appeal_window_closed");
    assert!(body["error"]["message"].as_str().unwrap().starts_with("The time to appeal this rejection ended on"));
    assert!(audit_actions(&app, "application.appealed").await.is_empty());
}

#[tokio::test]
async fn only_the_organisations_owners_appeal() {
    let app = TestApp::spawn().await;
    let Rejected { mut dev, mut admin, mut rejecter, path } = rejected(&app).await;

    // A member (not an owner) of the organisation.
    let (_, application) = dev.get_json(&path).await;
    let org_id = application["application"]["org_id"].as_str().unwrap().to_owned();
    let (status, _) =
        dev.post_json(&format!("/api/v1/orgs/{org_id}/members"), json!({"email": "mate@example.com"})).await;
    assert_eq!(status, StatusCode::CREATED);
    let token = link_token(&app.wait_for_mail("mate@example.com", "invitations/accept").await, "invitations/accept");
    let mut mate = app.signed_in_user("mate@example.com", "Mate").await;
    let (status, _) = mate.post_json("/api/v1/invitations/accept", json!({"token": token})).await;
    assert_eq!(status, StatusCode::OK);
    let (_, seen) = mate.get_json(&path).await;
    assert_eq!(seen["application"]["can_appeal"], false);
    assert!(seen["application"]["appeal_until"].is_string(), "members see until when their owners may appeal");
    let (status, body) = appeal(&mut mate, &path).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"]["message"], "Only owners of the organisation can appeal a rejection.");

    // Someone of another organisation does not even see it; staff do not appeal.
    let mut outsider = app.signed_in_user("outsider@example.com", "Outsider").await;
    let (status, _) = appeal(&mut outsider, &path).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    for staff in [&mut admin, &mut rejecter] {
        let (status, body) = appeal(staff, &path).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    }
    assert!(audit_actions(&app, "application.appealed").await.is_empty());
}

#[tokio::test]
async fn reviewers_who_took_part_are_refused_and_an_eligible_one_upholds_for_good() {
    let app = TestApp::spawn().await;
    let mut admin = app.signed_in_admin().await;
    let (mut dev, id) = submitted_as(&app, "dev@example.com").await;
    let path = format!("/api/v1/applications/{id}");
    // One reviewer records a single verdict; another claims it and records nothing; a third
    // passes everything and rejects.
    let mut judged = reviewer(&app, &mut admin, "judged@example.com").await;
    let (status, _) = judged.post_json(&format!("{path}/assign"), json!({})).await;
    assert_eq!(status, StatusCode::OK);
    let (_, review) = judged.get_json(&format!("{path}/review")).await;
    let item = review["items"][0]["item_id"].as_str().unwrap().to_owned();
    let (status, body) = judged.put_json(&format!("{path}/review/items/{item}"), json!({"verdict": "pass"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let mut claimed_only = reviewer(&app, &mut admin, "claimed@example.com").await;
    let (status, _) = claimed_only.post_json(&format!("{path}/assign"), json!({})).await;
    assert_eq!(status, StatusCode::OK);
    let mut rejecter = reviewer(&app, &mut admin, "rejecter@example.com").await;
    pass_everything(&mut rejecter, &path).await;
    let (status, body) = decide(&mut rejecter, &path, json!({"decision": "reject", "message": "No."})).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // Nothing to decide before an appeal.
    let (status, body) = decide_appeal(&mut claimed_only, &path, "upheld").await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "no_pending_appeal");
    let (status, _) = appeal(&mut dev, &path).await;
    assert_eq!(status, StatusCode::CREATED);

    // The queue's appeal filter lists it for those who may decide it, marked, and not for
    // those who took part.
    let listed = |queue: &Value| {
        queue["items"].as_array().unwrap().iter().find(|r| r["id"] == id.as_str()).map(|r| r["appeal"].clone())
    };
    let (status, queue) = claimed_only.get_json("/api/v1/review/queue?appeal=pending").await;
    assert_eq!(status, StatusCode::OK, "{queue}");
    assert_eq!(listed(&queue), Some(json!("pending")));
    let (_, queue) = admin.get_json("/api/v1/review/queue?appeal=pending").await;
    assert_eq!(listed(&queue), Some(json!("pending")));
    for excluded in [&mut rejecter, &mut judged] {
        let (_, queue) = excluded.get_json("/api/v1/review/queue?appeal=pending").await;
        assert_eq!(listed(&queue), None, "{queue}");
        let (_, queue) = excluded.get_json("/api/v1/review/queue?status=rejected").await;
        assert_eq!(listed(&queue), Some(json!("pending")), "the row is still marked for them: {queue}");
        let (_, seen) = excluded.get_json(&path).await;
        assert_eq!(seen["application"]["can_decide_appeal"], false);
    }
    let (_, seen) = claimed_only.get_json(&path).await;
    assert_eq!(seen["application"]["can_decide_appeal"], true);

    // Refused in the service, with the reason.
    for excluded in [&mut rejecter, &mut judged] {
        let (status, body) = decide_appeal(excluded, &path, "overturned").await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        assert_eq!(body["error"]["code"], "not_eligible_reviewer");
        assert!(body["error"]["message"].as_str().unwrap().contains("took part in the rejection"), "{body}");
    }
    let (status, _) = decide_appeal(&mut dev, &path, "overturned").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "the organisation does not decide its own appeal");
    let (status, body) =
        claimed_only.post_json(&format!("{path}/appeal/decision"), json!({"outcome": "upheld", "reason": " "})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "a reason is required: {body}");

    let (status, body) = decide_appeal(&mut claimed_only, &path, "upheld").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let application = &body["application"];
    assert_eq!(application["status"], "rejected");
    assert_eq!(application["revision"], 1);
    assert_eq!(application["appeal"]["status"], "upheld");
    assert_eq!(application["appeal"]["decided_by"], "Reviewer");
    assert_eq!(application["appeal"]["outcome_reason"], "Decided upheld: the form does say 30 days.");
    assert!(application["appeal"]["decided_at"].is_string());

    // Final: no second decision, no second appeal.
    let (status, body) = decide_appeal(&mut admin, &path, "overturned").await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "no_pending_appeal");
    let (status, body) = appeal(&mut dev, &path).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "already_appealed");
    let (_, seen) = dev.get_json(&path).await;
    assert_eq!(seen["application"]["appeal_until"], Value::Null);

    let decided = audit_actions(&app, "application.appeal_decided").await;
    assert_eq!(decided.len(), 1);
    assert_eq!(decided[0]["outcome"], "upheld");
    assert_eq!(decided[0]["new_revision"], Value::Null);
    let (_, timeline) = dev.get_json(&format!("{path}/timeline")).await;
    assert_eq!(timeline_kinds(&timeline).last().unwrap(), "appeal_upheld");
    let mail = app.wait_for_mail("dev@example.com", "Appeal upheld").await;
    assert!(mail.contains("the form does say 30 days"));
}

#[tokio::test]
async fn an_overturned_appeal_sends_a_new_revision_back_to_review() {
    let app = TestApp::spawn().await;
    let Rejected { mut dev, mut admin, mut rejecter, path } = rejected(&app).await;
    let mut eligible = reviewer(&app, &mut admin, "eligible@example.com").await;
    let (status, _) = appeal(&mut dev, &path).await;
    assert_eq!(status, StatusCode::CREATED);
    let evidence_png = png(20, 10);
    let (status, body) =
        dev.upload(&format!("{path}/appeal/attachments"), Some("New evidence"), "n.png", evidence_png.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let attached = format!("appeals/{}.png", body["sha256"].as_str().unwrap());

    let (status, body) = decide_appeal(&mut eligible, &path, "overturned").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let application = &body["application"];
    assert_eq!(application["status"], "submitted");
    assert_eq!(application["revision"], 2);
    assert!(application["due_at"].is_string(), "the due clock restarts: {body}");
    assert_eq!(application["appeal"]["status"], "overturned");
    assert_eq!(application["appeal"]["revision"], 1);

    // Back in the open queue, unassigned, as revision 2.
    let (_, queue) = eligible.get_json("/api/v1/review/queue?assignee=nobody").await;
    let row = queue["items"].as_array().unwrap().iter().find(|r| r["id"] == application["id"]).cloned().unwrap();
    assert_eq!(row["revision"], 2);
    assert_eq!(row["status"], "submitted");
    assert_eq!(row["appeal"], Value::Null, "no appeal against revision 2");
    let (_, revisions) = dev.get_json(&format!("{path}/revisions")).await;
    assert_eq!(revisions["revisions"].as_array().unwrap().len(), 2, "{revisions}");
    let (_, timeline) = dev.get_json(&format!("{path}/timeline")).await;
    let kinds = timeline_kinds(&timeline);
    assert_eq!(kinds[kinds.len() - 3..], ["appealed", "appeal_attachment_added", "appeal_overturned"]);

    // It is reviewed again like any submission; the reviewer who rejected it may take it.
    let (status, body) = rejecter.post_json(&format!("{path}/assign"), json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["application"]["status"], "in_review");

    let decided = audit_actions(&app, "application.appeal_decided").await;
    assert_eq!((decided[0]["outcome"].clone(), decided[0]["new_revision"].clone()), (json!("overturned"), json!(2)));
    app.wait_for_mail("dev@example.com", "Appeal overturned").await;

    // The evidence pack tells the appeal too, and still verifies.
    let id = application["id"].as_str().unwrap();
    let pack = evidence::download(&mut admin, id).await;
    let files = evidence::unzip(&pack);
    let appeals = evidence::json_of(&files, "appeals.json");
    assert_eq!(
        (&appeals[0]["status"], &appeals[0]["revision"], &appeals[0]["reasons"]),
        (&json!("overturned"), &json!(1), &json!(REASONS))
    );
    assert_eq!(appeals[0]["decided_by"]["email"], "eligible@example.com");
    let summary = String::from_utf8(files["summary.html"].clone()).unwrap();
    assert!(summary.contains("appealed the rejection of revision 1."), "{summary}");
    assert!(summary.contains("overturned the rejection of revision 1"), "{summary}");
    assert!(summary.contains("attached \u{201c}New evidence\u{201d} (SHA-256 "), "{summary}");
    let dir = tempfile::tempdir().unwrap();
    let key = evidence::published_key(&app, dir.path()).await;
    let (code, out) = evidence::verify(dir.path(), "pack.zip", &pack, &key);
    assert_eq!(code, Some(0), "{out}");

    // The appeal's file is in the pack by its digest, listed under its appeal and in the
    // manifest; one changed byte of it fails verification.
    assert_eq!(files[&attached], evidence_png);
    assert_eq!(
        (&appeals[0]["attachments"][0]["file"], &appeals[0]["attachments"][0]["label"]),
        (&json!(attached), &json!("New evidence"))
    );
    let manifest = evidence::json_of(&files, "manifest.json");
    assert!(manifest["files"].as_array().unwrap().iter().any(|f| f["path"] == attached.as_str()), "{manifest}");
    let mut changed = files.clone();
    let bytes = changed.get_mut(&attached).unwrap();
    let at = bytes.len() / 2;
    bytes[at] ^= 0x01;
    let (code, out) = evidence::verify(dir.path(), "changed.zip", &evidence::rezip(&changed), &key);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains(&format!("{attached}: its content does not match its SHA-256 in the manifest")), "{out}");
}

#[tokio::test]
async fn simultaneous_appeals_and_decisions_each_have_one_winner() {
    let app = TestApp::spawn().await;
    let Rejected { dev, mut admin, path, .. } = rejected(&app).await;
    let (mut first, mut second) = (dev.clone(), dev.clone());
    let (a, b) = tokio::join!(appeal(&mut first, &path), appeal(&mut second, &path));
    let mut statuses = [a.0, b.0];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::CREATED, StatusCode::CONFLICT], "{a:?} {b:?}");
    let loser = if a.0 == StatusCode::CONFLICT { a.1 } else { b.1 };
    assert_eq!(loser["error"]["code"], "already_appealed");
    assert_eq!(audit_actions(&app, "application.appealed").await.len(), 1);

    let mut one = reviewer(&app, &mut admin, "one@example.com").await;
    let mut two = reviewer(&app, &mut admin, "two@example.com").await;
    let (a, b) = tokio::join!(decide_appeal(&mut one, &path, "upheld"), decide_appeal(&mut two, &path, "overturned"));
    let mut statuses = [a.0, b.0];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::CONFLICT], "{a:?} {b:?}");
    let decided = audit_actions(&app, "application.appeal_decided").await;
    assert_eq!(decided.len(), 1);
    let (winner, loser) = if a.0 == StatusCode::OK { (a.1, b.1) } else { (b.1, a.1) };
    assert_eq!(loser["error"]["code"], "no_pending_appeal");
    assert_eq!(winner["application"]["appeal"]["status"], decided[0]["outcome"]);
}
