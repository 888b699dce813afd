//! Where the signed-in account is signed in, for its Security page.

use crate::error::AppError;
use leptos::prelude::*;
use portcullis_domain::device::SessionList;

#[cfg(feature = "ssr")]
use {super::ssr::caller, portcullis_service::session_auth};

/// The account's sessions, this one first.
#[server(prefix = "/rpc", endpoint = "sessions")]
pub async fn sessions() -> Result<SessionList, AppError> {
    let (services, ctx, session) = caller().await?;
    Ok(session_auth::sessions(&services, &session, &ctx).await?)
}

/// Ends another session of the account.
#[server(prefix = "/rpc", endpoint = "end_session")]
pub async fn end_session(id: String) -> Result<(), AppError> {
    let (services, ctx, session) = caller().await?;
    Ok(session_auth::end_session(&services, &session, &ctx, &id).await?)
}

/// Ends every session of the account but this one; answers how many ended.
#[server(prefix = "/rpc", endpoint = "end_other_sessions")]
pub async fn end_other_sessions() -> Result<usize, AppError> {
    let (services, ctx, session) = caller().await?;
    Ok(session_auth::end_other_sessions(&services, &session, &ctx).await?)
}
