//! Checklist templates through the JSON API: admins publish versions, reviews keep theirs.

use crate::common;

use common::fixtures::{reviewer, submitted_as};
use common::{TestApp, json};
use reqwest::StatusCode;
use serde_json::Value;

const DMS: &str = "portability.direct_messages.ongoing";

fn titles(review: &Value, checklist: &str) -> Vec<String> {
    review["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["checklist"] == checklist)
        .map(|i| i["title"].as_str().unwrap().to_owned())
        .collect()
}

/// The template's items as the editor sends them back: ids kept.
fn as_input(template: &Value) -> Vec<Value> {
    template["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            json!({"id": i["id"], "title": i["title"], "guidance": i["guidance"],
                   "required": i["required"], "applies_to": i["applies_to"]})
        })
        .collect()
}

#[tokio::test]
async fn an_edit_publishes_a_new_version_and_reviews_in_progress_keep_theirs() {
    let app = TestApp::spawn().await;
    let (_, first) = submitted_as(&app, "dev@example.com").await;
    let (_, second) = submitted_as(&app, "other@example.com").await;
    let mut admin = app.signed_in_admin().await;
    let mut rev = reviewer(&app, &mut admin, "rev@example.com").await;

    let (status, _) = rev.post_json(&format!("/api/v1/applications/{first}/assign"), json!({})).await;
    assert_eq!(status, StatusCode::OK);
    let (_, before) = rev.get_json(&format!("/api/v1/applications/{first}/review")).await;
    assert_eq!(before["privacy_version"], 1);
    let old_titles = titles(&before, "privacy");
    assert!(old_titles.contains(&"Sub-processors are listed".to_owned()), "{old_titles:?}");

    let (status, template) = admin.get_json("/api/v1/checklists/privacy").await;
    assert_eq!(status, StatusCode::OK, "{template}");
    assert_eq!(template["version"], 1);
    assert_eq!(template["created_by"], Value::Null);
    let mut items = as_input(&template);
    // Reword the first item, retire the sub-processors item, make the last one optional, move
    // it to the top, and add a new required item for direct messages.
    items[0]["title"] = json!("Every requested category is needed for the use case");
    items.retain(|i| i["title"] != "Sub-processors are listed");
    let mut last = items.pop().unwrap();
    last["required"] = json!(false);
    items.insert(0, last);
    items.push(json!({"title": "Message content is never used for advertising", "applies_to": [DMS]}));
    let (_, me) = admin.get_json("/api/v1/me").await;
    let admin_name = me["user"]["name"].as_str().unwrap().to_owned();
    let (status, published) = admin.put_json("/api/v1/checklists/privacy", json!({"version": 1, "items": items})).await;
    assert_eq!(status, StatusCode::OK, "{published}");
    assert_eq!(published["version"], 2);
    assert_eq!(published["latest_version"], 2);
    assert_eq!(published["created_by"], admin_name.as_str());
    let new_titles: Vec<&str> =
        published["items"].as_array().unwrap().iter().map(|i| i["title"].as_str().unwrap()).collect();
    assert_eq!(new_titles[1], "Every requested category is needed for the use case");
    assert!(!new_titles.contains(&"Sub-processors are listed"));
    assert_eq!(published["items"][0]["required"], false);
    assert_eq!(published["items"].as_array().unwrap().last().unwrap()["applies_to"], json!([DMS]));

    // The review in progress is unchanged, and its verdicts still record against version 1.
    let (_, after) = rev.get_json(&format!("/api/v1/applications/{first}/review")).await;
    assert_eq!(after["privacy_version"], 1);
    assert_eq!(titles(&after, "privacy"), old_titles);
    let item = after["items"][0]["item_id"].as_str().unwrap().to_owned();
    let (status, body) =
        rev.put_json(&format!("/api/v1/applications/{first}/review/items/{item}"), json!({"verdict": "pass"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // A review started now uses version 2; its new item is about direct messages, which this
    // application does not ask for, so it is not shown.
    let (status, _) = rev.post_json(&format!("/api/v1/applications/{second}/assign"), json!({})).await;
    assert_eq!(status, StatusCode::OK);
    let (_, fresh) = rev.get_json(&format!("/api/v1/applications/{second}/review")).await;
    assert_eq!(fresh["privacy_version"], 2);
    assert_eq!(fresh["security_version"], 1);
    let fresh_titles = titles(&fresh, "privacy");
    assert!(fresh_titles.contains(&"Every requested category is needed for the use case".to_owned()));
    assert!(!fresh_titles.contains(&"Sub-processors are listed".to_owned()));
    assert!(!fresh_titles.contains(&"Message content is never used for advertising".to_owned()));

    // Both versions stay readable, and the history says who published what.
    let (_, old) = rev.get_json("/api/v1/checklists/privacy?version=1").await;
    assert!(old["items"].as_array().unwrap().iter().any(|i| i["title"] == "Sub-processors are listed"));
    assert_eq!(old["latest_version"], 2);
    let (_, versions) = rev.get_json("/api/v1/checklists/privacy/versions").await;
    assert_eq!(versions.as_array().unwrap().len(), 2);
    assert_eq!(versions[0]["version"], 2);
    assert_eq!(versions[0]["created_by"], admin_name.as_str());
    assert_eq!(versions[1]["item_count"], old["items"].as_array().unwrap().len());

    let (_, audit) = admin.get_json("/api/v1/audit?action=checklist.published").await;
    assert_eq!(audit["total"], 1, "{audit}");
    let details: Value = serde_json::from_str(audit["items"][0]["details"].as_str().unwrap()).unwrap();
    assert_eq!(details["version"], 2, "{details}");
    assert_eq!(details["changes"]["added"], 1);
    assert_eq!(details["changes"]["retired"], 1);
    assert_eq!(details["changes"]["reworded"], 1);
    assert_eq!(details["changes"]["requirement_changed"], 1);
    assert_eq!(details["changes"]["reordered"], true);
}

#[tokio::test]
async fn only_admins_edit_and_every_bad_edit_is_refused_with_the_reason() {
    let app = TestApp::spawn().await;
    let mut admin = app.signed_in_admin().await;
    let mut rev = reviewer(&app, &mut admin, "rev@example.com").await;
    let mut dev = app.signed_in_user("dev@example.com", "Dev").await;

    let (status, _) = dev.get_json("/api/v1/checklists").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, both) = rev.get_json("/api/v1/checklists").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(both[0]["kind"], "privacy");
    assert_eq!(both[1]["kind"], "security");
    let security = both[1].clone();
    let items = as_input(&security);

    let (status, _) = rev.put_json("/api/v1/checklists/security", json!({"version": 1, "items": items})).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "reviewers read but do not edit");
    let (status, _) = rev.post_json("/api/v1/checklists/security/items", json!({"title": "New"})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = admin.get_json("/api/v1/checklists/legal").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = admin.get_json("/api/v1/checklists/security?version=9").await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let (status, body) = admin.put_json("/api/v1/checklists/security", json!({"version": 1, "items": items})).await;
    assert_eq!(status, StatusCode::CONFLICT, "nothing changed: {body}");

    let mut bad = items.clone();
    bad[0]["title"] = json!("");
    bad[1]["applies_to"] = json!(["portability.everything"]);
    bad[2]["title"] = json!("<script>alert(1)</script>\u{0007}");
    let (status, body) = admin.put_json("/api/v1/checklists/security", json!({"version": 1, "items": bad})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let fields = &body["error"]["fields"];
    assert_eq!(fields["items[0].title"][0], "Give the item a title.");
    assert_eq!(fields["items[1].applies_to"][0], "Unknown scope `portability.everything`.");
    assert_eq!(fields["items[2].title"][0], "Use a single line without control characters.");
    let (status, body) = admin.put_json("/api/v1/checklists/security", json!({"version": 1, "items": []})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["fields"]["items"][0], "A checklist needs at least one item.");
    let (status, _) =
        admin.put_json("/api/v1/checklists/security", json!({"version": 1, "items": items, "status": "x"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "unknown fields are refused");

    let (status, added) = admin
        .post_json(
            "/api/v1/checklists/security/items",
            json!({"title": "Tokens are stored encrypted", "guidance": "Ask where.", "required": false}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{added}");
    assert_eq!(added["version"], 2);
    assert_eq!(added["items"].as_array().unwrap().len(), items.len() + 1);
    let (status, _) =
        admin.post_json("/api/v1/checklists/security/items", json!({"id": "x", "title": "With an id"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    // An editor still on version 1 cannot undo that addition: 409 with the current version.
    let mut late = items.clone();
    late[0]["title"] = json!("Redirect URIs are https and matched exactly");
    let (status, body) = admin.put_json("/api/v1/checklists/security", json!({"version": 1, "items": late})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "stale_version");
    assert_eq!(body["error"]["current"]["version"], 2);
    let (_, audit) = admin.get_json("/api/v1/audit?action=checklist.published").await;
    assert_eq!(audit["total"], 1, "only the addition was published: {audit}");
}
