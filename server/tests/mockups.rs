//! UX mockup uploads: judged by content, streamed with a hard size limit, served safely.

mod common;

use common::fixtures::{draft, jpeg, pdf, png, webp};
use common::{TestApp, json};
use reqwest::StatusCode;

async fn setup() -> (TestApp, common::Client, String) {
    let app = TestApp::spawn().await;
    let mut dev = app.signed_in_user("dev@example.com", "Dev").await;
    let (_, id) = draft(&mut dev).await;
    (app, dev, format!("/api/v1/applications/{id}/mockups"))
}

#[tokio::test]
async fn real_png_jpeg_webp_and_pdf_files_are_accepted() {
    let (_app, mut dev, path) = setup().await;
    for (name, bytes, content_type) in [
        ("a.png", png(120, 80), "image/png"),
        ("b.jpg", jpeg(), "image/jpeg"),
        ("c.webp", webp(), "image/webp"),
        ("d.pdf", pdf(), "application/pdf"),
    ] {
        let size = bytes.len();
        let (status, body) = dev.upload(&path, Some("Data selection"), name, bytes).await;
        assert_eq!(status, StatusCode::CREATED, "{name}: {body}");
        assert_eq!(body["content_type"], content_type, "{name}");
        assert_eq!(body["size"], size, "{name}");
    }
}

#[tokio::test]
async fn files_are_judged_by_content_not_by_name() {
    let (_app, mut dev, path) = setup().await;
    let mut truncated = png(200, 200);
    truncated.truncate(truncated.len() / 2);
    let mut polyglot = pdf();
    // A ZIP end-of-central-directory record at the end: the file is also an archive.
    polyglot.extend_from_slice(b"PK\x05\x06\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0");
    let mut html_pdf = b"%PDF-1.4\n<html><body><script>alert(document.cookie)</script></body></html>".to_vec();
    html_pdf.extend_from_slice(b"\n%%EOF\n");
    for (name, bytes) in [
        ("page.png", b"<!doctype html><html><script>alert(1)</script></html>".to_vec()),
        ("logo.svg", br#"<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>"#.to_vec()),
        ("empty.png", Vec::new()),
        ("truncated.png", truncated),
        ("polyglot.pdf", polyglot),
        ("html.pdf", html_pdf),
        ("fake.jpg", [0xFF, 0xD8, 0xFF, 0xE0, 0, 0, 0, 0].to_vec()),
        ("anim.gif", b"GIF89a\x01\0\x01\0\0\0\0;".to_vec()),
    ] {
        let (status, body) = dev.upload(&path, Some("Authorization screen"), name, bytes).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{name}: {body}");
        assert!(body["error"]["fields"]["file"].is_array(), "{name}: {body}");
    }
    let (_, application) = dev.get_json(path.trim_end_matches("/mockups")).await;
    assert_eq!(application["application"]["mockups"], json!([]), "nothing was stored");
}

#[tokio::test]
async fn a_file_just_over_the_limit_is_refused_while_streaming() {
    let (app, mut dev, path) = setup().await;
    let mut big = png(16, 16);
    big.resize(20 * 1024 * 1024 + 1, 0);
    let (status, body) = dev.upload(&path, Some("Too big"), "big.png", big).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    // No scratch file is left behind.
    let incoming = app.data_dir.path().join("uploads/incoming");
    assert_eq!(std::fs::read_dir(&incoming).unwrap().count(), 0);
}

#[tokio::test]
async fn images_over_40_megapixels_are_refused() {
    let (_app, mut dev, path) = setup().await;
    // 8000 × 5001 pixels, mostly one colour, so the file itself is small.
    let image = image::DynamicImage::ImageLuma8(image::GrayImage::new(8000, 5001));
    let mut bytes = std::io::Cursor::new(Vec::new());
    image.write_to(&mut bytes, image::ImageFormat::Png).unwrap();
    let (status, body) = dev.upload(&path, Some("Huge"), "huge.png", bytes.into_inner()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["error"]["fields"]["file"][0].as_str().unwrap().contains("40 megapixels"));
}

#[tokio::test]
async fn labels_are_required_and_names_never_reach_the_disk() {
    let (app, mut dev, path) = setup().await;
    let (status, body) = dev.upload(&path, None, "a.png", png(10, 10)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["error"]["fields"]["label"].is_array());

    let (status, mockup) =
        dev.upload(&path, Some("../../etc/passwd\"; x=.html"), "../../../evil.html", png(10, 10)).await;
    assert_eq!(status, StatusCode::CREATED, "{mockup}");
    let response = dev.get(&format!("{path}/{}", mockup["id"].as_str().unwrap())).await;
    assert_eq!(response.status(), StatusCode::OK);
    let headers = response.headers().clone();
    assert_eq!(headers["content-type"], "image/png");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert!(headers["content-security-policy"].to_str().unwrap().contains("sandbox"));
    let disposition = headers["content-disposition"].to_str().unwrap();
    assert_eq!(disposition, "attachment; filename=\"etc-passwd-x-html.png\"");
    assert_eq!(response.bytes().await.unwrap().len() as u64, mockup["size"].as_u64().unwrap());
    // Stored under generated names only.
    let mut stored = Vec::new();
    for dir in std::fs::read_dir(app.data_dir.path().join("uploads")).unwrap() {
        let dir = dir.unwrap().path();
        if dir.ends_with("incoming") {
            continue;
        }
        for file in std::fs::read_dir(dir).unwrap() {
            stored.push(file.unwrap().file_name().into_string().unwrap());
        }
    }
    assert_eq!(stored.len(), 1);
    assert!(stored[0].chars().all(|c| c.is_ascii_hexdigit()), "{stored:?}");
}

#[tokio::test]
async fn at_most_twenty_mockups_and_removal_while_editable() {
    let (_app, mut dev, path) = setup().await;
    let mut ids = Vec::new();
    for n in 0..20 {
        let (status, body) = dev.upload(&path, Some(&format!("Screen {n}")), "s.png", png(4, 4)).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        ids.push(body["id"].as_str().unwrap().to_owned());
    }
    let (status, body) = dev.upload(&path, Some("One too many"), "s.png", png(4, 4)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["error"]["fields"]["file"][0].as_str().unwrap().contains("at most 20"));
    let r = dev.delete(&format!("{path}/{}", ids[0])).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let r = dev.delete(&format!("{path}/{}", ids[0])).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND, "already removed");
    let (status, _) = dev.upload(&path, Some("Room again"), "s.png", png(4, 4)).await;
    assert_eq!(status, StatusCode::CREATED);
}
