//! The scope catalogue: what data an app may ask for, and how often.

use serde::{Deserialize, Serialize};
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ScopeCategory {
    Profile,
    Posts,
    /// Followers and following.
    Connections,
    Activity,
    DirectMessages,
    /// The entire archive.
    All,
}

impl ScopeCategory {
    pub const ALL: [ScopeCategory; 6] = [
        ScopeCategory::Profile,
        ScopeCategory::Posts,
        ScopeCategory::Connections,
        ScopeCategory::Activity,
        ScopeCategory::DirectMessages,
        ScopeCategory::All,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ScopeCategory::Profile => "profile",
            ScopeCategory::Posts => "posts",
            ScopeCategory::Connections => "connections",
            ScopeCategory::Activity => "activity",
            ScopeCategory::DirectMessages => "direct_messages",
            ScopeCategory::All => "all",
        }
    }
}

impl FromStr for ScopeCategory {
    type Err = ();

    fn from_str(value: &str) -> Result<Self, ()> {
        Self::ALL.into_iter().find(|c| c.as_str() == value).ok_or(())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Frequency {
    /// One-time export.
    Single,
    /// Recurring access.
    Ongoing,
}

impl Frequency {
    pub const ALL: [Frequency; 2] = [Frequency::Single, Frequency::Ongoing];

    pub fn as_str(self) -> &'static str {
        match self {
            Frequency::Single => "single",
            Frequency::Ongoing => "ongoing",
        }
    }
}

impl FromStr for Frequency {
    type Err = ();

    fn from_str(value: &str) -> Result<Self, ()> {
        Self::ALL.into_iter().find(|f| f.as_str() == value).ok_or(())
    }
}

/// One entry of `GET /api/v1/scopes`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScopeView {
    pub name: String,
    pub category: ScopeCategory,
    pub frequency: Frequency,
    pub title: String,
    pub description: String,
    pub sensitive: bool,
}

/// `portability.<category>.<frequency>`.
pub fn scope_name(category: ScopeCategory, frequency: Frequency) -> String {
    format!("portability.{}.{}", category.as_str(), frequency.as_str())
}

/// Private conversations, everything at once, and every standing access get a closer look.
pub fn is_sensitive(category: ScopeCategory, frequency: Frequency) -> bool {
    matches!(category, ScopeCategory::DirectMessages | ScopeCategory::All) || frequency == Frequency::Ongoing
}

/// The category and frequency a catalogue name stands for; `None` for any other name.
pub fn parse_scope_name(name: &str) -> Option<(ScopeCategory, Frequency)> {
    let (category, frequency) = name.strip_prefix("portability.")?.split_once('.')?;
    Some((category.parse().ok()?, frequency.parse().ok()?))
}

/// How pages name a scope, "Direct messages · recurring", and whether it is sensitive;
/// `None` for a name outside the catalogue, which pages then show as it is.
pub fn scope_label(name: &str) -> Option<(String, bool)> {
    let (category, frequency) = parse_scope_name(name)?;
    let how = match frequency {
        Frequency::Single => "one-time",
        Frequency::Ongoing => "recurring",
    };
    Some((format!("{} · {how}", describe(category).0), is_sensitive(category, frequency)))
}

fn describe(category: ScopeCategory) -> (&'static str, &'static str) {
    match category {
        ScopeCategory::Profile => ("Profile", "the person's name, username, bio, profile picture and account settings"),
        ScopeCategory::Posts => ("Posts", "everything the person has published, with its media, likes and comments"),
        ScopeCategory::Connections => ("Followers and following", "who follows the person and whom they follow"),
        ScopeCategory::Activity => {
            ("Activity", "what the person did on the platform: logins, searches, views and reactions")
        }
        ScopeCategory::DirectMessages => {
            ("Direct messages", "the person's private conversations, including what other people wrote to them")
        }
        ScopeCategory::All => (
            "Entire archive",
            "everything in the account: profile, posts, followers and following, activity and direct messages",
        ),
    }
}

/// The catalogue a fresh installation starts with: every category, one-time and recurring.
pub fn default_catalogue() -> Vec<ScopeView> {
    let mut catalogue = Vec::new();
    for category in ScopeCategory::ALL {
        let (title, what) = describe(category);
        for frequency in Frequency::ALL {
            let (suffix, how) = match frequency {
                Frequency::Single => ("one-time copy", "The app receives one copy, once, when the person asks for it."),
                Frequency::Ongoing => {
                    ("recurring access", "The app keeps receiving new data until the person revokes access.")
                }
            };
            catalogue.push(ScopeView {
                name: scope_name(category, frequency),
                category,
                frequency,
                title: format!("{title}, {suffix}"),
                description: format!("Includes {what}. {how}"),
                sensitive: is_sensitive(category, frequency),
            });
        }
    }
    catalogue
}

/// Scope names as a stored column holds them: space-separated, as OAuth's `scope` parameter
/// is (RFC 6749 §3.3). Scope lists are read and written through here only.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScopeList(Vec<String>);

impl ScopeList {
    pub fn parse(stored: &str) -> Self {
        ScopeList(stored.split_whitespace().map(str::to_owned).collect())
    }

    /// The stored form of `names`.
    pub fn store<S: AsRef<str>>(names: &[S]) -> String {
        names.iter().map(AsRef::as_ref).collect::<Vec<_>>().join(" ")
    }

