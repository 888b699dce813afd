//! Building the application: database, services, workers, router and listener.

use crate::config::{AuditKeyFile, Config};
use crate::http::health::{self, Health};
use crate::http::middleware;
use crate::http::state::AppState;
use crate::http::timeouts::Timeouts;
use crate::{api, workers};
use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode};
use axum::routing::{get, post};
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, generate_route_list, handle_server_fns_with_context};
use portcullis_app::{App, shell};
use portcullis_service::audit::signing::SigningKey;
use portcullis_service::clock::{SharedClock, SystemClock};
use portcullis_service::sealed::SecretKey;
use portcullis_service::session_auth::IDLE_TIMEOUT_SECS;
use portcullis_service::session_store::DbSessionStore;
use portcullis_service::storage::LocalStore;
use portcullis_service::{ServiceConfig, Services, db};
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tower::ServiceExt;
use tower_http::compression::CompressionLayer;
use tower_http::services::ServeDir;
use tower_http::timeout::{RequestBodyTimeoutLayer, TimeoutLayer};
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("cannot create the data directory {0}")]
    DataDir(String),
    #[error("invalid configuration: {0}")]
    SecretsKey(String),
    #[error("invalid configuration: PORTCULLIS_AUDIT_SIGNING_KEY: {0}")]
    AuditKey(String),
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
    timeouts: Timeouts,
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
        appeal_days: config.appeal_days,
        credentials: config.credentials,
        uploads: config.uploads.clone(),
        // Hashing threads run at nice 10 (see `password`): one per core mostly uses CPU time
        // the pages leave.
        hash_concurrency: std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
        hash_queue: config.hash_queue,
        require_mfa: config.mfa_policy(),
        sso: config.sso.clone(),
        secret_key: SecretKey::load_or_create(&config.secrets_key_file)
            .map_err(|e| StartupError::SecretsKey(format!("PORTCULLIS_SECRETS_KEY_FILE: {e}")))?,
        audit_key: audit_key(&config.audit_key_file)?,
    };
    let uploads = config.data_dir.join("uploads");
    let storage =
        LocalStore::new(&uploads).map_err(|e| StartupError::DataDir(format!("{}: {e}", uploads.display())))?;
    Ok(Services::new(conn, clock, service_config, Arc::new(storage)))
}

fn audit_key(file: &AuditKeyFile) -> Result<SigningKey, StartupError> {
    match file {
        AuditKeyFile::Named(path) => SigningKey::load(path, false),
        AuditKeyFile::Default(path) => SigningKey::load(path, true),
    }
    .map_err(StartupError::AuditKey)
}

impl Application {
    pub async fn build(config: Config) -> Result<Self, StartupError> {
        Self::build_with_clock(config, Arc::new(SystemClock)).await
    }

    pub async fn build_with_clock(config: Config, clock: SharedClock) -> Result<Self, StartupError> {
        let listener = std::net::TcpListener::bind(config.addr)
            .map_err(|error| StartupError::Listen { addr: config.addr, error })?;
        Self::build_on(config, clock, listener).await
    }

    /// Builds the application to serve on `listener`, already bound: a caller that must know the
    /// address before the build (a test's public URL) binds port 0 itself, so no other process
    /// can take the port between choosing it and listening on it.
    pub async fn build_on(
        config: Config,
        clock: SharedClock,
        listener: std::net::TcpListener,
    ) -> Result<Self, StartupError> {
        let listen_error = |error| StartupError::Listen { addr: config.addr, error };
        listener.set_nonblocking(true).map_err(listen_error)?;
        let listener = TcpListener::from_std(listener).map_err(listen_error)?;
        let services = services(&config, clock).await?;
        let transport = workers::mail_transport(&config).map_err(StartupError::Mail)?;
        let (shutdown, shutdown_rx) = watch::channel(false);
        let mut workers = workers::spawn(&services, transport, &config, &shutdown_rx);
        let (health, checks) = Health::start(&config.database_url, shutdown_rx).await?;
        workers.push(checks);
        let router = router(&config, services.clone(), health);
        Ok(Self { listener, router, services, timeouts: config.timeouts, shutdown, workers })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener.local_addr().expect("bound listener has an address")
    }

    pub fn services(&self) -> &Services {
        &self.services
    }

    /// Serves until `stop` resolves, then stops the workers. HTTP/1 connections as `axum::serve`
    /// makes them, with a timer, so a client that is slow to send its headers (or keeps an idle
    /// connection) is disconnected.
    pub async fn run_until(self, stop: impl std::future::Future<Output = ()> + Send + 'static) -> std::io::Result<()> {
        let mut http = hyper::server::conn::http1::Builder::new();
        http.timer(TokioTimer::new()).header_read_timeout(self.timeouts.header);
        let connections = GracefulShutdown::new();
        tokio::pin!(stop);
        loop {
            let (stream, peer) = tokio::select! {
                accepted = self.listener.accept() => match accepted {
                    Ok(accepted) => accepted,
                    // Out of file descriptors, or a connection reset before it was accepted: the
                    // next one may work.
                    Err(error) => {
                        tracing::warn!(%error, "cannot accept a connection");
                        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                        continue;
                    }
                },
                () = &mut stop => break,
            };
            let service = self.router.clone().map_request(move |request: Request<Incoming>| {
                let mut request = request.map(Body::new);
                request.extensions_mut().insert(ConnectInfo(peer));
                request
            });
            let connection = http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
            let connection = connections.watch(connection);
            tokio::spawn(async move {
                if let Err(error) = connection.await {
                    tracing::debug!(%error, "connection ended");
                }
            });
        }
        connections.shutdown().await;
        let _ = self.shutdown.send(true);
        for worker in self.workers {
            let _ = worker.await;
        }
        Ok(())
    }
}

