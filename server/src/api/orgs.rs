use crate::http::error::{ApiResult, ErrorBody};
use crate::http::extract::{ApiJson, Caller};
use crate::http::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use portcullis_domain::ids::{InvitationId, OrgId, UserId};
use portcullis_domain::org::{
    AcceptInvitationInput, InvitationView, InviteInput, MemberRoleInput, MemberView, OrgDetail, OrgInput, OrgView,
    VerifyContactInput,
};
use portcullis_service::orgs;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct OrgBody {
    org: OrgView,
}

#[derive(Serialize, ToSchema)]
pub struct OrgsBody {
    orgs: Vec<OrgView>,
}

#[derive(Serialize, ToSchema)]
pub struct MemberBody {
    member: MemberView,
}

#[derive(Serialize, ToSchema)]
pub struct InvitationBody {
    invitation: InvitationView,
}

#[utoipa::path(
    post,
    path = "/orgs",
    operation_id = "create_org",
    tag = "organisations",
    summary = "Create an organisation; the caller becomes its owner.",
    request_body = OrgInput,
    responses(
        (status = 201, description = "Created.", body = OrgBody),
    ),
)]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<OrgInput>,
) -> ApiResult<(StatusCode, Json<OrgBody>)> {
    let org = orgs::create(&state.services, &caller.ctx, input).await?;
    Ok((StatusCode::CREATED, Json(OrgBody { org })))
}

#[utoipa::path(
    get,
    path = "/orgs",
    operation_id = "list_orgs",
    tag = "organisations",
    summary = "The caller's organisations.",
    responses(
        (status = 200, description = "Organisations the caller belongs to.", body = OrgsBody),
    ),
)]
pub async fn list(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<OrgsBody>> {
    Ok(Json(OrgsBody { orgs: orgs::list_mine(&state.services, &caller.ctx).await? }))
}

#[utoipa::path(
    get,
    path = "/orgs/{id}",
    tag = "organisations",
    summary = "An organisation with its members and pending invitations (members only).",
    params(("id" = String, Path)),
    responses(
        (status = 200, description = "The organisation.", body = OrgDetail),
    ),
)]
pub async fn detail(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<OrgDetail>> {
    Ok(Json(orgs::detail(&state.services, &caller.ctx, &id).await?))
}

#[utoipa::path(
    post,
    path = "/orgs/{id}/members",
    tag = "organisations",
    summary = "Invite a teammate by email (owners only). The invitation link is mailed and expires after 7 days.",
    params(("id" = String, Path)),
    request_body = InviteInput,
    responses(
        (status = 201, description = "Invited.", body = InvitationBody),
        (status = 403, description = "Only owners invite.", body = ErrorBody),
        (status = 409, description = "Already a member.", body = ErrorBody),
        (status = 429, description = "Too many invitations from this address; see `Retry-After`.", body = ErrorBody),
    ),
)]
pub async fn invite(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<InviteInput>,
) -> ApiResult<(StatusCode, Json<InvitationBody>)> {
    let invitation = orgs::invite(&state.services, &caller.ctx, &id, input).await?;
    Ok((StatusCode::CREATED, Json(InvitationBody { invitation })))
}

#[utoipa::path(
    post,
    path = "/invitations/accept",
    tag = "organisations",
    summary = "Accept an invitation; the caller must be signed in as the invited address.",
    request_body = AcceptInvitationInput,
    responses(
        (status = 200, description = "Joined.", body = OrgBody),
        (status = 400, description = "Invalid, used or expired token.", body = ErrorBody),
        (status = 403, description = "Signed in as another address.", body = ErrorBody),
    ),
)]
pub async fn accept_invitation(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<AcceptInvitationInput>,
) -> ApiResult<Json<OrgBody>> {
    Ok(Json(OrgBody { org: orgs::accept_invitation(&state.services, &caller.ctx, input).await? }))
}

