//! Appeals against a rejection: the window, once per rejection, who may appeal, who may
//! decide, and what each outcome does. The lifecycle table says which parties may act on a
//! rejected application at all; these rules add what the table cannot see (time, history).

use super::lifecycle::{Action, LifecycleError, Party, transition};
use super::status::ApplicationStatus;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use std::str::FromStr;

/// Days after a rejection within which the organisation may appeal, unless configured.
pub const DEFAULT_APPEAL_DAYS: u32 = 30;
/// The longest window that may be configured: ten years.
pub const MAX_APPEAL_DAYS: u32 = 3_650;
/// The longest appeal (and the longest reason for its outcome), in characters.
pub const MAX_APPEAL_CHARS: usize = 5_000;
/// The most files one appeal may carry. Each is checked and limited as a mockup is, and
/// counts in the organisation's upload quota.
pub const MAX_APPEAL_ATTACHMENTS: usize = 5;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AppealStatus {
    /// Filed, waiting for a reviewer who took no part in the rejection.
    Pending,
    /// The rejection stands, for good.
    Upheld,
    /// The application went back to review on a new revision.
    Overturned,
}

impl AppealStatus {
    pub const ALL: [AppealStatus; 3] = [AppealStatus::Pending, AppealStatus::Upheld, AppealStatus::Overturned];

    pub fn as_str(self) -> &'static str {
        match self {
            AppealStatus::Pending => "pending",
            AppealStatus::Upheld => "upheld",
            AppealStatus::Overturned => "overturned",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            AppealStatus::Pending => "Appeal pending",
            AppealStatus::Upheld => "Appeal upheld",
            AppealStatus::Overturned => "Appeal overturned the rejection",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("There is no appeal status called \"{0}\".")]
pub struct UnknownAppealStatus(pub String);

impl FromStr for AppealStatus {
    type Err = UnknownAppealStatus;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|s| s.as_str() == value).ok_or_else(|| UnknownAppealStatus(value.to_owned()))
    }
}

/// What the deciding reviewer concludes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AppealOutcome {
    Upheld,
    Overturned,
}

impl AppealOutcome {
    pub fn status(self) -> AppealStatus {
        match self {
            AppealOutcome::Upheld => AppealStatus::Upheld,
            AppealOutcome::Overturned => AppealStatus::Overturned,
        }
    }

    fn action(self) -> Action {
        match self {
            AppealOutcome::Upheld => Action::UpholdAppeal,
            AppealOutcome::Overturned => Action::OverturnAppeal,
        }
    }
}

/// `POST /applications/{id}/appeal`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AppealInput {
    /// Why the rejection should be looked at again: required, at most 5,000 characters.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 5000))]
    pub reasons: String,
}

/// `POST /applications/{id}/appeal/decision`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AppealDecisionInput {
    pub outcome: AppealOutcome,
    /// Why, for the organisation: required, at most 5,000 characters.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 5000))]
    pub reason: String,
}

/// Checks a free text of an appeal (the reasons, or the outcome's reason).
pub fn check_text(text: &str, missing: &'static str) -> Result<(), String> {
    if text.trim().is_empty() {
        return Err(missing.to_owned());
    }
    if text.chars().count() > MAX_APPEAL_CHARS {
        return Err(format!("Use at most {MAX_APPEAL_CHARS} characters."));
    }
    if text.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
        return Err("Remove control characters.".to_owned());
    }
    Ok(())
}

impl AppealInput {
    pub fn check(&self) -> Result<(), String> {
        check_text(&self.reasons, "Say why the rejection should be looked at again.")
    }
}

impl AppealDecisionInput {
    pub fn check(&self) -> Result<(), String> {
        check_text(&self.reason, "Say why, for the organisation.")
    }
}

/// The appeal as the application shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AppealView {
    pub status: AppealStatus,
    pub reasons: String,
    /// The rejected revision the appeal is about.
    pub revision: i64,
    pub filed_at: String,
    pub filed_by: String,
    /// The end of the window it was filed in.
    pub deadline: String,
    pub decided_at: Option<String>,
    /// The deciding reviewer's name.
    pub decided_by: Option<String>,
    pub outcome_reason: Option<String>,
    /// The files attached to it, oldest first.
    #[serde(default)]
    pub attachments: Vec<AppealAttachmentView>,
}

