//! Admins edit the review checklists: reword, reorder, retire and add items, mark them
//! required, limit them to scopes. Publishing makes a new version; reviews in progress keep
//! the version they started with.

use crate::api::checklists::{PublishChecklist, checklist_editor};
use crate::components::form::{ErrorAlert, FormAlert, Submit, last_error};
use crate::components::layout::RequireRole;
use crate::components::moment::Day;
use crate::error::AppError;
use crate::error::server_action;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use portcullis_domain::application::scope::ScopeView;
use portcullis_domain::review::checklist::ChecklistKind;
use portcullis_domain::review::template::ChecklistEditorView;
use portcullis_domain::review::template::{self, ItemInput, TemplateInput, TemplateItem, VersionSummary};
use portcullis_domain::role::Role;

#[component]
pub fn ChecklistsPage() -> impl IntoView {
    let query = use_query_map();
    let kind = Memo::new(move |_| {
        query.read().get("kind").and_then(|k| ChecklistKind::parse(&k)).unwrap_or(ChecklistKind::Privacy)
    });
    let publish = server_action::<PublishChecklist>();
    // Reloaded after a successful publish or on request, never after a refusal: the editor
    // keeps the admin's unsaved work until it is published.
    let published = Memo::new(move |_| publish.value().get().and_then(Result::ok).map(|t| (t.kind, t.version)));
    let reload = RwSignal::new(0u32);
    let data = Resource::new(
        move || (kind.get(), published.get(), reload.get()),
        |(kind, _, _)| checklist_editor(kind.as_str().to_owned()),
    );
    view! {
        <RequireRole any_of=&[Role::Admin]>
            <section>
                <Title text="Review checklists"/>
                <h1>"Review checklists"</h1>
                <p class="lead">
                    "Reviewers work through both checklists for every application. Publishing an edit makes a new "
                    "version: reviews already started keep theirs, new reviews use the latest."
                </p>
                <nav class="tabs" aria-label="Checklists">
                    {ChecklistKind::ALL.into_iter().map(|k| view! {
                        <a href=format!("/admin/checklists?kind={}", k.as_str())
                            aria-current=move || (kind.get() == k).then_some("page")>
                            {k.title()}
                        </a>
                    }).collect_view()}
                </nav>
                <Transition fallback=|| view! { <p class="muted">"Loading the checklist…"</p> }>
                    {move || data.get().map(|result| match result {
                        Err(e) => view! { <ErrorAlert error=e/> }.into_any(),
                        Ok(data) => view! { <Editor data publish reload/> }.into_any(),
                    })}
                </Transition>
            </section>
        </RequireRole>
    }
}

/// One item being edited; `key` tells rows apart while they move.
#[derive(Clone)]
struct Row {
    key: u32,
    id: Option<String>,
    title: RwSignal<String>,
    guidance: RwSignal<String>,
    required: RwSignal<bool>,
    applies_to: RwSignal<Vec<String>>,
}

impl Row {
    fn from_item(key: u32, item: TemplateItem) -> Self {
        Row {
            key,
            id: Some(item.id),
            title: RwSignal::new(item.title),
            guidance: RwSignal::new(item.guidance),
            required: RwSignal::new(item.required),
            applies_to: RwSignal::new(item.applies_to),
        }
    }

    fn blank(key: u32) -> Self {
        Row {
            key,
            id: None,
            title: RwSignal::new(String::new()),
            guidance: RwSignal::new(String::new()),
            required: RwSignal::new(true),
            applies_to: RwSignal::new(Vec::new()),
        }
    }

    fn input(&self) -> ItemInput {
        ItemInput {
            id: self.id.clone(),
            title: self.title.get(),
            guidance: self.guidance.get(),
            required: self.required.get(),
            applies_to: self.applies_to.get(),
        }
    }
}

fn pending_summary(changes: &template::TemplateChanges) -> String {
    let mut parts = Vec::new();
    for (count, what) in [
        (changes.added, "added"),
        (changes.reworded, "reworded"),
        (changes.retired, "retired"),
        (changes.requirement_changed, "required changed"),
        (changes.scopes_changed, "scopes changed"),
    ] {
        if count > 0 {
            parts.push(format!("{count} {what}"));
        }
    }
    if changes.reordered {
        parts.push("reordered".into());
    }
    parts.join(", ")
}

