//! Checklist templates as admins edit them. Every save publishes a new version; reviews keep
//! the version they started with, so an edit never changes a review in progress.

use super::checklist::ChecklistKind;
use crate::account::FieldErrors;
use crate::application::scope::ScopeView;
use serde::{Deserialize, Serialize};

pub const MAX_ITEMS: usize = 60;
pub const MAX_TITLE_CHARS: usize = 300;
pub const MAX_GUIDANCE_CHARS: usize = 2000;

/// One item of a published template version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TemplateItem {
    pub id: String,
    pub title: String,
    pub guidance: String,
    pub required: bool,
    /// Scope names the item is about; empty means every application.
    pub applies_to: Vec<String>,
}

/// A published version of one checklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TemplateView {
    pub kind: ChecklistKind,
    pub version: i32,
    /// The newest version of this checklist: the one new reviews start with.
    pub latest_version: i32,
    pub created_at: String,
    /// `None` for the version seeded with the database.
    pub created_by: Option<String>,
    pub items: Vec<TemplateItem>,
}

/// A line of a checklist's version history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VersionSummary {
    pub kind: ChecklistKind,
    pub version: i32,
    pub item_count: u32,
    pub required_count: u32,
    pub created_at: String,
    pub created_by: Option<String>,
}

/// Everything the checklist editor shows, read in one operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChecklistEditorView {
    pub template: TemplateView,
    pub versions: Vec<VersionSummary>,
    pub catalogue: Vec<ScopeView>,
}

/// An item as the editor sends it. `id` names the item of the edited version it continues
/// (reworded, moved, made optional); without one it is new. Items left out are retired.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ItemInput {
    #[serde(default)]
    pub id: Option<String>,
    pub title: String,
    #[serde(default)]
    pub guidance: String,
    #[serde(default = "required_by_default")]
    pub required: bool,
    #[serde(default)]
    pub applies_to: Vec<String>,
}

fn required_by_default() -> bool {
    true
}

/// `PUT /checklists/{kind}`: the whole new list, in order, and the version it was edited from
/// (a save based on an older version is refused rather than silently undoing someone's edit).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TemplateInput {
    pub version: i32,
    pub items: Vec<ItemInput>,
}

/// What a new version changes, for the audit trail.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TemplateChanges {
    pub added: u32,
    pub reworded: u32,
    pub retired: u32,
    pub reordered: bool,
    pub requirement_changed: u32,
    pub scopes_changed: u32,
}

impl TemplateChanges {
    pub fn is_empty(&self) -> bool {
        *self == TemplateChanges::default()
    }
}

fn check_text(errors: &mut FieldErrors, field: String, value: &str, max: usize, multiline: bool) {
    let mut add = |message: String| errors.entry(field.clone()).or_default().push(message);
    if value.chars().count() > max {
        add(format!("Use at most {max} characters."));
    }
    if value.chars().any(|c| c.is_control() && !(multiline && matches!(c, '\n' | '\r' | '\t'))) {
        add(if multiline { "Remove control characters." } else { "Use a single line without control characters." }
            .into());
    }
}

/// Checks a new list of items against the scope catalogue and the version it edits. Errors are
/// keyed `items[<index>].<field>` (or `items` for the list as a whole), every problem at once.
pub fn check(items: &[ItemInput], catalogue: &[String], edited: &[TemplateItem]) -> Result<(), FieldErrors> {
    let mut errors = FieldErrors::new();
    if items.is_empty() {
        errors.entry("items".into()).or_default().push("A checklist needs at least one item.".into());
    }
    if items.len() > MAX_ITEMS {
        errors.entry("items".into()).or_default().push(format!("A checklist has at most {MAX_ITEMS} items."));
    }
    let mut seen_ids: Vec<&str> = Vec::new();
    let mut seen_titles: Vec<String> = Vec::new();
    for (index, item) in items.iter().enumerate() {
        let key = |field: &str| format!("items[{index}].{field}");
        let title = item.title.trim();
        if title.is_empty() {
            errors.entry(key("title")).or_default().push("Give the item a title.".into());
        }
        check_text(&mut errors, key("title"), &item.title, MAX_TITLE_CHARS, false);
        check_text(&mut errors, key("guidance"), &item.guidance, MAX_GUIDANCE_CHARS, true);
        let folded = title.to_lowercase();
        if !folded.is_empty() && seen_titles.contains(&folded) {
            errors.entry(key("title")).or_default().push("Another item has the same title.".into());
        }
        seen_titles.push(folded);
        for scope in &item.applies_to {
            if !catalogue.contains(scope) {
                errors.entry(key("applies_to")).or_default().push(format!("Unknown scope `{scope}`."));
            }
        }
        if let Some(id) = item.id.as_deref() {
            if !edited.iter().any(|e| e.id == id) {
                errors.entry(key("id")).or_default().push("This item is not in the version you edited.".into());
            } else if seen_ids.contains(&id) {
                errors.entry(key("id")).or_default().push("The same item appears twice.".into());
            }
            seen_ids.push(id);
        }
    }
    if errors.is_empty() { Ok(()) } else { Err(errors) }
}

/// Normalised form of an item as it is stored: trimmed text, scopes in catalogue order without
/// duplicates.
pub fn normalise(item: &ItemInput, catalogue: &[String]) -> ItemInput {
    ItemInput {
        id: item.id.clone(),
        title: item.title.trim().to_owned(),
        guidance: item.guidance.trim().to_owned(),
        required: item.required,
        applies_to: catalogue.iter().filter(|s| item.applies_to.contains(s)).cloned().collect(),
    }
}

