//! Who the caller is to an application: a member or owner of its organisation, or a
//! reviewer or admin. Anyone else, and staff looking at an application never submitted
//! (a draft, or one withdrawn as a draft), gets `NotFound`, so ids reveal nothing.

use super::staff_party;
use crate::context::Ctx;
use crate::entity::application;
use crate::error::{ServiceError, ServiceResult};
use portcullis_domain::application::lifecycle::{LifecycleError, Party};
use portcullis_domain::application::visibility::visible_to_staff;
use portcullis_domain::org::MemberRole;
use sea_orm::{ConnectionTrait, DatabaseTransaction, EntityTrait, QuerySelect};

pub(crate) struct Access {
    pub application: application::Model,
    pub party: Party,
}

impl Access {
    pub fn member_party(role: MemberRole) -> Party {
        match role {
            MemberRole::Owner => Party::Owner,
            MemberRole::Member => Party::Member,
        }
    }

    /// A refused transition: who-may rules are 403 with the reason, state rules 409.
    pub fn refusal(&self, error: LifecycleError) -> ServiceError {
        match error {
            LifecycleError::NotAllowed { .. } => ServiceError::NotAllowed(error.to_string().into()),
            LifecycleError::IllegalState { .. } => ServiceError::Conflict(error.to_string()),
        }
    }

    pub fn is_member(&self) -> bool {
        matches!(self.party, Party::Member | Party::Owner)
    }
}

pub(crate) async fn load(conn: &impl ConnectionTrait, ctx: &Ctx, id: &str) -> ServiceResult<Access> {
    let application = application::Entity::find_by_id(id).one(conn).await?.ok_or(ServiceError::NotFound)?;
    access(conn, ctx, application).await
}

/// [`load`] for a transaction that changes the application. Its row stays locked until the
/// transaction ends (`SELECT … FOR UPDATE` on PostgreSQL; SQLite's write lock already
/// serialises writers), so what is checked here still holds when the write lands; and the
/// caller's roles are read again, so rights taken away meanwhile no longer count.
pub(crate) async fn load_for_change(txn: &DatabaseTransaction, ctx: &Ctx, id: &str) -> ServiceResult<Access> {
    let ctx = ctx.reread(txn).await?;
    let application =
        application::Entity::find_by_id(id).lock_exclusive().one(txn).await?.ok_or(ServiceError::NotFound)?;
    let access = access(txn, &ctx, application).await?;
    // Every change to an application comes through here: an auditor's never goes further.
    if access.party == Party::Auditor {
        return Err(ServiceError::NotAllowed("An auditor reads applications and changes nothing.".into()));
    }
    Ok(access)
}

async fn access(conn: &impl ConnectionTrait, ctx: &Ctx, application: application::Model) -> ServiceResult<Access> {
    let actor = ctx.signed_in()?;
    if let Some(role) = crate::orgs::membership(conn, &application.org_id, &actor.user_id).await? {
        return Ok(Access { party: Access::member_party(role), application });
    }
    match staff_party(ctx) {
        Some(party) if visible_to_staff(application.submitted_at) => Ok(Access { application, party }),
        _ => Err(ServiceError::NotFound),
    }
}
