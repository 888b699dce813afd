//! The application form: its content, partial updates of drafts, and what still blocks
//! submission. The same rules run in the browser and on the server.

use super::redirect_uri::{check_https_url, check_redirect_uri};
use super::scope::ScopeView;
use crate::account::{FieldErrors, MAX_EMAIL_CHARS};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use validator::ValidateEmail;

/// The EEA: the 27 EU member states, Iceland, Liechtenstein and Norway.
pub const EEA_COUNTRIES: [(&str, &str); 30] = [
    ("AT", "Austria"),
    ("BE", "Belgium"),
    ("BG", "Bulgaria"),
    ("HR", "Croatia"),
    ("CY", "Cyprus"),
    ("CZ", "Czechia"),
    ("DK", "Denmark"),
    ("EE", "Estonia"),
    ("FI", "Finland"),
    ("FR", "France"),
    ("DE", "Germany"),
    ("GR", "Greece"),
    ("HU", "Hungary"),
    ("IS", "Iceland"),
    ("IE", "Ireland"),
    ("IT", "Italy"),
    ("LV", "Latvia"),
    ("LI", "Liechtenstein"),
    ("LT", "Lithuania"),
    ("LU", "Luxembourg"),
    ("MT", "Malta"),
    ("NL", "Netherlands"),
    ("NO", "Norway"),
    ("PL", "Poland"),
    ("PT", "Portugal"),
    ("RO", "Romania"),
    ("SK", "Slovakia"),
    ("SI", "Slovenia"),
    ("ES", "Spain"),
    ("SE", "Sweden"),
];

pub const MAX_NAME: usize = 100;
pub const MAX_DESCRIPTION: usize = 2000;
pub const MAX_USE_CASE: usize = 20_000;
pub const MAX_JUSTIFICATION: usize = 2000;
pub const MAX_LONG_TEXT: usize = 5000;
pub const MAX_REDIRECT_URIS: usize = 10;
pub const MAX_SCOPES: usize = 12;
pub const MAX_STORAGE_REGION: usize = 100;
pub const MAX_SUBPROCESSORS: usize = 50;
pub const MAX_SUBPROCESSOR_CHARS: usize = 200;
pub const MIN_DESCRIPTION: usize = 20;
pub const MIN_USE_CASE: usize = 200;
pub const MIN_JUSTIFICATION: usize = 20;
pub const MIN_DISTINGUISHING_METHOD: usize = 50;
pub const MIN_DELETION_PROCESS: usize = 30;
pub const MAX_RETENTION_DAYS: u32 = 3650;

/// The form's fields in form order, as dotted paths with the labels people see.
pub const FIELDS: [(&str, &str); 17] = [
    ("name", "App name"),
    ("description", "Description"),
    ("website_url", "Website"),
    ("privacy_policy_url", "Privacy policy URL"),
    ("redirect_uris", "Redirect URIs"),
    ("use_case", "Use case"),
    ("scopes", "Scopes"),
    ("eea.serves_eea_users", "Serves users in the EEA"),
    ("eea.countries", "EEA countries"),
    ("eea.distinguishing_method", "How EEA users are told apart"),
    ("data_handling.storage_region", "Storage region"),
    ("data_handling.retention_days", "Retention (days)"),
    ("data_handling.encryption_at_rest", "Encrypted at rest"),
    ("data_handling.deletion_process", "Deletion process"),
    ("data_handling.subprocessors", "Sub-processors"),
    ("data_handling.security_contact_email", "Security contact email"),
    ("mockups", "UX mockups"),
];

/// The label of the form field a path such as `scopes[0].justification` belongs to.
pub fn field_label(field: &str) -> Option<&'static str> {
    FIELDS.get(form_position(field).0).map(|(_, label)| *label)
}

/// Where a path sits in the form: its field's place in [`FIELDS`], then its list index.
fn form_position(field: &str) -> (usize, Option<usize>) {
    let (base, rest) = field.split_once('[').unwrap_or((field, ""));
    let index = rest.split_once(']').and_then(|(n, _)| n.parse().ok());
    (FIELDS.iter().position(|(path, _)| *path == base).unwrap_or(FIELDS.len()), index)
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct ScopeRequest {
    pub name: String,
    pub justification: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct Eea {
    pub serves_eea_users: Option<bool>,
    /// ISO 3166-1 alpha-2 codes of EEA countries.
    pub countries: Vec<String>,
    /// How the app tells EEA users apart from others.
    pub distinguishing_method: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct DataHandling {
    pub storage_region: String,
    pub retention_days: Option<u32>,
    pub encryption_at_rest: Option<bool>,
    pub deletion_process: String,
    pub subprocessors: Vec<String>,
    pub security_contact_email: String,
}

/// Everything the developer fills in.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct ApplicationContent {
    pub name: String,
    pub description: String,
    pub website_url: String,
    pub privacy_policy_url: String,
    pub redirect_uris: Vec<String>,
    /// Plain text or Markdown.
    pub use_case: String,
    pub scopes: Vec<ScopeRequest>,
    pub eea: Eea,
    pub data_handling: DataHandling,
}

/// A partial update of a draft: only the fields present change. Anything else in the body
/// (`status`, reviewer fields…) is refused.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ApplicationPatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub website_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub privacy_policy_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect_uris: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub use_case: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scopes: Option<Vec<ScopeRequest>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eea: Option<Eea>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_handling: Option<DataHandling>,
    /// The `version` the change is based on; a stale one is refused, so no save is lost.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<i64>,
}

/// Collects field errors under dotted paths (`scopes[0].justification`).
#[derive(Default)]
struct Problems(FieldErrors);

impl Problems {
    fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.entry(field.into()).or_default().push(message.into());
    }

    /// Length and character rules; `multiline` allows line breaks and tabs.
    fn text(&mut self, field: impl Into<String>, value: &str, max: usize, multiline: bool) {
        let field = field.into();
        if value.chars().count() > max {
            self.add(field.clone(), format!("Use at most {max} characters."));
        }
        let bad = |c: char| c.is_control() && !(multiline && matches!(c, '\n' | '\r' | '\t'));
        if value.chars().any(bad) {
            self.add(
                field,
                if multiline { "Remove control characters." } else { "Use a single line without control characters." },
            );
        }
    }

    fn https_url(&mut self, field: &str, value: &str) {
        if !value.is_empty()
            && let Err(e) = check_https_url(value)
        {
            self.add(field, e.to_string());
        }
    }
}

