//! Passkeys in the pages: the account's list (names and dates; add one under a name, rename,
//! remove after a confirmation), the sign-in button, and the bridge to `/passkeys.js`, which
//! runs the WebAuthn ceremonies against the JSON API. The script is fetched only when a ceremony
//! starts; until the page is interactive the sign-in button is disabled, and without WebAuthn
//! the place says why.

use crate::api::passkeys::{RemovePasskey, RenamePasskey, list_passkeys};
use crate::components::form::{ErrorAlert, FormAlert, Submit, last_error};
use crate::components::moment::Moment;
use crate::error::server_action;
use leptos::prelude::*;
use portcullis_domain::passkey::{MAX_PASSKEY_NAME_CHARS, MAX_PASSKEYS_PER_ACCOUNT};

const UNSUPPORTED: &str = "This browser cannot use passkeys.";

/// The ceremonies of `/passkeys.js`, called from Rust.
pub mod browser {
    use super::UNSUPPORTED;

    /// Whether this browser can run passkey ceremonies (fetching the script first).
    pub async fn supported() -> bool {
        imp::supported().await
    }

    /// Why a ceremony did not complete: a message to show, and the API's error code if the
    /// portal refused (`step_up_required` asks for a confirmation first).
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct Failure {
        pub message: String,
        pub code: Option<String>,
    }

    impl From<String> for Failure {
        fn from(message: String) -> Self {
            Self { message, code: None }
        }
    }

    impl From<&str> for Failure {
        fn from(message: &str) -> Self {
            message.to_owned().into()
        }
    }

    /// Runs `method` of `window.portcullisPasskeys` (`register`, `signIn`, `stepUp`) with `arg`.
    pub async fn call(method: &'static str, arg: Option<String>) -> Result<(), Failure> {
        if !supported().await {
            return Err(UNSUPPORTED.into());
        }
        imp::call(method, arg).await
    }

    #[cfg(feature = "hydrate")]
    mod imp {
        use super::Failure;
        use leptos::prelude::{document, window};
        use leptos::wasm_bindgen::{JsCast, JsValue};
        use leptos::web_sys::js_sys::{Function, Promise, Reflect};
        use wasm_bindgen_futures::JsFuture;

        const GLOBAL: &str = "portcullisPasskeys";
        const SCRIPT_ID: &str = "passkeys-script";

        fn message(error: JsValue) -> String {
            Reflect::get(&error, &"message".into())
                .ok()
                .and_then(|m| m.as_string())
                .unwrap_or_else(|| "The passkey could not be used.".to_owned())
        }

        /// `window.portcullisPasskeys`, loading its script the first time.
        async fn api() -> Result<JsValue, String> {
            let loaded = Reflect::get(&window(), &GLOBAL.into()).unwrap_or(JsValue::UNDEFINED);
            if !loaded.is_undefined() {
                return Ok(loaded);
            }
            let document = document();
            let script = match document.get_element_by_id(SCRIPT_ID) {
                Some(script) => script,
                None => {
                    let script = document.create_element("script").map_err(message)?;
                    script.set_attribute("id", SCRIPT_ID).map_err(message)?;
                    script.set_attribute("type", "module").map_err(message)?;
                    script.set_attribute("src", "/passkeys.js").map_err(message)?;
                    document.body().ok_or("no page body")?.append_child(&script).map_err(message)?;
                    script
                }
            };
            // Still loading: nothing else runs between the check above and these listeners.
            let done = Promise::new(&mut |resolve, reject| {
                let _ = script.add_event_listener_with_callback("load", &resolve);
                let _ = script.add_event_listener_with_callback("error", &reject);
            });
            JsFuture::from(done).await.map_err(|_| "The passkey script did not load.".to_owned())?;
            Reflect::get(&window(), &GLOBAL.into()).map_err(message)
        }

        /// Asked of the browser itself, as `/passkeys.js` does: the script is fetched only for a
        /// ceremony, so a first visit does not carry it.
        pub async fn supported() -> bool {
            let window = window();
            let defined = |target: &JsValue, name: &str| {
                Reflect::get(target, &name.into()).is_ok_and(|value| !value.is_undefined() && !value.is_null())
            };
            Reflect::get(&window, &"PublicKeyCredential".into()).is_ok_and(|value| value.is_function())
                && defined(&window.navigator(), "credentials")
        }

