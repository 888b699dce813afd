//! Test data: real image and PDF files, and a complete application.

use super::{Client, TestApp, json};
use serde_json::Value;
use std::io::Cursor;

fn encode(image: image::DynamicImage, format: image::ImageFormat) -> Vec<u8> {
    let mut bytes = Cursor::new(Vec::new());
    image.write_to(&mut bytes, format).expect("encode test image");
    bytes.into_inner()
}

fn gradient(width: u32, height: u32) -> image::DynamicImage {
    image::DynamicImage::ImageRgb8(image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, ((x + y) % 256) as u8])
    }))
}

pub fn png(width: u32, height: u32) -> Vec<u8> {
    encode(gradient(width, height), image::ImageFormat::Png)
}

pub fn jpeg() -> Vec<u8> {
    encode(gradient(64, 48), image::ImageFormat::Jpeg)
}

pub fn webp() -> Vec<u8> {
    encode(image::DynamicImage::ImageRgba8(gradient(32, 32).to_rgba8()), image::ImageFormat::WebP)
}

/// A one-page PDF.
pub fn pdf() -> Vec<u8> {
    use lopdf::dictionary;
    use lopdf::{Document, Object, Stream};
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let content = Stream::new(dictionary! {}, b"BT /F1 12 Tf 72 712 Td (Consent) Tj ET".to_vec());
    let content_id = doc.add_object(content);
    let page_id = doc.add_object(dictionary! {
        "Type" => "Page",
        "Parent" => pages_id,
        "Contents" => content_id,
        "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
    });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => vec![page_id.into()], "Count" => 1 }),
    );
    let catalog_id = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog_id);
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes).expect("write test PDF");
    bytes
}

pub fn org_input() -> Value {
    json!({"name": "Zoë Data Tools GmbH", "country": "DE", "website": "https://zoe.example", "contact_email": "privacy@zoe.example"})
}

/// Every form field filled in, valid.
pub fn complete_patch() -> Value {
    json!({
        "description": "Moves your posts and followers into your own encrypted archive.",
        "website_url": "https://zoe.example",
        "privacy_policy_url": "https://zoe.example/privacy",
        "redirect_uris": ["https://zoe.example/oauth/callback", "http://127.0.0.1:8080/callback"],
        "use_case": "Zoë Export lets people keep a private copy of what they published. ".repeat(5),
        "scopes": [
            {"name": "portability.posts.single", "justification": "To copy the person's posts once into their archive."},
            {"name": "portability.connections.single", "justification": "To keep the list of followers beside the posts."}
        ],
        "eea": {"serves_eea_users": true, "countries": ["DE", "FR", "NO"], "distinguishing_method": "The account's country of residence, as the platform reports it at authorization time."},
        "data_handling": {
            "storage_region": "EU (Frankfurt)", "retention_days": 30, "encryption_at_rest": true,
            "deletion_process": "A delete button in the app erases the archive within 24 hours.",
            "subprocessors": ["Hetzner Online GmbH"], "security_contact_email": "security@zoe.example"
        }
    })
}

/// Creates an organisation and a draft application; returns their ids.
pub async fn draft(client: &mut Client) -> (String, String) {
    let (status, body) = client.post_json("/api/v1/orgs", org_input()).await;
    assert_eq!(status, reqwest::StatusCode::CREATED, "{body}");
    let org_id = body["org"]["id"].as_str().unwrap().to_owned();
    let (status, body) =
        client.post_json("/api/v1/applications", json!({"org_id": org_id, "name": "Zoë Export"})).await;
    assert_eq!(status, reqwest::StatusCode::CREATED, "{body}");
    (org_id, body["application"]["id"].as_str().unwrap().to_owned())
}

/// A draft with every field filled in and one mockup: ready to submit.
pub async fn ready_to_submit(client: &mut Client) -> (String, String) {
    let (org_id, id) = draft(client).await;
    let (status, body) = client.patch_json(&format!("/api/v1/applications/{id}"), complete_patch()).await;
    assert_eq!(status, reqwest::StatusCode::OK, "{body}");
    let (status, body) = client
        .upload(&format!("/api/v1/applications/{id}/mockups"), Some("Authorization screen"), "auth.png", png(40, 30))
        .await;
    assert_eq!(status, reqwest::StatusCode::CREATED, "{body}");
    (org_id, id)
}

