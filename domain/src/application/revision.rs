//! Submitted revisions and their field-by-field comparison.

use super::content::{ApplicationContent, field_label};
use serde::{Deserialize, Serialize};

/// A mockup as a revision remembers it: by label and content hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MockupRef {
    pub label: String,
    pub sha256: String,
    pub content_type: String,
    pub size: u64,
}

/// Everything that was submitted, frozen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RevisionSnapshot {
    pub content: ApplicationContent,
    pub mockups: Vec<MockupRef>,
}

/// One changed field between two revisions, rendered as text for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldChange {
    /// Dotted path, as in validation errors.
    pub field: String,
    pub label: String,
    pub before: String,
    pub after: String,
}

const NOT_ANSWERED: &str = "Not answered";

fn yes_no(value: Option<bool>) -> String {
    match value {
        Some(true) => "Yes".into(),
        Some(false) => "No".into(),
        None => NOT_ANSWERED.into(),
    }
}

fn lines<'a>(items: impl IntoIterator<Item = &'a String>) -> String {
    items.into_iter().map(String::as_str).collect::<Vec<_>>().join("\n")
}

/// Each field of a snapshot as (path, rendered value), in form order.
fn fields(s: &RevisionSnapshot) -> [(&'static str, String); 17] {
    let c = &s.content;
    let d = &c.data_handling;
    [
        ("name", c.name.clone()),
        ("description", c.description.clone()),
        ("website_url", c.website_url.clone()),
        ("privacy_policy_url", c.privacy_policy_url.clone()),
        ("redirect_uris", lines(&c.redirect_uris)),
        ("use_case", c.use_case.clone()),
        ("scopes", c.scopes.iter().map(|s| format!("{}: {}", s.name, s.justification)).collect::<Vec<_>>().join("\n")),
        ("eea.serves_eea_users", yes_no(c.eea.serves_eea_users)),
        ("eea.countries", lines(&c.eea.countries)),
        ("eea.distinguishing_method", c.eea.distinguishing_method.clone()),
        ("data_handling.storage_region", d.storage_region.clone()),
        ("data_handling.retention_days", d.retention_days.map_or_else(|| NOT_ANSWERED.into(), |n| n.to_string())),
        ("data_handling.encryption_at_rest", yes_no(d.encryption_at_rest)),
        ("data_handling.deletion_process", d.deletion_process.clone()),
        ("data_handling.subprocessors", lines(&d.subprocessors)),
        ("data_handling.security_contact_email", d.security_contact_email.clone()),
        (
            "mockups",
            s.mockups
                .iter()
                .map(|m| format!("{} ({})", m.label, m.sha256.chars().take(12).collect::<String>()))
                .collect::<Vec<_>>()
                .join("\n"),
        ),
    ]
}

/// One entry per changed field, in form order.
pub fn compare(before: &RevisionSnapshot, after: &RevisionSnapshot) -> Vec<FieldChange> {
    fields(before)
        .into_iter()
        .zip(fields(after))
        .filter(|((_, a), (_, b))| a != b)
        .map(|((field, before), (_, after))| FieldChange {
            field: field.into(),
            label: field_label(field).unwrap_or(field).into(),
            before,
            after,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::application::content::{FIELDS, ScopeRequest};

    fn mockup(label: &str, byte: &str) -> MockupRef {
        MockupRef { label: label.into(), sha256: byte.repeat(32), content_type: "image/png".into(), size: 10 }
    }

    fn snapshot() -> RevisionSnapshot {
        let mut content = ApplicationContent { name: "Export".into(), ..Default::default() };
        content.scopes = vec![ScopeRequest { name: "portability.posts.single".into(), justification: "Copy".into() }];
        content.redirect_uris = vec!["https://a.example/cb".into()];
        RevisionSnapshot { content, mockups: vec![mockup("Authorization screen", "ab")] }
    }

    #[test]
    fn identical_revisions_have_no_changes() {
        assert_eq!(compare(&snapshot(), &snapshot()), []);
    }

    #[test]
    fn every_form_field_is_compared_in_form_order() {
        let paths: Vec<&str> = fields(&snapshot()).iter().map(|(path, _)| *path).collect();
        let form: Vec<&str> = FIELDS.iter().map(|(path, _)| *path).collect();
        assert_eq!(paths, form);
    }

    #[test]
    fn changes_are_listed_field_by_field_in_form_order() {
        let before = snapshot();
        let mut after = snapshot();
        after.content.data_handling.retention_days = Some(30);
        after.content.name = "Export Pro".into();
        after.content.eea.serves_eea_users = Some(true);
        after.content.privacy_policy_url = "https://a.example/privacy".into();
        after.mockups[0].sha256 = "cd".repeat(32);
        let changes = compare(&before, &after);
        let fields: Vec<&str> = changes.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(
            fields,
            ["name", "privacy_policy_url", "eea.serves_eea_users", "data_handling.retention_days", "mockups"]
        );
        assert_eq!(changes[0].label, "App name");
        assert_eq!((changes[0].before.as_str(), changes[0].after.as_str()), ("Export", "Export Pro"));
        assert_eq!(changes[1].label, "Privacy policy URL");
        assert_eq!(changes[1].before, "");
        assert_eq!(changes[2].before, "Not answered");
        assert_eq!(changes[2].after, "Yes");
        assert_eq!(changes[3].before, "Not answered");
        assert_eq!(changes[3].after, "30");
        assert_eq!(changes[4].label, "UX mockups");
        assert_eq!(changes[4].before, "Authorization screen (abababababab)");
        assert_eq!(changes[4].after, "Authorization screen (cdcdcdcdcdcd)");
    }

    #[test]
    fn lists_show_one_item_per_line() {
        let before = snapshot();
        let mut after = snapshot();
        after.content.redirect_uris.push("http://127.0.0.1:8080/cb".into());
        after.content.scopes.push(ScopeRequest {
            name: "portability.profile.single".into(),
            justification: "To show the name.".into(),
        });
        after.content.eea.countries = vec!["DE".into(), "NO".into()];
        after.content.data_handling.subprocessors = vec!["Hetzner".into(), "Postmark".into()];
        after.mockups.push(mockup("Revoke access", "01"));
        let changes = compare(&before, &after);
        let by_field = |f: &str| changes.iter().find(|c| c.field == f).unwrap().clone();
        assert_eq!(by_field("redirect_uris").after, "https://a.example/cb\nhttp://127.0.0.1:8080/cb");
        assert_eq!(
            by_field("scopes").after,
            "portability.posts.single: Copy\nportability.profile.single: To show the name."
        );
        assert_eq!(by_field("eea.countries").before, "");
        assert_eq!(by_field("eea.countries").after, "DE\nNO");
        assert_eq!(by_field("data_handling.subprocessors").after, "Hetzner\nPostmark");
        assert_eq!(by_field("mockups").after, "Authorization screen (abababababab)\nRevoke access (010101010101)");
        assert_eq!(changes.len(), 5);
    }

    #[test]
    fn mockups_are_compared_by_label_and_content_only() {
        let before = snapshot();
        let mut after = snapshot();
        after.mockups[0].size = 99;
        after.mockups[0].content_type = "image/webp".into();
        assert_eq!(compare(&before, &after), []);
        after.mockups[0].label = "Consent screen".into();
        let changes = compare(&before, &after);
        assert_eq!(changes[0].after, "Consent screen (abababababab)");
    }

    #[test]
    fn answers_no_and_removed_values_show() {
        let mut before = snapshot();
        before.content.data_handling.encryption_at_rest = Some(true);
        let mut after = before.clone();
        after.content.data_handling.encryption_at_rest = Some(false);
        after.content.redirect_uris.clear();
        after.mockups.clear();
        let changes = compare(&before, &after);
        let fields: Vec<(&str, &str, &str)> =
            changes.iter().map(|c| (c.field.as_str(), c.before.as_str(), c.after.as_str())).collect();
        assert_eq!(
            fields,
            [
                ("redirect_uris", "https://a.example/cb", ""),
                ("data_handling.encryption_at_rest", "Yes", "No"),
                ("mockups", "Authorization screen (abababababab)", ""),
            ]
        );
    }

    #[test]
    fn odd_hashes_do_not_break_rendering() {
        let mut after = snapshot();
        after.mockups[0].sha256 = "ßhort".into();
        assert_eq!(compare(&snapshot(), &after)[0].after, "Authorization screen (ßhort)");
    }

    #[test]
    fn snapshots_round_trip() {
        let snapshot = snapshot();
        let json = serde_json::to_string(&snapshot).unwrap();
        assert_eq!(serde_json::from_str::<RevisionSnapshot>(&json).unwrap(), snapshot);
    }
}
