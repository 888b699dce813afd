//! `make bench`: starts the release server on a fresh SQLite database and measures it from a
//! loopback load generator. Rates are fixed (open loop), and latency counts from the moment a
//! request was due, so a stalled server cannot hide its queueing. The database holds a full
//! review queue of submitted applications, seeded before the server starts.

mod cpu;
mod flood;
mod load;
mod oauth;
mod report;
mod seed;
mod server;
mod uploads;

use clap::Parser;
use load::{Scenario, Target};
use report::{Row, Verdict};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

#[derive(Parser)]
#[command(about = "Load benchmark of the portcullis server")]
struct Args {
    /// The server binary (a release build).
    #[arg(long, default_value = "target/release/portcullis")]
    server: PathBuf,
    /// The site directory served next to it.
    #[arg(long, default_value = "target/site")]
    site_root: PathBuf,
    /// Length of each measured phase, in seconds.
    #[arg(long, default_value_t = 15)]
    seconds: u64,
    /// Logins per second that must be sustained.
    #[arg(long, default_value_t = 40)]
    login_rate: u32,
    /// Submitted applications in the review queue.
    #[arg(long, default_value_t = 10_000)]
    applications: usize,
    /// Measure only the uploads (concurrent files and the bomb PDF), on an empty queue.
    #[arg(long)]
    uploads_only: bool,
    /// Measure only the registration floods (SQLite, then PostgreSQL when it runs).
    #[arg(long)]
    flood_only: bool,
    /// Where seeded databases are kept between runs, reused while the seed and the
    /// migrations are unchanged.
    #[arg(long, default_value = "target/bench-seed")]
    seed_cache: PathBuf,
    /// Seed afresh and keep nothing.
    #[arg(long)]
    no_seed_cache: bool,
    /// Skip the queue's scaling rows (10,000 and 100,000 applications).
    #[arg(long)]
    no_scaling: bool,
    /// Measure only the queue's scaling rows.
    #[arg(long)]
    scaling_only: bool,
}

const HEALTH_RATE: u32 = 200;
const HOME_RATE: u32 = 50;
const GALLERY_RATE: u32 = 20;
const QUEUE_RATE: u32 = 50;
const QUEUE_P99: Duration = Duration::from_millis(25);
/// The queue's scaling rows: its p99 at the larger size may be at most twice that at the smaller.
const SCALING: [usize; 2] = [10_000, 100_000];
const OAUTH_CLIENTS: usize = 16;
const TOKENS_PER_SEC: f64 = 2_000.0;
const INTROSPECTIONS_PER_SEC: f64 = 10_000.0;
const INTROSPECTION_P99: Duration = Duration::from_millis(5);
const FLOOD_LOGIN_P99: Duration = Duration::from_secs(1);
const FLOOD_WRITE_P99: Duration = Duration::from_millis(250);

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    match run(args).await {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(error) => {
            eprintln!("bench: {error}");
            ExitCode::from(2)
        }
    }
}

