//! What a reviewer sends to decide, and to take an application.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DecisionKind {
    Approve,
    RequestChanges,
    Reject,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionInput {
    pub decision: DecisionKind,
    /// For approvals: the scopes granted, any subset of those requested.
    #[serde(default)]
    pub granted_scopes: Vec<String>,
    /// To the applicant; required when asking for changes or rejecting.
    #[serde(default)]
    pub message: String,
}

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
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
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
        DecisionInput { decision, granted_scopes: vec![], message: message.into() }
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
        assert!(serde_json::from_str::<DecisionInput>(r#"{"decision":"approve","status":"approved"}"#).is_err());
        let parsed: DecisionInput = serde_json::from_str(r#"{"decision":"request_changes","message":"m"}"#).unwrap();
        assert_eq!(parsed.decision, DecisionKind::RequestChanges);
    }
}
