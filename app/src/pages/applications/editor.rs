//! The guided application form: six steps, a progress indicator, the checklist of what is
//! missing, and autosave. Changes are saved shortly after typing stops; until the server
//! has them they are also kept in this browser, so a reload or a dropped connection loses
//! nothing, and a validation error keeps the typed value in place next to its message.
//! Every field shows the draft through `prop:value` (`prop:checked`), so a draft restored
//! after a reload is what the fields show, text areas included.

use crate::api::applications::{DeleteMockup, get_application, save_application, scope_catalogue};
use crate::components::form::ErrorAlert;
use crate::components::layout::{RequireRole, Session};
use crate::components::text::wrap_at_dots;
use crate::error::AppError;
use crate::error::server_action;
use crate::pages::applications::status::MockupGallery;
use crate::pages::applications::upload::{Upload, UploadProgress, UploadState};
use leptos::prelude::*;
use leptos::web_sys::{FormData, HtmlFormElement, SubmitEvent};
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use portcullis_domain::account::FieldErrors;
use portcullis_domain::application::content::{
    ApplicationContent, ApplicationPatch, EEA_COUNTRIES, MIN_USE_CASE, MissingItem, ScopeRequest, Step, step_complete,
};
use portcullis_domain::application::mockup::{MockupView, SUGGESTED_LABELS};
use portcullis_domain::application::scope::ScopeView;
use portcullis_domain::application::view::ApplicationView;
use serde::{Deserialize, Serialize};
use std::time::Duration;

const AUTOSAVE_AFTER: Duration = Duration::from_millis(700);
const RETRY_AFTER: Duration = Duration::from_secs(5);

#[derive(Clone, PartialEq)]
enum SaveState {
    /// Until this browser's own copy has been looked at.
    Opening,
    Saved,
    Pending,
    Saving,
    Invalid,
    Offline(String),
    Conflict(String),
}

impl SaveState {
    /// The server lacks something typed here.
    fn unsaved(&self) -> bool {
        !matches!(self, SaveState::Opening | SaveState::Saved)
    }
}

/// What is kept in the browser until the server has it.
#[derive(Serialize, Deserialize)]
struct LocalDraft {
    /// The server's version the edits were made on.
    version: i64,
    content: ApplicationContent,
    /// What the save on its way sent, if one was: the server may have it without this browser
    /// having heard back.
    #[serde(default)]
    sending: Option<ApplicationContent>,
}

impl LocalDraft {
    /// Whether these edits are newer than the server's copy: made on its current version, or
    /// on the one before if that became the current one through this browser's own save.
    /// Otherwise someone else saved in between, and restoring would overwrite their changes.
    fn newer_than(&self, version: i64, content: &ApplicationContent) -> bool {
        self.content != *content
            && (self.version == version || (self.version + 1 == version && self.sending.as_ref() == Some(content)))
    }
}

const DRAFT_KEY_PREFIX: &str = "portcullis-draft-";

/// Per user as well as per application: on a shared computer the next person to sign in must
/// not be offered (or shown) someone else's unsaved text.
fn storage_key(user_id: &str, application_id: &str) -> String {
    format!("{DRAFT_KEY_PREFIX}{user_id}-{application_id}")
}

/// Removes every unsaved draft this browser keeps, whoever wrote it; called at sign-out.
pub fn forget_local_drafts() {
    let Some(storage) = local_storage() else { return };
    let keys: Vec<String> = (0..storage.length().unwrap_or(0)).filter_map(|i| storage.key(i).ok().flatten()).collect();
    for key in keys.iter().filter(|key| key.starts_with(DRAFT_KEY_PREFIX)) {
        let _ = storage.remove_item(key);
    }
}

fn local_storage() -> Option<leptos::web_sys::Storage> {
    window().local_storage().ok().flatten()
}

#[component]
pub fn EditApplicationPage() -> impl IntoView {
    let params = use_params_map();
    let data = Resource::new(
        move || params.read().get("id").unwrap_or_default(),
        |id| async move { (get_application(id).await, scope_catalogue().await) },
    );
    view! {
        <RequireRole>
            <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || data.get().map(|(application, catalogue)| match (application, catalogue) {
                    (Ok(application), Ok(catalogue)) if application.can_edit => view! { <Editor application catalogue/> }.into_any(),
                    (Ok(application), Ok(_)) => view! {
                        <div class="alert alert-warning" role="status">
                            {format!("This application is {} and cannot be edited. ", application.status.label().to_lowercase())}
                            <a href=format!("/applications/{}", application.id)>"See its status"</a>
                        </div>
                    }.into_any(),
                    (Err(e), _) | (_, Err(e)) => view! { <ErrorAlert error=e/> }.into_any(),
                })}
            </Suspense>
        </RequireRole>
    }
}

