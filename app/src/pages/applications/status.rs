//! The status page: what was submitted (read-only, also the reviewers' view), the timeline,
//! revisions compared field by field, and the message thread.

use crate::api::applications::{
    AppealApplication, ApplicationStatusPage, DecideAppeal, PostMessage, RecertifyApplication, SubmitApplication,
    WithdrawApplication, application_page,
};
use crate::api::review::ClaimApplication;
use crate::components::form::{CountedTextArea, FormAlert, PageError, Submit, last_error};
use crate::components::layout::{RequireRole, Session};
use crate::components::moment::{Moment, moment_text};
use crate::components::scope::ScopeName;
use crate::error::server_action;
use crate::pages::applications::upload::{Upload, UploadProgress, UploadState};
use leptos::prelude::*;
use leptos::web_sys::{FormData, HtmlFormElement, SubmitEvent};
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use portcullis_domain::admin::Page;
use portcullis_domain::application::appeal::{
    AppealAttachmentView, AppealStatus, AppealView, MAX_APPEAL_ATTACHMENTS, MAX_APPEAL_CHARS,
};
use portcullis_domain::application::content::ApplicationContent;
use portcullis_domain::application::mockup::{MAX_MOCKUP_BYTES, MockupKind, MockupView, readable_size};
use portcullis_domain::application::status::ApplicationStatus;
use portcullis_domain::application::view::{
    ApplicationView, MessageView, RevisionComparison, RevisionView, TimelineEntry,
};
use portcullis_domain::role::Role;

#[component]
pub fn ApplicationPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let id = Memo::new(move |_| params.read().get("id").unwrap_or_default());
    let compare = Memo::new(move |_| {
        let q = query.read();
        (q.get("from").and_then(|v| v.parse().ok()), q.get("to").and_then(|v| v.parse().ok()))
    });
    let messages_page = Memo::new(move |_| query.read().get("messages").and_then(|v| v.parse().ok()));
    let post = server_action::<PostMessage>();
    let withdraw = server_action::<WithdrawApplication>();
    let submit = server_action::<SubmitApplication>();
    let claim = server_action::<ClaimApplication>();
    let recertify = server_action::<RecertifyApplication>();
    let appeal = server_action::<AppealApplication>();
    let decide_appeal = server_action::<DecideAppeal>();
    // Counts the files attached to the appeal from this page, so each reloads it.
    let attached = RwSignal::new(0u32);
    let session = Session::get();
    let page = Resource::new(
        move || {
            let versions = (
                withdraw.version().get(),
                submit.version().get(),
                claim.version().get(),
                recertify.version().get(),
                appeal.version().get(),
                decide_appeal.version().get(),
                attached.get(),
            );
            (id.get(), compare.get(), messages_page.get(), versions, post.version().get())
        },
        |(id, (from, to), messages_page, ..)| application_page(id, from, to, messages_page),
    );
    view! {
        <RequireRole>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || page.get().map(|result| match result {
                    Err(e) => view! { <PageError error=e back_href="/applications" back_label="All applications"/> }.into_any(),
                    Ok(data) => {
                        let review = data.application.can_review.then(|| {
                            let (id, status) = (data.application.id.clone(), data.application.status);
                            view! { <ReviewActions id status claim/> }
                        });
                        let appeals = AppealActions { file: appeal, decide: decide_appeal, attached };
                        let exporter = session.user.get().and_then(Result::ok).flatten().is_some_and(|user| {
                            user.has_role(Role::Admin) || user.has_role(Role::Auditor)
                        });
                        view! { {review} <Status data withdraw submit recertify post appeals exporter/> }.into_any()
                    }
                })}
            </Transition>
        </RequireRole>
    }
}

