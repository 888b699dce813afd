//! Middleware applied to every request: request ids and access logs, the client address,
//! the cross-site request guard and the security headers.

use super::client_address::client_address;
use super::error::ApiError;
use super::state::AppState;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use portcullis_service::{ClientDevice, ClientIp};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tower_http::request_id::{MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer};
use tower_http::trace::TraceLayer;
use tracing::Span;

const X_REQUEST_ID: &str = "x-request-id";

tokio::task_local! {
    static REQUEST_ID: String;
}

/// The id of the request being handled, for error bodies and logs.
pub fn current_request_id() -> String {
    REQUEST_ID.try_with(Clone::clone).unwrap_or_default()
}

/// Every request gets an id of the portal's own, returned as `x-request-id`, and runs in a
/// `request` span carrying it, so every log line of the request names it. One line is logged
/// when the request ends (method, path without the query, status, duration): errors (5xx,
/// server functions' included) as errors, the rest at debug.
pub fn with_request_spans(router: axum::Router) -> axum::Router {
    router
        .layer(axum::middleware::from_fn(request_id_in_scope))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(request_span)
                .on_request(())
                .on_response(log_response)
                .on_failure(()),
        )
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(NewRequestId))
        .layer(axum::middleware::map_request(forget_client_request_id))
}

/// A client's own `x-request-id` would otherwise be kept: ids in the log are the portal's.
async fn forget_client_request_id(mut request: Request) -> Request {
    request.headers_mut().remove(X_REQUEST_ID);
    request
}

#[derive(Clone, Copy)]
struct NewRequestId;

impl MakeRequestId for NewRequestId {
    fn make_request_id<B>(&mut self, _: &axum::http::Request<B>) -> Option<RequestId> {
        let id = uuid::Uuid::new_v4().simple().to_string();
        Some(RequestId::new(HeaderValue::from_str(&id).expect("hex id")))
    }
}

fn id_of<B>(request: &axum::http::Request<B>) -> String {
    let id = request.extensions().get::<RequestId>().and_then(|id| id.header_value().to_str().ok());
    id.unwrap_or_default().to_owned()
}

fn request_span<B>(request: &axum::http::Request<B>) -> Span {
    tracing::info_span!("request", request_id = %id_of(request), method = %request.method(), path = request.uri().path())
}

fn log_response<B>(response: &axum::http::Response<B>, latency: Duration, _: &Span) {
    let status = response.status().as_u16();
    let millis = latency.as_secs_f64() * 1000.0;
    if status >= 500 {
        tracing::error!(status, millis, "request failed");
    } else {
        tracing::debug!(status, millis, "request");
    }
}

/// For error bodies, which are made where the request itself is out of reach.
async fn request_id_in_scope(request: Request, next: Next) -> Response {
    let id = id_of(&request);
    REQUEST_ID.scope(id, next.run(request)).await
}

/// The proxies whose forwarding headers are believed (`PORTCULLIS_TRUSTED_PROXIES`).
#[derive(Clone)]
pub struct TrustedProxies(pub Arc<Vec<ipnet::IpNet>>);

/// Records the client's address for rate limits and the audit trail.
pub async fn client_ip(State(trusted): State<TrustedProxies>, mut request: Request, next: Next) -> Response {
    let ip = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| client_address(c.0.ip(), request.headers(), &trusted.0).to_string());
    request.extensions_mut().insert(ClientIp(ip));
    next.run(request).await
}

/// The device cookie: its name (`__Host-` over HTTPS, like the session's) and whether to mark it
/// `Secure`.
#[derive(Clone, Copy)]
pub struct DeviceCookie {
    pub https: bool,
}

/// Kept for about a year (browsers cap cookie lifetimes at 400 days).
const DEVICE_COOKIE_SECS: u64 = 365 * 24 * 3600;

impl DeviceCookie {
    fn name(self) -> &'static str {
        if self.https { "__Host-portcullis_device" } else { "portcullis_device" }
    }

    /// The id the browser presents, when it is one this portal could have made.
    fn read(self, headers: &HeaderMap) -> Option<String> {
        headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(name, _)| *name == self.name())
            .map(|(_, value)| value)
            .filter(|value| value.len() == 32 && value.bytes().all(|b| b.is_ascii_hexdigit()))
            .map(str::to_owned)
    }

    /// Whether the response gives the browser a session id.
    fn issues_session(self, headers: &HeaderMap) -> bool {
        let session = if self.https { "__Host-portcullis_session=" } else { "portcullis_session=" };
        headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .any(|v| v.strip_prefix(session).is_some_and(|rest| !rest.starts_with(';') && !rest.contains("Max-Age=0")))
    }

    fn set_cookie(self, id: &str) -> HeaderValue {
        let secure = if self.https { "; Secure" } else { "" };
        let value =
            format!("{}={id}; Path=/; Max-Age={DEVICE_COOKIE_SECS}; HttpOnly; SameSite=Lax{secure}", self.name());
        HeaderValue::from_str(&value).expect("hex id and fixed attributes")
    }
}

