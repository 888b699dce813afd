//! The review page: the application on one side (current revision, what changed since the
//! previous one, mockups), the reviewer's checklists and the decision on the other.

use super::status::{ChangesTable, ContentView};
use crate::api::review::{ClaimApplication, DecideApplication, RecordVerdict, review_page};
use crate::components::form::{FormAlert, PageError, Submit, last_error};
use crate::components::layout::RequireRole;
use crate::components::moment::{Day, Moment};
use crate::error::{AppError, server_action};
use leptos::ev;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use portcullis_domain::application::scope::ScopeView;
use portcullis_domain::application::view::ApplicationView;
use portcullis_domain::review::checklist::{ChecklistKind, ReviewItem, Verdict};
use portcullis_domain::review::view::ReviewPageView;
use portcullis_domain::review::view::ReviewView;
use portcullis_domain::role::Role;

#[component]
pub fn ReviewPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.read().get("id").unwrap_or_default());
    let claim = server_action::<ClaimApplication>();
    let page = Resource::new(move || (id.get(), claim.version().get()), |(id, _)| review_page(id));
    view! {
        <RequireRole any_of=&[Role::Reviewer, Role::Admin]>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || page.get().map(|result| match result {
                    Err(e) => view! { <PageError error=e back_href="/review" back_label="Back to the review queue"/> }.into_any(),
                    Ok(data) => view! { <Review data claim/> }.into_any(),
                })}
            </Transition>
        </RequireRole>
    }
}

#[component]
fn Review(data: ReviewPageView, claim: ServerAction<ClaimApplication>) -> impl IntoView {
    let ReviewPageView { application, use_case_html, review, changes, catalogue } = data;
    let id = application.id.clone();
    let claim_error = last_error(claim);
    let claim_id = id.clone();
    let side = match review {
        Some(review) => view! { <Checklists review application=application.clone() catalogue/> }.into_any(),
        None if application.can_review => view! {
            <div class="card">
                <h2>"Your review"</h2>
                <p>"Claim the application to start your privacy and security checklists."</p>
                <FormAlert error=claim_error/>
                <ActionForm action=claim>
                    <input type="hidden" name="id" value=claim_id/>
                    <Submit label="Claim and start reviewing" busy_label="Starting…" pending=claim.pending()/>
                </ActionForm>
            </div>
        }
        .into_any(),
        None => view! {
            <div class="card">
                <h2>"Your review"</h2>
                <p class="empty">{format!("This application is {}; there is nothing to review.", application.status.label().to_lowercase())}</p>
            </div>
        }
        .into_any(),
    };
    view! {
        <section class="review-page">
            <p class="muted">
                {format!("{} · {} · revision {}", application.reference, application.org_name, application.revision)}
                " · " <a href=format!("/applications/{id}")>"Status, timeline and messages"</a>
            </p>
            <Title text=format!("Review: {}", application.content.name)/>
            <h1>{format!("Review: {}", application.content.name)}</h1>
            <p>
                <span class=format!("badge status-{}", application.status.as_str())>{application.status.label()}</span>
                {application.due_at.clone().map(|due| view! { <span class="muted">" · due "<Day at=due/></span> })}
            </p>
            <div class="review-layout">
                <div class="review-application">
                    {changes.map(|comparison| view! {
                        <h2>"Changes since the previous revision"</h2>
                        <ChangesTable comparison/>
                    })}
                    <h2>"Application"</h2>
                    <ContentView content=application.content.clone() use_case_html=use_case_html.clone() mockups=application.mockups.clone() application_id=id.clone()/>
                </div>
                <div class="review-side">{side}</div>
            </div>
        </section>
    }
}

/// Both checklists, saved item by item, and the decision forms.
#[component]
fn Checklists(review: ReviewView, application: ApplicationView, catalogue: Vec<ScopeView>) -> impl IntoView {
    let state = RwSignal::new(review.clone());
    let editable = review.editable;
    let id = application.id.clone();
    view! {
        <div class="card checklists">
            <h2>"Your review"</h2>
            <p class="muted small">
                {format!("Privacy checklist v{} · security checklist v{} · started ", review.privacy_version, review.security_version)}<Moment at=review.started_at.clone()/>
            </p>
            <p aria-live="polite">
                <progress value=move || state.read().progress.recorded max=move || state.read().progress.total.max(1)></progress>
                {move || format!(" {} of {} items recorded", state.read().progress.recorded, state.read().progress.total)}
            </p>
            {ChecklistKind::ALL.into_iter().map(|kind| {
                let items: Vec<ReviewItem> = review.items.iter().filter(|i| i.checklist == kind).cloned().collect();
                let id = id.clone();
                view! {
                    <fieldset class="checklist">
                        <legend>{format!("{} checklist", kind.title())}</legend>
                        <ol class="plain">
                            {items.into_iter().map(|item| view! { <ItemForm id=id.clone() item editable state/> }).collect_view()}
                        </ol>
                    </fieldset>
                }
            }).collect_view()}
        </div>
        {editable.then(|| view! { <DecisionForms application state catalogue/> })}
    }
}

