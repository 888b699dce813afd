//! `/oauth/token` (RFC 6749 §4.4) and `/oauth/introspect` (RFC 7662): form-encoded requests
//! from machines, answered in the RFCs' formats. No sessions, no cookies.

use crate::http::health::Health;
use crate::http::state::AppState;
use axum::Extension;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use portcullis_domain::credential::{Introspection, TokenResponse};
use portcullis_service::credentials::oauth::{self, ClientAuth, OAuthError};
use portcullis_service::{ClientIp, ServiceError, Services};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Token and introspection requests are a few hundred bytes.
const BODY_LIMIT: usize = 8 * 1024;

pub fn router() -> Router<AppState> {
    routes().split_for_parts().0.layer(DefaultBodyLimit::max(BODY_LIMIT))
}

/// The endpoints with their documentation (see `api::openapi`).
pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(token)).routes(routes!(introspect))
}

/// RFC 6749 §5.2: `{error, error_description}`, never cached.
fn error_response(error: OAuthError) -> Response {
    let status = match &error {
        OAuthError::InvalidClient(_) => StatusCode::UNAUTHORIZED,
        OAuthError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
        OAuthError::Service(_) => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::BAD_REQUEST,
    };
    let description = match &error {
        OAuthError::Service(ServiceError::Unavailable) => ServiceError::Unavailable.to_string(),
        OAuthError::Service(inner) => {
            tracing::error!(error = ?inner, "oauth request failed");
            "The server could not handle the request.".to_owned()
        }
        other => other.to_string(),
    };
    let mut response =
        (status, axum::Json(OAuthErrorBody { error: error.code().to_owned(), error_description: description }))
            .into_response();
    let headers = response.headers_mut();
    if status == StatusCode::UNAUTHORIZED {
        headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Basic realm=\"portcullis\""));
    }
    match error {
        OAuthError::RateLimited { retry_after_secs } => {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
        }
        OAuthError::Service(_) => {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(crate::http::error::DATABASE_RETRY_AFTER_SECS));
        }
        _ => {}
    }
    no_store(response)
}

/// The token request's form, as [`form`] reads it (a parameter sent twice is refused).
#[derive(ToSchema)]
pub struct TokenForm {
    /// `client_credentials`.
    pub grant_type: String,
    /// Space-separated, within the granted scopes; without it, all of them.
    pub scope: Option<String>,
    /// With `client_secret_post`.
    pub client_id: Option<String>,
    /// With `client_secret_post`.
    pub client_secret: Option<String>,
}

/// The introspection request's form.
#[derive(ToSchema)]
pub struct IntrospectionForm {
    /// The access token to look up.
    pub token: String,
    /// Ignored: only access tokens are issued.
    pub token_type_hint: Option<String>,
}

/// RFC 6749 §5.2.
#[derive(Serialize, ToSchema)]
pub struct OAuthErrorBody {
    /// `invalid_request`, `invalid_client`, `invalid_scope`, `unsupported_grant_type`, `slow_down` or `server_error`.
    pub error: String,
    pub error_description: String,
}

/// While the database is down (see `http::health`), token and introspection requests get 503
/// at once instead of waiting for a connection.
pub async fn refuse_while_database_down(State(health): State<Health>, request: Request, next: Next) -> Response {
    if health.database_up() {
        next.run(request).await
    } else {
        error_response(OAuthError::Service(ServiceError::Unavailable))
    }
}

fn no_store(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}

/// The form's parameters; a parameter sent twice is an error (RFC 6749 §3.1).
fn form(headers: &HeaderMap, body: &[u8]) -> Result<Vec<(String, String)>, OAuthError> {
    let form_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| {
        v.split(';').next().is_some_and(|t| t.trim().eq_ignore_ascii_case("application/x-www-form-urlencoded"))
    });
    if !form_type {
        return Err(OAuthError::InvalidRequest("Send the parameters as application/x-www-form-urlencoded.".into()));
    }
    let mut params: Vec<(String, String)> = Vec::new();
    for (name, value) in url::form_urlencoded::parse(body) {
        if params.iter().any(|(n, _)| *n == name) {
            return Err(OAuthError::InvalidRequest(format!("The parameter `{name}` appears more than once.")));
        }
        params.push((name.into_owned(), value.into_owned()));
    }
    Ok(params)
}

fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
}

/// The credentials of an `Authorization` value in `scheme`, whose name is matched without
/// regard to case (RFC 7235 §2.1).
fn credentials_of<'a>(value: &'a str, scheme: &str) -> Option<&'a str> {
    let (name, credentials) = value.split_once(' ')?;
    name.eq_ignore_ascii_case(scheme).then_some(credentials)
}

/// `client_secret_basic`: base64 of the form-encoded id and secret joined by `:` (RFC 6749 §2.3.1).
fn basic_credentials(value: &str) -> Result<ClientAuth, OAuthError> {
    let malformed = || OAuthError::InvalidClient("The Basic authorization header is malformed.".into());
    let encoded = credentials_of(value, "Basic").ok_or_else(malformed)?;
    let decoded = STANDARD.decode(encoded.trim()).map_err(|_| malformed())?;
    let decoded = String::from_utf8(decoded).map_err(|_| malformed())?;
    let (id, secret) = decoded.split_once(':').ok_or_else(malformed)?;
    let unescape = |s: &str| -> String {
        url::form_urlencoded::parse(format!("x={s}").as_bytes()).next().map(|(_, v)| v.into_owned()).unwrap_or_default()
    };
    Ok(ClientAuth { client_id: unescape(id), client_secret: unescape(secret) })
}

/// Exactly one of `client_secret_basic` and `client_secret_post`.
fn client_auth(headers: &HeaderMap, params: &[(String, String)]) -> Result<ClientAuth, OAuthError> {
    let header = headers.get(header::AUTHORIZATION).map(|v| v.to_str().unwrap_or_default());
    let posted = match (param(params, "client_id"), param(params, "client_secret")) {
        (Some(id), Some(secret)) => Some(ClientAuth { client_id: id.to_owned(), client_secret: secret.to_owned() }),
        (None, None) => None,
        _ => return Err(OAuthError::InvalidClient("Send both client_id and client_secret.".into())),
    };
    match (header, posted) {
        (Some(_), Some(_)) => Err(OAuthError::InvalidRequest("Use one client authentication method, not two.".into())),
        (Some(value), None) => basic_credentials(value),
        (None, Some(auth)) => Ok(auth),
        (None, None) => Err(OAuthError::InvalidClient("Client authentication is required.".into())),
    }
}

#[utoipa::path(
    post,
    path = "/token",
    tag = "oauth",
    summary = "RFC 6749 §4.4 client credentials grant. Client authentication by `client_secret_basic` (HTTP Basic with the form-encoded id and secret) or `client_secret_post` (in the form), exactly one. `scope`, space-separated, must be within the granted scopes; without it the token gets all of them. Access tokens are opaque and short-lived. Failed authentications are rate limited per client.",
    request_body(content = TokenForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "A token (`Cache-Control: no-store`).", body = TokenResponse),
        (status = 400, description = "`invalid_request`, `invalid_scope` or `unsupported_grant_type`.", body = OAuthErrorBody),
        (status = 401, description = "`invalid_client`: unknown client, wrong secret, or revoked, expired or suspended credentials.", body = OAuthErrorBody),
        (status = 429, description = "`slow_down`: too many failed authentications for this client; see `Retry-After`.", body = OAuthErrorBody),
        (status = 503, description = "`server_error`.", body = OAuthErrorBody),
    ),
    security(("clientBasic" = []), ()),
)]
async fn token(
    State(services): State<Services>,
    Extension(ClientIp(address)): Extension<ClientIp>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let result = async {
        let params = form(&headers, &body)?;
        let auth = client_auth(&headers, &params)?;
        let grant_type =
            param(&params, "grant_type").ok_or_else(|| OAuthError::InvalidRequest("grant_type is required.".into()))?;
        oauth::token(&services, auth, address.as_deref(), grant_type, param(&params, "scope")).await
    }
    .await;
    match result {
        Ok(token) => no_store(axum::Json(token).into_response()),
        Err(error) => error_response(error),
    }
}