#[component]
fn Status(
    data: ApplicationStatusPage,
    withdraw: ServerAction<WithdrawApplication>,
    submit: ServerAction<SubmitApplication>,
    recertify: ServerAction<RecertifyApplication>,
    post: ServerAction<PostMessage>,
    appeals: AppealActions,
    /// Whether the viewer is an admin or an auditor.
    exporter: bool,
) -> impl IntoView {
    let ApplicationStatusPage { application, use_case_html, timeline, revisions, comparison, messages } = data;
    let id = application.id.clone();
    let withdraw_error = last_error(withdraw);
    let submit_error = last_error(submit);
    let recertify_error = last_error(recertify);
    let ready = application.missing.is_empty();
    let (submit_id, withdraw_id, edit_id) = (id.clone(), id.clone(), id.clone());
    let (credentials_id, recertify_id) = (id.clone(), id.clone());
    // Credentials exist from submission on; the page shows them and what the viewer may do.
    let credentials_visible = !matches!(application.status, ApplicationStatus::Draft | ApplicationStatus::Withdrawn);
    // Admins and auditors read every reviewer's checklist and take the evidence pack of any
    // application staff can see.
    let may_export = exporter && application.submitted_at.is_some();
    let evidence_id = id.clone();
    view! {
        <section class="application">
            <p class="muted">{format!("{} · {}", application.reference, application.org_name)}</p>
            <Title text=application.content.name.clone()/>
            <h1>{application.content.name.clone()}</h1>
            <p>
                <span class=format!("badge status-{}", application.status.as_str())>{application.status.label()}</span>
                {application.submitted_at.clone().map(|at| view! { <span class="muted">" · submitted "<Moment at=at/>{format!(" · revision {}", application.revision)}</span> })}
            </p>
            <FormAlert error=submit_error/>
            <FormAlert error=withdraw_error/>
            <FormAlert error=recertify_error/>
            <div class="actions">
                {application.can_edit.then(|| view! {
                    <a class="button primary" href=format!("/applications/{edit_id}/edit")>"Edit application"</a>
                })}
                {(application.can_edit && ready).then(|| view! {
                    <ActionForm action=submit attr:class="inline-form">
                        <input type="hidden" name="id" value=submit_id/>
                        <Submit label="Submit for review" busy_label="Submitting…" pending=submit.pending()/>
                    </ActionForm>
                })}
                {credentials_visible.then(|| view! {
                    <a class="button primary" href=format!("/applications/{credentials_id}/credentials")>"API credentials"</a>
                })}
                {may_export.then(|| view! {
                    <a class="button secondary" href=format!("/applications/{evidence_id}/reviews")>"Reviewers' checklists"</a>
                    <a class="button secondary" href=format!("/api/v1/applications/{evidence_id}/evidence") download>"Download evidence pack"</a>
                }.into_any())}
                {application.can_recertify.then(|| view! {
                    <details class="confirm">
                        <summary>"Request recertification…"</summary>
                        <ActionForm action=recertify attr:class="confirm-body">
                            <input type="hidden" name="id" value=recertify_id/>
                            <p>"Reviewers check the application again as it stands. Its credentials keep working meanwhile; once it is approved again, an admin issues renewed production credentials."</p>
                            <button type="submit" class="button primary small">"Send for recertification"</button>
                        </ActionForm>
                    </details>
                })}
                {application.can_withdraw.then(|| view! {
                    <details class="confirm">
                        <summary>"Withdraw…"</summary>
                        <ActionForm action=withdraw attr:class="confirm-body">
                            <input type="hidden" name="id" value=withdraw_id/>
                            <p>"Withdrawing ends this application for good; you would have to start a new one."</p>
                            <button type="submit" class="button danger small">"Withdraw application"</button>
                        </ActionForm>
                    </details>
                })}
            </div>
            {(application.status == ApplicationStatus::Rejected || application.appeal.is_some()).then(|| view! {
                <Appeal application=application.clone() actions=appeals/>
            }.into_any())}
            <Decision application=application.clone() reasons_below=timeline.iter().any(|e| e.kind == "approved" && e.message.as_deref().is_some_and(|m| !m.is_empty()))/>
            <Timeline entries=timeline/>
            <h2>"What was submitted"</h2>
            <ContentView content=application.content.clone() use_case_html=use_case_html.clone() mockups=application.mockups.clone() application_id=id.clone()/>
            <Revisions revisions comparison/>
            <Messages id=id.clone() thread=messages post/>
        </section>
    }
}

/// The page's two appeal actions: filing one, and deciding it.
#[derive(Clone, Copy)]
struct AppealActions {
    file: ServerAction<AppealApplication>,
    decide: ServerAction<DecideAppeal>,
    /// Bumped after each file attached to the appeal.
    attached: RwSignal<u32>,
}

