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
