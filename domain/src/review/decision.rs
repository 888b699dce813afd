//! What a reviewer sends to decide, and to take an application.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DecisionKind {
    Approve,
    RequestChanges,
    Reject,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DecisionInput {
    pub decision: DecisionKind,
    /// For approvals: the scopes granted, any subset of those requested.
    #[serde(default)]
    pub granted_scopes: Vec<String>,
    /// To the applicant; required when asking for changes or rejecting.
    #[serde(default)]
    pub message: String,
    /// The application's revision and version as the reviewer's page showed them: a decision
    /// is taken on what the reviewer saw, or not at all.
    pub revision: i64,
    pub version: i64,
    /// An admin deciding an application they neither claimed nor were assigned: why.
    #[serde(default)]
    pub override_reason: String,
}

/// Why someone may decide an application.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing<'a> {
    /// Claimed it, or was assigned to it.
    Reviewer,
    /// An admin stepping in, for the reason given.
    AdminOverride(&'a str),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StandingError {
    /// Neither claimed nor assigned, and not an admin.
    NotItsReviewer,
    /// An admin stepping in without saying why (or at too great length).
    ReasonNeeded(&'static str),
}

const MAX_OVERRIDE_REASON_CHARS: usize = 2_000;

impl DecisionInput {
    /// The message rule: changes and rejections must say why.
    pub fn check_message(&self) -> Result<(), &'static str> {
        let needs = matches!(self.decision, DecisionKind::RequestChanges | DecisionKind::Reject);
        if needs && self.message.trim().is_empty() {
            return Err("Tell the applicant what to change, or why the application is rejected.");
        }
        if self.message.chars().count() > 10_000 {
            return Err("Use at most 10000 characters.");
        }
        if self.message.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
            return Err("Remove control characters.");
        }
        Ok(())
    }

    /// Whether the page the decision comes from showed an older state of the application.
    pub fn is_stale(&self, revision: i64, version: i64) -> bool {
        self.revision != revision || self.version != version
    }

    /// Deciding needs the standing approval needs: the application's own reviewer (claimed
    /// or assigned). An admin may step in for anyone, but must say why.
    pub fn standing(&self, its_reviewer: bool, admin: bool) -> Result<Standing<'_>, StandingError> {
        if its_reviewer {
            return Ok(Standing::Reviewer);
        }
        if !admin {
            return Err(StandingError::NotItsReviewer);
        }
        let reason = self.override_reason.trim();
        if reason.is_empty() {
            return Err(StandingError::ReasonNeeded(
                "Say why you decide an application you neither claimed nor were assigned.",
            ));
        }
        if reason.chars().count() > MAX_OVERRIDE_REASON_CHARS {
            return Err(StandingError::ReasonNeeded("Use at most 2000 characters."));
        }
        Ok(Standing::AdminOverride(reason))
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AssignInput {
    /// Who reviews it; absent: the caller claims it.
    #[serde(default)]
    pub reviewer_id: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(decision: DecisionKind, message: &str) -> DecisionInput {
        DecisionInput {
            decision,
            granted_scopes: vec![],
            message: message.into(),
            revision: 1,
            version: 3,
            override_reason: String::new(),
        }
    }

    #[test]
    fn a_page_is_stale_when_the_revision_or_the_version_moved_on() {
        let seen = input(DecisionKind::Reject, "No.");
        assert!(!seen.is_stale(1, 3));
        assert!(seen.is_stale(2, 3), "a newer revision");
        assert!(seen.is_stale(1, 4), "a newer version of the same revision");
    }

    #[test]
    fn only_its_reviewer_decides_and_an_admin_stepping_in_says_why() {
        let mut decision = input(DecisionKind::Reject, "No.");
        assert_eq!(decision.standing(true, false), Ok(Standing::Reviewer));
        assert_eq!(decision.standing(true, true), Ok(Standing::Reviewer), "an admin who claimed it needs no reason");
        assert_eq!(decision.standing(false, false), Err(StandingError::NotItsReviewer));
        assert!(matches!(decision.standing(false, true), Err(StandingError::ReasonNeeded(_))));
        decision.override_reason = "  ".into();
        assert!(matches!(decision.standing(false, true), Err(StandingError::ReasonNeeded(_))));
        decision.override_reason = "x".repeat(2_001);
        assert!(matches!(decision.standing(false, true), Err(StandingError::ReasonNeeded(_))));
        decision.override_reason = " The reviewer is on leave. ".into();
        assert_eq!(decision.standing(false, true), Ok(Standing::AdminOverride("The reviewer is on leave.")));
        decision.override_reason = "A reason".into();
        assert_eq!(decision.standing(false, false), Err(StandingError::NotItsReviewer), "a reason is no standing");
    }

    #[test]
    fn changes_and_rejections_say_why() {
        assert!(input(DecisionKind::RequestChanges, " ").check_message().is_err());
        assert!(input(DecisionKind::Reject, "").check_message().is_err());
        assert!(input(DecisionKind::Approve, "").check_message().is_ok());
        assert!(input(DecisionKind::RequestChanges, "Show how to revoke access.").check_message().is_ok());
        assert!(input(DecisionKind::Approve, &"x".repeat(10_001)).check_message().is_err());
    }

    #[test]
    fn unknown_fields_are_refused() {
        let seen = r#""revision":1,"version":3"#;
        assert!(
            serde_json::from_str::<DecisionInput>(&format!(r#"{{"decision":"approve","status":"approved",{seen}}}"#))
                .is_err()
        );
        let parsed: DecisionInput =
            serde_json::from_str(&format!(r#"{{"decision":"request_changes","message":"m",{seen}}}"#)).unwrap();
        assert_eq!(parsed.decision, DecisionKind::RequestChanges);
        assert!(
            serde_json::from_str::<DecisionInput>(r#"{"decision":"request_changes","message":"m"}"#).is_err(),
            "what the page showed is required"
        );
    }
}