/// The appeal against a rejection: its state, the form to file it (owners, while the window
/// is open), and the panel to decide it (reviewers who took no part in the rejection).
#[component]
fn Appeal(application: ApplicationView, actions: AppealActions) -> impl IntoView {
    let AppealActions { file, decide, attached } = actions;
    let (file_error, decide_error) = (last_error(file), last_error(decide));
    let (file_id, decide_id) = (application.id.clone(), application.id.clone());
    // Each part is type-erased: the status page's view type is deep already, and rendering
    // it on the server must fit a worker thread's stack in debug builds.
    // The deciding reviewer sees the files in the decision panel; everyone else with the state.
    let deciding = application.can_decide_appeal;
    let state = application.appeal.clone().map(|appeal| {
        let application_id = application.id.clone();
        view! { <AppealState appeal application_id show_files=!deciding/> }.into_any()
    });
    let attach = application.can_attach_to_appeal.then(|| {
        let application_id = application.id.clone();
        view! { <AttachToAppeal application_id attached/> }.into_any()
    });
    let files = application
        .appeal
        .as_ref()
        .map(|appeal| appeal_files(&application.id, &appeal.attachments))
        .filter(|files| !files.is_empty());
    let until = application.appeal_until.clone();
    let form = match (application.can_appeal, until) {
        (true, Some(until)) => Some(view! {
            <section class="card appeal-form" id="appeal" aria-labelledby="appeal-heading">
                <h2 id="appeal-heading">"Appeal this decision"</h2>
                <p>"You can appeal until "<strong><Moment at=until/></strong>". Reviewers who took no part in the rejection look at the application again and either uphold the rejection or send the application back to review. A rejection can be appealed once."</p>
                <FormAlert error=file_error/>
                <details class="confirm appeal-open">
                    <summary>"Appeal this decision…"</summary>
                    <ActionForm action=file attr:class="confirm-body">
                        <input type="hidden" name="id" value=file_id/>
                        <CountedTextArea label="Why should the rejection be looked at again?" name="reasons" max=MAX_APPEAL_CHARS
                            hint="Point to what the reviewers missed or misread. Once it is sent, you can attach files (screens or documents) to it while it waits for a decision."
                            rows=6 error=file_error/>
                        <div class="field checkbox">
                            <label><input type="checkbox" required/>" I understand that this appeal cannot be changed or sent again once sent."</label>
                        </div>
                        <Submit label="Send the appeal" busy_label="Sending…" pending=file.pending()/>
                    </ActionForm>
                </details>
            </section>
        }.into_any()),
        (false, Some(until)) => Some(view! {
            <p class="alert alert-info" role="status">"An owner of the organisation can appeal this rejection until "<Moment at=until/>"."</p>
        }.into_any()),
        _ => None,
    };
    let panel = application.can_decide_appeal.then(|| view! {
        <section class="card appeal-decision" id="appeal-decision" aria-labelledby="appeal-decision-heading">
            <h2 id="appeal-decision-heading">"Decide the appeal"</h2>
            <p>"You took no part in the rejection, so you may decide this appeal. Read the reasons above, the files the organisation attached, and the rejected revision below."</p>
            {match files {
                Some(files) => view! {
                    <h3>"Files attached to the appeal"</h3>
                    <FileGallery files/>
                }.into_any(),
                None => view! { <p class="muted">"The organisation attached no files to the appeal."</p> }.into_any(),
            }}
            <FormAlert error=decide_error/>
            <ActionForm action=decide>
                <input type="hidden" name="id" value=decide_id/>
                <fieldset class="field">
                    <legend>"Outcome"</legend>
                    <label class="block"><input type="radio" name="outcome" value="upheld" required/>" Uphold: the rejection stands, for good"</label>
                    <label class="block"><input type="radio" name="outcome" value="overturned"/>" Overturn: the application goes back to review as a new revision"</label>
                </fieldset>
                <CountedTextArea label="Reason, for the organisation" name="reason" max=MAX_APPEAL_CHARS rows=4 error=decide_error/>
                <div class="field checkbox">
                    <label><input type="checkbox" required/>" I have read the appeal; this decision is final."</label>
                </div>
                <Submit label="Record the decision" busy_label="Recording…" pending=decide.pending()/>
            </ActionForm>
        </section>
    }.into_any());
    view! { {state} {attach} {form} {panel} }.into_any()
}