/// A submitted application of a new developer's new organisation; the developer's client
/// and the application's id.
pub async fn submitted_as(app: &TestApp, email: &str) -> (Client, String) {
    let mut dev = app.signed_in_user(email, "Dev").await;
    let (_, id) = ready_to_submit(&mut dev).await;
    let (status, body) = dev.post_json(&format!("/api/v1/applications/{id}/submit"), json!({})).await;
    assert_eq!(status, reqwest::StatusCode::OK, "{body}");
    (dev, id)
}

/// A new account made a reviewer by `admin`, signed in.
pub async fn reviewer(app: &TestApp, admin: &mut Client, email: &str) -> Client {
    let client = app.signed_in_user(email, "Reviewer").await;
    let (_, users) = admin.get_json(&format!("/api/v1/users?q={email}")).await;
    let id = users["items"][0]["id"].as_str().unwrap().to_owned();
    admin.put_json(&format!("/api/v1/users/{id}/roles"), json!({"roles": ["reviewer"]})).await;
    client
}

/// Claims the application and records `pass` on every item of the caller's review.
pub async fn pass_everything(rev: &mut Client, path: &str) -> Value {
    let (status, body) = rev.post_json(&format!("{path}/assign"), json!({})).await;
    assert_eq!(status, reqwest::StatusCode::OK, "{body}");
    let (status, review) = rev.get_json(&format!("{path}/review")).await;
    assert_eq!(status, reqwest::StatusCode::OK, "{review}");
    let mut last = review.clone();
    for item in review["items"].as_array().unwrap() {
        let (status, body) = rev
            .put_json(&format!("{path}/review/items/{}", item["item_id"].as_str().unwrap()), json!({"verdict": "pass"}))
            .await;
        assert_eq!(status, reqwest::StatusCode::OK, "{body}");
        last = body;
    }
    last
}

/// Posts a decision on the application at `path` as its page shows it now: the current
/// `revision` and `version` are added to `body`.
pub async fn decide(client: &mut Client, path: &str, mut body: Value) -> (reqwest::StatusCode, Value) {
    let (status, current) = client.get_json(path).await;
    assert_eq!(status, reqwest::StatusCode::OK, "{current}");
    body["revision"] = current["application"]["revision"].clone();
    body["version"] = current["application"]["version"].clone();
    client.post_json(&format!("{path}/decision"), body).await
}

/// A new reviewer (made by `admin`) passes every checklist item and approves `id` with
/// `granted` only.
pub async fn approve(app: &TestApp, admin: &mut Client, id: &str, granted: &[&str]) {
    let mut rev = reviewer(app, admin, "rev@example.com").await;
    let path = format!("/api/v1/applications/{id}");
    pass_everything(&mut rev, &path).await;
    let (status, body) = decide(
        &mut rev,
        &path,
        json!({"decision": "approve", "granted_scopes": granted, "message": "Approved for what it needs."}),
    )
    .await;
    assert_eq!(status, reqwest::StatusCode::OK, "{body}");
}

/// A key for the platform's gateway, made by `admin`.
pub async fn gateway_key(admin: &mut Client) -> String {
    let (status, body) = admin.post_json("/api/v1/gateway-keys", json!({"name": "Edge gateway"})).await;
    assert_eq!(status, reqwest::StatusCode::CREATED, "{body}");
    body["key"].as_str().unwrap().to_owned()
}

/// An access token from the client credentials grant at the portal at `base`.
pub async fn access_token(base: &str, client_id: &str, client_secret: &str) -> String {
    let response = reqwest::Client::new()
        .post(format!("{base}/oauth/token"))
        .basic_auth(client_id, Some(client_secret))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    let token: Value = response.json().await.unwrap();
    token["access_token"].as_str().expect("a token").to_owned()
}

/// What the gateway holding `key` is told about `token` by the portal at `base`.
pub async fn introspect(base: &str, key: &str, token: &str) -> (reqwest::StatusCode, Value) {
    let response = reqwest::Client::new()
        .post(format!("{base}/oauth/introspect"))
        .bearer_auth(key)
        .form(&[("token", token)])
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap())
}
