//! The application lifecycle: every allowed transition, who may make it, and a clear reason
//! for every refusal. No database, no HTTP: callers say who is acting on what.

use super::status::ApplicationStatus::{self, *};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
    /// Ask for an approved application to be reviewed again before its credentials expire.
    Recertify,
    /// Ask reviewers who took no part in a rejection to look at it again (see `appeal`).
    Appeal,
    /// Decide an appeal: the rejection stands.
    UpholdAppeal,
    /// Decide an appeal: the application goes back to review on a new revision.
    OverturnAppeal,
}

impl Action {
    pub const ALL: [Action; 14] = [
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
        Action::Recertify,
        Action::Appeal,
        Action::UpholdAppeal,
        Action::OverturnAppeal,
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
            Action::Recertify => "sent for recertification",
            Action::Appeal => "appealed",
            Action::UpholdAppeal => "upheld on appeal",
            Action::OverturnAppeal => "overturned on appeal",
        }
    }
}

/// Who acts: a member or owner of the applying organisation, or the platform's staff.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Party {
    Member,
    Owner,
    Reviewer,
    Admin,
    /// Reads, never acts.
    Auditor,
}

impl Party {
    pub const ALL: [Party; 5] = [Party::Member, Party::Owner, Party::Reviewer, Party::Admin, Party::Auditor];
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LifecycleError {
    #[error("{}", not_allowed_message(*action))]
    NotAllowed { action: Action, party: Party },
    #[error("An application that is {} cannot be {}.", from.phrase(), action.verb())]
    IllegalState { action: Action, from: ApplicationStatus },
}

fn not_allowed_message(action: Action) -> &'static str {
    match action {
        Action::Edit | Action::Submit | Action::Recertify => {
            "Only members of the organisation can change or submit its applications."
        }
        Action::Withdraw => "Only owners of the organisation can withdraw an application.",
        Action::StartReview | Action::RequestChanges | Action::Approve | Action::Reject => {
            "Only reviewers can review and decide applications."
        }
        Action::Suspend | Action::Reinstate | Action::Revoke => "Only admins can suspend, reinstate or revoke access.",
        Action::Appeal => "Only owners of the organisation can appeal a rejection.",
        Action::UpholdAppeal | Action::OverturnAppeal => "Only reviewers can decide appeals.",
    }
}

