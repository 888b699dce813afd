//! Registering, signing in, verifying an email address, resetting a forgotten password,
//! changing the password.
//! Every form works without JavaScript: success redirects to a page that says so.

use crate::api::auth::{ChangePassword, Login, Register, RequestPasswordReset, ResetPassword, VerifyEmail};
use crate::components::form::{Field, FormAlert, Submit, last_error};
use crate::components::layout::{RequireRole, Session};
use crate::components::passkeys::PasskeySignIn;
use crate::components::sso::SsoSignIn;
use crate::error::{AppError, server_action};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

fn query(name: &'static str) -> Memo<Option<String>> {
    let query = use_query_map();
    Memo::new(move |_| query.read().get(name))
}

#[component]
pub fn RegisterPage() -> impl IntoView {
    let action = server_action::<Register>();
    let error = last_error(action);
    let sent = query("sent");
    let done = move || sent.get().is_some() || matches!(action.value().get(), Some(Ok(_)));
    // Without JavaScript the page comes back from a redirect and no longer knows the address.
    let address = move || match action.value().get() {
        Some(Ok(email)) => email,
        _ => "your address".to_string(),
    };
    view! {
        <section class="card narrow">
            <Title text="Create an account"/>
            <h1>"Create an account"</h1>
            <Show
                when=done
                fallback=move || view! {
                    <p class="muted">"Every account can apply for API access. Reviewers and admins are appointed by an admin."</p>
                    <ActionForm action>
                        <FormAlert error/>
                        <Field label="Name" name="name" autocomplete="name" error/>
                        <Field label="Email" name="email" kind="email" autocomplete="email" error/>
                        <Field
                            label="Password"
                            name="password"
                            kind="password"
                            autocomplete="new-password"
                            hint="At least 12 characters. A few unrelated words make a strong, memorable password."
                            error
                        />
                        <Submit label="Create account" busy_label="Creating account…" pending=action.pending()/>
                    </ActionForm>
                    <p>"Already registered? " <a href="/login">"Sign in"</a></p>
                }
            >
                <div class="alert alert-success" role="status">
                    <p>"Check your email: we sent a link to " <strong>{address}</strong> " to confirm it. It is valid for 24 hours."</p>
                </div>
                <p>"Nothing arrived after a few minutes? Look in the spam folder, or "
                    <a href="/login">"sign in"</a> ": your home page can send a new link."</p>
            </Show>
        </section>
    }
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let action = Session::get().login;
    // Without JavaScript the error comes back in the URL, which the router hands only to
    // actions created inside a route, not to the shared one.
    let redirected = last_error(server_action::<Login>());
    let submitted = last_error(action);
    let error = Signal::derive(move || submitted.get().or_else(|| redirected.get()));
    // Asked for once the password was right and the account has a second factor; the email
    // and password stay in the form.
    let needs_code = move || matches!(error.get(), Some(AppError::SecondFactorRequired(_)));
    // The code is what to type next.
    Effect::new(move |_| {
        if needs_code()
            && let Some(field) = document().get_element_by_id("code")
        {
            use leptos::wasm_bindgen::JsCast;
            let _ = field.unchecked_into::<web_sys::HtmlElement>().focus();
        }
    });
    let reset = query("reset");
    view! {
        <section class="card narrow">
            <Title text="Sign in"/>
            <h1>"Sign in"</h1>
            {move || reset.get().map(|_| view! {
                <div class="alert alert-success" role="status">"Your password was changed. Sign in with the new one."</div>
            })}
            <ActionForm action>
                <FormAlert error/>
                <Field label="Email" name="email" kind="email" autocomplete="email" error/>
                <Field label="Password" name="password" kind="password" autocomplete="current-password" error/>
                <Show when=needs_code>
                    <Field
                        label="Code from your authenticator app"
                        name="code"
                        autocomplete="one-time-code"
                        hint="Six digits, or one of your recovery codes if you lost the app."
                        error
                    />
                </Show>
                <Submit label="Sign in" busy_label="Signing in…" pending=action.pending()/>
            </ActionForm>
            <PasskeySignIn second_step=Signal::derive(needs_code)/>
            <p><a href="/forgot-password">"Forgot your password?"</a></p>
            <p>"No account yet? " <a href="/register">"Register"</a></p>
            <SsoSignIn/>
        </section>
    }
}

