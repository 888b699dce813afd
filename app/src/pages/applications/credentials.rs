//! An application's API credentials: sandbox ones for the organisation once submitted,
//! production ones issued by admins behind an approval and collected by the organisation's
//! owners; rotation, revocation, suspension. Secrets appear once, right after they are
//! made, and never again; a production secret only ever to an owner.

use crate::api::credentials::{
    ChangeAccess, CollectSecret, CredentialsPageData, ForceRotation, IssueCredentials, RevokeCredentials,
    RotateCredentials, StepUp, credentials_page,
};
use crate::components::form::{Field, FormAlert, PageError, Submit, last_error};
use crate::components::layout::RequireRole;
use crate::components::moment::{Moment, moment_text};
use crate::components::scope::ScopeNames;
use crate::components::secret::SecretOnce;
use crate::error::server_action;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use portcullis_domain::credential::{
    CollectedSecret, CredentialState, CredentialView, Environment, IssuedCredential, Management, Offers, RotatedSecret,
};

/// A result that carries a secret or says where it went.
#[derive(Clone)]
enum Shown {
    Issued(IssuedCredential),
    Collected(CollectedSecret),
    Rotated(RotatedSecret),
}

/// Every action of the page: each one's completion reloads the credentials.
#[derive(Clone, Copy)]
struct Actions {
    issue: ServerAction<IssueCredentials>,
    rotate: ServerAction<RotateCredentials>,
    revoke: ServerAction<RevokeCredentials>,
    change: ServerAction<ChangeAccess>,
    collect: ServerAction<CollectSecret>,
    force: ServerAction<ForceRotation>,
    step_up: ServerAction<StepUp>,
}

impl Actions {
    fn new() -> Self {
        Self {
            issue: server_action(),
            rotate: server_action(),
            revoke: server_action(),
            change: server_action(),
            collect: server_action(),
            force: server_action(),
            step_up: server_action(),
        }
    }

    fn versions(&self) -> [usize; 7] {
        [
            self.issue.version().get(),
            self.rotate.version().get(),
            self.revoke.version().get(),
            self.change.version().get(),
            self.collect.version().get(),
            self.force.version().get(),
            self.step_up.version().get(),
        ]
    }
}