#[derive(Clone, Copy)]
struct Draft {
    id: StoredValue<String>,
    /// Where this browser keeps the signed-in user's unsaved edits of it.
    key: StoredValue<String>,
    content: RwSignal<ApplicationContent>,
    version: RwSignal<i64>,
    missing: RwSignal<Vec<MissingItem>>,
    errors: RwSignal<FieldErrors>,
    state: RwSignal<SaveState>,
    timer: StoredValue<Option<TimeoutHandle>>,
    /// The content of the save on its way.
    sending: StoredValue<Option<ApplicationContent>>,
    /// What became of this browser's copy on opening; said until the next edit.
    notice: RwSignal<Option<&'static str>>,
}

impl Draft {
    fn error(&self, field: &'static str) -> Signal<Option<String>> {
        let errors = self.errors;
        Signal::derive(move || errors.with(|e| e.get(field).map(|m| m.join(" "))))
    }

    fn errors_under(&self, prefix: &'static str) -> Signal<Option<String>> {
        let errors = self.errors;
        Signal::derive(move || {
            errors.with(|e| {
                let messages: Vec<String> =
                    e.iter().filter(|(k, _)| k.starts_with(prefix)).flat_map(|(_, m)| m.clone()).collect();
                (!messages.is_empty()).then(|| messages.join(" "))
            })
        })
    }

    /// Applies an edit, keeps it in the browser and schedules a save.
    fn edit(&self, change: impl FnOnce(&mut ApplicationContent)) {
        self.notice.set(None);
        self.content.update(change);
        self.changed();
    }

    fn changed(&self) {
        self.state.set(SaveState::Pending);
        self.keep_locally();
        self.schedule(AUTOSAVE_AFTER);
    }

    /// Takes up what this browser kept but the server never got (a reload before the save, a
    /// lost connection) if it is newer than the server's copy, and sets it aside otherwise.
    fn restore(&self) {
        let key = self.key.get_value();
        let storage = local_storage();
        let kept = storage
            .as_ref()
            .and_then(|s| s.get_item(&key).ok().flatten())
            .and_then(|json| serde_json::from_str::<LocalDraft>(&json).ok());
        match kept {
            Some(kept) if self.content.with_untracked(|c| kept.newer_than(self.version.get_untracked(), c)) => {
                self.content.set(kept.content);
                self.notice.set(Some("Restored unsaved changes from this browser."));
                self.changed();
            }
            kept => {
                if kept.is_some_and(|kept| self.content.with_untracked(|c| kept.content != *c)) {
                    self.notice.set(Some(
                        "Changes kept in this browser were made on an older version; the version saved since is shown.",
                    ));
                }
                if let Some(storage) = storage {
                    let _ = storage.remove_item(&key);
                }
                self.state.set(SaveState::Saved);
            }
        }
    }

    fn keep_locally(&self) {
        let draft = LocalDraft {
            version: self.version.get_untracked(),
            content: self.content.get_untracked(),
            sending: self.sending.get_value(),
        };
        if let (Some(storage), Ok(json)) = (local_storage(), serde_json::to_string(&draft)) {
            let _ = storage.set_item(&self.key.get_value(), &json);
        }
    }

    fn schedule(&self, after: Duration) {
        let draft = *self;
        if let Some(handle) = self.timer.get_value() {
            handle.clear();
        }
        let handle = set_timeout_with_handle(move || draft.save(), after).ok();
        self.timer.set_value(handle);
    }

    fn save(&self) {
        let draft = *self;
        let content = self.content.get_untracked();
        self.sending.set_value(Some(content.clone()));
        self.keep_locally();
        let patch = ApplicationPatch::replacing(content, Some(self.version.get_untracked()));
        self.state.set(SaveState::Saving);
        leptos::task::spawn_local(async move {
            let result = save_application(draft.id.get_value(), patch).await;
            draft.sending.set_value(None);
            match result {
                Ok(saved) => draft.saved(saved),
                Err(AppError::Validation { fields, .. }) => {
                    draft.errors.set(fields);
                    draft.state.set(SaveState::Invalid);
                }
                Err(AppError::Conflict(message)) => draft.state.set(SaveState::Conflict(message)),
                Err(error @ AppError::Request(_)) => {
                    draft.state.set(SaveState::Offline(error.to_string()));
                    draft.schedule(RETRY_AFTER);
                }
                Err(error) => draft.state.set(SaveState::Offline(error.to_string())),
            }
        });
    }

