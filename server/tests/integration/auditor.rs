//! The auditor role: reads every submitted application and the audit trail, changes nothing,
//! and each read is itself on the record. The matrix below tries every write of the JSON API
//! (from the OpenAPI document, so a new route is covered the day it is added) and every
//! server function, as an auditor, with well-formed input.

use crate::common::fixtures::{pass_everything, reviewer, submitted_as};
use crate::common::{Client, TestApp, json};
use reqwest::{Method, StatusCode};
use serde_json::Value;

/// An auditor, made by `admin`, signed in.
async fn auditor(app: &TestApp, admin: &mut Client) -> (Client, String) {
    let client = app.signed_in_user("auditor@regulator.example", "Ada Auditor").await;
    let (_, users) = admin.get_json("/api/v1/users?q=auditor@regulator.example").await;
    let id = users["items"][0]["id"].as_str().unwrap().to_owned();
    let (status, body) = admin.put_json(&format!("/api/v1/users/{id}/roles"), json!({"roles": ["auditor"]})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    (client, id)
}

/// The sequence number of the newest audit record.
async fn newest_seq(admin: &mut Client) -> i64 {
    let (status, body) = admin.get_json("/api/v1/audit?page=1").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["items"][0]["seq"].as_i64().unwrap()
}

/// The actions of the records after `seq`, other than an auditor's reading, read page by page
/// (an auditor's reading alone can fill several).
async fn changes_since(admin: &mut Client, seq: i64) -> Vec<String> {
    let mut changes = Vec::new();
    for page in 1.. {
        let (status, body) = admin.get_json(&format!("/api/v1/audit?page={page}")).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let items = body["items"].as_array().unwrap();
        let newer: Vec<&Value> = items.iter().filter(|r| r["seq"].as_i64().unwrap() > seq).collect();
        changes
            .extend(newer.iter().map(|r| r["action"].as_str().unwrap().to_owned()).filter(|a| a != "auditor.viewed"));
        if newer.len() < items.len() || items.is_empty() {
            return changes;
        }
    }
    unreachable!("the pages run out")
}

#[tokio::test]
async fn an_auditor_reads_every_submitted_application_and_each_read_is_on_the_record() {
    let app = TestApp::spawn().await;
    let mut admin = app.signed_in_admin().await;
    let (mut dev, id) = submitted_as(&app, "dev@apps.example").await;
    let (_, draft) = crate::common::fixtures::draft(&mut dev).await;
    let (mut auditor, auditor_id) = auditor(&app, &mut admin).await;

    // Never together with a role that changes things.
    for roles in [json!(["auditor", "reviewer"]), json!(["auditor", "admin"])] {
        let (status, body) =
            admin.put_json(&format!("/api/v1/users/{auditor_id}/roles"), json!({ "roles": roles })).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(body["error"]["fields"]["roles"][0].as_str().unwrap().contains("auditor"), "{body}");
    }

    let (status, me) = auditor.get_json("/api/v1/me").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["user"]["roles"], json!(["developer", "auditor"]));
    let (status, list) = auditor.get_json("/api/v1/applications").await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let ids: Vec<&str> = list["items"].as_array().unwrap().iter().map(|a| a["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [id.as_str()], "the submitted application, not the draft");
    for path in ["", "/timeline", "/revisions", "/messages", "/credentials"] {
        let (status, body) = auditor.get_json(&format!("/api/v1/applications/{id}{path}")).await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
    }
    let (status, _) = auditor.get_json(&format!("/api/v1/applications/{draft}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "drafts stay with their organisation");
    let (status, _) = auditor.get_json("/api/v1/audit").await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = auditor.get_json("/api/v1/checklists").await;
    assert_eq!(status, StatusCode::OK);
    // What is not reading: the review queue, the users, the outbox.
    for path in ["/api/v1/review/queue", "/api/v1/users", "/api/v1/admin/outbox", "/api/v1/gateway-keys"] {
        let (status, _) = auditor.get_json(path).await;
        assert!(matches!(status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND), "{path}: {status}");
    }

    // Each read is on the record, naming what was read, by whom.
    let (status, body) = admin.get_json("/api/v1/audit?action=auditor.viewed").await;
    assert_eq!(status, StatusCode::OK);
    let viewed = body["items"].as_array().unwrap();
    let of_application: Vec<&Value> = viewed.iter().filter(|r| r["object_id"] == json!(id)).collect();
    assert_eq!(of_application.len(), 5, "{viewed:?}");
    assert!(viewed.iter().all(|r| r["actor_id"] == json!(auditor_id)));
    let what: Vec<Value> = of_application
        .iter()
        .map(|r| serde_json::from_str::<Value>(r["details"].as_str().unwrap()).unwrap()["what"].clone())
        .collect();
    for expected in ["application", "timeline", "revisions", "messages", "credentials"] {
        assert!(what.contains(&json!(expected)), "{expected}: {what:?}");
    }
    // An admin's reading is not access-logged.
    let before = viewed.len();
    admin.get_json(&format!("/api/v1/applications/{id}")).await;
    let (_, body) = admin.get_json("/api/v1/audit?action=auditor.viewed").await;
    assert_eq!(body["items"].as_array().unwrap().len(), before);
}

#[tokio::test]
async fn admins_and_auditors_read_every_reviewers_checklist_and_an_auditors_reading_is_on_the_record() {
    let app = TestApp::spawn().await;
    let mut admin = app.signed_in_admin().await;
    let (mut dev, id) = submitted_as(&app, "dev@apps.example").await;
    let (_, draft) = crate::common::fixtures::draft(&mut dev).await;
    let path = format!("/api/v1/applications/{id}");
    let mut first = reviewer(&app, &mut admin, "first@review.example").await;
    pass_everything(&mut first, &path).await;
    // A second reviewer fails the first item and says why; the rest stay open.
    let mut second = reviewer(&app, &mut admin, "second@review.example").await;
    let (status, body) = second.post_json(&format!("{path}/assign"), json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, own) = second.get_json(&format!("{path}/review")).await;
    let failed_item = own["items"][0]["item_id"].as_str().unwrap().to_owned();
    let verdict = json!({"verdict": "fail", "note": "Retention is not stated for backups."});
    let (status, body) = second.put_json(&format!("{path}/review/items/{failed_item}"), verdict).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (mut auditor, auditor_id) = auditor(&app, &mut admin).await;

    for client in [&mut admin, &mut auditor] {
        let (status, body) = client.get_json(&format!("{path}/reviews")).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let reviews = body["reviews"].as_array().unwrap();
        assert_eq!(reviews.len(), 2, "{body}");
        assert!(reviews.iter().all(|r| r["editable"] == json!(false) && r["revision"] == json!(1)), "{body}");
        let first_items = reviews[0]["items"].as_array().unwrap();
        assert!(!first_items.is_empty() && first_items.iter().all(|i| i["verdict"] == json!("pass")), "{body}");
        let second_items = reviews[1]["items"].as_array().unwrap();
        assert_eq!(second_items.len(), first_items.len(), "the same checklist, judged by another");
        assert_eq!(second_items[0]["item_id"], json!(failed_item));
        assert_eq!(second_items[0]["verdict"], json!("fail"));
        assert_eq!(second_items[0]["note"], json!("Retention is not stated for backups."));
        assert!(second_items[1..].iter().all(|i| i["verdict"].is_null()), "{body}");
        assert_eq!(reviews[1]["progress"]["recorded"], json!(1));
    }
    // The auditor's reading is on the record, the admin's is not.
    let (_, body) = admin.get_json("/api/v1/audit?action=auditor.viewed").await;
    let read: Vec<&Value> = body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["object_id"] == json!(id) && r["details"].as_str().unwrap().contains("\"reviews\""))
        .collect();
    assert_eq!(read.len(), 1, "{body}");
    assert_eq!(read[0]["actor_id"], json!(auditor_id));

    // The organisation and the reviewers do not read each other's checklists here; drafts are
    // nobody's business but their organisation's.
    for client in [&mut dev, &mut first] {
        let (status, body) = client.get_json(&format!("{path}/reviews")).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    }
    for client in [&mut admin, &mut auditor] {
        let (status, _) = client.get_json(&format!("/api/v1/applications/{draft}/reviews")).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
}

/// A value that the schema accepts (or nearly: the server must refuse for the role, not the
/// shape), following `$ref`s into `components`.
fn example(schema: &Value, doc: &Value, depth: usize) -> Value {
    if depth > 8 {
        return Value::Null;
    }
    if let Some(reference) = schema["$ref"].as_str() {
        let name = reference.rsplit('/').next().unwrap();
        return example(&doc["components"]["schemas"][name], doc, depth + 1);
    }
    for key in ["oneOf", "anyOf", "allOf"] {
        if let Some(first) =
            schema[key].as_array().and_then(|all| all.iter().find(|s| s["type"] != json!("null")).or(all.first()))
        {
            return example(first, doc, depth + 1);
        }
    }
    if let Some(first) = schema["enum"].as_array().and_then(|e| e.first()) {
        return first.clone();
    }
    let kind = match &schema["type"] {
        Value::Array(kinds) => kinds.iter().find(|k| *k != "null").cloned().unwrap_or(Value::Null),
        other => other.clone(),
    };
    match kind.as_str() {
        Some("object") => {
            let mut object = serde_json::Map::new();
            if let Some(properties) = schema["properties"].as_object() {
                for (name, property) in properties {
                    object.insert(name.clone(), example(property, doc, depth + 1));
                }
            }
            Value::Object(object)
        }
        Some("array") => json!([example(&schema["items"], doc, depth + 1)]),
        Some("integer") | Some("number") => json!(1),
        Some("boolean") => json!(true),
        Some("string") => match schema["format"].as_str() {
            Some("email") => json!("someone@example.com"),
            Some("uri") => json!("https://example.com/"),
            _ => json!("portability.posts.single"),
        },
        _ => Value::Null,
    }
}

/// The account's own sign-in, password, factors and sessions: an auditor keeps these, as
/// every account does.
fn self_service(path: &str) -> bool {
    path.starts_with("/api/v1/auth/") || path.starts_with("/api/v1/me")
}

/// Routes whose caller is not a session: the gateway's and clients' OAuth endpoints, and a
/// contact's link from a mail (its token is the credential).
fn not_a_session(path: &str) -> bool {
    !path.starts_with("/api/v1/") || path == "/api/v1/orgs/verify-contact"
}

#[tokio::test]
async fn an_auditor_changes_nothing_through_any_api_route_or_server_function() {
    let app = TestApp::spawn().await;
    let mut admin = app.signed_in_admin().await;
    let (mut dev, id) = submitted_as(&app, "dev@apps.example").await;
    let (_, application) = dev.get_json(&format!("/api/v1/applications/{id}")).await;
    let org_id = application["application"]["org_id"].as_str().unwrap().to_owned();
    let mockup_id = application["application"]["mockups"][0]["id"].as_str().unwrap_or("unknown").to_owned();
    let (mut auditor, auditor_id) = auditor(&app, &mut admin).await;
    let (_, users) = admin.get_json("/api/v1/users?q=dev@apps.example").await;
    let dev_id = users["items"][0]["id"].as_str().unwrap().to_owned();
    let (status, doc) = auditor.get_json("/api/v1/openapi.json").await;
    assert_eq!(status, StatusCode::OK);

    let before = newest_seq(&mut admin).await;
    let mut tried = 0;
    let mut allowed = Vec::new();
    for (path, operations) in doc["paths"].as_object().unwrap() {
        if self_service(path) || not_a_session(path) {
            continue;
        }
        for (method, operation) in operations.as_object().unwrap() {
            let method: Method = method.to_uppercase().parse().unwrap();
            if method == Method::GET || method == Method::HEAD {
                continue;
            }
            let concrete = path
                .replace("{id}", &id)
                .replace("{org_id}", &org_id)
                .replace("{user_id}", &dev_id)
                .replace("{mockup_id}", &mockup_id)
                .replace("{client_id}", "pc_unknown")
                .replace("{item_id}", "unknown")
                .replace("{invitation_id}", "unknown")
                .replace("{kind}", "privacy");
            let concrete =
                if path.starts_with("/api/v1/orgs/{id}") { concrete.replace(&id, &org_id) } else { concrete };
            let concrete =
                if path.starts_with("/api/v1/users/{id}") { concrete.replace(&id, &dev_id) } else { concrete };
            let body = operation["requestBody"]["content"]["application/json"]["schema"]
                .as_object()
                .map(|schema| example(&Value::Object(schema.clone()), &doc, 0));
            let uploads = concrete.ends_with("/mockups") || concrete.ends_with("/appeal/attachments");
            let (status, answer) = if uploads && method == Method::POST {
                let png = crate::common::fixtures::png(40, 30);
                let (status, answer) = auditor.upload(&concrete, Some("Consent screen"), "a.png", png).await;
                (status, answer.to_string())
            } else {
                let r = auditor.request(method.clone(), &concrete, body.clone()).await;
                (r.status(), r.text().await.unwrap())
            };
            tried += 1;
            if !matches!(status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND) {
                allowed.push(format!("{method} {concrete} {body:?} → {status} {answer}"));
            }
        }
    }
    assert!(tried >= 30, "{tried} writes tried");
    assert!(
        doc["paths"]["/api/v1/applications/{id}/appeal/attachments"]["post"].is_object(),
        "the appeal's uploads are among the writes tried"
    );
    assert!(allowed.is_empty(), "an auditor's writes must be refused:\n{}", allowed.join("\n"));

    // The server functions the pages call, by their registered paths.
    let own_account = [
        "sessions",
        "end_session",
        "end_other_sessions",
        "current_user",
        "register",
        "login",
        "start_totp",
        "confirm_totp",
        "logout",
        "verify_email",
        "resend_verification",
        "request_password_reset",
        "reset_password",
        "change_password",
        "step_up",
        "sso_enabled",
        "passkeys",
        "rename_passkey",
        "remove_passkey",
    ];
    // Every argument any server function takes, each well-formed, so each call reaches the
    // service rather than failing to decode.
    let fields = [
        ("id", id.as_str()),
        ("org_id", org_id.as_str()),
        ("user_id", dev_id.as_str()),
        ("mockup_id", mockup_id.as_str()),
        ("client_id", "pc_unknown"),
        ("invitation_id", "unknown"),
        ("item_id", "unknown"),
        ("name", "Renamed"),
        ("body", "A message from an auditor"),
        ("message", "A message from an auditor"),
        ("note", "An auditor tries"),
        ("reason", "An auditor tries"),
        ("environment", "sandbox"),
        ("decision", "approve"),
        ("verdict", "pass"),
        ("granted_scopes[0]", "portability.posts.single"),
        ("change", "suspend"),
        ("disabled", "true"),
        ("reviewer", "on"),
        ("admin", "on"),
        ("owner", "on"),
        ("email", "someone@example.com"),
        ("contact_email", "someone@example.com"),
        ("country", "FI"),
        ("website", "https://example.com"),
        ("role", "owner"),
        ("kind", "privacy"),
        ("token", "unknown"),
        ("revision", "1"),
        ("version", "1"),
        ("reasons", "An auditor tries"),
        ("outcome", "overturned"),
    ];
    let mut functions = 0;
    for (path, _) in leptos::server_fn::axum::server_fn_paths() {
        let name = path.trim_start_matches("/rpc/");
        if own_account.contains(&name) {
            continue;
        }
        functions += 1;
        // Two take JSON, as their pages send it; the rest take a form.
        let r = match name {
            "publish_checklist" => {
                let body = json!({"kind": "privacy", "input": {"version": 1, "items": []}});
                auditor.request(Method::POST, path, Some(body)).await
            }
            "save_application" => {
                let body = json!({"id": id, "patch": {"name": "Renamed by an auditor"}});
                auditor.request(Method::POST, path, Some(body)).await
            }
            _ => auditor.post_form(path, &fields).await,
        };
        if r.status().is_success() {
            // Reads answer; what matters is that nothing changed (checked below).
            continue;
        }
        assert!(r.status().is_client_error(), "{path}: {}", r.status());
    }
    assert!(functions >= 40, "{functions} server functions tried");

    assert_eq!(changes_since(&mut admin, before).await, Vec::<String>::new(), "nothing but reading was recorded");
    let (status, me) = admin.get_json(&format!("/api/v1/users?q={}", "auditor@regulator.example")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["items"][0]["id"], json!(auditor_id));
    assert_eq!(me["items"][0]["roles"], json!(["developer", "auditor"]), "nor their own roles");
}