/// Names the browser across sign-ins: a random id in a long-lived cookie and the
/// `User-Agent`, both put into the request for the services. A browser without the cookie
/// gets it with the response that signs it in (any response that issues a session id), so
/// visitors who never sign in carry none.
pub async fn client_device(State(cookie): State<DeviceCookie>, mut request: Request, next: Next) -> Response {
    let presented = cookie.read(request.headers());
    let id = presented.clone().unwrap_or_else(|| uuid::Uuid::new_v4().simple().to_string());
    let user_agent = request.headers().get(header::USER_AGENT).and_then(|v| v.to_str().ok()).map(str::to_owned);
    request.extensions_mut().insert(ClientDevice { id: Some(id.clone()), user_agent });
    let mut response = next.run(request).await;
    if presented.is_none() && cookie.issues_session(response.headers()) {
        response.headers_mut().append(header::SET_COOKIE, cookie.set_cookie(&id));
    }
    response
}

/// Is a state-changing request from another site? Browsers send `Sec-Fetch-Site` and/or
/// `Origin`; clients that send neither (scripts, gateways) are not browsers on another site.
pub fn is_cross_site(method: &Method, headers: &HeaderMap, own_origin: &str) -> bool {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return false;
    }
    // Browsers that send Sec-Fetch-Site say exactly where the request comes from; `Origin`
    // can be "null" for same-origin form posts under a strict referrer policy.
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return !matches!(site, "same-origin" | "none");
    }
    match headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        None => false,
        Some(origin) => {
            let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or_default();
            let same_host = origin == format!("http://{host}") || origin == format!("https://{host}");
            !(origin == own_origin || same_host)
        }
    }
}

/// Largest body of a page's form or server function; mockups are uploaded to the API, under
/// its own limit.
pub const PAGE_BODY_LIMIT: usize = 1024 * 1024;

pub async fn limit_page_bodies(request: Request, next: Next) -> Response {
    let limit = PAGE_BODY_LIMIT;
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|length| length > limit) {
        return ApiError::PayloadTooLarge.into_response();
    }
    let (parts, body) = request.into_parts();
    let body = axum::body::Body::new(http_body_util::Limited::new(body, limit));
    next.run(Request::from_parts(parts, body)).await
}

pub async fn refuse_cross_site(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if is_cross_site(request.method(), request.headers(), &state.origin) {
        tracing::info!(path = %request.uri().path(), "refused a cross-site request");
        return ApiError::CrossSite.into_response();
    }
    next.run(request).await
}

/// The middleware's own small state: it runs on every request, machine clients' included.
#[derive(Debug, Clone, Copy)]
pub struct HeaderPolicy {
    /// Served over HTTPS, which decides HSTS.
    pub https: bool,
    /// The build named `/pkg/*` files by their content, so a browser may keep them for good.
    pub hashed_assets: bool,
}

