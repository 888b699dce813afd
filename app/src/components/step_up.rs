//! Confirming it is you, inline, when an action answers that it needs a fresh confirmation: a
//! code of the second factor (or the password, for accounts without one); then the form that
//! asked is sent again, so the action completes without starting over.

use crate::api::credentials::StepUp;
use crate::components::layout::Session;
use crate::components::sso::SsoStepUpLink;
use crate::error::server_action;
use leptos::html;
use leptos::prelude::*;
use portcullis_domain::account::SecondFactorState;

/// The prompt, fetched with its code the first time an action asks.
#[leptos::lazy]
pub fn prompt() -> AnyView {
    view! { <StepUpPrompt/> }.into_any()
}

#[component]
fn StepUpPrompt() -> impl IntoView {
    let step_up = server_action::<StepUp>();
    let session = Session::get();
    let with_code = move || {
        session.user.with_untracked(
            |user| matches!(user, Some(Ok(Some(user))) if user.second_factor == SecondFactorState::Enabled),
        )
    };
    let sso = move || session.user.with_untracked(|user| matches!(user, Some(Ok(Some(user))) if user.sso));
    let with_passkey =
        move || session.user.with_untracked(|user| matches!(user, Some(Ok(Some(user))) if user.factors.passkey));
    let input = NodeRef::<html::Input>::new();
    let group = NodeRef::<html::Div>::new();
    // Whoever pressed the button types the code next.
    Effect::new(move |_| {
        if let Some(input) = input.get() {
            let _ = input.focus();
        }
    });
    Effect::new(move |_| {
        if matches!(step_up.value().get(), Some(Ok(()))) {
            resubmit(group);
        }
    });
    let confirm = move || {
        let value = input.get_untracked().map(|input| input.value()).unwrap_or_default();
        let (code, password) = if with_code() { (Some(value), None) } else { (None, Some(value)) };
        step_up.dispatch(StepUp { code, password });
    };
    let error = move || {
        step_up.value().get().and_then(Result::err).map(|error| {
            let message = error.field("code").or_else(|| error.field("password")).unwrap_or_else(|| error.to_string());
            view! { <p id="step-up-error" class="field-error" role="alert">{message}</p> }
        })
    };
    let pending = step_up.pending();
    view! {
        <div class="step-up" role="group" aria-labelledby="step-up-label" node_ref=group>
            <label id="step-up-label" for="step-up-input">
                {if with_code() { "Code from your authenticator app" } else { "Your password" }}
            </label>
            <div class="step-up-row">
                <input
                    id="step-up-input"
                    type=if with_code() { "text" } else { "password" }
                    inputmode=if with_code() { "numeric" } else { "text" }
                    autocomplete=if with_code() { "one-time-code" } else { "current-password" }
                    node_ref=input
                    // Enter confirms here rather than sending the form that asked.
                    on:keydown=move |event| {
                        if event.key() == "Enter" {
                            event.prevent_default();
                            confirm();
                        }
                    }
                />
                <button type="button" class="button primary" disabled=move || pending.get() on:click=move |_| confirm()>
                    {move || if pending.get() { "Checking…" } else { "Confirm and continue" }}
                </button>
            </div>
            {error}
            {sso().then(|| view! { <SsoStepUpLink/> })}
            {with_passkey().then(|| view! { <PasskeyStepUp group/> })}
        </div>
    }
}

/// "Use a passkey" instead of typing: a fresh assertion makes the session fresh too, and the
/// form that asked is sent again.
#[component]
fn PasskeyStepUp(group: NodeRef<html::Div>) -> impl IntoView {
    use crate::components::passkeys::browser;
    let pending = RwSignal::new(false);
    let failed = RwSignal::new(None::<String>);
    let confirm = move |_| {
        pending.set(true);
        failed.set(None);
        leptos::task::spawn_local(async move {
            match browser::call("stepUp", None).await {
                Ok(()) => resubmit(group),
                Err(failure) => failed.set(Some(failure.message)),
            }
            pending.set(false);
        });
    };
    view! {
        <div class="step-up-passkey">
            <button type="button" class="button" id="step-up-passkey" disabled=move || pending.get() on:click=confirm>
                {move || if pending.get() { "Waiting for your passkey…" } else { "Use a passkey" }}
            </button>
            {move || failed.get().map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
        </div>
    }
}

thread_local! {
    /// The form submitted last on this page: the one whose action asked for the confirmation.
    static LAST_SUBMITTED: std::cell::RefCell<Option<Submitted>> = const { std::cell::RefCell::new(None) };
}

/// A form as it was submitted: with the button that sent it, whose name and value may count.
#[derive(Clone)]
struct Submitted {
    form: web_sys::HtmlFormElement,
    submitter: Option<web_sys::HtmlElement>,
}

/// Notes each form as it is submitted, so a confirmation shown outside the form that asked for
/// it can still send that form again. Called once, by the header.
pub fn remember_submitted_forms() {
    Effect::new(|_| {
        let handle = window_event_listener(leptos::ev::submit, |event| {
            use leptos::wasm_bindgen::JsCast;
            let form = event.target().and_then(|target| target.dyn_into::<web_sys::HtmlFormElement>().ok());
            let submitted = form.map(|form| Submitted { form, submitter: event.submitter() });
            LAST_SUBMITTED.with(|last| *last.borrow_mut() = submitted);
        });
        on_cleanup(move || handle.remove());
    });
}

/// Sends the form holding `group` again (or else the form submitted last), as its own submit
/// button would.
fn resubmit(group: NodeRef<html::Div>) {
    use leptos::wasm_bindgen::JsCast;
    let enclosing = group.get_untracked().and_then(|group| group.closest("form").ok().flatten());
    let last = LAST_SUBMITTED.with(|last| last.borrow().clone()).filter(|last| last.form.is_connected());
    let submitted = match enclosing.and_then(|form| form.dyn_into::<web_sys::HtmlFormElement>().ok()) {
        Some(form) => Some(match last {
            Some(last) if last.form == form => last,
            _ => Submitted { form, submitter: None },
        }),
        None => last,
    };
    if let Some(Submitted { form, submitter }) = submitted {
        let _ = form.request_submit_with_submitter(submitter.as_ref());
    }
}
