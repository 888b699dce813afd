//! Upload throughput and the server's memory while 10 large mockups stream in at once, and
//! the application page with 20 mockups attached.

use crate::load::Target;
use reqwest::header::COOKIE;
use serde_json::{Value, json};
use std::io::Cursor;
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
        let part = reqwest::multipart::Part::bytes(file).file_name("mockup.png");
        let form = reqwest::multipart::Form::new().text("label", label.to_owned()).part("file", part);
        let response = self
            .client
            .post(format!("{}/api/v1/applications/{application_id}/mockups", self.base))
            .header(COOKIE, &self.cookie)
            .multipart(form)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        if response.status().is_success() {
            Ok(())
        } else {
            Err(format!("upload: {} {}", response.status(), response.text().await.unwrap_or_default()))
        }
    }
}

pub struct UploadRun {
    pub files: usize,
    pub file_bytes: usize,
    pub elapsed: Duration,
}

impl UploadRun {
    pub fn megabytes_per_second(&self) -> f64 {
        (self.files * self.file_bytes) as f64 / (1024.0 * 1024.0) / self.elapsed.as_secs_f64()
    }
}

/// `files` uploads of the same file at once, to one application.
pub async fn concurrent_uploads(applicant: &Applicant, files: usize, file: Vec<u8>) -> Result<UploadRun, String> {
    let application = applicant.draft(&format!("Bench {} x {} B", files, file.len())).await?;
    let start = Instant::now();
    let uploads: Vec<_> = (0..files)
        .map(|n| {
            let (applicant, application, file) = (applicant.clone(), application.clone(), file.clone());
            tokio::spawn(async move { applicant.upload(&application, &format!("Screen {n}"), file).await })
        })
        .collect();
    for upload in uploads {
        upload.await.map_err(|e| e.to_string())??;
    }
    Ok(UploadRun { files, file_bytes: file.len(), elapsed: start.elapsed() })
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