async fn run(args: Args) -> Result<bool, String> {
    server::require_binary(&args.server)?;
    if args.flood_only {
        let floods = flood::run_all(&args.server, &args.site_root).await?;
        return Ok(print_floods(&floods, report::print(&flood_rows(&floods), None)));
    }
    let cache = (!args.no_seed_cache).then_some(args.seed_cache.as_path());
    if args.scaling_only {
        let scaling = measure_scaling(&args, cache, Duration::from_secs(args.seconds)).await?;
        for (seeded, _, _) in &scaling {
            println!("scaling: {}", seeded_line(seeded));
        }
        return Ok(report::print(&scaling_rows(&scaling), None));
    }
    let site = server::Site::new()?;
    let applications = if args.uploads_only { 0 } else { args.applications };
    let seeded = prepare(&site, applications, cache).await?;
    let server = server::Server::start(&args.server, &args.site_root, site).await?;
    if args.uploads_only {
        let uploaded = measure_uploads(&server).await?;
        server.stop().await;
        return Ok(uploaded.print());
    }
    let phase = Duration::from_secs(args.seconds);
    let cookie = load::sign_in(&server.url, server::DEMO_EMAIL, server::DEMO_PASSWORD).await?;
    let health = Target::get(&server.url, "/healthz", None);
    let home = Target::get(&server.url, "/", Some(cookie.clone()));
    let login = Target::login(&server.url, server::DEMO_EMAIL, server::DEMO_PASSWORD);

    eprintln!("bench: warming up");
    Scenario::new().with(&health, HEALTH_RATE).with(&home, HOME_RATE).run(Duration::from_secs(3)).await;

    eprintln!("bench: idle phase ({}s): /healthz and the signed-in home page alone", args.seconds);
    let idle = Scenario::new().with(&health, HEALTH_RATE).with(&home, HOME_RATE).run(phase).await;

    eprintln!("bench: loaded phase ({}s): the same plus {} logins/s", args.seconds, args.login_rate);
    let loaded = Scenario::new()
        .with(&health, HEALTH_RATE)
        .with(&home, HOME_RATE)
        .with(&login, args.login_rate)
        .run(phase)
        .await;

    eprintln!("bench: login capacity ({}s): as many logins as the server takes", args.seconds);
    let capacity = load::closed_loop(&login, 8, phase).await;

    eprintln!(
        "bench: review queue as a reviewer ({}s each): default filters, then one scope, at {QUEUE_RATE}/s; then its capacity",
        args.seconds
    );
    let (queue, queue_default, queue_scoped) = measure_queue(&server.url, &seeded, phase).await?;
    let queue_capacity = load::closed_loop(&queue, 8, phase).await;

    eprintln!("bench: /livez capacity ({}s each): 8 clients, then {OAUTH_CLIENTS}", args.seconds);
    let livez = Target::get(&server.url, "/livez", None);
    let livez_8 = load::closed_loop(&livez, 8, phase).await;
    let livez_oauth = load::closed_loop(&livez, OAUTH_CLIENTS, phase).await;

    eprintln!(
        "bench: OAuth ({}s each): token requests, then introspection, as fast as the server answers",
        args.seconds
    );
    let admin = load::sign_in(&server.url, server::ADMIN_EMAIL, server::ADMIN_PASSWORD).await?;
    let oauth = oauth::prepare(&server.url, &admin).await?;
    let tokens = load::closed_loop(&oauth.token, OAUTH_CLIENTS, phase).await;
    let introspections = load::closed_loop(&oauth.introspect, OAUTH_CLIENTS, phase).await;

    let peak_memory = server.peak_memory_kib();

    let uploaded = measure_uploads(&server).await?;
    let applicant = uploads::Applicant::new(&server.url, cookie.clone());

    eprintln!("bench: the status page of an application with 20 mockups ({}s)", args.seconds);
    let gallery = uploads::page_with_mockups(&applicant, &cookie).await?;
    let gallery = Scenario::new().with(&gallery, GALLERY_RATE).run(phase).await;
    server.stop().await;

    let scaling = if args.no_scaling { Vec::new() } else { measure_scaling(&args, cache, phase).await? };

    let floods = flood::run_all(&args.server, &args.site_root).await?;

    let idle_health = &idle[0];
    let idle_home = &idle[1];
    let (loaded_health, loaded_home, loaded_login) = (&loaded[0], &loaded[1], &loaded[2]);
    let fast_queue = |stats: &load::Stats| {
        Verdict::check(
            stats.errors == 0 && stats.p99 < QUEUE_P99,
            format!("p99 < {} ms, no errors", QUEUE_P99.as_millis()),
        )
    };
    let sustained = loaded_login.errors == 0
        && loaded_login.completed as f64 >= f64::from(args.login_rate) * phase.as_secs_f64() * 0.98
        && loaded_login.p99 < Duration::from_secs(1);
    let mut rows = vec![
        Row::new("GET /healthz", "idle", idle_health, Verdict::Info),
        Row::new("GET / (signed in)", "idle", idle_home, Verdict::Info),
        Row::new("GET /healthz", "with logins", loaded_health, responsive(idle_health, loaded_health)),
        Row::new("GET / (signed in)", "with logins", loaded_home, responsive(idle_home, loaded_home)),
        Row::new(
            "POST login",
            &format!("{}/s offered", args.login_rate),
            loaded_login,
            Verdict::check(sustained, format!("≥ {}/s, no errors, p99 < 1 s", args.login_rate)),
        ),
        Row::new("POST login", "capacity, 8 clients", &capacity, Verdict::Info),
        Row::new(
            "GET /review",
            &format!("{} apps, {QUEUE_RATE}/s", seeded.applications),
            &queue_default,
            fast_queue(&queue_default),
        ),
        Row::new("GET /review?scope=", &format!("one scope, {QUEUE_RATE}/s"), &queue_scoped, fast_queue(&queue_scoped)),
        Row::new("GET /review", "capacity, 8 clients", &queue_capacity, Verdict::Info),
        Row::new("GET /livez", "capacity, 8 clients", &livez_8, Verdict::Info),
        Row::new("GET /livez", &format!("capacity, {OAUTH_CLIENTS} clients"), &livez_oauth, Verdict::Info),
        Row::new("GET application page", "20 mockups", &gallery[0], Verdict::Info),
        Row::new(
            "POST /oauth/token",
            &format!("capacity, {OAUTH_CLIENTS} clients"),
            &tokens,
            Verdict::check(
                tokens.errors == 0 && rate(&tokens) >= TOKENS_PER_SEC,
                format!("≥ {TOKENS_PER_SEC} /s, no errors"),
            ),
        ),
        Row::new(
            "POST /oauth/introspect",
            &format!("capacity, {OAUTH_CLIENTS} clients"),
            &introspections,
            Verdict::check(
                introspections.errors == 0
                    && rate(&introspections) >= INTROSPECTIONS_PER_SEC
                    && introspections.p99 < INTROSPECTION_P99,
                format!("≥ {INTROSPECTIONS_PER_SEC} /s, p99 < {} ms", INTROSPECTION_P99.as_millis()),
            ),
        ),
    ];
    rows.extend(scaling_rows(&scaling));
    rows.extend(flood_rows(&floods));
    let mut passed = print_floods(&floods, report::print(&rows, peak_memory));
    passed &= uploaded.print();
    println!(
        "\ncapacity as a share of GET /livez with the same clients (holds across machines): \
         GET /review {:.1} % (8 clients), POST /oauth/token {:.1} %, POST /oauth/introspect {:.1} % ({OAUTH_CLIENTS} clients)",
        share(&queue_capacity, &livez_8),
        share(&tokens, &livez_oauth),
        share(&introspections, &livez_oauth),
    );
    println!("\nreview queue: {}", seeded_line(&seeded));
    for (seeded, _, _) in &scaling {
        println!("scaling: {}", seeded_line(seeded));
    }
    Ok(passed)
}

