//! Single sign-on in the pages: the sign-in page's link to the organisation's identity
//! provider (a plain link, so it works without WebAssembly), and the step-up prompt's link
//! to confirm it is you by signing in there again.

use crate::api::sso::sso_enabled;
use leptos::prelude::*;
use portcullis_domain::sso::start_href;

/// "Sign in with single sign-on", when the portal offers it. The links are `rel="external"`:
/// they are server routes, not pages, so the router must let the browser follow them.
#[component]
pub fn SsoSignIn() -> impl IntoView {
    let enabled = Resource::new(|| (), |_| sso_enabled());
    view! {
        <Transition fallback=|| ()>
            {move || enabled.get().and_then(Result::ok).filter(|on| *on).map(|_| view! {
                <div class="sso-sign-in">
                    <p class="muted">"Staff of the platform:"</p>
                    <p><a class="button secondary" rel="external" href=start_href("/", false)>"Sign in with single sign-on"</a></p>
                </div>
            })}
        </Transition>
    }
}

/// "Confirm with your organisation's sign-in": a new sign-in at the identity provider, which
/// then brings the person back to this page.
#[component]
pub fn SsoStepUpLink() -> impl IntoView {
    let here = {
        let location = window().location();
        format!("{}{}", location.pathname().unwrap_or_default(), location.search().unwrap_or_default())
    };
    view! {
        <p class="step-up-sso"><a rel="external" href=start_href(&here, true)>"Confirm with your organisation's sign-in"</a></p>
    }
}
