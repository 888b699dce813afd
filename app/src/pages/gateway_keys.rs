//! Admins create and revoke the keys the platform's gateway introspects tokens with.

use crate::api::credentials::{CreateGatewayKey, RevokeGatewayKey, list_gateway_keys};
use crate::components::form::{ErrorAlert, FormAlert, Submit, last_error};
use crate::components::layout::RequireRole;
use crate::components::moment::Moment;
use crate::components::secret::SecretOnce;
use crate::error::server_action;
use leptos::prelude::*;
use leptos_meta::Title;
use portcullis_domain::role::Role;

#[component]
pub fn GatewayKeysPage() -> impl IntoView {
    let create = server_action::<CreateGatewayKey>();
    let revoke = server_action::<RevokeGatewayKey>();
    let keys = Resource::new(move || (create.version().get(), revoke.version().get()), |_| list_gateway_keys());
    let create_error = last_error(create);
    let revoke_error = last_error(revoke);
    let name_error = Signal::derive(move || create_error.get().and_then(|e| e.field("name")));
    view! {
        <RequireRole any_of=&[Role::Admin]>
            <section>
                <Title text="Gateway keys"/>
                <h1>"Gateway keys"</h1>
                <p class="lead">
                    "The platform's API gateway calls " <code>"POST /oauth/introspect"</code>
                    " with one of these keys as a Bearer token to learn whether an access token is active."
                </p>
                <div aria-live="polite">
                    {move || create.value().get().and_then(Result::ok).map(|key| view! {
                        <div class="card">
                            <h2>{format!("Key “{}” created", key.name)}</h2>
                            <SecretOnce label="Gateway key" value=key.key/>
                        </div>
                    })}
                    {move || matches!(revoke.value().get(), Some(Ok(()))).then(|| view! {
                        <div class="alert alert-success" role="status">"Revoked: the key stopped working."</div>
                    })}
                    <FormAlert error=revoke_error/>
                </div>
                <ActionForm action=create attr:class="card">
                    <FormAlert error=create_error/>
                    <div class="field">
                        <label for="key-name">"Name"</label>
                        <p class="hint" id="key-name-hint">"Which gateway uses it, e.g. “Edge gateway eu-west”."</p>
                        <input id="key-name" name="name" type="text" required maxlength="100" aria-describedby="key-name-hint"
                            aria-invalid=move || name_error.get().is_some().then_some("true")/>
                        {move || name_error.get().map(|m| view! { <p class="field-error">{m}</p> })}
                    </div>
                    <Submit label="Create key" busy_label="Creating…" pending=create.pending()/>
                </ActionForm>
                <Transition fallback=|| view! { <p class="muted">"Loading keys…"</p> }>
                    {move || keys.get().map(|result| match result {
                        Err(e) => view! { <ErrorAlert error=e/> }.into_any(),
                        Ok(keys) if keys.is_empty() => view! { <p class="empty">"No gateway keys yet."</p> }.into_any(),
                        Ok(keys) => view! {
                            <div class="table-scroll">
                                <table>
                                    <thead><tr>
                                        <th scope="col">"Name"</th><th scope="col">"Created"</th><th scope="col">"Last used"</th>
                                        <th scope="col">"State"</th><th scope="col">"Action"</th>
                                    </tr></thead>
                                    <tbody>
                                        {keys.into_iter().map(|key| {
                                            let revoked = key.revoked_at.is_some();
                                            let id = key.id.clone();
                                            view! {
                                                <tr class:disabled=revoked>
                                                    <td>{key.name.clone()}</td>
                                                    <td><Moment at=key.created_at.clone()/>{format!(" by {}", key.created_by)}</td>
                                                    <td>{key.last_used_at.clone().map_or_else(|| "Never".into_any(), |at| view! { <Moment at=at/> }.into_any())}</td>
                                                    <td>{key.revoked_at.clone().map_or_else(|| "Active".into_any(), |at| view! { "Revoked " <Moment at=at/> }.into_any())}</td>
                                                    <td>
                                                        {(!revoked).then(|| view! {
                                                            <details class="confirm">
                                                                <summary>"Revoke…"</summary>
                                                                <ActionForm action=revoke attr:class="confirm-body">
                                                                    <input type="hidden" name="id" value=id/>
                                                                    <p>"Gateways using this key are refused at once."</p>
                                                                    <button type="submit" class="button danger small">{format!("Revoke “{}”", key.name)}</button>
                                                                </ActionForm>
                                                            </details>
                                                        })}
                                                    </td>
                                                </tr>
                                            }
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                        }.into_any(),
                    })}
                </Transition>
            </section>
        </RequireRole>
    }
}
