//! Submitted revisions and their field-by-field comparison.

use super::content::ApplicationContent;
use serde::{Deserialize, Serialize};

/// A mockup as a revision remembers it: by label and content hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MockupRef {
    pub label: String,
    pub sha256: String,
    pub content_type: String,
    pub size: u64,
}

/// Everything that was submitted, frozen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevisionSnapshot {
    pub content: ApplicationContent,
    pub mockups: Vec<MockupRef>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    /// Dotted path, as in validation errors.
    pub field: String,
    pub label: String,
    pub before: String,
    pub after: String,
}

fn yes_no(value: Option<bool>) -> String {
    match value {
        Some(true) => "Yes".into(),
        Some(false) => "No".into(),
        None => "Not answered".into(),
    }
}

fn lines(items: impl IntoIterator<Item = String>) -> String {
    items.into_iter().collect::<Vec<_>>().join("\n")
}

/// Each field of a snapshot as (path, label, rendered value), in form order.
fn fields(s: &RevisionSnapshot) -> Vec<(&'static str, &'static str, String)> {
    let c = &s.content;
    let d = &c.data_handling;
    vec![
        ("name", "App name", c.name.clone()),
        ("description", "Description", c.description.clone()),
        ("website_url", "Website", c.website_url.clone()),
        ("privacy_policy_url", "Privacy policy URL", c.privacy_policy_url.clone()),
        ("redirect_uris", "Redirect URIs", lines(c.redirect_uris.iter().cloned())),
        ("use_case", "Use case", c.use_case.clone()),
        ("scopes", "Scopes", lines(c.scopes.iter().map(|s| format!("{}: {}", s.name, s.justification)))),
        ("eea.serves_eea_users", "Serves users in the EEA", yes_no(c.eea.serves_eea_users)),
        ("eea.countries", "EEA countries", c.eea.countries.join(", ")),
        ("eea.distinguishing_method", "How EEA users are told apart", c.eea.distinguishing_method.clone()),
        ("data_handling.storage_region", "Storage region", d.storage_region.clone()),
        (
            "data_handling.retention_days",
            "Retention (days)",
            d.retention_days.map(|n| n.to_string()).unwrap_or_default(),
        ),
        ("data_handling.encryption_at_rest", "Encrypted at rest", yes_no(d.encryption_at_rest)),
        ("data_handling.deletion_process", "Deletion process", d.deletion_process.clone()),
        ("data_handling.subprocessors", "Sub-processors", lines(d.subprocessors.iter().cloned())),
        ("data_handling.security_contact_email", "Security contact", d.security_contact_email.clone()),
        (
            "mockups",
            "UX mockups",
            lines(s.mockups.iter().map(|m| format!("{} ({})", m.label, &m.sha256[..m.sha256.len().min(12)]))),
        ),
    ]
}

pub fn compare(before: &RevisionSnapshot, after: &RevisionSnapshot) -> Vec<FieldChange> {
    fields(before)
        .into_iter()
        .zip(fields(after))
        .filter(|((_, _, a), (_, _, b))| a != b)
        .map(|((field, label, before), (_, _, after))| FieldChange {
            field: field.into(),
            label: label.into(),
            before,
            after,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::application::content::ScopeRequest;

    fn snapshot() -> RevisionSnapshot {
        let mut content = ApplicationContent { name: "Export".into(), ..Default::default() };
        content.scopes = vec![ScopeRequest { name: "portability.posts.single".into(), justification: "Copy".into() }];
        RevisionSnapshot {
            content,
            mockups: vec![MockupRef {
                label: "Authorization screen".into(),
                sha256: "ab".repeat(32),
                content_type: "image/png".into(),
                size: 10,
            }],
        }
    }

    #[test]
    fn identical_revisions_have_no_changes() {
        assert_eq!(compare(&snapshot(), &snapshot()), []);
    }

    #[test]
    fn changes_are_listed_field_by_field_in_form_order() {
        let before = snapshot();
        let mut after = snapshot();
        after.content.data_handling.retention_days = Some(30);
        after.content.name = "Export Pro".into();
        after.content.eea.serves_eea_users = Some(true);
        after.mockups[0].sha256 = "cd".repeat(32);
        let changes = compare(&before, &after);
        let fields: Vec<&str> = changes.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(fields, ["name", "eea.serves_eea_users", "data_handling.retention_days", "mockups"]);
        assert_eq!(changes[1].before, "Not answered");
        assert_eq!(changes[1].after, "Yes");
        assert_eq!(changes[3].before, "Authorization screen (abababababab)");
        assert_eq!(changes[3].after, "Authorization screen (cdcdcdcdcdcd)");
    }
}