/// A file attached to an appeal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AppealAttachmentView {
    pub id: String,
    /// What it shows, as the organisation put it.
    pub label: String,
    /// `image/png`, `image/jpeg`, `image/webp` or `application/pdf`, judged by content.
    pub content_type: String,
    pub size: u64,
    pub sha256: String,
    pub uploaded_at: String,
}

/// Why a file cannot be attached to an appeal now.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AttachmentError {
    #[error("Only owners of the organisation can add files to its appeal.")]
    NotOwner,
    #[error("Files can be added only while the appeal is pending; this one has been decided.")]
    Decided,
    #[error("There is no appeal to add files to; file the appeal first.")]
    NoAppeal,
    #[error("An appeal can carry at most {MAX_APPEAL_ATTACHMENTS} files.")]
    TooMany,
}

impl AttachmentError {
    pub fn code(&self) -> &'static str {
        match self {
            AttachmentError::NotOwner => "forbidden",
            AttachmentError::Decided => "appeal_decided",
            AttachmentError::NoAppeal => "no_pending_appeal",
            AttachmentError::TooMany => "payload_too_large",
        }
    }
}

/// Whether `party` may attach one more file to `appeal` (the appeal of the application's
/// current revision, if any) which already carries `count`: owners only, while it is pending,
/// up to [`MAX_APPEAL_ATTACHMENTS`]. A decided appeal's files are frozen: they are what the
/// reviewer decided on.
pub fn may_attach(party: Party, appeal: Option<AppealStatus>, count: usize) -> Result<(), AttachmentError> {
    if party != Party::Owner {
        return Err(AttachmentError::NotOwner);
    }
    match appeal {
        None => Err(AttachmentError::NoAppeal),
        Some(AppealStatus::Upheld | AppealStatus::Overturned) => Err(AttachmentError::Decided),
        Some(AppealStatus::Pending) if count >= MAX_APPEAL_ATTACHMENTS => Err(AttachmentError::TooMany),
        Some(AppealStatus::Pending) => Ok(()),
    }
}

/// Why an appeal cannot be filed or decided. Each has a stable code for API clients.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AppealError {
    #[error(transparent)]
    Lifecycle(#[from] LifecycleError),
    #[error("The time to appeal this rejection ended on {0}.")]
    WindowClosed(String),
    #[error("This rejection has already been appealed; a rejection can be appealed once.")]
    AlreadyAppealed,
    #[error("There is no pending appeal to decide.")]
    NotPending,
    #[error("You took part in the rejection, so another reviewer must decide the appeal.")]
    TookPart,
    #[error("Nobody decides an appeal for an organisation they belong to.")]
    OwnOrganisation,
}

impl AppealError {
    pub fn code(&self) -> &'static str {
        match self {
            AppealError::Lifecycle(_) => "illegal_state",
            AppealError::WindowClosed(_) => "appeal_window_closed",
            AppealError::AlreadyAppealed => "already_appealed",
            AppealError::NotPending => "no_pending_appeal",
            AppealError::TookPart | AppealError::OwnOrganisation => "not_eligible_reviewer",
        }
    }

    /// About the caller (403) rather than the application's state (409).
    pub fn is_about_the_caller(&self) -> bool {
        matches!(
            self,
            AppealError::Lifecycle(LifecycleError::NotAllowed { .. })
                | AppealError::TookPart
                | AppealError::OwnOrganisation
        )
    }
}

/// When the window to appeal a rejection taken at `rejected_at` closes.
pub fn deadline(rejected_at: DateTime<Utc>, days: u32) -> DateTime<Utc> {
    rejected_at + Duration::days(i64::from(days))
}

