//! Where an application is in its life.

use serde::{Deserialize, Serialize};
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
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
#[error("unknown application status `{0}`")]
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
    }

    #[test]
    fn only_drafts_and_changes_requested_are_editable() {
        let editable: Vec<_> = ApplicationStatus::ALL.into_iter().filter(|s| s.is_editable()).collect();
        assert_eq!(editable, [ApplicationStatus::Draft, ApplicationStatus::ChangesRequested]);
    }
}
