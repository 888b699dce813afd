//! Fixed-rate (open-loop) and closed-loop load over HTTP, with latency percentiles.

use crate::cpu::CpuTimes;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, COOKIE, SET_COOKIE};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Mutex;
use tokio::time::{Instant, MissedTickBehavior};

/// One kind of request, built once: under load the generator shares the cores with the
/// server, so each request is a copy of the template rather than parsed and built anew.
#[derive(Clone)]
pub struct Target {
    client: reqwest::Client,
    template: Arc<reqwest::Request>,
}

enum Body {
    Empty,
    Json(serde_json::Value),
    /// Already form-encoded.
    Form(String),
}

impl Target {
    pub fn get(base: &str, path: &str, cookie: Option<String>) -> Self {
        Target::new(format!("{base}{path}"), Body::Empty, cookie, None)
    }

    /// A form POST with an `Authorization` header, as OAuth clients and gateways send.
    pub fn form(base: &str, path: &str, fields: &[(&str, &str)], authorization: String) -> Self {
        let encoded = fields.iter().map(|(k, v)| format!("{k}={}", form_escape(v))).collect::<Vec<_>>().join("&");
        Target::new(format!("{base}{path}"), Body::Form(encoded), None, Some(authorization))
    }

    /// A JSON POST as a signed-in user.
    pub fn json(base: &str, path: &str, body: serde_json::Value, cookie: String) -> Self {
        Target::new(format!("{base}{path}"), Body::Json(body), Some(cookie), None)
    }

    pub fn login(base: &str, email: &str, password: &str) -> Self {
        let json = serde_json::json!({ "email": email, "password": password });
        Target::new(format!("{base}/api/v1/auth/login"), Body::Json(json), None, None)
    }

    fn new(url: String, body: Body, cookie: Option<String>, authorization: Option<String>) -> Self {
        let client = client();
        let mut request = match body {
            Body::Json(body) => client.post(&url).header(CONTENT_TYPE, "application/json").body(body.to_string()),
            Body::Form(body) => client.post(&url).header(CONTENT_TYPE, "application/x-www-form-urlencoded").body(body),
            Body::Empty => client.get(&url),
        };
        if let Some(cookie) = cookie {
            request = request.header(COOKIE, cookie);
        }
        if let Some(authorization) = authorization {
            request = request.header(AUTHORIZATION, authorization);
        }
        let template = Arc::new(request.build().expect("a valid request"));
        Target { client, template }
    }

    fn request(&self) -> reqwest::Request {
        self.template.try_clone().expect("bodies are bytes, which clone")
    }

    /// One request before measuring: a page that fails, or shows something else than
    /// `expected` (an empty list, the sign-in page), would make its timings meaningless.
    pub async fn check_contains(&self, expected: &str) -> Result<(), String> {
        let url = self.template.url();
        let response = self.client.execute(self.request()).await.map_err(|e| format!("{url}: {e}"))?;
        let status = response.status();
        let body = response.text().await.map_err(|e| format!("{url}: {e}"))?;
        if status.is_success() && body.contains(expected) {
            Ok(())
        } else {
            Err(format!("{url}: {status}, and the page does not show `{expected}`"))
        }
    }

    async fn send(&self) -> bool {
        match self.client.execute(self.request()).await {
            Ok(response) => {
                let ok = response.status().is_success();
                // Read the body so the connection goes back to the pool.
                ok && response.bytes().await.is_ok()
            }
            Err(_) => false,
        }
    }
}

