//! Review operations through the JSON API: who may, in which state, and one decision per
//! revision even under a race.

use crate::common;

use common::fixtures::{decide, pass_everything, ready_to_submit, reviewer, submitted_as};
use common::{Options, TestApp, json};
use portcullis_service::clock::ManualClock;
use reqwest::StatusCode;
use serde_json::Value;

const DMS: &str = "portability.direct_messages.ongoing";

#[tokio::test]
async fn developers_cannot_review_and_nobody_reviews_their_own_organisation() {
    let app = TestApp::spawn().await;
    let (mut dev, id) = submitted_as(&app, "dev@example.com").await;
    let (status, _) = dev.post_json(&format!("/api/v1/applications/{id}/assign"), json!({})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) =
        decide(&mut dev, &format!("/api/v1/applications/{id}"), json!({"decision": "reject", "message": "no"})).await;
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

    // The queue says so before anyone tries: the row is marked for that reviewer alone.
    let row = |queue: &Value| queue["items"].as_array().unwrap().iter().find(|r| r["id"] == id.as_str()).cloned();
    let (status, queue) = dev.get_json("/api/v1/review/queue").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(row(&queue).unwrap()["own_org"], true);
    let (_, queue) = admin.get_json("/api/v1/review/queue").await;
    assert_eq!(row(&queue).unwrap()["own_org"], false);
}

#[tokio::test]
async fn changes_requested_reach_the_applicant_who_resubmits() {
    let app = TestApp::spawn().await;
    let (mut dev, id) = submitted_as(&app, "dev@example.com").await;
    let mut admin = app.signed_in_admin().await;
    let mut rev = reviewer(&app, &mut admin, "rev@example.com").await;
    let path = format!("/api/v1/applications/{id}");

    let (status, _) =
        decide(&mut rev, &path, json!({"decision": "request_changes", "message": "Show revoking."})).await;
    assert_eq!(status, StatusCode::CONFLICT, "not in review yet");
    let (status, body) = rev.post_json(&format!("{path}/assign"), json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["application"]["status"], "in_review");

    let (status, body) = decide(&mut rev, &path, json!({"decision": "request_changes"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "a message is required: {body}");
    let (status, body) =
        decide(&mut rev, &path, json!({"decision": "request_changes", "message": "Add a mockup of revoking access."}))
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
async fn two_reviewers_deciding_at_once_produce_exactly_one_decision() {
    let app = TestApp::spawn().await;
    let (_, id) = submitted_as(&app, "dev@example.com").await;
    let mut admin = app.signed_in_admin().await;
    let mut first = reviewer(&app, &mut admin, "one@example.com").await;
    let mut second = reviewer(&app, &mut admin, "two@example.com").await;
    let path = format!("/api/v1/applications/{id}");
    first.post_json(&format!("{path}/assign"), json!({})).await;
    second.post_json(&format!("{path}/assign"), json!({})).await;
    let body = json!({"decision": "reject", "message": "Out of scope."});
    let changes = json!({"decision": "request_changes", "message": "More detail."});
    let (a, b) = tokio::join!(decide(&mut first, &path, body), decide(&mut second, &path, changes));
    let statuses = [a.0, b.0];
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::OK).count(), 1, "{a:?} {b:?}");
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::CONFLICT).count(), 1, "{a:?} {b:?}");
    let (_, audit) = admin.get_json(&format!("/api/v1/audit?action=application.decided&object_id={id}")).await;
    assert_eq!(audit["total"], 1);
}