    fn saved(&self, saved: ApplicationView) {
        self.version.set(saved.version);
        self.missing.set(saved.missing);
        self.errors.set(FieldErrors::new());
        // Typing may have continued while the save was on its way: then the kept copy is
        // based on the version just saved.
        if self.state.get_untracked() == SaveState::Saving {
            self.state.set(SaveState::Saved);
            if let Some(storage) = local_storage() {
                let _ = storage.remove_item(&self.key.get_value());
            }
        } else {
            self.keep_locally();
        }
    }

    /// The text of a field whose value is parsed from it (a list with one item per line, a
    /// number): what was typed while it still reads as the draft's value, so a line being
    /// started stays; the draft's value, written out, once it changed otherwise (restored).
    fn typed_text<T: PartialEq + 'static>(
        self,
        typed: StoredValue<String>,
        get: impl Fn(&ApplicationContent) -> T + Copy + Send + Sync + 'static,
        parse: fn(&str) -> T,
        print: fn(T) -> String,
    ) -> impl Fn() -> String + Copy + Send + Sync + 'static {
        let content = self.content;
        move || {
            let value = content.with(get);
            typed.with_value(|text| if parse(text) == value { text.clone() } else { print(value) })
        }
    }
}

/// A list typed one item per line; blank lines and surrounding spaces do not count.
fn lines(text: &str) -> Vec<String> {
    text.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect()
}

/// Asks before the page is left while `unsaved`; the listener exists only then, so leaving a
/// saved form never asks.
fn guard_leaving(unsaved: impl Fn() -> bool + Send + Sync + 'static) {
    let guard = StoredValue::new(None::<WindowListenerHandle>);
    Effect::new(move |_| {
        if !unsaved() {
            if let Some(handle) = guard.try_update_value(Option::take).flatten() {
                handle.remove();
            }
        } else if guard.with_value(Option::is_none) {
            guard.set_value(Some(window_event_listener(leptos::ev::beforeunload, |ev| {
                ev.prevent_default();
                ev.set_return_value("Changes are not saved yet.");
            })));
        }
    });
    on_cleanup(move || {
        if let Some(handle) = guard.try_update_value(Option::take).flatten() {
            handle.remove();
        }
    });
}

#[component]
fn Editor(application: ApplicationView, catalogue: Vec<ScopeView>) -> impl IntoView {
    let query = use_query_map();
    let step = Memo::new(move |_| {
        let slug = query.read().get("step").unwrap_or_default();
        Step::ALL.into_iter().find(|s| s.slug() == slug).unwrap_or(Step::App)
    });
    // The editor is shown only to a signed-in user (`RequireRole`).
    let user_id = Session::get().user.get_untracked().and_then(|user| user.ok().flatten()).map(|user| user.id);
    let draft = Draft {
        id: StoredValue::new(application.id.clone()),
        key: StoredValue::new(storage_key(&user_id.unwrap_or_default(), &application.id)),
        content: RwSignal::new(application.content.clone()),
        version: RwSignal::new(application.version),
        missing: RwSignal::new(application.missing.clone()),
        errors: RwSignal::new(FieldErrors::new()),
        state: RwSignal::new(SaveState::Opening),
        timer: StoredValue::new(None),
        sending: StoredValue::new(None),
        notice: RwSignal::new(None),
    };
    let mockups = RwSignal::new(application.mockups.clone());
    // In the browser only, once the page is interactive; the fields stay disabled until then,
    // so nothing is typed into text that is about to be replaced.
    Effect::new(move |_| draft.restore());
    guard_leaving(move || draft.state.with(SaveState::unsaved));
    let id = application.id.clone();
    let step_body = NodeRef::<leptos::html::Div>::new();
    focus_step_heading(step, step_body);
    view! {
        <section class="editor">
            // The sidebar lists what is missing, each a link: keyboard users can go past it.
            <a class="skip-link" href="#step-fields">"Skip to the form"</a>
            <p class="muted">{format!("{} · {}", application.reference, application.org_name)}</p>
            <Title text=move || draft.content.with(|c| if c.name.is_empty() { "Untitled application".to_string() } else { c.name.clone() })/>
            <h1>{move || draft.content.with(|c| if c.name.is_empty() { "Untitled application".to_string() } else { c.name.clone() })}</h1>
            <SaveStatus draft/>
            <div class="editor-layout">
                <div class="sidebar">
                    <nav class="steps" aria-label="Steps">
                        <ol>
                            {Step::ALL.into_iter().map(|s| {
                                let id = id.clone();
                                view! {
                                    <li class:done=move || draft.missing.with(|m| step_complete(m, s))>
                                        <a
                                            href=format!("/applications/{id}/edit?step={}", s.slug())
                                            aria-current=move || (step.get() == s).then_some("step")
                                        >
                                            <span class="step-number">{s.number()}</span>
                                            {s.title()}
                                            <span class="sr-only">{move || if draft.missing.with(|m| step_complete(m, s)) { " (complete)" } else { " (incomplete)" }}</span>
                                        </a>
                                    </li>
                                }
                            }).collect_view()}
                        </ol>
                    </nav>
                    <aside aria-label="Progress"><Progress draft/></aside>
                </div>
                <div class="step-body" node_ref=step_body>
                    <fieldset id="step-fields" class="step-fields" disabled=move || draft.state.with(|s| *s == SaveState::Opening)>
                        {move || match step.get() {
                            Step::App => view! { <AppStep draft/> }.into_any(),
                            Step::UseCase => view! { <UseCaseStep draft/> }.into_any(),
                            Step::Scopes => view! { <ScopesStep draft catalogue=catalogue.clone()/> }.into_any(),
                            Step::Eea => view! { <EeaStep draft/> }.into_any(),
                            Step::DataHandling => view! { <DataHandlingStep draft/> }.into_any(),
                            Step::Mockups => view! { <MockupsStep draft mockups/> }.into_any(),
                        }}
                    </fieldset>
                    <StepNavigation draft step/>
                </div>
            </div>
        </section>
    }
}