/// `application/x-www-form-urlencoded` escaping of one value.
fn form_escape(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'*' => (b as char).to_string(),
            b' ' => "+".to_owned(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn client() -> reqwest::Client {
    reqwest::Client::builder().timeout(Duration::from_secs(30)).build().expect("http client")
}

/// Signs in once and returns the session cookie for signed-in page loads.
pub async fn sign_in(base: &str, email: &str, password: &str) -> Result<String, String> {
    let response = client()
        .post(format!("{base}/api/v1/auth/login"))
        .json(&serde_json::json!({ "email": email, "password": password }))
        .send()
        .await
        .map_err(|e| format!("login failed: {e}"))?;
    if !response.status().is_success() {
        return Err(format!("login failed: {}", response.status()));
    }
    let cookie = response
        .headers()
        .get(SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .ok_or("login set no cookie")?;
    Ok(cookie.to_owned())
}

#[derive(Clone, Debug, Default)]
pub struct Stats {
    pub completed: u64,
    pub errors: u64,
    pub elapsed: Duration,
    pub p50: Duration,
    pub p99: Duration,
    /// The share of the machine's CPU time that the hypervisor took meanwhile.
    pub steal: Option<f64>,
}

impl Stats {
    fn from(mut latencies: Vec<Duration>, errors: u64, elapsed: Duration, cpu_before: CpuTimes) -> Self {
        latencies.sort_unstable();
        let at = |q: f64| {
            if latencies.is_empty() {
                return Duration::ZERO;
            }
            let index = ((latencies.len() as f64 * q).ceil() as usize).clamp(1, latencies.len()) - 1;
            latencies[index]
        };
        Stats {
            completed: latencies.len() as u64,
            errors,
            elapsed,
            p50: at(0.50),
            p99: at(0.99),
            steal: CpuTimes::now().steal_since(&cpu_before),
        }
    }
}

#[derive(Default)]
struct Recorder {
    latencies: Vec<Duration>,
    errors: u64,
}

/// Several targets, each at its own fixed rate, at the same time.
#[derive(Default)]
pub struct Scenario<'a> {
    parts: Vec<(&'a Target, u32)>,
}

impl<'a> Scenario<'a> {
    pub fn new() -> Self {
        Scenario::default()
    }

    pub fn with(mut self, target: &'a Target, per_second: u32) -> Self {
        self.parts.push((target, per_second));
        self
    }

    /// Runs every part for `duration`; statistics in the order the parts were added.
    pub async fn run(self, duration: Duration) -> Vec<Stats> {
        let runs = self.parts.into_iter().map(|(target, rate)| fixed_rate(target.clone(), rate, duration));
        futures_join_all(runs).await
    }
}

async fn fixed_rate(target: Target, per_second: u32, duration: Duration) -> Stats {
    let cpu_before = CpuTimes::now();
    let recorder = Arc::new(Mutex::new(Recorder::default()));
    let period = Duration::from_secs(1) / per_second;
    let mut ticks = tokio::time::interval(period);
    // Catch up after a stall rather than dropping requests that were due.
    ticks.set_missed_tick_behavior(MissedTickBehavior::Burst);
    let start = Instant::now();
    let total = u64::from(per_second) * duration.as_secs();
    let mut tasks = Vec::with_capacity(total as usize);
    for n in 0..total {
        ticks.tick().await;
        let due = start + period * n as u32;
        let (target, recorder) = (target.clone(), recorder.clone());
        tasks.push(tokio::spawn(async move {
            let ok = target.send().await;
            let mut recorder = recorder.lock().await;
            if ok { recorder.latencies.push(due.elapsed()) } else { recorder.errors += 1 }
        }));
    }
    for task in tasks {
        let _ = task.await;
    }
    let elapsed = start.elapsed();
    let recorder = std::mem::take(&mut *recorder.lock().await);
    Stats::from(recorder.latencies, recorder.errors, elapsed, cpu_before)
}

/// `clients` requests in flight at all times for `duration`: the server's capacity.
pub async fn closed_loop(target: &Target, clients: usize, duration: Duration) -> Stats {
    let cpu_before = CpuTimes::now();
    let start = Instant::now();
    let workers = (0..clients).map(|_| {
        let target = target.clone();
        tokio::spawn(async move {
            let mut recorder = Recorder::default();
            while start.elapsed() < duration {
                let sent = Instant::now();
                if target.send().await { recorder.latencies.push(sent.elapsed()) } else { recorder.errors += 1 }
            }
            recorder
        })
    });
    let mut all = Recorder::default();
    for worker in workers.collect::<Vec<_>>() {
        if let Ok(recorder) = worker.await {
            all.latencies.extend(recorder.latencies);
            all.errors += recorder.errors;
        }
    }
    Stats::from(all.latencies, all.errors, start.elapsed(), cpu_before)
}

async fn futures_join_all<F: Future<Output = Stats> + Send + 'static>(runs: impl Iterator<Item = F>) -> Vec<Stats> {
    let handles: Vec<_> = runs.map(tokio::spawn).collect();
    let mut stats = Vec::with_capacity(handles.len());
    for handle in handles {
        stats.push(handle.await.unwrap_or_default());
    }
    stats
}
