//! The account's Security page: its second factor, and every place it is signed in, where
//! any other session can be ended.

use crate::api::auth::current_user;
use crate::api::auth::{ConfirmTotp, StartTotp};
use crate::api::security::{EndOtherSessions, EndSession, sessions};
use crate::components::form::{ErrorAlert, Field, FormAlert, Submit, last_error};
use crate::components::layout::RequireRole;
use crate::components::moment::Moment;
use crate::components::passkeys::Passkeys;
use crate::error::server_action;
use leptos::prelude::*;
use leptos_meta::Title;
use portcullis_domain::account::SecondFactorState;
use portcullis_domain::device::SessionView;

#[component]
pub fn SecurityPage() -> impl IntoView {
    // The page's own copy of the account, read again when a passkey is added or removed (the
    // header's copy stays: reading it again would redraw the whole page, messages and all).
    let changed = RwSignal::new(0u32);
    let account = Resource::new(move || changed.get(), |_| current_user());
    view! {
        <RequireRole>
            <section class="card narrow">
                <Title text="Security"/>
                <h1>"Security"</h1>
                <p class="lead">"How your account is protected, and where it is signed in."</p>
                <Transition fallback=|| ()>
                    {move || account.get().and_then(Result::ok).flatten().map(|user| view! {
                        <SecondFactor state=user.second_factor totp=user.factors.totp/>
                    })}
                </Transition>
                // Outside the user's Transition: its own resource is then created in the same
                // order on the server and in the browser.
                <Passkeys changed/>
                <SignedInSessions/>
            </section>
        </RequireRole>
    }
}

