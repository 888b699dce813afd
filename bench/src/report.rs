//! The results table.

use crate::load::Stats;

pub enum Verdict {
    Info,
    Pass(String),
    Fail(String),
}

impl Verdict {
    pub fn check(ok: bool, target: String) -> Self {
        if ok { Verdict::Pass(target) } else { Verdict::Fail(target) }
    }
}

pub struct Row {
    name: String,
    condition: String,
    requests_per_sec: f64,
    p50_ms: f64,
    p99_ms: f64,
    errors: u64,
    verdict: Verdict,
}

impl Row {
    pub fn new(name: &str, condition: &str, stats: &Stats, verdict: Verdict) -> Self {
        Row {
            name: name.into(),
            condition: condition.into(),
            requests_per_sec: stats.completed as f64 / stats.elapsed.as_secs_f64(),
            p50_ms: stats.p50.as_secs_f64() * 1000.0,
            p99_ms: stats.p99.as_secs_f64() * 1000.0,
            errors: stats.errors,
            verdict,
        }
    }
}

/// Prints the table; true when every checked target holds.
pub fn print(rows: &[Row], peak_memory_kib: Option<u64>) -> bool {
    println!();
    println!(
        "| {:<18} | {:<20} | {:>8} | {:>9} | {:>9} | {:>6} | {:<40} |",
        "request", "condition", "req/s", "p50 ms", "p99 ms", "errors", "target"
    );
    println!("|{:-<20}|{:-<22}|{:->10}|{:->11}|{:->11}|{:->8}|{:-<42}|", "", "", "", "", "", "", "");
    let mut passed = true;
    for row in rows {
        let target = match &row.verdict {
            Verdict::Info => String::new(),
            Verdict::Pass(target) => format!("PASS {target}"),
            Verdict::Fail(target) => {
                passed = false;
                format!("FAIL {target}")
            }
        };
        println!(
            "| {:<18} | {:<20} | {:>8.1} | {:>9.2} | {:>9.2} | {:>6} | {:<40} |",
            row.name, row.condition, row.requests_per_sec, row.p50_ms, row.p99_ms, row.errors, target
        );
    }
    match peak_memory_kib {
        Some(kib) => println!("\npeak server memory (VmHWM): {:.1} MiB", kib as f64 / 1024.0),
        None => println!("\npeak server memory: not available"),
    }
    println!("{}", if passed { "all targets met" } else { "SOME TARGETS MISSED" });
    passed
}
