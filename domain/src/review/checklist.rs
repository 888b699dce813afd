//! Review checklists: templates of items, and a reviewer's verdict on each.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ChecklistKind {
    Privacy,
    Security,
}

impl ChecklistKind {
    pub const ALL: [ChecklistKind; 2] = [ChecklistKind::Privacy, ChecklistKind::Security];

    pub fn as_str(self) -> &'static str {
        match self {
            ChecklistKind::Privacy => "privacy",
            ChecklistKind::Security => "security",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == value)
    }

    pub fn title(self) -> &'static str {
        match self {
            ChecklistKind::Privacy => "Privacy",
            ChecklistKind::Security => "Security",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Pass,
    Fail,
    Na,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Fail => "fail",
            Verdict::Na => "na",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        [Verdict::Pass, Verdict::Fail, Verdict::Na].into_iter().find(|v| v.as_str() == value)
    }

    /// A failed or not-applicable item must say why.
    pub fn needs_note(self) -> bool {
        !matches!(self, Verdict::Pass)
    }
}

/// One item as a review sees it: frozen from the template version the review started with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReviewItem {
    pub item_id: String,
    pub checklist: ChecklistKind,
    pub title: String,
    /// What to look for, for the reviewer.
    #[serde(default)]
    pub guidance: String,
    pub required: bool,
    /// Scope names the item is about; empty means every application.
    pub applies_to: Vec<String>,
    pub verdict: Option<Verdict>,
    pub note: String,
}

impl ReviewItem {
    /// Whether the item concerns an application asking for (or granted) `scopes`.
    pub fn applies(&self, scopes: &[String]) -> bool {
        self.applies_to.is_empty() || self.applies_to.iter().any(|s| scopes.contains(s))
    }
}

/// Checks a verdict before it is recorded.
pub fn check_verdict(verdict: Option<Verdict>, note: &str) -> Result<(), &'static str> {
    if note.chars().count() > 5000 {
        return Err("Use at most 5000 characters.");
    }
    if note.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
        return Err("Remove control characters.");
    }
    match verdict {
        Some(v) if v.needs_note() && note.trim().is_empty() => {
            Err("Explain a failed or not applicable item in the note.")
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(applies_to: &[&str]) -> ReviewItem {
        ReviewItem {
            item_id: "i".into(),
            checklist: ChecklistKind::Privacy,
            title: "t".into(),
            guidance: String::new(),
            required: true,
            applies_to: applies_to.iter().map(|s| s.to_string()).collect(),
            verdict: None,
            note: String::new(),
        }
    }

    #[test]
    fn items_apply_to_their_scopes_or_to_all() {
        let dm = vec!["portability.direct_messages.single".to_string()];
        assert!(item(&[]).applies(&dm));
        assert!(item(&["portability.direct_messages.single", "portability.direct_messages.ongoing"]).applies(&dm));
        assert!(!item(&["portability.all.single"]).applies(&dm));
    }

    #[test]
    fn failed_and_not_applicable_items_need_a_note() {
        assert!(check_verdict(Some(Verdict::Pass), "").is_ok());
        assert!(check_verdict(Some(Verdict::Fail), " ").is_err());
        assert!(check_verdict(Some(Verdict::Na), "").is_err());
        assert!(check_verdict(Some(Verdict::Na), "No recurring scope requested.").is_ok());
        assert!(check_verdict(None, "").is_ok());
        assert!(check_verdict(Some(Verdict::Pass), &"x".repeat(5001)).is_err());
    }

    #[test]
    fn names_round_trip() {
        for kind in ChecklistKind::ALL {
            assert_eq!(ChecklistKind::parse(kind.as_str()), Some(kind));
        }
        for verdict in [Verdict::Pass, Verdict::Fail, Verdict::Na] {
            assert_eq!(Verdict::parse(verdict.as_str()), Some(verdict));
        }
    }
}
