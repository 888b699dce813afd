//! What the portal shows of an application: the JSON API's objects and the UI's data.

use super::appeal::{AppealStatus, AppealView};
use super::content::{ApplicationContent, MissingItem};
use super::mockup::MockupView;
use super::revision::FieldChange;
use super::status::ApplicationStatus;
use crate::admin::{Page, PageNumber};
use serde::{Deserialize, Serialize};
use validator::Validate;

#[derive(Debug, Clone, Default, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateApplicationInput {
    #[validate(length(min = 1, max = 36, message = "Choose an organisation."))]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 36))]
    pub org_id: String,
    #[validate(custom(function = crate::account::validate_display_name))]
    #[cfg_attr(
        feature = "openapi",
        schema(pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$", max_length = 100)
    )]
    pub name: String,
}

/// The `application` object: the form's fields at the top level, as `PATCH` takes them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApplicationView {
    pub id: String,
    pub org_id: String,
    pub org_name: String,
    pub reference: String,
    pub status: ApplicationStatus,
    /// Increases with every saved change; send it back with `PATCH` to detect concurrent edits.
    pub version: i64,
    /// How many times it has been submitted.
    pub revision: i64,
    #[serde(flatten)]
    pub content: ApplicationContent,
    pub mockups: Vec<MockupView>,
    /// What still blocks submission, every item at once.
    pub missing: Vec<MissingItem>,
    pub created_at: String,
    pub updated_at: String,
    pub submitted_at: Option<String>,
    /// What the caller may do now.
    pub can_edit: bool,
    pub can_withdraw: bool,
    /// Approved: the organisation may send it back to review to renew its credentials.
    #[serde(default)]
    pub can_recertify: bool,
    /// The caller is a reviewer who may take or decide it now.
    pub can_review: bool,
    /// Once approved: the scopes granted, a subset of those requested.
    pub granted_scopes: Option<Vec<String>>,
    /// When reviewers should have decided; `None` while paused or after a decision.
    pub due_at: Option<String>,
    /// A first approval of sensitive scopes, waiting for a second reviewer.
    pub first_approval: Option<FirstApproval>,
    /// The appeal against the latest rejection, if one was filed.
    #[serde(default)]
    pub appeal: Option<AppealView>,
    /// Rejected and not yet appealed: until when its organisation's owners may appeal.
    #[serde(default)]
    pub appeal_until: Option<String>,
    /// The caller may appeal the rejection now.
    #[serde(default)]
    pub can_appeal: bool,
    /// The caller may decide the pending appeal (a reviewer who took no part in the rejection).
    #[serde(default)]
    pub can_decide_appeal: bool,
    /// The caller may attach a file to the pending appeal (its organisation's owners, up to
    /// `MAX_APPEAL_ATTACHMENTS`).
    #[serde(default)]
    pub can_attach_to_appeal: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FirstApproval {
    pub reviewer_id: String,
    pub reviewer_name: String,
    pub granted_scopes: Vec<String>,
    pub at: String,
}

/// A row of an application list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApplicationSummary {
    pub id: String,
    pub org_id: String,
    pub org_name: String,
    pub reference: String,
    pub name: String,
    pub status: ApplicationStatus,
    pub requested_scopes: Vec<String>,
    pub revision: i64,
    pub updated_at: String,
    pub submitted_at: Option<String>,
    /// Rejected and not yet appealed: until when it may be appealed.
    #[serde(default)]
    pub appeal_until: Option<String>,
    /// The state of the appeal against its latest rejection, if one was filed.
    #[serde(default)]
    pub appeal: Option<AppealStatus>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct ApplicationQuery {
    pub status: Option<ApplicationStatus>,
    #[cfg_attr(feature = "openapi", param(value_type = Option<u64>, minimum = 1, maximum = 1000000))]
    pub page: Option<PageNumber>,
}

/// One line of the status page's timeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TimelineEntry {
    /// created | submitted | resubmitted | review_started | changes_requested | approved | rejected | withdrawn |
    /// appealed | appeal_upheld | appeal_overturned …
    pub kind: String,
    pub at: String,
    pub actor_name: Option<String>,
    pub revision: Option<i64>,
    /// The reviewers' message, for changes requested and decisions.
    pub message: Option<String>,
    /// Checklist items that failed, for changes requested.
    pub failed_items: Vec<String>,
}

/// Messages on one page of a thread; page 1 holds the latest.
pub const MESSAGES_PER_PAGE: u64 = 50;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MessageView {
    pub id: String,
    pub author_name: String,
    /// applicant | reviewer
    pub side: String,
    pub body: String,
    pub created_at: String,
}

/// Everything an application's status page shows, read in one operation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApplicationStatusPage {
    pub application: ApplicationView,
    /// The use case's Markdown, rendered safe by the server.
    pub use_case_html: String,
    pub timeline: Vec<TimelineEntry>,
    pub revisions: Vec<RevisionView>,
    pub comparison: Option<RevisionComparison>,
    /// The page of the thread asked for; page 1 holds the latest messages.
    pub messages: Page<MessageView>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MessageInput {
    #[validate(custom(function = validate_message_body))]
    #[cfg_attr(
        feature = "openapi",
        schema(
            pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$",
            max_length = 10000
        )
    )]
    pub body: String,
}

pub const MAX_MESSAGE_CHARS: usize = 10_000;

pub fn validate_message_body(body: &str) -> Result<(), validator::ValidationError> {
    let error = |code: &'static str, message: &'static str| {
        Err(validator::ValidationError::new(code).with_message(message.into()))
    };
    if body.trim().is_empty() {
        return error("required", "Write a message.");
    }
    if body.chars().count() > MAX_MESSAGE_CHARS {
        return error("too_long", "Use at most 10000 characters.");
    }
    if body.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
        return error("control_chars", "Remove control characters.");
    }
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RevisionView {
    pub number: i64,
    pub submitted_at: String,
    pub submitted_by: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RevisionComparison {
    pub from: i64,
    pub to: i64,
    pub changes: Vec<FieldChange>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_bodies_have_limits() {
        assert!(validate_message_body("Could you explain the retention period?\nThanks").is_ok());
        assert!(validate_message_body("  ").is_err());
        assert!(validate_message_body(&"x".repeat(MAX_MESSAGE_CHARS + 1)).is_err());
        assert!(validate_message_body("bell\u{7}").is_err());
    }

    #[test]
    fn new_applications_need_an_organisation_and_a_name() {
        let input = CreateApplicationInput { org_id: String::new(), name: " ".into() };
        let fields = crate::account::field_errors(&input.validate().unwrap_err());
        assert_eq!(fields.keys().cloned().collect::<Vec<_>>(), ["name", "org_id"]);
    }
}