fn seeded_line(seeded: &seed::Seeded) -> String {
    if seeded.reused {
        format!("{} submitted applications, the cached seed reused", seeded.applications)
    } else {
        format!(
            "{} submitted applications seeded in {:.1} s before the server started",
            seeded.applications,
            seeded.elapsed.as_secs_f64()
        )
    }
}

async fn prepare(site: &server::Site, count: usize, cache: Option<&std::path::Path>) -> Result<seed::Seeded, String> {
    eprintln!("bench: preparing {count} submitted applications");
    let seeded = seed::prepare(site, count, cache).await?;
    eprintln!("bench: {}", seeded_line(&seeded));
    Ok(seeded)
}

/// The queue as a reviewer at [`QUEUE_RATE`], each view first checked to show the seeded
/// oldest row and warmed up together: default filters, then one scope. Answers the default
/// view's target (for its capacity) and the two phases' figures.
async fn measure_queue(
    url: &str,
    seeded: &seed::Seeded,
    phase: Duration,
) -> Result<(Target, load::Stats, load::Stats), String> {
    let reviewer = load::sign_in(url, server::REVIEWER_EMAIL, server::REVIEWER_PASSWORD).await?;
    let queue = Target::get(url, "/review", Some(reviewer.clone()));
    let scoped = Target::get(url, &format!("/review?scope={}", seed::SCOPE), Some(reviewer));
    queue.check_contains(&seeded.oldest).await?;
    scoped.check_contains(&seeded.oldest_with_scope).await?;
    Scenario::new().with(&queue, QUEUE_RATE).with(&scoped, QUEUE_RATE).run(Duration::from_secs(3)).await;
    let default = Scenario::new().with(&queue, QUEUE_RATE).run(phase).await.remove(0);
    let scope = Scenario::new().with(&scoped, QUEUE_RATE).run(phase).await.remove(0);
    Ok((queue, default, scope))
}

/// The queue at each size of [`SCALING`], on a server of its own: default filters, then one
/// scope, at the same rate as above.
async fn measure_scaling(
    args: &Args,
    cache: Option<&std::path::Path>,
    phase: Duration,
) -> Result<Vec<(seed::Seeded, load::Stats, load::Stats)>, String> {
    let mut measured = Vec::new();
    for count in SCALING {
        let site = server::Site::new()?;
        let seeded = prepare(&site, count, cache).await?;
        let server = server::Server::start(&args.server, &args.site_root, site).await?;
        eprintln!(
            "bench: scaling, {count} applications ({}s each): the queue, then one scope, at {QUEUE_RATE}/s",
            args.seconds
        );
        let (_, default, scope) = measure_queue(&server.url, &seeded, phase).await?;
        server.stop().await;
        measured.push((seeded, default, scope));
    }
    Ok(measured)
}

/// The smaller size's rows for information; the larger's pass when their p99 is at most
/// twice the smaller's and under the queue's target.
fn scaling_rows(scaling: &[(seed::Seeded, load::Stats, load::Stats)]) -> Vec<Row> {
    let Some((small, rest)) = scaling.split_first() else { return Vec::new() };
    let mut rows = Vec::new();
    let stats_of = |measured: &(seed::Seeded, load::Stats, load::Stats), scoped: bool| {
        if scoped { measured.2.clone() } else { measured.1.clone() }
    };
    for (name, scoped) in [("GET /review", false), ("GET /review?scope=", true)] {
        let base = stats_of(small, scoped);
        rows.push(Row::new(name, &format!("scaling, {} apps", small.0.applications), &base, Verdict::Info));
        for larger in rest {
            let stats = stats_of(larger, scoped);
            let holds = stats.errors == 0 && stats.p99 <= base.p99 * 2 && stats.p99 < QUEUE_P99;
            let target = format!(
                "p99 ≤ 2 × {} apps ({:.2} ms), < {} ms",
                small.0.applications,
                ms(base.p99 * 2),
                QUEUE_P99.as_millis()
            );
            rows.push(Row::new(
                name,
                &format!("scaling, {} apps", larger.0.applications),
                &stats,
                Verdict::check(holds, target),
            ));
        }
    }
    rows
}

