//! The security baseline: cross-site refusal and headers (the audit trail's integrity is in `audit`).

use crate::common;

use common::{TestApp, json};
use reqwest::StatusCode;
use reqwest::header::HeaderValue;

#[tokio::test]
async fn cross_site_state_changes_are_refused() {
    let app = TestApp::spawn().await;
    let mut evil = app.client();
    evil.headers.insert("origin", HeaderValue::from_static("https://evil.example"));
    let (status, body) = evil
        .post_json(
            "/api/v1/auth/register",
            json!({"email": "x@example.com", "password": "correct horse battery", "name": "X"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["error"]["code"], "cross_site_request");

    let mut fetch_meta = app.client();
    fetch_meta.headers.insert("sec-fetch-site", HeaderValue::from_static("cross-site"));
    let r = fetch_meta.post("/rpc/login", json!({})).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "server functions are guarded too");

    // The portal's own origin is fine; reads are never refused.
    let mut own = app.client();
    own.headers.insert("origin", HeaderValue::from_str(&app.base).unwrap());
    let (status, _) = own
        .post_json(
            "/api/v1/auth/register",
            json!({"email": "y@example.com", "password": "correct horse battery", "name": "Y"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(evil.get("/healthz").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn security_headers_on_pages_and_api() {
    let app = TestApp::spawn().await;
    let mut client = app.client();

    let page = client.get("/").await;
    assert_eq!(page.status(), StatusCode::OK);
    let h = page.headers().clone();
    let csp = h["content-security-policy"].to_str().unwrap().to_owned();
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(csp.contains("'wasm-unsafe-eval'"), "{csp}");
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    let nonce = csp.split("'nonce-").nth(1).unwrap().split('\'').next().unwrap().to_owned();
    let html = page.text().await.unwrap();
    assert!(html.contains(&format!("nonce=\"{nonce}\"")), "scripts carry the response's nonce");
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["referrer-policy"], "same-origin");
    assert_eq!(h["cache-control"], "no-store");
    assert!(h.get("strict-transport-security").is_none(), "no HSTS over plain http");

    let again = client.get("/").await;
    let csp2 = again.headers()["content-security-policy"].to_str().unwrap().to_owned();
    assert_ne!(csp, csp2, "a fresh nonce per response");

    let api = client.get("/api/v1/me").await;
    assert_eq!(api.headers()["x-content-type-options"], "nosniff");
    assert!(api.headers()["content-security-policy"].to_str().unwrap().contains("frame-ancestors 'none'"));
    assert!(api.headers().get("x-request-id").is_some());
}

#[tokio::test]
async fn pages_and_json_are_compressed_for_browsers_that_ask() {
    let app = TestApp::spawn().await;
    let raw = reqwest::Client::builder().no_proxy().build().unwrap();
    for path in ["/", "/login", "/api/v1/scopes"] {
        let response =
            raw.get(format!("{}{path}", app.base)).header("accept-encoding", "br, gzip").send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert_eq!(response.headers()["content-encoding"], "br", "{path}");
        let plain = raw.get(format!("{}{path}", app.base)).send().await.unwrap();
        assert!(plain.headers().get("content-encoding").is_none(), "{path}: only when asked");
    }
}

/// Files of the build and pages requested together: each page keeps its own headers. Leptos's
/// file handler once moved a page's CSP onto a file's response when the two were served
/// together on one thread.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_keep_their_headers_while_files_are_served_beside_them() {
    let site = tempfile::TempDir::new().unwrap();
    std::fs::create_dir_all(site.path().join("pkg")).unwrap();
    std::fs::write(site.path().join("pkg/portcullis.js"), "export default 1;".repeat(100)).unwrap();
    let app = TestApp::spawn_with(common::Options {
        env: vec![("PORTCULLIS_SITE_ROOT", site.path().display().to_string())],
        ..Default::default()
    })
    .await;
    let raw = reqwest::Client::builder().no_proxy().build().unwrap();
    let mut requests = tokio::task::JoinSet::new();
    for i in 0..120 {
        let (raw, base) = (raw.clone(), app.base.clone());
        let path = if i % 2 == 0 { "/login" } else { "/pkg/portcullis.js" };
        requests.spawn(async move {
            let response = raw.get(format!("{base}{path}")).send().await.unwrap();
            let csp = response.headers().get("content-security-policy").map(|v| v.to_str().unwrap().to_owned());
            (path, response.status(), csp)
        });
    }
    while let Some(result) = requests.join_next().await {
        let (path, status, csp) = result.unwrap();
        assert_eq!(status, StatusCode::OK, "{path}");
        if path == "/login" {
            assert!(csp.is_some_and(|csp| csp.contains("'nonce-")), "the page's own policy");
        } else {
            assert_eq!(csp, None, "a build file is no document: no page's policy may end up on it");
        }
    }
}

#[tokio::test]
async fn request_ids_are_the_portal_s_own_and_name_the_error() {
    let app = TestApp::spawn().await;
    let mut client = app.client();
    client.headers.insert("x-request-id", "chosen-by-the-client".parse().unwrap());
    let response = client.get("/api/v1/me").await;
    let id = response.headers()["x-request-id"].to_str().unwrap().to_owned();
    assert!(id.len() == 32 && id.chars().all(|c| c.is_ascii_hexdigit()), "the portal's id, not the client's: {id}");
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["error"]["request_id"], id.as_str(), "the error body names the same request");
    let page = client.get("/").await;
    let other = page.headers()["x-request-id"].to_str().unwrap();
    assert_ne!(other, id, "one id per request, pages included");
}

#[tokio::test]
async fn hsts_and_host_cookie_over_https() {
    let app = TestApp::spawn_with(common::Options {
        env: vec![("PORTCULLIS_PUBLIC_URL", "https://portal.example.com".into())],
        ..Default::default()
    })
    .await;
    let mut client = app.client();
    client
        .post(
            "/api/v1/auth/register",
            json!({"email": "s@example.com", "password": "correct horse battery", "name": "S"}),
        )
        .await;
    let r =
        client.post("/api/v1/auth/login", json!({"email": "s@example.com", "password": "correct horse battery"})).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["strict-transport-security"].to_str().unwrap().contains("max-age="));
    let cookie = r.headers()["set-cookie"].to_str().unwrap();
    assert!(cookie.starts_with("__Host-portcullis_session="), "{cookie}");
    assert!(cookie.contains("Secure") && cookie.contains("Path=/") && !cookie.contains("Domain"), "{cookie}");
}

#[tokio::test]
async fn health_reports_ok() {
    let app = TestApp::spawn().await;
    let (status, body) = app.client().get_json("/healthz").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, json!({"status": "ok"}));
}

#[tokio::test]
async fn openapi_document_lists_the_api() {
    let app = TestApp::spawn().await;
    let (status, doc) = app.client().get_json("/api/v1/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    assert_eq!(doc["servers"], json!([{"url": "/", "description": doc["servers"][0]["description"]}]));
    let api = ["/auth/register", "/auth/login", "/auth/logout", "/me", "/users", "/users/{id}/roles", "/audit"];
    for path in
        api.map(|path| format!("/api/v1{path}")).into_iter().chain(["/oauth/token".into(), "/oauth/introspect".into()])
    {
        assert!(doc["paths"].get(&path).is_some(), "{path} documented where it is served");
    }
}

#[tokio::test]
async fn the_not_found_page_says_404_and_keeps_the_visitor_signed_in() {
    let app = TestApp::spawn().await;
    let mut dev = app.signed_in_user("dev@example.com", "Dev").await;
    let r = dev.get("/no-such-page").await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let page = r.text().await.unwrap();
    assert!(page.contains("Page not found."), "{page}");
    assert!(page.contains("Sign out") && !page.contains(">Sign in<"), "the header shows who is signed in: {page}");
    // Build files are still served, and a missing one is the same page.
    let css = dev.get("/pkg/no-such-file.css").await;
    assert_eq!(css.status(), StatusCode::NOT_FOUND);
}
