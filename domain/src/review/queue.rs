//! The review queue's filters and rows. Filters arrive as query-string text (from the API
//! and from the queue page's plain GET form) and are read here, leniently: an empty value
//! means "no filter", an unknown one is refused with the field's name.

use super::view::Progress;
use crate::admin::{PageNumber, page_number};
use crate::application::status::ApplicationStatus;
use serde::{Deserialize, Serialize};

/// As received: every field optional text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct QueueParams {
    /// A status, or `open` (submitted or in review, the default) or `all`.
    #[cfg_attr(
        feature = "openapi",
        param(
            pattern = r"^(open|all|submitted|in_review|changes_requested|approved|rejected|withdrawn|suspended|revoked)?$"
        )
    )]
    pub status: Option<String>,
    /// A scope name, or `sensitive` for any sensitive scope.
    pub scope: Option<String>,
    /// `me`, `nobody` or `anyone` (the default).
    #[cfg_attr(feature = "openapi", param(pattern = r"^(me|nobody|anyone)?$"))]
    pub assignee: Option<String>,
    /// `true` for overdue applications only.
    #[cfg_attr(feature = "openapi", param(pattern = r"^(true|on|false)?$"))]
    pub overdue: Option<String>,
    /// Free text matched against organisation and app names.
    #[cfg_attr(feature = "openapi", param(max_length = 200))]
    pub q: Option<String>,
    /// `age` (oldest first, the default), `newest` or `due` (soonest due first).
    #[cfg_attr(feature = "openapi", param(pattern = r"^(age|newest|due)?$"))]
    pub sort: Option<String>,
    #[cfg_attr(feature = "openapi", param(value_type = Option<u64>, minimum = 1, maximum = 1000000))]
    pub page: Option<PageNumber>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StatusFilter {
    Open,
    All,
    Only(ApplicationStatus),
}

