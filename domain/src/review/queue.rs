//! The review queue's filters and rows. Filters arrive as query-string text (from the API
//! and from the queue page's plain GET form) and are read here, leniently: an empty value
//! means "no filter", an unknown one is refused with the field's name.

use super::view::Progress;
use crate::admin::{MAX_PAGE, PageNumber, page_number};
use crate::application::appeal::AppealStatus;
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
    /// A page by number, counted from the start (`1` is the first). Links use `after` and
    /// `before` instead, which stay put as applications come and go.
    #[cfg_attr(feature = "openapi", param(value_type = Option<u64>, minimum = 1, maximum = 1000000))]
    pub page: Option<PageNumber>,
    /// A scope name, or `sensitive`: applications granted it (approved ones).
    pub granted: Option<String>,
    /// The page after this position: the `next` of the page before.
    #[cfg_attr(feature = "openapi", param(max_length = 200))]
    pub after: Option<String>,
    /// The page before this position: the `previous` of the page after.
    #[cfg_attr(feature = "openapi", param(max_length = 200))]
    pub before: Option<String>,
    /// `pending`: rejected applications with a pending appeal that the caller may decide
    /// (they took no part in the rejection). The status is then `rejected` unless given.
    #[cfg_attr(feature = "openapi", param(pattern = r"^(pending)?$"))]
    pub appeal: Option<String>,
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

impl QueueSort {
    pub fn as_str(self) -> &'static str {
        match self {
            QueueSort::Oldest => "age",
            QueueSort::Newest => "newest",
            QueueSort::Due => "due",
        }
    }
}

/// A row's place in one sort order: its sort key (`None`: no due date) and its id, which
/// breaks ties, and the page it was shown on. Links carry it as text: [`QueueCursor::encode`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueCursor {
    pub sort: QueueSort,
    pub page: u64,
    /// Nanoseconds since the epoch: the exact stored time, so no row is skipped or repeated.
    pub key: Option<i64>,
    pub id: String,
}

impl QueueCursor {
    /// `age~3~1764590400000000000~<id>`; `-` for no key.
    pub fn encode(&self) -> String {
        let key = self.key.map_or_else(|| "-".to_owned(), |k| k.to_string());
        format!("{}~{}~{key}~{}", self.sort.as_str(), self.page, self.id)
    }

    /// `None` for anything [`QueueCursor::encode`] did not write.
    pub fn decode(text: &str) -> Option<Self> {
        let mut parts = text.splitn(4, '~');
        let sort = match parts.next()? {
            "age" => QueueSort::Oldest,
            "newest" => QueueSort::Newest,
            "due" => QueueSort::Due,
            _ => return None,
        };
        let page = parts.next()?.parse::<u64>().ok().filter(|p| (1..=MAX_PAGE).contains(p))?;
        let key = match parts.next()? {
            "-" => None,
            key => Some(key.parse().ok()?),
        };
        let id = parts.next().filter(|id| !id.is_empty() && id.len() <= 64)?.to_owned();
        // Only the due date may be missing: every application in the queue was submitted.
        (key.is_some() || sort == QueueSort::Due).then_some(QueueCursor { sort, page, key, id })
    }
}

/// Where in the sorted queue a page starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueuePosition {
    /// By number, from the start.
    Page(u64),
    /// The rows after this one.
    After(QueueCursor),
    /// The rows before this one.
    Before(QueueCursor),
}

/// The queue's filters, read and checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueFilter {
    pub status: StatusFilter,
    pub scope: ScopeFilter,
    /// Applications granted a scope.
    pub granted: ScopeFilter,
    pub assignee: AssigneeFilter,
    pub overdue: bool,
    /// Lower-cased, trimmed; empty means no search.
    pub q: String,
    pub sort: QueueSort,
    pub position: QueuePosition,
    /// Only pending appeals the caller may decide.
    pub appeal_pending: bool,
}

pub const QUEUE_PAGE_SIZE: u64 = 25;

