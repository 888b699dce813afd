//! The results table.

use crate::load::Stats;
use crate::uploads::{BombRun, UploadRun};
use reqwest::StatusCode;

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
    steal: Option<f64>,
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
            steal: stats.steal,
            verdict,
        }
    }
}

/// Prints the table; true when every checked target holds.
pub fn print(rows: &[Row], peak_memory_kib: Option<u64>) -> bool {
    println!();
    println!(
        "| {:<22} | {:<20} | {:>8} | {:>9} | {:>9} | {:>6} | {:>7} | {:<40} |",
        "request", "condition", "req/s", "p50 ms", "p99 ms", "errors", "steal %", "target"
    );
    println!("|{:-<24}|{:-<22}|{:->10}|{:->11}|{:->11}|{:->8}|{:->9}|{:-<42}|", "", "", "", "", "", "", "", "");
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
        let steal = percent(row.steal);
        println!(
            "| {:<22} | {:<20} | {:>8.1} | {:>9.2} | {:>9.2} | {:>6} | {:>7} | {:<40} |",
            row.name, row.condition, row.requests_per_sec, row.p50_ms, row.p99_ms, row.errors, steal, target
        );
    }
    match peak_memory_kib {
        Some(kib) => println!("\npeak server memory (VmHWM): {:.1} MiB", kib as f64 / 1024.0),
        None => println!("\npeak server memory: not available"),
    }
    println!("steal %: CPU time the hypervisor gave to other machines during the phase (0 on dedicated cores)");
    println!("{}", if passed { "all targets met" } else { "SOME TARGETS MISSED" });
    passed
}

/// Upload throughput, and whether the server's memory grew with the file size: ten 15 MB
/// uploads may not raise the peak by more than a fixed allowance over ten 1.5 MB ones.
pub fn print_uploads(small: &UploadRun, large: &UploadRun, after_small: Option<u64>, after_large: Option<u64>) -> bool {
    const ALLOWANCE_MIB: f64 = 64.0;
    println!();
    println!("| uploads, 10 at once | seconds | MB/s    | server peak memory during | steal % |");
    println!("|---------------------|---------|---------|---------------------------|---------|");
    for (run, memory) in [(small, after_small), (large, after_large)] {
        println!(
            "| {:>8.1} MB each    | {:>7.2} | {:>7.1} | {:>21} MiB | {:>7} |",
            run.file_bytes as f64 / (1024.0 * 1024.0),
            run.elapsed.as_secs_f64(),
            run.megabytes_per_second(),
            mib(memory),
            percent(run.steal),
        );
    }
    match (after_small, after_large) {
        (Some(small_kib), Some(large_kib)) => {
            let growth = (large_kib.saturating_sub(small_kib)) as f64 / 1024.0;
            let ok = growth <= ALLOWANCE_MIB;
            println!(
                "{} memory growth from 1.5 MB to 15 MB files: {growth:.1} MiB (allowed {ALLOWANCE_MIB} MiB; the files total {:.0} MiB)",
                if ok { "PASS" } else { "FAIL" },
                (large.files * large.file_bytes) as f64 / (1024.0 * 1024.0)
            );
            ok
        }
        _ => true,
    }
}

/// The bomb PDF: refused with 422, and the server's memory grew less than the allowance.
pub fn print_bomb(run: &BombRun) -> bool {
    const ALLOWANCE_MIB: u64 = 256;
    println!();
    println!(
        "bomb PDF: {:.1} MB on disk, {:.1} GiB inflated: {} in {:.2} s (steal {} %): {}",
        run.file_bytes as f64 / (1024.0 * 1024.0),
        run.inflated as f64 / f64::from(1 << 30),
        run.status,
        run.elapsed.as_secs_f64(),
        percent(run.steal),
        run.message
    );
    println!("  the checking process peaked at {} MiB resident", mib(run.checker_peak_kib));
    let refused = run.status == StatusCode::UNPROCESSABLE_ENTITY;
    let small = run.server_growth_kib.is_some_and(|kib| kib < ALLOWANCE_MIB << 10);
    println!(
        "{} bomb refused with 422, server peak memory growth {} MiB (allowed < {ALLOWANCE_MIB} MiB)",
        if refused && small { "PASS" } else { "FAIL" },
        mib(run.server_growth_kib)
    );
    refused && small
}

fn mib(kib: Option<u64>) -> String {
    kib.map(|kib| format!("{:.1}", kib as f64 / 1024.0)).unwrap_or_else(|| "n/a".into())
}

fn percent(share: Option<f64>) -> String {
    share.map_or_else(|| "n/a".to_owned(), |s| format!("{:.0}", s * 100.0))
}
