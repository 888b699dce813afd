//! Applying for access through the JSON API: drafts, validation, submission, revisions,
//! ownership, and bad input that gets a clear answer and loses nothing.

use crate::common;

use common::fixtures::{complete_patch, draft, ready_to_submit, reviewer, submitted_as};
use common::{TestApp, json};
use reqwest::StatusCode;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait, IntoActiveModel};

#[tokio::test]
async fn the_scope_catalogue_is_public_data() {
    let app = TestApp::spawn().await;
    let (status, scopes) = app.client().get_json("/api/v1/scopes").await;
    assert_eq!(status, StatusCode::OK);
    let scopes = scopes.as_array().unwrap();
    assert_eq!(scopes.len(), 12);
    let dm = scopes.iter().find(|s| s["name"] == "portability.direct_messages.ongoing").unwrap();
    assert_eq!(dm["category"], "direct_messages");
    assert_eq!(dm["frequency"], "ongoing");
    assert_eq!(dm["sensitive"], true);
    assert!(dm["description"].as_str().unwrap().contains("private conversations"));
    let profile = scopes.iter().find(|s| s["name"] == "portability.profile.single").unwrap();
    assert_eq!(profile["sensitive"], false);
}

#[tokio::test]
async fn a_developer_fills_in_submits_and_can_no_longer_edit() {
    let app = TestApp::spawn().await;
    let mut dev = app.signed_in_user("dev@example.com", "Dev").await;
    let (_, id) = draft(&mut dev).await;

    let (status, body) = dev.get_json(&format!("/api/v1/applications/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["application"]["status"], "draft");
    assert!(body["application"]["missing"].as_array().unwrap().len() > 10, "an empty draft misses a lot");

    let (status, body) = dev.patch_json(&format!("/api/v1/applications/{id}"), complete_patch()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let missing = body["application"]["missing"].as_array().unwrap();
    assert_eq!(missing.len(), 1, "only the mockup is missing: {missing:?}");
    assert_eq!(missing[0]["step"], "mockups");

    let (status, mockup) = dev
        .upload(
            &format!("/api/v1/applications/{id}/mockups"),
            Some("Authorization screen"),
            "a.png",
            common::fixtures::png(40, 30),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{mockup}");
    assert_eq!(mockup["content_type"], "image/png");
    assert_eq!(mockup["sha256"].as_str().unwrap().len(), 64);

    let (status, body) = dev.post_json(&format!("/api/v1/applications/{id}/submit"), json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let application = &body["application"];
    assert_eq!(application["status"], "submitted");
    assert_eq!(application["revision"], 1);
    assert_eq!(application["can_edit"], false);
    let reference = application["reference"].as_str().unwrap().to_owned();
    assert!(reference.starts_with("PA-"));
    let mail = app.wait_for_mail("dev@example.com", &reference).await;
    assert!(mail.contains("received"));

    // Read-only now.
    let (status, body) = dev.patch_json(&format!("/api/v1/applications/{id}"), json!({"name": "Renamed"})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("cannot be edited"));
    let (status, _) = dev
        .upload(&format!("/api/v1/applications/{id}/mockups"), Some("More"), "b.png", common::fixtures::png(8, 8))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, _) = dev.post_json(&format!("/api/v1/applications/{id}/submit"), json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT, "submitting twice");

    // Recorded in the timeline and the audit trail.
    let (_, timeline) = dev.get_json(&format!("/api/v1/applications/{id}/timeline")).await;
    let kinds: Vec<&str> =
        timeline["timeline"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["created", "submitted"]);
    let mut admin = app.signed_in_admin().await;
    let (_, audit) = admin.get_json(&format!("/api/v1/audit?object_id={id}")).await;
    let actions: Vec<&str> = audit["items"].as_array().unwrap().iter().map(|r| r["action"].as_str().unwrap()).collect();
    for action in ["application.created", "application.updated", "application.mockup_added", "application.submitted"] {
        assert!(actions.contains(&action), "{action} in {actions:?}");
    }
}

#[tokio::test]
async fn submitting_an_incomplete_application_lists_every_missing_item() {
    let app = TestApp::spawn().await;
    let mut dev = app.signed_in_user("dev@example.com", "Dev").await;
    let (_, id) = draft(&mut dev).await;
    dev.patch_json(&format!("/api/v1/applications/{id}"), json!({"eea": {"serves_eea_users": false}})).await;
    let (status, body) = dev.post_json(&format!("/api/v1/applications/{id}/submit"), json!({})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields = body["error"]["fields"].as_object().unwrap();
    for field in [
        "description",
        "website_url",
        "privacy_policy_url",
        "redirect_uris",
        "use_case",
        "scopes",
        "eea.serves_eea_users",
        "eea.countries",
        "eea.distinguishing_method",
        "data_handling.storage_region",
        "data_handling.retention_days",
        "data_handling.encryption_at_rest",
        "data_handling.deletion_process",
        "data_handling.security_contact_email",
        "mockups",
    ] {
        assert!(fields.contains_key(field), "{field} missing from {fields:?}");
    }
    assert!(fields["eea.serves_eea_users"][0].as_str().unwrap().contains("EEA"));
    let (_, body) = dev.get_json(&format!("/api/v1/applications/{id}")).await;
    assert_eq!(body["application"]["status"], "draft", "nothing changed");
}

#[tokio::test]
async fn bad_field_values_are_refused_with_reasons_and_nothing_is_saved() {
    let app = TestApp::spawn().await;
    let mut dev = app.signed_in_user("dev@example.com", "Dev").await;
    let (_, id) = draft(&mut dev).await;
    let path = format!("/api/v1/applications/{id}");
    for (patch, field) in [
        (json!({"name": ""}), "name"),
        (json!({"name": "x".repeat(101)}), "name"),
        (json!({"name": "bell\u{7}"}), "name"),
        (json!({"description": "x".repeat(2001)}), "description"),
        (json!({"website_url": "http://zoe.example"}), "website_url"),
        (json!({"privacy_policy_url": "javascript:alert(1)"}), "privacy_policy_url"),
        (json!({"redirect_uris": ["https://zoe.example/cb#top"]}), "redirect_uris[0]"),
        (json!({"redirect_uris": ["https://*.zoe.example/cb"]}), "redirect_uris[0]"),
        (json!({"redirect_uris": ["https://user@zoe.example/cb"]}), "redirect_uris[0]"),
        (json!({"redirect_uris": ["http://zoe.example/cb"]}), "redirect_uris[0]"),
        (json!({"scopes": [{"name": "portability.everything", "justification": "x"}]}), "scopes[0].name"),
        (json!({"eea": {"countries": ["US"]}}), "eea.countries"),
        (json!({"data_handling": {"retention_days": 99999}}), "data_handling.retention_days"),
        (json!({"data_handling": {"security_contact_email": "not-an-email"}}), "data_handling.security_contact_email"),
    ] {
        let (status, body) = dev.patch_json(&path, patch.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{patch}: {body}");
        assert!(body["error"]["fields"][field].is_array(), "{patch}: expected an error on {field}: {body}");
    }
    // Wrong types, status changes and reviewer fields are refused too.
    for patch in [
        json!({"data_handling": {"retention_days": "thirty"}}),
        json!({"redirect_uris": "https://zoe.example/cb"}),
        json!({"status": "approved"}),
        json!({"granted_scopes": ["portability.all.ongoing"]}),
    ] {
        let (status, body) = dev.patch_json(&path, patch.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{patch}: {body}");
    }
    let (_, body) = dev.get_json(&path).await;
    assert_eq!(body["application"]["name"], "Zoë Export");
    assert_eq!(body["application"]["status"], "draft");
    assert_eq!(body["application"]["version"], 1, "no refused change was saved");

    // Unicode and line breaks are welcome; stored as given.
    let (status, body) =
        dev.patch_json(&path, json!({"name": "Zoë 导出 🚀", "description": "Line one\nLine two"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["application"]["name"], "Zoë 导出 🚀");
}

#[tokio::test]
async fn two_tabs_saving_the_same_draft_never_lose_a_change_silently() {
    let app = TestApp::spawn().await;
    let mut dev = app.signed_in_user("dev@example.com", "Dev").await;
    let (_, id) = draft(&mut dev).await;
    let path = format!("/api/v1/applications/{id}");
    let (_, first) = dev.patch_json(&path, json!({"description": "From tab one", "version": 1})).await;
    assert_eq!(first["application"]["version"], 2);
    // The second tab still believes it is at version 1.
    let (status, body) = dev.patch_json(&path, json!({"description": "From tab two", "version": 1})).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error"]["code"], "stale_version");
    assert_eq!(body["error"]["current"]["description"], "From tab one");
    assert_eq!(body["error"]["current"]["version"], 2);
    let (status, _) = dev.patch_json(&path, json!({"description": "From tab two", "version": 2})).await;
    assert_eq!(status, StatusCode::OK, "saving on top of the current version works");
}

#[tokio::test]
async fn other_organisations_cannot_see_or_touch_an_application() {
    let app = TestApp::spawn().await;
    let mut dev = app.signed_in_user("dev@example.com", "Dev").await;
    let (_, id) = ready_to_submit(&mut dev).await;
    let (_, body) = dev.get_json(&format!("/api/v1/applications/{id}")).await;
    let mockup_id = body["application"]["mockups"][0]["id"].as_str().unwrap().to_owned();

    let mut other = app.signed_in_user("other@example.com", "Other").await;
    common::fixtures::draft(&mut other).await;
    for path in [
        format!("/api/v1/applications/{id}"),
        format!("/api/v1/applications/{id}/timeline"),
        format!("/api/v1/applications/{id}/messages"),
        format!("/api/v1/applications/{id}/mockups/{mockup_id}"),
    ] {
        let (status, _) = other.get_json(&path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
    }
    let (status, _) = other.patch_json(&format!("/api/v1/applications/{id}"), json!({"name": "Mine"})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let r = other.delete(&format!("/api/v1/applications/{id}/mockups/{mockup_id}")).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let (status, _) = other.post_json(&format!("/api/v1/applications/{id}/submit"), json!({})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, list) = other.get_json("/api/v1/applications").await;
    assert!(list["items"].as_array().unwrap().iter().all(|a| a["id"] != id.as_str()));

    // Reviewers do not see drafts either.
    let mut admin = app.signed_in_admin().await;
    let (status, _) = admin.get_json(&format!("/api/v1/applications/{id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    dev.post_json(&format!("/api/v1/applications/{id}/submit"), json!({})).await;
    let (status, _) = admin.get_json(&format!("/api/v1/applications/{id}")).await;
    assert_eq!(status, StatusCode::OK, "but every submitted one");
    let (status, _) = admin.patch_json(&format!("/api/v1/applications/{id}"), json!({"name": "Staff edit"})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn members_edit_drafts_and_only_owners_withdraw() {
    let app = TestApp::spawn().await;
    let mut owner = app.signed_in_user("owner@example.com", "Owner").await;
    let (org_id, id) = draft(&mut owner).await;
    owner.post_json(&format!("/api/v1/orgs/{org_id}/members"), json!({"email": "mate@example.com"})).await;
    let token =
        common::link_token(&app.wait_for_mail("mate@example.com", "invitations/accept").await, "invitations/accept");
    let mut mate = app.signed_in_user("mate@example.com", "Mate").await;
    mate.post_json("/api/v1/invitations/accept", json!({"token": token})).await;

    let (status, body) =
        mate.patch_json(&format!("/api/v1/applications/{id}"), json!({"description": "By the mate"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["application"]["can_withdraw"], false);
    let (status, body) = mate.post_json(&format!("/api/v1/applications/{id}/withdraw"), json!({})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["error"]["message"], "Only owners of the organisation can withdraw an application.");
    let (status, body) = owner.post_json(&format!("/api/v1/applications/{id}/withdraw"), json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["application"]["status"], "withdrawn");
    let (status, _) = owner.patch_json(&format!("/api/v1/applications/{id}"), json!({"description": "Again"})).await;
    assert_eq!(status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn staff_never_see_a_draft_withdrawn_before_it_was_submitted_but_keep_seeing_one_withdrawn_later() {
    let app = TestApp::spawn().await;
    let mut admin = app.signed_in_admin().await;
    let mut rev = reviewer(&app, &mut admin, "rev@example.com").await;
    // A draft with a mockup, withdrawn before it was ever submitted.
    let mut dev = app.signed_in_user("dev@example.com", "Dev").await;
    let (_, hidden) = ready_to_submit(&mut dev).await;
    let (_, body) = dev.get_json(&format!("/api/v1/applications/{hidden}")).await;
    let mockup = body["application"]["mockups"][0]["id"].as_str().unwrap().to_owned();
    let (status, body) = dev.post_json(&format!("/api/v1/applications/{hidden}/withdraw"), json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["application"]["status"], "withdrawn");
    // Another, withdrawn after its submission.
    let (mut other, shown) = submitted_as(&app, "other@example.com").await;
    let (status, body) = other.post_json(&format!("/api/v1/applications/{shown}/withdraw"), json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    for (who, staff) in [("reviewer", &mut rev), ("admin", &mut admin)] {
        let (status, _) = staff.get_json(&format!("/api/v1/applications/{hidden}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{who} reads the never-submitted draft");
        let status = staff.get(&format!("/api/v1/applications/{hidden}/mockups/{mockup}")).await.status();
        assert_eq!(status, StatusCode::NOT_FOUND, "{who} downloads its mockup");
        let (status, _) =
            staff.post_json(&format!("/api/v1/applications/{hidden}/messages"), json!({"body": "Hello?"})).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{who} posts a message on it");
        let (status, list) = staff.get_json("/api/v1/applications").await;
        assert_eq!(status, StatusCode::OK);
        let ids: Vec<&str> = list["items"].as_array().unwrap().iter().map(|a| a["id"].as_str().unwrap()).collect();
        assert_eq!(ids, [shown.as_str()], "{who}'s list holds only the application withdrawn after submission");
        let (status, body) = staff.get_json(&format!("/api/v1/applications/{shown}")).await;
        assert_eq!(status, StatusCode::OK, "{who} still reads the one withdrawn after submission: {body}");
    }
    for filter in ["all", "withdrawn"] {
        let (status, queue) = rev.get_json(&format!("/api/v1/review/queue?status={filter}")).await;
        assert_eq!(status, StatusCode::OK, "{queue}");
        let ids: Vec<&str> = queue["items"].as_array().unwrap().iter().map(|a| a["id"].as_str().unwrap()).collect();
        assert_eq!(ids, [shown.as_str()], "the queue filtered by {filter}");
    }
    // The organisation itself still sees its own withdrawn draft.
    let (status, _) = dev.get_json(&format!("/api/v1/applications/{hidden}")).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn messages_flow_both_ways_with_notifications_without_bodies() {
    let app = TestApp::spawn().await;
    let mut dev = app.signed_in_user("dev@example.com", "Dev").await;
    let (_, id) = ready_to_submit(&mut dev).await;
    dev.post_json(&format!("/api/v1/applications/{id}/submit"), json!({})).await;
    let mut reviewer = app.signed_in_user("rev@example.com", "Rev").await;
    let mut admin = app.signed_in_admin().await;
    let (_, users) = admin.get_json("/api/v1/users?q=rev@").await;
    let rev_id = users["items"][0]["id"].as_str().unwrap().to_owned();
    admin.put_json(&format!("/api/v1/users/{rev_id}/roles"), json!({"roles": ["reviewer"]})).await;

    let (status, body) = dev
        .post_json(
            &format!("/api/v1/applications/{id}/messages"),
            json!({"body": "Our secret is hunter2, please check."}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["message"]["side"], "applicant");
    let mail = app.wait_for_mail("rev@example.com", "New message").await;
    assert!(!mail.contains("hunter2"), "notifications never carry the message");

    let (status, _) = reviewer
        .post_json(&format!("/api/v1/applications/{id}/messages"), json!({"body": "Thanks, looking at it."}))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    app.wait_for_mail("dev@example.com", "New message").await;
    let (_, thread) = dev.get_json(&format!("/api/v1/applications/{id}/messages")).await;
    let sides: Vec<&str> = thread["messages"].as_array().unwrap().iter().map(|m| m["side"].as_str().unwrap()).collect();
    assert_eq!(sides, ["applicant", "reviewer"]);
    let (status, _) = dev.post_json(&format!("/api/v1/applications/{id}/messages"), json!({"body": "  "})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn changes_requested_then_resubmitted_keeps_both_revisions() {
    let app = TestApp::spawn().await;
    let mut dev = app.signed_in_user("dev@example.com", "Dev").await;
    let (_, id) = ready_to_submit(&mut dev).await;
    dev.post_json(&format!("/api/v1/applications/{id}/submit"), json!({})).await;

    // Until reviews exist, send it back directly in the database.
    let row =
        portcullis_service::entity::application::Entity::find_by_id(&id).one(app.services.db()).await.unwrap().unwrap();
    let mut row = row.into_active_model();
    row.status = Set("changes_requested".into());
    row.update(app.services.db()).await.unwrap();

    let path = format!("/api/v1/applications/{id}");
    let (status, body) =
        dev.patch_json(&path, json!({"data_handling": {"storage_region": "EU (Paris)", "retention_days": 14, "encryption_at_rest": true, "deletion_process": "A delete button in the app erases the archive within 24 hours.", "subprocessors": [], "security_contact_email": "security@zoe.example"}})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    dev.upload(&format!("{path}/mockups"), Some("Revoke access"), "revoke.jpg", common::fixtures::jpeg()).await;
    let (status, body) = dev.post_json(&format!("{path}/submit"), json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["application"]["revision"], 2);

    let (_, revisions) = dev.get_json(&format!("{path}/revisions")).await;
    assert_eq!(revisions["revisions"].as_array().unwrap().len(), 2);
    let (status, diff) = dev.get_json(&format!("{path}/revisions/compare?from=1&to=2")).await;
    assert_eq!(status, StatusCode::OK);
    let fields: Vec<&str> = diff["changes"].as_array().unwrap().iter().map(|c| c["field"].as_str().unwrap()).collect();
    assert_eq!(
        fields,
        ["data_handling.storage_region", "data_handling.retention_days", "data_handling.subprocessors", "mockups"]
    );
    let (_, timeline) = dev.get_json(&format!("{path}/timeline")).await;
    let kinds: Vec<&str> =
        timeline["timeline"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["created", "submitted", "resubmitted"]);
    let (status, _) = dev.get_json(&format!("{path}/revisions/compare?from=1&to=9")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = dev.get_json(&format!("{path}/revisions/compare?from=one&to=2")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_stored_status_the_portal_never_writes_is_a_fault_not_a_draft() {
    let app = TestApp::spawn().await;
    let mut dev = app.signed_in_user("dev@example.com", "Dev").await;
    let (_, id) = ready_to_submit(&mut dev).await;
    let row =
        portcullis_service::entity::application::Entity::find_by_id(&id).one(app.services.db()).await.unwrap().unwrap();
    let mut row = row.into_active_model();
    row.status = Set("approved ".into());
    row.update(app.services.db()).await.unwrap();

    // Read as a draft, it could be edited and submitted again; it must stop every change.
    let path = format!("/api/v1/applications/{id}");
    let (status, body) = dev.patch_json(&path, json!({"description": "Changed behind the gate."})).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "{body}");
    let (status, _) = dev.post_json(&format!("{path}/submit"), json!({})).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    let (status, _) = dev.get_json(&path).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
}