/// One item: pass, fail or not applicable, with a note. With JavaScript it saves as soon as
/// a choice is complete, and says whether what is shown is saved; without, a Save button
/// posts it. Both at once left people unsure which one had kept their note.
#[component]
fn ItemForm(id: String, item: ReviewItem, editable: bool, state: RwSignal<ReviewView>) -> impl IntoView {
    let record = server_action::<RecordVerdict>();
    let error = last_error(record);
    let form = NodeRef::<leptos::html::Form>::new();
    let verdict = RwSignal::new(item.verdict);
    let note = RwSignal::new(item.note.clone());
    // What the server holds, and what was last sent to it.
    let saved = RwSignal::new((item.verdict, item.note.clone()));
    let sent = StoredValue::new((item.verdict, item.note.clone()));
    // Effects run only once the page is interactive: from then on, saving is automatic.
    let interactive = RwSignal::new(false);
    Effect::new(move |_| interactive.set(true));
    Effect::new(move |_| {
        if let Some(Ok(review)) = record.value().get() {
            saved.set(sent.get_value());
            state.set(review);
        }
    });
    let save = move || {
        let complete =
            verdict.get_untracked().is_some_and(|v| !v.needs_note() || !note.get_untracked().trim().is_empty());
        if let (true, Some(form)) = (complete, form.get_untracked()) {
            sent.set_value((verdict.get_untracked(), note.get_untracked()));
            let _ = form.request_submit();
        }
    };
    let dom_id = format!("item-{}", item.item_id);
    let note_id = format!("{dom_id}-note");
    let item_id = item.item_id.clone();
    let choice = move |value: Verdict, label: &'static str| {
        let name_id = format!("{}-{}", item_id, value.as_str());
        view! {
            <label for=name_id.clone() class=format!("verdict verdict-{}", value.as_str())>
                <input
                    type="radio"
                    id=name_id.clone()
                    name="verdict"
                    value=value.as_str()
                    checked=move || verdict.get() == Some(value)
                    disabled=!editable
                    on:change=move |_| {
                        verdict.set(Some(value));
                        save();
                    }
                />
                {label}
            </label>
        }
    };
    let needs_note = move || verdict.get().is_some_and(Verdict::needs_note) && note.read().trim().is_empty();
    let status = move || {
        let unchanged = saved.with(|(v, n)| *v == verdict.get() && *n == note.get());
        if record.pending().get() {
            "Saving…"
        } else if unchanged {
            if verdict.get().is_some() { "Saved" } else { "" }
        } else if needs_note() {
            "Not saved yet: add a note"
        } else {
            "Not saved yet: saves when you leave the note"
        }
    };
    view! {
        <li class="checklist-item" id=dom_id>
            <ActionForm action=record node_ref=form>
                <input type="hidden" name="id" value=id/>
                <input type="hidden" name="item_id" value=item.item_id.clone()/>
                <p class="item-title">
                    <strong>{item.title.clone()}</strong>
                    {item.required.then(|| view! { <span class="badge required">"required"</span> })}
                    {(!item.applies_to.is_empty()).then(|| view! {
                        <span class="muted small">{format!(" · for {}", item.applies_to.join(", "))}</span>
                    })}
                </p>
                {(!item.guidance.is_empty()).then(|| view! { <p class="muted small pre">{item.guidance.clone()}</p> })}
                <div class="verdicts" role="radiogroup" aria-label=format!("Verdict: {}", item.title)>
                    {choice(Verdict::Pass, "Pass")}
                    {choice(Verdict::Fail, "Fail")}
                    {choice(Verdict::Na, "Not applicable")}
                </div>
                <label for=note_id.clone() class="small">"Note (required for fail and not applicable)"</label>
                <textarea
                    id=note_id
                    name="note"
                    rows="2"
                    disabled=!editable
                    prop:value=move || note.get()
                    on:input=move |ev| note.set(event_target_value(&ev))
                    on:change=move |_: ev::Event| save()
                >{item.note.clone()}</textarea>
                {move || needs_note().then(|| view! { <p class="hint">"Add a note to save a failed or not applicable item."</p> })}
                <FormAlert error/>
                {editable.then(|| view! {
                    <div class="item-actions">
                        <button type="submit" class="button secondary small" hidden=move || interactive.get()>"Save"</button>
                        <span class="muted small" aria-live="polite">{status}</span>
                    </div>
                })}
            </ActionForm>
        </li>
    }
}

/// The state of the application this page shows, sent with every decision: the server refuses
/// one taken on an older state.
#[component]
fn SeenAs(revision: i64, version: i64) -> impl IntoView {
    view! {
        <input type="hidden" name="revision" value=revision.to_string()/>
        <input type="hidden" name="version" value=version.to_string()/>
    }
}

