//! Upload throughput and the server's memory while 10 large mockups stream in at once (two
//! from each of five accounts, the most one account may have in flight), a decompression
//! bomb PDF, and the application page with 20 mockups attached.

use crate::cpu::CpuTimes;
use crate::load::Target;
use crate::server::Server;
use flate2::Compression;
use flate2::write::ZlibEncoder;
use reqwest::StatusCode;
use reqwest::header::COOKIE;
use serde_json::{Value, json};
use std::io::{Cursor, Write};
use std::time::{Duration, Instant};

#[derive(Clone)]
pub struct Applicant {
    client: reqwest::Client,
    base: String,
    cookie: String,
}

/// Incompressible pixels, so the PNG is about as large as its raw data.
pub fn noise_png(bytes: usize) -> Vec<u8> {
    let pixels = bytes / 3;
    let width = 2000u32;
    let height = (pixels as u32 / width).max(1);
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let image = image::RgbImage::from_fn(width, height, |_, _| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let [a, b, c, ..] = state.to_le_bytes();
        image::Rgb([a, b, c])
    });
    let mut out = Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(image).write_to(&mut out, image::ImageFormat::Png).expect("encode PNG");
    out.into_inner()
}

impl Applicant {
    pub fn new(base: &str, cookie: String) -> Self {
        Applicant { client: reqwest::Client::new(), base: base.to_owned(), cookie }
    }

    async fn post(&self, path: &str, body: Value) -> Result<Value, String> {
        let response = self
            .client
            .post(format!("{}{path}", self.base))
            .header(COOKIE, &self.cookie)
            .json(&body)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        let status = response.status();
        let body: Value = response.json().await.map_err(|e| e.to_string())?;
        if status.is_success() { Ok(body) } else { Err(format!("{path}: {status} {body}")) }
    }

    /// A new draft application in a new organisation; returns its id.
    pub async fn draft(&self, name: &str) -> Result<String, String> {
        let org = self
            .post(
                "/api/v1/orgs",
                json!({"name": format!("{name} Ltd"), "country": "DE", "website": "https://bench.example", "contact_email": "bench@bench.example"}),
            )
            .await?;
        let org_id = org["org"]["id"].as_str().ok_or("no org id")?;
        let app = self.post("/api/v1/applications", json!({"org_id": org_id, "name": name})).await?;
        Ok(app["application"]["id"].as_str().ok_or("no application id")?.to_owned())
    }

    pub async fn upload(&self, application_id: &str, label: &str, file: Vec<u8>) -> Result<(), String> {
        let (status, body) = self.send(application_id, label, file).await?;
        if status.is_success() { Ok(()) } else { Err(format!("upload: {status} {body}")) }
    }

    async fn send(&self, application_id: &str, label: &str, file: Vec<u8>) -> Result<(StatusCode, String), String> {
        let part = reqwest::multipart::Part::bytes(file).file_name("mockup");
        let form = reqwest::multipart::Form::new().text("label", label.to_owned()).part("file", part);
        let response = self
            .client
            .post(format!("{}/api/v1/applications/{application_id}/mockups", self.base))
            .header(COOKIE, &self.cookie)
            .multipart(form)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        Ok((response.status(), response.text().await.unwrap_or_default()))
    }
}

pub struct UploadRun {
    pub files: usize,
    pub file_bytes: usize,
    pub elapsed: Duration,
    pub steal: Option<f64>,
}

impl UploadRun {
    pub fn megabytes_per_second(&self) -> f64 {
        (self.files * self.file_bytes) as f64 / (1024.0 * 1024.0) / self.elapsed.as_secs_f64()
    }
}

/// `per_applicant` uploads of the same file at once from each applicant, each to a new
/// application of its own.
pub async fn concurrent_uploads(
    applicants: &[Applicant],
    per_applicant: usize,
    file: Vec<u8>,
) -> Result<UploadRun, String> {
    let mut applications = Vec::with_capacity(applicants.len());
    for applicant in applicants {
        applications.push(applicant.draft(&format!("Bench {per_applicant} x {} B", file.len())).await?);
    }
    let cpu_before = CpuTimes::now();
    let start = Instant::now();
    let mut uploads = Vec::with_capacity(applicants.len() * per_applicant);
    for (applicant, application) in applicants.iter().zip(&applications) {
        for n in 0..per_applicant {
            let (applicant, application, file) = (applicant.clone(), application.clone(), file.clone());
            uploads
                .push(tokio::spawn(async move { applicant.upload(&application, &format!("Screen {n}"), file).await }));
        }
    }
    for upload in uploads {
        upload.await.map_err(|e| e.to_string())??;
    }
    Ok(UploadRun {
        files: applicants.len() * per_applicant,
        file_bytes: file.len(),
        elapsed: start.elapsed(),
        steal: CpuTimes::now().steal_since(&cpu_before),
    })
}