/// After "Next" or a step link, focus goes to the new step's heading, which screen readers
/// announce; otherwise it stays on a link that has moved, and the next Enter skips a step
/// unseen.
fn focus_step_heading(step: Memo<Step>, step_body: NodeRef<leptos::html::Div>) {
    Effect::watch(
        move || step.get(),
        move |_, _, _| {
            // After the new step is drawn.
            request_animation_frame(move || {
                let heading = step_body.get_untracked().and_then(|body| body.query_selector("h2").ok().flatten());
                if let Some(heading) =
                    heading.and_then(|h| leptos::wasm_bindgen::JsCast::dyn_into::<leptos::web_sys::HtmlElement>(h).ok())
                {
                    let _ = heading.set_attribute("tabindex", "-1");
                    let _ = heading.focus();
                }
            });
        },
        false,
    );
}

#[component]
fn SaveStatus(draft: Draft) -> impl IntoView {
    view! {
        <p class="save-status" role="status" aria-live="polite">
            {move || draft.notice.get().map(|notice| view! { <span>{notice}" "</span> })}
            {move || match draft.state.get() {
                SaveState::Opening => view! { <span>"Checking this browser for unsaved changes…"</span> }.into_any(),
                SaveState::Saved => view! { <span class="saved">"All changes saved."</span> }.into_any(),
                SaveState::Pending | SaveState::Saving => view! { <span>"Saving…"</span> }.into_any(),
                SaveState::Invalid => view! { <span class="field-error">"Some fields need attention; your text is kept here and saved once they are fixed."</span> }.into_any(),
                SaveState::Offline(why) => view! { <span class="field-error">{format!("Not saved yet: {why} Your changes are kept in this browser and saved when the connection is back.")}</span> }.into_any(),
                SaveState::Conflict(why) => view! {
                    <span class="field-error">{why}" "</span>
                    <a href=format!("/applications/{}/edit", draft.id.get_value())>"Load the current version"</a>
                }.into_any(),
            }}
        </p>
    }
}

