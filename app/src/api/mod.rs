//! Server functions: thin calls into the service layer, which checks every permission.

pub mod admin;
pub mod applications;
pub mod auth;
pub mod checklists;
pub mod credentials;
pub mod orgs;
pub mod passkeys;
pub mod reports;
pub mod review;
pub mod security;
pub mod sso;

#[cfg(feature = "ssr")]
pub mod ssr {
    use crate::error::AppError;
    use leptos::prelude::*;
    use portcullis_service::{ClientDevice, ClientIp, Ctx, Services, session_auth};
    use tower_sessions::Session;

    /// Who is calling: the services, the caller's context and their session.
    pub async fn caller() -> Result<(Services, Ctx, Session), AppError> {
        let services = use_context::<Services>().ok_or(AppError::Internal)?;
        let session: Session = leptos_axum::extract().await.map_err(|_| AppError::Internal)?;
        let axum::Extension(ClientIp(ip)) =
            leptos_axum::extract::<axum::Extension<ClientIp>>().await.unwrap_or_default();
        let axum::Extension(device) = leptos_axum::extract::<axum::Extension<ClientDevice>>().await.unwrap_or_default();
        let actor = session_auth::resolve(&services, &session).await?;
        Ok((services, Ctx { actor, ip, device }, session))
    }
}
