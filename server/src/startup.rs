//! Building the application: database, services, workers, router and listener.

use crate::config::Config;
use crate::http::middleware;
use crate::http::state::AppState;
use crate::{api, workers};
use axum::Router;
use axum::routing::{get, post};
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, generate_route_list, handle_server_fns_with_context};
use portcullis_app::{App, shell};
use portcullis_service::clock::{SharedClock, SystemClock};
use portcullis_service::session_auth::IDLE_TIMEOUT_SECS;
use portcullis_service::session_store::DbSessionStore;
use portcullis_service::storage::LocalStore;
use portcullis_service::{ServiceConfig, Services, db};
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("cannot create the data directory {0}")]
    DataDir(String),
    #[error("cannot open the database: {0}")]
    Database(#[from] sea_orm::DbErr),
    #[error("invalid configuration: SMTP_URL: {0}")]
    Mail(String),
    #[error("cannot listen on {addr}: {error}")]
    Listen { addr: SocketAddr, error: std::io::Error },
}

pub struct Application {
    listener: TcpListener,
    router: Router,
    services: Services,
    shutdown: watch::Sender<bool>,
    workers: Vec<tokio::task::JoinHandle<()>>,
}

/// Connects, migrates and builds the services (also used by the CLI commands).
pub async fn services(config: &Config, clock: SharedClock) -> Result<Services, StartupError> {
    if config.database_url.starts_with("sqlite:") {
        std::fs::create_dir_all(&config.data_dir)
            .map_err(|e| StartupError::DataDir(format!("{}: {e}", config.data_dir.display())))?;
    }
    let conn = db::connect(&config.database_url).await?;
    db::migrate(&conn).await?;
    let service_config = ServiceConfig {
        public_url: config.public_url.clone(),
        mail_retry_base: config.mail_retry_base,
        login_limits: config.login_limits,
        action_limits: config.action_limits,
        review_target_days: config.review_target_days,
        credentials: config.credentials,
        uploads: config.uploads.clone(),
        // Hashing threads run at nice 10 (see `password`): one per core mostly uses CPU time
        // the pages leave.
        hash_concurrency: std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
        hash_queue: config.hash_queue,
    };
    let uploads = config.data_dir.join("uploads");
    let storage =
        LocalStore::new(&uploads).map_err(|e| StartupError::DataDir(format!("{}: {e}", uploads.display())))?;
    Ok(Services::new(conn, clock, service_config, Arc::new(storage)))
}

impl Application {
    pub async fn build(config: Config) -> Result<Self, StartupError> {
        Self::build_with_clock(config, Arc::new(SystemClock)).await
    }

    pub async fn build_with_clock(config: Config, clock: SharedClock) -> Result<Self, StartupError> {
        let services = services(&config, clock).await?;
        let transport = workers::mail_transport(&config).map_err(StartupError::Mail)?;
        let listener =
            TcpListener::bind(config.addr).await.map_err(|error| StartupError::Listen { addr: config.addr, error })?;
        let (shutdown, shutdown_rx) = watch::channel(false);
        let workers = workers::spawn(&services, transport, &config, &shutdown_rx);
        let router = router(&config, services.clone());
        Ok(Self { listener, router, services, shutdown, workers })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener.local_addr().expect("bound listener has an address")
    }

    pub fn services(&self) -> &Services {
        &self.services
    }

    /// Serves until `stop` resolves, then stops the workers.
    pub async fn run_until(self, stop: impl std::future::Future<Output = ()> + Send + 'static) -> std::io::Result<()> {
        let app = self.router.into_make_service_with_connect_info::<SocketAddr>();
        let result = axum::serve(self.listener, app).with_graceful_shutdown(stop).await;
        let _ = self.shutdown.send(true);
        for worker in self.workers {
            let _ = worker.await;
        }
        result
    }
}

fn leptos_options(config: &Config) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name("portcullis")
        .site_root(config.site_root.display().to_string())
        .site_pkg_dir("pkg")
        .site_addr(config.addr)
        .build()
}

pub fn router(config: &Config, services: Services) -> Router {
    let leptos_options = leptos_options(config);
    let origin = config.public_url.origin().ascii_serialization();
    let state = AppState { leptos_options: leptos_options.clone(), services: services.clone(), origin };

    let context = {
        let services = services.clone();
        move || provide_context(services.clone())
    };
    let server_fns = {
        let context = context.clone();
        move |request| handle_server_fns_with_context(context.clone(), request)
    };
    let routes = generate_route_list(App);

    let https = config.is_https();
    let sessions = SessionManagerLayer::new(DbSessionStore::new(services.db().clone()))
        .with_name(if https { "__Host-portcullis_session" } else { "portcullis_session" })
        .with_secure(https)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(time::Duration::seconds(IDLE_TIMEOUT_SECS)));

    Router::new()
        .route("/rpc/{*fn_name}", post(server_fns.clone()).get(server_fns))
        .leptos_routes_with_context(&state, routes, context, {
            let options = leptos_options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(axum::middleware::from_fn(middleware::limit_page_bodies))
        // The API sets its own limits (larger for uploads).
        .route("/healthz", get(api::health::healthz))
        .nest("/api/v1", api::router())
        .layer(axum::middleware::from_fn_with_state(state.clone(), middleware::refuse_cross_site))
        .layer(sessions)
        // Machine clients: no session, no cookies, no browser-origin check.
        .nest("/oauth", crate::oauth::router())
        .layer(axum::middleware::from_fn_with_state(
            middleware::TrustedProxies(Arc::new(config.trusted_proxies.clone())),
            middleware::client_ip,
        ))
        .layer(axum::middleware::from_fn_with_state(middleware::Https(https), middleware::security_headers))
        .layer(axum::middleware::from_fn(middleware::request_id_and_log))
        .with_state(state)
}