/// The appeal's files as a gallery shows them.
fn appeal_files(application_id: &str, attachments: &[AppealAttachmentView]) -> Vec<GalleryFile> {
    attachments
        .iter()
        .map(|a| GalleryFile {
            url: format!("/api/v1/applications/{application_id}/appeal/attachments/{}", a.id),
            label: a.label.clone(),
            content_type: a.content_type.clone(),
            size: a.size,
            sha256: a.sha256.clone(),
        })
        .collect()
}

/// The owners' form to attach a file to their pending appeal, with progress and a way to
/// cancel, as for mockups.
#[component]
fn AttachToAppeal(application_id: String, attached: RwSignal<u32>) -> impl IntoView {
    let upload = RwSignal::new(UploadState::Idle);
    let request = StoredValue::new_local(None::<Upload>);
    let url = format!("/api/v1/applications/{application_id}/appeal/attachments");
    let sending = move || matches!(upload.get(), UploadState::Sending(_));
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let Some(form) = ev.target().map(leptos::wasm_bindgen::JsCast::unchecked_into::<HtmlFormElement>) else {
            return;
        };
        let Ok(data) = FormData::new_with_form(&form) else { return };
        let done = move || {
            form.reset();
            attached.update(|n| *n += 1);
        };
        match Upload::start(&url, &data, upload, done) {
            Ok(started) => request.set_value(Some(started)),
            Err(message) => upload.set(UploadState::Failed(message)),
        }
    };
    view! {
        <form class="card upload appeal-attach" id="appeal-attach" aria-labelledby="appeal-attach-heading" on:submit=on_submit>
            <h2 id="appeal-attach-heading">"Add a file to your appeal"</h2>
            <p class="hint">{format!(
                "New screens or documents for the reviewer who decides the appeal: PNG, JPEG, WebP or PDF, up to {} MB each, at most {MAX_APPEAL_ATTACHMENTS}. Files cannot be removed, and none can be added once the appeal is decided.",
                MAX_MOCKUP_BYTES >> 20
            )}</p>
            <div class="field">
                <label for="appeal-file-label">"What it shows"</label>
                <input id="appeal-file-label" name="label" required maxlength="80"/>
            </div>
            <div class="field">
                <label for="appeal-file">"File"</label>
                <input id="appeal-file" name="file" type="file" required accept="image/png,image/jpeg,image/webp,application/pdf"/>
                {move || match upload.get() {
                    UploadState::Failed(message) => Some(view! { <p class="field-error" role="alert">{message}</p> }),
                    _ => None,
                }}
            </div>
            <div class="upload-actions">
                <button type="submit" class="button primary" disabled=sending>"Attach file"</button>
                <UploadProgress state=upload request/>
            </div>
        </form>
    }
}

#[component]
fn AppealState(appeal: AppealView, application_id: String, show_files: bool) -> impl IntoView {
    let files = appeal_files(&application_id, &appeal.attachments);
    let files = (show_files && !files.is_empty()).then(|| {
        view! {
            <h3>"Files attached to the appeal"</h3>
            <FileGallery files/>
        }
    });
    let badge = match appeal.status {
        AppealStatus::Pending => "badge status-in_review",
        AppealStatus::Upheld => "badge status-rejected",
        AppealStatus::Overturned => "badge status-approved",
    };
    let note = match appeal.status {
        AppealStatus::Pending => "Reviewers who took no part in the rejection will decide it.",
        AppealStatus::Upheld => "The rejection stands. This decision is final.",
        AppealStatus::Overturned => "The application went back to review as a new revision.",
    };
    view! {
        <section class="card appeal-state" id="appeal-state" aria-labelledby="appeal-state-heading">
            <h2 id="appeal-state-heading">"Appeal " <span class=badge>{appeal.status.label()}</span></h2>
            <p class="muted">{note}</p>
            <dl class="facts">
                <dt>"Filed"</dt><dd><Moment at=appeal.filed_at.clone()/>{format!(" by {} · against revision {}", appeal.filed_by, appeal.revision)}</dd>
                <dt>"Reasons"</dt><dd class="pre">{appeal.reasons.clone()}</dd>
                {appeal.decided_at.clone().map(|at| view! {
                    <dt>"Decided"</dt>
                    <dd><Moment at=at/>{appeal.decided_by.clone().map(|name| format!(" by {name}"))}</dd>
                })}
                {appeal.outcome_reason.clone().map(|reason| view! { <dt>"Reason"</dt><dd class="pre">{reason}</dd> })}
            </dl>
            {files}
        </section>
    }
}

