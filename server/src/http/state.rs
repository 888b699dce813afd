use crate::http::health::Health;
use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;
use portcullis_service::Services;

/// Router state: the Leptos options and the service layer.
#[derive(Clone, Debug)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub services: Services,
    /// The last database check, for `/healthz`.
    pub health: Health,
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