#[utoipa::path(
    post,
    path = "/orgs/{id}/contact/verification",
    tag = "organisations",
    summary = "Mail a new confirmation link to the organisation's contact address, which is not confirmed yet. Owners only. An organisation whose contact address is not the creator's own gets such a link when it is created. At most `PORTCULLIS_LIMIT_VERIFY_RESEND_PER_HOUR` (default 5) per client address per hour.",
    params(("id" = String, Path)),
    responses(
        (status = 202, description = "A new link is on its way; the previous one stops working."),
        (status = 403, description = "Not an owner of the organisation, or the caller's own address is not verified.", body = ErrorBody),
        (status = 404, description = "No such organisation among the caller's.", body = ErrorBody),
        (status = 409, description = "The contact address is confirmed already.", body = ErrorBody),
        (status = 429, description = "Too many links sent from this address; see Retry-After.", body = ErrorBody),
    ),
)]
pub async fn resend_contact_verification(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    orgs::resend_contact_verification(&state.services, &caller.ctx, &id).await?;
    Ok(StatusCode::ACCEPTED)
}

#[utoipa::path(
    post,
    path = "/orgs/verify-contact",
    tag = "organisations",
    summary = "Confirm an organisation's contact address with the token from the link mailed to it. No sign-in needed: holding the link proves access to the mailbox.",
    request_body = VerifyContactInput,
    responses(
        (status = 204, description = "Confirmed; the address now hears about the organisation's applications."),
        (status = 400, description = "Invalid or expired token.", body = ErrorBody),
        (status = 422, description = "The token is missing or too long.", body = ErrorBody),
    ),
    security(()),
)]
pub async fn verify_contact(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<VerifyContactInput>,
) -> ApiResult<StatusCode> {
    orgs::verify_contact(&state.services, &caller.ctx, input).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    delete,
    path = "/orgs/{id}/members/{user_id}",
    tag = "organisations",
    summary = "Take someone out of the organisation: owners remove anyone, a member may remove themselves (leave), and the last owner can do neither. The person loses access to the organisation's applications, mockups, messages and credentials on their next request (404). Audited; the organisation and the person are mailed.",
    params(("id" = String, Path), ("user_id" = String, Path)),
    responses(
        (status = 204, description = "Removed."),
        (status = 403, description = "Not an owner (and not leaving).", body = ErrorBody),
        (status = 404, description = "No such organisation among the caller's, or no such member.", body = ErrorBody),
        (status = 409, description = "The last owner cannot leave or be removed.", body = ErrorBody),
    ),
)]
pub async fn remove_member(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, user_id)): Path<(OrgId, UserId)>,
) -> ApiResult<StatusCode> {
    orgs::remove_member(&state.services, &caller.ctx, &id, &user_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    patch,
    path = "/orgs/{id}/members/{user_id}",
    tag = "organisations",
    summary = "Make a member an owner, or an owner a member. Owners only; the last owner cannot be made a member. Audited; the organisation is mailed.",
    params(("id" = String, Path), ("user_id" = String, Path)),
    request_body = MemberRoleInput,
    responses(
        (status = 200, description = "The member with the new role.", body = MemberBody),
        (status = 403, description = "Not an owner.", body = ErrorBody),
        (status = 404, description = "No such organisation among the caller's, or no such member.", body = ErrorBody),
        (status = 409, description = "The last owner cannot be made a member.", body = ErrorBody),
        (status = 422, description = "Not a role.", body = ErrorBody),
    ),
)]
pub async fn set_member_role(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, user_id)): Path<(OrgId, UserId)>,
    ApiJson(input): ApiJson<MemberRoleInput>,
) -> ApiResult<Json<MemberBody>> {
    Ok(Json(MemberBody { member: orgs::set_member_role(&state.services, &caller.ctx, &id, &user_id, input).await? }))
}

#[utoipa::path(
    delete,
    path = "/orgs/{id}/invitations/{invitation_id}",
    tag = "organisations",
    summary = "Withdraw a pending invitation: its link stops working at once. Owners only. Audited; the organisation is mailed.",
    params(("id" = String, Path), ("invitation_id" = String, Path)),
    responses(
        (status = 204, description = "Withdrawn."),
        (status = 403, description = "Not an owner.", body = ErrorBody),
        (status = 404, description = "No such organisation among the caller's, or no pending invitation with that id.", body = ErrorBody),
    ),
)]
pub async fn revoke_invitation(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, invitation_id)): Path<(OrgId, InvitationId)>,
) -> ApiResult<StatusCode> {
    orgs::revoke_invitation(&state.services, &caller.ctx, &id, &invitation_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
