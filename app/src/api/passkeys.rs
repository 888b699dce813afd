//! The signed-in account's passkeys: listed, renamed and removed through server functions.
//! Adding one, and signing in or stepping up with one, are WebAuthn ceremonies the browser runs
//! against the JSON API (`/passkeys.js`).

use crate::error::AppError;
use leptos::prelude::*;
use portcullis_domain::passkey::PasskeyView;

#[cfg(feature = "ssr")]
use {super::ssr::caller, portcullis_service::passkeys};

#[server(prefix = "/rpc", endpoint = "passkeys")]
pub async fn list_passkeys() -> Result<Vec<PasskeyView>, AppError> {
    let (services, ctx, _) = caller().await?;
    Ok(passkeys::list(&services, &ctx).await?)
}

#[server(prefix = "/rpc", endpoint = "rename_passkey")]
pub async fn rename_passkey(id: String, name: String) -> Result<PasskeyView, AppError> {
    use portcullis_domain::passkey::PasskeyNameInput;
    let (services, ctx, _) = caller().await?;
    Ok(passkeys::rename(&services, &ctx, &id, PasskeyNameInput { name }).await?)
}

#[server(prefix = "/rpc", endpoint = "remove_passkey")]
pub async fn remove_passkey(id: String) -> Result<(), AppError> {
    let (services, ctx, _) = caller().await?;
    Ok(passkeys::remove(&services, &ctx, &id).await?)
}
