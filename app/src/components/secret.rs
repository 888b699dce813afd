//! A secret shown once: a warning, the value in a read-only field, and a copy button.

use leptos::prelude::*;

#[component]
pub fn SecretOnce(label: &'static str, value: String) -> impl IntoView {
    let copied = RwSignal::new(None::<bool>);
    let copy_value = value.clone();
    let copy = move |_| {
        #[cfg(feature = "hydrate")]
        {
            let promise = window().navigator().clipboard().write_text(&copy_value);
            leptos::task::spawn_local(async move {
                let done = wasm_bindgen_futures::JsFuture::from(promise).await.is_ok();
                copied.set(Some(done));
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = &copy_value;
    };
    view! {
        <div class="secret-once" role="region" aria-label=label>
            <p class="alert alert-warning" role="alert">
                <strong>"Copy this secret now. "</strong>
                "It is shown only once: Portcullis keeps only a hash of it. Store it in your server's secret store, never in a browser or an app."
            </p>
            <label for="secret-value">{label}</label>
            <div class="secret-row">
                <input id="secret-value" type="text" readonly value=value class="secret-value" spellcheck="false" autocomplete="off"/>
                <button type="button" class="button secondary" on:click=copy>"Copy"</button>
            </div>
            <p class="hint" role="status" aria-live="polite">
                {move || match copied.get() {
                    Some(true) => "Copied to the clipboard.",
                    Some(false) => "Copying failed: select the field and copy it by hand.",
                    None => "",
                }}
            </p>
        </div>
    }
}