        pub async fn call(method: &str, arg: Option<String>) -> Result<(), Failure> {
            let api = api().await?;
            let function: Function =
                Reflect::get(&api, &method.into()).map_err(message)?.dyn_into().map_err(|_| "no such call")?;
            let arg = arg.map(JsValue::from).unwrap_or(JsValue::UNDEFINED);
            let promise: Promise = function.call1(&api, &arg).map_err(message)?.dyn_into().map_err(|_| "no promise")?;
            JsFuture::from(promise).await.map(drop).map_err(|error| {
                let code = Reflect::get(&error, &"code".into()).ok().and_then(|c| c.as_string());
                Failure { message: message(error), code }
            })
        }
    }

    /// On the server nothing runs: the buttons appear only once the page is interactive.
    #[cfg(not(feature = "hydrate"))]
    mod imp {
        pub async fn supported() -> bool {
            false
        }

        pub async fn call(_method: &str, _arg: Option<String>) -> Result<(), super::Failure> {
            Err(super::UNSUPPORTED.into())
        }
    }
}

/// Whether passkeys can be offered here: unknown until the page is interactive and the script
/// answered.
fn availability() -> RwSignal<Option<bool>> {
    let available = RwSignal::new(None);
    Effect::new(move |_| {
        leptos::task::spawn_local(async move { available.set(Some(browser::supported().await)) });
    });
    available
}

/// "Use a passkey" on the sign-in page: with the passkey alone, or as the second step
/// once the password was right (`second_step`). Signed in, the browser goes to the start page.
#[component]
pub fn PasskeySignIn(#[prop(into)] second_step: Signal<bool>) -> impl IntoView {
    let available = availability();
    let error = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);
    let sign_in = move |_| {
        pending.set(true);
        error.set(None);
        leptos::task::spawn_local(async move {
            match browser::call("signIn", None).await {
                Ok(()) => {
                    let _ = window().location().set_href("/");
                }
                Err(failure) => {
                    error.set(Some(failure.message));
                    pending.set(false);
                }
            }
        });
    };
    // Shown from the first paint, so the page does not grow once interactive; usable once the
    // browser said it can.
    let offer = move || match available.get() {
        Some(false) => view! { <p class="muted small" id="passkey-sign-in">{UNSUPPORTED}</p> }.into_any(),
        known => view! {
            <div class="passkey-sign-in" id="passkey-sign-in">
                <button type="button" class="button" disabled=move || pending.get() || known.is_none() on:click=sign_in>
                    {move || match (pending.get(), second_step.get()) {
                        (true, _) => "Waiting for your passkey…",
                        (false, true) => "Use a passkey instead of a code",
                        (false, false) => "Use a passkey instead of a password",
                    }}
                </button>
                {move || error.get().map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
            </div>
        }
        .into_any(),
    };
    view! { <div class="passkey-sign-in-slot">{offer}</div> }
}

