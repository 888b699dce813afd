//! Applications: the list, starting one, the guided form, the status page.

pub mod credentials;
pub mod editor;
pub mod review;
pub mod reviews;
pub mod status;
mod upload;

use crate::api::applications::{CreateApplication, list_applications};
use crate::api::orgs::list_orgs;
use crate::components::form::{ErrorAlert, Field, FormAlert, Submit, last_error};
use crate::components::layout::{RequireRole, Session};
use crate::components::moment::Moment;
use crate::components::pager::Pager;
use crate::error::server_action;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use portcullis_domain::admin::Page;
use portcullis_domain::application::view::ApplicationSummary;
use portcullis_domain::role::Role;

#[component]
pub fn ApplicationsPage() -> impl IntoView {
    let query = use_query_map();
    let page = Memo::new(move |_| query.read().get("page").and_then(|p| p.parse().ok()));
    let list = Resource::new(move || page.get(), |page| list_applications(None, page));
    // An auditor reads every submitted application and starts none.
    let session = Session::get();
    let auditor =
        move || session.user.get().and_then(Result::ok).flatten().is_some_and(|user| user.has_role(Role::Auditor));
    view! {
        <RequireRole>
            <section>
                <div class="title-row">
                    <Title text="Applications"/>
                    <h1>"Applications"</h1>
                    <Transition fallback=|| ()>
                        {move || (!auditor()).then(|| view! {
                            <a class="button primary" href="/applications/new">"New application"</a>
                        })}
                    </Transition>
                </div>
                <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                    {move || list.get().map(|result| match result {
                        Err(e) => view! { <ErrorAlert error=e/> }.into_any(),
                        Ok(page) if page.items.is_empty() && auditor() => view! {
                            <p class="empty">"No application has been submitted yet."</p>
                        }.into_any(),
                        Ok(page) if page.items.is_empty() => view! {
                            <p class="empty">"No applications yet. Start one to request access to the Data Portability API."</p>
                        }.into_any(),
                        Ok(page) => view! { <ApplicationTable page base="/applications"/> }.into_any(),
                    })}
                </Transition>
            </section>
        </RequireRole>
    }
}

/// A page of applications as a table, linking to each one.
#[component]
pub fn ApplicationTable(page: Page<ApplicationSummary>, base: &'static str) -> impl IntoView {
    let (current, pages, total) = (page.page, page.pages(), page.total);
    view! {
        <div class="table-scroll">
            <table>
                <thead><tr>
                    <th scope="col">"Reference"</th><th scope="col">"App"</th><th scope="col">"Organisation"</th>
                    <th scope="col">"Status"</th><th scope="col">"Scopes"</th><th scope="col">"Updated (UTC)"</th>
                </tr></thead>
                <tbody>
                    {page.items.into_iter().map(|a| view! {
                        <tr>
                            <td><a href=format!("/applications/{}", a.id)>{a.reference.clone()}</a></td>
                            <td>{a.name.clone()}</td>
                            <td>{a.org_name.clone()}</td>
                            <td><span class=format!("badge status-{}", a.status.as_str())>{a.status.label()}</span></td>
                            <td>{a.requested_scopes.len()}</td>
                            <td><Moment at=a.updated_at.clone()/></td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <Pager page=current pages total href=move |n| format!("{base}?page={n}")/>
    }
}

#[component]
pub fn NewApplicationPage() -> impl IntoView {
    let query = use_query_map();
    let create = server_action::<CreateApplication>();
    let error = last_error(create);
    let orgs = Resource::new(|| (), |_| list_orgs());
    view! {
        <RequireRole>
            <section class="card narrow">
                <Title text="New application"/>
                <h1>"New application"</h1>
                <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                    {move || orgs.get().map(|result| match result {
                        Err(e) => view! { <ErrorAlert error=e/> }.into_any(),
                        Ok(orgs) if orgs.is_empty() => view! {
                            <p>"Applications are made by an organisation. " <a href="/orgs">"Create your organisation first."</a></p>
                        }.into_any(),
                        Ok(orgs) => {
                            let chosen = query.read_untracked().get("org");
                            view! {
                                <ActionForm action=create>
                                    <FormAlert error/>
                                    <div class="field">
                                        <label for="org_id">"Organisation"</label>
                                        <select id="org_id" name="org_id" required>
                                            {orgs.into_iter().map(|org| {
                                                let selected = chosen.as_deref() == Some(org.id.as_str());
                                                view! { <option value=org.id.clone() selected=selected>{org.name.clone()}</option> }
                                            }).collect_view()}
                                        </select>
                                    </div>
                                    <Field label="App name" name="name" error/>
                                    <Submit label="Start application" busy_label="Starting…" pending=create.pending()/>
                                </ActionForm>
                            }.into_any()
                        }
                    })}
                </Transition>
            </section>
        </RequireRole>
    }
}
