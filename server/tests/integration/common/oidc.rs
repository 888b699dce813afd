//! A real OpenID Connect provider process (`end2end/oidc/provider.mjs`, the npm package
//! `oidc-provider`) on loopback, with its own signing keys and accounts a test can change, and
//! a browser-like client that signs in there.

use reqwest::StatusCode;
use reqwest::header::LOCATION;
use serde_json::Value;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use tempfile::TempDir;

pub const CLIENT_ID: &str = "portcullis-test";
pub const CLIENT_SECRET: &str = "test-client-secret-of-enough-length";

pub struct OidcProvider {
    pub issuer: String,
    accounts: PathBuf,
    child: Option<Child>,
    _dir: TempDir,
}

impl OidcProvider {
    /// Starts the provider for a portal that will serve at `portal_base`, with these
    /// `accounts` (`{"alice": {"email", "name", "groups": [...]}}`) and ID tokens that live
    /// `id_token_ttl` seconds; with `claims_in_userinfo_only`, the ID token carries no email,
    /// name or groups, and userinfo has them.
    pub async fn start(portal_base: &str, accounts: Value, id_token_ttl: u64, claims_in_userinfo_only: bool) -> Self {
        let dir = TempDir::new().unwrap();
        let file = dir.path().join("accounts.json");
        std::fs::write(&file, accounts.to_string()).unwrap();
        let port = super::free_port();
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../end2end/oidc/provider.mjs");
        let mut child = Command::new("node")
            .arg(script)
            .env("OIDC_PORT", port.to_string())
            .env("OIDC_ACCOUNTS", &file)
            .env("OIDC_CLIENT_ID", CLIENT_ID)
            .env("OIDC_CLIENT_SECRET", CLIENT_SECRET)
            .env("OIDC_REDIRECT_URI", format!("{portal_base}/auth/oidc/callback"))
            .env("OIDC_POST_LOGOUT_REDIRECT_URI", format!("{portal_base}/login"))
            .env("OIDC_ID_TOKEN_TTL", id_token_ttl.to_string())
            .env("OIDC_CLAIMS_IN_USERINFO_ONLY", if claims_in_userinfo_only { "1" } else { "0" })
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("node end2end/oidc/provider.mjs (npm ci in end2end/)");
        let issuer = format!("http://127.0.0.1:{port}");
        let discovery = format!("{issuer}/.well-known/openid-configuration");
        for _ in 0..100 {
            if reqwest::get(&discovery).await.is_ok_and(|r| r.status().is_success()) {
                return Self { issuer, accounts: file, child: Some(child), _dir: dir };
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!("the OpenID provider did not start on port {port}");
    }

    /// Replaces the accounts; the provider reads them again at the next sign-in.
    pub fn set_accounts(&self, accounts: Value) {
        std::fs::write(&self.accounts, accounts.to_string()).unwrap();
    }

    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// The portal's settings for this provider.
    pub fn portal_env(&self, roles: &str) -> Vec<(&'static str, String)> {
        vec![
            ("PORTCULLIS_OIDC_ISSUER", self.issuer.clone()),
            ("PORTCULLIS_OIDC_CLIENT_ID", CLIENT_ID.into()),
            ("PORTCULLIS_OIDC_CLIENT_SECRET", CLIENT_SECRET.into()),
            ("PORTCULLIS_OIDC_ROLES", roles.into()),
        ]
    }
}

impl Drop for OidcProvider {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The browser's side at the provider: its own cookies there, and no redirect followed by
/// itself, so the test sees each step.
pub struct ProviderBrowser {
    http: reqwest::Client,
}

impl Default for ProviderBrowser {
    fn default() -> Self {
        Self::new()
    }
}

impl ProviderBrowser {
    pub fn new() -> Self {
        let http =
            reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap();
        Self { http }
    }

    async fn location(&self, response: reqwest::Response) -> String {
        assert!(response.status().is_redirection(), "expected a redirect, got {}", response.status());
        response.headers()[LOCATION].to_str().unwrap().to_owned()
    }

    /// Follows the authorization URL as a browser would, signs in as `login` on the
    /// provider's form, and returns the URL the provider sends the browser back to (the
    /// portal's callback, with `code` and `state`).
    pub async fn sign_in(&self, authorize_url: &str, login: &str) -> String {
        let base = authorize_url.split("/auth?").next().unwrap().to_owned();
        let absolute =
            |location: String| if location.starts_with('/') { format!("{base}{location}") } else { location };
        let mut url = absolute(self.location(self.http.get(authorize_url).send().await.unwrap()).await);
        for _ in 0..5 {
            if !url.starts_with(&base) {
                return url;
            }
            if url.contains("/interaction/") {
                let form = [("login", login)];
                let r = self.http.post(format!("{url}/login")).form(&form).send().await.unwrap();
                assert_ne!(r.status(), StatusCode::BAD_REQUEST, "the provider knows {login}");
                url = absolute(self.location(r).await);
            } else {
                url = absolute(self.location(self.http.get(&url).send().await.unwrap()).await);
            }
        }
        panic!("the provider did not send the browser back: {url}");
    }
}