#[component]
pub fn CredentialsPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.read().get("id").unwrap_or_default());
    let actions = Actions::new();
    let page = Resource::new(move || (id.get(), actions.versions()), |(id, _)| credentials_page(id));
    // Only the newest result is shown: a secret that was just replaced must not linger beside
    // its successor.
    let latest = RwSignal::new(None::<Shown>);
    Effect::new(move || {
        if let Some(Ok(issued)) = actions.issue.value().get() {
            latest.set(Some(Shown::Issued(issued)));
        }
    });
    Effect::new(move || {
        if let Some(Ok(collected)) = actions.collect.value().get() {
            latest.set(Some(Shown::Collected(collected)));
        }
    });
    Effect::new(move || {
        if let Some(Ok(rotated)) = actions.rotate.value().get() {
            latest.set(Some(Shown::Rotated(rotated)));
        }
    });
    // The password confirmation shows its own errors beside its field.
    let errors = [
        last_error(actions.issue),
        last_error(actions.rotate),
        last_error(actions.revoke),
        last_error(actions.change),
        last_error(actions.collect),
        last_error(actions.force),
    ];
    view! {
        <RequireRole>
            <section class="credentials">
                <div aria-live="polite">
                    {move || latest.get().map(|shown| match shown {
                        Shown::Issued(issued) => view! {
                            <div class="card">
                                <h2>{format!("New {} credentials", issued.environment.label().to_lowercase())}</h2>
                                <dl class="facts">
                                    <dt>"Client ID"</dt><dd><code>{issued.client_id.clone()}</code></dd>
                                    <dt>"Scopes"</dt><dd><ScopeNames names=issued.scopes.clone()/></dd>
                                    <dt>"Expires"</dt><dd><Moment at=issued.expires_at.clone()/></dd>
                                </dl>
                                {match (issued.client_secret, issued.collect_by) {
                                    (Some(secret), _) => view! { <SecretOnce label="Client secret" value=secret/> }.into_any(),
                                    (None, collect_by) => view! {
                                        <p class="alert alert-success" role="status">
                                            "Issued. The organisation's owners have been mailed: one of them collects the secret here, "
                                            {collect_by.map(|at| view! { "before "<Moment at=at/>", " })}
                                            "and only they ever see it."
                                        </p>
                                    }.into_any(),
                                }}
                            </div>
                        }.into_any(),
                        Shown::Collected(collected) => view! {
                            <div class="card">
                                <h2>{format!("Client secret for {}", collected.client_id)}</h2>
                                <SecretOnce label="Client secret" value=collected.client_secret/>
                            </div>
                        }.into_any(),
                        Shown::Rotated(rotated) => view! {
                            <div class="card">
                                <h2>{format!("New secret for {}", rotated.client_id)}</h2>
                                <p>"The previous secret keeps working until "<Moment at=rotated.previous_secret_valid_until/>"."</p>
                                <SecretOnce label="Client secret" value=rotated.client_secret/>
                            </div>
                        }.into_any(),
                    })}
                    {move || actions.force.value().get().and_then(Result::ok).map(|forced| view! {
                        <div class="alert alert-success" role="status">
                            {format!("Rotation forced: the current secret of {} stops working after ", forced.client_id)}
                            <Moment at=forced.previous_secret_valid_until/>
                            ". The owners have been asked to collect a new one before "<Moment at=forced.collect_by/>"."
                        </div>
                    })}
                    {move || matches!(actions.revoke.value().get(), Some(Ok(()))).then(|| view! {
                        <div class="alert alert-success" role="status">"Revoked: the credentials stopped working. The organisation has been told why."</div>
                    })}
                    {errors.into_iter().map(|error| view! { <FormAlert error/> }).collect_view()}
                </div>
                <Transition fallback=|| view! { <p class="muted">"Loading credentials…"</p> }>
                    {move || page.get().map(|result| match result {
                        Err(e) => view! { <PageError error=e back_href="/applications" back_label="All applications"/> }.into_any(),
                        Ok(data) => view! { <Credentials data actions/> }.into_any(),
                    })}
                </Transition>
            </section>
        </RequireRole>
    }
}

#[component]
fn Credentials(data: CredentialsPageData, actions: Actions) -> impl IntoView {
    let CredentialsPageData { application, overview } = data;
    let offers = overview.offers;
    let needs_step_up = overview.needs_step_up;
    let id = application.id.clone();
    let issue = actions.issue;
    let issue_button = move |environment: Environment, label: &'static str| {
        let id = id.clone();
        view! {
            <ActionForm action=issue attr:class="inline-form">
                <input type="hidden" name="id" value=id/>
                <input type="hidden" name="environment" value=environment.as_str()/>
                <Submit label busy_label="Issuing…" pending=issue.pending()/>
            </ActionForm>
        }
    };
    view! {
        <p class="muted">{format!("{} · {}", application.reference, application.org_name)}</p>
        <Title text=format!("API credentials: {}", application.content.name)/>
        <h1>{format!("API credentials: {}", application.content.name)}</h1>
        <p>
            <span class=format!("badge status-{}", application.status.as_str())>{application.status.label()}</span>
            " "<a href=format!("/applications/{}", application.id)>"Back to the application"</a>
        </p>
        <p class="hint">
            "Sandbox credentials reach test data only and carry the requested scopes. Production credentials are issued by "
            "an admin after approval and carry exactly the granted scopes; their secret is collected by an owner of the "
            "organisation and seen by nobody else. Use them with the OAuth 2.0 client credentials grant at "
            <code>{overview.token_url.clone()}</code> " (described with the rest of the API in "
            <a href="/api/v1/openapi.json">"the OpenAPI document"</a> ")."
        </p>
        <div class="actions">
            {offers.issue_sandbox.then(|| issue_button(Environment::Sandbox, "Get sandbox credentials"))}
            {offers.issue_production.then(|| issue_button(Environment::Production, "Issue production credentials"))}
        </div>
        {if overview.credentials.is_empty() {
            view! { <p class="empty">"No credentials yet."</p> }.into_any()
        } else {
            view! {
                <div class="credential-list">
                    {overview.credentials.into_iter().map(|credential| view! {
                        <CredentialCard credential offers needs_step_up actions/>
                    }).collect_view()}
                </div>
            }.into_any()
        }}
        {(offers.suspend || offers.reinstate).then(|| view! { <AccessChange id=application.id.clone() suspend=offers.suspend change=actions.change/> })}
    }
}