/// Which scopes were granted (and which not), or who approved once and waits for a second reviewer.
#[component]
fn Decision(
    application: ApplicationView,
    /// The timeline holds the approving reviewer's message.
    reasons_below: bool,
) -> impl IntoView {
    let requested: Vec<String> = application.content.scopes.iter().map(|s| s.name.clone()).collect();
    let granted = application.granted_scopes.clone().map(|granted| {
        view! {
            <div class="card granted" id="granted-scopes">
                <h2>"Granted scopes"</h2>
                <ul class="plain">
                    {requested.iter().map(|name| {
                        let yes = granted.contains(name);
                        view! {
                            <li class=if yes { "granted-yes" } else { "granted-no" }>
                                <ScopeName name=name.clone()/>
                                {if yes { view! { <span class="badge status-approved">"Granted"</span> }.into_any() }
                                 else { view! { <span class="badge status-rejected">"Not granted"</span> }.into_any() }}
                            </li>
                        }
                    }).collect_view()}
                </ul>
                {reasons_below.then(|| view! { <p class="muted small">"The reviewers' reasons are in the timeline below."</p> })}
            </div>
        }
    });
    let waiting = application.first_approval.clone().map(|first| view! {
        <p class="alert alert-info" role="status">
            {format!("{} approved this application on ", first.reviewer_name)}<Moment at=first.at.clone()/>". Sensitive scopes need a second reviewer's approval."
        </p>
    });
    view! { {granted} {waiting} }
}

#[component]
fn Timeline(entries: Vec<TimelineEntry>) -> impl IntoView {
    view! {
        <h2>"Timeline"</h2>
        <ol class="timeline">
            {entries.into_iter().map(|entry| view! {
                <li>
                    <strong>{timeline_label(&entry.kind)}</strong>
                    <span class="muted">" · "<Moment at=entry.at.clone()/></span>
                    {entry.actor_name.map(|name| view! { <span class="muted">{format!(" · {name}")}</span> })}
                    {entry.revision.map(|n| view! { <span class="muted">{format!(" · revision {n}")}</span> })}
                    {entry.message.filter(|m| !m.is_empty()).map(|m| view! { <blockquote>{m}</blockquote> })}
                    {(!entry.failed_items.is_empty()).then(|| view! {
                        <ul class="failed-items">{entry.failed_items.into_iter().map(|i| view! { <li>{i}</li> }).collect_view()}</ul>
                    })}
                </li>
            }).collect_view()}
        </ol>
    }
}

fn timeline_label(kind: &str) -> String {
    match kind {
        "created" => "Created".into(),
        "submitted" => "Submitted".into(),
        "resubmitted" => "Resubmitted".into(),
        "review_started" => "Review started".into(),
        "changes_requested" => "Changes requested".into(),
        "approved" => "Approved".into(),
        "first_approval" => "Approved by a first reviewer".into(),
        "rejected" => "Rejected".into(),
        "withdrawn" => "Withdrawn".into(),
        "suspended" => "API access suspended".into(),
        "reinstated" => "API access reinstated".into(),
        "recertification_requested" => "Sent for recertification".into(),
        "appealed" => "Appealed".into(),
        "appeal_attachment_added" => "File added to the appeal".into(),
        "appeal_upheld" => "Appeal upheld: the rejection stands".into(),
        "appeal_overturned" => "Appeal overturned: back in review".into(),
        other => other.replace('_', " "),
    }
}

