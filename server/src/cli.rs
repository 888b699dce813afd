//! The command line: `serve` (default), `migrate`, `create-admin`, `audit verify`, `audit keygen`,
//! `evidence verify`.

use crate::config::Config;
use crate::startup::{self, Application};
use crate::telemetry;
use clap::{Parser, Subcommand};
use portcullis_domain::role::Role;
use portcullis_service::accounts;
use portcullis_service::applications::inspect;
use portcullis_service::audit::signing::SigningKey;
use portcullis_service::audit::{self, ChainReport};
use portcullis_service::clock::SystemClock;
use portcullis_service::demo_world;
use portcullis_service::evidence::{self, PackCheck};
use std::process::ExitCode;
use std::sync::Arc;

#[derive(Parser)]
#[command(name = "portcullis", version, about = "Review portal for Data Portability API access")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// Judge the PDF on standard input: how the server checks an upload, in a child process.
    #[arg(long, hide = true)]
    inspect_pdf: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Start the portal (the default).
    Serve {
        /// Also create demo developer, reviewer and admin accounts with known passwords.
        #[arg(long)]
        demo: bool,
        /// Also seed a demo world once: organisations, applications in every status, credentials and a
        /// gateway key.
        #[arg(long, requires = "demo")]
        demo_world: bool,
        /// Create the demo accounts even where the portal looks like a real deployment
        /// (an https public URL or PostgreSQL).
        #[arg(long, requires = "demo")]
        force_demo: bool,
    },
    /// Apply database migrations and exit.
    Migrate,
    /// Create an admin account (or promote an existing one) and print a one-time link to set its password.
    CreateAdmin {
        #[arg(long)]
        email: String,
    },
    /// Audit trail tools.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Evidence pack tools.
    Evidence {
        #[command(subcommand)]
        command: EvidenceCommand,
    },
}

