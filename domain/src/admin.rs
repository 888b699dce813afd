//! Views and filters of the admin pages, shared by the UI and the JSON API.

use crate::role::Role;
use serde::{Deserialize, Serialize};

/// The last page number any list answers, so an offset (page × page size) can never overflow.
pub const MAX_PAGE: u64 = 1_000_000;

/// A page number as callers send it: from 1 to [`MAX_PAGE`]; anything else is refused when the
/// request is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "u64", into = "u64")]
pub struct PageNumber(u64);

impl PageNumber {
    /// The nearest page there is: for pages, whose links people edit, rather than the API.
    pub fn clamped(page: u64) -> Self {
        PageNumber(page.clamp(1, MAX_PAGE))
    }
}

impl TryFrom<u64> for PageNumber {
    type Error = String;

    fn try_from(page: u64) -> Result<Self, String> {
        if (1..=MAX_PAGE).contains(&page) {
            Ok(PageNumber(page))
        } else {
            Err(format!("page must be from 1 to {MAX_PAGE}"))
        }
    }
}

impl From<PageNumber> for u64 {
    fn from(page: PageNumber) -> u64 {
        page.0
    }
}

impl std::str::FromStr for PageNumber {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        text.parse::<u64>().map_err(|e| e.to_string()).and_then(PageNumber::try_from)
    }
}

/// The page a caller asked for, 1 when none.
pub fn page_number(requested: Option<PageNumber>) -> u64 {
    requested.map_or(1, u64::from)
}

/// One page of a longer list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Page<T> {
    pub items: Vec<T>,
    pub page: u64,
    pub per_page: u64,
    pub total: u64,
}

impl<T> Page<T> {
    pub fn pages(&self) -> u64 {
        self.total.div_ceil(self.per_page.max(1)).max(1)
    }
}

/// A user as an admin sees them in the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserSummary {
    pub id: String,
    pub email: String,
    pub name: String,
    pub roles: Vec<Role>,
    pub email_verified: bool,
    pub disabled: bool,
    pub created_at: String,
    /// The organisations the user belongs to, by name: a reviewer may not review their own.
    #[serde(default)]
    pub organisations: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct UserQuery {
    /// Matches email or name.
    pub q: Option<String>,
    #[cfg_attr(feature = "openapi", param(value_type = Option<u64>, minimum = 1, maximum = 1000000))]
    pub page: Option<PageNumber>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditRecordView {
    pub seq: i64,
    pub at: String,
    pub actor_id: Option<String>,
    pub actor_email: Option<String>,
    pub action: String,
    pub object_type: String,
    pub object_id: Option<String>,
    pub ip: Option<String>,
    pub details: String,
    /// The actor's name today, for reading; the record itself keeps id and email.
    #[serde(default)]
    pub actor_name: Option<String>,
}

/// A signed checkpoint of the audit chain. The signature (Ed25519, base64) covers the payload
/// [`crate::audit::checkpoint::Statement::payload`] builds from these fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditCheckpointView {
    /// The record covered: the chain up to and including it.
    pub seq: i64,
    /// That record's chain hash (hex SHA-256).
    pub hash: String,
    /// How many records the trail held up to it.
    pub records: i64,
    /// When it was signed (RFC 3339 UTC).
    pub at: String,
    /// The signing key's id: the first 8 bytes of the SHA-256 of its 32 public key bytes, hex.
    pub key_id: String,
    pub signature: String,
}

/// One labelled field of an audit record's details, for reading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DetailField {
    /// "Granted scopes" for `granted_scopes`.
    pub label: String,
    pub value: DetailValue,
    /// The page of the object an id names.
    pub link: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DetailValue {
    Text(String),
    /// A moment, RFC 3339 as stored.
    Moment(String),
    Scopes(Vec<String>),
    List(Vec<String>),
}

/// The details of an audit record as labelled fields, in key order (as canonical JSON stores
/// them). Details that are not a JSON object (older or foreign records) become one field
/// holding their text.
pub fn detail_fields(details: &str) -> Vec<DetailField> {
    let fields = match serde_json::from_str::<serde_json::Value>(details) {
        Ok(serde_json::Value::Object(fields)) => fields,
        Ok(serde_json::Value::Null) => return Vec::new(),
        _ if details.trim().is_empty() => return Vec::new(),
        _ => {
            return vec![DetailField {
                label: "Details".into(),
                value: DetailValue::Text(details.to_owned()),
                link: None,
            }];
        }
    };
    let mut fields: Vec<(String, serde_json::Value)> = fields.into_iter().collect();
    fields.sort_by(|a, b| a.0.cmp(&b.0));
    fields
        .into_iter()
        .map(|(key, value)| {
            let link = value.as_str().and_then(|id| id_link(&key, id));
            let value = match value {
                serde_json::Value::Array(items) if key.ends_with("scopes") => {
                    DetailValue::Scopes(items.iter().map(plain).collect())
                }
                serde_json::Value::Array(items) => DetailValue::List(items.iter().map(plain).collect()),
                serde_json::Value::String(text) if crate::time::readable(&text).is_some() => DetailValue::Moment(text),
                other => DetailValue::Text(plain(&other)),
            };
            DetailField { label: label(&key), value, link }
        })
        .collect()
}