/// The queue counts matching applications up to this many, and says "more than" beyond: an
/// exact count would read every matching row on every page (see README, "Review queue").
pub const QUEUE_COUNT_BOUND: u64 = 1000;

/// A filter's value; empty is the same as none. Values are taken exactly as the links and
/// forms send them, as the API document describes them.
fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().filter(|v| !v.is_empty())
}

impl QueueFilter {
    /// `known_scope` says whether a name is in the scope catalogue.
    pub fn parse(params: &QueueParams, known_scope: impl Fn(&str) -> bool) -> Result<Self, (&'static str, String)> {
        let appeal_pending = match given(&params.appeal) {
            None => false,
            Some("pending") => true,
            Some(other) => return Err(("appeal", format!("Use pending, not `{other}`."))),
        };
        let status = match given(&params.status) {
            // Appeals are against rejections: the open queue holds none.
            None | Some("open") if appeal_pending => StatusFilter::Only(ApplicationStatus::Rejected),
            None | Some("open") => StatusFilter::Open,
            Some("all") => StatusFilter::All,
            Some(other) => match other.parse::<ApplicationStatus>() {
                Ok(ApplicationStatus::Draft) | Err(_) => {
                    return Err(("status", format!("Unknown status `{other}`.")));
                }
                Ok(status) => StatusFilter::Only(status),
            },
        };
        let scope_filter = |field: &'static str, value: &Option<String>| match given(value) {
            None => Ok(ScopeFilter::Any),
            Some("sensitive") => Ok(ScopeFilter::Sensitive),
            Some(name) if known_scope(name) => Ok(ScopeFilter::Named(name.to_owned())),
            Some(name) => Err((field, format!("Unknown scope `{name}`."))),
        };
        let scope = scope_filter("scope", &params.scope)?;
        let granted = scope_filter("granted", &params.granted)?;
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
        let cursor = |field: &'static str, text: &str| match QueueCursor::decode(text) {
            Some(cursor) if cursor.sort == sort => Ok(cursor),
            Some(_) => Err((field, "This link belongs to another sort order; start again from the first page.".into())),
            None => Err((field, "This link is not one the queue wrote; start again from the first page.".into())),
        };
        let position = match (given(&params.after), given(&params.before)) {
            (Some(_), Some(_)) => return Err(("before", "Give `after` or `before`, not both.".into())),
            (Some(after), None) => QueuePosition::After(cursor("after", after)?),
            (None, Some(before)) => QueuePosition::Before(cursor("before", before)?),
            (None, None) => QueuePosition::Page(page_number(params.page)),
        };
        Ok(QueueFilter { status, scope, granted, assignee, overdue, q, sort, position, appeal_pending })
    }
}

/// One page of the queue, with links to its neighbours.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QueuePage {
    pub items: Vec<QueueRow>,
    /// The page's number, counted from the start.
    pub page: u64,
    pub per_page: u64,
    /// Matching applications, counted up to [`QUEUE_COUNT_BOUND`].
    pub total: u64,
    /// More than `total` match: the count stopped at its bound.
    pub total_exceeds: bool,
    /// Pass as `after` (with the same filters) for the next page; `None` on the last.
    pub next: Option<String>,
    /// Pass as `before` for the previous page; `None` on the first.
    pub previous: Option<String>,
}

impl QueuePage {
    /// "Page 2 · 40 in all", or "Page 2 · more than 1,000 in all".
    pub fn summary(&self) -> String {
        let total = if self.total_exceeds {
            format!("more than {}", thousands(QUEUE_COUNT_BOUND))
        } else {
            thousands(self.total)
        };
        format!("Page {} · {total} in all", self.page)
    }
}

fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
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
    /// The appeal against the rejection of the current revision, if one was filed.
    #[serde(default)]
    pub appeal: Option<AppealStatus>,
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
        assert_eq!(filter.granted, ScopeFilter::Any);
        let padded = parse(QueueParams { status: Some(" open".into()), ..Default::default() });
        assert_eq!(padded.unwrap_err().0, "status", "values are exact, as the API document says");
        assert_eq!(filter.position, QueuePosition::Page(1));
    }

    #[test]
    fn the_appeal_filter_shows_rejections_unless_a_status_is_given() {
        let pending = parse(QueueParams { appeal: Some("pending".into()), ..Default::default() }).unwrap();
        assert!(pending.appeal_pending);
        assert_eq!(pending.status, StatusFilter::Only(ApplicationStatus::Rejected));
        let all = QueueParams { appeal: Some("pending".into()), status: Some("all".into()), ..Default::default() };
        assert_eq!(parse(all).unwrap().status, StatusFilter::All);
        assert!(!parse(QueueParams { appeal: Some(String::new()), ..Default::default() }).unwrap().appeal_pending);
        let unknown = parse(QueueParams { appeal: Some("upheld".into()), ..Default::default() }).unwrap_err();
        assert_eq!(unknown.0, "appeal");
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
            granted: Some("sensitive".into()),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(filter.status, StatusFilter::Only(ApplicationStatus::ChangesRequested));
        assert_eq!(filter.scope, ScopeFilter::Named("portability.direct_messages.ongoing".into()));
        assert_eq!(filter.assignee, AssigneeFilter::Me);
        assert!(filter.overdue);
        assert_eq!(filter.q, "acme");
        assert_eq!(filter.sort, QueueSort::Due);
        assert_eq!(filter.position, QueuePosition::Page(3));
        assert_eq!(filter.granted, ScopeFilter::Sensitive);
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
        assert_eq!(
            field(QueueParams { granted: Some("portability.everything".into()), ..Default::default() }),
            "granted"
        );
        assert_eq!(field(QueueParams { after: Some("age~1~x".into()), ..Default::default() }), "after");
        let due = QueueCursor { sort: QueueSort::Due, page: 1, key: None, id: "a".into() }.encode();
        assert_eq!(field(QueueParams { before: Some(due.clone()), ..Default::default() }), "before", "another sort");
        assert_eq!(field(QueueParams { after: Some(due.clone()), before: Some(due), ..Default::default() }), "before");
    }

    #[test]
    fn a_cursor_reads_back_as_written_and_nothing_else_reads() {
        for cursor in [
            QueueCursor { sort: QueueSort::Oldest, page: 2, key: Some(1_764_590_400_123_456_789), id: "0f3c~x".into() },
            QueueCursor { sort: QueueSort::Newest, page: 7, key: Some(-5), id: "b".into() },
            QueueCursor { sort: QueueSort::Due, page: 1, key: None, id: "c".into() },
        ] {
            assert_eq!(QueueCursor::decode(&cursor.encode()), Some(cursor));
        }
        for text in ["", "age", "age~2~5", "age~0~5~a", "age~2~-~a", "due~2~x~a", "name~2~5~a", "age~2~5~"] {
            assert_eq!(QueueCursor::decode(text), None, "{text}");
        }
        let filter =
            parse(QueueParams { sort: Some("due".into()), after: Some("due~4~-~abc".into()), ..Default::default() })
                .unwrap();
        assert_eq!(
            filter.position,
            QueuePosition::After(QueueCursor { sort: QueueSort::Due, page: 4, key: None, id: "abc".into() })
        );
    }

    #[test]
    fn the_summary_says_more_than_the_bound_past_it() {
        let page = |total, total_exceeds| QueuePage {
            items: vec![],
            page: 2,
            per_page: QUEUE_PAGE_SIZE,
            total,
            total_exceeds,
            next: None,
            previous: None,
        };
        assert_eq!(page(40, false).summary(), "Page 2 · 40 in all");
        assert_eq!(page(1000, false).summary(), "Page 2 · 1,000 in all");
        assert_eq!(page(QUEUE_COUNT_BOUND, true).summary(), "Page 2 · more than 1,000 in all");
    }
}
