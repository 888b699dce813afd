//! After a client-side navigation, focus moves to the new page's `<h1>`, as a full page load
//! puts a screen reader at the top of the new page. Without this, focus stays on the link
//! that was followed, or falls back to the document when that link is gone.

use leptos::prelude::*;
use leptos::wasm_bindgen::JsCast;
use leptos_router::hooks::use_location;
use std::time::Duration;
use web_sys::HtmlElement;

/// Pages arrive asynchronously: look for the new heading every 50 ms, for five seconds.
const POLL: Duration = Duration::from_millis(50);
const TRIES: u32 = 100;

/// Call inside the router. A function, not a component: a component rendering nothing still
/// leaves a marker in the server's markup that hydration would trip over.
pub fn focus_heading_on_navigation() {
    let location = use_location();
    Effect::new(move |previous: Option<String>| {
        let path = location.pathname.get();
        // Not on the first load, and not when only the query changes (a filter, a step).
        if previous.is_some_and(|previous| previous != path) {
            focus_when_ready(heading(), 0);
        }
        path
    });
}

fn heading() -> Option<HtmlElement> {
    document().query_selector("main h1").ok().flatten()?.dyn_into().ok()
}

fn focus_when_ready(old: Option<HtmlElement>, tries: u32) {
    match heading() {
        Some(h1) if old.as_ref() != Some(&h1) => {
            // A page that placed focus itself (its first field, a step's heading) keeps it.
            let main = document().query_selector("main").ok().flatten();
            let placed =
                document().active_element().zip(main).is_some_and(|(active, main)| main.contains(Some(&active)));
            if !placed {
                let _ = h1.set_attribute("tabindex", "-1");
                let _ = h1.focus();
            }
        }
        _ if tries < TRIES => {
            set_timeout(move || focus_when_ready(old, tries + 1), POLL);
        }
        _ => {}
    }
}