#[derive(Subcommand)]
enum EvidenceCommand {
    /// Check an application's evidence pack offline (no database): every file against the
    /// manifest, every audit record against its hash, its links up to a checkpoint and the
    /// checkpoint's signature. Exits 0 only for an intact pack; otherwise prints the first
    /// fault and exits 1.
    Verify {
        /// The pack (ZIP) as downloaded.
        pack: std::path::PathBuf,
        /// The portal's public audit key, as `/.well-known/portcullis-audit-key` serves it.
        #[arg(long)]
        key: std::path::PathBuf,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Check the hash chain and every signed checkpoint (with the key named by
    /// PORTCULLIS_AUDIT_SIGNING_KEY); report the first broken link or bad checkpoint.
    Verify,
    /// Write a new Ed25519 key for signing audit checkpoints to FILE (never over an existing
    /// file), and print its public key.
    Keygen {
        /// Where to write the key (PEM, PKCS#8), readable by its owner only.
        file: std::path::PathBuf,
    },
}

pub async fn run() -> ExitCode {
    let cli = Cli::parse();
    // Before any configuration or logging, so nothing but the file reaches the check.
    if cli.inspect_pdf {
        return inspect::check_pdf_from_stdin();
    }
    // Needs neither configuration nor database.
    if let Some(Command::Audit { command: AuditCommand::Keygen { file } }) = &cli.command {
        return keygen(file);
    }
    if let Some(Command::Evidence { command: EvidenceCommand::Verify { pack, key } }) = &cli.command {
        return verify_evidence(pack, key);
    }
    // A missing .env is normal; a malformed one is reported by the variables it breaks.
    let _ = dotenvy::dotenv();
    telemetry::init();
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let command = cli.command.unwrap_or(Command::Serve { demo: false, demo_world: false, force_demo: false });
    if let Command::Serve { demo: true, force_demo: false, .. } = command
        && let Some(refusal) = demo_refusal(&config)
    {
        eprintln!("{refusal}");
        return ExitCode::from(2);
    }
    let result = match command {
        Command::Serve { demo, demo_world, .. } => serve(config, demo, demo_world).await,
        Command::Migrate => migrate(config).await,
        Command::CreateAdmin { email } => create_admin(config, &email).await,
        Command::Audit { command: AuditCommand::Verify } => verify_audit(config).await,
        Command::Audit { command: AuditCommand::Keygen { .. } } | Command::Evidence { .. } => {
            unreachable!("handled before configuration")
        }
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Demo accounts have passwords printed in the README, so they are refused where the portal
/// looks like a real deployment, unless `--force-demo` says the operator means it.
fn demo_refusal(config: &Config) -> Option<String> {
    let looks_real = if config.is_https() {
        format!("PORTCULLIS_PUBLIC_URL is https ({})", config.public_url)
    } else if config.database_url.starts_with("postgres") {
        "DATABASE_URL is PostgreSQL".to_owned()
    } else {
        return None;
    };
    Some(format!(
        "refusing --demo: {looks_real}, so this looks like a real deployment and demo accounts have known \
         passwords; add --force-demo if it really is a demo"
    ))
}

type CliResult = Result<ExitCode, Box<dyn std::error::Error>>;

async fn serve(config: Config, demo: bool, world: bool) -> CliResult {
    let config = if demo { config.for_demo() } else { config };
    let app = Application::build(config.clone()).await?;
    if demo {
        accounts::seed_demo(app.services()).await?;
        println!("Demo accounts (password in brackets):");
        print_accounts(&accounts::DEMO_ACCOUNTS);
    }
    if world {
        let seeded = demo_world::seed(app.services()).await?;
        println!("Demo world accounts (password in brackets):");
        print_accounts(&demo_world::ACCOUNTS);
        print_world(seeded);
    }
    if !accounts::has_admin(app.services()).await? {
        println!("No admin account yet. Create one with: portcullis create-admin --email you@example.com");
    }
    let stop = shutdown_signal();
    println!("portcullis listening on http://{}", app.local_addr());
    app.run_until(stop).await?;
    Ok(ExitCode::SUCCESS)
}

fn print_accounts(accounts: &[(&str, &str, &str, &[Role])]) {
    for (email, _, password, roles) in accounts {
        let role = roles.first().map_or("developer", |r| r.as_str());
        println!("  {role:<10} {email} [{password}]");
    }
}

/// The world's secrets exist only in this output, and only on the run that made them.
fn print_world(seeded: Option<demo_world::Seeded>) {
    let Some(seeded) = seeded else {
        println!("Demo world already seeded; nothing added.");
        return;
    };
    println!("Demo world seeded: {} organisations, {} applications.", seeded.organisations, seeded.applications);
    println!("  gateway key (shown once): {}", seeded.gateway_key);
    if let Some(sandbox) = seeded.sandbox {
        println!(
            "  {} sandbox client (shown once): {} / {}",
            sandbox.application, sandbox.client_id, sandbox.client_secret
        );
    }
}

async fn migrate(config: Config) -> CliResult {
    startup::services(&config, Arc::new(SystemClock)).await?;
    println!("migrations applied");
    Ok(ExitCode::SUCCESS)
}

async fn create_admin(config: Config, email: &str) -> CliResult {
    let services = startup::services(&config, Arc::new(SystemClock)).await?;
    match accounts::create_admin(&services, email).await {
        Ok(link) => {
            println!("Admin account ready: {email}");
            println!("Set its password within 72 hours at (one use only):\n{link}");
            Ok(ExitCode::SUCCESS)
        }
        Err(portcullis_service::ServiceError::Validation(_)) => {
            eprintln!("error: `{email}` is not a valid email address");
            Ok(ExitCode::from(2))
        }
        Err(e) => Err(e.into()),
    }
}

async fn verify_audit(config: Config) -> CliResult {
    let services = startup::services(&config, Arc::new(SystemClock)).await?;
    let key = services.config().audit_key.public().id().to_owned();
    match audit::verify(&services).await? {
        ChainReport::Intact { records, checkpoints, latest_checkpoint } => {
            let latest = latest_checkpoint.map_or_else(String::new, |seq| format!(", the newest covers record {seq}"));
            println!(
                "audit trail intact: {records} records verified, {checkpoints} checkpoints signed by key {key}{latest}"
            );
            Ok(ExitCode::SUCCESS)
        }
        ChainReport::Broken { checked, link } => {
            println!("audit trail BROKEN after {checked} intact records: {link}");
            Ok(ExitCode::FAILURE)
        }
        ChainReport::Checkpoint { checked, fault } => {
            println!("audit trail BROKEN after {checked} intact records: {fault}");
            Ok(ExitCode::FAILURE)
        }
    }
}

fn verify_evidence(pack: &std::path::Path, key: &std::path::Path) -> ExitCode {
    let checked = std::fs::read_to_string(key)
        .map_err(|e| format!("{}: {e}", key.display()))
        .and_then(|key| evidence::verify_file(pack, &key));
    match checked {
        Ok(PackCheck::Intact(verified)) => {
            let checkpoints: Vec<String> = verified.checkpoints.iter().map(i64::to_string).collect();
            println!(
                "evidence pack intact: application {}, {} files, {} audit records of the application linked to \
                 checkpoints of records {} signed by the given key",
                verified.application_id,
                verified.files,
                verified.records,
                checkpoints.join(", ")
            );
            ExitCode::SUCCESS
        }
        Ok(PackCheck::Fault(fault)) => {
            println!("evidence pack BROKEN: {fault}");
            ExitCode::FAILURE
        }
        Err(e) => {
            println!("evidence pack unreadable: {e}");
            ExitCode::FAILURE
        }
    }
}

fn keygen(file: &std::path::Path) -> ExitCode {
    match SigningKey::create_file(file) {
        Ok(key) => {
            println!("audit signing key {} written to {}; its public key:", key.public().id(), file.display());
            print!("{}", key.public().pem());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: cannot write a new key: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Resolves at Ctrl-C or `SIGTERM`. The `SIGTERM` handler is installed when this is called, not
/// when first awaited, so a stop that comes as soon as "listening" is printed is still graceful.
fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    let terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate());
    async move {
        let ctrl_c = async {
            let _ = tokio::signal::ctrl_c().await;
        };
        #[cfg(unix)]
        let terminate = async {
            match terminate {
                Ok(mut s) => {
                    s.recv().await;
                }
                Err(_) => std::future::pending::<()>().await,
            }
        };
        #[cfg(not(unix))]
        let terminate = std::future::pending::<()>();
        tokio::select! {
            _ = ctrl_c => {},
            _ = terminate => {},
        }
        tracing::info!("shutting down");
    }
}
