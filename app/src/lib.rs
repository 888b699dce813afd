//! The Portcullis web UI: server-rendered Leptos pages, hydrated in the browser.

#![recursion_limit = "256"]

pub mod app;

pub use app::{App, shell};

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(App);
}
