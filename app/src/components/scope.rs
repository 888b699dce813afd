//! Scopes as people read them: the catalogue's title, a sensitive marker, and the identifier
//! beside them for those who configure clients.

use leptos::prelude::*;
use portcullis_domain::application::scope::scope_label;

/// "Direct messages · recurring [sensitive] `portability.direct_messages.ongoing`"; a name
/// outside the catalogue shows as it is.
#[component]
pub fn ScopeName(#[prop(into)] name: String) -> impl IntoView {
    match scope_label(&name) {
        Some((title, sensitive)) => view! {
            <span class="scope-name">
                {title}
                {sensitive.then(|| view! { " " <span class="badge sensitive">"sensitive"</span> })}
                " " <code class="scope-id">{name}</code>
            </span>
        }
        .into_any(),
        None => view! { <code>{name}</code> }.into_any(),
    }
}

/// Several scopes, one per line.
#[component]
pub fn ScopeNames(names: Vec<String>) -> impl IntoView {
    view! {
        <ul class="plain scope-names">
            {names.into_iter().map(|name| view! { <li><ScopeName name/></li> }).collect_view()}
        </ul>
    }
}
