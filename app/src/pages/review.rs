//! The review queue, filtered and paged on the server, and a reviewer's own dashboard.

use crate::api::applications::scope_catalogue;
use crate::api::review::{review_dashboard, review_queue};
use crate::components::form::ErrorAlert;
use crate::components::layout::RequireRole;
use crate::components::moment::Day;
use crate::components::pager::{CursorPager, Pager};
use crate::components::scope::ScopeName;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use portcullis_domain::application::appeal::AppealStatus;
use portcullis_domain::application::scope::ScopeView;
use portcullis_domain::application::status::ApplicationStatus;
use portcullis_domain::review::queue::{QueueParams, QueueRow};
use portcullis_domain::role::Role;

const FILTERS: [&str; 8] = ["status", "scope", "granted", "assignee", "overdue", "q", "sort", "appeal"];

#[component]
pub fn ReviewQueue() -> impl IntoView {
    let query = use_query_map();
    let params = Memo::new(move |_| {
        let q = query.read();
        QueueParams {
            status: q.get("status"),
            scope: q.get("scope"),
            assignee: q.get("assignee"),
            overdue: q.get("overdue"),
            q: q.get("q"),
            sort: q.get("sort"),
            page: q.get("page").and_then(|p| p.parse().ok()),
            granted: q.get("granted"),
            after: q.get("after"),
            before: q.get("before"),
            appeal: q.get("appeal"),
        }
    });
    let queue = Resource::new(move || params.get(), review_queue);
    let catalogue = Resource::new(|| (), |_| scope_catalogue());
    view! {
        <RequireRole any_of=&[Role::Reviewer, Role::Admin]>
            <section>
                <div class="title-row">
                    <Title text="Review queue"/>
                    <h1>"Review queue"</h1>
                    <a class="button secondary" href="/review/mine">"My reviews"</a>
                </div>
                <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                    {move || catalogue.get().map(|catalogue| {
                        let scopes = catalogue.unwrap_or_default();
                        view! { <QueueFilters params=params.get_untracked() scopes/> }
                    })}
                    {move || queue.get().map(|result| match result {
                        Err(e) => view! { <ErrorAlert error=e/> }.into_any(),
                        Ok(page) if page.items.is_empty() => view! {
                            <p class="empty">"No applications match these filters."</p>
                        }.into_any(),
                        Ok(page) => {
                            let kept: Vec<(&'static str, String)> = {
                                let q = query.read_untracked();
                                FILTERS.iter().filter_map(|k| q.get(k).filter(|v| !v.is_empty()).map(|v| (*k, v))).collect()
                            };
                            // The same filters, and where to go from this page.
                            let href = |key: &str, cursor: String| {
                                let mut url = url::form_urlencoded::Serializer::new(String::new());
                                for (key, value) in &kept {
                                    url.append_pair(key, value);
                                }
                                url.append_pair(key, &cursor);
                                format!("/review?{}", url.finish())
                            };
                            let summary = page.summary();
                            let previous = page.previous.clone().map(|c| href("before", c));
                            let next = page.next.clone().map(|c| href("after", c));
                            view! {
                                <QueueTable rows=page.items/>
                                <CursorPager previous next summary/>
                            }.into_any()
                        }
                    })}
                </Transition>
            </section>
        </RequireRole>
    }
}