    pub fn names(&self) -> &[String] {
        &self.0
    }

    pub fn into_names(self) -> Vec<String> {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_names_read_as_titles() {
        assert_eq!(
            scope_label("portability.direct_messages.ongoing"),
            Some(("Direct messages · recurring".to_owned(), true))
        );
        assert_eq!(scope_label("portability.profile.single"), Some(("Profile · one-time".to_owned(), false)));
        for scope in default_catalogue() {
            let (title, sensitive) = scope_label(&scope.name).expect("every catalogue name has a label");
            assert_eq!(sensitive, scope.sensitive, "{}", scope.name);
            assert!(scope.title.starts_with(title.split(" · ").next().unwrap()), "{title} for {}", scope.title);
        }
    }

    #[test]
    fn other_names_have_no_label() {
        for name in ["", "portability", "portability.profile", "portability.profile.weekly", "other.profile.single"] {
            assert_eq!(scope_label(name), None, "{name}");
        }
    }

    #[test]
    fn the_default_catalogue_covers_every_category_both_ways() {
        let catalogue = default_catalogue();
        assert_eq!(catalogue.len(), 12);
        assert_eq!(catalogue[0].name, "portability.profile.single");
        assert!(catalogue.iter().any(|s| s.name == "portability.direct_messages.ongoing"));
        assert!(catalogue.iter().any(|s| s.name == "portability.all.single"));
    }

    #[test]
    fn sensitivity_rule() {
        let sensitive: Vec<String> = default_catalogue().into_iter().filter(|s| s.sensitive).map(|s| s.name).collect();
        assert_eq!(
            sensitive,
            [
                "portability.profile.ongoing",
                "portability.posts.ongoing",
                "portability.connections.ongoing",
                "portability.activity.ongoing",
                "portability.direct_messages.single",
                "portability.direct_messages.ongoing",
                "portability.all.single",
                "portability.all.ongoing",
            ]
        );
    }

    #[test]
    fn titles_and_descriptions_are_plain_language() {
        let catalogue = default_catalogue();
        assert_eq!(catalogue[0].title, "Profile, one-time copy");
        assert_eq!(catalogue[1].title, "Profile, recurring access");
        let dm = catalogue.iter().find(|s| s.name == "portability.direct_messages.ongoing").unwrap();
        assert!(dm.description.contains("private conversations"));
        assert!(dm.description.contains("until the person revokes access"));
        let titles: std::collections::BTreeSet<&str> = catalogue.iter().map(|s| s.title.as_str()).collect();
        assert_eq!(titles.len(), 12, "every title is distinct");
        for scope in &catalogue {
            assert_eq!(scope.name, scope_name(scope.category, scope.frequency));
            for text in [&scope.title, &scope.description] {
                assert!(!text.contains('_') && !text.contains("portability"), "{text}");
            }
            assert!(scope.description.ends_with('.'), "{}", scope.description);
            assert!(scope.description.contains(if scope.frequency == Frequency::Single { "once" } else { "keeps" }));
        }
    }

    #[test]
    fn the_json_shape_is_the_contract() {
        let scope = default_catalogue().into_iter().find(|s| s.name == "portability.direct_messages.single").unwrap();
        let json = serde_json::to_value(&scope).unwrap();
        let keys: std::collections::BTreeSet<&str> = json.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys, ["category", "description", "frequency", "name", "sensitive", "title"].into());
        assert_eq!(json["category"], "direct_messages");
        assert_eq!(json["frequency"], "single");
        assert_eq!(json["sensitive"], true);
        assert_eq!(serde_json::from_value::<ScopeView>(json).unwrap(), scope);
    }

    #[test]
    fn sensitivity_by_category_and_frequency() {
        use Frequency::*;
        use ScopeCategory::*;
        assert!(!is_sensitive(Profile, Single));
        assert!(!is_sensitive(Posts, Single));
        assert!(!is_sensitive(Connections, Single));
        assert!(!is_sensitive(Activity, Single));
        assert!(is_sensitive(DirectMessages, Single));
        assert!(is_sensitive(All, Single));
        assert!(ScopeCategory::ALL.into_iter().all(|c| is_sensitive(c, Ongoing)));
    }

    #[test]
    fn names_parse_back() {
        for category in ScopeCategory::ALL {
            assert_eq!(category.as_str().parse::<ScopeCategory>(), Ok(category));
            assert_eq!(serde_json::to_value(category).unwrap(), category.as_str());
        }
        for frequency in Frequency::ALL {
            assert_eq!(frequency.as_str().parse::<Frequency>(), Ok(frequency));
            assert_eq!(serde_json::to_value(frequency).unwrap(), frequency.as_str());
        }
        assert!("everything".parse::<ScopeCategory>().is_err());
        assert!("Ongoing".parse::<Frequency>().is_err());
        assert_eq!(scope_name(ScopeCategory::All, Frequency::Ongoing), "portability.all.ongoing");
    }

    #[test]
    fn scope_lists_read_back_what_they_store() {
        let names = ["portability.posts.single", "portability.profile.ongoing"];
        let stored = ScopeList::store(&names);
        assert_eq!(stored, "portability.posts.single portability.profile.ongoing");
        assert_eq!(ScopeList::parse(&stored).names(), names);
        assert_eq!(ScopeList::parse("  a \t b\n").into_names(), ["a", "b"]);
        assert!(ScopeList::parse("").names().is_empty());
    }
}
