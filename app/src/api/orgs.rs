use crate::error::AppError;
use leptos::prelude::*;
use portcullis_domain::org::{OrgDetail, OrgView};

#[cfg(feature = "ssr")]
use {
    super::ssr::caller,
    portcullis_domain::org::{AcceptInvitationInput, InviteInput, MemberRole, OrgInput, VerifyContactInput},
    portcullis_service::orgs,
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
