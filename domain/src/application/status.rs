//! Where an application is in its life.

use serde::{Deserialize, Serialize};
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ApplicationStatus {
    Draft,
    Submitted,
    InReview,
    ChangesRequested,
    Approved,
    Rejected,
    Withdrawn,
    Suspended,
    Revoked,
}

impl ApplicationStatus {
    pub const ALL: [ApplicationStatus; 9] = [
        ApplicationStatus::Draft,
        ApplicationStatus::Submitted,
        ApplicationStatus::InReview,
        ApplicationStatus::ChangesRequested,
        ApplicationStatus::Approved,
        ApplicationStatus::Rejected,
        ApplicationStatus::Withdrawn,
        ApplicationStatus::Suspended,
        ApplicationStatus::Revoked,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ApplicationStatus::Draft => "draft",
            ApplicationStatus::Submitted => "submitted",
            ApplicationStatus::InReview => "in_review",
            ApplicationStatus::ChangesRequested => "changes_requested",
            ApplicationStatus::Approved => "approved",
            ApplicationStatus::Rejected => "rejected",
            ApplicationStatus::Withdrawn => "withdrawn",
            ApplicationStatus::Suspended => "suspended",
            ApplicationStatus::Revoked => "revoked",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ApplicationStatus::Draft => "Draft",
            ApplicationStatus::Submitted => "Submitted",
            ApplicationStatus::InReview => "In review",
            ApplicationStatus::ChangesRequested => "Changes requested",
            ApplicationStatus::Approved => "Approved",
            ApplicationStatus::Rejected => "Rejected",
            ApplicationStatus::Withdrawn => "Withdrawn",
            ApplicationStatus::Suspended => "Suspended",
            ApplicationStatus::Revoked => "Revoked",
        }
    }

    /// The organisation may change the form.
    pub fn is_editable(self) -> bool {
        matches!(self, ApplicationStatus::Draft | ApplicationStatus::ChangesRequested)
    }

    /// How the status reads after "An application that is …", e.g. in refusals.
    pub fn phrase(self) -> &'static str {
        match self {
            ApplicationStatus::Draft => "still a draft",
            ApplicationStatus::Submitted => "submitted",
            ApplicationStatus::InReview => "in review",
            ApplicationStatus::ChangesRequested => "waiting for changes",
            ApplicationStatus::Approved => "approved",
            ApplicationStatus::Rejected => "rejected",
            ApplicationStatus::Withdrawn => "withdrawn",
            ApplicationStatus::Suspended => "suspended",
            ApplicationStatus::Revoked => "revoked",
        }
    }

    /// A decision has been taken (possibly changed later by an admin).
    pub fn is_decided(self) -> bool {
        matches!(
            self,
            ApplicationStatus::Approved
                | ApplicationStatus::Rejected
                | ApplicationStatus::Suspended
                | ApplicationStatus::Revoked
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("There is no application status called \"{0}\".")]
pub struct UnknownStatus(pub String);

impl FromStr for ApplicationStatus {
    type Err = UnknownStatus;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|s| s.as_str() == value).ok_or_else(|| UnknownStatus(value.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_match_serde() {
        for status in ApplicationStatus::ALL {
            assert_eq!(status.as_str().parse::<ApplicationStatus>(), Ok(status));
            assert_eq!(serde_json::to_value(status).unwrap(), status.as_str());
        }
        assert!("approved ".parse::<ApplicationStatus>().is_err());
        assert!("Approved".parse::<ApplicationStatus>().is_err());
        let error = "granted".parse::<ApplicationStatus>().unwrap_err();
        assert_eq!(error.to_string(), "There is no application status called \"granted\".");
        assert_eq!(
            serde_json::from_str::<ApplicationStatus>("\"changes_requested\"").unwrap(),
            ApplicationStatus::ChangesRequested
        );
        assert!(serde_json::from_str::<ApplicationStatus>("\"ChangesRequested\"").is_err());
    }

    #[test]
    fn every_status_is_listed_once() {
        let names: std::collections::BTreeSet<&str> = ApplicationStatus::ALL.iter().map(|s| s.as_str()).collect();
        assert_eq!(names.len(), ApplicationStatus::ALL.len());
    }

    #[test]
    fn labels_are_for_people() {
        assert_eq!(ApplicationStatus::ChangesRequested.label(), "Changes requested");
        assert_eq!(ApplicationStatus::InReview.label(), "In review");
        assert_eq!(ApplicationStatus::Draft.label(), "Draft");
        for status in ApplicationStatus::ALL {
            assert!(status.label().starts_with(char::is_uppercase), "{status:?}");
            assert!(!status.label().contains('_'), "{status:?}");
            assert!(!status.phrase().is_empty(), "{status:?}");
        }
    }

    #[test]
    fn decided_statuses() {
        use ApplicationStatus::*;
        let decided: Vec<_> = ApplicationStatus::ALL.into_iter().filter(|s| s.is_decided()).collect();
        assert_eq!(decided, [Approved, Rejected, Suspended, Revoked]);
        assert!(ApplicationStatus::ALL.into_iter().all(|s| !(s.is_decided() && s.is_editable())));
    }

    #[test]
    fn only_drafts_and_changes_requested_are_editable() {
        let editable: Vec<_> = ApplicationStatus::ALL.into_iter().filter(|s| s.is_editable()).collect();
        assert_eq!(editable, [ApplicationStatus::Draft, ApplicationStatus::ChangesRequested]);
    }
}
