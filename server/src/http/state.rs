use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;
use portcullis_service::Services;

/// Router state: the Leptos options and the service layer.
#[derive(Clone, Debug)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub services: Services,
    /// The health check's own connection (see `db::connect_probe`).
    pub probe: sea_orm::DatabaseConnection,
    /// The portal's own origin, e.g. `https://portal.example.com`.
    pub origin: String,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

impl FromRef<AppState> for Services {
    fn from_ref(state: &AppState) -> Self {
        state.services.clone()
    }
}
