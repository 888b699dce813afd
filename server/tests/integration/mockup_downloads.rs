//! Mockup files reach the browser only in ways that cannot run as a page of the portal:
//! PDFs are downloads, never shown inline on the portal's origin.

use crate::common;

use common::TestApp;
use common::fixtures::{draft, pdf, png};
use reqwest::StatusCode;
use reqwest::header::{CONTENT_DISPOSITION, CONTENT_SECURITY_POLICY};

#[tokio::test]
async fn pdfs_are_always_sandboxed_downloads_and_the_status_page_offers_a_download() {
    let app = TestApp::spawn().await;
    let mut dev = app.signed_in_user("dev@example.com", "Dev").await;
    let (_, id) = draft(&mut dev).await;
    let mockups = format!("/api/v1/applications/{id}/mockups");
    let (status, body) = dev.upload(&mockups, Some("Consent flow"), "flow.pdf", pdf()).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let pdf_url = format!("{mockups}/{}", body["id"].as_str().unwrap());
    let (status, body) = dev.upload(&mockups, Some("Screen"), "screen.png", png(4, 4)).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let png_url = format!("{mockups}/{}", body["id"].as_str().unwrap());

    // Asking to view a PDF still gets a sandboxed attachment.
    for url in [pdf_url.clone(), format!("{pdf_url}?view=1")] {
        let r = dev.get(&url).await;
        assert_eq!(r.status(), StatusCode::OK, "{url}");
        let disposition = r.headers()[CONTENT_DISPOSITION].to_str().unwrap();
        assert!(disposition.starts_with("attachment;"), "{url}: {disposition}");
        let policy = r.headers()[CONTENT_SECURITY_POLICY].to_str().unwrap();
        assert!(policy.split(';').any(|d| d.trim() == "sandbox"), "{url}: {policy}");
    }
    // Images are still shown inline, sandboxed.
    let r = dev.get(&format!("{png_url}?view=1")).await;
    assert!(r.headers()[CONTENT_DISPOSITION].to_str().unwrap().starts_with("inline;"));
    assert!(r.headers()[CONTENT_SECURITY_POLICY].to_str().unwrap().starts_with("sandbox"));

    // The status page links the PDF as a download, not as something to open in a tab.
    let page = dev.get(&format!("/applications/{id}")).await.text().await.unwrap();
    assert!(page.contains("Download PDF"), "{page}");
    assert!(!page.contains(&format!("{pdf_url}?view=1")), "no inline link to the PDF");
}
