//! Evidence packs: one ZIP per application, for admins and auditors, that `portcullis evidence
//! verify` checks offline with the portal's public key alone.

use crate::common::fixtures::{decide, draft, pass_everything, ready_to_submit, reviewer};
use crate::common::{Client, TestApp, json};
use portcullis_domain::audit::ChainFormat;
use portcullis_service::audit::signing::SigningKey;
use portcullis_service::audit::{self, ChainReport};
use portcullis_service::entity::{audit_log, credential_secret};
use reqwest::StatusCode;
use sea_orm::{EntityTrait, IntoActiveModel, QueryOrder};
use serde_json::Value;
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

const DMS: &str = "portability.direct_messages.ongoing";
const POSTS: &str = "portability.posts.single";

/// An application taken through its whole life: submitted with direct messages, approved by
/// two reviewers (the second narrowing), a sandbox credential issued and rotated, a production
/// one issued and collected, and a message. Returns the application's id, the admin, the
/// developer, and every secret handed out.
async fn full_history(app: &TestApp) -> (String, Client, Client, Vec<String>) {
    // Submitted, with the sensitive scope.
    let mut dev = app.signed_in_user("dev@example.com", "Dev <b>Bold</b>").await;
    let (_, id) = ready_to_submit(&mut dev).await;
    let path = format!("/api/v1/applications/{id}");
    let mut scopes = crate::common::fixtures::complete_patch()["scopes"].clone();
    scopes
        .as_array_mut()
        .unwrap()
        .push(json!({"name": DMS, "justification": "To archive the person's conversations."}));
    let (status, body) = dev.patch_json(&path, json!({"scopes": scopes})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = dev.post_json(&format!("{path}/submit"), json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Someone else's doings, recorded between the application's.
    let mut other = app.signed_in_user("other@elsewhere.example", "Other Person").await;
    draft(&mut other).await;

    // Two reviewers approve; the second narrows the grant.
    let mut admin = app.signed_in_admin().await;
    let mut first = reviewer(app, &mut admin, "one@example.com").await;
    let mut second = reviewer(app, &mut admin, "two@example.com").await;
    pass_everything(&mut first, &path).await;
    let all = json!({"decision": "approve", "granted_scopes": [POSTS, "portability.connections.single", DMS], "message": "Fine by me."});
    let (status, body) = decide(&mut first, &path, all).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    pass_everything(&mut second, &path).await;
    let narrowed =
        json!({"decision": "approve", "granted_scopes": [POSTS, DMS], "message": "Followers are not needed."});
    let (status, body) = decide(&mut second, &path, narrowed).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["application"]["status"], "approved");

    // Credentials: sandbox issued and rotated; production issued by the admin, collected.
    let mut secrets = Vec::new();
    let (status, sandbox) = dev.post_json(&format!("{path}/credentials"), json!({"environment": "sandbox"})).await;
    assert_eq!(status, StatusCode::CREATED, "{sandbox}");
    secrets.push(sandbox["client_secret"].as_str().unwrap().to_owned());
    let client_id = sandbox["client_id"].as_str().unwrap();
    let (status, rotated) = dev.post_json(&format!("/api/v1/credentials/{client_id}/rotate"), json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{rotated}");
    secrets.push(rotated["client_secret"].as_str().unwrap().to_owned());
    let (status, live) = admin.post_json(&format!("{path}/credentials"), json!({"environment": "production"})).await;
    assert_eq!(status, StatusCode::CREATED, "{live}");
    let live_id = live["client_id"].as_str().unwrap();
    let (status, collected) = dev.post_json(&format!("/api/v1/credentials/{live_id}/collect"), json!({})).await;
    assert_eq!(status, StatusCode::OK, "{collected}");
    secrets.push(collected["client_secret"].as_str().unwrap().to_owned());

    // A message.
    let (status, body) =
        dev.post_json(&format!("{path}/messages"), json!({"body": "Thanks! <script>alert(1)</script>"})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    (id, admin, dev, secrets)
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

/// Downloads the pack, checking its headers.
pub(crate) async fn download(client: &mut Client, id: &str) -> Vec<u8> {
    let response = client.get(&format!("/api/v1/applications/{id}/evidence")).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/zip");
    let disposition = response.headers()["content-disposition"].to_str().unwrap().to_owned();
    let today = chrono::Utc::now().format("%Y-%m-%d");
    assert_eq!(disposition, format!("attachment; filename=\"evidence-{id}-{today}.zip\""));
    response.bytes().await.unwrap().to_vec()
}

pub(crate) fn unzip(bytes: &[u8]) -> BTreeMap<String, Vec<u8>> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut files = BTreeMap::new();
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index).unwrap();
        let mut content = Vec::new();
        entry.read_to_end(&mut content).unwrap();
        files.insert(entry.name().to_owned(), content);
    }
    files
}

pub(crate) fn rezip(files: &BTreeMap<String, Vec<u8>>) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (path, content) in files {
        writer.start_file(path.as_str(), zip::write::SimpleFileOptions::default()).unwrap();
        writer.write_all(content).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

pub(crate) fn json_of(files: &BTreeMap<String, Vec<u8>>, path: &str) -> Value {
    serde_json::from_slice(files.get(path).unwrap_or_else(|| panic!("{path} in the pack"))).unwrap()
}

/// Rewrites the manifest's line for `path`, as a forger who edits a file would.
fn relist(files: &mut BTreeMap<String, Vec<u8>>, path: &str) {
    use sha2::Digest;
    let mut manifest = json_of(files, "manifest.json");
    let content = &files[path];
    for entry in manifest["files"].as_array_mut().unwrap() {
        if entry["path"] == path {
            entry["size"] = json!(content.len());
            entry["sha256"] = json!(hex::encode(sha2::Sha256::digest(content)));
        }
    }
    files.insert("manifest.json".into(), serde_json::to_vec(&manifest).unwrap());
}

/// The published key, in a file, as a regulator would save it.
pub(crate) async fn published_key(app: &TestApp, dir: &Path) -> PathBuf {
    let response = app.client().get("/.well-known/portcullis-audit-key").await;
    assert_eq!(response.status(), StatusCode::OK);
    let path = dir.join("portal.pem");
    std::fs::write(&path, response.text().await.unwrap()).unwrap();
    path
}

/// `portcullis evidence verify PACK --key KEY`, the real binary, with no database.
pub(crate) fn verify(dir: &Path, name: &str, pack: &[u8], key: &Path) -> (Option<i32>, String) {
    let path = dir.join(name);
    std::fs::write(&path, pack).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_portcullis"))
        .args(["evidence", "verify"])
        .arg(&path)
        .arg("--key")
        .arg(key)
        .current_dir(dir)
        .env_remove("DATABASE_URL")
        .env_remove("PORTCULLIS_AUDIT_SIGNING_KEY")
        .output()
        .expect("binary runs");
    (out.status.code(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

#[tokio::test]
async fn an_evidence_pack_holds_the_whole_history_without_a_secret_and_verifies_offline() {
    let app = TestApp::spawn().await;
    let (id, mut admin, _dev, secrets) = full_history(&app).await;
    let dir = tempfile::tempdir().unwrap();
    let key = published_key(&app, dir.path()).await;

    // Exported by the admin: every part is there.
    let pack = download(&mut admin, &id).await;
    let files = unzip(&pack);
    for path in [
        "manifest.json",
        "application.json",
        "revisions/0001.json",
        "mockups/index.json",
        "reviews.json",
        "decisions.json",
        "credentials.json",
        "messages.json",
        "audit/chain.json",
        "summary.html",
    ] {
        assert!(files.contains_key(path), "{path}: {:?}", files.keys().collect::<Vec<_>>());
    }
    let manifest = json_of(&files, "manifest.json");
    assert_eq!(manifest["format"], "portcullis-evidence-pack");
    assert_eq!(manifest["application_id"], id.as_str());
    assert_eq!(manifest["files"].as_array().unwrap().len(), files.len() - 1, "every file but itself");

    let revision = json_of(&files, "revisions/0001.json");
    assert_eq!(revision["scopes"][2]["justification"], "To archive the person's conversations.");
    assert_eq!(revision["attestations"]["data_handling"]["storage_region"], "EU (Frankfurt)");
    let index = json_of(&files, "mockups/index.json");
    let sha = index[0]["sha256"].as_str().unwrap();
    assert_eq!(index[0]["revisions"], json!([1]));
    assert!(files.contains_key(&format!("mockups/{sha}.png")));
    let checklists = files.keys().filter(|p| p.starts_with("checklists/")).count();
    assert!(checklists >= 2, "the privacy and security checklists used");
    let reviews = json_of(&files, "reviews.json");
    assert_eq!(reviews.as_array().unwrap().len(), 2);
    assert_eq!(reviews[0]["verdicts"][0]["reviewer"]["email"], "one@example.com");
    assert_eq!(reviews[0]["verdicts"][0]["verdict"], "pass");
    let decisions = json_of(&files, "decisions.json");
    let pair = &decisions["four_eyes"][0];
    assert_eq!(pair["first_approver"]["email"], "one@example.com");
    assert_eq!(pair["second_approver"]["email"], "two@example.com");
    assert_eq!(decisions["decisions"][1]["granted_scopes"], json!([DMS, POSTS]));
    let credentials = json_of(&files, "credentials.json");
    let events: Vec<&str> =
        credentials["events"].as_array().unwrap().iter().map(|e| e["event"].as_str().unwrap()).collect();
    for event in ["issued", "rotated", "collected"] {
        assert!(events.contains(&event), "{event}: {events:?}");
    }
    assert_eq!(json_of(&files, "messages.json")[0]["body"], "Thanks! <script>alert(1)</script>");
    let chain = json_of(&files, "audit/chain.json");
    let records: Vec<&Value> = chain["segments"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["links"].as_array().unwrap())
        .filter(|l| l["kind"] == "record" && l["concerns"] == true)
        .collect();
    let actions: Vec<&str> = records.iter().map(|r| r["action"].as_str().unwrap()).collect();
    for action in ["application.created", "application.decided", "credential.issued", "evidence.exported"] {
        assert!(actions.contains(&action), "{action}: {actions:?}");
    }
    for field in ["seq", "at", "actor_id", "actor_email", "action", "object_type", "object_id", "ip", "details"] {
        assert!(records[0].get(field).is_some(), "{field}");
    }
    assert!(records.iter().all(|r| r["object_id"] == id.as_str() || r["object_type"] == "mockup"));
    // Every other record is linked by its hash alone: no one else's email or organisation.
    let text = String::from_utf8_lossy(&files["audit/chain.json"]).into_owned();
    assert!(text.contains("\"kind\": \"hashed\""), "records between are linked by hash");
    assert!(!text.contains("other@elsewhere.example"), "another's record in full");

    // The summary is self-contained, readable, and escapes what users wrote.
    let summary = String::from_utf8(files["summary.html"].clone()).unwrap();
    assert!(summary.contains("Dev &lt;b&gt;Bold&lt;/b&gt; (dev@example.com) submitted revision 1."), "{summary}");
    assert!(
        summary.contains("Reviewer (two@example.com) approved revision 1, the second of two approvals"),
        "{summary}"
    );
    assert!(summary.contains("Reviewer (one@example.com) gave the first of two approvals of revision 1"), "{summary}");
    assert!(summary.contains("rotated the secret of credential"), "{summary}");
    assert!(summary.contains(" UTC</td>"));
    assert!(!summary.contains("<script") && !summary.contains("<b>"), "{summary}");

    // No secret, and no secret's hash, anywhere: not in the ZIP's bytes, not in any file.
    let hashes: Vec<String> = credential_secret::Entity::find()
        .all(app.services.db())
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.secret_hash)
        .collect();
    assert!(hashes.len() >= 3);
    for needle in secrets.iter().chain(&hashes) {
        let found = |bytes: &[u8]| bytes.windows(needle.len()).any(|w| w == needle.as_bytes());
        assert!(!found(&pack), "a secret in the ZIP's bytes");
        assert!(files.values().all(|content| !found(content)), "a secret in a file");
        assert!(needle.len() >= 20, "a real secret or hash");
    }

    let (code, out) = verify(dir.path(), "admin.zip", &pack, &key);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains(&format!("evidence pack intact: application {id}")), "{out}");

    // Exported by an auditor: the export and the reading are both on the record.
    let mut auditor = auditor(&app, &mut admin).await;
    let pack = download(&mut auditor, &id).await;
    let (code, out) = verify(dir.path(), "auditor.zip", &pack, &key);
    assert_eq!(code, Some(0), "{out}");
    let (_, exported) = admin.get_json(&format!("/api/v1/audit?action=evidence.exported&object_id={id}")).await;
    assert_eq!(exported["total"], 2, "{exported}");
    assert_eq!(exported["items"][0]["actor_email"], "auditor@regulator.example");
    let (_, viewed) = admin.get_json(&format!("/api/v1/audit?action=auditor.viewed&object_id={id}")).await;
    let what: Vec<Value> = viewed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| serde_json::from_str::<Value>(r["details"].as_str().unwrap()).unwrap()["what"].clone())
        .collect();
    assert!(what.contains(&json!("evidence pack")), "{what:?}");
    // The auditor's own export record is in the auditor's pack, vouching for its files.
    let files = unzip(&pack);
    let chain = String::from_utf8_lossy(&files["audit/chain.json"]).into_owned();
    assert!(chain.contains("auditor@regulator.example"), "the auditor's own records concern the application");
}

#[tokio::test]
async fn one_changed_byte_or_another_key_fails_verification_naming_the_fault() {
    let app = TestApp::spawn().await;
    let (id, mut admin, _dev, _) = full_history(&app).await;
    let dir = tempfile::tempdir().unwrap();
    let key = published_key(&app, dir.path()).await;
    let pack = download(&mut admin, &id).await;
    assert_eq!(verify(dir.path(), "intact.zip", &pack, &key).0, Some(0));

    // One byte of a file's content.
    let mut files = unzip(&pack);
    let summary = files.get_mut("summary.html").unwrap();
    let at = summary.len() / 2;
    summary[at] ^= 0x01;
    let (code, out) = verify(dir.path(), "content.zip", &rezip(&files), &key);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("summary.html: its content does not match its SHA-256 in the manifest"), "{out}");
    // The same with the manifest rewritten to match: the signed export record still vouches
    // for the original.
    relist(&mut files, "summary.html");
    let (code, out) = verify(dir.path(), "content-relisted.zip", &rezip(&files), &key);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("summary.html: its SHA-256 is not the one the signed evidence.exported record"), "{out}");

    // One byte of an audit record: the decision's actor.
    let mut files = unzip(&pack);
    let text = String::from_utf8(files["audit/chain.json"].clone()).unwrap();
    let at = text.find("\"action\": \"application.decided\"").expect("a decision record");
    let (seq_at, seq) = {
        let before = &text[..at];
        let start = before.rfind("\"seq\": ").unwrap() + "\"seq\": ".len();
        let end = start + before[start..].find(',').unwrap();
        (start, before[start..end].to_owned())
    };
    assert!(seq_at < at);
    let email_at = text[..at].rfind("\"actor_email\": \"").unwrap() + "\"actor_email\": \"".len();
    assert_eq!(&text[email_at..email_at + 4], "one@", "the first approver's");
    let mut bytes = text.into_bytes();
    bytes[email_at] = b'x';
    files.insert("audit/chain.json".into(), bytes);
    let (code, out) = verify(dir.path(), "record.zip", &rezip(&files), &key);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("audit/chain.json: its content does not match its SHA-256 in the manifest"), "{out}");
    relist(&mut files, "audit/chain.json");
    let (code, out) = verify(dir.path(), "record-relisted.zip", &rezip(&files), &key);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains(&format!("audit record {seq}: its content does not match its hash (altered)")), "{out}");

    // An unlisted file.
    let mut files = unzip(&pack);
    files.insert("notes.txt".into(), b"added later".to_vec());
    let (code, out) = verify(dir.path(), "extra.zip", &rezip(&files), &key);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("notes.txt: in the pack but not listed in the manifest"), "{out}");

    // Checked with another key.
    let other = dir.path().join("other.pem");
    std::fs::write(&other, SigningKey::generate().public().pem()).unwrap();
    let (code, out) = verify(dir.path(), "intact.zip", &pack, &other);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("signed by another key"), "{out}");
}