/// The application's content, read-only. Text from applicants is escaped by the view;
/// the use case is Markdown the server rendered without raw HTML or unsafe links.
#[component]
pub fn ContentView(
    content: ApplicationContent,
    use_case_html: String,
    mockups: Vec<MockupView>,
    application_id: String,
) -> impl IntoView {
    let yes_no = |v: Option<bool>| match v {
        Some(true) => "Yes",
        Some(false) => "No",
        None => "Not answered",
    };
    let data = content.data_handling.clone();
    view! {
        <dl class="facts">
            <dt>"Description"</dt><dd class="pre">{content.description.clone()}</dd>
            <dt>"Website"</dt><dd>{content.website_url.clone()}</dd>
            <dt>"Privacy policy"</dt><dd>{content.privacy_policy_url.clone()}</dd>
            <dt>"Redirect URIs"</dt>
            <dd><ul class="plain">{content.redirect_uris.iter().map(|u| view! { <li><code>{u.clone()}</code></li> }).collect_view()}</ul></dd>
        </dl>
        <h3>"Use case"</h3>
        <div class="markdown" inner_html=use_case_html></div>
        <h3>"Scopes"</h3>
        <ul class="plain scopes">
            {content.scopes.iter().map(|s| view! {
                <li><ScopeName name=s.name.clone()/><p class="pre">{s.justification.clone()}</p></li>
            }).collect_view()}
        </ul>
        <h3>"EEA users"</h3>
        <dl class="facts">
            <dt>"Serves users in the EEA"</dt><dd>{yes_no(content.eea.serves_eea_users)}</dd>
            <dt>"Countries"</dt><dd>{content.eea.countries.join(", ")}</dd>
            <dt>"How EEA users are told apart"</dt><dd class="pre">{content.eea.distinguishing_method.clone()}</dd>
        </dl>
        <h3>"Data handling"</h3>
        <dl class="facts">
            <dt>"Storage region"</dt><dd>{data.storage_region.clone()}</dd>
            <dt>"Retention"</dt><dd>{data.retention_days.map(|d| format!("{d} days")).unwrap_or_default()}</dd>
            <dt>"Encrypted at rest"</dt><dd>{yes_no(data.encryption_at_rest)}</dd>
            <dt>"Deletion requests"</dt><dd class="pre">{data.deletion_process.clone()}</dd>
            <dt>"Sub-processors"</dt><dd>{data.subprocessors.join(", ")}</dd>
            <dt>"Security contact"</dt><dd>{data.security_contact_email.clone()}</dd>
        </dl>
        <h3>"UX mockups"</h3>
        <MockupGallery mockups application_id/>
    }
}

/// Thumbnails of image mockups (each opens full size) and PDFs to download (the server never
/// shows them inline).
#[component]
pub fn MockupGallery(mockups: Vec<MockupView>, application_id: String) -> impl IntoView {
    if mockups.is_empty() {
        return view! { <p class="empty">"No mockups yet."</p> }.into_any();
    }
    let files = mockups
        .into_iter()
        .map(|m| GalleryFile {
            url: format!("/api/v1/applications/{application_id}/mockups/{}", m.id),
            label: m.label,
            content_type: m.content_type,
            size: m.size,
            sha256: m.sha256,
        })
        .collect();
    view! { <FileGallery files/> }.into_any()
}

/// A stored upload as a gallery shows it: a mockup, or a file attached to an appeal.
pub struct GalleryFile {
    /// Its download route; `/thumbnail` below it gives an image's preview.
    pub url: String,
    pub label: String,
    pub content_type: String,
    pub size: u64,
    pub sha256: String,
}