#[component]
fn Editor(data: ChecklistEditorView, publish: ServerAction<PublishChecklist>, reload: RwSignal<u32>) -> impl IntoView {
    let ChecklistEditorView { template, versions, catalogue } = data;
    let kind = template.kind;
    let version = template.version;
    let original = template.items.clone();
    let scope_names: Vec<String> = catalogue.iter().map(|s| s.name.clone()).collect();
    let next_key = StoredValue::new(template.items.len() as u32);
    let rows = RwSignal::new(
        template.items.into_iter().enumerate().map(|(i, item)| Row::from_item(i as u32, item)).collect::<Vec<_>>(),
    );
    let catalogue = StoredValue::new(catalogue);
    let changes = Memo::new(move |_| {
        let items: Vec<ItemInput> =
            rows.with(|r| r.iter().map(|row| template::normalise(&row.input(), &scope_names)).collect());
        template::changes(&original, &items)
    });
    let error = last_error(publish);
    let conflict = Signal::derive(move || matches!(error.get(), Some(AppError::Conflict(_))));
    let add = move |_| {
        let key = next_key.get_value();
        next_key.set_value(key + 1);
        rows.update(|r| r.push(Row::blank(key)));
    };
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let items = rows.get_untracked().iter().map(Row::input).collect();
        publish.dispatch(PublishChecklist { kind: kind.as_str().to_owned(), input: TemplateInput { version, items } });
    };
    view! {
        <div class="checklist-editor">
            <p class="muted">
                {format!("{} checklist, version {version}", kind.title())}
                {template.created_by.clone().map(|name| format!(", published by {name}"))}
                " on "<Day at=template.created_at.clone()/>"."
            </p>
            <div aria-live="polite">
                {move || publish.value().get().and_then(Result::ok).map(|t| view! {
                    <div class="alert alert-success" role="status">
                        {format!("Version {} of the {} checklist is published. New reviews use it.", t.version, t.kind.title().to_lowercase())}
                    </div>
                })}
                <FormAlert error/>
                {move || conflict.get().then(|| view! {
                    <button type="button" class="button secondary" on:click=move |_| reload.update(|n| *n += 1)>
                        "Discard my edits and load the latest version"
                    </button>
                })}
            </div>
            <form on:submit=on_submit novalidate>
                <ol class="template-items">
                    <For each=move || rows.get() key=|row| row.key let:row>
                        <ItemEditor row rows catalogue error/>
                    </For>
                </ol>
                {move || rows.with(Vec::is_empty).then(|| view! {
                    <p class="empty">"Every item is retired. Add at least one before publishing."</p>
                })}
                <p>
                    <button type="button" class="button secondary" on:click=add>"Add an item"</button>
                </p>
                <div class="publish-bar">
                    <p aria-live="polite">
                        {move || {
                            let changes = changes.get();
                            if changes.is_empty() { "No unpublished changes.".to_owned() } else { format!("Unpublished changes: {}.", pending_summary(&changes)) }
                        }}
                    </p>
                    <details class="confirm">
                        <summary>{format!("Publish version {}…", version + 1)}</summary>
                        <div class="confirm-body">
                            <p>{format!("Reviews already started keep version {version}; every review started from now on uses version {}.", version + 1)}</p>
                            <Submit label="Publish" busy_label="Publishing…" pending=publish.pending()/>
                        </div>
                    </details>
                </div>
            </form>
            <History versions/>
        </div>
    }
}