/// How many steps are complete, and every item still missing, linked to its step.
#[component]
fn Progress(draft: Draft) -> impl IntoView {
    let done = move || draft.missing.with(|m| Step::ALL.iter().filter(|s| step_complete(m, **s)).count());
    view! {
        <div class="progress">
            <label for="progress">{move || format!("{} of 6 steps complete", done())}</label>
            <progress id="progress" max="6" value=move || done().to_string()></progress>
        </div>
        <div class="checklist">
            <h2>"Still missing"</h2>
            {move || {
                let missing = draft.missing.get();
                if missing.is_empty() {
                    view! { <p class="saved">"Nothing: the application is ready to submit."</p> }.into_any()
                } else {
                    let id = draft.id.get_value();
                    view! {
                        <ul class="missing">
                            {missing.into_iter().map(|item| view! {
                                <li><a href=format!("/applications/{id}/edit?step={}", item.step.slug())>{wrap_at_dots(&item.message)}</a></li>
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }
            }}
        </div>
    }
}

#[component]
fn StepNavigation(draft: Draft, step: Memo<Step>) -> impl IntoView {
    let id = draft.id.get_value();
    view! {
        <div class="step-navigation">
            {move || {
                let n = step.get().number();
                let previous = (n > 1).then(|| Step::ALL[n - 2]);
                let next = (n < 6).then(|| Step::ALL[n]);
                let id = id.clone();
                view! {
                    {previous.map(|s| view! { <a class="button secondary" href=format!("/applications/{id}/edit?step={}", s.slug())>{format!("← {}", s.title())}</a> })}
                    {match next {
                        Some(s) => view! { <a class="button primary" href=format!("/applications/{id}/edit?step={}", s.slug())>{format!("Next: {} →", s.title())}</a> }.into_any(),
                        None => view! { <a class="button primary" href=format!("/applications/{id}")>"Review and submit →"</a> }.into_any(),
                    }}
                }
            }}
        </div>
    }
}

/// A labelled single-line input bound to one field of the draft.
#[component]
fn TextInput(
    draft: Draft,
    label: &'static str,
    id: &'static str,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] hint: Option<&'static str>,
    get: fn(&ApplicationContent) -> String,
    set: fn(&mut ApplicationContent, String),
) -> impl IntoView {
    let error = draft.error(id);
    view! {
        <div class="field">
            <label for=id>{label}</label>
            {hint.map(|h| view! { <p class="hint">{h}</p> })}
            <input
                id=id
                type=kind
                value=draft.content.with_untracked(get)
                prop:value=move || draft.content.with(get)
                aria-invalid=move || error.get().is_some().then_some("true")
                on:input=move |ev| { let value = event_target_value(&ev); draft.edit(|c| set(c, value)); }
            />
            {move || error.get().map(|e| view! { <p class="field-error">{e}</p> })}
        </div>
    }
}

/// A labelled multi-line input bound to one field of the draft.
#[component]
fn TextArea(
    draft: Draft,
    label: &'static str,
    id: &'static str,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(default = 5)] rows: u32,
    get: fn(&ApplicationContent) -> String,
    set: fn(&mut ApplicationContent, String),
) -> impl IntoView {
    let error = draft.error(id);
    view! {
        <div class="field">
            <label for=id>{label}</label>
            {hint.map(|h| view! { <p class="hint">{h}</p> })}
            <textarea
                id=id
                rows=rows
                prop:value=move || draft.content.with(get)
                aria-invalid=move || error.get().is_some().then_some("true")
                on:input=move |ev| { let value = event_target_value(&ev); draft.edit(|c| set(c, value)); }
            >{draft.content.with_untracked(get)}</textarea>
            {move || error.get().map(|e| view! { <p class="field-error">{e}</p> })}
        </div>
    }
}

/// A labelled text area for a list, one item per line.
#[component]
fn LineList(
    draft: Draft,
    label: &'static str,
    id: &'static str,
    hint: &'static str,
    /// The field the list's errors are reported under.
    field: &'static str,
    get: fn(&ApplicationContent) -> Vec<String>,
    set: fn(&mut ApplicationContent, Vec<String>),
) -> impl IntoView {
    let error = draft.errors_under(field);
    let typed = StoredValue::new(draft.content.with_untracked(get).join("\n"));
    let text = draft.typed_text(typed, get, lines, |items| items.join("\n"));
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <p class="hint">{hint}</p>
            <textarea
                id=id
                rows="3"
                prop:value=text
                aria-invalid=move || error.get().is_some().then_some("true")
                on:input=move |ev| {
                    let value = event_target_value(&ev);
                    let items = lines(&value);
                    typed.set_value(value);
                    draft.edit(|c| set(c, items));
                }
            >{typed.get_value()}</textarea>
            {move || error.get().map(|e| view! { <p class="field-error">{e}</p> })}
        </div>
    }
}

#[component]
fn AppStep(draft: Draft) -> impl IntoView {
    view! {
        <h2>"1. App"</h2>
        <TextInput draft label="App name" id="name" get=|c| c.name.clone() set=|c, v| c.name = v/>
        <TextArea draft label="Description" id="description" hint="What the app is, in a few sentences." rows=3
            get=|c| c.description.clone() set=|c, v| c.description = v/>
        <TextInput draft label="Website" id="website_url" kind="url" hint="Starting with https://"
            get=|c| c.website_url.clone() set=|c, v| c.website_url = v/>
        <TextInput draft label="Privacy policy URL" id="privacy_policy_url" kind="url" hint="Starting with https://"
            get=|c| c.privacy_policy_url.clone() set=|c, v| c.privacy_policy_url = v/>
        <LineList draft label="Redirect URIs" id="redirect_uris" field="redirect_uris"
            hint="One per line. Absolute https addresses (http only for 127.0.0.1 or localhost), no #fragment, no wildcards. They are compared exactly as written."
            get=|c| c.redirect_uris.clone() set=|c, v| c.redirect_uris = v/>
    }
}

/// "150 of at least 200 characters", until there are enough.
fn use_case_count(count: usize) -> String {
    if count < MIN_USE_CASE {
        format!("{count} of at least {MIN_USE_CASE} characters")
    } else {
        format!("{count} characters")
    }
}

#[component]
fn UseCaseStep(draft: Draft) -> impl IntoView {
    view! {
        <h2>"2. Use case"</h2>
        <TextArea draft label="What the app does with the data" id="use_case" rows=12
            hint="Explain what the app does with people's data and why it needs each category you request. Plain text or Markdown; at least 200 characters."
            get=|c| c.use_case.clone() set=|c, v| c.use_case = v/>
        <p class="muted" aria-live="polite">{move || use_case_count(draft.content.with(|c| c.use_case.trim().chars().count()))}</p>
    }
}

#[component]
fn ScopesStep(draft: Draft, catalogue: Vec<ScopeView>) -> impl IntoView {
    let error = draft.errors_under("scopes");
    view! {
        <h2>"3. Scopes"</h2>
        <p class="hint">"Request only what the use case needs. Sensitive scopes get a closer review by two reviewers."</p>
        {move || error.get().map(|e| view! { <p class="field-error">{e}</p> })}
        <ul class="scope-list">
            {catalogue.into_iter().map(|scope| {
                let name = scope.name.clone();
                let checked = {
                    let name = name.clone();
                    move || draft.content.with(|c| c.scopes.iter().any(|s| s.name == name))
                };
                let toggle = {
                    let name = name.clone();
                    move |ev: leptos::ev::Event| {
                        let on = event_target_checked(&ev);
                        let name = name.clone();
                        draft.edit(|c| {
                            c.scopes.retain(|s| s.name != name);
                            if on {
                                c.scopes.push(ScopeRequest { name, justification: String::new() });
                            }
                        });
                    }
                };
                let justification_id = format!("justification-{}", name.replace('.', "-"));
                let checkbox_id = format!("scope-{}", name.replace('.', "-"));
                let justification = {
                    let name = name.clone();
                    move || draft.content.with(|c| c.scopes.iter().find(|s| s.name == name).map(|s| s.justification.clone()).unwrap_or_default())
                };
                let edit_name = name.clone();
                view! {
                    <li class="scope">
                        <div class="checkbox-row">
                            <input type="checkbox" id=checkbox_id.clone() prop:checked=checked.clone() checked=checked.clone() on:change=toggle/>
                            <label for=checkbox_id>
                                {scope.title.clone()}
                                {scope.sensitive.then(|| view! { <span class="badge badge-sensitive">"Sensitive"</span> })}
                            </label>
                        </div>
                        <p class="hint">{scope.description.clone()}" "<code>{wrap_at_dots(&scope.name)}</code></p>
                        <Show when=checked.clone()>
                            <div class="field">
                                <label for=justification_id.clone()>"Why the app needs it"</label>
                                <textarea id=justification_id.clone() rows="2" prop:value=justification.clone() on:input={
                                    let name = edit_name.clone();
                                    move |ev| {
                                        let value = event_target_value(&ev);
                                        let name = name.clone();
                                        draft.edit(|c| if let Some(s) = c.scopes.iter_mut().find(|s| s.name == name) { s.justification = value; });
                                    }
                                }>{untrack(justification.clone())}</textarea>
                            </div>
                        </Show>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}

#[component]
fn YesNo(
    draft: Draft,
    legend: &'static str,
    name: &'static str,
    get: fn(&ApplicationContent) -> Option<bool>,
    set: fn(&mut ApplicationContent, bool),
) -> impl IntoView {
    let error = draft.error(name);
    view! {
        <fieldset class="field">
            <legend>{legend}</legend>
            {[(true, "Yes"), (false, "No")].into_iter().map(|(value, label)| {
                let id = format!("{name}-{label}");
                let for_id = id.clone();
                view! {
                    <label class="checkbox" for=for_id>
                        <input type="radio" id=id name=name
                            prop:checked=move || draft.content.with(get) == Some(value)
                            checked=move || draft.content.with(get) == Some(value)
                            on:change=move |_| draft.edit(|c| set(c, value))/>
                        {label}
                    </label>
                }
            }).collect_view()}
            {move || error.get().map(|e| view! { <p class="field-error">{e}</p> })}
        </fieldset>
    }
}

#[component]
fn EeaStep(draft: Draft) -> impl IntoView {
    let countries_error = draft.error("eea.countries");
    view! {
        <h2>"4. EEA users"</h2>
        <p class="hint">"The platform returns data only for users in the European Economic Area."</p>
        <YesNo draft legend="Does the app serve users in the EEA?" name="eea.serves_eea_users"
            get=|c| c.eea.serves_eea_users set=|c, v| c.eea.serves_eea_users = Some(v)/>
        <fieldset class="field">
            <legend>"In which countries?"</legend>
            <div class="country-grid">
                {EEA_COUNTRIES.into_iter().map(|(code, country)| {
                    let id = format!("country-{code}");
                    let for_id = id.clone();
                    view! {
                        <label class="checkbox" for=for_id>
                            <input type="checkbox" id=id
                                prop:checked=move || draft.content.with(|c| c.eea.countries.iter().any(|x| x == code))
                                checked=move || draft.content.with(|c| c.eea.countries.iter().any(|x| x == code))
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    draft.edit(|c| {
                                        c.eea.countries.retain(|x| x != code);
                                        if on { c.eea.countries.push(code.to_owned()); }
                                    });
                                }/>
                            {country}
                        </label>
                    }
                }).collect_view()}
            </div>
            {move || countries_error.get().map(|e| view! { <p class="field-error">{e}</p> })}
        </fieldset>
        <TextArea draft label="How does the app tell EEA users apart?" id="eea.distinguishing_method"
            hint="For example: the country of residence the platform reports, billing address, or verified phone number. At least 50 characters."
            get=|c| c.eea.distinguishing_method.clone() set=|c, v| c.eea.distinguishing_method = v/>
    }
}

/// A retention period as typed; anything but a number leaves it unset.
fn read_days(text: &str) -> Option<u32> {
    text.trim().parse().ok()
}

fn write_days(days: Option<u32>) -> String {
    days.map(|d| d.to_string()).unwrap_or_default()
}

#[component]
fn DataHandlingStep(draft: Draft) -> impl IntoView {
    let retention_error = draft.error("data_handling.retention_days");
    let retention_days = |c: &ApplicationContent| c.data_handling.retention_days;
    let typed_days = StoredValue::new(write_days(draft.content.with_untracked(retention_days)));
    let days_text = draft.typed_text(typed_days, retention_days, read_days, write_days);
    view! {
        <h2>"5. Data handling"</h2>
        <TextInput draft label="Storage region" id="data_handling.storage_region" hint="Where the data is stored, for example EU (Frankfurt)."
            get=|c| c.data_handling.storage_region.clone() set=|c, v| c.data_handling.storage_region = v/>
        <div class="field">
            <label for="retention_days">"Retention period (days)"</label>
            <input id="retention_days" type="number" min="1" max="3650" inputmode="numeric"
                value=typed_days.get_value()
                prop:value=days_text
                aria-invalid=move || retention_error.get().is_some().then_some("true")
                on:input=move |ev| {
                    let value = event_target_value(&ev);
                    let days = read_days(&value);
                    typed_days.set_value(value);
                    draft.edit(|c| c.data_handling.retention_days = days);
                }/>
            {move || retention_error.get().map(|e| view! { <p class="field-error">{e}</p> })}
        </div>
        <YesNo draft legend="Is the data encrypted at rest?" name="data_handling.encryption_at_rest"
            get=|c| c.data_handling.encryption_at_rest set=|c, v| c.data_handling.encryption_at_rest = Some(v)/>
        <TextArea draft label="How user deletion requests are honoured" id="data_handling.deletion_process"
            get=|c| c.data_handling.deletion_process.clone() set=|c, v| c.data_handling.deletion_process = v/>
        <LineList draft label="Sub-processors" id="subprocessors" field="data_handling.subprocessors"
            hint="One per line; leave empty if there are none."
            get=|c| c.data_handling.subprocessors.clone() set=|c, v| c.data_handling.subprocessors = v/>
        <TextInput draft label="Security contact email" id="data_handling.security_contact_email" kind="email"
            get=|c| c.data_handling.security_contact_email.clone() set=|c, v| c.data_handling.security_contact_email = v/>
    }
}

#[component]
fn MockupsStep(draft: Draft, mockups: RwSignal<Vec<MockupView>>) -> impl IntoView {
    let upload = RwSignal::new(UploadState::Idle);
    let request = StoredValue::new_local(None::<Upload>);
    let delete = server_action::<DeleteMockup>();
    let refresh = move || {
        let id = draft.id.get_value();
        leptos::task::spawn_local(async move {
            if let Ok(application) = get_application(id).await {
                mockups.set(application.mockups);
                draft.missing.set(application.missing);
            }
        });
    };
    Effect::new(move |_| {
        if matches!(delete.value().get(), Some(Ok(()))) {
            refresh();
        }
    });
    let sending = move || matches!(upload.get(), UploadState::Sending(_));
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let Some(form) = ev.target().map(leptos::wasm_bindgen::JsCast::unchecked_into::<HtmlFormElement>) else {
            return;
        };
        let Ok(data) = FormData::new_with_form(&form) else { return };
        let done = move || {
            form.reset();
            refresh();
        };
        let url = format!("/api/v1/applications/{}/mockups", draft.id.get_value());
        match Upload::start(&url, &data, upload, done) {
            Ok(started) => request.set_value(Some(started)),
            Err(message) => upload.set(UploadState::Failed(message)),
        }
    };
    view! {
        <h2>"6. UX mockups"</h2>
        <p class="hint">"High-fidelity screens of the consent and transfer flow: what people see when they authorize the app, choose data, follow the transfer and revoke access. PNG, JPEG, WebP or PDF, up to 20 MB each, at most 20."</p>
        {move || view! { <MockupGallery mockups=mockups.get() application_id=draft.id.get_value()/> }}
        {move || {
            let items = mockups.get();
            (!items.is_empty()).then(|| view! {
                <ul class="plain remove-list">
                    {items.into_iter().map(|m| view! {
                        <li>
                            <details class="confirm">
                                <summary>{format!("Remove \u{201c}{}\u{201d}…", m.label)}</summary>
                                <ActionForm action=delete attr:class="confirm-body">
                                    <input type="hidden" name="id" value=draft.id.get_value()/>
                                    <input type="hidden" name="mockup_id" value=m.id.clone()/>
                                    <button type="submit" class="button danger small">"Remove mockup"</button>
                                </ActionForm>
                            </details>
                        </li>
                    }).collect_view()}
                </ul>
            })
        }}
        <form class="card upload" on:submit=on_submit>
            <h3>"Add a mockup"</h3>
            <div class="field">
                <label for="mockup-label">"Label"</label>
                <input id="mockup-label" name="label" list="mockup-labels" required maxlength="80"/>
                <datalist id="mockup-labels">
                    {SUGGESTED_LABELS.into_iter().map(|l| view! { <option value=l></option> }).collect_view()}
                </datalist>
            </div>
            <div class="field">
                <label for="mockup-file">"File"</label>
                <input id="mockup-file" name="file" type="file" required accept="image/png,image/jpeg,image/webp,application/pdf"/>
                {move || match upload.get() {
                    UploadState::Failed(message) => Some(view! { <p class="field-error" role="alert">{message}</p> }),
                    _ => None,
                }}
            </div>
            <div class="upload-actions">
                <button type="submit" class="button primary" disabled=sending>"Upload mockup"</button>
                <UploadProgress state=upload request/>
            </div>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn content(description: &str) -> ApplicationContent {
        ApplicationContent { description: description.to_owned(), ..ApplicationContent::default() }
    }

    fn kept(version: i64, description: &str, sending: Option<&str>) -> LocalDraft {
        LocalDraft { version, content: content(description), sending: sending.map(content) }
    }

    #[test]
    fn edits_made_on_the_current_version_are_newer() {
        assert!(kept(3, "typed on", None).newer_than(3, &content("saved")));
    }

    #[test]
    fn edits_the_server_already_has_are_not_restored() {
        assert!(!kept(3, "saved", None).newer_than(3, &content("saved")));
    }

    #[test]
    fn edits_made_while_this_browsers_save_landed_are_newer() {
        assert!(kept(3, "sent, then typed on", Some("sent")).newer_than(4, &content("sent")));
    }

    #[test]
    fn edits_made_before_someone_else_saved_are_not_restored() {
        assert!(!kept(3, "typed here", Some("sent")).newer_than(4, &content("saved elsewhere")));
        assert!(!kept(3, "typed here", None).newer_than(4, &content("typed")));
    }
}