#[component]
fn FileGallery(files: Vec<GalleryFile>) -> impl IntoView {
    view! {
        <ul class="gallery">
            {files.into_iter().map(|m| {
                let url = m.url;
                let is_image = MockupKind::from_content_type(&m.content_type).is_some_and(MockupKind::is_image);
                view! {
                    <li class="mockup">
                        {if is_image {
                            view! {
                                <a href=format!("{url}?view=1") target="_blank" rel="noopener">
                                    <img src=format!("{url}/thumbnail") alt=m.label.clone() loading="lazy"/>
                                </a>
                            }.into_any()
                        } else {
                            view! { <a class="pdf" href=url download>"Download PDF"</a> }.into_any()
                        }}
                        <span class="label">{m.label.clone()}</span>
                        <span class="muted small">{format!("{} · sha256 {}", readable_size(m.size), &m.sha256[..12])}</span>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
    .into_any()
}

#[component]
fn Revisions(revisions: Vec<RevisionView>, comparison: Option<RevisionComparison>) -> impl IntoView {
    if revisions.len() < 2 {
        return ().into_any();
    }
    let last = revisions.len() as i64;
    let (from, to) = comparison.as_ref().map(|c| (c.from, c.to)).unwrap_or((last - 1, last));
    view! {
        <h2>"Revisions"</h2>
        <form method="get" class="filters" id="compare">
            <div class="field"><label for="from">"Compare revision"</label>
                <select id="from" name="from">
                    {revisions.iter().map(|r| view! { <option value=r.number selected=r.number == from>{format!("{} ({})", r.number, moment_text(&r.submitted_at))}</option> }).collect_view()}
                </select></div>
            <div class="field"><label for="to">"with revision"</label>
                <select id="to" name="to">
                    {revisions.iter().map(|r| view! { <option value=r.number selected=r.number == to>{format!("{} ({})", r.number, moment_text(&r.submitted_at))}</option> }).collect_view()}
                </select></div>
            <button type="submit" class="button secondary">"Compare"</button>
        </form>
        {comparison.map(|comparison| view! { <ChangesTable comparison/> })}
    }
    .into_any()
}

/// Field-by-field changes between two revisions.
#[component]
pub fn ChangesTable(comparison: RevisionComparison) -> impl IntoView {
    let c = comparison;
    if c.changes.is_empty() {
        return view! { <p class="empty">"No differences."</p> }.into_any();
    }
    view! {
        <div class="table-scroll">
            <table class="diff">
                <caption>{format!("Changes from revision {} to {}", c.from, c.to)}</caption>
                <thead><tr><th scope="col">"Field"</th><th scope="col">{format!("Revision {}", c.from)}</th><th scope="col">{format!("Revision {}", c.to)}</th></tr></thead>
                <tbody>
                    {c.changes.into_iter().map(|ch| view! {
                        <tr><th scope="row">{ch.label}</th><td class="pre before">{ch.before}</td><td class="pre after">{ch.after}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

/// The thread's latest messages, with links to older ones (and back) when there are more.
#[component]
fn Messages(id: String, thread: Page<MessageView>, post: ServerAction<PostMessage>) -> impl IntoView {
    let error = last_error(post);
    let page_link = {
        let id = id.clone();
        move |n: u64| format!("/applications/{id}?messages={n}#messages")
    };
    let older = (thread.page < thread.pages()).then(|| page_link(thread.page + 1));
    let newer = (thread.page > 1).then(|| page_link(thread.page - 1));
    let messages = thread.items;
    view! {
        <h2 id="messages">"Messages"</h2>
        {older.map(|href| view! { <p><a class="button secondary small" href=href rel="prev">"Older messages"</a></p> })}
        {if messages.is_empty() {
            view! { <p class="empty">"No messages yet. Questions between your organisation and the reviewers appear here."</p> }.into_any()
        } else {
            view! {
                <ol class="thread">
                    {messages.into_iter().map(|m| view! {
                        <li class=format!("message side-{}", m.side)>
                            <p class="meta"><strong>{m.author_name}</strong>{format!(" · {} · ", if m.side == "reviewer" { "Reviewer" } else { "Applicant" })}<Moment at=m.created_at/></p>
                            <p class="pre">{m.body}</p>
                        </li>
                    }).collect_view()}
                </ol>
            }.into_any()
        }}
        {newer.map(|href| view! { <p><a class="button secondary small" href=href rel="next">"Newer messages"</a></p> })}
        <ActionForm action=post attr:class="message-form">
            <FormAlert error/>
            <input type="hidden" name="id" value=id/>
            <div class="field">
                <label for="body">"New message"</label>
                <textarea id="body" name="body" required rows="4"></textarea>
            </div>
            <Submit label="Send message" busy_label="Sending…" pending=post.pending()/>
        </ActionForm>
    }
}

/// For reviewers: take the application into review, or open the review.
#[component]
fn ReviewActions(id: String, status: ApplicationStatus, claim: ServerAction<ClaimApplication>) -> impl IntoView {
    let claim_error = last_error(claim);
    view! {
        <aside class="card review-actions" aria-label="Review">
            <h2>"Review"</h2>
            <FormAlert error=claim_error/>
            {if status == ApplicationStatus::Submitted {
                view! {
                    <ActionForm action=claim>
                        <input type="hidden" name="id" value=id/>
                        <Submit label="Start review" busy_label="Starting…" pending=claim.pending()/>
                    </ActionForm>
                }.into_any()
            } else {
                view! { <a class="button primary" href=format!("/applications/{id}/review")>"Open the review"</a> }.into_any()
            }}
        </aside>
    }
}
