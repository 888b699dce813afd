//! Admin pages: users and roles, the audit trail, the mail outbox, programme reports.

pub mod reports;

use crate::api::admin::{SetDisabled, SetRoles, list_audit, list_mail, list_users};
use crate::components::form::{ErrorAlert, FormAlert, last_error};
use crate::components::layout::RequireRole;
use crate::components::moment::Moment;
use crate::components::pager::Pager;
use crate::components::scope::ScopeNames;
use crate::error::server_action;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use portcullis_domain::admin::{AuditRecordView, DetailValue, UserSummary, detail_fields, object_link};
use portcullis_domain::role::Role;

/// `?name=value` of the current URL, empty values as `None`.
fn param(name: &'static str) -> Memo<Option<String>> {
    let query = use_query_map();
    Memo::new(move |_| query.read().get(name).filter(|v| !v.trim().is_empty()))
}

fn page_param() -> Memo<Option<u64>> {
    let query = use_query_map();
    Memo::new(move |_| query.read().get("page").and_then(|p| p.parse().ok()))
}

fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[component]
pub fn UsersPage() -> impl IntoView {
    view! {
        <RequireRole any_of=&[Role::Admin]>
            <Users/>
        </RequireRole>
    }
}

#[component]
fn Users() -> impl IntoView {
    let q = param("q");
    let page = page_param();
    let set_roles = server_action::<SetRoles>();
    let set_disabled = server_action::<SetDisabled>();
    let users = Resource::new(
        move || (q.get(), page.get(), set_roles.version().get(), set_disabled.version().get()),
        |(q, page, _, _)| list_users(q, page),
    );
    let roles_error = last_error(set_roles);
    let disabled_error = last_error(set_disabled);
    view! {
        <section>
            <Title text="Users"/>
            <h1>"Users"</h1>
            <form method="get" action="/admin/users" class="filters" role="search">
                <label for="q">"Search by name or email"</label>
                <input id="q" name="q" type="search" value=move || q.get().unwrap_or_default()/>
                <button type="submit" class="button secondary">"Search"</button>
            </form>
            <div aria-live="polite">
                {move || matches!(set_roles.value().get(), Some(Ok(_))).then(|| view! {
                    <div class="alert alert-success" role="status">"Roles updated."</div>
                })}
                {move || set_disabled.value().get().and_then(Result::ok).map(|user| view! {
                    <div class="alert alert-success" role="status">
                        {if user.disabled { format!("{} is disabled; their sessions have ended.", user.email) } else { format!("{} is enabled again.", user.email) }}
                    </div>
                })}
                <FormAlert error=roles_error/>
                <FormAlert error=disabled_error/>
            </div>
            <Transition fallback=|| view! { <p class="muted">"Loading users…"</p> }>
                {move || users.get().map(|result| match result {
                    Err(e) => view! { <ErrorAlert error=e/> }.into_any(),
                    Ok(page) if page.items.is_empty() => view! { <p class="empty">"No users match."</p> }.into_any(),
                    Ok(page) => {
                        let q = q.get_untracked().unwrap_or_default();
                        let (current, pages, total) = (page.page, page.pages(), page.total);
                        view! {
                            <div class="table-scroll">
                                <table>
                                    <thead><tr>
                                        <th scope="col">"Name"</th><th scope="col">"Email"</th><th scope="col">"Organisations"</th>
                                        <th scope="col">"Status"</th><th scope="col">"Roles"</th><th scope="col">"Account"</th>
                                    </tr></thead>
                                    <tbody>
                                        {page.items.into_iter().map(|user| view! { <UserRow user set_roles set_disabled/> }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                            <Pager page=current pages total href=move |n| format!("/admin/users?q={}&page={n}", encode(&q))/>
                        }.into_any()
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn UserRow(
    user: UserSummary,
    set_roles: ServerAction<SetRoles>,
    set_disabled: ServerAction<SetDisabled>,
) -> impl IntoView {
    let reviewer = user.roles.contains(&Role::Reviewer);
    let admin = user.roles.contains(&Role::Admin);
    let auditor = user.roles.contains(&Role::Auditor);
    let status = match (user.disabled, user.email_verified) {
        (true, _) => "Disabled",
        (false, true) => "Active",
        (false, false) => "Email not verified",
    };
    let (id, id2) = (user.id.clone(), user.id.clone());
    let disable = !user.disabled;
    // Granting the reviewer role to someone of an applying organisation is allowed, but they
    // will never review its applications: say so before the box is ticked, not after.
    let conflict = (!user.organisations.is_empty()).then(|| {
        format!(
            "Member of {}: as a reviewer they cannot review {} applications.",
            user.organisations.join(", "),
            if user.organisations.len() == 1 { "its" } else { "those organisations'" }
        )
    });
    let hint_id = format!("roles-hint-{}", user.id);
    view! {
        <tr class:disabled=user.disabled>
            <td>{user.name.clone()}</td>
            <td>{user.email.clone()}</td>
            <td>{if user.organisations.is_empty() {
                view! { <span class="muted">"None"</span> }.into_any()
            } else {
                user.organisations.join(", ").into_any()
            }}</td>
            <td>{status}</td>
            <td>
                <ActionForm action=set_roles attr:class="inline-form roles-form">
                    <input type="hidden" name="user_id" value=id/>
                    <label class="checkbox">
                        <input type="checkbox" name="reviewer" checked=reviewer aria-describedby=conflict.as_ref().map(|_| hint_id.clone())/>
                        "reviewer"
                    </label>
                    <label class="checkbox"><input type="checkbox" name="admin" checked=admin/>"admin"</label>
                    <label class="checkbox" title="Reads everything, changes nothing; not with reviewer or admin">
                        <input type="checkbox" name="auditor" checked=auditor/>"auditor"
                    </label>
                    <button type="submit" class="button secondary small">"Save roles"</button>
                    {conflict.map(|text| view! { <p class="hint warning-hint" id=hint_id>{text}</p> })}
                </ActionForm>
            </td>
            <td>
                <details class="confirm">
                    <summary>{if disable { "Disable…" } else { "Enable…" }}</summary>
                    <ActionForm action=set_disabled attr:class="confirm-body">
                        <input type="hidden" name="user_id" value=id2/>
                        <input type="hidden" name="disabled" value=disable.to_string()/>
                        <p>{if disable {
                            format!("Disabling {} ends all of their sessions at once.", user.email)
                        } else {
                            format!("{} will be able to sign in again.", user.email)
                        }}</p>
                        <button type="submit" class=if disable { "button danger small" } else { "button primary small" }>
                            {if disable { "Disable account" } else { "Enable account" }}
                        </button>
                    </ActionForm>
                </details>
            </td>
        </tr>
    }
}

#[component]
pub fn AuditPage() -> impl IntoView {
    view! {
        <RequireRole any_of=&[Role::Admin, Role::Auditor]>
            <Audit/>
        </RequireRole>
    }
}

#[component]
fn Audit() -> impl IntoView {
    let action = param("action");
    let actor = param("actor");
    let object_id = param("object_id");
    let page = page_param();
    let records = Resource::new(
        move || (action.get(), actor.get(), object_id.get(), page.get()),
        |(action, actor, object_id, page)| list_audit(action, actor, object_id, page),
    );
    view! {
        <section>
            <Title text="Audit trail"/>
            <h1>"Audit trail"</h1>
            <p class="muted">"Every change that matters, in order. Each record is chained to the one before it; `portcullis audit verify` detects tampering."</p>
            <form method="get" action="/admin/audit" class="filters" role="search">
                <div class="field"><label for="action">"Action"</label>
                    <input id="action" name="action" placeholder="user.login_failed or user." value=move || action.get().unwrap_or_default()/></div>
                <div class="field"><label for="actor">"Actor"</label>
                    <input id="actor" name="actor" placeholder="email or id" value=move || actor.get().unwrap_or_default()/></div>
                <div class="field"><label for="object_id">"Object id"</label>
                    <input id="object_id" name="object_id" value=move || object_id.get().unwrap_or_default()/></div>
                <button type="submit" class="button secondary">"Filter"</button>
            </form>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || records.get().map(|result| match result {
                    Err(e) => view! { <ErrorAlert error=e/> }.into_any(),
                    Ok(page) if page.items.is_empty() => view! { <p class="empty">"No records match."</p> }.into_any(),
                    Ok(page) => {
                        let filters = format!(
                            "action={}&actor={}&object_id={}",
                            encode(&action.get_untracked().unwrap_or_default()),
                            encode(&actor.get_untracked().unwrap_or_default()),
                            encode(&object_id.get_untracked().unwrap_or_default()),
                        );
                        let (current, pages, total) = (page.page, page.pages(), page.total);
                        view! {
                            <div class="table-scroll">
                                <table class="audit">
                                    <thead><tr>
                                        <th scope="col">"#"</th><th scope="col">"When (UTC)"</th><th scope="col">"Who"</th>
                                        <th scope="col">"Action"</th><th scope="col">"Object"</th><th scope="col">"From"</th><th scope="col">"Details"</th>
                                    </tr></thead>
                                    <tbody>
                                        {page.items.into_iter().map(|r| view! {
                                            <tr>
                                                <td>{r.seq}</td>
                                                <td><Moment at=r.at.clone()/></td>
                                                <td><AuditActor record=r.clone()/></td>
                                                <td><code>{r.action.clone()}</code></td>
                                                <td><AuditObject object_type=r.object_type.clone() object_id=r.object_id.clone()/></td>
                                                <td>{r.ip.clone().unwrap_or_default()}</td>
                                                <td><AuditDetails details=r.details.clone()/></td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                            <Pager page=current pages total href=move |n| format!("/admin/audit?{filters}&page={n}")/>
                        }.into_any()
                    }
                })}
            </Transition>
        </section>
    }
}

/// Who acted: name and email, or the portal itself.
#[component]
fn AuditActor(record: AuditRecordView) -> impl IntoView {
    match (record.actor_name, record.actor_email) {
        (Some(name), Some(email)) => view! { {name} <span class="muted small block">{email}</span> }.into_any(),
        (None, Some(email)) => email.into_any(),
        (_, None) => view! { <span class="muted">"Portcullis"</span> }.into_any(),
    }
}

/// The object, linked to its page where it has one, and to its other records.
#[component]
fn AuditObject(object_type: String, object_id: Option<String>) -> impl IntoView {
    let kind = object_type.replace('_', " ");
    match object_id {
        None => kind.into_any(),
        Some(id) => {
            let shown = match object_link(&object_type, &id) {
                Some(href) => view! { <a href=href><code>{id.clone()}</code></a> }.into_any(),
                None => view! { <code>{id.clone()}</code> }.into_any(),
            };
            let records = format!("/admin/audit?object_id={}", encode(&id));
            view! {
                {kind} " " {shown}
                <a class="small block" href=records>"All its records"</a>
            }
            .into_any()
        }
    }
}

/// The record's details as labelled fields.
#[component]
fn AuditDetails(details: String) -> impl IntoView {
    let fields = detail_fields(&details);
    (!fields.is_empty()).then(|| {
        view! {
            <dl class="audit-details">
                {fields.into_iter().map(|field| {
                    let value = match field.value {
                        DetailValue::Text(text) => match field.link {
                            Some(href) => view! { <a href=href>{text}</a> }.into_any(),
                            None => text.into_any(),
                        },
                        DetailValue::Moment(at) => view! { <Moment at/> }.into_any(),
                        DetailValue::Scopes(names) => view! { <ScopeNames names/> }.into_any(),
                        DetailValue::List(items) => items.join(", ").into_any(),
                    };
                    view! { <dt>{field.label}</dt><dd>{value}</dd> }
                }).collect_view()}
            </dl>
        }
    })
}

#[component]
pub fn MailPage() -> impl IntoView {
    view! {
        <RequireRole any_of=&[Role::Admin]>
            <Mail/>
        </RequireRole>
    }
}

#[component]
fn Mail() -> impl IntoView {
    let status = param("status");
    let page = page_param();
    let mail = Resource::new(move || (status.get(), page.get()), |(status, page)| list_mail(status, page));
    let filters = [("", "All"), ("pending", "Waiting"), ("sent", "Sent"), ("failed", "Failed (parked)")];
    view! {
        <section>
            <Title text="Outbox"/>
            <h1>"Outbox"</h1>
            <p class="muted">"Every message goes through the outbox. Temporary failures are retried with growing delays; permanent ones are parked here."</p>
            <nav class="tabs" aria-label="Filter by status">
                {filters.into_iter().map(|(value, label)| view! {
                    <a
                        href=if value.is_empty() { "/admin/mail".to_string() } else { format!("/admin/mail?status={value}") }
                        aria-current=move || (status.get().unwrap_or_default() == value).then_some("page")
                    >{label}</a>
                }).collect_view()}
            </nav>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || mail.get().map(|result| match result {
                    Err(e) => view! { <ErrorAlert error=e/> }.into_any(),
                    Ok(page) if page.items.is_empty() => view! { <p class="empty">"No messages here."</p> }.into_any(),
                    Ok(page) => {
                        let status_filter = status.get_untracked().unwrap_or_default();
                        let (current, pages, total) = (page.page, page.pages(), page.total);
                        view! {
                            <div class="table-scroll">
                                <table>
                                    <thead><tr>
                                        <th scope="col">"Created (UTC)"</th><th scope="col">"To"</th><th scope="col">"Subject"</th>
                                        <th scope="col">"Status"</th><th scope="col">"Attempts"</th><th scope="col">"Last error"</th>
                                    </tr></thead>
                                    <tbody>
                                        {page.items.into_iter().map(|m| view! {
                                            <tr class:parked=m.status == "failed">
                                                <td><Moment at=m.created_at.clone()/></td>
                                                <td>{m.to.clone()}</td>
                                                <td>{m.subject.clone()}</td>
                                                <td><span class=format!("badge badge-{}", m.status)>{m.status.clone()}</span></td>
                                                <td>{m.attempts}</td>
                                                <td>{m.last_error.clone().unwrap_or_default()}</td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                            <Pager page=current pages total href=move |n| format!("/admin/mail?status={status_filter}&page={n}")/>
                        }.into_any()
                    }
                })}
            </Transition>
        </section>
    }
}
