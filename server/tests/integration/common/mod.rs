//! Test harness: starts the real portal on a free port with a fresh database (SQLite, or
//! PostgreSQL when `PORTCULLIS_TEST_DATABASE` names a server) and drives it over HTTP.

pub mod fixtures;
pub mod oidc;
pub mod smtp;

use portcullis::config::Config;
use portcullis::startup::Application;
use portcullis_service::Services;
use portcullis_service::clock::{ManualClock, SharedClock, SystemClock};
use reqwest::header::{COOKIE, HeaderMap, SET_COOKIE};
use reqwest::{Method, Response, StatusCode};
use sea_orm::{ConnectionTrait, Database};
use serde_json::Value;
use std::collections::HashMap;
use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tempfile::TempDir;

pub struct TestApp {
    pub base: String,
    pub services: Services,
    pub data_dir: TempDir,
    pub database_url: String,
}

/// Settings a test may change before the app starts.
pub struct Options {
    pub env: Vec<(&'static str, String)>,
    pub clock: Option<ManualClock>,
    /// `PORTCULLIS_REQUIRE_MFA`: `off` unless a test is about second factors.
    pub require_mfa: &'static str,
    /// Where the portal listens, bound by a test that must know the address first; a fresh
    /// port otherwise.
    pub listener: Option<TcpListener>,
}

impl Default for Options {
    fn default() -> Self {
        Self { env: Vec::new(), clock: None, require_mfa: "off", listener: None }
    }
}

/// A loopback listener on a port the system picks: held from the start, so no other process
/// can take it.
pub fn loopback_listener() -> TcpListener {
    TcpListener::bind("127.0.0.1:0").expect("bind a loopback port")
}

/// A port that is free now, for a child process that must bind it itself (an SMTP server, the
/// OpenID provider, a `serve` command). Chosen below the system's ephemeral range
/// (`ip_local_port_range`, 32768 and up): ports the system hands out for port 0 and for
/// outgoing connections (to PostgreSQL, to the portal) come from that range, so one of them
/// cannot take the port between this check and the child's bind.
pub fn free_port() -> u16 {
    use std::hash::{BuildHasher, RandomState};
    let random = RandomState::new();
    (0u64..)
        .map(|n| 20_000 + (random.hash_one(n) % 12_000) as u16)
        .find(|port| TcpListener::bind(("127.0.0.1", *port)).is_ok())
        .expect("a free port")
}

/// A fresh database URL: a file under `dir`, or a new database on the PostgreSQL server.
pub async fn fresh_database(dir: &std::path::Path) -> String {
    match std::env::var("PORTCULLIS_TEST_DATABASE").ok().filter(|v| v != "sqlite" && !v.is_empty()) {
        None => format!("sqlite://{}?mode=rwc", dir.join("test.db").display()),
        Some(base) => {
            let base = base.trim_end_matches('/');
            let name = format!("ptest_{}", uuid::Uuid::new_v4().simple());
            let admin = Database::connect(format!("{base}/postgres")).await.expect("connect to PostgreSQL");
            admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await.expect("create test database");
            format!("{base}/{name}")
        }
    }
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(Options::default()).await
    }

    pub async fn spawn_with(options: Options) -> Self {
        let data_dir = TempDir::new().unwrap();
        let database_url = fresh_database(data_dir.path()).await;
        let listener = options.listener.unwrap_or_else(loopback_listener);
        let addr = listener.local_addr().expect("a bound listener has an address").to_string();
        let mut vars: HashMap<String, String> = HashMap::from([
            ("PORTCULLIS_ADDR".into(), addr.clone()),
            ("PORTCULLIS_DATA_DIR".into(), data_dir.path().display().to_string()),
            ("DATABASE_URL".into(), database_url.clone()),
            ("PORTCULLIS_PUBLIC_URL".into(), format!("http://{addr}")),
            ("PORTCULLIS_MAIL_POLL_MS".into(), "100".into()),
            ("PORTCULLIS_MAIL_RETRY_BASE_MS".into(), "200".into()),
            ("PORTCULLIS_REQUIRE_MFA".into(), options.require_mfa.into()),
        ]);
        for (k, v) in options.env {
            vars.insert(k.to_owned(), v);
        }
        let mut config = Config::from_lookup(|k| vars.get(k).cloned()).expect("test configuration");
        // The server runs itself to check PDFs; in a test, it runs inside the test binary.
        config.uploads.pdf_checker = env!("CARGO_BIN_EXE_portcullis").into();
        let clock: SharedClock = match options.clock {
            Some(clock) => Arc::new(clock),
            None => Arc::new(SystemClock),
        };
        let app = Application::build_on(config, clock, listener).await.expect("application starts");
        let services = app.services().clone();
        let base = format!("http://{}", app.local_addr());
        // Serves until the test's runtime ends.
        tokio::spawn(async move { app.run_until(std::future::pending()).await.unwrap() });
        Self { base, services, data_dir, database_url }
    }

