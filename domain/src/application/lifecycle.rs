//! The application lifecycle: every allowed transition, who may make it, and a clear reason
//! for every refusal. No database, no HTTP: callers say who is acting on what.

use super::status::ApplicationStatus::{self, *};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Edit,
    Submit,
    StartReview,
    RequestChanges,
    Approve,
    Reject,
    Withdraw,
    Suspend,
    Reinstate,
    Revoke,
}

impl Action {
    pub const ALL: [Action; 10] = [
        Action::Edit,
        Action::Submit,
        Action::StartReview,
        Action::RequestChanges,
        Action::Approve,
        Action::Reject,
        Action::Withdraw,
        Action::Suspend,
        Action::Reinstate,
        Action::Revoke,
    ];

    fn verb(self) -> &'static str {
        match self {
            Action::Edit => "edited",
            Action::Submit => "submitted",
            Action::StartReview => "taken into review",
            Action::RequestChanges => "sent back for changes",
            Action::Approve => "approved",
            Action::Reject => "rejected",
            Action::Withdraw => "withdrawn",
            Action::Suspend => "suspended",
            Action::Reinstate => "reinstated",
            Action::Revoke => "revoked",
        }
    }
}

/// Who acts: a member or owner of the applying organisation, or the platform's staff.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Party {
    Member,
    Owner,
    Reviewer,
    Admin,
}

impl Party {
    pub const ALL: [Party; 4] = [Party::Member, Party::Owner, Party::Reviewer, Party::Admin];
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LifecycleError {
    #[error("{}", not_allowed_message(*action))]
    NotAllowed { action: Action, party: Party },
    #[error("An application that is {} cannot be {}.", from.label().to_lowercase(), action.verb())]
    IllegalState { action: Action, from: ApplicationStatus },
}

fn not_allowed_message(action: Action) -> &'static str {
    match action {
        Action::Edit | Action::Submit => "Only members of the organisation can change or submit its applications.",
        Action::Withdraw => "Only owners of the organisation can withdraw an application.",
        Action::StartReview | Action::RequestChanges | Action::Approve | Action::Reject => {
            "Only reviewers can review and decide applications."
        }
        Action::Suspend | Action::Reinstate | Action::Revoke => "Only admins can suspend, reinstate or revoke access.",
    }
}

/// Who may take `action` at all.
fn may(action: Action, party: Party) -> bool {
    use Party::*;
    match action {
        Action::Edit | Action::Submit => matches!(party, Member | Owner),
        Action::Withdraw => party == Owner,
        Action::StartReview | Action::RequestChanges | Action::Approve | Action::Reject => {
            matches!(party, Reviewer | Admin)
        }
        Action::Suspend | Action::Reinstate | Action::Revoke => party == Admin,
    }
}

/// The status `action` leads to from `from`, if it is allowed there at all.
fn target(from: ApplicationStatus, action: Action) -> Option<ApplicationStatus> {
    match (action, from) {
        (Action::Edit, Draft | ChangesRequested) => Some(from),
        (Action::Submit, Draft | ChangesRequested) => Some(Submitted),
        (Action::StartReview, Submitted) => Some(InReview),
        (Action::RequestChanges, InReview) => Some(ChangesRequested),
        (Action::Approve, InReview) => Some(Approved),
        (Action::Reject, InReview) => Some(Rejected),
        (Action::Withdraw, Draft | Submitted | InReview | ChangesRequested) => Some(Withdrawn),
        (Action::Suspend, Approved) => Some(Suspended),
        (Action::Reinstate, Suspended) => Some(Approved),
        (Action::Revoke, Approved | Suspended) => Some(Revoked),
        _ => None,
    }
}

/// The status after `party` takes `action` on an application in `from`.
pub fn transition(from: ApplicationStatus, action: Action, party: Party) -> Result<ApplicationStatus, LifecycleError> {
    if !may(action, party) {
        return Err(LifecycleError::NotAllowed { action, party });
    }
    target(from, action).ok_or(LifecycleError::IllegalState { action, from })
}

/// What `party` can do now, for offering only possible buttons.
pub fn allowed_actions(status: ApplicationStatus, party: Party) -> Vec<Action> {
    Action::ALL.into_iter().filter(|a| transition(status, *a, party).is_ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The whole table, written out independently of the code above: (from, action) → to,
    /// and who may do it.
    fn expected(from: ApplicationStatus, action: Action, party: Party) -> Option<ApplicationStatus> {
        use Party::*;
        let applicant = matches!(party, Member | Owner);
        let staff = matches!(party, Reviewer | Admin);
        let allowed = [
            (Draft, Action::Edit, applicant, Draft),
            (ChangesRequested, Action::Edit, applicant, ChangesRequested),
            (Draft, Action::Submit, applicant, Submitted),
            (ChangesRequested, Action::Submit, applicant, Submitted),
            (Submitted, Action::StartReview, staff, InReview),
            (InReview, Action::RequestChanges, staff, ChangesRequested),
            (InReview, Action::Approve, staff, Approved),
            (InReview, Action::Reject, staff, Rejected),
            (Draft, Action::Withdraw, party == Owner, Withdrawn),
            (Submitted, Action::Withdraw, party == Owner, Withdrawn),
            (InReview, Action::Withdraw, party == Owner, Withdrawn),
            (ChangesRequested, Action::Withdraw, party == Owner, Withdrawn),
            (Approved, Action::Suspend, party == Admin, Suspended),
            (Suspended, Action::Reinstate, party == Admin, Approved),
            (Approved, Action::Revoke, party == Admin, Revoked),
            (Suspended, Action::Revoke, party == Admin, Revoked),
        ];
        allowed.into_iter().find(|(f, a, who, _)| *f == from && *a == action && *who).map(|(_, _, _, to)| to)
    }

    #[test]
    fn every_status_action_and_party() {
        let mut allowed = 0;
        for from in ApplicationStatus::ALL {
            for action in Action::ALL {
                for party in Party::ALL {
                    let result = transition(from, action, party);
                    match expected(from, action, party) {
                        Some(to) => {
                            assert_eq!(result, Ok(to), "{from:?} {action:?} by {party:?}");
                            allowed += 1;
                        }
                        None => assert!(result.is_err(), "{from:?} {action:?} by {party:?} must be refused"),
                    }
                }
            }
        }
        assert_eq!(allowed, 24);
    }

    #[test]
    fn refusals_say_why() {
        let e = transition(Submitted, Action::Withdraw, Party::Member).unwrap_err();
        assert_eq!(e.to_string(), "Only owners of the organisation can withdraw an application.");
        let e = transition(Approved, Action::Submit, Party::Owner).unwrap_err();
        assert_eq!(e.to_string(), "An application that is approved cannot be submitted.");
        let e = transition(Submitted, Action::Edit, Party::Member).unwrap_err();
        assert_eq!(e.to_string(), "An application that is submitted cannot be edited.");
        let e = transition(InReview, Action::Approve, Party::Owner).unwrap_err();
        assert!(matches!(e, LifecycleError::NotAllowed { .. }));
    }

    #[test]
    fn buttons_follow_the_rules() {
        assert_eq!(allowed_actions(Draft, Party::Owner), [Action::Edit, Action::Submit, Action::Withdraw]);
        assert_eq!(allowed_actions(Draft, Party::Member), [Action::Edit, Action::Submit]);
        assert_eq!(
            allowed_actions(InReview, Party::Reviewer),
            [Action::RequestChanges, Action::Approve, Action::Reject]
        );
        assert!(allowed_actions(Rejected, Party::Admin).is_empty());
    }
}
