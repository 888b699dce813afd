//! The OAuth endpoints under load: a client's token requests and the gateway's introspection,
//! with credentials and a gateway key made through the JSON API as an admin would.

use crate::load::Target;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

pub struct OAuthTargets {
    pub token: Target,
    pub introspect: Target,
}

async fn call(request: reqwest::RequestBuilder, what: &str) -> Result<Value, String> {
    let response = request.send().await.map_err(|e| format!("{what}: {e}"))?;
    let status = response.status();
    let body: Value = response.json().await.map_err(|e| format!("{what}: {e}"))?;
    if status.is_success() { Ok(body) } else { Err(format!("{what}: {status} {body}")) }
}

/// Sandbox credentials for a seeded application (the token endpoint treats both environments
/// alike), a gateway key, and one access token to introspect.
pub async fn prepare(base: &str, admin_cookie: &str) -> Result<OAuthTargets, String> {
    let http = reqwest::Client::new();
    let api = |path: &str| format!("{base}/api/v1{path}");
    let queue = call(http.get(api("/review/queue")).header("cookie", admin_cookie), "queue").await?;
    let id = queue["items"][0]["id"].as_str().ok_or("the queue is empty")?.to_owned();
    let credentials = call(
        http.post(api(&format!("/applications/{id}/credentials")))
            .header("cookie", admin_cookie)
            .json(&json!({"environment": "sandbox"})),
        "issue credentials",
    )
    .await?;
    let key = call(
        http.post(api("/gateway-keys")).header("cookie", admin_cookie).json(&json!({"name": "Bench gateway"})),
        "create a gateway key",
    )
    .await?;
    let client_id = credentials["client_id"].as_str().ok_or("no client_id")?;
    let client_secret = credentials["client_secret"].as_str().ok_or("no client_secret")?;
    let key = key["key"].as_str().ok_or("no key")?;
    let basic = format!("Basic {}", STANDARD.encode(format!("{client_id}:{client_secret}")));
    let token = Target::form(base, "/oauth/token", &[("grant_type", "client_credentials")], basic.clone());
    let issued = call(
        http.post(format!("{base}/oauth/token"))
            .header("authorization", &basic)
            .form(&[("grant_type", "client_credentials")]),
        "token",
    )
    .await?;
    let access_token = issued["access_token"].as_str().ok_or("no access_token")?;
    let introspect = Target::form(base, "/oauth/introspect", &[("token", access_token)], format!("Bearer {key}"));
    introspect.check_contains("\"active\":true").await?;
    Ok(OAuthTargets { token, introspect })
}