    pub fn client(&self) -> Client {
        Client::new(&self.base)
    }

    pub fn mail_dir(&self) -> PathBuf {
        self.data_dir.path().join("mail")
    }

    /// Waits for a mail to `to` whose text contains `needle`, written as an `.eml` file.
    pub async fn wait_for_mail(&self, to: &str, needle: &str) -> String {
        for _ in 0..100 {
            if let Some(mail) =
                read_mails(&self.mail_dir()).into_iter().find(|m| addressed_to(m, to) && m.contains(needle))
            {
                return mail;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("no mail to {to} containing {needle:?}");
    }

    /// Registers and verifies an account through the API; returns a signed-in client.
    pub async fn signed_in_user(&self, email: &str, name: &str) -> Client {
        let mut client = self.client();
        let password = "correct horse battery staple";
        let r = client.post("/api/v1/auth/register", json!({"email": email, "password": password, "name": name})).await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let mail = self.wait_for_mail(email, "/verify-email?token=").await;
        let token = link_token(&mail, "/verify-email");
        let r = client.post("/api/v1/auth/verify-email", json!({ "token": token })).await;
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        let (status, body) =
            client.post_json("/api/v1/auth/login", json!({"email": email, "password": password})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        client
    }

    /// An admin created the way operators do (`create-admin` + its link), signed in.
    pub async fn signed_in_admin(&self) -> Client {
        let email = "root@example.com";
        let link = portcullis_service::accounts::create_admin(&self.services, email).await.unwrap();
        let token = link.split("token=").nth(1).unwrap().to_owned();
        let mut client = self.client();
        let password = "admin password long enough";
        let r = client.post("/api/v1/auth/password-reset/confirm", json!({"token": token, "password": password})).await;
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        let r = client.post("/api/v1/auth/login", json!({"email": email, "password": password})).await;
        assert_eq!(r.status(), StatusCode::OK);
        client
    }
}

pub use serde_json::json;

fn addressed_to(mail: &str, to: &str) -> bool {
    mail.lines().any(|l| l.eq_ignore_ascii_case(&format!("To: {to}")))
}

/// Every `.eml` under `dir`, decoded from quoted-printable.
pub fn read_mails(dir: &std::path::Path) -> Vec<String> {
    read_files(dir, |p| p.extension().is_some_and(|x| x == "eml"))
}

/// Every file under `dir` (a Maildir's `new/`), decoded.
pub fn read_mails_any(dir: &std::path::Path) -> Vec<String> {
    read_files(dir, |_| true)
}

fn read_files(dir: &std::path::Path, keep: impl Fn(&std::path::Path) -> bool) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else { return vec![] };
    entries
        .filter_map(|e| e.ok())
        .filter(|e| keep(&e.path()))
        .filter_map(|e| std::fs::read_to_string(e.path()).ok())
        .map(|raw| decode_quoted_printable(&raw))
        .collect()
}

pub fn decode_quoted_printable(raw: &str) -> String {
    let unfolded = raw.replace("=\r\n", "").replace("=\n", "");
    let mut out = Vec::with_capacity(unfolded.len());
    let bytes = unfolded.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'='
            && i + 2 < bytes.len()
            && let Ok(b) = u8::from_str_radix(&unfolded[i + 1..i + 3], 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The token of the first link to `path` in a mail.
pub fn link_token(mail: &str, path: &str) -> String {
    let start =
        mail.find(&format!("{path}?token=")).unwrap_or_else(|| panic!("no {path} link in mail")) + path.len() + 7;
    mail[start..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect()
}

/// An HTTP client that keeps the session cookie it is given, like a browser would.
#[derive(Clone)]
pub struct Client {
    pub base: String,
    http: reqwest::Client,
    /// The session cookie (`name=value`).
    pub cookie: Option<String>,
    /// The device cookie, kept across sessions like a browser keeps it.
    pub device: Option<String>,
    pub headers: HeaderMap,
}

impl Client {
    /// A client of the portal at `base`, signed out.
    pub fn new(base: &str) -> Self {
        Client {
            base: base.to_owned(),
            http: reqwest::Client::new(),
            cookie: None,
            device: None,
            headers: HeaderMap::new(),
        }
    }

    /// A client that shows each redirect instead of following it, as the single sign-on
    /// tests need: the session cookie comes on the redirect itself.
    pub fn without_redirects(base: &str) -> Self {
        let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        Client { base: base.to_owned(), http, cookie: None, device: None, headers: HeaderMap::new() }
    }

    pub async fn request(&mut self, method: Method, path: &str, body: Option<Value>) -> Response {
        self.try_request(method, path, body).await.expect("request sent")
    }

    /// [`Client::request`], with the error when no answer came (the server is gone).
    pub async fn try_request(&mut self, method: Method, path: &str, body: Option<Value>) -> reqwest::Result<Response> {
        let mut request = self.http.request(method, format!("{}{}", self.base, path)).headers(self.headers.clone());
        let cookies: Vec<&str> = self.cookie.iter().chain(&self.device).map(String::as_str).collect();
        if !cookies.is_empty() {
            request = request.header(COOKIE, cookies.join("; "));
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await?;
        for value in response.headers().get_all(SET_COOKIE) {
            let pair = value.to_str().unwrap().split(';').next().unwrap().to_owned();
            if pair.starts_with("portcullis_device=") {
                self.device = Some(pair);
            } else if pair.ends_with('=') || value.to_str().unwrap().contains("Max-Age=0") {
                self.cookie = None;
            } else {
                self.cookie = Some(pair);
            }
        }
        Ok(response)
    }

    /// Posts `fields` as `application/x-www-form-urlencoded`, as a page's form calls a server
    /// function.
    pub async fn post_form(&mut self, path: &str, fields: &[(&str, &str)]) -> Response {
        let saved = self.headers.clone();
        self.headers.insert(
            reqwest::header::CONTENT_TYPE,
            reqwest::header::HeaderValue::from_static("application/x-www-form-urlencoded"),
        );
        let body: String = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(fields).finish();
        let mut request = self.http.post(format!("{}{}", self.base, path)).headers(self.headers.clone()).body(body);
        self.headers = saved;
        let cookies: Vec<&str> = self.cookie.iter().chain(&self.device).map(String::as_str).collect();
        if !cookies.is_empty() {
            request = request.header(COOKIE, cookies.join("; "));
        }
        request.send().await.expect("request sent")
    }

    pub async fn get(&mut self, path: &str) -> Response {
        self.request(Method::GET, path, None).await
    }

    pub async fn post(&mut self, path: &str, body: Value) -> Response {
        self.request(Method::POST, path, Some(body)).await
    }

    pub async fn put(&mut self, path: &str, body: Value) -> Response {
        self.request(Method::PUT, path, Some(body)).await
    }

    /// Status and JSON body.
    pub async fn get_json(&mut self, path: &str) -> (StatusCode, Value) {
        let r = self.get(path).await;
        let status = r.status();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    pub async fn put_json(&mut self, path: &str, body: Value) -> (StatusCode, Value) {
        let r = self.put(path, body).await;
        let status = r.status();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    pub async fn patch_json(&mut self, path: &str, body: Value) -> (StatusCode, Value) {
        let r = self.request(Method::PATCH, path, Some(body)).await;
        let status = r.status();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    pub async fn delete(&mut self, path: &str) -> Response {
        self.request(Method::DELETE, path, None).await
    }

    /// A `multipart/form-data` upload of `file` (named `file_name`) with a `label` field.
    pub async fn upload(
        &mut self,
        path: &str,
        label: Option<&str>,
        file_name: &str,
        file: Vec<u8>,
    ) -> (StatusCode, Value) {
        self.try_upload(path, label, file_name, file).await.expect("request sent")
    }

    /// [`Client::upload`], with the error when no answer came.
    pub async fn try_upload(
        &mut self,
        path: &str,
        label: Option<&str>,
        file_name: &str,
        file: Vec<u8>,
    ) -> reqwest::Result<(StatusCode, Value)> {
        let part = reqwest::multipart::Part::bytes(file).file_name(file_name.to_owned()).mime_str("image/png").unwrap();
        let mut form = reqwest::multipart::Form::new().part("file", part);
        if let Some(label) = label {
            form = form.text("label", label.to_owned());
        }
        self.send_form(path, form).await
    }

    /// Posts any `multipart/form-data` form.
    pub async fn send_form(
        &mut self,
        path: &str,
        form: reqwest::multipart::Form,
    ) -> reqwest::Result<(StatusCode, Value)> {
        let mut request =
            self.http.post(format!("{}{}", self.base, path)).headers(self.headers.clone()).multipart(form);
        if let Some(cookie) = &self.cookie {
            request = request.header(COOKIE, cookie);
        }
        let response = request.send().await?;
        let status = response.status();
        Ok((status, response.json().await.unwrap_or(Value::Null)))
    }

    pub async fn post_json(&mut self, path: &str, body: Value) -> (StatusCode, Value) {
        let r = self.post(path, body).await;
        let status = r.status();
        (status, r.json().await.unwrap_or(Value::Null))
    }
}