#[component]
fn ItemEditor(
    row: Row,
    rows: RwSignal<Vec<Row>>,
    catalogue: StoredValue<Vec<ScopeView>>,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let key = row.key;
    let position = Memo::new(move |_| rows.with(|r| r.iter().position(|x| x.key == key).unwrap_or(0)));
    let count = Memo::new(move |_| rows.with(Vec::len));
    let field_error = move |field: &'static str| {
        Signal::derive(move || error.get().and_then(|e| e.field(&format!("items[{}].{field}", position.get()))))
    };
    let (title_error, guidance_error, scopes_error) =
        (field_error("title"), field_error("guidance"), field_error("applies_to"));
    let move_by = move |delta: isize| {
        rows.update(|r| {
            let from = position.get_untracked();
            let to = from as isize + delta;
            if to >= 0 && (to as usize) < r.len() {
                r.swap(from, to as usize);
            }
        })
    };
    // A new item takes the focus, so keyboard users can type its title straight away.
    let title_input = NodeRef::<leptos::html::Input>::new();
    if row.id.is_none() {
        Effect::new(move |_| {
            if let Some(input) = title_input.get() {
                let _ = input.focus();
            }
        });
    }
    let title_id = format!("item-{key}-title");
    let guidance_id = format!("item-{key}-guidance");
    let Row { title, guidance, required, applies_to, .. } = row;
    let scope_summary = move || {
        let chosen = applies_to.get();
        if chosen.is_empty() {
            "Applies to every application".to_owned()
        } else {
            let titles: Vec<String> = catalogue
                .with_value(|c| c.iter().filter(|s| chosen.contains(&s.name)).map(|s| s.title.clone()).collect());
            format!("Applies to: {}", titles.join("; "))
        }
    };
    let name = move || {
        let title = title.get();
        if title.trim().is_empty() { format!("item {}", position.get() + 1) } else { format!("“{}”", title.trim()) }
    };
    view! {
        <li class="template-item">
            <div class="item-head">
                <strong>{move || format!("Item {}", position.get() + 1)}</strong>
                {row.id.is_none().then(|| view! { <span class="badge">"New"</span> })}
                <span class="item-actions">
                    <button type="button" class="button secondary small" on:click=move |_| move_by(-1)
                        disabled=move || position.get() == 0 aria-label=move || format!("Move up: {}", name())>"Move up"</button>
                    <button type="button" class="button secondary small" on:click=move |_| move_by(1)
                        disabled=move || { position.get() + 1 >= count.get() } aria-label=move || format!("Move down: {}", name())>"Move down"</button>
                    <button type="button" class="button danger small" on:click=move |_| rows.update(|r| r.retain(|x| x.key != key))
                        aria-label=move || format!("Retire: {}", name())>"Retire"</button>
                </span>
            </div>
            <div class="field">
                <label for=title_id.clone()>"Title"</label>
                <input node_ref=title_input id=title_id.clone() type="text" maxlength="300" prop:value=title
                    on:input=move |ev| title.set(event_target_value(&ev))
                    aria-invalid=move || title_error.get().is_some().then_some("true")/>
                {move || title_error.get().map(|m| view! { <p class="field-error">{m}</p> })}
            </div>
            <div class="field">
                <label for=guidance_id.clone()>"Guidance for reviewers"</label>
                <textarea id=guidance_id rows="2" maxlength="2000" prop:value=guidance
                    on:input=move |ev| guidance.set(event_target_value(&ev))></textarea>
                {move || guidance_error.get().map(|m| view! { <p class="field-error">{m}</p> })}
            </div>
            <label class="checkbox">
                <input type="checkbox" prop:checked=required on:change=move |ev| required.set(event_target_checked(&ev))/>
                " Required: an approval needs this item passed"
            </label>
            <details class="item-scopes">
                <summary>{scope_summary}</summary>
                <fieldset>
                    <legend>"Limit the item to applications asking for any of these scopes (none ticked: every application)"</legend>
                    {catalogue.get_value().into_iter().map(|scope| {
                        let (name, checked_name) = (scope.name.clone(), scope.name.clone());
                        view! {
                            <label class="checkbox">
                                <input type="checkbox"
                                    prop:checked=move || applies_to.with(|a| a.contains(&checked_name))
                                    on:change=move |ev| {
                                        let on = event_target_checked(&ev);
                                        applies_to.update(|a| {
                                            a.retain(|s| s != &name);
                                            if on { a.push(name.clone()); }
                                        });
                                    }/>
                                " " {scope.title}
                                {scope.sensitive.then(|| view! { <span class="badge sensitive">"sensitive"</span> })}
                            </label>
                        }
                    }).collect_view()}
                </fieldset>
                {move || scopes_error.get().map(|m| view! { <p class="field-error">{m}</p> })}
            </details>
        </li>
    }
}

#[component]
fn History(versions: Vec<VersionSummary>) -> impl IntoView {
    view! {
        <h2>"Versions"</h2>
        <div class="table-scroll">
            <table>
                <thead><tr>
                    <th scope="col">"Version"</th><th scope="col">"Items"</th><th scope="col">"Required"</th>
                    <th scope="col">"Published"</th><th scope="col">"By"</th>
                </tr></thead>
                <tbody>
                    {versions.into_iter().map(|v| view! {
                        <tr>
                            <td>{v.version}</td>
                            <td>{v.item_count}</td>
                            <td>{v.required_count}</td>
                            <td><Day at=v.created_at.clone()/></td>
                            <td>{v.created_by.unwrap_or_else(|| "Installed with the portal".into())}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
