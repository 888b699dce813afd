//! Organisations and their members. Applications belong to organisations; membership is
//! what lets a developer see and edit them.

use crate::action_limits::Action;
use crate::applications::submission::org_recipients;
use crate::audit::{self, AuditEvent};
use crate::context::{Actor, Ctx};
use crate::db::{begin_write, lock_for, lock_key};
use crate::entity::{org, org_invitation, org_member, user};
use crate::error::{ServiceError, ServiceResult};
use crate::mail::{enqueue, templates};
use crate::tokens::{new_id, random_token, sha256_hex};
use crate::{Services, timestamp};
use chrono::Duration;
use portcullis_domain::account::normalize_email;
use portcullis_domain::ids::{InvitationId, OrgId, UserId};
use portcullis_domain::org::{
    AcceptInvitationInput, INVITATION_TTL_DAYS, InvitationView, InviteInput, MemberRole, MemberRoleInput, MemberView,
    MembershipError, OrgDetail, OrgInput, OrgView, VerifyContactInput, check_removal, check_role_change,
};
use portcullis_domain::role::Permission;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait,
    IntoActiveModel, PaginatorTrait, QueryFilter, QueryOrder,
};
use serde_json::json;
use std::collections::HashMap;
use validator::Validate;

/// How long the link that confirms a contact address works: a shared inbox may be read weekly.
const CONTACT_TOKEN_TTL_DAYS: i64 = 7;

fn view(org: &org::Model, my_role: MemberRole) -> OrgView {
    OrgView {
        id: org.id.clone(),
        name: org.name.clone(),
        country: org.country.clone(),
        website: org.website.clone(),
        contact_email: org.contact_email.clone(),
        contact_verified: org.contact_verified_at.is_some(),
        my_role,
        created_at: timestamp(org.created_at),
    }
}

/// The caller's role in `org_id`, if a member.
pub(crate) async fn membership(
    conn: &impl ConnectionTrait,
    org_id: &str,
    user_id: &str,
) -> ServiceResult<Option<MemberRole>> {
    let member = org_member::Entity::find_by_id((org_id.to_owned(), user_id.to_owned())).one(conn).await?;
    member.map(|m| crate::stored::parse("memberships.role", &m.role)).transpose()
}

/// The names of the organisations `ids`, by id: one query for a page of rows, not one per row.
pub(crate) async fn names<'a>(
    conn: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = &'a str>,
) -> ServiceResult<HashMap<String, String>> {
    let orgs = org::Entity::find().filter(org::Column::Id.is_in(ids)).all(conn).await?;
    Ok(orgs.into_iter().map(|o| (o.id, o.name)).collect())
}

/// Email and name of every enabled owner of `org_id`: the only people who collect and rotate
/// production secrets.
pub(crate) async fn owners(conn: &impl ConnectionTrait, org_id: &str) -> ServiceResult<Vec<(String, String)>> {
    let members = org_member::Entity::find()
        .filter(org_member::Column::OrgId.eq(org_id))
        .filter(org_member::Column::Role.eq(MemberRole::Owner.as_str()))
        .all(conn)
        .await?;
    let users = user::Entity::find()
        .filter(user::Column::Id.is_in(members.into_iter().map(|m| m.user_id)))
        .filter(user::Column::DisabledAt.is_null())
        .order_by_asc(user::Column::Email)
        .all(conn)
        .await?;
    Ok(users.into_iter().map(|u| (u.email, u.name)).collect())
}

/// Loads an organisation for one of its members; everyone else gets `NotFound`, so ids of
/// other organisations reveal nothing.
async fn for_member(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    org_id: &str,
) -> ServiceResult<(org::Model, MemberRole)> {
    let role = membership(conn, org_id, &actor.user_id).await?.ok_or(ServiceError::NotFound)?;
    let org = org::Entity::find_by_id(org_id).one(conn).await?.ok_or(ServiceError::NotFound)?;
    Ok((org, role))
}