/// Where a record's object is shown, if it has a page.
pub fn object_link(object_type: &str, object_id: &str) -> Option<String> {
    match object_type {
        "application" => Some(format!("/applications/{object_id}")),
        "org" => Some(format!("/orgs/{object_id}")),
        "user" => Some(format!("/admin/users?q={object_id}")),
        "checklist" => Some("/admin/checklists".into()),
        "gateway_key" => Some("/admin/gateway-keys".into()),
        _ => None,
    }
}

fn id_link(key: &str, id: &str) -> Option<String> {
    match key {
        "application_id" => object_link("application", id),
        "org_id" => object_link("org", id),
        "user_id" | "reviewer_id" => object_link("user", id),
        _ => None,
    }
}

fn plain(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(text) => text.clone(),
        serde_json::Value::Bool(true) => "yes".into(),
        serde_json::Value::Bool(false) => "no".into(),
        serde_json::Value::Null => "none".into(),
        serde_json::Value::Array(items) => items.iter().map(plain).collect::<Vec<_>>().join(", "),
        other => other.to_string(),
    }
}

/// `granted_scopes` reads "Granted scopes", `client_id` "Client ID".
fn label(key: &str) -> String {
    let words: Vec<String> = key
        .split('_')
        .filter(|w| !w.is_empty())
        .enumerate()
        .map(|(i, word)| match word {
            "id" | "ip" | "url" => word.to_uppercase(),
            _ if i == 0 => {
                let mut chars = word.chars();
                chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
            }
            _ => word.to_owned(),
        })
        .collect();
    words.join(" ")
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct AuditQuery {
    /// Exact action, e.g. `user.login_failed`, or a prefix ending in `.` such as `user.`.
    pub action: Option<String>,
    /// Matches the actor's email or id.
    pub actor: Option<String>,
    pub object_id: Option<String>,
    #[cfg_attr(feature = "openapi", param(value_type = Option<u64>, minimum = 1, maximum = 1000000))]
    pub page: Option<PageNumber>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MailView {
    pub id: String,
    pub to: String,
    pub subject: String,
    pub status: String,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub created_at: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audit_details_read_as_labelled_fields() {
        let fields = detail_fields(
            r#"{"client_id":"pc_live_1","granted_scopes":["portability.profile.single"],"user_id":"u1","sessions_ended":true,"expires_at":"2026-12-14T03:46:40Z","revision":2}"#,
        );
        let labels: Vec<&str> = fields.iter().map(|f| f.label.as_str()).collect();
        assert_eq!(labels, ["Client ID", "Expires at", "Granted scopes", "Revision", "Sessions ended", "User ID"]);
        assert_eq!(fields[0].link, None);
        assert_eq!(fields[1].value, DetailValue::Moment("2026-12-14T03:46:40Z".into()));
        assert_eq!(fields[2].value, DetailValue::Scopes(vec!["portability.profile.single".into()]));
        assert_eq!(fields[3].value, DetailValue::Text("2".into()));
        assert_eq!(fields[4].value, DetailValue::Text("yes".into()));
        assert_eq!(fields[5].link.as_deref(), Some("/admin/users?q=u1"));
    }

    #[test]
    fn details_that_are_no_object_stay_readable() {
        assert_eq!(detail_fields("{}"), []);
        assert_eq!(detail_fields(""), []);
        let odd = detail_fields("not json");
        assert_eq!(odd.len(), 1);
        assert_eq!(odd[0].value, DetailValue::Text("not json".into()));
    }

    #[test]
    fn objects_with_a_page_are_linked() {
        assert_eq!(object_link("application", "a1").as_deref(), Some("/applications/a1"));
        assert_eq!(object_link("org", "o1").as_deref(), Some("/orgs/o1"));
        assert_eq!(object_link("session", "s1"), None);
    }

    #[test]
    fn page_numbers_are_refused_outside_their_range_when_read() {
        let read = |text: &str| serde_json::from_str::<PageNumber>(text).map(u64::from);
        assert_eq!(read("1").unwrap(), 1);
        assert_eq!(read("1000000").unwrap(), MAX_PAGE);
        assert!(read("0").is_err());
        assert!(read("1000001").is_err());
        assert!(read("18446744073709551615").is_err());
        assert_eq!("7".parse::<PageNumber>().map(u64::from), Ok(7));
        assert_eq!(u64::from(PageNumber::clamped(0)), 1);
        assert_eq!(u64::from(PageNumber::clamped(u64::MAX)), MAX_PAGE);
        assert_eq!(page_number(None), 1);
    }
}
