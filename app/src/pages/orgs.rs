//! Organisations: create one, see its people, invite teammates, accept an invitation, confirm
//! the contact address.

use crate::api::orgs::{
    AcceptInvitation, CreateOrg, InviteMember, ResendContactVerification, VerifyContact, get_org, list_orgs,
};
use crate::components::form::{ErrorAlert, Field, FormAlert, Submit, last_error};
use crate::components::layout::RequireRole;
use crate::error::server_action;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};
use portcullis_domain::org::{MemberRole, OrgDetail};

#[component]
pub fn OrgsPage() -> impl IntoView {
    view! {
        <RequireRole>
            <Orgs/>
        </RequireRole>
    }
}

#[component]
fn Orgs() -> impl IntoView {
    let create = server_action::<CreateOrg>();
    let error = last_error(create);
    let orgs = Resource::new(move || create.version().get(), |_| list_orgs());
    view! {
        <section>
            <h1>"Organisations"</h1>
            <p class="muted">"Applications belong to an organisation; every member can edit its drafts, owners can withdraw them and invite people."</p>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || orgs.get().map(|result| match result {
                    Err(e) => view! { <ErrorAlert error=e/> }.into_any(),
                    Ok(orgs) if orgs.is_empty() => view! { <p class="empty">"You do not belong to an organisation yet. Create one below."</p> }.into_any(),
                    Ok(orgs) => view! {
                        <ul class="list">
                            {orgs.into_iter().map(|org| view! {
                                <li>
                                    <a href=format!("/orgs/{}", org.id)>{org.name.clone()}</a>
                                    <span class="muted">{format!(" · {} · you are {}", org.country, org.my_role.as_str())}</span>
                                </li>
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                })}
            </Transition>
            <div class="card narrow-left">
                <h2>"Create an organisation"</h2>
                <ActionForm action=create>
                    <FormAlert error/>
                    <Field label="Legal name" name="name" autocomplete="organization" error/>
                    <Field label="Country" name="country" autocomplete="country" hint="Two-letter ISO code, for example DE or FR." error/>
                    <Field label="Website" name="website" kind="url" autocomplete="url" hint="Starting with https://" error/>
                    <Field label="Contact email" name="contact_email" kind="email" autocomplete="email"
                        hint="Where news about the organisation's applications goes, besides its members. Any address but yours gets a link to confirm it first." error/>
                    <Submit label="Create organisation" busy_label="Creating…" pending=create.pending()/>
                </ActionForm>
            </div>
        </section>
    }
}

#[component]
pub fn OrgPage() -> impl IntoView {
    view! {
        <RequireRole>
            <Org/>
        </RequireRole>
    }
}

#[component]
fn Org() -> impl IntoView {
    let params = use_params_map();
    let invite = server_action::<InviteMember>();
    let detail = Resource::new(
        move || (params.read().get("id").unwrap_or_default(), invite.version().get()),
        |(id, _)| get_org(id),
    );
    view! {
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || detail.get().map(|result| match result {
                Err(e) => view! { <ErrorAlert error=e/> }.into_any(),
                Ok(detail) => view! { <OrgDetailView detail invite/> }.into_any(),
            })}
        </Transition>
    }
}

#[component]
fn OrgDetailView(detail: OrgDetail, invite: ServerAction<InviteMember>) -> impl IntoView {
    let error = last_error(invite);
    let org = detail.org;
    let owner = org.my_role == MemberRole::Owner;
    let org_id = org.id.clone();
    view! {
        <section>
            <h1>{org.name.clone()}</h1>
            <p class="muted">{format!("{} · {} · {}", org.country, org.website, org.contact_email)}</p>
            {(!org.contact_verified).then(|| view! { <ContactReminder org_id=org.id.clone() email=org.contact_email.clone() owner/> })}
            <p><a class="button primary" href=format!("/applications/new?org={}", org.id)>"Start an application"</a></p>
            <h2>"Members"</h2>
            <div class="table-scroll">
                <table>
                    <thead><tr><th scope="col">"Name"</th><th scope="col">"Email"</th><th scope="col">"Role"</th></tr></thead>
                    <tbody>
                        {detail.members.into_iter().map(|m| view! {
                            <tr><td>{m.name}</td><td>{m.email}</td><td>{m.role.as_str()}</td></tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
            {(!detail.invitations.is_empty()).then(|| view! {
                <h2>"Pending invitations"</h2>
                <ul class="list">
                    {detail.invitations.into_iter().map(|i| view! {
                        <li>{format!("{} ({}), valid until {}", i.email, i.role.as_str(), i.expires_at)}</li>
                    }).collect_view()}
                </ul>
            })}
            {owner.then(|| view! {
                <div class="card narrow-left">
                    <h2>"Invite a teammate"</h2>
                    {move || invite.value().get().and_then(Result::ok).map(|email| view! {
                        <div class="alert alert-success" role="status">{format!("Invitation sent to {email}.")}</div>
                    })}
                    <ActionForm action=invite>
                        <FormAlert error/>
                        <input type="hidden" name="org_id" value=org_id.clone()/>
                        <Field label="Email" name="email" kind="email" autocomplete="off" error/>
                        <label class="checkbox"><input type="checkbox" name="owner"/>"Make them an owner"</label>
                        <Submit label="Send invitation" busy_label="Sending…" pending=invite.pending()/>
                    </ActionForm>
                </div>
            })}
        </section>
    }
}

/// An unconfirmed contact address hears nothing: say so, and let owners send the link again.
#[component]
fn ContactReminder(org_id: String, email: String, owner: bool) -> impl IntoView {
    let resend = server_action::<ResendContactVerification>();
    let error = last_error(resend);
    view! {
        <div class="alert alert-warning" role="status">
            <p>
                {format!("The contact address {email} is not confirmed yet: we mailed it a link. ")}
                "Until someone opens it, news about applications goes to the members only."
            </p>
            {owner.then(|| view! {
                <ActionForm action=resend attr:class="inline-form">
                    <input type="hidden" name="org_id" value=org_id.clone()/>
                    <Submit label="Send the link again" busy_label="Sending…" pending=resend.pending()/>
                </ActionForm>
            })}
            {move || matches!(resend.value().get(), Some(Ok(()))).then(|| view! {
                <p>"Sent. The earlier link no longer works."</p>
            })}
            <FormAlert error/>
        </div>
    }
}

/// Opened from the link mailed to a contact address; works without signing in.
#[component]
pub fn VerifyContactPage() -> impl IntoView {
    let query = use_query_map();
    let token = move || query.read().get("token").unwrap_or_default();
    let done = move || query.read().get("done").is_some();
    let action = server_action::<VerifyContact>();
    let error = last_error(action);
    let verified = move || done() || matches!(action.value().get(), Some(Ok(())));
    view! {
        <section class="card narrow">
            <h1>"Confirm a contact address"</h1>
            <Show
                when=verified
                fallback=move || view! {
                    <p>"An organisation named this address as its contact on Portcullis. Confirm it to receive news about its applications."</p>
                    <ActionForm action>
                        <FormAlert error/>
                        <input type="hidden" name="token" value=token/>
                        <Submit label="Confirm this address" busy_label="Confirming…" pending=action.pending()/>
                    </ActionForm>
                }
            >
                <div class="alert alert-success" role="status">
                    <p>"The address is confirmed. News about the organisation's applications will come here."</p>
                </div>
            </Show>
        </section>
    }
}

#[component]
pub fn AcceptInvitationPage() -> impl IntoView {
    let query = use_query_map();
    let token = move || query.read().get("token").unwrap_or_default();
    let accept = server_action::<AcceptInvitation>();
    let error = last_error(accept);
    view! {
        <RequireRole>
            <section class="card narrow">
                <h1>"Join an organisation"</h1>
                <p>"Accept the invitation to work on the organisation's applications. You must be signed in with the address it was sent to."</p>
                <ActionForm action=accept>
                    <FormAlert error/>
                    <input type="hidden" name="token" value=token/>
                    <Submit label="Accept invitation" busy_label="Joining…" pending=accept.pending()/>
                </ActionForm>
            </section>
        </RequireRole>
    }
}