#[tokio::test]
async fn only_admins_and_auditors_get_a_pack_and_drafts_or_unknown_ids_are_not_found() {
    let app = TestApp::spawn().await;
    let mut admin = app.signed_in_admin().await;
    let (mut dev, id) = crate::common::fixtures::submitted_as(&app, "dev@example.com").await;
    let (_, draft_id) = draft(&mut dev).await;
    let mut rev = reviewer(&app, &mut admin, "rev@example.com").await;
    let evidence = |id: &str| format!("/api/v1/applications/{id}/evidence");

    assert_eq!(dev.get(&evidence(&id)).await.status(), StatusCode::FORBIDDEN, "not even its own developer");
    assert_eq!(rev.get(&evidence(&id)).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.client().get(&evidence(&id)).await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(admin.get(&evidence("no-such-application")).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(admin.get(&evidence(&draft_id)).await.status(), StatusCode::NOT_FOUND);
    let mut auditor = auditor(&app, &mut admin).await;
    assert_eq!(auditor.get(&evidence(&draft_id)).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(auditor.get(&evidence(&id)).await.status(), StatusCode::OK);

    // The application page offers the pack to those who may take it.
    let button = format!("href=\"/api/v1/applications/{id}/evidence\"");
    for (client, offered) in [(&mut admin, true), (&mut auditor, true), (&mut dev, false), (&mut rev, false)] {
        let page = client.get(&format!("/applications/{id}")).await.text().await.unwrap();
        assert!(page.contains("What was submitted"), "the page rendered");
        assert_eq!(page.contains(&button) && page.contains("Download evidence pack"), offered, "{page}");
    }

    // Refusals export nothing.
    let (_, exported) = admin.get_json("/api/v1/audit?action=evidence.exported").await;
    assert_eq!(exported["total"], 1, "{exported}");
}

/// Appends `n` chained records in format 1, someone else's, as a trail from before format 2
/// would hold them.
async fn append_format_1(app: &TestApp, n: i64) {
    let db = app.services.db();
    let last = audit_log::Entity::find().order_by_desc(audit_log::Column::Seq).one(db).await.unwrap().unwrap();
    let (mut seq, mut prev) = (last.seq, last.hash);
    for _ in 0..n {
        seq += 1;
        let mut row = audit_log::Model {
            seq,
            at: last.at.clone(),
            actor_id: Some("u-legacy".into()),
            actor_email: Some("legacy@elsewhere.example".into()),
            action: "user.login".into(),
            object_type: "user".into(),
            object_id: Some("u-legacy".into()),
            ip: Some("203.0.113.9".into()),
            details: "{}".into(),
            prev_hash: prev.clone(),
            hash: String::new(),
            format: ChainFormat::V1.number(),
        };
        row.hash = ChainFormat::V1.hash(&prev, &row.fields());
        prev = row.hash.clone();
        audit_log::Entity::insert(row.into_active_model()).exec_without_returning(db).await.unwrap();
    }
}

#[tokio::test]
async fn records_from_before_format_2_link_whole_and_the_pack_still_verifies() {
    let app = TestApp::spawn().await;
    let mut admin = app.signed_in_admin().await;
    let (_dev, id) = crate::common::fixtures::submitted_as(&app, "dev@example.com").await;
    append_format_1(&app, 3).await;
    let mut dev = app.signed_in_user("late@example.com", "Late").await;
    draft(&mut dev).await;
    assert!(
        matches!(audit::verify(&app.services).await.unwrap(), ChainReport::Intact { .. }),
        "a trail of both formats verifies"
    );

    let pack = download(&mut admin, &id).await;
    let files = unzip(&pack);
    let chain = json_of(&files, "audit/chain.json");
    let links: Vec<&Value> =
        chain["segments"].as_array().unwrap().iter().flat_map(|s| s["links"].as_array().unwrap()).collect();
    let whole_others: Vec<&&Value> = links.iter().filter(|l| l["kind"] == "record" && l["concerns"] == false).collect();
    assert_eq!(whole_others.len(), 3, "the format-1 records between, whole");
    assert!(whole_others.iter().all(|l| l["format"] == 1 && l["actor_email"] == "legacy@elsewhere.example"));
    assert!(links.iter().any(|l| l["kind"] == "hashed"), "format-2 records between, by hash");
    assert!(!String::from_utf8_lossy(&files["audit/chain.json"]).contains("late@example.com"));

    let dir = tempfile::tempdir().unwrap();
    let key = published_key(&app, dir.path()).await;
    let (code, out) = verify(dir.path(), "mixed.zip", &pack, &key);
    assert_eq!(code, Some(0), "{out}");
}