/// Every session of the account, this one first; each other one can be ended, or all at once.
#[component]
fn SignedInSessions() -> impl IntoView {
    let end = server_action::<EndSession>();
    let end_others = server_action::<EndOtherSessions>();
    let list = Resource::new(move || (end.version().get(), end_others.version().get()), |_| sessions());
    let end_error = last_error(end);
    let end_others_error = last_error(end_others);
    let done = move || {
        if matches!(end.value().get(), Some(Ok(()))) {
            Some("Signed out: that session’s device has to sign in again.".to_owned())
        } else {
            end_others.value().get().and_then(Result::ok).map(|ended| match ended {
                0 => "There were no other sessions.".to_owned(),
                1 => "Signed out of 1 other session.".to_owned(),
                n => format!("Signed out of {n} other sessions."),
            })
        }
    };
    view! {
        <section class="sessions" aria-labelledby="sessions-heading">
            <h2 id="sessions-heading">"Where you are signed in"</h2>
            <p class="muted small">
                "A sign-in from a new device is mailed to you. Sign out of any session you do not recognise, \
                 then change your password."
            </p>
            <div aria-live="polite">
                {move || done().map(|message| view! { <div class="alert alert-success" role="status">{message}</div> })}
                <FormAlert error=end_error/>
                <FormAlert error=end_others_error/>
            </div>
            <Transition fallback=|| view! { <p class="muted">"Loading sessions…"</p> }>
                {move || list.get().map(|result| match result {
                    Err(error) => view! { <ErrorAlert error/> }.into_any(),
                    Ok(list) => {
                        let others = list.sessions.iter().filter(|s| !s.current).count();
                        view! {
                            <ul class="session-list">
                                {list.sessions.into_iter().map(|s| view! { <SessionItem session=s end/> }).collect_view()}
                            </ul>
                            {(others > 1).then(|| view! {
                                <details class="confirm">
                                    <summary>"Sign out everywhere else…"</summary>
                                    <ActionForm action=end_others attr:class="confirm-body">
                                        <p>{format!("The other {others} sessions end at once; this one goes on.")}</p>
                                        <button type="submit" class="button danger small" disabled=move || end_others.pending().get()>
                                            "Sign out of the other sessions"
                                        </button>
                                    </ActionForm>
                                </details>
                            })}
                        }
                        .into_any()
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn SessionItem(session: SessionView, end: ServerAction<EndSession>) -> impl IntoView {
    let where_from = session.address.clone().map(|address| format!(" · {address}")).unwrap_or_default();
    view! {
        <li class="session" class:current=session.current>
            <p class="session-device">
                <strong>{session.device.clone()}</strong>
                {where_from}
                {session.current.then(|| view! { " " <span class="badge">"This session"</span> })}
            </p>
            <p class="muted small">
                "Signed in " <Moment at=session.signed_in_at.clone()/> " · last active " <Moment at=session.last_seen_at.clone()/>
            </p>
            {(!session.current).then(|| view! {
                <details class="confirm">
                    <summary>"Sign out…"</summary>
                    <ActionForm action=end attr:class="confirm-body">
                        <input type="hidden" name="id" value=session.id.clone()/>
                        <p>{format!("{} will have to sign in again.", session.device)}</p>
                        <button type="submit" class="button danger small">"Sign out this session"</button>
                    </ActionForm>
                </details>
            })}
        </li>
    }
}

/// The account's second factor: set up an authenticator app (the secret, a code to confirm
/// it, then the recovery codes, each shown once), or a note that it is on.
#[component]
fn SecondFactor(state: SecondFactorState, totp: bool) -> impl IntoView {
    let start = server_action::<StartTotp>();
    let confirm = server_action::<ConfirmTotp>();
    let start_error = last_error(start);
    let confirm_error = last_error(confirm);
    let setup = move || start.value().get().and_then(Result::ok);
    let recovery_codes = move || confirm.value().get().and_then(Result::ok);
    view! {
        <section class="second-factor" aria-labelledby="second-factor-heading" id="second-factor">
            <h2 id="second-factor-heading">"Second factor"</h2>
            {match state {
                SecondFactorState::Enabled if totp => view! {
                    <p>"An authenticator app protects your account: signing in and the most dangerous actions ask for a code from it."</p>
                    <p class="muted small">"Lost it? Sign in with a recovery code, or ask an admin to reset your second factor."</p>
                }.into_any(),
                SecondFactorState::Enabled => view! {
                    <p>"A passkey protects your account. You may add an authenticator app as well."</p>
                }.into_any(),
                SecondFactorState::SetupRequired => view! {
                    <div class="alert alert-warning" role="status">
                        "Your role needs a second factor: set up an authenticator app, or add a passkey, before you go on."
                    </div>
                }.into_any(),
                SecondFactorState::None => view! {
                    <p>"Add an authenticator app, so a stolen password alone cannot open your account."</p>
                }.into_any(),
            }}
            <Show when=move || !totp && recovery_codes().is_none()>
                <Show
                    when=move || setup().is_some()
                    fallback=move || view! {
                        <ActionForm action=start attr:class="inline-form">
                            <FormAlert error=start_error/>
                            <Submit label="Set up an authenticator app" busy_label="Starting…" pending=start.pending()/>
                        </ActionForm>
                    }
                >
                    {move || setup().map(|setup| view! {
                        <ol class="setup-steps">
                            <li>
                                "Scan this code with your authenticator app:"
                                <div class="qr" inner_html=setup.qr_svg.clone()></div>
                                "Or type the key into it (on this phone, "
                                <a href=setup.otpauth_uri.clone()>"open it in the app"</a>
                                "):"
                                <p><code class="secret">{setup.secret_groups.clone()}</code></p>
                            </li>
                            <li>"Enter the six-digit code the app shows."</li>
                        </ol>
                        <ActionForm action=confirm>
                            <FormAlert error=confirm_error/>
                            <Field label="Code from the app" name="code" autocomplete="one-time-code" error=confirm_error/>
                            <Submit label="Confirm" busy_label="Checking…" pending=confirm.pending()/>
                        </ActionForm>
                    })}
                </Show>
            </Show>
            {move || recovery_codes().map(|codes| view! {
                <div class="alert alert-success" role="status">
                    <p>"Your authenticator app is set up. Save these recovery codes somewhere safe now: each works once, \
                        in place of a code, if you lose the app. They are not shown again."</p>
                </div>
                <ul class="recovery-codes">
                    {codes.into_iter().map(|code| view! { <li><code>{code}</code></li> }).collect_view()}
                </ul>
                <p><a class="button primary" href="/">"Go on"</a></p>
            })}
        </section>
    }
}