/// A plain GET form: filters live in the URL, so they can be bookmarked and shared.
#[component]
fn QueueFilters(params: QueueParams, scopes: Vec<ScopeView>) -> impl IntoView {
    let appeal = params.appeal.unwrap_or_default();
    // Pending appeals are against rejections: the status shown is the one the queue applies.
    let status = match params.status.unwrap_or_default() {
        status if status.is_empty() && appeal == "pending" => ApplicationStatus::Rejected.as_str().to_owned(),
        status => status,
    };
    let scope = params.scope.unwrap_or_default();
    let granted = params.granted.unwrap_or_default();
    let assignee = params.assignee.unwrap_or_default();
    let sort = params.sort.unwrap_or_default();
    let overdue = params.overdue.as_deref() == Some("true");
    let option = |value: &'static str, label: &'static str, current: &str| {
        view! { <option value=value selected=current == value>{label}</option> }
    };
    let statuses = [
        ApplicationStatus::Submitted,
        ApplicationStatus::InReview,
        ApplicationStatus::ChangesRequested,
        ApplicationStatus::Approved,
        ApplicationStatus::Rejected,
        ApplicationStatus::Withdrawn,
    ];
    view! {
        <form method="get" action="/review" class="filters queue-filters" role="search" aria-label="Filter the queue">
            <div class="field">
                <label for="status">"Status"</label>
                <select id="status" name="status">
                    {option("", "Waiting (submitted or in review)", &status)}
                    {statuses.into_iter().map(|s| view! {
                        <option value=s.as_str() selected=status == s.as_str()>{s.label()}</option>
                    }).collect_view()}
                    {option("all", "Any status", &status)}
                </select>
            </div>
            <div class="field">
                <label for="scope">"Requested scope"</label>
                <select id="scope" name="scope">
                    {option("", "Any scope", &scope)}
                    {option("sensitive", "Any sensitive scope", &scope)}
                    {scope_options(&scopes, &scope)}
                </select>
            </div>
            <div class="field">
                <label for="granted">"Granted scope"</label>
                <select id="granted" name="granted">
                    {option("", "Any or none", &granted)}
                    {option("sensitive", "Any sensitive scope", &granted)}
                    {scope_options(&scopes, &granted)}
                </select>
            </div>
            <div class="field">
                <label for="assignee">"Assigned to"</label>
                <select id="assignee" name="assignee">
                    {option("", "Anyone", &assignee)}
                    {option("me", "Me", &assignee)}
                    {option("nobody", "Nobody", &assignee)}
                </select>
            </div>
            <div class="field">
                <label for="appeal">"Appeals"</label>
                <select id="appeal" name="appeal">
                    {option("", "With or without", &appeal)}
                    {option("pending", "Pending appeals I may decide", &appeal)}
                </select>
            </div>
            <div class="field">
                <label for="q">"Organisation or app"</label>
                <input id="q" name="q" type="search" value=params.q.unwrap_or_default() maxlength="200"/>
            </div>
            <div class="field">
                <label for="sort">"Sort by"</label>
                <select id="sort" name="sort">
                    {option("", "Oldest first", &sort)}
                    {option("newest", "Newest first", &sort)}
                    {option("due", "Due soonest", &sort)}
                </select>
            </div>
            <div class="field checkbox">
                <label><input type="checkbox" name="overdue" value="true" checked=overdue/>" Overdue only"</label>
            </div>
            <button type="submit" class="button secondary">"Apply filters"</button>
            <a href="/review">"Clear filters"</a>
        </form>
    }
}

/// One option per scope of the catalogue, sensitive ones marked.
fn scope_options(scopes: &[ScopeView], current: &str) -> impl IntoView + use<> {
    scopes
        .iter()
        .map(|s| {
            let label = if s.sensitive { format!("{} (sensitive)", s.title) } else { s.title.clone() };
            view! { <option value=s.name.clone() selected=current == s.name>{label}</option> }
        })
        .collect_view()
}

