//! The OpenAPI document, generated from the routes and their `#[utoipa::path]` descriptions.
//! The statuses every route of a kind can return (database down, body too large, not signed
//! in…) are added here, in one place, rather than repeated on each route.

use crate::http::error::ErrorBody;
use axum::http::header;
use axum::response::IntoResponse;
use std::sync::LazyLock;
use utoipa::openapi::path::{Operation, Parameter, ParameterIn};
use utoipa::openapi::security::{
    ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme,
};
use utoipa::openapi::{ContentBuilder, OpenApi, Ref, RefOr, Response, ResponseBuilder};
use utoipa::{Modify, OpenApi as _, PartialSchema, ToSchema};

#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "Portcullis API",
        version = "1",
        description = "Data Portability API access review portal. JSON bodies; errors are `{\"error\": {\"code\", \"message\", \"fields\"?, \"request_id\"}}`. Users authenticate with the session cookie set by login; state-changing requests from another browser origin are refused (403). Ids are opaque strings; timestamps RFC 3339 UTC.",
    ),
    servers((url = "/", description = "The portal: the JSON API under `/api/v1`, the OAuth endpoints under `/oauth`.")),
    security(("session" = [])),
    tags(
        (name = "accounts", description = "Registering, signing in, passwords and the signed-in user."),
        (name = "passkeys", description = "Passkeys (WebAuthn): adding, naming and removing them; signing in and stepping up with one."),
        (name = "admin", description = "Users, the audit trail and the mail outbox (admins)."),
        (name = "reports", description = "Programme reports: what the review programme did, per period and per scope (admins and auditors)."),
        (name = "organisations", description = "Organisations, members and invitations."),
        (name = "applications", description = "Applications, their revisions, mockups, timeline and messages."),
        (name = "review", description = "The review queue, checklists, verdicts and decisions."),
        (name = "credentials", description = "API client credentials, suspension and gateway keys."),
        (name = "oauth", description = "The client credentials grant and token introspection, for machines."),
        (name = "meta", description = "This document, and the key that signs the audit trail."),
    ),
)]
struct ApiDoc;

/// The document of every `/api/v1` and `/oauth` operation, and the audit key under
/// `/.well-known`, each under the path it is served at.
pub fn document() -> OpenApi {
    let mut api = super::json_routes().into_openapi();
    api.merge(super::upload_routes().into_openapi());
    let mut document = ApiDoc::openapi()
        .nest("/api/v1", api)
        .nest("/oauth", crate::oauth::routes().into_openapi())
        .merge_from(crate::well_known::routes().into_openapi());
    SecuritySchemes.modify(&mut document);
    CommonStatuses.modify(&mut document);
    document
}

static DOCUMENT: LazyLock<String> =
    LazyLock::new(|| document().to_pretty_json().expect("the OpenAPI document serialises"));

#[utoipa::path(
    get,
    path = "/openapi.json",
    tag = "meta",
    summary = "This document.",
    responses((status = 200, description = "The OpenAPI 3.1 document.", body = Object)),
    security(()),
)]
pub async fn document_json() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], DOCUMENT.as_str())
}

struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let mut session = ApiKeyValue::new("portcullis_session");
        session.description = Some(
            "The cookie set by `POST /api/v1/auth/login` (`__Host-portcullis_session` over https). A request that \
             changes state and carries an `Origin` other than the portal's own is refused with 403."
                .into(),
        );
        components.add_security_scheme("session", SecurityScheme::ApiKey(ApiKey::Cookie(session)));
        components.add_security_scheme(
            "clientBasic",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Basic)
                    .description(Some(
                        "`client_secret_basic`: the credentials' client id and secret, each form-encoded. \
                         `client_secret_post` sends them in the form instead.",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "gatewayKey",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("A gateway key from `POST /api/v1/gateway-keys`."))
                    .build(),
            ),
        );
    }
}

/// Statuses that come from the layers around the handlers, added to each operation they apply
/// to unless the operation describes them itself.
struct CommonStatuses;

impl Modify for CommonStatuses {
    fn modify(&self, openapi: &mut OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.schemas.insert(ErrorBody::name().into_owned(), ErrorBody::schema());
        for (path, item) in openapi.paths.paths.iter_mut() {
            let oauth = path.starts_with("/oauth/");
            // Served from memory: no body, no session, no database.
            if path.starts_with("/.well-known/") {
                if let Some(operation) = item.get.as_mut() {
                    add_status(operation, "408", "The request took too long to arrive.", "ErrorBody");
                }
                continue;
            }
            let operations = [
                (false, item.get.as_mut()),
                (true, item.post.as_mut()),
                (true, item.put.as_mut()),
                (true, item.patch.as_mut()),
                (true, item.delete.as_mut()),
            ];
            for (changes_state, operation) in operations {
                if let Some(operation) = operation {
                    if oauth {
                        add_oauth_statuses(operation);
                    } else {
                        add_api_statuses(operation, changes_state);
                    }
                }
            }
        }
    }
}