pub async fn create(services: &Services, ctx: &Ctx, input: OrgInput) -> ServiceResult<OrgView> {
    ctx.require(Permission::Apply)?;
    let actor = ctx.verified()?;
    let input = input.normalized();
    input.validate()?;
    let now = services.clock().now();
    // The creator's own address is verified already; any other is mailed a link first.
    let contact_is_mine = input.contact_email == normalize_email(&actor.email);
    let token = (!contact_is_mine).then(random_token);
    let txn = begin_write(services.db()).await?;
    let org = org::ActiveModel {
        id: Set(new_id()),
        name: Set(input.name),
        country: Set(input.country),
        website: Set(input.website),
        contact_email: Set(input.contact_email),
        created_by: Set(actor.user_id.clone()),
        created_at: Set(now),
        contact_verified_at: Set(contact_is_mine.then_some(now)),
        contact_token_hash: Set(token.as_deref().map(sha256_hex)),
        contact_token_expires_at: Set(token.is_some().then(|| now + Duration::days(CONTACT_TOKEN_TTL_DAYS))),
        mockup_bytes: Set(0),
    }
    .insert(&txn)
    .await?;
    if let Some(token) = &token {
        let link = services.config().link("verify-contact", token);
        enqueue(
            &txn,
            services.clock(),
            templates::org_contact_verification(&org.contact_email, &org.name, &actor.name, &link),
        )
        .await?;
    }
    org_member::ActiveModel {
        org_id: Set(org.id.clone()),
        user_id: Set(actor.user_id.clone()),
        role: Set(MemberRole::Owner.as_str().to_owned()),
        joined_at: Set(now),
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        services.clock(),
        ctx,
        AuditEvent::new("org.created", "org", org.id.clone())
            .details(json!({ "name": org.name, "country": org.country })),
    )
    .await?;
    txn.commit().await?;
    if token.is_some() {
        services.wake_mail_worker();
    }
    Ok(view(&org, MemberRole::Owner))
}

/// Mails a new confirmation link to the organisation's unconfirmed contact address; owners only.
pub async fn resend_contact_verification(services: &Services, ctx: &Ctx, org_id: &str) -> ServiceResult<()> {
    let actor = ctx.require(Permission::Apply)?;
    let now = services.clock().now();
    let txn = begin_write(services.db()).await?;
    let (org, role) = for_member(&txn, actor, org_id).await?;
    if role != MemberRole::Owner {
        return Err(ServiceError::NotAllowed("Only owners of the organisation can send the link again.".into()));
    }
    if org.contact_verified_at.is_some() {
        return Err(ServiceError::Conflict(format!("{} is confirmed already.", org.contact_email)));
    }
    // Counted only when a mail would go out, so a refused attempt costs nothing.
    services.limit(Action::VerifyResend, ctx)?;
    let token = random_token();
    let mut pending = org.clone().into_active_model();
    pending.contact_token_hash = Set(Some(sha256_hex(&token)));
    pending.contact_token_expires_at = Set(Some(now + Duration::days(CONTACT_TOKEN_TTL_DAYS)));
    pending.update(&txn).await?;
    let link = services.config().link("verify-contact", &token);
    enqueue(
        &txn,
        services.clock(),
        templates::org_contact_verification(&org.contact_email, &org.name, &actor.name, &link),
    )
    .await?;
    audit::record(&txn, services.clock(), ctx, AuditEvent::new("org.contact_verification_sent", "org", org.id.clone()))
        .await?;
    txn.commit().await?;
    services.wake_mail_worker();
    Ok(())
}

