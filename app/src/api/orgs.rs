use crate::error::AppError;
use leptos::prelude::*;
use portcullis_domain::ids::{InvitationId, OrgId, UserId};
use portcullis_domain::org::{OrgDetail, OrgView};

#[cfg(feature = "ssr")]
use {
    super::ssr::caller,
    portcullis_domain::org::{
        AcceptInvitationInput, InviteInput, MemberRole, MemberRoleInput, OrgInput, VerifyContactInput,
    },
    portcullis_service::{ServiceError, orgs},
};

#[server(prefix = "/rpc", endpoint = "list_orgs")]
pub async fn list_orgs() -> Result<Vec<OrgView>, AppError> {
    let (services, ctx, _) = caller().await?;
    Ok(orgs::list_mine(&services, &ctx).await?)
}

#[server(prefix = "/rpc", endpoint = "create_org")]
pub async fn create_org(
    name: String,
    country: String,
    website: String,
    contact_email: String,
) -> Result<OrgView, AppError> {
    let (services, ctx, _) = caller().await?;
    let org = orgs::create(&services, &ctx, OrgInput { name, country, website, contact_email }).await?;
    leptos_axum::redirect(&format!("/orgs/{}", org.id));
    Ok(org)
}

#[server(prefix = "/rpc", endpoint = "get_org")]
pub async fn get_org(id: String) -> Result<OrgDetail, AppError> {
    let (services, ctx, _) = caller().await?;
    Ok(orgs::detail(&services, &ctx, &id).await?)
}

#[server(prefix = "/rpc", endpoint = "invite_member")]
pub async fn invite_member(org_id: String, email: String, owner: Option<String>) -> Result<String, AppError> {
    let (services, ctx, _) = caller().await?;
    let role = if owner.is_some() { MemberRole::Owner } else { MemberRole::Member };
    let invitation = orgs::invite(&services, &ctx, &org_id, InviteInput { email, role }).await?;
    Ok(invitation.email)
}

#[server(prefix = "/rpc", endpoint = "accept_invitation")]
pub async fn accept_invitation(token: String) -> Result<OrgView, AppError> {
    let (services, ctx, _) = caller().await?;
    let org = orgs::accept_invitation(&services, &ctx, AcceptInvitationInput { token }).await?;
    leptos_axum::redirect(&format!("/orgs/{}", org.id));
    Ok(org)
}

#[server(prefix = "/rpc", endpoint = "resend_contact_verification")]
pub async fn resend_contact_verification(org_id: String) -> Result<(), AppError> {
    let (services, ctx, _) = caller().await?;
    Ok(orgs::resend_contact_verification(&services, &ctx, &org_id).await?)
}

#[server(prefix = "/rpc", endpoint = "verify_contact")]
pub async fn verify_contact(token: String) -> Result<(), AppError> {
    let (services, ctx, _) = caller().await?;
    orgs::verify_contact(&services, &ctx, VerifyContactInput { token }).await?;
    leptos_axum::redirect("/verify-contact?done=1");
    Ok(())
}

/// Takes someone out of the organisation (or the caller, leaving it).
#[server(prefix = "/rpc", endpoint = "remove_member")]
pub async fn remove_member(org_id: OrgId, user_id: UserId) -> Result<(), AppError> {
    let (services, ctx, _) = caller().await?;
    let leaving = ctx.actor.as_ref().is_some_and(|a| a.user_id == user_id.as_str());
    orgs::remove_member(&services, &ctx, &org_id, &user_id).await?;
    leptos_axum::redirect(&if leaving { "/orgs".to_owned() } else { format!("/orgs/{org_id}") });
    Ok(())
}

/// `role`: `owner` or `member`.
#[server(prefix = "/rpc", endpoint = "set_member_role")]
pub async fn set_member_role(org_id: OrgId, user_id: UserId, role: String) -> Result<(), AppError> {
    let (services, ctx, _) = caller().await?;
    let role = MemberRole::parse(&role).ok_or_else(|| AppError::from(ServiceError::field("role", "Choose a role.")))?;
    orgs::set_member_role(&services, &ctx, &org_id, &user_id, MemberRoleInput { role }).await?;
    leptos_axum::redirect(&format!("/orgs/{org_id}"));
    Ok(())
}

#[server(prefix = "/rpc", endpoint = "revoke_invitation")]
pub async fn revoke_invitation(org_id: OrgId, invitation_id: InvitationId) -> Result<(), AppError> {
    let (services, ctx, _) = caller().await?;
    orgs::revoke_invitation(&services, &ctx, &org_id, &invitation_id).await?;
    leptos_axum::redirect(&format!("/orgs/{org_id}"));
    Ok(())
}