/// Compares the new (normalised) list with the version it edits.
pub fn changes(edited: &[TemplateItem], items: &[ItemInput]) -> TemplateChanges {
    let mut changes = TemplateChanges::default();
    let mut kept_order = Vec::new();
    for item in items {
        match item.id.as_deref().and_then(|id| edited.iter().position(|e| e.id == id)) {
            None => changes.added += 1,
            Some(position) => {
                let before = &edited[position];
                kept_order.push(position);
                changes.reworded += u32::from(before.title != item.title || before.guidance != item.guidance);
                changes.requirement_changed += u32::from(before.required != item.required);
                changes.scopes_changed += u32::from(before.applies_to != item.applies_to);
            }
        }
    }
    changes.retired = (edited.len() - kept_order.len()) as u32;
    changes.reordered = kept_order.windows(2).any(|pair| pair[0] > pair[1]);
    changes
}

#[cfg(test)]
mod tests {
    use super::*;

    const DM: &str = "portability.direct_messages.single";

    fn catalogue() -> Vec<String> {
        vec!["portability.profile.single".into(), DM.into()]
    }

    fn stored(id: &str, title: &str) -> TemplateItem {
        TemplateItem { id: id.into(), title: title.into(), guidance: String::new(), required: true, applies_to: vec![] }
    }

    fn input(id: Option<&str>, title: &str) -> ItemInput {
        ItemInput {
            id: id.map(str::to_owned),
            title: title.into(),
            guidance: String::new(),
            required: true,
            applies_to: vec![],
        }
    }

    #[test]
    fn a_valid_list_passes() {
        let edited = [stored("a", "Alpha")];
        let mut item = input(Some("a"), "Alpha, reworded");
        item.applies_to = vec![DM.into()];
        assert_eq!(check(&[item, input(None, "Beta")], &catalogue(), &edited), Ok(()));
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let edited = [stored("a", "Alpha")];
        let mut unknown_scope = input(None, "Gamma");
        unknown_scope.applies_to = vec!["portability.nope".into()];
        let mut long_guidance = input(None, "Delta");
        long_guidance.guidance = "x".repeat(MAX_GUIDANCE_CHARS + 1);
        let items = [
            input(Some("a"), "  "),
            input(Some("a"), "Beta"),
            input(Some("zzz"), "beta"),
            unknown_scope,
            input(None, "tab\there"),
            long_guidance,
            input(None, &"é".repeat(MAX_TITLE_CHARS + 1)),
        ];
        let errors = check(&items, &catalogue(), &edited).unwrap_err();
        assert_eq!(errors["items[0].title"], ["Give the item a title."]);
        assert_eq!(errors["items[1].id"], ["The same item appears twice."]);
        assert_eq!(errors["items[2].id"], ["This item is not in the version you edited."]);
        assert_eq!(errors["items[2].title"], ["Another item has the same title."]);
        assert_eq!(errors["items[3].applies_to"], ["Unknown scope `portability.nope`."]);
        assert_eq!(errors["items[4].title"], ["Use a single line without control characters."]);
        assert_eq!(errors["items[5].guidance"], [format!("Use at most {MAX_GUIDANCE_CHARS} characters.")]);
        assert_eq!(errors["items[6].title"], [format!("Use at most {MAX_TITLE_CHARS} characters.")]);
        assert_eq!(errors.len(), 8);
    }

    #[test]
    fn guidance_may_span_lines_but_titles_may_not() {
        let mut item = input(None, "Alpha");
        item.guidance = "line one\nline two".into();
        assert_eq!(check(&[item], &catalogue(), &[]), Ok(()));
        assert!(check(&[input(None, "two\nlines")], &catalogue(), &[]).is_err());
    }

    #[test]
    fn the_list_is_neither_empty_nor_endless() {
        assert_eq!(check(&[], &catalogue(), &[]).unwrap_err()["items"], ["A checklist needs at least one item."]);
        let many: Vec<ItemInput> = (0..=MAX_ITEMS).map(|i| input(None, &format!("Item {i}"))).collect();
        assert_eq!(
            check(&many, &catalogue(), &[]).unwrap_err()["items"],
            [format!("A checklist has at most {MAX_ITEMS} items.")]
        );
    }

    #[test]
    fn normalising_trims_and_orders_scopes_like_the_catalogue() {
        let mut item = input(None, "  Alpha ");
        item.guidance = " look closely \n".into();
        item.applies_to = vec![DM.into(), "portability.profile.single".into(), DM.into()];
        let normal = normalise(&item, &catalogue());
        assert_eq!(normal.title, "Alpha");
        assert_eq!(normal.guidance, "look closely");
        assert_eq!(normal.applies_to, catalogue());
    }

    #[test]
    fn changes_count_what_an_edit_did() {
        let edited = [stored("a", "Alpha"), stored("b", "Beta"), stored("c", "Gamma")];
        let mut optional = input(Some("a"), "Alpha");
        optional.required = false;
        let mut scoped = input(Some("b"), "Beta");
        scoped.applies_to = vec![DM.into()];
        let items = [scoped, optional, input(None, "Delta")];
        assert_eq!(
            changes(&edited, &items),
            TemplateChanges {
                added: 1,
                reworded: 0,
                retired: 1,
                reordered: true,
                requirement_changed: 1,
                scopes_changed: 1
            }
        );
        let same = [input(Some("a"), "Alpha"), input(Some("b"), "Beta"), input(Some("c"), "Gamma")];
        assert!(changes(&edited, &same).is_empty());
        let reworded = [input(Some("a"), "Alpha!"), input(Some("b"), "Beta"), input(Some("c"), "Gamma")];
        assert_eq!(changes(&edited, &reworded).reworded, 1);
    }
}
