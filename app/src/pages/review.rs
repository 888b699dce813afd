use crate::components::layout::RequireRole;
use leptos::prelude::*;
use portcullis_domain::role::Role;

#[component]
pub fn ReviewQueue() -> impl IntoView {
    view! {
        <RequireRole any_of=&[Role::Reviewer, Role::Admin]>
            <section>
                <h1>"Review queue"</h1>
                <p class="empty">"No applications are waiting for review."</p>
            </section>
        </RequireRole>
    }
}
