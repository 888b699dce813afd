//! One module per page or group of closely related pages.

pub mod admin;
pub mod applications;
pub mod auth;
pub mod checklists;
pub mod gateway_keys;
pub mod home;
pub mod orgs;
pub mod review;
pub mod security;
pub mod sso;

use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <section class="notice">
            <Title text="Page not found"/>
            <h1>"Page not found."</h1>
            <p>"There is no page at this address. " <a href="/">"Go to the home page"</a></p>
        </section>
    }
}