/// Confirms an organisation's contact address from the link mailed to it. Whoever reads that
/// mailbox holds the link, so no sign-in is needed.
pub async fn verify_contact(services: &Services, ctx: &Ctx, input: VerifyContactInput) -> ServiceResult<()> {
    input.validate()?;
    let now = services.clock().now();
    let txn = begin_write(services.db()).await?;
    let org = org::Entity::find()
        .filter(org::Column::ContactTokenHash.eq(sha256_hex(&input.token)))
        .one(&txn)
        .await?
        .filter(|o| o.contact_token_expires_at.is_some_and(|at| at > now))
        .ok_or(ServiceError::InvalidToken)?;
    let mut verified = org.clone().into_active_model();
    verified.contact_verified_at = Set(Some(now));
    verified.contact_token_hash = Set(None);
    verified.contact_token_expires_at = Set(None);
    verified.update(&txn).await?;
    audit::record(
        &txn,
        services.clock(),
        ctx,
        AuditEvent::new("org.contact_verified", "org", org.id.clone()).details(json!({ "email": org.contact_email })),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// The caller's organisations, oldest first.
pub async fn list_mine(services: &Services, ctx: &Ctx) -> ServiceResult<Vec<OrgView>> {
    let actor = ctx.signed_in()?;
    let memberships = org_member::Entity::find()
        .filter(org_member::Column::UserId.eq(&actor.user_id))
        .order_by_asc(org_member::Column::JoinedAt)
        .all(services.db())
        .await?;
    let mut orgs = Vec::with_capacity(memberships.len());
    for membership in memberships {
        let role = crate::stored::parse("memberships.role", &membership.role)?;
        if let Some(org) = org::Entity::find_by_id(&membership.org_id).one(services.db()).await? {
            orgs.push(view(&org, role));
        }
    }
    Ok(orgs)
}

pub async fn detail(services: &Services, ctx: &Ctx, org_id: &str) -> ServiceResult<OrgDetail> {
    let actor = ctx.signed_in()?;
    let (org, role) = for_member(services.db(), actor, org_id).await?;
    let rows = org_member::Entity::find()
        .filter(org_member::Column::OrgId.eq(org_id))
        .order_by_asc(org_member::Column::JoinedAt)
        .all(services.db())
        .await?;
    let mut members = Vec::with_capacity(rows.len());
    for row in rows {
        if let Some(user) = user::Entity::find_by_id(&row.user_id).one(services.db()).await? {
            members.push(MemberView {
                user_id: user.id,
                email: user.email,
                name: user.name,
                role: crate::stored::parse("memberships.role", &row.role)?,
            });
        }
    }
    let now = services.clock().now();
    let invitations = org_invitation::Entity::find()
        .filter(org_invitation::Column::OrgId.eq(org_id))
        .filter(org_invitation::Column::AcceptedAt.is_null())
        .filter(org_invitation::Column::ExpiresAt.gt(now))
        .order_by_asc(org_invitation::Column::CreatedAt)
        .all(services.db())
        .await?
        .iter()
        .map(invitation_view)
        .collect::<ServiceResult<_>>()?;
    Ok(OrgDetail { org: view(&org, role), members, invitations })
}

fn invitation_view(invitation: &org_invitation::Model) -> ServiceResult<InvitationView> {
    Ok(InvitationView {
        id: invitation.id.clone(),
        org_id: invitation.org_id.clone(),
        email: invitation.email.clone(),
        role: crate::stored::parse("invitations.role", &invitation.role)?,
        expires_at: timestamp(invitation.expires_at),
    })
}

/// Owners invite teammates by email; the link works for whoever signs in as that address.
pub async fn invite(services: &Services, ctx: &Ctx, org_id: &str, input: InviteInput) -> ServiceResult<InvitationView> {
    services.limit(Action::Invite, ctx)?;
    let actor = ctx.require(Permission::Apply)?;
    input.validate()?;
    let email = normalize_email(&input.email);
    let now = services.clock().now();
    let txn = begin_write(services.db()).await?;
    let (org, role) = for_member(&txn, actor, org_id).await?;
    if role != MemberRole::Owner {
        return Err(ServiceError::NotAllowed("Only owners of the organisation can invite people.".into()));
    }
    if let Some(existing) = user::Entity::find().filter(user::Column::Email.eq(&email)).one(&txn).await?
        && membership(&txn, org_id, &existing.id).await?.is_some()
    {
        return Err(ServiceError::Conflict(format!("{email} is already a member of {}.", org.name)));
    }
    let token = random_token();
    let invitation = org_invitation::ActiveModel {
        id: Set(new_id()),
        org_id: Set(org.id.clone()),
        email: Set(email.clone()),
        role: Set(input.role.as_str().to_owned()),
        token_hash: Set(sha256_hex(&token)),
        invited_by: Set(actor.user_id.clone()),
        created_at: Set(now),
        expires_at: Set(now + Duration::days(INVITATION_TTL_DAYS)),
        accepted_at: Set(None),
    }
    .insert(&txn)
    .await?;
    let link = services.config().link("invitations/accept", &token);
    enqueue(&txn, services.clock(), templates::org_invitation(&email, &org.name, &actor.name, &link)).await?;
    audit::record(
        &txn,
        services.clock(),
        ctx,
        AuditEvent::new("org.member_invited", "org", org.id.clone())
            .details(json!({ "email": email, "role": input.role.as_str(), "invitation_id": invitation.id })),
    )
    .await?;
    txn.commit().await?;
    services.wake_mail_worker();
    invitation_view(&invitation)
}

/// Joins the organisation of a valid invitation addressed to the signed-in account.
pub async fn accept_invitation(services: &Services, ctx: &Ctx, input: AcceptInvitationInput) -> ServiceResult<OrgView> {
    ctx.require(Permission::Apply)?;
    let actor = ctx.verified()?;
    input.validate()?;
    let now = services.clock().now();
    let txn = begin_write(services.db()).await?;
    let invitation = org_invitation::Entity::find()
        .filter(org_invitation::Column::TokenHash.eq(sha256_hex(&input.token)))
        .one(&txn)
        .await?
        .filter(|i| i.accepted_at.is_none() && i.expires_at > now)
        .ok_or(ServiceError::InvalidToken)?;
    if normalize_email(&actor.email) != invitation.email {
        return Err(ServiceError::NotAllowed(
            format!("This invitation was sent to {}. Sign in with that address to accept it.", invitation.email).into(),
        ));
    }
    let org = org::Entity::find_by_id(&invitation.org_id).one(&txn).await?.ok_or(ServiceError::InvalidToken)?;
    let role: MemberRole = crate::stored::parse("invitations.role", &invitation.role)?;
    let existing = membership(&txn, &org.id, &actor.user_id).await?;
    if existing.is_none() {
        org_member::ActiveModel {
            org_id: Set(org.id.clone()),
            user_id: Set(actor.user_id.clone()),
            role: Set(role.as_str().to_owned()),
            joined_at: Set(now),
        }
        .insert(&txn)
        .await?;
    }
    let mut accepted = invitation.clone().into_active_model();
    accepted.accepted_at = Set(Some(now));
    accepted.update(&txn).await?;
    audit::record(
        &txn,
        services.clock(),
        ctx,
        AuditEvent::new("org.member_joined", "org", org.id.clone())
            .details(json!({ "invitation_id": invitation.id, "role": role.as_str() })),
    )
    .await?;
    txn.commit().await?;
    Ok(view(&org, existing.unwrap_or(role)))
}

/// Serialises changes of who belongs to one organisation across instances, so that two owners
/// demoting or removing each other at once cannot leave it without one.
fn membership_lock(org_id: &str) -> i64 {
    lock_key(&format!("membership of {org_id}"))
}

async fn owner_count(conn: &impl ConnectionTrait, org_id: &str) -> ServiceResult<u64> {
    Ok(org_member::Entity::find()
        .filter(org_member::Column::OrgId.eq(org_id))
        .filter(org_member::Column::Role.eq(MemberRole::Owner.as_str()))
        .count(conn)
        .await?)
}

fn membership_refusal(error: MembershipError) -> ServiceError {
    match error {
        MembershipError::OwnersOnly => {
            ServiceError::NotAllowed("Only owners of the organisation can change who belongs to it.".into())
        }
        MembershipError::LastOwner => {
            ServiceError::Conflict("An organisation needs an owner: make someone else an owner first.".into())
        }
    }
}

/// Mails the organisation (its members and confirmed contact) and `also`, who may just have
/// left it, what changed.
async fn tell_membership(
    services: &Services,
    txn: &DatabaseTransaction,
    org: &org::Model,
    what: &str,
    also: Option<&user::Model>,
) -> ServiceResult<()> {
    let link = services.config().public_url.join(&format!("orgs/{}", org.id)).expect("id joins").to_string();
    let mut recipients = org_recipients(txn, &org.id).await?;
    if let Some(person) = also
        && !recipients.iter().any(|(to, _)| *to == person.email)
    {
        recipients.push((person.email.clone(), person.name.clone()));
    }
    for (to, name) in recipients {
        enqueue(txn, services.clock(), templates::membership_changed(&to, &name, &org.name, what, &link)).await?;
    }
    Ok(())
}

/// Takes someone out of the organisation: owners remove anyone, anyone may leave, and the last
/// owner stays. The person loses access to its applications on their next request.
pub async fn remove_member(services: &Services, ctx: &Ctx, org_id: &OrgId, user_id: &UserId) -> ServiceResult<()> {
    let (org_id, user_id) = (org_id.as_str(), user_id.as_str());
    let actor = ctx.signed_in()?;
    let txn = begin_write(services.db()).await?;
    lock_for(&txn, membership_lock(org_id)).await?;
    let (org, role) = for_member(&txn, actor, org_id).await?;
    let target = membership(&txn, org_id, user_id).await?.ok_or(ServiceError::NotFound)?;
    let leaving = user_id == actor.user_id;
    check_removal(role, leaving, target, owner_count(&txn, org_id).await?).map_err(membership_refusal)?;
    org_member::Entity::delete_by_id((org_id.to_owned(), user_id.to_owned())).exec(&txn).await?;
    let person = user::Entity::find_by_id(user_id).one(&txn).await?.ok_or(ServiceError::NotFound)?;
    let what = if leaving {
        format!("{} ({}) left {}.", person.name, person.email, org.name)
    } else {
        format!("{} removed {} ({}) from {}.", actor.name, person.name, person.email, org.name)
    };
    tell_membership(services, &txn, &org, &what, Some(&person)).await?;
    audit::record(
        &txn,
        services.clock(),
        ctx,
        AuditEvent::new("org.member_removed", "org", org.id.clone())
            .details(json!({ "user_id": user_id, "role": target.as_str(), "left": leaving })),
    )
    .await?;
    txn.commit().await?;
    services.wake_mail_worker();
    Ok(())
}

/// Makes a member an owner, or an owner a member; owners only, and never the last owner.
pub async fn set_member_role(
    services: &Services,
    ctx: &Ctx,
    org_id: &OrgId,
    user_id: &UserId,
    input: MemberRoleInput,
) -> ServiceResult<MemberView> {
    let (org_id, user_id) = (org_id.as_str(), user_id.as_str());
    let actor = ctx.signed_in()?;
    let txn = begin_write(services.db()).await?;
    lock_for(&txn, membership_lock(org_id)).await?;
    let (org, role) = for_member(&txn, actor, org_id).await?;
    let from = membership(&txn, org_id, user_id).await?.ok_or(ServiceError::NotFound)?;
    check_role_change(role, from, input.role, owner_count(&txn, org_id).await?).map_err(membership_refusal)?;
    let person = user::Entity::find_by_id(user_id).one(&txn).await?.ok_or(ServiceError::NotFound)?;
    let view = MemberView {
        user_id: person.id.clone(),
        email: person.email.clone(),
        name: person.name.clone(),
        role: input.role,
    };
    if from == input.role {
        return Ok(view);
    }
    org_member::Entity::update_many()
        .col_expr(org_member::Column::Role, Expr::value(input.role.as_str()))
        .filter(org_member::Column::OrgId.eq(org_id))
        .filter(org_member::Column::UserId.eq(user_id))
        .exec(&txn)
        .await?;
    let what = match input.role {
        MemberRole::Owner => {
            format!("{} made {} ({}) an owner of {}.", actor.name, person.name, person.email, org.name)
        }
        MemberRole::Member => {
            format!(
                "{} made {} ({}) a member (no longer an owner) of {}.",
                actor.name, person.name, person.email, org.name
            )
        }
    };
    tell_membership(services, &txn, &org, &what, None).await?;
    audit::record(
        &txn,
        services.clock(),
        ctx,
        AuditEvent::new("org.member_role_changed", "org", org.id.clone())
            .details(json!({ "user_id": user_id, "from": from.as_str(), "to": input.role.as_str() })),
    )
    .await?;
    txn.commit().await?;
    services.wake_mail_worker();
    Ok(view)
}

/// Withdraws a pending invitation: its link stops working at once. Owners only.
pub async fn revoke_invitation(
    services: &Services,
    ctx: &Ctx,
    org_id: &OrgId,
    invitation_id: &InvitationId,
) -> ServiceResult<()> {
    let (org_id, invitation_id) = (org_id.as_str(), invitation_id.as_str());
    let actor = ctx.signed_in()?;
    let now = services.clock().now();
    let txn = begin_write(services.db()).await?;
    let (org, role) = for_member(&txn, actor, org_id).await?;
    if role != MemberRole::Owner {
        return Err(membership_refusal(MembershipError::OwnersOnly));
    }
    let invitation = org_invitation::Entity::find_by_id(invitation_id)
        .one(&txn)
        .await?
        .filter(|i| i.org_id == org.id && i.accepted_at.is_none() && i.expires_at > now)
        .ok_or(ServiceError::NotFound)?;
    let email = invitation.email.clone();
    let mut revoked = invitation.into_active_model();
    // Expired now: the row stays as the record of what was sent.
    revoked.expires_at = Set(now);
    revoked.update(&txn).await?;
    let what = format!("{} withdrew the invitation to {email} to join {}.", actor.name, org.name);
    tell_membership(services, &txn, &org, &what, None).await?;
    audit::record(
        &txn,
        services.clock(),
        ctx,
        AuditEvent::new("org.invitation_revoked", "org", org.id.clone())
            .details(json!({ "invitation_id": invitation_id, "email": email })),
    )
    .await?;
    txn.commit().await?;
    services.wake_mail_worker();
    Ok(())
}