/// What is known of an application when someone wants to appeal it.
#[derive(Debug, Clone, Copy)]
pub struct Filing {
    pub status: ApplicationStatus,
    pub party: Party,
    /// When its current revision was rejected.
    pub rejected_at: Option<DateTime<Utc>>,
    /// The appeal against this rejection, if one was filed.
    pub existing: Option<AppealStatus>,
    pub days: u32,
    pub now: DateTime<Utc>,
}

impl Filing {
    /// The window's end, if `party` may appeal now; else why not.
    pub fn check(&self) -> Result<DateTime<Utc>, AppealError> {
        transition(self.status, Action::Appeal, self.party)?;
        if self.existing.is_some() {
            return Err(AppealError::AlreadyAppealed);
        }
        // A rejected application always has its rejection; without one, nothing to appeal.
        let rejected_at =
            self.rejected_at.ok_or(LifecycleError::IllegalState { action: Action::Appeal, from: self.status })?;
        let until = deadline(rejected_at, self.days);
        if self.now > until {
            return Err(AppealError::WindowClosed(until.format("%-d %B %Y").to_string()));
        }
        Ok(until)
    }

    /// Until when the application may still be appealed, for the page to say so. Whoever the
    /// caller is: the date is the organisation's, not only its owners'.
    pub fn open_until(&self) -> Option<DateTime<Utc>> {
        Filing { party: Party::Owner, ..*self }.check().ok()
    }
}

/// Who is asking to decide an appeal.
#[derive(Debug, Clone, Copy)]
pub struct Decider {
    pub party: Party,
    /// A member of the applying organisation.
    pub member: bool,
    /// Recorded a decision (a first approval too) or a checklist verdict on the rejected revision.
    pub took_part: bool,
}

/// The application's status after `decider` decides `appeal` with `outcome`.
pub fn decide(
    status: ApplicationStatus,
    appeal: Option<AppealStatus>,
    decider: Decider,
    outcome: AppealOutcome,
) -> Result<ApplicationStatus, AppealError> {
    let next = transition(status, outcome.action(), decider.party);
    if let Err(refusal @ LifecycleError::NotAllowed { .. }) = next {
        return Err(refusal.into());
    }
    if decider.member {
        return Err(AppealError::OwnOrganisation);
    }
    if decider.took_part {
        return Err(AppealError::TookPart);
    }
    // Before the status: an appeal overturned a moment ago left the application submitted,
    // and the one who came second is told that no appeal waits, whichever outcome won.
    if appeal != Some(AppealStatus::Pending) {
        return Err(AppealError::NotPending);
    }
    Ok(next?)
}

/// Whether `decider` may decide the appeal now: for offering the panel only to them.
pub fn may_decide(status: ApplicationStatus, appeal: Option<AppealStatus>, decider: Decider) -> bool {
    decide(status, appeal, decider, AppealOutcome::Upheld).is_ok()
}