/// A PDF whose streams are zeros deflated at the best level: `bytes` long, inflating to
/// `inflated` bytes.
pub struct Bomb {
    pub bytes: Vec<u8>,
    pub inflated: u64,
}

/// Each stream inflates to 128 MiB, under the per-stream limit, so the check has to count
/// up to the limit on the total; as many as fit in just under 20 MB.
pub fn bomb_pdf() -> Bomb {
    const STREAM: u64 = 128 << 20;
    const SIZE: usize = 20 << 20;
    let mut encoder = ZlibEncoder::new(Vec::new(), Compression::best());
    let zeros = vec![0; 1 << 20];
    for _ in 0..STREAM >> 20 {
        encoder.write_all(&zeros).expect("deflate into memory");
    }
    let deflated = encoder.finish().expect("deflate into memory");
    let mut stream = format!("<< /Length {} /Filter /FlateDecode >>\nstream\n", deflated.len()).into_bytes();
    stream.extend_from_slice(&deflated);
    stream.extend_from_slice(b"\nendstream");
    let mut objects = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>".to_vec(),
    ];
    // Room for the cross-reference table and trailer.
    let mut size = 4096;
    while size + stream.len() + 64 < SIZE {
        objects.push(stream.clone());
        size += stream.len() + 64;
    }
    let streams = objects.len() as u64 - 3;
    let mut pdf = b"%PDF-1.5\n".to_vec();
    let mut offsets = Vec::with_capacity(objects.len());
    for (n, body) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{} 0 obj\n", n + 1).as_bytes());
        pdf.extend_from_slice(body);
        pdf.extend_from_slice(b"\nendobj\n");
    }
    let xref = pdf.len();
    pdf.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for offset in offsets {
        pdf.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    let trailer = format!("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1);
    pdf.extend_from_slice(trailer.as_bytes());
    Bomb { bytes: pdf, inflated: streams * STREAM }
}

pub struct BombRun {
    pub file_bytes: usize,
    pub inflated: u64,
    pub status: StatusCode,
    pub message: String,
    pub elapsed: Duration,
    /// The server's peak resident memory during the upload over its resident memory before.
    pub server_growth_kib: Option<u64>,
    /// The highest peak resident memory of the process that checked the file.
    pub checker_peak_kib: Option<u64>,
    pub steal: Option<f64>,
}

/// Uploads the bomb to a new application and measures the server meanwhile.
pub async fn upload_bomb(applicant: &Applicant, server: &Server) -> Result<BombRun, String> {
    let bomb = bomb_pdf();
    let application = applicant.draft("Bench bomb").await?;
    server.reset_peak_memory();
    let before = server.memory_kib();
    let children = server.watch_children();
    let cpu_before = CpuTimes::now();
    let start = Instant::now();
    let (status, body) = applicant.send(&application, "Bomb", bomb.bytes.clone()).await?;
    let elapsed = start.elapsed();
    let steal = CpuTimes::now().steal_since(&cpu_before);
    let checker_peak_kib = children.peak_kib().await;
    let server_growth_kib = server.peak_memory_kib().zip(before).map(|(peak, before)| peak.saturating_sub(before));
    let message = serde_json::from_str::<Value>(&body)
        .ok()
        .and_then(|body| body["error"]["fields"]["file"][0].as_str().map(str::to_owned))
        .unwrap_or(body);
    Ok(BombRun {
        file_bytes: bomb.bytes.len(),
        inflated: bomb.inflated,
        status,
        message,
        elapsed,
        server_growth_kib,
        checker_peak_kib,
        steal,
    })
}

/// An application with 20 mockups; the target is its server-rendered status page.
pub async fn page_with_mockups(applicant: &Applicant, cookie: &str) -> Result<Target, String> {
    let application = applicant.draft("Bench gallery").await?;
    let file = noise_png(30 * 1024);
    for n in 0..20 {
        applicant.upload(&application, &format!("Screen {n}"), file.clone()).await?;
    }
    Ok(Target::get(&applicant.base, &format!("/applications/{application}"), Some(cookie.to_owned())))
}
