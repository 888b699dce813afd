//! Mockup files reach the browser only in ways that cannot run as a page of the portal:
//! PDFs are downloads, never shown inline on the portal's origin.

use crate::common;

use common::TestApp;
use common::fixtures::{draft, jpeg, pdf, png, webp};
use portcullis_service::entity::mockup;
use reqwest::StatusCode;
use reqwest::header::{CONTENT_DISPOSITION, CONTENT_SECURITY_POLICY, CONTENT_TYPE};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, Database, EntityTrait, IntoActiveModel};

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

/// Fetches a preview and checks it is a sandboxed inline JPEG; returns its pixel size.
async fn preview(client: &mut common::Client, url: &str) -> ((u32, u32), usize) {
    let r = client.get(&format!("{url}/thumbnail")).await;
    assert_eq!(r.status(), StatusCode::OK, "{url}");
    assert_eq!(r.headers()[CONTENT_TYPE], "image/jpeg");
    assert!(r.headers()[CONTENT_DISPOSITION].to_str().unwrap().starts_with("inline;"));
    assert!(r.headers()[CONTENT_SECURITY_POLICY].to_str().unwrap().starts_with("sandbox"));
    let bytes = r.bytes().await.unwrap();
    let image = image::load_from_memory_with_format(&bytes, image::ImageFormat::Jpeg).expect("a JPEG");
    ((image.width(), image.height()), bytes.len())
}

#[tokio::test]
async fn images_get_a_small_preview_made_once_pdfs_none_and_strangers_nothing() {
    let app = TestApp::spawn().await;
    let mut dev = app.signed_in_user("dev@example.com", "Dev").await;
    let (_, id) = draft(&mut dev).await;
    let mockups = format!("/api/v1/applications/{id}/mockups");
    let mut urls = Vec::new();
    for (name, bytes) in [("big.png", png(2400, 1600)), ("a.jpg", jpeg()), ("a.webp", webp()), ("a.pdf", pdf())] {
        let (status, body) = dev.upload(&mockups, Some("Screen"), name, bytes).await;
        assert_eq!(status, StatusCode::CREATED, "{name}: {body}");
        urls.push(format!("{mockups}/{}", body["id"].as_str().unwrap()));
    }
    let original = dev.get(&urls[0]).await.bytes().await.unwrap().len();
    let (size, bytes) = preview(&mut dev, &urls[0]).await;
    assert_eq!(size, (480, 320), "fits 480 × 320");
    assert!(bytes * 20 < original, "{bytes} bytes for a {original}-byte original");
    assert_eq!(preview(&mut dev, &urls[1]).await.0, (64, 48), "small images keep their size");
    assert_eq!(preview(&mut dev, &urls[2]).await.0, (32, 32));
    assert_eq!(dev.get(&format!("{}/thumbnail", urls[3])).await.status(), StatusCode::NOT_FOUND, "PDFs have none");

    // The gallery shows previews, never the originals.
    let page = dev.get(&format!("/applications/{id}")).await.text().await.unwrap();
    assert!(page.contains(&format!("src=\"{}/thumbnail\"", urls[0])), "{page}");

    // A stranger gets nothing.
    let mut stranger = app.signed_in_user("stranger@example.com", "Stranger").await;
    assert_eq!(stranger.get(&format!("{}/thumbnail", urls[0])).await.status(), StatusCode::NOT_FOUND);

    // A mockup stored before previews existed gets one when first asked, and keeps it.
    let db = Database::connect(&app.database_url).await.unwrap();
    let mockup_id = urls[0].rsplit('/').next().unwrap();
    let row = mockup::Entity::find_by_id(mockup_id).one(&db).await.unwrap().unwrap();
    let mut older = row.clone().into_active_model();
    older.thumbnail_key = Set(None);
    older.update(&db).await.unwrap();
    assert_eq!(preview(&mut dev, &urls[0]).await.0, (480, 320));
    let made = mockup::Entity::find_by_id(mockup_id).one(&db).await.unwrap().unwrap().thumbnail_key;
    assert!(made.is_some() && made != row.thumbnail_key, "a new preview is recorded");
    assert_eq!(preview(&mut dev, &urls[0]).await.0, (480, 320));
    let kept = mockup::Entity::find_by_id(mockup_id).one(&db).await.unwrap().unwrap().thumbnail_key;
    assert_eq!(kept, made, "made once");
}