fn add_api_statuses(operation: &mut Operation, changes_state: bool) {
    let has_body = operation.request_body.is_some();
    let parameters = operation.parameters.as_deref().unwrap_or_default();
    let has_path = parameters.iter().any(|p| in_place(p, ParameterIn::Path));
    let has_query = parameters.iter().any(|p| in_place(p, ParameterIn::Query));
    // No requirement list means the document's default, the session; an empty requirement
    // means the operation also answers without one.
    let signed_in = operation
        .security
        .as_ref()
        .is_none_or(|requirements| !requirements.is_empty() && !requirements.contains(&SecurityRequirement::default()));
    let mut add = |status: &str, description: &str| add_status(operation, status, description, "ErrorBody");
    if has_body || has_query {
        add("400", "Malformed request: a body that is not the JSON the operation takes, or a bad query parameter.");
    }
    if signed_in {
        add("401", "Not signed in.");
    }
    if changes_state {
        add("403", "Not allowed, or a request from another browser origin.");
    } else if signed_in {
        add("403", "Not allowed.");
    }
    if has_path {
        add("404", "Not found, or not yours.");
    }
    add("408", "The request took too long to arrive.");
    add("413", "The request body is too large.");
    if has_body {
        add("422", "Validation failed; `fields` names each problem.");
    }
    add("503", "The database does not answer; retry after `Retry-After` seconds.");
}

fn add_oauth_statuses(operation: &mut Operation) {
    add_status(operation, "408", "The request took too long to arrive.", "OAuthErrorBody");
    add_status(operation, "413", "The request body is too large.", "OAuthErrorBody");
    add_status(operation, "503", "`server_error`: the database does not answer; see `Retry-After`.", "OAuthErrorBody");
}

fn in_place(parameter: &Parameter, place: ParameterIn) -> bool {
    std::mem::discriminant(&parameter.parameter_in) == std::mem::discriminant(&place)
}

fn add_status(operation: &mut Operation, status: &str, description: &str, schema: &str) {
    operation.responses.responses.entry(status.to_owned()).or_insert_with(|| error_response(description, schema));
}

fn error_response(description: &str, schema: &str) -> RefOr<Response> {
    let content = ContentBuilder::new().schema(Some(Ref::from_schema_name(schema))).build();
    ResponseBuilder::new().description(description).content("application/json", content).build().into()
}

// Bodies that handlers read or write by hand, described for the document.

/// The upload's form, as `upload_mockup` reads it field by field; other fields are refused.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MockupUpload {
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
    /// What the mockup shows, such as "Consent screen".
    #[schema(pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$", max_length = 80)]
    pub label: String,
}

/// A stored mockup's bytes, as uploaded.
#[derive(ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct MockupFile(pub Vec<u8>);

/// An evidence pack: a ZIP file.
#[derive(ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct EvidencePack(pub Vec<u8>);

#[cfg(test)]
mod tests {
    use super::*;

    /// A change to the contract shows as a change to this snapshot (`cargo insta review`).
    #[test]
    fn the_document_is_as_reviewed() {
        insta::assert_json_snapshot!(document());
    }

    #[test]
    fn every_operation_documents_its_errors() {
        let document = document();
        let mut ids = std::collections::BTreeSet::new();
        for (path, item) in &document.paths.paths {
            for operation in [&item.get, &item.post, &item.put, &item.patch, &item.delete].into_iter().flatten() {
                assert!(
                    ids.insert(operation.operation_id.clone()),
                    "{path}: operation id {:?} twice",
                    operation.operation_id
                );
                let statuses = &operation.responses.responses;
                assert!(statuses.contains_key("503") || path.starts_with("/.well-known/"), "{path}: 503");
                assert!(statuses.keys().any(|s| s.starts_with('2')), "{path}: no success status");
                if path.starts_with("/api/v1/") && operation.request_body.is_some() {
                    assert!(statuses.contains_key("400") && statuses.contains_key("422"), "{path}: 400 and 422");
                }
            }
        }
        assert!(document.paths.paths.contains_key("/oauth/token"));
        assert!(document.paths.paths.contains_key("/.well-known/portcullis-audit-key"));
        assert!(document.paths.paths.contains_key("/api/v1/audit/checkpoints"));
        assert!(document.paths.paths.contains_key("/api/v1/applications/{id}/decision"));
    }
}