/// `cargo leptos build` names the assets by their content (`hash-files`) and writes the
/// names beside the server binary. Binaries built otherwise (the test runner's) serve pages
/// only, under the plain names.
fn assets_are_hashed() -> bool {
    std::env::current_exe().ok().and_then(|exe| exe.parent().map(|dir| dir.join("hash.txt").exists())).unwrap_or(false)
}

fn leptos_options(config: &Config) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name("portcullis")
        .hash_files(assets_are_hashed())
        .site_root(config.site_root.display().to_string())
        .site_pkg_dir("pkg")
        .site_addr(config.addr)
        .build()
}

/// The application rendered for a path that is neither a page nor a file: the router shows
/// its not-found page, with the visitor's own header (services in context, as on every page).
fn not_found_page(
    context: impl Fn() + Clone + Send + Sync + 'static,
    options: LeptosOptions,
) -> impl tower::Service<Request<Body>, Response = axum::response::Response, Error = std::convert::Infallible, Future: Send>
+ Clone
+ Send
+ 'static {
    let render = leptos_axum::render_app_async_with_context(context, move || shell(options.clone()));
    tower::service_fn(move |request: Request<Body>| {
        let render = render.clone();
        async move {
            let mut response = render(request).await;
            // A redirect set by the page stays; the not-found page itself says 404.
            if response.status() == StatusCode::OK {
                *response.status_mut() = StatusCode::NOT_FOUND;
            }
            Ok(response)
        }
    })
}

pub fn router(config: &Config, services: Services, health: Health) -> Router {
    let leptos_options = leptos_options(config);
    let origin = config.public_url.origin().ascii_serialization();
    let state = AppState { leptos_options: leptos_options.clone(), services: services.clone(), health, origin };

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

    let timeouts = config.timeouts;
    let request_timeout = TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, timeouts.request);
    let router = Router::new()
        .route("/rpc/{*fn_name}", post(server_fns.clone()).get(server_fns))
        .leptos_routes_with_context(&state, routes, context.clone(), {
            let options = leptos_options.clone();
            move || shell(options.clone())
        })
        // The build's files straight from disk (their brotli or gzip copy when the browser takes
        // it), and the not-found page for anything else. Leptos's own file handler is not used:
        // it looks for the file on disk a second time, and it serves files inside a reactive
        // owner, and one left current on the worker thread by a page being rendered there made it
        // move that page's headers (its CSP) onto the file's response.
        .fallback_service(
            ServeDir::new(&config.site_root)
                .precompressed_br()
                .precompressed_gzip()
                .call_fallback_on_method_not_allowed(true)
                .fallback(not_found_page(context.clone(), leptos_options.clone())),
        )
        .layer(axum::middleware::from_fn(middleware::limit_page_bodies))
        // The API sets its own limits (larger for uploads).
        .route("/healthz", get(api::health::healthz))
        // Single sign-on: browser navigations to and from the organisation's identity provider.
        .route(portcullis_domain::sso::START_PATH, get(crate::sso::start))
        .route(portcullis_domain::sso::CALLBACK_PATH, get(crate::sso::callback))
        .merge(crate::well_known::router())
        // Uploads are not bounded in time but by their throughput (`api::router`).
        .layer(request_timeout)
        .nest(
            "/api/v1",
            api::router(timeouts)
                .layer(axum::middleware::from_fn_with_state(state.health.clone(), health::refuse_while_database_down)),
        )
        .layer(axum::middleware::from_fn_with_state(state.clone(), middleware::refuse_cross_site))
        .layer(sessions)
        .layer(axum::middleware::from_fn_with_state(middleware::DeviceCookie { https }, middleware::client_device))
        // Outside the session and device layers, which would read their cookies for nothing.
        .route("/livez", get(api::health::livez))
        // Machine clients: no session, no cookies, no browser-origin check.
        .nest(
            "/oauth",
            crate::oauth::router().layer(request_timeout).layer(axum::middleware::from_fn_with_state(
                state.health.clone(),
                crate::oauth::refuse_while_database_down,
            )),
        )
        .layer(axum::middleware::from_fn_with_state(
            middleware::TrustedProxies(Arc::new(config.trusted_proxies.clone())),
            middleware::client_ip,
        ))
        .layer(axum::middleware::from_fn_with_state(
            middleware::HeaderPolicy { https, hashed_assets: leptos_options.hash_files },
            middleware::security_headers,
        ))
        // Pages and JSON; the build's assets are served precompressed, and images never.
        .layer(CompressionLayer::new())
        .layer(RequestBodyTimeoutLayer::new(timeouts.body))
        .with_state(state);
    middleware::with_request_spans(router)
}
