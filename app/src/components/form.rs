//! Form fields with labels and errors beside them, a form-level alert, and a submit button
//! that shows progress.

use crate::error::AppError;
use leptos::prelude::*;

/// The error of the last submission, if any.
pub fn last_error<I, O>(action: ServerAction<I>) -> Signal<Option<AppError>>
where
    I: leptos::server_fn::ServerFn<Output = O, Error = AppError> + Clone + Send + Sync + 'static,
    O: Clone + Send + Sync + 'static,
{
    Signal::derive(move || action.value().get().and_then(Result::err))
}

/// A labelled input. Its error, if any, is rendered right after it and announced with it.
#[component]
pub fn Field(
    label: &'static str,
    name: &'static str,
    #[prop(default = "text")] kind: &'static str,
    #[prop(default = "off")] autocomplete: &'static str,
    #[prop(default = true)] required: bool,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(optional, into)] value: Option<String>,
    #[prop(into)] error: Signal<Option<AppError>>,
) -> impl IntoView {
    let message = Signal::derive(move || error.get().and_then(|e| e.field(name)));
    let error_id = format!("{name}-error");
    let hint_id = format!("{name}-hint");
    let described_by = {
        let (error_id, hint_id) = (error_id.clone(), hint_id.clone());
        move || {
            let mut ids = Vec::new();
            if hint.is_some() {
                ids.push(hint_id.clone());
            }
            if message.get().is_some() {
                ids.push(error_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    view! {
        <div class="field">
            <label for=name>{label}</label>
            {hint.map(|hint| view! { <p class="hint" id=hint_id.clone()>{hint}</p> })}
            <input
                id=name
                name=name
                type=kind
                autocomplete=autocomplete
                required=required
                value=value
                aria-invalid=move || message.get().is_some().then_some("true")
                aria-describedby=described_by
            />
            {move || message.get().map(|m| view! { <p class="field-error" id=error_id.clone()>{m}</p> })}
        </div>
    }
}

/// An error, announced.
#[component]
pub fn ErrorAlert(error: AppError) -> impl IntoView {
    let setup = matches!(error, AppError::SecondFactorSetupRequired(_));
    // Asking for the code is the next step of signing in, not a failure.
    let (class, role) = match error {
        AppError::SecondFactorRequired(_) => ("alert alert-info", "status"),
        _ => ("alert alert-error", "alert"),
    };
    view! {
        <div class=class role=role>
            {error.to_string()}
            {setup.then(|| view! { " " <a href="/account/security#second-factor">"Set it up now"</a> })}
        </div>
    }
}

/// A page that could not be shown (not found, not allowed): a heading, the reason, and ways on.
#[component]
pub fn PageError(error: AppError, back_href: &'static str, back_label: &'static str) -> impl IntoView {
    view! {
        <section class="card narrow">
            <leptos_meta::Title text="Cannot show this page"/>
            <h1>"Cannot show this page"</h1>
            <ErrorAlert error/>
            <p class="actions">
                <a class="button primary" href=back_href>{back_label}</a>
                <a class="button secondary" href="/">"Home"</a>
            </p>
        </section>
    }
}

/// The last submission's error, if any. When the action needs the person confirmed again, the
/// confirmation is asked for right here, and the form goes again once it is given. The prompt
/// runs in the browser only, and its code is fetched when first needed: every page has forms,
/// few actions ask.
#[component]
pub fn FormAlert(#[prop(into)] error: Signal<Option<AppError>>) -> impl IntoView {
    let interactive = RwSignal::new(false);
    Effect::new(move |_| interactive.set(true));
    move || {
        error.get().map(|error| {
            let step_up = matches!(error, AppError::StepUpRequired(_));
            view! {
                <ErrorAlert error/>
                {move || (step_up && interactive.get()).then(|| Suspend::new(crate::components::step_up::prompt()))}
            }
            .into_any()
        })
    }
}

#[component]
pub fn Submit(label: &'static str, busy_label: &'static str, #[prop(into)] pending: Signal<bool>) -> impl IntoView {
    view! {
        <button type="submit" class="button primary" disabled=move || pending.get() aria-busy=move || pending.get().to_string()>
            {move || if pending.get() { busy_label } else { label }}
        </button>
    }
}

/// A labelled multi-line input of bounded length, with a live count of the characters left
/// (announced politely) and its error beside it, as [`Field`] does for one line.
#[component]
pub fn CountedTextArea(
    label: &'static str,
    name: &'static str,
    max: usize,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(default = 5)] rows: u32,
    #[prop(into)] error: Signal<Option<AppError>>,
) -> impl IntoView {
    let message = Signal::derive(move || error.get().and_then(|e| e.field(name)));
    let typed = RwSignal::new(0usize);
    let (error_id, hint_id, count_id) = (format!("{name}-error"), format!("{name}-hint"), format!("{name}-count"));
    let described_by = {
        let (error_id, hint_id, count_id) = (error_id.clone(), hint_id.clone(), count_id.clone());
        move || {
            let mut ids = vec![count_id.clone()];
            if hint.is_some() {
                ids.insert(0, hint_id.clone());
            }
            if message.get().is_some() {
                ids.push(error_id.clone());
            }
            ids.join(" ")
        }
    };
    let left = move || {
        let left = max as i64 - typed.get() as i64;
        if left >= 0 { format!("{left} of {max} characters left") } else { format!("{} characters too many", -left) }
    };
    view! {
        <div class="field">
            <label for=name>{label}</label>
            {hint.map(|hint| view! { <p class="hint" id=hint_id.clone()>{hint}</p> })}
            <textarea
                id=name
                name=name
                rows=rows
                required
                maxlength=max
                aria-invalid=move || message.get().is_some().then_some("true")
                aria-describedby=described_by
                on:input=move |ev| typed.set(event_target_value(&ev).chars().count())
            ></textarea>
            <p class="hint counter" id=count_id aria-live="polite">{left}</p>
            {move || message.get().map(|m| view! { <p class="field-error" id=error_id.clone()>{m}</p> })}
        </div>
    }
}
