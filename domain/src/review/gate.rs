//! The approval gate: what must hold, whatever a client sends, before an application is
//! approved. Plain rules over plain data, so every combination is unit tested.

use super::checklist::{ReviewItem, Verdict};
use std::collections::BTreeSet;

/// An approval already recorded for the application's current revision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriorApproval {
    pub reviewer_id: String,
    pub granted: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct ApprovalRequest<'a> {
    pub reviewer_id: &'a str,
    /// Whether the reviewer belongs to the applying organisation.
    pub reviewer_is_member: bool,
    pub requested: &'a [String],
    pub granted: &'a [String],
    /// Scope names that are sensitive (direct messages, the whole archive, every recurring scope).
    pub sensitive: &'a BTreeSet<String>,
    /// The deciding reviewer's own checklist items (both checklists).
    pub items: &'a [ReviewItem],
    pub prior_approvals: &'a [PriorApproval],
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApprovalOutcome {
    /// The application is approved with these scopes.
    Approved { granted: Vec<String> },
    /// A sensitive scope is granted: a second, different reviewer must approve too.
    AwaitingSecondApproval,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GateError {
    #[error("You cannot decide an application of an organisation you belong to.")]
    OwnOrganisation,
    #[error("Grant at least one scope, or reject the application.")]
    NothingGranted,
    #[error("These scopes were not requested and cannot be granted: {}.", .0.join(", "))]
    NotRequested(Vec<String>),
    #[error("Every required checklist item for the granted scopes must pass first: {}.", .0.join("; "))]
    ItemsNotPassed(Vec<String>),
    #[error("You already approved this application; a second reviewer must approve sensitive scopes.")]
    SameReviewer,
    #[error("The first approval did not cover these scopes, so they cannot be granted now: {}.", .0.join(", "))]
    BeyondFirstApproval(Vec<String>),
}

impl GateError {
    /// Refusals that concern who decides rather than what the request says.
    pub fn is_about_the_reviewer(&self) -> bool {
        matches!(self, GateError::OwnOrganisation | GateError::SameReviewer)
    }
}

/// Required items applicable to `scopes` that have not passed, by title.
pub fn blocking_items(items: &[ReviewItem], scopes: &[String]) -> Vec<String> {
    items
        .iter()
        .filter(|item| item.required && item.applies(scopes) && item.verdict != Some(Verdict::Pass))
        .map(|item| item.title.clone())
        .collect()
}

pub fn approve(request: &ApprovalRequest<'_>) -> Result<ApprovalOutcome, GateError> {
    if request.reviewer_is_member {
        return Err(GateError::OwnOrganisation);
    }
    let granted: BTreeSet<&String> = request.granted.iter().collect();
    if granted.is_empty() {
        return Err(GateError::NothingGranted);
    }
    let not_requested: Vec<String> =
        granted.iter().filter(|s| !request.requested.contains(s)).map(|s| s.to_string()).collect();
    if !not_requested.is_empty() {
        return Err(GateError::NotRequested(not_requested));
    }
    let granted: Vec<String> = granted.into_iter().cloned().collect();
    let blocking = blocking_items(request.items, &granted);
    if !blocking.is_empty() {
        return Err(GateError::ItemsNotPassed(blocking));
    }
    if !granted.iter().any(|s| request.sensitive.contains(s)) {
        return Ok(ApprovalOutcome::Approved { granted });
    }
    // Four eyes: the first approval waits; a second, different reviewer may confirm the
    // same scopes or fewer.
    match request.prior_approvals.first() {
        None => Ok(ApprovalOutcome::AwaitingSecondApproval),
        Some(_) if request.prior_approvals.iter().any(|a| a.reviewer_id == request.reviewer_id) => {
            Err(GateError::SameReviewer)
        }
        Some(first) => {
            let beyond: Vec<String> = granted.iter().filter(|s| !first.granted.contains(s)).cloned().collect();
            if beyond.is_empty() {
                Ok(ApprovalOutcome::Approved { granted })
            } else {
                Err(GateError::BeyondFirstApproval(beyond))
            }
        }
    }
}

/// Requesting changes and rejecting need only a reviewer from outside the organisation.
pub fn check_decider(reviewer_is_member: bool) -> Result<(), GateError> {
    if reviewer_is_member { Err(GateError::OwnOrganisation) } else { Ok(()) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::review::checklist::ChecklistKind;

    const PROFILE: &str = "portability.profile.single";
    const POSTS: &str = "portability.posts.single";
    const DMS: &str = "portability.direct_messages.single";

    fn s(names: &[&str]) -> Vec<String> {
        names.iter().map(|n| n.to_string()).collect()
    }

    fn item(title: &str, required: bool, applies_to: &[&str], verdict: Option<Verdict>) -> ReviewItem {
        ReviewItem {
            item_id: title.into(),
            checklist: ChecklistKind::Privacy,
            title: title.into(),
            guidance: String::new(),
            required,
            applies_to: s(applies_to),
            verdict,
            note: String::new(),
        }
    }

    fn sensitive() -> BTreeSet<String> {
        BTreeSet::from([DMS.to_string()])
    }

    struct Case {
        member: bool,
        requested: Vec<String>,
        granted: Vec<String>,
        items: Vec<ReviewItem>,
        prior: Vec<PriorApproval>,
        reviewer: &'static str,
    }

    impl Case {
        fn new(granted: &[&str]) -> Self {
            Case {
                member: false,
                requested: s(&[PROFILE, POSTS, DMS]),
                granted: s(granted),
                items: vec![item("minimisation", true, &[], Some(Verdict::Pass))],
                prior: vec![],
                reviewer: "r1",
            }
        }

        fn run(&self) -> Result<ApprovalOutcome, GateError> {
            let sensitive = sensitive();
            approve(&ApprovalRequest {
                reviewer_id: self.reviewer,
                reviewer_is_member: self.member,
                requested: &self.requested,
                granted: &self.granted,
                sensitive: &sensitive,
                items: &self.items,
                prior_approvals: &self.prior,
            })
        }
    }

    #[test]
    fn ordinary_scopes_are_approved_by_one_reviewer() {
        assert_eq!(Case::new(&[PROFILE, POSTS]).run(), Ok(ApprovalOutcome::Approved { granted: s(&[POSTS, PROFILE]) }));
    }

    #[test]
    fn members_of_the_organisation_never_decide() {
        let mut case = Case::new(&[PROFILE]);
        case.member = true;
        assert_eq!(case.run(), Err(GateError::OwnOrganisation));
        assert_eq!(check_decider(true), Err(GateError::OwnOrganisation));
        assert_eq!(check_decider(false), Ok(()));
    }

    #[test]
    fn only_requested_scopes_can_be_granted_and_at_least_one() {
        assert_eq!(Case::new(&[]).run(), Err(GateError::NothingGranted));
        assert_eq!(
            Case::new(&[PROFILE, "portability.all.ongoing"]).run(),
            Err(GateError::NotRequested(s(&["portability.all.ongoing"])))
        );
    }

    #[test]
    fn every_combination_of_required_items_verdicts_and_scopes() {
        // An item for direct messages only, in every state, required or not, against grants
        // with and without direct messages.
        for required in [true, false] {
            for verdict in [None, Some(Verdict::Pass), Some(Verdict::Fail), Some(Verdict::Na)] {
                for granted in [&[PROFILE][..], &[PROFILE, DMS][..]] {
                    let mut case = Case::new(granted);
                    case.items.push(item("dm-consent", required, &[DMS], verdict));
                    case.prior = vec![PriorApproval { reviewer_id: "r0".into(), granted: s(&[PROFILE, DMS]) }];
                    let applies = granted.contains(&DMS);
                    let blocks = required && applies && verdict != Some(Verdict::Pass);
                    let result = case.run();
                    if blocks {
                        assert_eq!(
                            result,
                            Err(GateError::ItemsNotPassed(s(&["dm-consent"]))),
                            "{required} {verdict:?} {granted:?}"
                        );
                    } else {
                        assert!(
                            matches!(result, Ok(ApprovalOutcome::Approved { .. })),
                            "{required} {verdict:?} {granted:?}: {result:?}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn general_required_items_block_every_approval() {
        let mut case = Case::new(&[PROFILE]);
        case.items.push(item("privacy policy", true, &[], Some(Verdict::Fail)));
        case.items.push(item("encryption", true, &[], None));
        assert_eq!(case.run(), Err(GateError::ItemsNotPassed(s(&["privacy policy", "encryption"]))));
    }

    #[test]
    fn sensitive_scopes_need_two_different_reviewers() {
        let mut case = Case::new(&[PROFILE, DMS]);
        assert_eq!(case.run(), Ok(ApprovalOutcome::AwaitingSecondApproval));

        case.prior = vec![PriorApproval { reviewer_id: "r1".into(), granted: s(&[PROFILE, DMS]) }];
        assert_eq!(case.run(), Err(GateError::SameReviewer));

        case.reviewer = "r2";
        assert_eq!(case.run(), Ok(ApprovalOutcome::Approved { granted: s(&[DMS, PROFILE]) }));
    }

    #[test]
    fn the_second_reviewer_may_narrow_but_not_widen() {
        let mut case = Case::new(&[DMS]);
        case.reviewer = "r2";
        case.prior = vec![PriorApproval { reviewer_id: "r1".into(), granted: s(&[PROFILE, DMS]) }];
        assert_eq!(case.run(), Ok(ApprovalOutcome::Approved { granted: s(&[DMS]) }));

        case.granted = s(&[POSTS, DMS]);
        assert_eq!(case.run(), Err(GateError::BeyondFirstApproval(s(&[POSTS]))));
    }

    #[test]
    fn narrowing_away_every_sensitive_scope_needs_one_reviewer_only() {
        let mut case = Case::new(&[PROFILE]);
        case.prior = vec![];
        assert_eq!(case.run(), Ok(ApprovalOutcome::Approved { granted: s(&[PROFILE]) }));
    }
}
