use crate::http::error::ApiResult;
use crate::http::extract::{ApiJson, Caller};
use crate::http::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use portcullis_domain::org::{
    AcceptInvitationInput, InvitationView, InviteInput, MemberRoleInput, MemberView, OrgDetail, OrgInput, OrgView,
    VerifyContactInput,
};
use portcullis_service::orgs;
use serde::Serialize;

#[derive(Serialize)]
pub struct OrgBody {
    org: OrgView,
}

#[derive(Serialize)]
pub struct OrgsBody {
    orgs: Vec<OrgView>,
}

#[derive(Serialize)]
pub struct MemberBody {
    member: MemberView,
}

#[derive(Serialize)]
pub struct InvitationBody {
    invitation: InvitationView,
}

pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<OrgInput>,
) -> ApiResult<(StatusCode, Json<OrgBody>)> {
    let org = orgs::create(&state.services, &caller.ctx, input).await?;
    Ok((StatusCode::CREATED, Json(OrgBody { org })))
}

pub async fn list(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<OrgsBody>> {
    Ok(Json(OrgsBody { orgs: orgs::list_mine(&state.services, &caller.ctx).await? }))
}

pub async fn detail(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<OrgDetail>> {
    Ok(Json(orgs::detail(&state.services, &caller.ctx, &id).await?))
}

pub async fn invite(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<InviteInput>,
) -> ApiResult<(StatusCode, Json<InvitationBody>)> {
    let invitation = orgs::invite(&state.services, &caller.ctx, &id, input).await?;
    Ok((StatusCode::CREATED, Json(InvitationBody { invitation })))
}

pub async fn accept_invitation(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<AcceptInvitationInput>,
) -> ApiResult<Json<OrgBody>> {
    Ok(Json(OrgBody { org: orgs::accept_invitation(&state.services, &caller.ctx, input).await? }))
}

pub async fn resend_contact_verification(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    orgs::resend_contact_verification(&state.services, &caller.ctx, &id).await?;
    Ok(StatusCode::ACCEPTED)
}

pub async fn verify_contact(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<VerifyContactInput>,
) -> ApiResult<StatusCode> {
    orgs::verify_contact(&state.services, &caller.ctx, input).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn remove_member(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, user_id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    orgs::remove_member(&state.services, &caller.ctx, &id, &user_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn set_member_role(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, user_id)): Path<(String, String)>,
    ApiJson(input): ApiJson<MemberRoleInput>,
) -> ApiResult<Json<MemberBody>> {
    Ok(Json(MemberBody { member: orgs::set_member_role(&state.services, &caller.ctx, &id, &user_id, input).await? }))
}

pub async fn revoke_invitation(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, invitation_id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    orgs::revoke_invitation(&state.services, &caller.ctx, &id, &invitation_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