#[component]
pub fn VerifyEmailPage() -> impl IntoView {
    let action = server_action::<VerifyEmail>();
    let error = last_error(action);
    let token = query("token");
    let done = query("done");
    let verified = move || done.get().is_some() || matches!(action.value().get(), Some(Ok(())));
    view! {
        <section class="card narrow">
            <Title text="Verify your email address"/>
            <h1>"Verify your email address"</h1>
            <Show
                when=verified
                fallback=move || view! {
                    <p>"Confirm that this email address is yours."</p>
                    <ActionForm action>
                        <FormAlert error/>
                        <input type="hidden" name="token" value=move || token.get().unwrap_or_default()/>
                        <Submit label="Verify email" busy_label="Verifying…" pending=action.pending()/>
                    </ActionForm>
                }
            >
                <div class="alert alert-success" role="status">
                    <p>"Your email address is verified."</p>
                </div>
                {move || {
                    let signed_in = matches!(Session::get().user.get(), Some(Ok(Some(_))));
                    if signed_in {
                        view! { <p><a class="button primary" href="/">"Continue"</a></p> }.into_any()
                    } else {
                        view! { <p><a class="button primary" href="/login">"Sign in"</a></p> }.into_any()
                    }
                }}
            </Show>
        </section>
    }
}

#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let action = server_action::<RequestPasswordReset>();
    let error = last_error(action);
    let sent = query("sent");
    let done = move || sent.get().is_some() || matches!(action.value().get(), Some(Ok(())));
    view! {
        <section class="card narrow">
            <Title text="Reset your password"/>
            <h1>"Reset your password"</h1>
            <Show
                when=done
                fallback=move || view! {
                    <p>"Enter your account's email address and we will send you a link to choose a new password."</p>
                    <ActionForm action>
                        <FormAlert error/>
                        <Field label="Email" name="email" kind="email" autocomplete="email" error/>
                        <Submit label="Send reset link" busy_label="Sending…" pending=action.pending()/>
                    </ActionForm>
                }
            >
                <div class="alert alert-success" role="status">
                    <p>"If an account exists for that address, we sent it a link to reset the password. The link is valid for one hour."</p>
                </div>
            </Show>
        </section>
    }
}

#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let action = server_action::<ResetPassword>();
    let error = last_error(action);
    let token = query("token");
    view! {
        <section class="card narrow">
            <Title text="Choose a new password"/>
            <h1>"Choose a new password"</h1>
            <ActionForm action>
                <FormAlert error/>
                <input type="hidden" name="token" value=move || token.get().unwrap_or_default()/>
                <Field
                    label="New password"
                    name="password"
                    kind="password"
                    autocomplete="new-password"
                    hint="At least 12 characters."
                    error
                />
                <Submit label="Change password" busy_label="Changing…" pending=action.pending()/>
            </ActionForm>
        </section>
    }
}

/// The signed-in person's own account: who they are signed in as, and a new password.
#[component]
pub fn AccountPage() -> impl IntoView {
    let session = Session::get();
    let action = server_action::<ChangePassword>();
    let error = last_error(action);
    let changed = query("changed");
    let done = move || changed.get().is_some() || matches!(action.value().get(), Some(Ok(())));
    view! {
        <RequireRole>
            <section class="card narrow">
                <Title text="Your account"/>
                <h1>"Your account"</h1>
                <Transition fallback=|| ()>
                    {move || session.user.get().and_then(Result::ok).flatten().map(|user| view! {
                        <p class="muted">{format!("Signed in as {} ({})", user.name, user.email)}</p>
                    })}
                </Transition>
                <p>
                    <a href="/account/security">"Security"</a>
                    ": your second factor, and every place your account is signed in."
                </p>
                <h2>"Change your password"</h2>
                <Show
                    when=done
                    fallback=move || view! {
                        <ActionForm action>
                            <FormAlert error/>
                            <Field label="Current password" name="current_password" kind="password" autocomplete="current-password" error/>
                            <Field
                                label="New password"
                                name="password"
                                kind="password"
                                autocomplete="new-password"
                                hint="At least 12 characters. Signing in elsewhere will need it."
                                error
                            />
                            <Submit label="Change password" busy_label="Changing…" pending=action.pending()/>
                        </ActionForm>
                    }
                >
                    <div class="alert alert-success" role="status">
                        <p>"Your password is changed. Every other session of your account has ended; this one goes on."</p>
                    </div>
                    <p><a class="button primary" href="/">"Back to the start page"</a></p>
                </Show>
            </section>
        </RequireRole>
    }
}