#[component]
fn CredentialCard(credential: CredentialView, offers: Offers, needs_step_up: bool, actions: Actions) -> impl IntoView {
    let usable = matches!(credential.state, CredentialState::Active | CredentialState::Suspended);
    let environment = credential.environment;
    let may = move |what| usable && offers.may(environment, what);
    let client_id = credential.client_id.clone();
    let (rotate_id, force_id, revoke_id) = (client_id.clone(), client_id.clone(), client_id.clone());
    let reason_id = format!("reason-{}", credential.client_id);
    let waiting = credential.collect_by.clone().filter(|_| credential.state.is_live());
    let collect = (offers.may(environment, Management::Collect) && waiting.is_some()).then(|| {
        view! { <Collect client_id needs_step_up actions/> }
    });
    let (rotate, revoke, force) = (actions.rotate, actions.revoke, actions.force);
    view! {
        <article class="card credential" aria-label=format!("{} credentials {}", environment.label(), credential.client_id)>
            <h2>
                <span class=format!("badge env-{}", environment.as_str())>{environment.label()}</span>
                " "<code>{credential.client_id.clone()}</code>
                " "<span class=format!("badge state-{:?}", credential.state).to_lowercase()>{credential.state.label()}</span>
            </h2>
            <dl class="facts">
                <dt>"Scopes"</dt><dd><ScopeNames names=credential.scopes.clone()/></dd>
                <dt>"Created"</dt><dd><Moment at=credential.created_at.clone()/>{format!(" by {}", credential.created_by)}</dd>
                <dt>"Last used"</dt><dd>{credential.last_used_at.clone().map_or_else(|| "Never".into_any(), |at| view! { <Moment at=at/> }.into_any())}</dd>
                <dt>"Expires"</dt><dd><Moment at=credential.expires_at.clone()/></dd>
                {waiting.clone().map(|at| view! {
                    <dt>"New secret waits for the owners until"</dt><dd><Moment at=at/></dd>
                })}
                {(credential.state == CredentialState::Lapsed).then(|| view! {
                    <dt>"Secret"</dt><dd>"Never collected: these credentials never worked. An admin can issue new ones."</dd>
                })}
                {(!credential.previous_secrets_valid_until.is_empty()).then(|| view! {
                    <dt>"Previous secrets valid until"</dt><dd>{moments(&credential.previous_secrets_valid_until)}</dd>
                })}
                {credential.revoked_at.clone().map(|at| view! {
                    <dt>"Revoked"</dt>
                    <dd><Moment at=at/>{credential.revoked_reason.clone().map(|r| format!(": {r}"))}</dd>
                })}
            </dl>
            {collect}
            <div class="actions">
                {may(Management::Rotate).then(|| view! {
                    <details class="confirm">
                        <summary>"Rotate the secret…"</summary>
                        <ActionForm action=rotate attr:class="confirm-body">
                            <input type="hidden" name="client_id" value=rotate_id/>
                            <p>"A new secret is shown once, to you; the current one keeps working for the overlap window, then stops."</p>
                            <button type="submit" class="button secondary small">"Rotate now"</button>
                        </ActionForm>
                    </details>
                })}
                {may(Management::ForceRotation).then(|| view! {
                    <details class="confirm">
                        <summary>"Force a rotation…"</summary>
                        <ActionForm action=force attr:class="confirm-body">
                            <input type="hidden" name="client_id" value=force_id/>
                            <p>"The current secret keeps working for the overlap window, then stops. The organisation's owners are mailed to collect a new secret; you will not see it."</p>
                            <button type="submit" class="button secondary small">"Force rotation"</button>
                        </ActionForm>
                    </details>
                })}
                {(credential.state.is_live() && offers.may(environment, Management::Revoke)).then(|| view! {
                    <details class="confirm">
                        <summary>"Revoke…"</summary>
                        <ActionForm action=revoke attr:class="confirm-body">
                            <input type="hidden" name="client_id" value=revoke_id/>
                            <label for=reason_id.clone()>"Reason (sent to the organisation)"</label>
                            <textarea id=reason_id name="reason" rows="2" required maxlength="2000"></textarea>
                            <p>"Every secret and token of these credentials stops working at once. This cannot be undone."</p>
                            <button type="submit" class="button danger small">"Revoke credentials"</button>
                        </ActionForm>
                    </details>
                })}
            </div>
        </article>
    }
}