#[utoipa::path(
    post,
    path = "/introspect",
    tag = "oauth",
    summary = "RFC 7662 token introspection for the platform's gateway, authenticated with a gateway key as a Bearer token. Revoked, expired, suspended and unknown tokens answer `{\"active\": false}`.",
    request_body(content = IntrospectionForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "The token's state.", body = Introspection),
        (status = 400, description = "`invalid_request`: no token.", body = OAuthErrorBody),
        (status = 401, description = "`invalid_client`: missing, unknown or revoked gateway key.", body = OAuthErrorBody),
    ),
    security(("gatewayKey" = [])),
)]
async fn introspect(State(services): State<Services>, headers: HeaderMap, body: Bytes) -> Response {
    let result = async {
        let key = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| credentials_of(v, "Bearer"))
            .map(str::trim);
        let params = form(&headers, &body)?;
        let token = param(&params, "token").ok_or_else(|| OAuthError::InvalidRequest("token is required.".into()))?;
        oauth::introspect(&services, key, token).await
    }
    .await;
    match result {
        Ok(introspection) => no_store(axum::Json(introspection).into_response()),
        Err(OAuthError::InvalidClient(message)) => {
            let mut response = error_response(OAuthError::InvalidClient(message));
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"portcullis\""));
            response
        }
        Err(error) => error_response(error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form_headers() -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers
            .insert(header::CONTENT_TYPE, HeaderValue::from_static("application/x-www-form-urlencoded; charset=utf-8"));
        headers
    }

    #[test]
    fn basic_credentials_are_form_decoded() {
        let encoded = STANDARD.encode("pcc_1%3A2:se%2Bcr+et%25");
        let auth = basic_credentials(&format!("Basic {encoded}")).unwrap();
        assert_eq!(auth.client_id, "pcc_1:2");
        assert_eq!(auth.client_secret, "se+cr et%");
        let shouted = basic_credentials(&format!("BASIC {encoded}")).unwrap();
        assert_eq!(shouted.client_id, "pcc_1:2", "scheme names are case-insensitive");
        assert_eq!(credentials_of("bEARER pgk_1", "Bearer"), Some("pgk_1"));
        for bad in ["Bearer x", "Basic !!!", &format!("Basic {}", STANDARD.encode("no-colon"))] {
            assert!(matches!(basic_credentials(bad), Err(OAuthError::InvalidClient(_))), "{bad}");
        }
    }

    #[test]
    fn forms_must_be_form_encoded_without_repeats() {
        let params = form(&form_headers(), b"grant_type=client_credentials&scope=a+b").unwrap();
        assert_eq!(param(&params, "scope"), Some("a b"));
        assert!(matches!(form(&form_headers(), b"scope=a&scope=b"), Err(OAuthError::InvalidRequest(_))));
        assert!(matches!(form(&HeaderMap::new(), b"scope=a"), Err(OAuthError::InvalidRequest(_))));
    }

    #[test]
    fn exactly_one_authentication_method() {
        let posted = vec![("client_id".to_owned(), "a".to_owned()), ("client_secret".to_owned(), "b".to_owned())];
        assert_eq!(client_auth(&HeaderMap::new(), &posted).unwrap().client_id, "a");
        let mut headers = HeaderMap::new();
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_str(&format!("Basic {}", STANDARD.encode("a:b"))).unwrap(),
        );
        assert!(matches!(client_auth(&headers, &posted), Err(OAuthError::InvalidRequest(_))));
        assert_eq!(client_auth(&headers, &[]).unwrap().client_secret, "b");
        assert!(matches!(client_auth(&HeaderMap::new(), &[]), Err(OAuthError::InvalidClient(_))));
        let half = vec![("client_id".to_owned(), "a".to_owned())];
        assert!(matches!(client_auth(&HeaderMap::new(), &half), Err(OAuthError::InvalidClient(_))));
    }
}