/// Rows of the queue; overdue ones stand out, sensitive scopes are marked.
#[component]
pub fn QueueTable(rows: Vec<QueueRow>) -> impl IntoView {
    view! {
        <div class="table-scroll">
            <table class="queue">
                <thead><tr>
                    <th scope="col">"App"</th><th scope="col">"Organisation"</th><th scope="col">"Requested scopes"</th>
                    <th scope="col">"Status"</th><th scope="col">"Age"</th><th scope="col">"Due (UTC)"</th>
                    <th scope="col">"Reviewers"</th><th scope="col">"Progress"</th>
                </tr></thead>
                <tbody>
                    {rows.into_iter().map(|row| {
                        let progress = format!("{}/{}", row.progress.recorded, row.progress.total);
                        view! {
                            <tr class:overdue=row.overdue>
                                <td>
                                    // Nobody reviews their own organisation's application: link to
                                    // its status page instead, and say why.
                                    {if row.appeal == Some(AppealStatus::Pending) && !row.own_org {
                                        // Appeals are decided on the application's page.
                                        view! {
                                            <a href=format!("/applications/{}", row.id)>{row.name.clone()}</a>
                                            <span class="badge appeal">"Appeal pending"</span>
                                        }.into_any()
                                    } else if row.own_org {
                                        view! {
                                            <a href=format!("/applications/{}", row.id)>{row.name.clone()}</a>
                                            <span class="badge own-org">"Your organisation"</span>
                                            <span class="muted small block">"You cannot review it."</span>
                                        }.into_any()
                                    } else {
                                        view! { <a href=format!("/applications/{}/review", row.id)>{row.name.clone()}</a> }.into_any()
                                    }}
                                    <span class="muted small block">{row.reference.clone()}</span>
                                </td>
                                <td>{row.org_name.clone()}</td>
                                <td>
                                    <ul class="plain scope-list">
                                        {row.requested_scopes.into_iter().map(|s| view! {
                                            <li><ScopeName name=s.name/></li>
                                        }).collect_view()}
                                    </ul>
                                </td>
                                <td>
                                    <span class=format!("badge status-{}", row.status.as_str())>{row.status.label()}</span>
                                    {row.first_approved_by.map(|name| view! {
                                        <span class="muted small block">{format!("Approved once by {name}; needs a second approval")}</span>
                                    })}
                                </td>
                                <td>{match row.age_days { 0 => "today".to_owned(), 1 => "1 day".to_owned(), n => format!("{n} days") }}</td>
                                <td>
                                    {row.due_at.clone().map_or_else(|| "—".into_any(), |at| view! { <Day at=at/> }.into_any())}
                                    {row.overdue.then(|| view! { <span class="badge overdue">"overdue"</span> })}
                                </td>
                                <td>{if row.assignees.is_empty() { "Nobody".to_owned() } else { row.assignees.join(", ") }}</td>
                                <td>
                                    <progress value=row.progress.recorded max=row.progress.total.max(1) aria-label=format!("{progress} checklist items")></progress>
                                    <span class="small">{format!(" {progress}")}</span>
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// What is assigned to the signed-in reviewer, and what waits for their second approval.
#[component]
pub fn MyReviews() -> impl IntoView {
    let query = use_query_map();
    let page = Memo::new(move |_| query.read().get("page").and_then(|p| p.parse().ok()));
    let dashboard = Resource::new(move || page.get(), review_dashboard);
    view! {
        <RequireRole any_of=&[Role::Reviewer, Role::Admin]>
            <section>
                <div class="title-row">
                    <Title text="My reviews"/>
                    <h1>"My reviews"</h1>
                    <a class="button secondary" href="/review">"Review queue"</a>
                </div>
                <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                    {move || dashboard.get().map(|result| match result {
                        Err(e) => view! { <ErrorAlert error=e/> }.into_any(),
                        Ok(dashboard) => view! {
                            <p class="summary">
                                {format!("{} assigned to you", dashboard.total)}
                                {(dashboard.overdue > 0).then(|| view! {
                                    " · " <a class="overdue-link" href="/review?assignee=me&overdue=true">{format!("{} overdue", dashboard.overdue)}</a>
                                })}
                            </p>
                            <h2>"Assigned to me"</h2>
                            {if dashboard.assigned.is_empty() {
                                view! { <p class="empty">"Nothing is assigned to you. Claim an application from the " <a href="/review?assignee=nobody">"unassigned queue"</a> "."</p> }.into_any()
                            } else {
                                let (current, pages, total) = (dashboard.page, dashboard.pages(), dashboard.total);
                                view! {
                                    <QueueTable rows=dashboard.assigned/>
                                    <Pager page=current pages total href=|n| format!("/review/mine?page={n}")/>
                                }.into_any()
                            }}
                            <h2>"Waiting for a second approval"</h2>
                            {if dashboard.awaiting_second_approval.is_empty() {
                                view! { <p class="empty">"No application approved by another reviewer is waiting for you."</p> }.into_any()
                            } else {
                                view! { <QueueTable rows=dashboard.awaiting_second_approval/> }.into_any()
                            }}
                        }.into_any(),
                    })}
                </Transition>
            </section>
        </RequireRole>
    }
}
