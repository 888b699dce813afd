//! The status page: what was submitted (read-only, also the reviewers' view), the timeline,
//! revisions compared field by field, and the message thread.

use crate::api::applications::{
    PostMessage, SubmitApplication, WithdrawApplication, application_revisions, application_timeline,
    compare_revisions, get_application, list_messages,
};
use crate::components::form::{FormAlert, Submit, last_error};
use crate::components::layout::RequireRole;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};
use portcullis_domain::application::content::ApplicationContent;
use portcullis_domain::application::mockup::{MockupKind, MockupView};
use portcullis_domain::application::view::ApplicationView;
use portcullis_domain::markdown::render_markdown;

#[component]
pub fn ApplicationPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.read().get("id").unwrap_or_default());
    let withdraw = ServerAction::<WithdrawApplication>::new();
    let submit = ServerAction::<SubmitApplication>::new();
    let application = Resource::new(
        move || (id.get(), withdraw.version().get(), submit.version().get()),
        |(id, _, _)| get_application(id),
    );
    view! {
        <RequireRole>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || application.get().map(|result| match result {
                    Err(e) => view! { <div class="alert alert-error" role="alert">{e.to_string()}</div> }.into_any(),
                    Ok(application) => view! { <Status application withdraw submit/> }.into_any(),
                })}
            </Transition>
        </RequireRole>
    }
}

#[component]
fn Status(
    application: ApplicationView,
    withdraw: ServerAction<WithdrawApplication>,
    submit: ServerAction<SubmitApplication>,
) -> impl IntoView {
    let id = application.id.clone();
    let withdraw_error = last_error(withdraw);
    let submit_error = last_error(submit);
    let ready = application.missing.is_empty();
    let (submit_id, withdraw_id, edit_id) = (id.clone(), id.clone(), id.clone());
    view! {
        <section class="application">
            <p class="muted">{format!("{} · {}", application.reference, application.org_name)}</p>
            <h1>{application.content.name.clone()}</h1>
            <p>
                <span class=format!("badge status-{}", application.status.as_str())>{application.status.label()}</span>
                {application.submitted_at.clone().map(|at| view! { <span class="muted">{format!(" · submitted {at} · revision {}", application.revision)}</span> })}
            </p>
            <FormAlert error=submit_error/>
            <FormAlert error=withdraw_error/>
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
            <Timeline id=id.clone()/>
            <h2>"What was submitted"</h2>
            <ContentView content=application.content.clone() mockups=application.mockups.clone() application_id=id.clone()/>
            <Revisions id=id.clone()/>
            <Messages id=id.clone()/>
        </section>
    }
}

#[component]
fn Timeline(id: String) -> impl IntoView {
    let timeline = Resource::new(move || id.clone(), application_timeline);
    view! {
        <h2>"Timeline"</h2>
        <Transition fallback=|| ()>
            {move || timeline.get().map(|result| match result {
                Err(e) => view! { <div class="alert alert-error" role="alert">{e.to_string()}</div> }.into_any(),
                Ok(entries) => view! {
                    <ol class="timeline">
                        {entries.into_iter().map(|entry| view! {
                            <li>
                                <strong>{timeline_label(&entry.kind)}</strong>
                                <span class="muted">{format!(" · {}", entry.at)}</span>
                                {entry.actor_name.map(|name| view! { <span class="muted">{format!(" · {name}")}</span> })}
                                {entry.revision.map(|n| view! { <span class="muted">{format!(" · revision {n}")}</span> })}
                                {entry.message.map(|m| view! { <blockquote>{m}</blockquote> })}
                                {(!entry.failed_items.is_empty()).then(|| view! {
                                    <ul class="failed-items">{entry.failed_items.into_iter().map(|i| view! { <li>{i}</li> }).collect_view()}</ul>
                                })}
                            </li>
                        }).collect_view()}
                    </ol>
                }.into_any(),
            })}
        </Transition>
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
        "rejected" => "Rejected".into(),
        "withdrawn" => "Withdrawn".into(),
        other => other.replace('_', " "),
    }
}