fn chars(value: &str) -> usize {
    value.trim().chars().count()
}

impl ApplicationPatch {
    /// A patch that sets every field to `content`'s, based on `version`.
    pub fn replacing(content: ApplicationContent, version: Option<i64>) -> Self {
        ApplicationPatch {
            name: Some(content.name),
            description: Some(content.description),
            website_url: Some(content.website_url),
            privacy_policy_url: Some(content.privacy_policy_url),
            redirect_uris: Some(content.redirect_uris),
            use_case: Some(content.use_case),
            scopes: Some(content.scopes),
            eea: Some(content.eea),
            data_handling: Some(content.data_handling),
            version,
        }
    }

    /// Checks the fields present. Empty values are fine in a draft; [`missing_items`] says
    /// what submission needs.
    pub fn validate(&self, catalogue: &[ScopeView]) -> Result<(), FieldErrors> {
        let mut p = Problems::default();
        if let Some(name) = &self.name {
            if name.trim().is_empty() {
                p.add("name", "Give the app a name.");
            }
            p.text("name", name, MAX_NAME, false);
        }
        if let Some(description) = &self.description {
            p.text("description", description, MAX_DESCRIPTION, true);
        }
        if let Some(url) = &self.website_url {
            p.https_url("website_url", url);
        }
        if let Some(url) = &self.privacy_policy_url {
            p.https_url("privacy_policy_url", url);
        }
        if let Some(uris) = &self.redirect_uris {
            if uris.len() > MAX_REDIRECT_URIS {
                p.add("redirect_uris", format!("List at most {MAX_REDIRECT_URIS} redirect URIs."));
            }
            let mut seen = BTreeSet::new();
            for (i, uri) in uris.iter().enumerate() {
                if let Err(e) = check_redirect_uri(uri) {
                    p.add(format!("redirect_uris[{i}]"), e.to_string());
                } else if !seen.insert(uri) {
                    p.add(format!("redirect_uris[{i}]"), "This redirect URI is listed twice.");
                }
            }
        }
        if let Some(use_case) = &self.use_case {
            p.text("use_case", use_case, MAX_USE_CASE, true);
        }
        if let Some(scopes) = &self.scopes {
            if scopes.len() > MAX_SCOPES {
                p.add("scopes", format!("Request at most {MAX_SCOPES} scopes."));
            }
            let mut seen = BTreeSet::new();
            for (i, scope) in scopes.iter().enumerate() {
                if !catalogue.iter().any(|s| s.name == scope.name) {
                    p.add(format!("scopes[{i}].name"), "Choose a scope from the catalogue.");
                } else if !seen.insert(&scope.name) {
                    p.add(format!("scopes[{i}].name"), "This scope is requested twice.");
                }
                p.text(format!("scopes[{i}].justification"), &scope.justification, MAX_JUSTIFICATION, true);
            }
        }
        if let Some(eea) = &self.eea {
            let mut seen = BTreeSet::new();
            for country in &eea.countries {
                if !EEA_COUNTRIES.iter().any(|(code, _)| code == country) {
                    p.add("eea.countries", format!("{country} is not an EEA country code."));
                } else if !seen.insert(country) {
                    p.add("eea.countries", format!("{country} is listed twice."));
                }
            }
            p.text("eea.distinguishing_method", &eea.distinguishing_method, MAX_LONG_TEXT, true);
        }
        if let Some(data) = &self.data_handling {
            p.text("data_handling.storage_region", &data.storage_region, MAX_STORAGE_REGION, false);
            if let Some(days) = data.retention_days
                && !(1..=MAX_RETENTION_DAYS).contains(&days)
            {
                p.add(
                    "data_handling.retention_days",
                    format!("Enter a number of days from 1 to {MAX_RETENTION_DAYS}."),
                );
            }
            p.text("data_handling.deletion_process", &data.deletion_process, MAX_LONG_TEXT, true);
            if data.subprocessors.len() > MAX_SUBPROCESSORS {
                p.add("data_handling.subprocessors", format!("List at most {MAX_SUBPROCESSORS} sub-processors."));
            }
            for (i, name) in data.subprocessors.iter().enumerate() {
                if name.trim().is_empty() {
                    p.add(
                        format!("data_handling.subprocessors[{i}]"),
                        "Enter the sub-processor's name or remove the line.",
                    );
                }
                p.text(format!("data_handling.subprocessors[{i}]"), name, MAX_SUBPROCESSOR_CHARS, false);
            }
            let email = data.security_contact_email.trim();
            if !email.is_empty() && (!email.validate_email() || email.len() as u64 > MAX_EMAIL_CHARS) {
                p.add("data_handling.security_contact_email", "Enter a valid email address.");
            }
        }
        if p.0.is_empty() { Ok(()) } else { Err(p.0) }
    }

