//! What a reviewer sees of their own review, and what they send to record a verdict.

use super::checklist::{ReviewItem, Verdict};
use crate::application::scope::ScopeView;
use crate::application::view::{ApplicationView, RevisionComparison};
use serde::{Deserialize, Serialize};

/// A review: the caller's own of the current revision, or any reviewer's of any revision in
/// [`ReviewsView`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReviewView {
    pub application_id: String,
    pub revision: i64,
    pub reviewer_name: String,
    pub started_at: String,
    /// The template versions the review started with; later edits do not change them.
    pub privacy_version: i32,
    pub security_version: i32,
    /// Items relevant to the requested scopes, privacy first, in template order.
    pub items: Vec<ReviewItem>,
    pub progress: Progress,
    /// Required items not passed yet, by title: what blocks approving every requested scope.
    pub blocking: Vec<String>,
    /// Verdicts can still change (the application is in review).
    pub editable: bool,
}

/// `GET /applications/{id}/reviews`: every reviewer's review of every revision, oldest revision
/// first and, within one, in the order they started. None is editable here.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReviewsView {
    pub reviews: Vec<ReviewView>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Progress {
    pub recorded: u32,
    pub total: u32,
}

impl Progress {
    pub fn of(items: &[ReviewItem]) -> Self {
        Progress { recorded: items.iter().filter(|i| i.verdict.is_some()).count() as u32, total: items.len() as u32 }
    }

    pub fn percent(self) -> u32 {
        (self.recorded * 100).checked_div(self.total).unwrap_or(0)
    }
}

/// `PUT …/review/items/{item_id}`; a `null` verdict clears the item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct VerdictInput {
    pub verdict: Option<Verdict>,
    #[serde(default)]
    pub note: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_counts_recorded_verdicts() {
        let item = |verdict| ReviewItem {
            item_id: "i".into(),
            checklist: super::super::checklist::ChecklistKind::Security,
            title: "t".into(),
            guidance: String::new(),
            required: true,
            applies_to: vec![],
            verdict,
            note: String::new(),
        };
        let progress = Progress::of(&[item(Some(Verdict::Pass)), item(None), item(Some(Verdict::Na)), item(None)]);
        assert_eq!(progress, Progress { recorded: 2, total: 4 });
        assert_eq!(progress.percent(), 50);
        assert_eq!(Progress::default().percent(), 0);
    }

    #[test]
    fn verdicts_parse_from_json() {
        let input: VerdictInput = serde_json::from_str(r#"{"verdict":"fail","note":"No revoke screen."}"#).unwrap();
        assert_eq!(input.verdict, Some(Verdict::Fail));
        let cleared: VerdictInput = serde_json::from_str(r#"{"verdict":null}"#).unwrap();
        assert_eq!(cleared.verdict, None);
        assert!(serde_json::from_str::<VerdictInput>(r#"{"verdict":"maybe"}"#).is_err());
    }
}

/// Everything the review page shows, read in one operation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewPageView {
    pub application: ApplicationView,
    /// The use case's Markdown, rendered safe by the server.
    pub use_case_html: String,
    /// `None` until the caller claims the application.
    pub review: Option<ReviewView>,
    /// What changed since the previous revision, from the second revision on.
    pub changes: Option<RevisionComparison>,
    pub catalogue: Vec<ScopeView>,
}
