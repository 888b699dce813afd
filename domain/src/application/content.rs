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
pub const MAX_SUBPROCESSORS: usize = 50;
pub const MIN_DESCRIPTION: usize = 20;
pub const MIN_USE_CASE: usize = 200;
pub const MIN_JUSTIFICATION: usize = 20;
pub const MIN_DISTINGUISHING_METHOD: usize = 50;
pub const MIN_DELETION_PROCESS: usize = 30;
pub const MAX_RETENTION_DAYS: u32 = 3650;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ScopeRequest {
    pub name: String,
    pub justification: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Eea {
    pub serves_eea_users: Option<bool>,
    /// ISO 3166-1 alpha-2 codes of EEA countries.
    pub countries: Vec<String>,
    /// How the app tells EEA users apart from others.
    pub distinguishing_method: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
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
            if scopes.len() > catalogue.len().max(1) {
                p.add("scopes", "Request each scope at most once.");
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
            p.text("data_handling.storage_region", &data.storage_region, 100, false);
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
                p.text(format!("data_handling.subprocessors[{i}]"), name, 200, false);
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
pub struct MissingItem {
    pub step: Step,
    pub field: String,
    pub message: String,
}

/// Everything that blocks submission, at once: every draft rule, plus what must be filled in.
pub fn missing_items(content: &ApplicationContent, mockup_count: usize, catalogue: &[ScopeView]) -> Vec<MissingItem> {
    let mut p = Problems::default();
    let c = content;
    let full = ApplicationPatch {
        name: Some(c.name.clone()),
        description: Some(c.description.clone()),
        website_url: Some(c.website_url.clone()),
        privacy_policy_url: Some(c.privacy_policy_url.clone()),
        redirect_uris: Some(c.redirect_uris.clone()),
        use_case: Some(c.use_case.clone()),
        scopes: Some(c.scopes.clone()),
        eea: Some(c.eea.clone()),
        data_handling: Some(c.data_handling.clone()),
        version: None,
    };
    if let Err(errors) = full.validate(catalogue) {
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
    items.sort_by_key(|item| item.step);
    items
}

pub fn step_complete(items: &[MissingItem], step: Step) -> bool {
    !items.iter().any(|item| item.step == step)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::application::scope::default_catalogue;

    pub fn complete() -> ApplicationContent {
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

    #[test]
    fn a_complete_application_with_a_mockup_has_nothing_missing() {
        assert_eq!(missing_items(&complete(), 1, &default_catalogue()), []);
    }

    #[test]
    fn an_empty_draft_lists_everything_in_step_order() {
        let items = missing_items(&ApplicationContent::default(), 0, &default_catalogue());
        let steps: BTreeSet<Step> = items.iter().map(|i| i.step).collect();
        assert_eq!(steps.len(), 6, "{items:?}");
        assert!(items.windows(2).all(|w| w[0].step <= w[1].step));
        assert!(items.iter().any(|i| i.field == "mockups"));
        assert!(!step_complete(&items, Step::Eea));
    }

    #[test]
    fn not_serving_the_eea_blocks_submission() {
        let mut content = complete();
        content.eea.serves_eea_users = Some(false);
        let items = missing_items(&content, 1, &default_catalogue());
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].field, "eea.serves_eea_users");
        assert!(items[0].message.contains("only returns data of users in the EEA"));
    }

    #[test]
    fn field_limits_and_characters() {
        let catalogue = default_catalogue();
        let patch = |f: fn(&mut ApplicationPatch)| {
            let mut p = ApplicationPatch::default();
            f(&mut p);
            p.validate(&catalogue).err().unwrap_or_default()
        };
        assert!(patch(|p| p.name = Some(" ".into())).contains_key("name"));
        assert!(patch(|p| p.name = Some("x".repeat(MAX_NAME + 1))).contains_key("name"));
        assert!(patch(|p| p.name = Some("x".repeat(MAX_NAME))).is_empty());
        assert!(patch(|p| p.name = Some("Tab\tname".into())).contains_key("name"));
        assert!(patch(|p| p.name = Some("名前 🚀 Zoë".into())).is_empty(), "Unicode is welcome");
        assert!(patch(|p| p.description = Some("line one\nline two".into())).is_empty());
        assert!(patch(|p| p.description = Some("nul\u{0}".into())).contains_key("description"));
        assert!(patch(|p| p.description = Some("x".repeat(MAX_DESCRIPTION + 1))).contains_key("description"));
        assert!(patch(|p| p.website_url = Some("http://zoe.example".into())).contains_key("website_url"));
        assert!(patch(|p| p.privacy_policy_url = Some("not a url".into())).contains_key("privacy_policy_url"));
        assert!(patch(|p| p.website_url = Some(String::new())).is_empty(), "empty is fine in a draft");
        let errors =
            patch(|p| p.redirect_uris = Some(vec!["https://a.example/cb".into(), "https://*.example/cb".into()]));
        assert_eq!(errors.keys().collect::<Vec<_>>(), ["redirect_uris[1]"]);
        let errors = patch(|p| p.redirect_uris = Some(vec!["https://a.example/cb".into(); 2]));
        assert!(errors.contains_key("redirect_uris[1]"));
        assert!(
            patch(|p| p.redirect_uris = Some(vec!["https://a.example/cb".into(); 11])).contains_key("redirect_uris")
        );
        let errors = patch(|p| {
            p.scopes =
                Some(vec![ScopeRequest { name: "portability.secrets.ongoing".into(), justification: String::new() }])
        });
        assert!(errors.contains_key("scopes[0].name"));
        let errors = patch(|p| p.eea = Some(Eea { countries: vec!["US".into()], ..Eea::default() }));
        assert!(errors.contains_key("eea.countries"));
        let errors = patch(|p| {
            p.data_handling = Some(DataHandling {
                retention_days: Some(0),
                security_contact_email: "nope".into(),
                subprocessors: vec![" ".into()],
                ..DataHandling::default()
            })
        });
        for field in
            ["data_handling.retention_days", "data_handling.security_contact_email", "data_handling.subprocessors[0]"]
        {
            assert!(errors.contains_key(field), "{field}: {errors:?}");
        }
    }

    #[test]
    fn unknown_fields_are_refused() {
        assert!(serde_json::from_str::<ApplicationPatch>(r#"{"status":"approved"}"#).is_err());
        assert!(serde_json::from_str::<ApplicationPatch>(r#"{"granted_scopes":[]}"#).is_err());
        assert!(serde_json::from_str::<ApplicationPatch>(r#"{"eea":{"verified":true}}"#).is_err());
        assert!(serde_json::from_str::<ApplicationPatch>(r#"{"name":"ok","version":3}"#).is_ok());
    }

    #[test]
    fn patches_change_only_what_they_carry() {
        let mut content = complete();
        ApplicationPatch { description: Some("New text".into()), ..Default::default() }.apply_to(&mut content);
        assert_eq!(content.description, "New text");
        assert_eq!(content.name, "Zoë Export");
    }

    #[test]
    fn fields_map_to_steps() {
        assert_eq!(Step::of_field("redirect_uris[2]"), Step::App);
        assert_eq!(Step::of_field("scopes[0].justification"), Step::Scopes);
        assert_eq!(Step::of_field("eea.countries"), Step::Eea);
        assert_eq!(Step::of_field("data_handling.retention_days"), Step::DataHandling);
        assert_eq!(Step::Mockups.number(), 6);
    }
}