/// Took part in the rejection: named on one of the revision's decisions, or on one of its
/// reviews with at least one verdict. Claiming it, or being assigned, without recording
/// anything does not count: such a reviewer formed no view.
pub fn took_part<'a>(
    reviewer: &str,
    deciders: impl IntoIterator<Item = &'a str>,
    verdict_authors: impl IntoIterator<Item = &'a str>,
) -> bool {
    deciders.into_iter().chain(verdict_authors).any(|who| who == reviewer)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ApplicationStatus::*;
    use chrono::TimeZone;

    #[test]
    fn owners_attach_to_a_pending_appeal_up_to_the_limit() {
        let pending = Some(AppealStatus::Pending);
        for count in 0..MAX_APPEAL_ATTACHMENTS {
            assert_eq!(may_attach(Party::Owner, pending, count), Ok(()), "{count}");
        }
        let full = may_attach(Party::Owner, pending, MAX_APPEAL_ATTACHMENTS).unwrap_err();
        assert_eq!(full, AttachmentError::TooMany);
        assert_eq!(full.to_string(), "An appeal can carry at most 5 files.");
    }

    #[test]
    fn only_owners_attach_and_a_decided_appeal_is_frozen() {
        let pending = Some(AppealStatus::Pending);
        for party in [Party::Member, Party::Reviewer, Party::Admin, Party::Auditor] {
            assert_eq!(may_attach(party, pending, 0), Err(AttachmentError::NotOwner), "{party:?}");
        }
        for decided in [AppealStatus::Upheld, AppealStatus::Overturned] {
            assert_eq!(may_attach(Party::Owner, Some(decided), 0), Err(AttachmentError::Decided), "{decided:?}");
        }
        assert_eq!(may_attach(Party::Owner, None, 0), Err(AttachmentError::NoAppeal));
        assert_eq!(AttachmentError::Decided.code(), "appeal_decided");
    }

    fn at(day: u32, hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, day, hour, 0, 0).unwrap()
    }

    fn filing(now: DateTime<Utc>) -> Filing {
        Filing { status: Rejected, party: Party::Owner, rejected_at: Some(at(1, 12)), existing: None, days: 10, now }
    }

    const ELIGIBLE: Decider = Decider { party: Party::Reviewer, member: false, took_part: false };

    #[test]
    fn an_owner_may_appeal_within_the_window_up_to_its_last_moment() {
        assert_eq!(filing(at(2, 0)).check(), Ok(at(11, 12)));
        assert_eq!(filing(at(11, 12)).check(), Ok(at(11, 12)), "the deadline itself is still in time");
        let late = filing(at(11, 12) + Duration::seconds(1)).check().unwrap_err();
        assert_eq!(late, AppealError::WindowClosed("11 December 2026".into()));
        assert_eq!(late.code(), "appeal_window_closed");
        assert_eq!(late.to_string(), "The time to appeal this rejection ended on 11 December 2026.");
    }

    #[test]
    fn a_rejection_is_appealed_once_whatever_became_of_the_appeal() {
        for existing in AppealStatus::ALL {
            let filing = Filing { existing: Some(existing), ..filing(at(2, 0)) };
            assert_eq!(filing.check(), Err(AppealError::AlreadyAppealed), "{existing:?}");
            assert_eq!(filing.open_until(), None);
        }
        assert_eq!(AppealError::AlreadyAppealed.code(), "already_appealed");
    }

    #[test]
    fn only_owners_appeal_and_only_rejections() {
        for party in [Party::Member, Party::Reviewer, Party::Admin, Party::Auditor] {
            let refused = Filing { party, ..filing(at(2, 0)) }.check().unwrap_err();
            assert!(refused.is_about_the_caller(), "{party:?}");
        }
        let member = Filing { party: Party::Member, ..filing(at(2, 0)) };
        assert_eq!(member.check().unwrap_err().to_string(), "Only owners of the organisation can appeal a rejection.");
        assert_eq!(member.open_until(), Some(at(11, 12)), "the page tells members until when their owners can");
        for status in ApplicationStatus::ALL.into_iter().filter(|s| *s != Rejected) {
            let refused = Filing { status, ..filing(at(2, 0)) }.check().unwrap_err();
            assert!(!refused.is_about_the_caller(), "{status:?}");
        }
        let without_rejection = Filing { rejected_at: None, ..filing(at(2, 0)) };
        assert!(without_rejection.check().is_err());
    }

    #[test]
    fn the_window_is_offered_only_while_it_is_open() {
        assert_eq!(filing(at(5, 0)).open_until(), Some(at(11, 12)));
        assert_eq!(filing(at(12, 0)).open_until(), None);
        assert_eq!(Filing { status: Approved, ..filing(at(5, 0)) }.open_until(), None);
    }

    #[test]
    fn an_eligible_reviewer_or_admin_decides_a_pending_appeal() {
        let pending = Some(AppealStatus::Pending);
        assert_eq!(decide(Rejected, pending, ELIGIBLE, AppealOutcome::Upheld), Ok(Rejected));
        assert_eq!(decide(Rejected, pending, ELIGIBLE, AppealOutcome::Overturned), Ok(Submitted));
        let admin = Decider { party: Party::Admin, ..ELIGIBLE };
        assert_eq!(decide(Rejected, pending, admin, AppealOutcome::Overturned), Ok(Submitted));
        assert!(may_decide(Rejected, pending, ELIGIBLE));
    }

    #[test]
    fn those_who_took_part_or_belong_to_the_organisation_are_refused_with_a_reason() {
        let pending = Some(AppealStatus::Pending);
        let took_part = Decider { took_part: true, ..ELIGIBLE };
        let e = decide(Rejected, pending, took_part, AppealOutcome::Overturned).unwrap_err();
        assert_eq!(e, AppealError::TookPart);
        assert_eq!(e.code(), "not_eligible_reviewer");
        assert!(e.is_about_the_caller());
        assert!(e.to_string().contains("took part in the rejection"));
        let member = Decider { member: true, ..ELIGIBLE };
        assert_eq!(decide(Rejected, pending, member, AppealOutcome::Upheld), Err(AppealError::OwnOrganisation));
        for party in [Party::Owner, Party::Member, Party::Auditor] {
            let e = decide(Rejected, pending, Decider { party, ..ELIGIBLE }, AppealOutcome::Upheld).unwrap_err();
            assert_eq!(e.to_string(), "Only reviewers can decide appeals.", "{party:?}");
            assert!(!may_decide(Rejected, pending, Decider { party, ..ELIGIBLE }));
        }
    }

    #[test]
    fn a_decided_appeal_is_final_and_nothing_else_is_decided() {
        for appeal in [None, Some(AppealStatus::Upheld), Some(AppealStatus::Overturned)] {
            for outcome in [AppealOutcome::Upheld, AppealOutcome::Overturned] {
                assert_eq!(decide(Rejected, appeal, ELIGIBLE, outcome), Err(AppealError::NotPending), "{appeal:?}");
            }
            assert!(!may_decide(Rejected, appeal, ELIGIBLE));
        }
        // Overturned a moment ago: the application is submitted and its revision has no appeal.
        assert_eq!(decide(Submitted, None, ELIGIBLE, AppealOutcome::Upheld), Err(AppealError::NotPending));
        // Overturned: the application is back in review, where no appeal is decided.
        let e = decide(Submitted, Some(AppealStatus::Pending), ELIGIBLE, AppealOutcome::Upheld).unwrap_err();
        assert_eq!(e.to_string(), "An application that is submitted cannot be upheld on appeal.");
        assert!(!e.is_about_the_caller());
    }

    #[test]
    fn taking_part_means_a_decision_or_a_verdict_on_the_rejected_revision() {
        assert!(took_part("ann", ["ann"], []));
        assert!(took_part("ann", [], ["bob", "ann"]));
        assert!(!took_part("carl", ["ann"], ["bob"]));
        assert!(!took_part("carl", [], []));
    }

    #[test]
    fn texts_are_required_bounded_and_printable() {
        assert!(AppealInput { reasons: "The mockups were misread.\nSee page 2.".into() }.check().is_ok());
        assert_eq!(
            AppealInput { reasons: " \n".into() }.check().unwrap_err(),
            "Say why the rejection should be looked at again."
        );
        assert_eq!(
            AppealInput { reasons: "x".repeat(MAX_APPEAL_CHARS + 1) }.check().unwrap_err(),
            "Use at most 5000 characters."
        );
        assert!(AppealInput { reasons: "x".repeat(MAX_APPEAL_CHARS) }.check().is_ok());
        assert!(AppealInput { reasons: "bell\u{7}".into() }.check().is_err());
        let decision = AppealDecisionInput { outcome: AppealOutcome::Upheld, reason: String::new() };
        assert_eq!(decision.check().unwrap_err(), "Say why, for the organisation.");
    }

    #[test]
    fn statuses_round_trip_and_match_serde() {
        for status in AppealStatus::ALL {
            assert_eq!(status.as_str().parse::<AppealStatus>(), Ok(status));
            assert_eq!(serde_json::to_value(status).unwrap(), status.as_str());
        }
        assert!("Pending".parse::<AppealStatus>().is_err());
        assert_eq!(AppealOutcome::Overturned.status(), AppealStatus::Overturned);
        assert_eq!(serde_json::to_value(AppealOutcome::Upheld).unwrap(), "upheld");
    }
}
