use crate::api::applications::list_applications;
use crate::components::form::ErrorAlert;
use crate::components::layout::RequireRole;
use crate::pages::applications::ApplicationTable;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use portcullis_domain::role::Role;

/// Submitted applications, for reviewers and admins; each opens the read-only staff view.
#[component]
pub fn ReviewQueue() -> impl IntoView {
    let query = use_query_map();
    let page = Memo::new(move |_| query.read().get("page").and_then(|p| p.parse().ok()));
    let list = Resource::new(move || page.get(), |page| list_applications(Some("submitted".into()), page));
    view! {
        <RequireRole any_of=&[Role::Reviewer, Role::Admin]>
            <section>
                <h1>"Review queue"</h1>
                <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                    {move || list.get().map(|result| match result {
                        Err(e) => view! { <ErrorAlert error=e/> }.into_any(),
                        Ok(page) if page.items.is_empty() => view! { <p class="empty">"No applications are waiting for review."</p> }.into_any(),
                        Ok(page) => view! { <ApplicationTable page base="/review"/> }.into_any(),
                    })}
                </Transition>
            </section>
        </RequireRole>
    }
}
