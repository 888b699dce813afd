//! Hydrates the server-rendered pages in the browser.

#![cfg(target_arch = "wasm32")]

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    use leptos::prelude::document;
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(portcullis_app::App);
    // Lets browser tests wait until the page is interactive.
    if let Some(root) = document().document_element() {
        let _ = root.set_attribute("data-hydrated", "true");
    }
}
