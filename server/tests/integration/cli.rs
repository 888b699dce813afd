//! The `portcullis` binary's commands and configuration errors.

use crate::common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn portcullis(dir: &std::path::Path, database_url: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_portcullis"))
        .args(args)
        .current_dir(dir)
        .env("DATABASE_URL", database_url)
        .env("PORTCULLIS_DATA_DIR", dir.join("data"))
        .env("PORTCULLIS_PUBLIC_URL", "https://portal.example.com")
        .env_remove("SMTP_URL")
        .output()
        .expect("binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[tokio::test]
async fn help_lists_every_subcommand() {
    let dir = tempfile::TempDir::new().unwrap();
    let out = portcullis(dir.path(), "sqlite::memory:", &["--help"]);
    assert!(out.status.success());
    for command in ["serve", "migrate", "create-admin", "audit", "evidence"] {
        assert!(stdout(&out).contains(command), "{command} in --help");
    }
}

#[tokio::test]
async fn migrate_create_admin_and_verify_audit() {
    let dir = tempfile::TempDir::new().unwrap();
    let db = common::fresh_database(dir.path()).await;

    let out = portcullis(dir.path(), &db, &["migrate"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    let out = portcullis(dir.path(), &db, &["create-admin", "--email", "Boss@Example.com"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = stdout(&out);
    assert!(text.contains("https://portal.example.com/reset-password?token="), "{text}");

    // Running it again promotes the same account and prints a fresh link.
    let again = portcullis(dir.path(), &db, &["create-admin", "--email", "boss@example.com"]);
    assert!(again.status.success());
    assert_ne!(stdout(&again), text);

    let out = portcullis(dir.path(), &db, &["create-admin", "--email", "not-an-email"]);
    assert_eq!(out.status.code(), Some(2));

    let out = portcullis(dir.path(), &db, &["audit", "verify"]);
    assert!(out.status.success());
    assert!(stdout(&out).contains("audit trail intact: 2 records verified"), "{}", stdout(&out));
}

#[tokio::test]
async fn invalid_configuration_names_the_variable() {
    let dir = tempfile::TempDir::new().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_portcullis"))
        .arg("migrate")
        .current_dir(dir.path())
        .env("PORTCULLIS_ADDR", "not-an-address")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("invalid configuration: PORTCULLIS_ADDR"), "{stderr}");
}

/// Runs `serve --demo` as configured; kills it if it is still running after 30 s, which means
/// it started serving instead of refusing.
fn serve_demo(dir: &std::path::Path, database_url: &str, public_url: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_portcullis"))
        .args(["serve", "--demo"])
        .current_dir(dir)
        .env("DATABASE_URL", database_url)
        .env("PORTCULLIS_DATA_DIR", dir.join("data"))
        .env("PORTCULLIS_PUBLIC_URL", public_url)
        .env("PORTCULLIS_ADDR", format!("127.0.0.1:{}", common::free_port()))
        .env_remove("SMTP_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            child.kill().unwrap();
            panic!("serve --demo with {database_url} and {public_url} is still running: not refused");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().unwrap()
}

#[tokio::test]
async fn demo_accounts_are_refused_on_https_or_postgres_without_force_demo() {
    let dir = tempfile::TempDir::new().unwrap();
    let sqlite = format!("sqlite://{}?mode=rwc", dir.path().join("demo.db").display());

    // An https public URL looks like a real deployment: no accounts with known passwords.
    let out = serve_demo(dir.path(), &sqlite, "https://portal.example.com");
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--force-demo") && stderr.contains("https"), "{stderr}");
    assert!(!stdout(&out).contains("Demo accounts"));
    assert!(!dir.path().join("demo.db").exists(), "refused before touching the database");

    // So does PostgreSQL, even on plain http; refused before connecting.
    let out = serve_demo(dir.path(), "postgres://nobody:nothing@127.0.0.1:1/none", "http://127.0.0.1:3000");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--force-demo") && stderr.contains("PostgreSQL"), "{stderr}");

    // `--force-demo` says the operator means it.
    let mut child = Command::new(env!("CARGO_BIN_EXE_portcullis"))
        .args(["serve", "--demo", "--force-demo"])
        .current_dir(dir.path())
        .env("DATABASE_URL", &sqlite)
        .env("PORTCULLIS_DATA_DIR", dir.path().join("data"))
        .env("PORTCULLIS_PUBLIC_URL", "https://portal.example.com")
        .env("PORTCULLIS_ADDR", format!("127.0.0.1:{}", common::free_port()))
        .env_remove("SMTP_URL")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let seeded = lines.by_ref().map_while(Result::ok).any(|line| line.contains("Demo accounts"));
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(seeded, "demo accounts created with --force-demo");
}

#[tokio::test]
async fn an_unreadable_secrets_key_stops_startup_naming_the_variable() {
    let dir = tempfile::TempDir::new().unwrap();
    std::fs::write(dir.path().join("bad.key"), "not a key").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_portcullis"))
        .arg("migrate")
        .current_dir(dir.path())
        .env("PORTCULLIS_SECRETS_KEY_FILE", dir.path().join("bad.key"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("invalid configuration: PORTCULLIS_SECRETS_KEY_FILE"), "{stderr}");
    assert!(stderr.contains("hex"), "{stderr}");
}