/// The account's passkeys: each with its name and dates, renamed or removed; a new one added
/// under a name.
/// The account's passkeys; `changed` counts each one added or removed.
#[component]
pub fn Passkeys(changed: RwSignal<u32>) -> impl IntoView {
    let rename = server_action::<RenamePasskey>();
    let remove = server_action::<RemovePasskey>();
    let added = RwSignal::new(0u32);
    let passkeys =
        Resource::new(move || (rename.version().get(), remove.version().get(), added.get()), |_| list_passkeys());
    let rename_error = last_error(rename);
    let remove_error = last_error(remove);
    // A passkey added or removed may change the account's second-factor state, shown beside.
    Effect::watch(move || (added.get(), remove.version().get()), move |_, _, _| changed.update(|n| *n += 1), false);
    view! {
        <section class="passkeys" aria-labelledby="passkeys-heading" id="passkeys">
            <h2 id="passkeys-heading">"Passkeys"</h2>
            <p>"A passkey signs you in with your device's screen lock or security key, without a password, \
                and stands in for a code wherever one is asked."</p>
            <div aria-live="polite">
                {move || matches!(remove.value().get(), Some(Ok(()))).then(|| view! {
                    <div class="alert alert-success" role="status">"The passkey was removed."</div>
                })}
                <FormAlert error=remove_error/>
                <FormAlert error=rename_error/>
            </div>
            <Transition fallback=|| view! { <p class="muted">"Loading passkeys…"</p> }>
                {move || passkeys.get().map(|result| match result {
                    Err(e) => view! { <ErrorAlert error=e/> }.into_any(),
                    Ok(keys) if keys.is_empty() => view! { <p class="empty">"No passkeys yet."</p> }.into_any(),
                    Ok(keys) => view! {
                        <ul class="passkey-list">
                            {keys.into_iter().map(|key| {
                                let (id, rename_id) = (key.id.clone(), key.id.clone());
                                let (name, removed) = (key.name.clone(), format!("Remove “{}”", key.name));
                                view! {
                                    <li class="passkey">
                                        <strong class="passkey-name">{key.name.clone()}</strong>
                                        <span class="muted small">
                                            " Added " <Moment at=key.created_at.clone()/> ". "
                                            {key.last_used_at.clone().map_or_else(
                                                || "Not used yet.".into_any(),
                                                |at| view! { "Last used " <Moment at=at/> "." }.into_any(),
                                            )}
                                        </span>
                                        <details class="confirm">
                                            <summary>"Rename…"</summary>
                                            <ActionForm action=rename attr:class="confirm-body">
                                                <input type="hidden" name="id" value=rename_id/>
                                                <label for=format!("rename-{}", key.id)>"New name"</label>
                                                <input id=format!("rename-{}", key.id) name="name" type="text" required
                                                    maxlength=MAX_PASSKEY_NAME_CHARS.to_string() value=name.clone()/>
                                                <button type="submit" class="button small">"Rename"</button>
                                            </ActionForm>
                                        </details>
                                        <details class="confirm">
                                            <summary>"Remove…"</summary>
                                            <ActionForm action=remove attr:class="confirm-body">
                                                <input type="hidden" name="id" value=id/>
                                                <p>"It will no longer sign you in."</p>
                                                <button type="submit" class="button danger small">{removed.clone()}</button>
                                            </ActionForm>
                                        </details>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                })}
            </Transition>
            <AddPasskey added/>
        </section>
    }
    .into_any()
}

/// Adding a passkey: a name, then the browser's own prompt.
#[component]
fn AddPasskey(added: RwSignal<u32>) -> impl IntoView {
    let available = availability();
    let error = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);
    let done = RwSignal::new(None::<String>);
    // Adding a way in may need a fresh confirmation first; the prompt then sends this form again.
    let step_up = RwSignal::new(false);
    let name = NodeRef::<leptos::html::Input>::new();
    let add = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let value = name.get_untracked().map(|input| input.value()).unwrap_or_default();
        if let Err(problem) = portcullis_domain::passkey::validate_passkey_name(&value) {
            error.set(problem.message.map(|m| m.to_string()));
            return;
        }
        pending.set(true);
        error.set(None);
        done.set(None);
        step_up.set(false);
        leptos::task::spawn_local(async move {
            match browser::call("register", Some(value.trim().to_owned())).await {
                Ok(()) => {
                    done.set(Some(value.trim().to_owned()));
                    if let Some(input) = name.get_untracked() {
                        input.set_value("");
                    }
                    added.update(|n| *n += 1);
                }
                Err(failure) => {
                    step_up.set(failure.code.as_deref() == Some("step_up_required"));
                    error.set(Some(failure.message));
                }
            }
            pending.set(false);
        });
    };
    let offer = move || {
        match available.get() {
        None => ().into_any(),
        Some(false) => view! { <p class="muted small">{UNSUPPORTED} " Add one from a browser that can."</p> }.into_any(),
        Some(true) => view! {
            {move || done.get().map(|name| view! {
                <div class="alert alert-success" role="status">{format!("The passkey “{name}” was added.")}</div>
            })}
            <form class="inline-form add-passkey" on:submit=add>
                <div class="field">
                    <label for="passkey-name">"Name of the new passkey"</label>
                    <p class="hint" id="passkey-name-hint">
                        {format!("Which device holds it, e.g. “Work laptop” (at most {MAX_PASSKEYS_PER_ACCOUNT} passkeys).")}
                    </p>
                    <input id="passkey-name" name="name" type="text" required
                        maxlength=MAX_PASSKEY_NAME_CHARS.to_string() node_ref=name
                        aria-describedby="passkey-name-hint"
                        aria-invalid=move || error.get().is_some().then_some("true")/>
                    {move || error.get().map(|m| view! { <p class="field-error" id="passkey-error" role="alert">{m}</p> })}
                </div>
                {move || step_up.get().then(|| Suspend::new(crate::components::step_up::prompt()))}
                <Submit label="Add a passkey" busy_label="Waiting for your device…" pending=pending/>
            </form>
        }
        .into_any(),
    }
    };
    view! { <div class="passkey-add-slot">{offer}</div> }
}