    /// Writes the fields present into `content`.
    pub fn apply_to(self, content: &mut ApplicationContent) {
        if let Some(name) = self.name {
            content.name = name.trim().to_owned();
        }
        if let Some(description) = self.description {
            content.description = description;
        }
        if let Some(url) = self.website_url {
            content.website_url = url.trim().to_owned();
        }
        if let Some(url) = self.privacy_policy_url {
            content.privacy_policy_url = url.trim().to_owned();
        }
        if let Some(uris) = self.redirect_uris {
            content.redirect_uris = uris;
        }
        if let Some(use_case) = self.use_case {
            content.use_case = use_case;
        }
        if let Some(scopes) = self.scopes {
            content.scopes = scopes;
        }
        if let Some(eea) = self.eea {
            content.eea = eea;
        }
        if let Some(data) = self.data_handling {
            content.data_handling =
                DataHandling { security_contact_email: data.security_contact_email.trim().to_lowercase(), ..data };
        }
    }
}

/// The six steps of the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Step {
    App,
    UseCase,
    Scopes,
    Eea,
    DataHandling,
    Mockups,
}

impl Step {
    pub const ALL: [Step; 6] = [Step::App, Step::UseCase, Step::Scopes, Step::Eea, Step::DataHandling, Step::Mockups];

    pub fn number(self) -> usize {
        Step::ALL.iter().position(|s| *s == self).unwrap_or_default() + 1
    }

    pub fn title(self) -> &'static str {
        match self {
            Step::App => "App",
            Step::UseCase => "Use case",
            Step::Scopes => "Scopes",
            Step::Eea => "EEA users",
            Step::DataHandling => "Data handling",
            Step::Mockups => "UX mockups",
        }
    }

    pub fn slug(self) -> &'static str {
        match self {
            Step::App => "app",
            Step::UseCase => "use-case",
            Step::Scopes => "scopes",
            Step::Eea => "eea",
            Step::DataHandling => "data-handling",
            Step::Mockups => "mockups",
        }
    }

    /// The step a field belongs to, from its dotted path.
    pub fn of_field(field: &str) -> Step {
        let head = field.split(['.', '[']).next().unwrap_or_default();
        match head {
            "use_case" => Step::UseCase,
            "scopes" => Step::Scopes,
            "eea" => Step::Eea,
            "data_handling" => Step::DataHandling,
            "mockups" => Step::Mockups,
            _ => Step::App,
        }
    }
}

/// Something that blocks submission.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MissingItem {
    pub step: Step,
    pub field: String,
    pub message: String,
}

/// Everything that blocks submission, at once: every draft rule, plus what must be filled in.
pub fn missing_items(content: &ApplicationContent, mockup_count: usize, catalogue: &[ScopeView]) -> Vec<MissingItem> {
    let mut p = Problems::default();
    let c = content;
    if let Err(errors) = ApplicationPatch::replacing(c.clone(), None).validate(catalogue) {
        p.0 = errors;
    }
    if chars(&c.description) < MIN_DESCRIPTION {
        p.add("description", format!("Describe the app in at least {MIN_DESCRIPTION} characters."));
    }
    if c.website_url.trim().is_empty() {
        p.add("website_url", "Enter the app's website.");
    }
    if c.privacy_policy_url.trim().is_empty() {
        p.add("privacy_policy_url", "Enter the address of the app's privacy policy.");
    }
    if c.redirect_uris.is_empty() {
        p.add("redirect_uris", "Add at least one redirect URI.");
    }
    if chars(&c.use_case) < MIN_USE_CASE {
        p.add(
            "use_case",
            format!("Explain what the app does with the data and why it needs each category, in at least {MIN_USE_CASE} characters."),
        );
    }
    if c.scopes.is_empty() {
        p.add("scopes", "Request at least one scope.");
    }
    for (i, scope) in c.scopes.iter().enumerate() {
        if chars(&scope.justification) < MIN_JUSTIFICATION {
            p.add(
                format!("scopes[{i}].justification"),
                format!("Justify why the app needs {} in at least {MIN_JUSTIFICATION} characters.", scope.name),
            );
        }
    }
    match c.eea.serves_eea_users {
        Some(true) => {}
        Some(false) => p.add(
            "eea.serves_eea_users",
            "The platform only returns data of users in the EEA, so the app must serve users there.",
        ),
        None => p.add("eea.serves_eea_users", "Say whether the app serves users in the EEA."),
    }
    if c.eea.countries.is_empty() {
        p.add("eea.countries", "Choose the EEA countries where the app is offered.");
    }
    if chars(&c.eea.distinguishing_method) < MIN_DISTINGUISHING_METHOD {
        p.add(
            "eea.distinguishing_method",
            format!("Explain how the app tells EEA users apart, in at least {MIN_DISTINGUISHING_METHOD} characters."),
        );
    }
    let data = &c.data_handling;
    if data.storage_region.trim().is_empty() {
        p.add("data_handling.storage_region", "Say where the data is stored.");
    }
    if data.retention_days.is_none() {
        p.add("data_handling.retention_days", "Say how many days the data is kept.");
    }
    if data.encryption_at_rest.is_none() {
        p.add("data_handling.encryption_at_rest", "Say whether the data is encrypted at rest.");
    }
    if chars(&data.deletion_process) < MIN_DELETION_PROCESS {
        p.add(
            "data_handling.deletion_process",
            format!("Describe how deletion requests are honoured, in at least {MIN_DELETION_PROCESS} characters."),
        );
    }
    if data.security_contact_email.trim().is_empty() {
        p.add("data_handling.security_contact_email", "Enter a security contact email address.");
    }
    if mockup_count == 0 {
        p.add("mockups", "Upload at least one mockup of the consent and transfer flow.");
    }
    let mut items: Vec<MissingItem> =
        p.0.into_iter()
            .flat_map(|(field, messages)| {
                messages.into_iter().map(move |message| MissingItem {
                    step: Step::of_field(&field),
                    field: field.clone(),
                    message,
                })
            })
            .collect();
    // Stable: several messages for one field keep their order.
    items.sort_by_key(|item| (item.step, form_position(&item.field)));
    items
}

