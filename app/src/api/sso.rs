//! Single sign-on, as the pages need it: whether the portal offers it.

use crate::error::AppError;
use leptos::prelude::*;

/// Whether single sign-on with the organisation's identity provider is configured.
#[server(prefix = "/rpc", endpoint = "sso_enabled")]
pub async fn sso_enabled() -> Result<bool, AppError> {
    let services = use_context::<portcullis_service::Services>().ok_or(AppError::Internal)?;
    Ok(portcullis_service::sso::enabled(&services))
}