/// `stats`' throughput as a percentage of `baseline`'s.
fn share(stats: &load::Stats, baseline: &load::Stats) -> f64 {
    let base = rate(baseline);
    if base > 0.0 { rate(stats) / base * 100.0 } else { 0.0 }
}

fn responsive(idle: &load::Stats, loaded: &load::Stats) -> Verdict {
    Verdict::check(loaded.p99 <= idle.p99 * 2, format!("p99 ≤ 2 × idle ({:.2} ms)", ms(idle.p99 * 2)))
}

fn flood_rows(floods: &[flood::Flood]) -> Vec<Row> {
    let mut rows = Vec::new();
    for flood in floods {
        let during = format!("{} registering clients, {}", flood::CLIENTS, flood.database);
        rows.push(Row::new("GET /healthz", &format!("idle, {}", flood.database), &flood.idle_health, Verdict::Info));
        rows.push(Row::new("GET /healthz", &during, &flood.health, responsive(&flood.idle_health, &flood.health)));
        rows.push(Row::new(
            "POST login (signed-up user)",
            &during,
            &flood.login,
            Verdict::check(flood.login.errors == 0 && flood.login.p99 < FLOOD_LOGIN_P99, "p99 < 1 s, no errors".into()),
        ));
        rows.push(Row::new(
            "POST /orgs (a write)",
            &during,
            &flood.write,
            Verdict::check(
                flood.write.errors == 0 && flood.write.p99 < FLOOD_WRITE_P99,
                format!("p99 < {} ms, no errors", FLOOD_WRITE_P99.as_millis()),
            ),
        ));
    }
    rows
}

/// Prints what each flood's registrations were answered with; `passed` passes through.
fn print_floods(floods: &[flood::Flood], passed: bool) -> bool {
    for flood in floods {
        let o = &flood.outcomes;
        println!(
            "registration flood on {}: {} accounts created, {} answered 503 busy, {} other answers in {} s",
            flood.database,
            o.created,
            o.busy,
            o.other,
            flood::FLOOD.as_secs()
        );
    }
    passed
}

struct Uploaded {
    small: uploads::UploadRun,
    large: uploads::UploadRun,
    memory_after_small: Option<u64>,
    memory_after_large: Option<u64>,
    bomb: uploads::BombRun,
}

impl Uploaded {
    fn print(&self) -> bool {
        let sizes = report::print_uploads(&self.small, &self.large, self.memory_after_small, self.memory_after_large);
        report::print_bomb(&self.bomb) && sizes
    }
}

/// Ten uploads at once, two from each of five accounts (the most one account may have in
/// flight), of 1.5 MB and then of 15 MB files; then the bomb PDF.
async fn measure_uploads(server: &server::Server) -> Result<Uploaded, String> {
    let mut applicants = vec![load::sign_in(&server.url, server::DEMO_EMAIL, server::DEMO_PASSWORD).await?];
    for k in 0..seed::APPLICANTS {
        applicants.push(load::sign_in(&server.url, &seed::applicant_email(k), seed::APPLICANT_PASSWORD).await?);
    }
    let applicants: Vec<_> =
        applicants.into_iter().map(|cookie| uploads::Applicant::new(&server.url, cookie)).collect();
    eprintln!("bench: uploads: 10 at once of 1.5 MB, then of 15 MB (peak memory measured during each)");
    let (small_file, large_file) = (uploads::noise_png(1536 * 1024), uploads::noise_png(15 * 1024 * 1024));
    server.reset_peak_memory();
    let small = uploads::concurrent_uploads(&applicants, 2, small_file).await?;
    let memory_after_small = server.peak_memory_kib();
    server.reset_peak_memory();
    let large = uploads::concurrent_uploads(&applicants, 2, large_file).await?;
    let memory_after_large = server.peak_memory_kib();
    eprintln!("bench: a 20 MB PDF of deflated zeros (peak memory growth measured)");
    let bomb = uploads::upload_bomb(&applicants[0], server).await?;
    Ok(Uploaded { small, large, memory_after_small, memory_after_large, bomb })
}

fn rate(stats: &load::Stats) -> f64 {
    stats.completed as f64 / stats.elapsed.as_secs_f64()
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}