fn titles(review: &Value) -> Vec<String> {
    review["items"].as_array().unwrap().iter().map(|i| i["title"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn verdicts_are_saved_as_the_reviewer_goes_and_approval_follows_the_checklists() {
    let app = TestApp::spawn().await;
    let (mut dev, id) = submitted_as(&app, "dev@example.com").await;
    let mut admin = app.signed_in_admin().await;
    let mut rev = reviewer(&app, &mut admin, "rev@example.com").await;
    let path = format!("/api/v1/applications/{id}");

    let (status, body) = rev.get_json(&format!("{path}/review")).await;
    assert_eq!(status, StatusCode::CONFLICT, "no review before claiming: {body}");
    let (status, _) = dev.get_json(&format!("{path}/review")).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "developers have no review");
    rev.post_json(&format!("{path}/assign"), json!({})).await;
    let (status, review) = rev.get_json(&format!("{path}/review")).await;
    assert_eq!(status, StatusCode::OK, "{review}");
    assert_eq!((review["privacy_version"].as_i64(), review["security_version"].as_i64()), (Some(1), Some(1)));
    // One-time posts and connections: neither the recurring-access nor the messages item.
    let items = titles(&review);
    assert!(items.iter().any(|t| t.contains("data minimisation")), "{items:?}");
    assert!(items.iter().any(|t| t.contains("Redirect URIs")), "{items:?}");
    assert!(!items.iter().any(|t| t.contains("Recurring access")), "{items:?}");
    assert!(!items.iter().any(|t| t.contains("messages")), "{items:?}");
    assert_eq!(review["progress"]["recorded"], 0);
    assert_eq!(review["progress"]["total"].as_u64().unwrap() as usize, items.len());
    assert!(review["items"].as_array().unwrap().iter().all(|i| i["verdict"].is_null() && i["note"] == ""));

    let first = review["items"][0]["item_id"].as_str().unwrap().to_owned();
    let item_path = format!("{path}/review/items/{first}");
    let (status, body) = rev.put_json(&item_path, json!({"verdict": "fail"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "a failed item needs a note: {body}");
    assert!(body["error"]["fields"]["note"].is_array(), "{body}");
    let (status, body) = rev.put_json(&item_path, json!({"verdict": "maybe"})).await;
    assert!(status == StatusCode::BAD_REQUEST || status == StatusCode::UNPROCESSABLE_ENTITY, "{status} {body}");
    let (status, body) = rev.put_json(&format!("{path}/review/items/not-an-item"), json!({"verdict": "pass"})).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let (status, body) =
        rev.put_json(&item_path, json!({"verdict": "fail", "note": "Nothing on the archive's purpose."})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["items"][0]["verdict"], "fail");
    assert_eq!(body["progress"]["recorded"], 1);
    // Saved, not just echoed.
    let (_, again) = rev.get_json(&format!("{path}/review")).await;
    assert_eq!(again["items"][0]["note"], "Nothing on the archive's purpose.");

    let approve = |scopes: &[&str]| json!({"decision": "approve", "granted_scopes": scopes, "message": "Connections are not needed for an archive."});
    let (status, body) = decide(&mut rev, &path, approve(&["portability.posts.single"])).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("data minimisation"), "{body}");
    let (status, body) = decide(&mut rev, &path, approve(&["portability.all.ongoing"])).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(body["error"]["message"].as_str().unwrap().contains("not requested"), "{body}");

    let review = pass_everything(&mut rev, &path).await;
    assert_eq!(review["blocking"], json!([]));
    assert_eq!(review["progress"]["recorded"], review["progress"]["total"]);
    let (status, body) = decide(&mut rev, &path, approve(&["portability.posts.single"])).await;
    assert_eq!(status, StatusCode::OK, "one reviewer suffices without sensitive scopes: {body}");
    assert_eq!(body["application"]["status"], "approved");

    let (_, body) = dev.get_json(&path).await;
    assert_eq!(body["application"]["granted_scopes"], json!(["portability.posts.single"]));
    let (_, timeline) = dev.get_json(&format!("{path}/timeline")).await;
    let last = timeline["timeline"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (last["kind"].as_str(), last["message"].as_str()),
        (Some("approved"), Some("Connections are not needed for an archive."))
    );
    app.wait_for_mail("dev@example.com", "approved").await;
    // The admins are told that production credentials now wait for them.
    let notice = app.wait_for_mail("root@example.com", "awaits production credentials").await;
    assert!(notice.contains(&format!("/applications/{id}/credentials")), "{notice}");

    let (status, _) = rev.put_json(&item_path, json!({"verdict": "pass"})).await;
    assert_eq!(status, StatusCode::CONFLICT, "verdicts are frozen once decided");
    let (_, audit) = admin.get_json(&format!("/api/v1/audit?action=review.verdict_recorded&object_id={id}")).await;
    assert!(audit["total"].as_u64().unwrap() > 5, "{audit}");
}

#[tokio::test]
async fn sensitive_scopes_need_two_different_reviewers_and_the_second_may_narrow() {
    let app = TestApp::spawn().await;
    let mut dev = app.signed_in_user("dev@example.com", "Dev").await;
    let (_, id) = ready_to_submit(&mut dev).await;
    let path = format!("/api/v1/applications/{id}");
    let mut scopes = common::fixtures::complete_patch()["scopes"].clone();
    scopes
        .as_array_mut()
        .unwrap()
        .push(json!({"name": DMS, "justification": "To archive the person's conversations."}));
    let (status, body) = dev.patch_json(&path, json!({"scopes": scopes})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = dev.post_json(&format!("{path}/submit"), json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let mut admin = app.signed_in_admin().await;
    let mut first = reviewer(&app, &mut admin, "one@example.com").await;
    let mut second = reviewer(&app, &mut admin, "two@example.com").await;

    let review = pass_everything(&mut first, &path).await;
    let items = titles(&review);
    assert!(items.iter().any(|t| t.contains("Recurring access")), "{items:?}");
    assert!(items.iter().any(|t| t.contains("messages")), "{items:?}");
    let all = json!({"decision": "approve", "granted_scopes": ["portability.posts.single", "portability.connections.single", DMS]});
    let (status, body) = decide(&mut first, &path, all.clone()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["application"]["status"], "in_review", "waits for a second reviewer");
    assert_eq!(body["application"]["first_approval"]["reviewer_name"], "Reviewer");
    let (status, body) = decide(&mut first, &path, all.clone()).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("second reviewer"), "{body}");

    let (_, dashboard) = second.get_json("/api/v1/review/dashboard").await;
    assert_eq!(dashboard["awaiting_second_approval"][0]["id"], id.as_str(), "{dashboard}");
    assert_eq!(dashboard["assigned"], json!([]));
    let (status, body) = decide(&mut second, &path, all.clone()).await;
    assert_eq!(status, StatusCode::CONFLICT, "the second reviewer needs a review of their own: {body}");
    pass_everything(&mut second, &path).await;
    let (_, dashboard) = second.get_json("/api/v1/review/dashboard").await;
    assert_eq!(dashboard["assigned"][0]["id"], id.as_str(), "{dashboard}");
    let narrowed = json!({
        "decision": "approve",
        "granted_scopes": ["portability.posts.single", DMS],
        "message": "Followers are not needed to archive posts and messages."
    });
    let (status, body) = decide(&mut second, &path, narrowed).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["application"]["status"], "approved");
    assert_eq!(
        body["application"]["granted_scopes"],
        json!(["portability.direct_messages.ongoing", "portability.posts.single"])
    );
    let (_, body) = dev.get_json(&path).await;
    assert_eq!(body["application"]["granted_scopes"].as_array().unwrap().len(), 2);
    let (_, audit) = admin.get_json(&format!("/api/v1/audit?action=application.decided&object_id={id}")).await;
    assert_eq!(audit["total"], 2, "the first approval and the decision: {audit}");
}

#[tokio::test]
async fn requested_changes_list_the_failed_items_to_the_applicant() {
    let app = TestApp::spawn().await;
    let (mut dev, id) = submitted_as(&app, "dev@example.com").await;
    let mut admin = app.signed_in_admin().await;
    let mut rev = reviewer(&app, &mut admin, "rev@example.com").await;
    let path = format!("/api/v1/applications/{id}");
    rev.post_json(&format!("{path}/assign"), json!({})).await;
    let (_, review) = rev.get_json(&format!("{path}/review")).await;
    let mockups = review["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["title"].as_str().unwrap().contains("consent mockups"))
        .unwrap()
        .clone();
    let (status, body) = rev
        .put_json(
            &format!("{path}/review/items/{}", mockups["item_id"].as_str().unwrap()),
            json!({"verdict": "fail", "note": "No screen shows how to revoke access."}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) =
        decide(&mut rev, &path, json!({"decision": "request_changes", "message": "See the failed item."})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, timeline) = dev.get_json(&format!("{path}/timeline")).await;
    let last = timeline["timeline"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["kind"], "changes_requested");
    assert_eq!(
        last["failed_items"],
        json!([format!("{}: No screen shows how to revoke access.", mockups["title"].as_str().unwrap())])
    );
}

#[tokio::test]
async fn the_queue_filters_sorts_and_pages_on_the_server() {
    let clock = ManualClock::new(chrono::Utc::now());
    let app = TestApp::spawn_with(Options { clock: Some(clock.clone()), ..Default::default() }).await;
    // Two organisations' applications: an ordinary one first, a direct-messages one fifteen days later
    // (everybody signs in after the jump, sessions expire when idle).
    let (_, plain) = submitted_as(&app, "dev@example.com").await;
    clock.advance(std::time::Duration::from_secs(15 * 24 * 3600));
    let mut admin = app.signed_in_admin().await;
    let mut rev = reviewer(&app, &mut admin, "rev@example.com").await;
    let mut other = app.signed_in_user("other@example.com", "Other").await;
    let (status, body) = other
        .post_json("/api/v1/orgs", json!({"name": "Quill Labs", "country": "FR", "website": "https://quill.example", "contact_email": "hello@quill.example"}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let org = body["org"]["id"].as_str().unwrap().to_owned();
    let (_, body) = other.post_json("/api/v1/applications", json!({"org_id": org, "name": "Quill Inbox"})).await;
    let dm = body["application"]["id"].as_str().unwrap().to_owned();
    let mut patch = common::fixtures::complete_patch();
    patch["scopes"] = json!([{"name": DMS, "justification": "To keep the person's conversations."}]);
    other.patch_json(&format!("/api/v1/applications/{dm}"), patch).await;
    other
        .upload(&format!("/api/v1/applications/{dm}/mockups"), Some("Consent"), "c.png", common::fixtures::png(20, 20))
        .await;
    let (status, body) = other.post_json(&format!("/api/v1/applications/{dm}/submit"), json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    rev.post_json(&format!("/api/v1/applications/{dm}/assign"), json!({})).await;

    let ids = |page: &Value| -> Vec<String> {
        page["items"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap().to_owned()).collect()
    };
    let (status, page) = rev.get_json("/api/v1/review/queue").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(ids(&page), [plain.clone(), dm.clone()], "oldest first");
    assert_eq!(page["total"], 2);
    let row = &page["items"][1];
    assert_eq!(row["org_name"], "Quill Labs");
    assert_eq!(row["requested_scopes"], json!([{"name": DMS, "sensitive": true}]));
    assert_eq!(row["assignees"], json!(["Reviewer"]));
    assert_eq!(row["status"], "in_review");
    assert_eq!(page["items"][0]["age_days"], 15);
    assert!(page["items"][0]["due_at"].is_string());

    for (query, expected) in [
        ("sort=newest", vec![dm.clone(), plain.clone()]),
        ("scope=sensitive", vec![dm.clone()]),
        (&format!("scope={DMS}"), vec![dm.clone()]),
        ("scope=portability.posts.single", vec![plain.clone()]),
        ("assignee=me", vec![dm.clone()]),
        ("assignee=nobody", vec![plain.clone()]),
        ("status=in_review", vec![dm.clone()]),
        ("status=submitted", vec![plain.clone()]),
        ("q=quill", vec![dm.clone()]),
        ("q=INBOX", vec![dm.clone()]),
        ("q=zo%C3%AB", vec![plain.clone()]),
        ("q=100%25", vec![]),
        // Ten business days are at most fourteen calendar days: the first is overdue.
        ("overdue=true", vec![plain.clone()]),
        ("sort=due", vec![plain.clone(), dm.clone()]),
        ("page=2", vec![]),
    ] {
        let (status, page) = rev.get_json(&format!("/api/v1/review/queue?{query}")).await;
        assert_eq!(status, StatusCode::OK, "{query}: {page}");
        assert_eq!(ids(&page), expected, "{query}");
    }
    let (_, page) = rev.get_json("/api/v1/review/queue").await;
    assert_eq!(page["items"][0]["overdue"], true);
    assert_eq!(page["items"][1]["overdue"], false);
    let (_, dashboard) = rev.get_json("/api/v1/review/dashboard").await;
    assert_eq!(dashboard["assigned"][0]["id"], dm.as_str());
    assert_eq!(dashboard["assigned"].as_array().unwrap().len(), 1);

    let (status, body) = rev.get_json("/api/v1/review/queue?scope=portability.everything").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["error"]["fields"]["scope"].is_array(), "{body}");
    let (status, _) = rev.get_json("/api/v1/review/queue?page=zero").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = other.get_json("/api/v1/review/queue").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app.client().get_json("/api/v1/review/queue").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn two_reviewers_approving_at_once_produce_exactly_one_approval() {
    let app = TestApp::spawn().await;
    let (_, id) = submitted_as(&app, "dev@example.com").await;
    let mut admin = app.signed_in_admin().await;
    let mut first = reviewer(&app, &mut admin, "one@example.com").await;
    let mut second = reviewer(&app, &mut admin, "two@example.com").await;
    let path = format!("/api/v1/applications/{id}");
    pass_everything(&mut first, &path).await;
    pass_everything(&mut second, &path).await;
    let approve = json!({"decision": "approve", "granted_scopes": ["portability.posts.single"]});
    let (a, b) = tokio::join!(decide(&mut first, &path, approve.clone()), decide(&mut second, &path, approve));
    let statuses = [a.0, b.0];
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::OK).count(), 1, "{a:?} {b:?}");
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::CONFLICT).count(), 1, "{a:?} {b:?}");
    let (_, audit) = admin.get_json(&format!("/api/v1/audit?action=application.decided&object_id={id}")).await;
    assert_eq!(audit["total"], 1);
}

/// A decision is taken on what the reviewer saw: a page opened before the applicant sent a new
/// revision cannot reject that revision.
#[tokio::test]
async fn a_decision_from_a_stale_page_is_refused_with_the_current_application() {
    let app = TestApp::spawn().await;
    let (mut dev, id) = submitted_as(&app, "dev@example.com").await;
    let mut admin = app.signed_in_admin().await;
    let mut rev = reviewer(&app, &mut admin, "rev@example.com").await;
    let path = format!("/api/v1/applications/{id}");
    rev.post_json(&format!("{path}/assign"), json!({})).await;
    let (_, seen) = rev.get_json(&path).await;
    let (revision, version) = (seen["application"]["revision"].clone(), seen["application"]["version"].clone());

    let (status, body) =
        decide(&mut rev, &path, json!({"decision": "request_changes", "message": "Show revoking access."})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = dev.post_json(&format!("{path}/submit"), json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    rev.post_json(&format!("{path}/assign"), json!({})).await;

    let stale = json!({"decision": "reject", "message": "Out of scope.", "revision": revision, "version": version});
    let (status, body) = rev.post_json(&format!("{path}/decision"), stale).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "stale", "{body}");
    assert_eq!(body["error"]["current"]["revision"], 2, "the current application comes back: {body}");
    let (_, now) = rev.get_json(&path).await;
    assert_eq!(now["application"]["status"], "in_review", "nothing was decided");

    // The same page, same revision, but the version moved on (another reviewer claimed it).
    let (_, seen) = rev.get_json(&path).await;
    let mut other = reviewer(&app, &mut admin, "other@example.com").await;
    other.post_json(&format!("{path}/assign"), json!({})).await;
    let moved = json!({"decision": "reject", "message": "Out of scope.", "revision": seen["application"]["revision"], "version": seen["application"]["version"]});
    let (status, body) = rev.post_json(&format!("{path}/decision"), moved).await;
    assert_eq!((status, body["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("stale")), "{body}");

    let (status, body) =
        rev.post_json(&format!("{path}/decision"), json!({"decision": "reject", "message": "Out of scope."})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "revision and version are required: {body}");
}

/// Rejecting and asking for changes need the standing approval needs: a reviewer who never
/// claimed the application, nor was assigned to it, cannot; an admin may, giving a reason.
#[tokio::test]
async fn only_the_reviewers_of_an_application_decide_it_and_an_admin_override_says_why() {
    let app = TestApp::spawn().await;
    let (_, id) = submitted_as(&app, "dev@example.com").await;
    let mut admin = app.signed_in_admin().await;
    let mut claimer = reviewer(&app, &mut admin, "claimer@example.com").await;
    let mut bystander = reviewer(&app, &mut admin, "bystander@example.com").await;
    let path = format!("/api/v1/applications/{id}");
    claimer.post_json(&format!("{path}/assign"), json!({})).await;

    for decision in ["reject", "request_changes"] {
        let (status, body) = decide(&mut bystander, &path, json!({"decision": decision, "message": "No."})).await;
        assert_eq!(status, StatusCode::CONFLICT, "{decision}: {body}");
        assert!(body["error"]["message"].as_str().unwrap().contains("Claim"), "{body}");
    }

    let (status, body) = decide(&mut admin, &path, json!({"decision": "reject", "message": "No."})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["error"]["fields"]["override_reason"].is_array(), "{body}");
    let overriding = json!({"decision": "reject", "message": "No.", "override_reason": "The reviewer is on leave; the applicant asked for a decision."});
    let (status, body) = decide(&mut admin, &path, overriding).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, audit) = admin.get_json(&format!("/api/v1/audit?action=application.decided&object_id={id}")).await;
    assert!(audit.to_string().contains("The reviewer is on leave"), "{audit}");

    // Assigned by an admin is standing enough, without claiming.
    let (_, second) = submitted_as(&app, "dev2@example.com").await;
    let path = format!("/api/v1/applications/{second}");
    let (_, users) = admin.get_json("/api/v1/users?q=bystander@").await;
    let bystander_id = users["items"][0]["id"].as_str().unwrap().to_owned();
    let (status, body) = admin.post_json(&format!("{path}/assign"), json!({"reviewer_id": bystander_id})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) =
        decide(&mut bystander, &path, json!({"decision": "request_changes", "message": "More."})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}
