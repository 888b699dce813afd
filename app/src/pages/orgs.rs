//! Organisations: create one, see its people, invite teammates, accept an invitation, confirm
//! the contact address.

use crate::api::orgs::{
    AcceptInvitation, CreateOrg, InviteMember, RemoveMember, ResendContactVerification, RevokeInvitation,
    SetMemberRole, VerifyContact, get_org, list_orgs,
};
use crate::components::form::{ErrorAlert, Field, FormAlert, Submit, last_error};
use crate::components::layout::{RequireRole, Session};
use crate::components::moment::Moment;
use crate::error::server_action;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use portcullis_domain::org::{InvitationView, MemberRole, MemberView, OrgDetail};

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
            <Title text="Organisations"/>
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
    let changes = MembershipActions {
        remove: server_action::<RemoveMember>(),
        set_role: server_action::<SetMemberRole>(),
        revoke: server_action::<RevokeInvitation>(),
    };
    let detail = Resource::new(
        move || {
            let versions =
                (changes.remove.version().get(), changes.set_role.version().get(), changes.revoke.version().get());
            (params.read().get("id").unwrap_or_default(), invite.version().get(), versions)
        },
        |(id, _, _)| get_org(id),
    );
    view! {
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || detail.get().map(|result| match result {
                Err(e) => view! { <ErrorAlert error=e/> }.into_any(),
                Ok(detail) => view! { <OrgDetailView detail invite changes/> }.into_any(),
            })}
        </Transition>
    }
}

/// What an organisation's page can change about who belongs to it.
#[derive(Clone, Copy)]
struct MembershipActions {
    remove: ServerAction<RemoveMember>,
    set_role: ServerAction<SetMemberRole>,
    revoke: ServerAction<RevokeInvitation>,
}

#[component]
fn OrgDetailView(detail: OrgDetail, invite: ServerAction<InviteMember>, changes: MembershipActions) -> impl IntoView {
    let error = last_error(invite);
    let remove_error = last_error(changes.remove);
    let role_error = last_error(changes.set_role);
    let revoke_error = last_error(changes.revoke);
    let me = Session::get().user.get_untracked().and_then(Result::ok).flatten().map(|u| u.id).unwrap_or_default();
    let org = detail.org;
    let owner = org.my_role == MemberRole::Owner;
    let org_id = org.id.clone();
    view! {
        <section>
            <Title text=org.name.clone()/>
            <h1>{org.name.clone()}</h1>
            <p class="muted">{format!("{} · {} · {}", org.country, org.website, org.contact_email)}</p>
            {(!org.contact_verified).then(|| view! { <ContactReminder org_id=org.id.clone() email=org.contact_email.clone() owner/> })}
            <p><a class="button primary" href=format!("/applications/new?org={}", org.id)>"Start an application"</a></p>
            <h2>"Members"</h2>
            <FormAlert error=remove_error/>
            <FormAlert error=role_error/>
            <div class="table-scroll">
                <table class="stack">
                    <thead><tr><th scope="col">"Name"</th><th scope="col">"Email"</th><th scope="col">"Role"</th><th scope="col">"Actions"</th></tr></thead>
                    <tbody>
                        {detail.members.into_iter().map(|m| {
                            let mine = m.user_id == me;
                            view! { <MemberRow org_id=org_id.clone() member=m mine owner changes/> }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
            {(!detail.invitations.is_empty()).then(|| view! {
                <h2>"Pending invitations"</h2>
                <FormAlert error=revoke_error/>
                <ul class="list">
                    {detail.invitations.into_iter().map(|i| view! {
                        <InvitationRow invitation=i owner revoke=changes.revoke/>
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
                        <div class="checkbox-row"><label class="checkbox"><input type="checkbox" name="owner"/>"Make them an owner"</label></div>
                        <Submit label="Send invitation" busy_label="Sending…" pending=invite.pending()/>
                    </ActionForm>
                </div>
            })}
        </section>
    }
}

/// One member: owners change roles and remove people; everyone may leave, after confirming.
#[component]
fn MemberRow(org_id: String, member: MemberView, mine: bool, owner: bool, changes: MembershipActions) -> impl IntoView {
    let (next_role, role_label) = match member.role {
        MemberRole::Owner => ("member", "Make member"),
        MemberRole::Member => ("owner", "Make owner"),
    };
    let remove_label = if mine { "Leave…" } else { "Remove…" };
    let remove_text = if mine {
        "You will no longer see this organisation's applications. An owner can invite you again.".to_owned()
    } else {
        format!("{} will no longer see this organisation's applications, at once.", member.name)
    };
    let confirm_label = if mine { "Leave the organisation" } else { "Remove from the organisation" };
    let (role_org, role_user) = (org_id.clone(), member.user_id.clone());
    view! {
        <tr>
            <td>{member.name.clone()}{mine.then_some(" (you)")}</td>
            <td>{member.email.clone()}</td>
            <td>{member.role.as_str()}</td>
            <td><div class="row-actions">
                {(owner && !mine).then(|| view! {
                    <ActionForm action=changes.set_role attr:class="inline-form">
                        <input type="hidden" name="org_id" value=role_org/>
                        <input type="hidden" name="user_id" value=role_user/>
                        <input type="hidden" name="role" value=next_role/>
                        <button type="submit" class="button secondary small">{role_label}</button>
                    </ActionForm>
                })}
                {(owner || mine).then(|| view! {
                    <details class="confirm">
                        <summary>{remove_label}</summary>
                        <ActionForm action=changes.remove attr:class="confirm-body">
                            <input type="hidden" name="org_id" value=org_id.clone()/>
                            <input type="hidden" name="user_id" value=member.user_id.clone()/>
                            <p>{remove_text}</p>
                            <button type="submit" class="button danger small">{confirm_label}</button>
                        </ActionForm>
                    </details>
                })}
            </div></td>
        </tr>
    }
}

#[component]
fn InvitationRow(invitation: InvitationView, owner: bool, revoke: ServerAction<RevokeInvitation>) -> impl IntoView {
    view! {
        <li>
            {format!("{} ({}), valid until ", invitation.email, invitation.role.as_str())}<Moment at=invitation.expires_at.clone()/>" "
            {owner.then(|| view! {
                <ActionForm action=revoke attr:class="inline-form">
                    <input type="hidden" name="org_id" value=invitation.org_id.clone()/>
                    <input type="hidden" name="invitation_id" value=invitation.id.clone()/>
                    <button type="submit" class="button secondary small">"Withdraw"</button>
                </ActionForm>
            })}
        </li>
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
            <Title text="Confirm a contact address"/>
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
                <Title text="Join an organisation"/>
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