/// Who may take `action` at all.
fn may(action: Action, party: Party) -> bool {
    use Party::*;
    match action {
        Action::Edit | Action::Submit | Action::Recertify => matches!(party, Member | Owner),
        Action::Withdraw | Action::Appeal => party == Owner,
        Action::StartReview
        | Action::RequestChanges
        | Action::Approve
        | Action::Reject
        | Action::UpholdAppeal
        | Action::OverturnAppeal => matches!(party, Reviewer | Admin),
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
        (Action::Recertify, Approved) => Some(Submitted),
        // An appealed application stays rejected until the appeal is decided.
        (Action::Appeal | Action::UpholdAppeal, Rejected) => Some(Rejected),
        (Action::OverturnAppeal, Rejected) => Some(Submitted),
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

    /// Who may take each action at all, written out independently of the code above.
    fn rights(action: Action) -> &'static [Party] {
        use Party::*;
        match action {
            Action::Edit | Action::Submit | Action::Recertify => &[Member, Owner],
            Action::Withdraw | Action::Appeal => &[Owner],
            Action::StartReview
            | Action::RequestChanges
            | Action::Approve
            | Action::Reject
            | Action::UpholdAppeal
            | Action::OverturnAppeal => &[Reviewer, Admin],
            Action::Suspend | Action::Reinstate | Action::Revoke => &[Admin],
        }
    }

    /// Every allowed (from, action) → to, written out independently of the code above.
    const MOVES: [(ApplicationStatus, Action, ApplicationStatus); 20] = [
        (Draft, Action::Edit, Draft),
        (ChangesRequested, Action::Edit, ChangesRequested),
        (Draft, Action::Submit, Submitted),
        (ChangesRequested, Action::Submit, Submitted),
        (Submitted, Action::StartReview, InReview),
        (InReview, Action::RequestChanges, ChangesRequested),
        (InReview, Action::Approve, Approved),
        (InReview, Action::Reject, Rejected),
        (Draft, Action::Withdraw, Withdrawn),
        (Submitted, Action::Withdraw, Withdrawn),
        (InReview, Action::Withdraw, Withdrawn),
        (ChangesRequested, Action::Withdraw, Withdrawn),
        (Approved, Action::Suspend, Suspended),
        (Suspended, Action::Reinstate, Approved),
        (Approved, Action::Revoke, Revoked),
        (Suspended, Action::Revoke, Revoked),
        (Approved, Action::Recertify, Submitted),
        (Rejected, Action::Appeal, Rejected),
        (Rejected, Action::UpholdAppeal, Rejected),
        (Rejected, Action::OverturnAppeal, Submitted),
    ];

    fn expected(from: ApplicationStatus, action: Action, party: Party) -> Result<ApplicationStatus, LifecycleError> {
        if !rights(action).contains(&party) {
            return Err(LifecycleError::NotAllowed { action, party });
        }
        MOVES
            .iter()
            .find(|(f, a, _)| *f == from && *a == action)
            .map(|(_, _, to)| *to)
            .ok_or(LifecycleError::IllegalState { action, from })
    }

    #[test]
    fn every_status_action_and_party() {
        let mut allowed = 0;
        for from in ApplicationStatus::ALL {
            for action in Action::ALL {
                for party in Party::ALL {
                    let expected = expected(from, action, party);
                    assert_eq!(transition(from, action, party), expected, "{from:?} {action:?} by {party:?}");
                    allowed += usize::from(expected.is_ok());
                }
            }
        }
        assert_eq!(allowed, 31);
    }

    #[test]
    fn owners_and_admins_inherit_rights() {
        for from in ApplicationStatus::ALL {
            for action in Action::ALL {
                if transition(from, action, Party::Member).is_ok() {
                    assert!(transition(from, action, Party::Owner).is_ok(), "{from:?} {action:?}");
                }
                if transition(from, action, Party::Reviewer).is_ok() {
                    assert!(transition(from, action, Party::Admin).is_ok(), "{from:?} {action:?}");
                }
            }
        }
    }

    #[test]
    fn terminal_statuses_allow_nothing() {
        for from in [Withdrawn, Revoked] {
            for party in Party::ALL {
                assert_eq!(allowed_actions(from, party), [], "{from:?} {party:?}");
            }
        }
    }

    #[test]
    fn a_rejection_allows_only_its_appeal() {
        assert_eq!(allowed_actions(Rejected, Party::Owner), [Action::Appeal]);
        assert_eq!(allowed_actions(Rejected, Party::Member), []);
        assert_eq!(allowed_actions(Rejected, Party::Auditor), []);
        for party in [Party::Reviewer, Party::Admin] {
            assert_eq!(allowed_actions(Rejected, party), [Action::UpholdAppeal, Action::OverturnAppeal]);
        }
        let e = transition(Rejected, Action::Appeal, Party::Member).unwrap_err();
        assert_eq!(e.to_string(), "Only owners of the organisation can appeal a rejection.");
        let e = transition(Approved, Action::Appeal, Party::Owner).unwrap_err();
        assert_eq!(e.to_string(), "An application that is approved cannot be appealed.");
        let e = transition(Rejected, Action::OverturnAppeal, Party::Owner).unwrap_err();
        assert_eq!(e.to_string(), "Only reviewers can decide appeals.");
    }

    #[test]
    fn refusals_say_why() {
        let e = transition(Submitted, Action::Withdraw, Party::Member).unwrap_err();
        assert_eq!(e.to_string(), "Only owners of the organisation can withdraw an application.");
        let e = transition(Approved, Action::Submit, Party::Owner).unwrap_err();
        assert_eq!(e.to_string(), "An application that is approved cannot be submitted.");
        let e = transition(Submitted, Action::Edit, Party::Member).unwrap_err();
        assert_eq!(e.to_string(), "An application that is submitted cannot be edited.");
        let e = transition(ChangesRequested, Action::Approve, Party::Reviewer).unwrap_err();
        assert_eq!(e.to_string(), "An application that is waiting for changes cannot be approved.");
        let e = transition(Draft, Action::StartReview, Party::Admin).unwrap_err();
        assert_eq!(e.to_string(), "An application that is still a draft cannot be taken into review.");
        let e = transition(InReview, Action::Approve, Party::Owner).unwrap_err();
        assert_eq!(e.to_string(), "Only reviewers can review and decide applications.");
        let e = transition(Approved, Action::Suspend, Party::Reviewer).unwrap_err();
        assert_eq!(e.to_string(), "Only admins can suspend, reinstate or revoke access.");
        let e = transition(Draft, Action::Submit, Party::Reviewer).unwrap_err();
        assert_eq!(e.to_string(), "Only members of the organisation can change or submit its applications.");
    }

    #[test]
    fn every_refusal_is_a_sentence() {
        for from in ApplicationStatus::ALL {
            for action in Action::ALL {
                for party in Party::ALL {
                    if let Err(e) = transition(from, action, party) {
                        let message = e.to_string();
                        assert!(message.starts_with(char::is_uppercase) && message.ends_with('.'), "{message}");
                        assert!(!message.contains('_'), "{message}");
                    }
                }
            }
        }
    }

    #[test]
    fn buttons_follow_the_rules() {
        assert_eq!(allowed_actions(Draft, Party::Owner), [Action::Edit, Action::Submit, Action::Withdraw]);
        assert_eq!(allowed_actions(Draft, Party::Member), [Action::Edit, Action::Submit]);
        assert_eq!(
            allowed_actions(InReview, Party::Reviewer),
            [Action::RequestChanges, Action::Approve, Action::Reject]
        );
        assert_eq!(allowed_actions(InReview, Party::Owner), [Action::Withdraw]);
        assert_eq!(allowed_actions(Approved, Party::Admin), [Action::Suspend, Action::Revoke]);
        assert_eq!(allowed_actions(Suspended, Party::Admin), [Action::Reinstate, Action::Revoke]);
        assert_eq!(allowed_actions(Approved, Party::Reviewer), []);
        for status in ApplicationStatus::ALL {
            for party in Party::ALL {
                let expected: Vec<Action> =
                    Action::ALL.into_iter().filter(|a| expected(status, *a, party).is_ok()).collect();
                assert_eq!(allowed_actions(status, party), expected, "{status:?} {party:?}");
            }
        }
    }

    #[test]
    fn actions_and_parties_serialise_in_snake_case() {
        assert_eq!(serde_json::to_value(Action::RequestChanges).unwrap(), "request_changes");
        assert_eq!(serde_json::to_value(Party::Reviewer).unwrap(), "reviewer");
    }
}