/// An owner collects a waiting production secret, confirming their password first unless
/// they signed in moments ago.
#[component]
fn Collect(client_id: String, needs_step_up: bool, actions: Actions) -> impl IntoView {
    let (collect, step_up) = (actions.collect, actions.step_up);
    let step_up_error = last_error(step_up);
    // The page may have been open a while: the server's refusal also asks for the password.
    let asked = move || {
        needs_step_up
            || matches!(collect.value().get(), Some(Err(crate::error::AppError::StepUpRequired(_))))
                && step_up.version().get() == 0
    };
    // An account with a second factor confirms with a code from it, others with the password.
    let session = crate::components::layout::Session::get();
    let with_code = move || {
        session.user.with_untracked(|user| {
            matches!(user, Some(Ok(Some(user))) if user.second_factor == portcullis_domain::account::SecondFactorState::Enabled)
        })
    };
    view! {
        <div class="collect" role="group" aria-label="Collect the secret">
            <p><strong>"A secret waits for you."</strong> " It is shown once, to you only: have your server's secret store ready."</p>
            {move || if asked() {
                let field = if with_code() {
                    view! { <Field label="Code from your authenticator app" name="code" autocomplete="one-time-code" error=step_up_error/> }.into_any()
                } else {
                    view! { <Field label="Your password" name="password" kind="password" autocomplete="current-password" error=step_up_error/> }.into_any()
                };
                view! {
                    <ActionForm action=step_up attr:class="confirm-body">
                        <p>"Confirm it is you first: collecting a production secret needs a recent confirmation."</p>
                        {field}
                        <Submit label="Confirm" busy_label="Checking…" pending=step_up.pending()/>
                    </ActionForm>
                }.into_any()
            } else {
                let client_id = client_id.clone();
                view! {
                    <ActionForm action=collect attr:class="inline-form">
                        <input type="hidden" name="client_id" value=client_id/>
                        <Submit label="Collect the secret" busy_label="Collecting…" pending=collect.pending()/>
                    </ActionForm>
                }.into_any()
            }}
        </div>
    }
}

#[component]
fn AccessChange(id: String, suspend: bool, change: ServerAction<ChangeAccess>) -> impl IntoView {
    let (summary, explanation, button, value) = if suspend {
        (
            "Suspend API access…",
            "Every credential and token of this application stops working until it is reinstated.",
            "Suspend access",
            "suspend",
        )
    } else {
        ("Reinstate API access…", "The application's credentials work again.", "Reinstate access", "reinstate")
    };
    view! {
        <h2>"Access"</h2>
        <details class="confirm">
            <summary>{summary}</summary>
            <ActionForm action=change attr:class="confirm-body">
                <input type="hidden" name="id" value=id/>
                <input type="hidden" name="change" value=value/>
                <label for="access-reason">"Reason (sent to the organisation)"</label>
                <textarea id="access-reason" name="reason" rows="2" required maxlength="2000"></textarea>
                <p>{explanation}</p>
                <button type="submit" class=if suspend { "button danger small" } else { "button primary small" }>{button}</button>
            </ActionForm>
        </details>
    }
}

/// Several moments in one line of text.
fn moments(all: &[String]) -> String {
    all.iter().map(|at| moment_text(at)).collect::<Vec<_>>().join(", ")
}
