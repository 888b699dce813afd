//! An application's API credentials: sandbox ones for the organisation once submitted,
//! production ones issued by admins behind an approval; rotation, revocation, suspension.
//! Secrets appear once, right after they are created, and never again.

use crate::api::credentials::{
    ChangeAccess, CredentialsPageData, IssueCredentials, RevokeCredentials, RotateCredentials, credentials_page,
};
use crate::components::form::{ErrorAlert, FormAlert, Submit, last_error};
use crate::components::layout::RequireRole;
use crate::components::secret::SecretOnce;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use portcullis_domain::credential::{CredentialState, CredentialView, Environment, Offers};

#[component]
pub fn CredentialsPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.read().get("id").unwrap_or_default());
    let issue = ServerAction::<IssueCredentials>::new();
    let rotate = ServerAction::<RotateCredentials>::new();
    let revoke = ServerAction::<RevokeCredentials>::new();
    let change = ServerAction::<ChangeAccess>::new();
    let page = Resource::new(
        move || {
            (id.get(), issue.version().get(), rotate.version().get(), revoke.version().get(), change.version().get())
        },
        |(id, ..)| credentials_page(id),
    );
    let errors = [last_error(issue), last_error(rotate), last_error(revoke), last_error(change)];
    view! {
        <RequireRole>
            <section class="credentials">
                <div aria-live="polite">
                    {move || issue.value().get().and_then(Result::ok).map(|issued| view! {
                        <div class="card">
                            <h2>{format!("New {} credentials", issued.environment.label().to_lowercase())}</h2>
                            <dl class="facts">
                                <dt>"Client ID"</dt><dd><code>{issued.client_id.clone()}</code></dd>
                                <dt>"Scopes"</dt><dd>{issued.scopes.join(", ")}</dd>
                                <dt>"Expires"</dt><dd>{issued.expires_at.clone()}</dd>
                            </dl>
                            <SecretOnce label="Client secret" value=issued.client_secret/>
                        </div>
                    })}
                    {move || rotate.value().get().and_then(Result::ok).map(|rotated| view! {
                        <div class="card">
                            <h2>{format!("New secret for {}", rotated.client_id)}</h2>
                            <p>{format!("The previous secret keeps working until {}.", rotated.previous_secret_valid_until)}</p>
                            <SecretOnce label="Client secret" value=rotated.client_secret/>
                        </div>
                    })}
                    {move || matches!(revoke.value().get(), Some(Ok(()))).then(|| view! {
                        <div class="alert alert-success" role="status">"Revoked: the credentials stopped working. The organisation has been told why."</div>
                    })}
                    {errors.into_iter().map(|error| view! { <FormAlert error/> }).collect_view()}
                </div>
                <Transition fallback=|| view! { <p class="muted">"Loading credentials…"</p> }>
                    {move || page.get().map(|result| match result {
                        Err(e) => view! { <ErrorAlert error=e/> }.into_any(),
                        Ok(data) => view! { <Credentials data issue rotate revoke change/> }.into_any(),
                    })}
                </Transition>
            </section>
        </RequireRole>
    }
}

#[component]
fn Credentials(
    data: CredentialsPageData,
    issue: ServerAction<IssueCredentials>,
    rotate: ServerAction<RotateCredentials>,
    revoke: ServerAction<RevokeCredentials>,
    change: ServerAction<ChangeAccess>,
) -> impl IntoView {
    let CredentialsPageData { application, overview } = data;
    let offers = overview.offers;
    let id = application.id.clone();
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
        <h1>{format!("API credentials: {}", application.content.name)}</h1>
        <p>
            <span class=format!("badge status-{}", application.status.as_str())>{application.status.label()}</span>
            " "<a href=format!("/applications/{}", application.id)>"Back to the application"</a>
        </p>
        <p class="hint">
            "Sandbox credentials reach test data only and carry the requested scopes; production credentials are issued by "
            "an admin after approval and carry exactly the granted scopes. Use them with the OAuth 2.0 client credentials "
            "grant at " <code>"/oauth/token"</code> "."
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
                    {overview.credentials.into_iter().map(|credential| view! { <CredentialCard credential offers rotate revoke/> }).collect_view()}
                </div>
            }.into_any()
        }}
        {(offers.suspend || offers.reinstate).then(|| view! { <AccessChange id=application.id.clone() suspend=offers.suspend change/> })}
    }
}

#[component]
fn CredentialCard(
    credential: CredentialView,
    offers: Offers,
    rotate: ServerAction<RotateCredentials>,
    revoke: ServerAction<RevokeCredentials>,
) -> impl IntoView {
    let usable = matches!(credential.state, CredentialState::Active | CredentialState::Suspended);
    let environment = credential.environment;
    let (rotate_id, revoke_id) = (credential.client_id.clone(), credential.client_id.clone());
    let reason_id = format!("reason-{}", credential.client_id);
    view! {
        <article class="card credential" aria-label=format!("{} credentials {}", environment.label(), credential.client_id)>
            <h2>
                <span class=format!("badge env-{}", environment.as_str())>{environment.label()}</span>
                " "<code>{credential.client_id.clone()}</code>
                " "<span class=format!("badge state-{:?}", credential.state).to_lowercase()>{credential.state.label()}</span>
            </h2>
            <dl class="facts">
                <dt>"Scopes"</dt><dd>{credential.scopes.join(", ")}</dd>
                <dt>"Created"</dt><dd>{format!("{} by {}", credential.created_at, credential.created_by)}</dd>
                <dt>"Last used"</dt><dd>{credential.last_used_at.clone().unwrap_or_else(|| "Never".into())}</dd>
                <dt>"Expires"</dt><dd>{credential.expires_at.clone()}</dd>
                {(!credential.previous_secrets_valid_until.is_empty()).then(|| view! {
                    <dt>"Previous secrets valid until"</dt><dd>{credential.previous_secrets_valid_until.join(", ")}</dd>
                })}
                {credential.revoked_at.clone().map(|at| view! {
                    <dt>"Revoked"</dt>
                    <dd>{format!("{at}{}", credential.revoked_reason.clone().map(|r| format!(": {r}")).unwrap_or_default())}</dd>
                })}
            </dl>
            {usable.then(|| view! {
                <div class="actions">
                    {offers.may_rotate(environment).then(|| view! {
                        <details class="confirm">
                            <summary>"Rotate the secret…"</summary>
                            <ActionForm action=rotate attr:class="confirm-body">
                                <input type="hidden" name="client_id" value=rotate_id/>
                                <p>"A new secret is shown once; the current one keeps working for the overlap window, then stops."</p>
                                <button type="submit" class="button secondary small">"Rotate now"</button>
                            </ActionForm>
                        </details>
                    })}
                    {offers.may_revoke(environment).then(|| view! {
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
            })}
        </article>
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