/// Approve (with the scopes granted), request changes, or reject.
#[component]
fn DecisionForms(
    application: ApplicationView,
    state: RwSignal<ReviewView>,
    catalogue: Vec<ScopeView>,
) -> impl IntoView {
    let decide = server_action::<DecideApplication>();
    let error = last_error(decide);
    let (revision, version) = (application.revision, application.version);
    let reload = format!("/applications/{}/review", application.id);
    let (approve_id, changes_id, reject_id) = (application.id.clone(), application.id.clone(), application.id.clone());
    let first = application.first_approval.clone();
    let granted_before = first.as_ref().map(|f| f.granted_scopes.clone());
    let scopes: Vec<(String, String, bool)> = application
        .content
        .scopes
        .iter()
        .map(|scope| {
            let known = catalogue.iter().find(|s| s.name == scope.name);
            (scope.name.clone(), known.map(|s| s.title.clone()).unwrap_or_default(), known.is_some_and(|s| s.sensitive))
        })
        .collect();
    let failed = move || {
        state
            .read()
            .items
            .iter()
            .filter(|i| i.verdict == Some(Verdict::Fail))
            .map(|i| i.title.clone())
            .collect::<Vec<_>>()
    };
    view! {
        <div class="card decision">
            <h2>"Decision"</h2>
            <FormAlert error/>
            // A conflict means the application moved on since this page was drawn.
            {move || matches!(error.get(), Some(AppError::Conflict(_))).then(|| view! {
                <p><a class="button secondary small" href=reload.clone() rel="external">"Reload the application"</a></p>
            })}
            // Said before anyone clicks Approve, not after.
            {(first.is_none() && scopes.iter().any(|(_, _, sensitive)| *sensitive)).then(|| view! {
                <p class="alert alert-info four-eyes">
                    "Four eyes: this application asks for a sensitive scope, so granting one takes two approvals \
                     from different reviewers. Yours will be the first; the application then waits for a second."
                </p>
            })}
            {first.clone().map(|first| view! {
                <p class="alert alert-info" role="status">
                    {format!("{} approved on ", first.reviewer_name)}<Moment at=first.at.clone()/>" with the scopes checked below. As a second reviewer you may approve the same scopes or fewer."
                </p>
            })}
            {move || {
                let blocking = state.read().blocking.clone();
                (!blocking.is_empty()).then(|| view! {
                    <div class="alert alert-warning">
                        <p>"Approving every requested scope needs these required items to pass first:"</p>
                        <ul>{blocking.into_iter().map(|t| view! { <li>{t}</li> }).collect_view()}</ul>
                    </div>
                })
            }}
            <ActionForm action=decide attr:class="decision-form">
                <input type="hidden" name="id" value=approve_id/>
                <input type="hidden" name="decision" value="approve"/>
                <SeenAs revision version/>
                <fieldset>
                    <legend>"Scopes to grant"</legend>
                    {scopes.into_iter().enumerate().map(|(i, (name, title, sensitive))| {
                        let checked = granted_before.as_ref().is_none_or(|g| g.contains(&name));
                        let input_id = format!("grant-{i}");
                        view! {
                            <div class="field checkbox">
                                <label for=input_id.clone()>
                                    <input type="checkbox" id=input_id.clone() name=format!("granted_scopes[{i}]") value=name.clone() checked=checked/>
                                    " " {title}
                                    {sensitive.then(|| view! { " " <span class="badge sensitive">"sensitive"</span> })}
                                    " " <code class="scope-id">{name.clone()}</code>
                                </label>
                            </div>
                        }
                    }).collect_view()}
                </fieldset>
                <div class="field">
                    <label for="approve-message">"Note to the applicant (say why a scope was not granted)"</label>
                    <textarea id="approve-message" name="message" rows="3"></textarea>
                </div>
                <Submit label="Approve" busy_label="Approving…" pending=decide.pending()/>
            </ActionForm>
            <ActionForm action=decide attr:class="decision-form">
                <input type="hidden" name="id" value=changes_id/>
                <input type="hidden" name="decision" value="request_changes"/>
                <SeenAs revision version/>
                {move || {
                    let failed = failed();
                    (!failed.is_empty()).then(|| view! {
                        <p class="small">"These failed items are listed to the applicant with your notes:"</p>
                        <ul class="failed-items">{failed.into_iter().map(|t| view! { <li>{t}</li> }).collect_view()}</ul>
                    })
                }}
                <div class="field">
                    <label for="changes-message">"Message to the applicant"</label>
                    <textarea id="changes-message" name="message" rows="4" required></textarea>
                </div>
                <button type="submit" class="button secondary">"Request changes"</button>
            </ActionForm>
            <details class="confirm">
                <summary>"Reject…"</summary>
                <ActionForm action=decide attr:class="confirm-body">
                    <input type="hidden" name="id" value=reject_id/>
                    <input type="hidden" name="decision" value="reject"/>
                    <SeenAs revision version/>
                    <div class="field">
                        <label for="reject-message">"Reason"</label>
                        <textarea id="reject-message" name="message" rows="3" required></textarea>
                    </div>
                    <p>"Rejecting ends this application; the organisation would have to apply again."</p>
                    <button type="submit" class="button danger small">"Reject application"</button>
                </ActionForm>
            </details>
        </div>
    }
}