/// Headers on every response. HTML pages carry their own CSP with a nonce (set while
/// rendering); API answers and other documents get a policy that allows nothing. The build's
/// own scripts, styles and WebAssembly (`/pkg/*`) are never documents, so they carry only
/// what applies to them: a first visit fetches dozens of them.
pub async fn security_headers(State(policy): State<HeaderPolicy>, request: Request, next: Next) -> Response {
    let is_asset = request.uri().path().starts_with("/pkg/");
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    if is_asset {
        let cache = if policy.hashed_assets {
            // A new build has new names, so a cached file is never stale nor revalidated.
            headers.remove(header::LAST_MODIFIED);
            "public, max-age=31536000, immutable"
        } else {
            "no-cache"
        };
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
        return response;
    }
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    // Links in mail carry tokens in the query string: never send them to another site. The
    // portal itself uses the referrer to bring a form without JavaScript back to its page.
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    headers.insert("cross-origin-opener-policy", HeaderValue::from_static("same-origin"));
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'; base-uri 'none'"),
        );
    }
    if policy.https {
        headers
            .insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000; includeSubDomains"));
    }
    // Pages and API answers can be personal: no cache may keep them.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    const OWN: &str = "https://portal.example.com";

    #[test]
    fn the_device_cookie_is_read_only_when_it_has_the_portals_shape() {
        let plain = DeviceCookie { https: false };
        let id = "0123456789abcdef0123456789abcdef";
        let h = headers(&[("cookie", "a=b; portcullis_device=0123456789abcdef0123456789abcdef; c=d")]);
        assert_eq!(plain.read(&h).as_deref(), Some(id));
        assert_eq!(plain.read(&headers(&[("cookie", "portcullis_device=../../etc")])), None);
        assert_eq!(plain.read(&headers(&[("cookie", "other_device=0123456789abcdef0123456789abcdef")])), None);
        // Over HTTPS only the `__Host-` cookie counts: a plain one may have been set by a sibling host.
        assert_eq!(DeviceCookie { https: true }.read(&h), None);
        let set = DeviceCookie { https: true }.set_cookie(id);
        assert!(set.to_str().unwrap().starts_with("__Host-portcullis_device=0123"));
        assert!(set.to_str().unwrap().ends_with("HttpOnly; SameSite=Lax; Secure"));
        let issued = headers(&[("set-cookie", "portcullis_session=abc; HttpOnly; Path=/")]);
        assert!(plain.issues_session(&issued));
        let removed = headers(&[("set-cookie", "portcullis_session=; Max-Age=0; Path=/")]);
        assert!(!plain.issues_session(&removed));
        assert!(!plain.issues_session(&headers(&[])));
    }

    #[test]
    fn reads_are_never_cross_site() {
        assert!(!is_cross_site(&Method::GET, &headers(&[("origin", "https://evil.example")]), OWN));
    }

    #[test]
    fn foreign_origins_are_refused() {
        assert!(is_cross_site(&Method::POST, &headers(&[("origin", "https://evil.example")]), OWN));
        assert!(is_cross_site(&Method::POST, &headers(&[("sec-fetch-site", "cross-site")]), OWN));
        assert!(is_cross_site(&Method::DELETE, &headers(&[("sec-fetch-site", "same-site")]), OWN));
    }

    #[test]
    fn own_origin_and_non_browsers_pass() {
        assert!(!is_cross_site(&Method::POST, &headers(&[("origin", OWN)]), OWN));
        assert!(!is_cross_site(&Method::POST, &headers(&[("sec-fetch-site", "same-origin")]), OWN));
        assert!(!is_cross_site(
            &Method::POST,
            &headers(&[("origin", "http://127.0.0.1:4000"), ("host", "127.0.0.1:4000")]),
            OWN
        ));
        assert!(!is_cross_site(&Method::POST, &headers(&[]), OWN));
        // A same-origin form post under a strict referrer policy carries `Origin: null`.
        assert!(!is_cross_site(&Method::POST, &headers(&[("origin", "null"), ("sec-fetch-site", "same-origin")]), OWN));
        assert!(is_cross_site(&Method::POST, &headers(&[("origin", "null")]), OWN));
    }

    async fn response_headers(policy: HeaderPolicy, path: &str) -> HeaderMap {
        use tower::ServiceExt;
        let app = axum::Router::new()
            .fallback(|| async { ([(header::LAST_MODIFIED, "Mon, 30 Nov 2026 19:33:07 GMT")], "body") })
            .layer(axum::middleware::from_fn_with_state(policy, security_headers));
        let request = Request::builder().uri(path).body(axum::body::Body::empty()).unwrap();
        app.oneshot(request).await.unwrap().headers().clone()
    }

    async fn cache_control(policy: HeaderPolicy, path: &str) -> String {
        response_headers(policy, path).await[header::CACHE_CONTROL].to_str().unwrap().to_owned()
    }

    #[tokio::test]
    async fn build_files_carry_only_the_headers_that_apply_to_them() {
        let policy = HeaderPolicy { https: true, hashed_assets: true };
        let file = response_headers(policy, "/pkg/chunk_1.abc123.wasm").await;
        assert_eq!(file[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        for document_only in [
            header::CONTENT_SECURITY_POLICY,
            header::X_FRAME_OPTIONS,
            header::REFERRER_POLICY,
            header::STRICT_TRANSPORT_SECURITY,
            header::LAST_MODIFIED,
        ] {
            assert!(!file.contains_key(&document_only), "{document_only} on a build file");
        }
        let page = response_headers(policy, "/login").await;
        for header in [header::CONTENT_SECURITY_POLICY, header::X_FRAME_OPTIONS, header::STRICT_TRANSPORT_SECURITY] {
            assert!(page.contains_key(&header), "{header} missing on a page");
        }
    }

    #[tokio::test]
    async fn content_named_assets_are_kept_for_a_year_and_pages_never() {
        let hashed = HeaderPolicy { https: false, hashed_assets: true };
        assert_eq!(cache_control(hashed, "/pkg/portcullis.abc123.wasm").await, "public, max-age=31536000, immutable");
        assert_eq!(cache_control(hashed, "/review").await, "no-store");
        assert_eq!(cache_control(hashed, "/api/v1/me").await, "no-store");
        let plain = HeaderPolicy { https: false, hashed_assets: false };
        assert_eq!(cache_control(plain, "/pkg/portcullis.wasm").await, "no-cache", "a plain name may change content");
    }
}