impl StatusFilter {
    /// The statuses shown; drafts are never in the queue.
    pub fn statuses(&self) -> Vec<ApplicationStatus> {
        match self {
            StatusFilter::Open => vec![ApplicationStatus::Submitted, ApplicationStatus::InReview],
            StatusFilter::All => {
                ApplicationStatus::ALL.into_iter().filter(|s| *s != ApplicationStatus::Draft).collect()
            }
            StatusFilter::Only(status) => vec![*status],
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScopeFilter {
    Any,
    Sensitive,
    Named(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssigneeFilter {
    Anyone,
    Me,
    Nobody,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueueSort {
    Oldest,
    Newest,
    Due,
}

/// The queue's filters, read and checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueFilter {
    pub status: StatusFilter,
    pub scope: ScopeFilter,
    pub assignee: AssigneeFilter,
    pub overdue: bool,
    /// Lower-cased, trimmed; empty means no search.
    pub q: String,
    pub sort: QueueSort,
    pub page: u64,
}

pub const QUEUE_PAGE_SIZE: u64 = 25;

/// A filter's value; empty is the same as none. Values are taken exactly as the links and
/// forms send them, as the API document describes them.
fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().filter(|v| !v.is_empty())
}

impl QueueFilter {
    /// `known_scope` says whether a name is in the scope catalogue.
    pub fn parse(params: &QueueParams, known_scope: impl Fn(&str) -> bool) -> Result<Self, (&'static str, String)> {
        let status = match given(&params.status) {
            None | Some("open") => StatusFilter::Open,
            Some("all") => StatusFilter::All,
            Some(other) => match other.parse::<ApplicationStatus>() {
                Ok(ApplicationStatus::Draft) | Err(_) => {
                    return Err(("status", format!("Unknown status `{other}`.")));
                }
                Ok(status) => StatusFilter::Only(status),
            },
        };
        let scope = match given(&params.scope) {
            None => ScopeFilter::Any,
            Some("sensitive") => ScopeFilter::Sensitive,
            Some(name) if known_scope(name) => ScopeFilter::Named(name.to_owned()),
            Some(name) => return Err(("scope", format!("Unknown scope `{name}`."))),
        };
        let assignee = match given(&params.assignee) {
            None | Some("anyone") => AssigneeFilter::Anyone,
            Some("me") => AssigneeFilter::Me,
            Some("nobody") => AssigneeFilter::Nobody,
            Some(other) => return Err(("assignee", format!("Use me, nobody or anyone, not `{other}`."))),
        };
        let overdue = match given(&params.overdue) {
            None | Some("false") => false,
            Some("true") | Some("on") => true,
            Some(other) => return Err(("overdue", format!("Use true or false, not `{other}`."))),
        };
        let raw = params.q.as_deref().unwrap_or_default();
        let q = raw.trim().to_lowercase();
        if raw.chars().count() > 200 {
            return Err(("q", "Search for at most 200 characters.".into()));
        }
        let sort = match given(&params.sort) {
            None | Some("age") => QueueSort::Oldest,
            Some("newest") => QueueSort::Newest,
            Some("due") => QueueSort::Due,
            Some(other) => return Err(("sort", format!("Sort by age, newest or due, not `{other}`."))),
        };
        Ok(QueueFilter { status, scope, assignee, overdue, q, sort, page: page_number(params.page) })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QueueScope {
    pub name: String,
    pub sensitive: bool,
}

/// One row of the queue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QueueRow {
    pub id: String,
    pub reference: String,
    pub org_name: String,
    pub name: String,
    pub status: ApplicationStatus,
    pub revision: i64,
    pub requested_scopes: Vec<QueueScope>,
    /// First submission.
    pub submitted_at: Option<String>,
    /// Whole days since the first submission.
    pub age_days: i64,
    /// `None` while the clock is paused or after a decision.
    pub due_at: Option<String>,
    pub overdue: bool,
    pub assignees: Vec<String>,
    /// The most advanced review of the current revision.
    pub progress: Progress,
    /// The reviewer whose approval of the current revision waits for a second one.
    pub first_approved_by: Option<String>,
    /// The caller belongs to the applying organisation, so may not review it.
    pub own_org: bool,
}

/// A reviewer's own page: what is assigned to them, and what waits for their second look.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Dashboard {
    /// One page of what is assigned, the soonest due first.
    pub assigned: Vec<QueueRow>,
    pub page: u64,
    pub per_page: u64,
    /// Everything assigned, on all pages.
    pub total: u64,
    pub overdue: u64,
    /// Approved once by another reviewer; a second approval is needed.
    pub awaiting_second_approval: Vec<QueueRow>,
}

impl Dashboard {
    /// Pages of what is assigned.
    pub fn pages(&self) -> u64 {
        self.total.div_ceil(self.per_page.max(1)).max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(params: QueueParams) -> Result<QueueFilter, (&'static str, String)> {
        QueueFilter::parse(&params, |name| name == "portability.direct_messages.ongoing")
    }

    #[test]
    fn empty_parameters_mean_the_open_queue_oldest_first() {
        let filter = parse(QueueParams { status: Some(String::new()), ..Default::default() }).unwrap();
        assert_eq!(filter.status, StatusFilter::Open);
        assert_eq!(filter.status.statuses(), [ApplicationStatus::Submitted, ApplicationStatus::InReview]);
        assert_eq!(filter.scope, ScopeFilter::Any);
        assert_eq!(filter.assignee, AssigneeFilter::Anyone);
        assert!(!filter.overdue);
        assert_eq!(filter.sort, QueueSort::Oldest);
        let padded = parse(QueueParams { status: Some(" open".into()), ..Default::default() });
        assert_eq!(padded.unwrap_err().0, "status", "values are exact, as the API document says");
        assert_eq!(filter.page, 1);
    }

    #[test]
    fn every_filter_is_read() {
        let filter = parse(QueueParams {
            status: Some("changes_requested".into()),
            scope: Some("portability.direct_messages.ongoing".into()),
            assignee: Some("me".into()),
            overdue: Some("true".into()),
            q: Some("  ACME ".into()),
            sort: Some("due".into()),
            page: Some(PageNumber::clamped(3)),
        })
        .unwrap();
        assert_eq!(filter.status, StatusFilter::Only(ApplicationStatus::ChangesRequested));
        assert_eq!(filter.scope, ScopeFilter::Named("portability.direct_messages.ongoing".into()));
        assert_eq!(filter.assignee, AssigneeFilter::Me);
        assert!(filter.overdue);
        assert_eq!(filter.q, "acme");
        assert_eq!(filter.sort, QueueSort::Due);
        assert_eq!(filter.page, 3);
        assert_eq!(
            parse(QueueParams { scope: Some("sensitive".into()), ..Default::default() }).unwrap().scope,
            ScopeFilter::Sensitive
        );
        assert!(
            !parse(QueueParams { status: Some("all".into()), ..Default::default() })
                .unwrap()
                .status
                .statuses()
                .contains(&ApplicationStatus::Draft)
        );
    }

    #[test]
    fn unknown_values_name_their_field() {
        let field = |params| parse(params).unwrap_err().0;
        assert_eq!(field(QueueParams { status: Some("draft".into()), ..Default::default() }), "status");
        assert_eq!(field(QueueParams { status: Some("pending".into()), ..Default::default() }), "status");
        assert_eq!(field(QueueParams { scope: Some("portability.everything".into()), ..Default::default() }), "scope");
        assert_eq!(field(QueueParams { assignee: Some("bob".into()), ..Default::default() }), "assignee");
        assert_eq!(field(QueueParams { overdue: Some("maybe".into()), ..Default::default() }), "overdue");
        assert_eq!(field(QueueParams { sort: Some("name".into()), ..Default::default() }), "sort");
        assert_eq!(field(QueueParams { q: Some("x".repeat(201)), ..Default::default() }), "q");
    }
}
