//! The `portcullis` binary's commands and configuration errors.

mod common;

use std::process::{Command, Output};

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
    for command in ["serve", "migrate", "create-admin", "audit"] {
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