/// Nothing in `step` blocks submission.
pub fn step_complete(items: &[MissingItem], step: Step) -> bool {
    !items.iter().any(|item| item.step == step)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::application::scope::default_catalogue;

    fn complete() -> ApplicationContent {
        ApplicationContent {
            name: "Zoë Export".into(),
            description: "Moves your posts to your own archive.".into(),
            website_url: "https://zoe.example".into(),
            privacy_policy_url: "https://zoe.example/privacy".into(),
            redirect_uris: vec!["https://zoe.example/cb".into()],
            use_case: "x".repeat(MIN_USE_CASE),
            scopes: vec![ScopeRequest {
                name: "portability.posts.single".into(),
                justification: "To copy the posts once into the archive.".into(),
            }],
            eea: Eea {
                serves_eea_users: Some(true),
                countries: vec!["DE".into(), "FR".into()],
                distinguishing_method: "We ask the platform for the account's country of residence at sign-up.".into(),
            },
            data_handling: DataHandling {
                storage_region: "EU (Frankfurt)".into(),
                retention_days: Some(30),
                encryption_at_rest: Some(true),
                deletion_process: "A delete button removes everything within 24 hours.".into(),
                subprocessors: vec!["Hetzner Online GmbH".into()],
                security_contact_email: "security@zoe.example".into(),
            },
        }
    }

    fn errors(patch: ApplicationPatch) -> FieldErrors {
        patch.validate(&default_catalogue()).err().unwrap_or_default()
    }

    fn keys(errors: &FieldErrors) -> Vec<&str> {
        errors.keys().map(String::as_str).collect()
    }

    fn missing_fields(content: &ApplicationContent, mockups: usize) -> Vec<String> {
        missing_items(content, mockups, &default_catalogue()).into_iter().map(|i| i.field).collect()
    }

    fn eea(f: impl FnOnce(&mut Eea)) -> ApplicationPatch {
        let mut eea = Eea::default();
        f(&mut eea);
        ApplicationPatch { eea: Some(eea), ..Default::default() }
    }

    fn data(f: impl FnOnce(&mut DataHandling)) -> ApplicationPatch {
        let mut data = DataHandling::default();
        f(&mut data);
        ApplicationPatch { data_handling: Some(data), ..Default::default() }
    }

    fn scopes(scopes: &[(&str, &str)]) -> ApplicationPatch {
        let scopes = scopes
            .iter()
            .map(|(name, justification)| ScopeRequest { name: (*name).into(), justification: (*justification).into() })
            .collect();
        ApplicationPatch { scopes: Some(scopes), ..Default::default() }
    }

    fn uris(uris: &[&str]) -> ApplicationPatch {
        ApplicationPatch { redirect_uris: Some(uris.iter().map(|u| (*u).into()).collect()), ..Default::default() }
    }

    #[test]
    fn a_complete_application_with_a_mockup_has_nothing_missing() {
        assert_eq!(missing_items(&complete(), 1, &default_catalogue()), []);
        let items = missing_items(&complete(), 1, &default_catalogue());
        assert!(Step::ALL.into_iter().all(|s| step_complete(&items, s)));
    }

    #[test]
    fn an_empty_draft_lists_everything_in_form_order() {
        let items = missing_items(&ApplicationContent::default(), 0, &default_catalogue());
        let fields: Vec<&str> = items.iter().map(|i| i.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "name",
                "description",
                "website_url",
                "privacy_policy_url",
                "redirect_uris",
                "use_case",
                "scopes",
                "eea.serves_eea_users",
                "eea.countries",
                "eea.distinguishing_method",
                "data_handling.storage_region",
                "data_handling.retention_days",
                "data_handling.encryption_at_rest",
                "data_handling.deletion_process",
                "data_handling.security_contact_email",
                "mockups",
            ]
        );
        for item in &items {
            assert_eq!(item.step, Step::of_field(&item.field), "{item:?}");
            assert!(item.message.ends_with('.'), "{item:?}");
        }
        assert!(Step::ALL.into_iter().all(|s| !step_complete(&items, s)));
    }

    #[test]
    fn each_submission_requirement_on_its_own() {
        type Breakage = fn(&mut ApplicationContent);
        let cases: Vec<(&str, Breakage)> = vec![
            ("description", |c| c.description = "x".repeat(MIN_DESCRIPTION - 1)),
            ("description", |c| c.description = format!("   {}\n\n  ", "x".repeat(MIN_DESCRIPTION - 1))),
            ("website_url", |c| c.website_url.clear()),
            ("privacy_policy_url", |c| c.privacy_policy_url.clear()),
            ("redirect_uris", |c| c.redirect_uris.clear()),
            ("use_case", |c| c.use_case = "x".repeat(MIN_USE_CASE - 1)),
            ("use_case", |c| c.use_case = format!("{}{}", "é".repeat(MIN_USE_CASE - 1), " ".repeat(50))),
            ("scopes", |c| c.scopes.clear()),
            ("scopes[0].justification", |c| c.scopes[0].justification = "x".repeat(MIN_JUSTIFICATION - 1)),
            ("eea.serves_eea_users", |c| c.eea.serves_eea_users = None),
            ("eea.serves_eea_users", |c| c.eea.serves_eea_users = Some(false)),
            ("eea.countries", |c| c.eea.countries.clear()),
            ("eea.distinguishing_method", |c| c.eea.distinguishing_method = "x".repeat(MIN_DISTINGUISHING_METHOD - 1)),
            ("data_handling.storage_region", |c| c.data_handling.storage_region = "  ".into()),
            ("data_handling.retention_days", |c| c.data_handling.retention_days = None),
            ("data_handling.encryption_at_rest", |c| c.data_handling.encryption_at_rest = None),
            ("data_handling.deletion_process", |c| {
                c.data_handling.deletion_process = "x".repeat(MIN_DELETION_PROCESS - 1)
            }),
            ("data_handling.security_contact_email", |c| c.data_handling.security_contact_email.clear()),
        ];
        for (field, break_it) in cases {
            let mut content = complete();
            break_it(&mut content);
            assert_eq!(missing_fields(&content, 1), [field], "{field}");
        }
        assert_eq!(missing_fields(&complete(), 0), ["mockups"]);
    }

    #[test]
    fn minimum_lengths_are_inclusive() {
        let mut content = complete();
        content.description = "d".repeat(MIN_DESCRIPTION);
        content.use_case = "ü".repeat(MIN_USE_CASE);
        content.scopes[0].justification = "j".repeat(MIN_JUSTIFICATION);
        content.eea.distinguishing_method = "m".repeat(MIN_DISTINGUISHING_METHOD);
        content.data_handling.deletion_process = "p".repeat(MIN_DELETION_PROCESS);
        assert_eq!(missing_fields(&content, 1), Vec::<String>::new());
    }

    #[test]
    fn encryption_answered_no_is_still_an_answer() {
        let mut content = complete();
        content.data_handling.encryption_at_rest = Some(false);
        assert_eq!(missing_fields(&content, 1), Vec::<String>::new());
    }

    #[test]
    fn draft_rules_also_block_submission() {
        let mut content = complete();
        content.website_url = "http://zoe.example".into();
        content.redirect_uris.push("https://*.zoe.example/cb".into());
        content.eea.countries.push("US".into());
        content.data_handling.retention_days = Some(MAX_RETENTION_DAYS + 1);
        assert_eq!(
            missing_fields(&content, 1),
            ["website_url", "redirect_uris[1]", "eea.countries", "data_handling.retention_days"]
        );
    }

    #[test]
    fn not_serving_the_eea_blocks_submission_and_says_why() {
        let mut content = complete();
        content.eea.serves_eea_users = Some(false);
        let items = missing_items(&content, 1, &default_catalogue());
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].step, Step::Eea);
        assert!(items[0].message.contains("only returns data of users in the EEA"));
        content.eea.serves_eea_users = None;
        let items = missing_items(&content, 1, &default_catalogue());
        assert_eq!(items[0].message, "Say whether the app serves users in the EEA.");
    }

    #[test]
    fn every_short_justification_is_named() {
        let mut content = complete();
        content.scopes = vec![
            ScopeRequest { name: "portability.profile.single".into(), justification: "Because.".into() },
            ScopeRequest { name: "portability.posts.single".into(), justification: "x".repeat(40) },
            ScopeRequest { name: "portability.posts.ongoing".into(), justification: String::new() },
        ];
        let items = missing_items(&content, 1, &default_catalogue());
        let fields: Vec<&str> = items.iter().map(|i| i.field.as_str()).collect();
        assert_eq!(fields, ["scopes[0].justification", "scopes[2].justification"]);
        assert!(items[1].message.contains("portability.posts.ongoing"));
    }

    #[test]
    fn list_items_are_ordered_by_index() {
        let mut content = complete();
        content.redirect_uris = (0..11).map(|i| format!("http://app{i}.example/cb")).collect();
        let fields = missing_fields(&content, 1);
        assert_eq!(fields[0], "redirect_uris");
        let indexes: Vec<&str> = fields[1..].iter().map(String::as_str).collect();
        let expected: Vec<String> = (0..11).map(|i| format!("redirect_uris[{i}]")).collect();
        assert_eq!(indexes, expected);
    }

    #[test]
    fn names() {
        let name = |n: &str| errors(ApplicationPatch { name: Some(n.into()), ..Default::default() });
        assert_eq!(keys(&name("")), ["name"]);
        assert_eq!(name(" ")["name"], ["Give the app a name."]);
        assert!(name("x").is_empty());
        assert!(name(&"x".repeat(MAX_NAME)).is_empty());
        assert!(name(&"é".repeat(MAX_NAME)).is_empty(), "characters, not bytes");
        assert_eq!(name(&"x".repeat(MAX_NAME + 1))["name"], ["Use at most 100 characters."]);
        assert!(name("名前 🚀 Zoë").is_empty(), "Unicode is welcome");
        for bad in ["Tab\tname", "Two\nlines", "Carriage\rreturn", "nul\0", "esc\u{1b}[31m", "del\u{7f}", "c1\u{85}"] {
            assert_eq!(name(bad)["name"], ["Use a single line without control characters."], "{bad:?}");
        }
    }

    #[test]
    fn multi_line_texts() {
        let description = |d: &str| errors(ApplicationPatch { description: Some(d.into()), ..Default::default() });
        let use_case = |u: &str| errors(ApplicationPatch { use_case: Some(u.into()), ..Default::default() });
        assert!(description("").is_empty(), "drafts may be incomplete");
        assert!(description("line one\r\nline two\n\tindented").is_empty());
        assert!(description(&"x".repeat(MAX_DESCRIPTION)).is_empty());
        assert_eq!(description(&"x".repeat(MAX_DESCRIPTION + 1))["description"], ["Use at most 2000 characters."]);
        assert_eq!(description("nul\0")["description"], ["Remove control characters."]);
        assert_eq!(description("bell\u{7}")["description"], ["Remove control characters."]);
        assert!(use_case(&"x".repeat(MAX_USE_CASE)).is_empty());
        assert_eq!(keys(&use_case(&"x".repeat(MAX_USE_CASE + 1))), ["use_case"]);
        assert_eq!(keys(&use_case("# Plan\n\n* one\n* two\u{8}")), ["use_case"]);
        let both = errors(ApplicationPatch {
            description: Some(format!("{}\0", "x".repeat(MAX_DESCRIPTION))),
            ..Default::default()
        });
        assert_eq!(both["description"].len(), 2, "every problem of a field is reported");
    }

    #[test]
    fn web_addresses() {
        let website = |u: &str| errors(ApplicationPatch { website_url: Some(u.into()), ..Default::default() });
        let privacy = |u: &str| errors(ApplicationPatch { privacy_policy_url: Some(u.into()), ..Default::default() });
        assert!(website("").is_empty(), "empty is fine in a draft");
        assert!(website("https://zoe.example").is_empty());
        assert!(privacy("https://zoe.example/privacy#data").is_empty());
        assert!(website("http://zoe.example")["website_url"][0].starts_with("Use https"));
        assert_eq!(keys(&privacy("not a url")), ["privacy_policy_url"]);
        assert_eq!(keys(&privacy("javascript:alert(1)")), ["privacy_policy_url"]);
        assert_eq!(keys(&website("https://me:pw@zoe.example")), ["website_url"]);
        assert_eq!(keys(&website(&format!("https://zoe.example/{}", "p".repeat(2048)))), ["website_url"]);
    }

    #[test]
    fn redirect_uris() {
        assert!(errors(uris(&[])).is_empty());
        let ten: Vec<String> = (0..MAX_REDIRECT_URIS).map(|i| format!("https://zoe.example/cb{i}")).collect();
        let ten: Vec<&str> = ten.iter().map(String::as_str).collect();
        assert!(errors(uris(&ten)).is_empty());
        let mut eleven = ten.clone();
        eleven.push("https://zoe.example/cb10");
        assert_eq!(errors(uris(&eleven))["redirect_uris"], ["List at most 10 redirect URIs."]);
        let e = errors(uris(&["https://a.example/cb", "https://*.example/cb", "", "https://a.example/cb#x"]));
        assert_eq!(keys(&e), ["redirect_uris[1]", "redirect_uris[2]", "redirect_uris[3]"]);
        let e = errors(uris(&["https://a.example/cb", "https://b.example/cb", "https://a.example/cb"]));
        assert_eq!(e["redirect_uris[2]"], ["This redirect URI is listed twice."]);
        assert_eq!(keys(&e), ["redirect_uris[2]"]);
        assert!(errors(uris(&["https://a.example/cb", "https://a.example/cb/"])).is_empty(), "compared exactly");
        assert!(errors(uris(&["https://a.example/cb", "HTTPS://a.example/cb"])).is_empty(), "compared exactly");
    }

    #[test]
    fn scope_requests() {
        assert!(errors(scopes(&[])).is_empty());
        assert!(errors(scopes(&[("portability.posts.single", "")])).is_empty(), "justify later");
        let e = errors(scopes(&[("portability.secrets.ongoing", "")]));
        assert_eq!(e["scopes[0].name"], ["Choose a scope from the catalogue."]);
        let e = errors(scopes(&[("portability.posts.single", "a"), ("portability.posts.single", "b")]));
        assert_eq!(e["scopes[1].name"], ["This scope is requested twice."]);
        assert_eq!(keys(&e), ["scopes[1].name"]);
        let long = "x".repeat(MAX_JUSTIFICATION + 1);
        let e = errors(scopes(&[("portability.profile.single", "fine"), ("portability.posts.single", &long)]));
        assert_eq!(keys(&e), ["scopes[1].justification"]);
        assert!(errors(scopes(&[("portability.posts.single", "One.\nTwo.\tThree.")])).is_empty());
        assert_eq!(keys(&errors(scopes(&[("portability.posts.single", "nul\0")]))), ["scopes[0].justification"]);
        let all: Vec<ScopeRequest> = default_catalogue()
            .into_iter()
            .map(|s| ScopeRequest { name: s.name, justification: String::new() })
            .collect();
        assert_eq!(all.len(), MAX_SCOPES);
        let patch = ApplicationPatch { scopes: Some(all.clone()), ..Default::default() };
        assert!(errors(patch).is_empty());
        let mut too_many = all;
        too_many.push(too_many[0].clone());
        let e = errors(ApplicationPatch { scopes: Some(too_many), ..Default::default() });
        assert_eq!(e["scopes"], ["Request at most 12 scopes."]);
    }

    #[test]
    fn scopes_come_from_the_given_catalogue() {
        let catalogue: Vec<ScopeView> =
            default_catalogue().into_iter().filter(|s| s.name == "portability.profile.single").collect();
        let patch = scopes(&[("portability.posts.single", "")]);
        assert!(patch.validate(&catalogue).unwrap_err().contains_key("scopes[0].name"));
        assert!(scopes(&[("portability.profile.single", "")]).validate(&catalogue).is_ok());
    }

    #[test]
    fn eea_answers() {
        assert!(errors(eea(|_| {})).is_empty());
        assert!(errors(eea(|e| e.countries = EEA_COUNTRIES.iter().map(|(c, _)| (*c).to_owned()).collect())).is_empty());
        for bad in ["US", "GB", "CH", "de", "DEU", "", "EU"] {
            let e = errors(eea(|e| e.countries = vec![bad.into()]));
            assert_eq!(keys(&e), ["eea.countries"], "{bad}");
        }
        let e = errors(eea(|e| e.countries = vec!["DE".into(), "FR".into(), "DE".into()]));
        assert_eq!(e["eea.countries"], ["DE is listed twice."]);
        assert!(errors(eea(|e| e.distinguishing_method = "We check\nthe country.".into())).is_empty());
        assert!(errors(eea(|e| e.distinguishing_method = "x".repeat(MAX_LONG_TEXT))).is_empty());
        let e = errors(eea(|e| e.distinguishing_method = "x".repeat(MAX_LONG_TEXT + 1)));
        assert_eq!(keys(&e), ["eea.distinguishing_method"]);
        assert!(errors(eea(|e| e.serves_eea_users = Some(false))).is_empty(), "a draft may say no");
    }

    #[test]
    fn data_handling_answers() {
        assert!(errors(data(|_| {})).is_empty());
        assert!(errors(data(|d| d.storage_region = "r".repeat(MAX_STORAGE_REGION))).is_empty());
        for bad in ["r".repeat(MAX_STORAGE_REGION + 1), "EU\nUS".into()] {
            assert_eq!(keys(&errors(data(|d| d.storage_region = bad))), ["data_handling.storage_region"]);
        }
        for days in [1, 30, MAX_RETENTION_DAYS] {
            assert!(errors(data(|d| d.retention_days = Some(days))).is_empty(), "{days}");
        }
        for days in [0, MAX_RETENTION_DAYS + 1, u32::MAX] {
            let e = errors(data(|d| d.retention_days = Some(days)));
            assert_eq!(e["data_handling.retention_days"], ["Enter a number of days from 1 to 3650."], "{days}");
        }
        assert!(errors(data(|d| d.deletion_process = "Step one.\nStep two.".into())).is_empty());
        let e = errors(data(|d| d.deletion_process = "x".repeat(MAX_LONG_TEXT + 1)));
        assert_eq!(keys(&e), ["data_handling.deletion_process"]);
        let fifty: Vec<String> = (0..MAX_SUBPROCESSORS).map(|i| format!("Processor {i}")).collect();
        assert!(errors(data(|d| d.subprocessors = fifty.clone())).is_empty());
        let mut fifty_one = fifty;
        fifty_one.push("One more".into());
        let e = errors(data(|d| d.subprocessors = fifty_one));
        assert_eq!(e["data_handling.subprocessors"], ["List at most 50 sub-processors."]);
        assert!(errors(data(|d| d.subprocessors = vec!["p".repeat(MAX_SUBPROCESSOR_CHARS)])).is_empty());
        let e = errors(data(|d| {
            d.subprocessors = vec!["ok".into(), "".into(), "p".repeat(MAX_SUBPROCESSOR_CHARS + 1), "a\nb".into()]
        }));
        assert_eq!(
            keys(&e),
            ["data_handling.subprocessors[1]", "data_handling.subprocessors[2]", "data_handling.subprocessors[3]"]
        );
    }

    #[test]
    fn security_contact_email() {
        let email = |e: &str| errors(data(|d| d.security_contact_email = e.into()));
        assert!(email("").is_empty(), "empty is fine in a draft");
        assert!(email("security@zoe.example").is_empty());
        assert!(email(" Security@Zoe.Example ").is_empty());
        let local = "a".repeat(64);
        let labels = vec!["d".repeat(60); 3].join(".");
        let long_domain = format!("{labels}.example");
        assert!(email(&format!("{}@{long_domain}", "a".repeat(50))).is_empty());
        let too_long = format!("{local}@{labels}.{}.example", "e".repeat(10));
        assert!(too_long.len() > 254);
        for bad in ["nope", "a@", "@zoe.example", "a b@zoe.example", too_long.as_str()] {
            assert_eq!(email(bad)["data_handling.security_contact_email"], ["Enter a valid email address."], "{bad}");
        }
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let patch = ApplicationPatch {
            name: Some(String::new()),
            website_url: Some("http://zoe.example".into()),
            redirect_uris: Some(vec!["javascript:alert(1)".into()]),
            scopes: Some(vec![ScopeRequest { name: "nope".into(), justification: String::new() }]),
            eea: Some(Eea { countries: vec!["US".into()], ..Default::default() }),
            data_handling: Some(DataHandling { retention_days: Some(0), ..Default::default() }),
            ..Default::default()
        };
        assert_eq!(
            keys(&errors(patch)),
            [
                "data_handling.retention_days",
                "eea.countries",
                "name",
                "redirect_uris[0]",
                "scopes[0].name",
                "website_url"
            ]
        );
    }

    #[test]
    fn unknown_fields_are_refused() {
        for body in [
            r#"{"status":"approved"}"#,
            r#"{"granted_scopes":[]}"#,
            r#"{"reviewer_id":"r1"}"#,
            r#"{"eea":{"verified":true}}"#,
            r#"{"data_handling":{"approved":true}}"#,
            r#"{"scopes":[{"name":"portability.posts.single","granted":true}]}"#,
        ] {
            assert!(serde_json::from_str::<ApplicationPatch>(body).is_err(), "{body}");
        }
        let patch: ApplicationPatch = serde_json::from_str(r#"{"name":"ok","version":3}"#).unwrap();
        assert_eq!(patch.version, Some(3));
        assert_eq!(patch.description, None);
    }

    #[test]
    fn nested_objects_fill_in_what_they_leave_out() {
        let patch: ApplicationPatch =
            serde_json::from_str(r#"{"eea":{"serves_eea_users":true},"data_handling":{"retention_days":30}}"#).unwrap();
        assert_eq!(patch.eea, Some(Eea { serves_eea_users: Some(true), ..Default::default() }));
        assert_eq!(patch.data_handling.unwrap().retention_days, Some(30));
        let patch: ApplicationPatch =
            serde_json::from_str(r#"{"scopes":[{"name":"portability.posts.single"}]}"#).unwrap();
        assert_eq!(patch.scopes.unwrap()[0].justification, "");
    }

    #[test]
    fn content_round_trips_and_tolerates_missing_fields() {
        let content = complete();
        let json = serde_json::to_string(&content).unwrap();
        assert_eq!(serde_json::from_str::<ApplicationContent>(&json).unwrap(), content);
        assert_eq!(serde_json::from_str::<ApplicationContent>("{}").unwrap(), ApplicationContent::default());
        let skipped = ApplicationPatch { name: Some("N".into()), ..Default::default() };
        assert_eq!(serde_json::to_string(&skipped).unwrap(), r#"{"name":"N"}"#);
    }

    #[test]
    fn patches_change_only_what_they_carry() {
        let mut content = complete();
        ApplicationPatch { description: Some("New text".into()), ..Default::default() }.apply_to(&mut content);
        assert_eq!(content.description, "New text");
        assert_eq!(content, ApplicationContent { description: "New text".into(), ..complete() });
        let before = content.clone();
        ApplicationPatch { version: Some(7), ..Default::default() }.apply_to(&mut content);
        assert_eq!(content, before);
    }

    #[test]
    fn applying_tidies_names_and_emails_but_not_redirect_uris() {
        let mut content = ApplicationContent::default();
        ApplicationPatch {
            name: Some("  Zoë Export ".into()),
            redirect_uris: Some(vec!["HTTPS://Zoe.Example/CB".into(), "https://zoe.example/cb/".into()]),
            data_handling: Some(DataHandling {
                security_contact_email: " Security@Zoe.Example ".into(),
                ..Default::default()
            }),
            ..Default::default()
        }
        .apply_to(&mut content);
        assert_eq!(content.name, "Zoë Export");
        assert_eq!(content.redirect_uris, ["HTTPS://Zoe.Example/CB", "https://zoe.example/cb/"]);
        assert_eq!(content.data_handling.security_contact_email, "security@zoe.example");
    }

    #[test]
    fn eea_countries_list() {
        let codes: BTreeSet<&str> = EEA_COUNTRIES.iter().map(|(code, _)| *code).collect();
        assert_eq!(codes.len(), 30);
        assert!(codes.iter().all(|c| c.len() == 2 && c.chars().all(|ch| ch.is_ascii_uppercase())));
        for code in ["IS", "LI", "NO", "DE", "IE", "HR", "CY"] {
            assert!(codes.contains(code), "{code}");
        }
        for code in ["GB", "CH", "UK", "EL", "US"] {
            assert!(!codes.contains(code), "{code}");
        }
        assert!(EEA_COUNTRIES.contains(&("NO", "Norway")));
    }

    #[test]
    fn steps() {
        let numbers: Vec<usize> = Step::ALL.iter().map(|s| s.number()).collect();
        assert_eq!(numbers, [1, 2, 3, 4, 5, 6]);
        let titles: Vec<&str> = Step::ALL.iter().map(|s| s.title()).collect();
        assert_eq!(titles, ["App", "Use case", "Scopes", "EEA users", "Data handling", "UX mockups"]);
        assert_eq!(serde_json::to_value(Step::DataHandling).unwrap(), "data_handling");
        assert_eq!(serde_json::to_value(Step::UseCase).unwrap(), "use_case");
    }

    #[test]
    fn fields_map_to_steps_and_labels() {
        assert_eq!(Step::of_field("redirect_uris[2]"), Step::App);
        assert_eq!(Step::of_field("scopes[0].justification"), Step::Scopes);
        assert_eq!(Step::of_field("eea.countries"), Step::Eea);
        assert_eq!(Step::of_field("data_handling.retention_days"), Step::DataHandling);
        assert_eq!(Step::of_field("mockups"), Step::Mockups);
        assert!(FIELDS.windows(2).all(|w| Step::of_field(w[0].0) <= Step::of_field(w[1].0)), "form order");
        assert_eq!(field_label("privacy_policy_url"), Some("Privacy policy URL"));
        assert_eq!(field_label("scopes[3].justification"), Some("Scopes"));
        assert_eq!(field_label("data_handling.subprocessors[1]"), Some("Sub-processors"));
        assert_eq!(field_label("status"), None);
    }
}