/// The application's content, read-only. Text from applicants is escaped by the view;
/// the use case is Markdown rendered without raw HTML or unsafe links.
#[component]
pub fn ContentView(content: ApplicationContent, mockups: Vec<MockupView>, application_id: String) -> impl IntoView {
    let yes_no = |v: Option<bool>| match v {
        Some(true) => "Yes",
        Some(false) => "No",
        None => "Not answered",
    };
    let use_case = render_markdown(&content.use_case);
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
        <div class="markdown" inner_html=use_case></div>
        <h3>"Scopes"</h3>
        <ul class="plain scopes">
            {content.scopes.iter().map(|s| view! {
                <li><code>{s.name.clone()}</code><p class="pre">{s.justification.clone()}</p></li>
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

/// Thumbnails of image mockups (each opens full size) and links to PDFs.
#[component]
pub fn MockupGallery(mockups: Vec<MockupView>, application_id: String) -> impl IntoView {
    if mockups.is_empty() {
        return view! { <p class="empty">"No mockups yet."</p> }.into_any();
    }
    view! {
        <ul class="gallery">
            {mockups.into_iter().map(|m| {
                let url = format!("/api/v1/applications/{application_id}/mockups/{}", m.id);
                let is_image = MockupKind::from_content_type(&m.content_type).is_some_and(MockupKind::is_image);
                view! {
                    <li class="mockup">
                        {if is_image {
                            view! {
                                <a href=format!("{url}?view=1") target="_blank" rel="noopener">
                                    <img src=format!("{url}?view=1") alt=m.label.clone() loading="lazy"/>
                                </a>
                            }.into_any()
                        } else {
                            view! { <a class="pdf" href=format!("{url}?view=1") target="_blank" rel="noopener">"PDF: open in a new tab"</a> }.into_any()
                        }}
                        <span class="label">{m.label.clone()}</span>
                        <span class="muted small">{format!("{} KB · sha256 {}", m.size.div_ceil(1024), &m.sha256[..12])}</span>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
    .into_any()
}

#[component]
fn Revisions(id: String) -> impl IntoView {
    let query = use_query_map();
    let revisions = Resource::new(
        {
            let id = id.clone();
            move || id.clone()
        },
        application_revisions,
    );
    let comparison = Resource::new(
        {
            let id = id.clone();
            move || {
                let q = query.read();
                (id.clone(), q.get("from").and_then(|v| v.parse().ok()), q.get("to").and_then(|v| v.parse().ok()))
            }
        },
        |(id, from, to): (String, Option<i64>, Option<i64>)| async move {
            match (from, to) {
                (Some(from), Some(to)) => Some(compare_revisions(id, from, to).await),
                _ => None,
            }
        },
    );
    view! {
        <Transition fallback=|| ()>
            {move || revisions.get().map(|result| match result {
                Ok(revisions) if revisions.len() > 1 => {
                    let last = revisions.len() as i64;
                    view! {
                        <h2>"Revisions"</h2>
                        <form method="get" class="filters" id="compare">
                            <div class="field"><label for="from">"Compare revision"</label>
                                <select id="from" name="from">
                                    {revisions.iter().map(|r| view! { <option value=r.number selected=r.number == last - 1>{format!("{} ({})", r.number, r.submitted_at)}</option> }).collect_view()}
                                </select></div>
                            <div class="field"><label for="to">"with revision"</label>
                                <select id="to" name="to">
                                    {revisions.iter().map(|r| view! { <option value=r.number selected=r.number == last>{format!("{} ({})", r.number, r.submitted_at)}</option> }).collect_view()}
                                </select></div>
                            <button type="submit" class="button secondary">"Compare"</button>
                        </form>
                        {move || comparison.get().flatten().map(|result| match result {
                            Err(e) => view! { <div class="alert alert-error" role="alert">{e.to_string()}</div> }.into_any(),
                            Ok(c) if c.changes.is_empty() => view! { <p class="empty">"No differences."</p> }.into_any(),
                            Ok(c) => view! {
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
                            }.into_any(),
                        })}
                    }.into_any()
                }
                _ => ().into_any(),
            })}
        </Transition>
    }
}

#[component]
fn Messages(id: String) -> impl IntoView {
    let post = ServerAction::<PostMessage>::new();
    let error = last_error(post);
    let messages = Resource::new(
        {
            let id = id.clone();
            move || (id.clone(), post.version().get())
        },
        |(id, _)| list_messages(id),
    );
    view! {
        <h2 id="messages">"Messages"</h2>
        <Transition fallback=|| ()>
            {move || messages.get().map(|result| match result {
                Err(e) => view! { <div class="alert alert-error" role="alert">{e.to_string()}</div> }.into_any(),
                Ok(list) if list.is_empty() => view! { <p class="empty">"No messages yet. Questions between your organisation and the reviewers appear here."</p> }.into_any(),
                Ok(list) => view! {
                    <ol class="thread">
                        {list.into_iter().map(|m| view! {
                            <li class=format!("message side-{}", m.side)>
                                <p class="meta"><strong>{m.author_name}</strong>{format!(" · {} · {}", if m.side == "reviewer" { "Reviewer" } else { "Applicant" }, m.created_at)}</p>
                                <p class="pre">{m.body}</p>
                            </li>
                        }).collect_view()}
                    </ol>
                }.into_any(),
            })}
        </Transition>
        <ActionForm action=post attr:class="message-form">
            <FormAlert error/>
            <input type="hidden" name="id" value=id.clone()/>
            <div class="field">
                <label for="body">"New message"</label>
                <textarea id="body" name="body" required rows="4"></textarea>
            </div>
            <Submit label="Send message" busy_label="Sending…" pending=post.pending()/>
        </ActionForm>
    }
}
