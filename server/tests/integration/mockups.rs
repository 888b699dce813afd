//! UX mockup uploads: judged by content, streamed with a hard size limit, served safely.

use crate::common;

use common::fixtures::{decide, draft, jpeg, pdf, png, reviewer, submitted_as, webp};
use common::{Options, TestApp, json};
use reqwest::StatusCode;
use std::io::Write;
use std::time::Duration;
use tokio::sync::mpsc;

/// The names of the stored files (scratch space aside).
pub(crate) fn stored_files(app: &TestApp) -> Vec<String> {
    let mut stored = Vec::new();
    for dir in std::fs::read_dir(app.data_dir.path().join("uploads")).unwrap() {
        let dir = dir.unwrap().path();
        if !dir.ends_with("incoming") {
            for file in std::fs::read_dir(dir).unwrap() {
                stored.push(file.unwrap().file_name().into_string().unwrap());
            }
        }
    }
    stored
}

/// Files in scratch space: each process's directory under `uploads/incoming`.
fn scratch_files(app: &TestApp) -> usize {
    let incoming = app.data_dir.path().join("uploads/incoming");
    let directories = std::fs::read_dir(incoming).unwrap().map(|entry| entry.unwrap().path()).filter(|p| p.is_dir());
    directories.map(|directory| std::fs::read_dir(directory).unwrap().count()).sum()
}

/// Waits up to 10 s for an effect of the server's own work.
async fn eventually(what: &str, done: impl Fn() -> bool) {
    for _ in 0..200 {
        if done() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("waited 10 s for {what}");
}

const BOUNDARY: &str = "slow-upload-boundary";

/// An upload whose body the test sends in two halves, finishing or abandoning it at will.
struct SlowUpload {
    pieces: mpsc::Sender<std::io::Result<Vec<u8>>>,
    rest: Vec<u8>,
    response: tokio::task::JoinHandle<reqwest::Result<reqwest::Response>>,
}

impl SlowUpload {
    /// Sends the label and the first half of `file`.
    async fn start(client: &common::Client, path: &str, file: &[u8]) -> Self {
        let (pieces, received) = mpsc::channel(4);
        let body = futures_util::stream::unfold(received, |mut received| async move {
            received.recv().await.map(|piece| (piece, received))
        });
        let mut request = reqwest::Client::new()
            .post(format!("{}{path}", client.base))
            .headers(client.headers.clone())
            .header("content-type", format!("multipart/form-data; boundary={BOUNDARY}"))
            .body(reqwest::Body::wrap_stream(body));
        if let Some(cookie) = &client.cookie {
            request = request.header("cookie", cookie);
        }
        let response = tokio::spawn(request.send());
        let (first, rest) = file.split_at(file.len() / 2);
        let mut head = format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"label\"\r\n\r\nSlow\r\n--{BOUNDARY}\r\n\
             Content-Disposition: form-data; name=\"file\"; filename=\"slow.png\"\r\nContent-Type: image/png\r\n\r\n"
        )
        .into_bytes();
        head.extend_from_slice(first);
        pieces.send(Ok(head)).await.unwrap();
        SlowUpload { pieces, rest: rest.to_vec(), response }
    }

    async fn finish(self) -> (StatusCode, serde_json::Value) {
        let mut rest = self.rest;
        rest.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
        self.pieces.send(Ok(rest)).await.unwrap();
        drop(self.pieces);
        let response = self.response.await.unwrap().unwrap();
        (response.status(), response.json().await.unwrap_or_default())
    }

    /// The client gives up halfway: the connection ends without the rest of the body.
    async fn abandon(self) {
        self.pieces.send(Err(std::io::Error::other("gave up"))).await.unwrap();
        assert!(self.response.await.unwrap().is_err(), "no answer to an unfinished request");
    }
}

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
    assert_eq!(scratch_files(&app), 0, "no scratch file is left behind");
}

#[tokio::test]
async fn an_upload_the_client_abandons_leaves_no_scratch_file() {
    let (app, dev, path) = setup().await;
    let upload = SlowUpload::start(&dev, &path, &png(400, 400)).await;
    eventually("the upload to arrive", || scratch_files(&app) == 1).await;
    upload.abandon().await;
    eventually("its scratch file to go", || scratch_files(&app) == 0).await;
    assert!(stored_files(&app).is_empty());
}

#[tokio::test]
async fn an_account_has_at_most_two_uploads_in_flight() {
    let (app, mut dev, path) = setup().await;
    let file = png(400, 400);
    let first = SlowUpload::start(&dev, &path, &file).await;
    let second = SlowUpload::start(&dev, &path, &file).await;
    eventually("both uploads to arrive", || scratch_files(&app) == 2).await;
    let (status, body) = dev.upload(&path, Some("Third"), "3.png", png(10, 10)).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains("at most 2 uploads at a time"), "{message}");

    // Another account is not held up.
    let mut other = app.signed_in_user("other@example.com", "Other").await;
    let (_, theirs) = draft(&mut other).await;
    let theirs = format!("/api/v1/applications/{theirs}/mockups");
    let (status, body) = other.upload(&theirs, Some("Theirs"), "t.png", png(10, 10)).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    // However an upload ends, its place is free again.
    let (status, body) = first.finish().await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = dev.upload(&path, Some("Third"), "3.png", png(10, 10)).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    second.abandon().await;
    eventually("the abandoned upload to end", || scratch_files(&app) == 0).await;
    let again: Vec<_> =
        [SlowUpload::start(&dev, &path, &file).await, SlowUpload::start(&dev, &path, &file).await].into();
    eventually("two more uploads to arrive", || scratch_files(&app) == 2).await;
    for upload in again {
        assert_eq!(upload.finish().await.0, StatusCode::CREATED);
    }
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
    // Stored under generated names only: the file and its preview.
    let stored = stored_files(&app);
    assert_eq!(stored.len(), 2);
    assert!(stored.iter().flat_map(|name| name.chars()).all(|c| c.is_ascii_hexdigit()), "{stored:?}");
}

#[tokio::test]
async fn a_form_with_other_fields_or_a_field_twice_or_no_form_at_all_is_refused_in_json() {
    let (_app, mut dev, path) = setup().await;
    let file = reqwest::multipart::Part::bytes(png(10, 10)).file_name("a.png");
    let form = reqwest::multipart::Form::new().part("file", file).text("label", "Consent").text("note", "hi");
    let (status, body) = dev.send_form(&path, form).await.unwrap();
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["error"]["fields"]["file"][0].as_str().unwrap().contains("`note`"), "{body}");
    let file = |name| reqwest::multipart::Part::bytes(png(10, 10)).file_name(name);
    let twice =
        reqwest::multipart::Form::new().text("label", "A").part("file", file("a.png")).part("file", file("b.png"));
    let (status, body) = dev.send_form(&path, twice).await.unwrap();
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let named =
        reqwest::multipart::Form::new().text("application_id", "x").text("label", "A").part("file", file("a.png"));
    let (status, body) = dev.send_form(&path, named).await.unwrap();
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let message = body["error"]["fields"]["file"][0].as_str().unwrap();
    assert!(message.contains("Unexpected field `application_id`"), "the URL names the application: {body}");

    let (status, body) = dev.post_json(&path, json!({"label": "Consent"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["code"], "bad_request", "a JSON error, not text: {body}");

    let (status, mockup) = dev.upload(&path, Some("Consent"), "a.png", png(10, 10)).await;
    assert_eq!(status, StatusCode::CREATED);
    let download = format!("{path}/{}", mockup["id"].as_str().unwrap());
    assert_eq!(dev.get(&format!("{download}?view=1")).await.status(), StatusCode::OK);
    let (status, body) = dev.get_json(&format!("{download}?view=2")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "`view` is 0 or 1, as documented: {body}");
}

#[tokio::test]
async fn an_application_holds_at_most_twenty_mockups_and_removing_one_makes_room() {
    let (_app, mut dev, path) = setup().await;
    let mut ids = Vec::new();
    for n in 0..20 {
        let (status, body) = dev.upload(&path, Some(&format!("Screen {n}")), "s.png", png(4, 4)).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        ids.push(body["id"].as_str().unwrap().to_owned());
    }
    let (status, body) = dev.upload(&path, Some("One too many"), "s.png", png(4, 4)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("at most 20 mockups"), "{body}");
    let r = dev.delete(&format!("{path}/{}", ids[0])).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let r = dev.delete(&format!("{path}/{}", ids[0])).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND, "already removed");
    let (status, _) = dev.upload(&path, Some("Room again"), "s.png", png(4, 4)).await;
    assert_eq!(status, StatusCode::CREATED);
}

/// A PNG of incompressible pixels, about `side` × `side` × 3 bytes long.
pub(crate) fn noise_png(side: u32) -> Vec<u8> {
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let pixels = image::RgbImage::from_fn(side, side, |_, _| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let [r, g, b, ..] = state.to_le_bytes();
        image::Rgb([r, g, b])
    });
    let mut bytes = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(pixels).write_to(&mut bytes, image::ImageFormat::Png).unwrap();
    bytes.into_inner()
}

#[tokio::test]
async fn an_organisation_s_mockups_share_its_quota_and_removing_one_makes_room() {
    let app = TestApp::spawn_with(Options {
        env: vec![("PORTCULLIS_ORG_UPLOAD_QUOTA_MB", "1".into())],
        ..Default::default()
    })
    .await;
    let mut dev = app.signed_in_user("dev@example.com", "Dev").await;
    let (org_id, first) = draft(&mut dev).await;
    let (status, body) = dev.post_json("/api/v1/applications", json!({"org_id": org_id, "name": "Zoë Import"})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let second = body["application"]["id"].as_str().unwrap().to_owned();
    let mockups = |id: &str| format!("/api/v1/applications/{id}/mockups");
    let file = noise_png(360);
    assert!(file.len() > 300 << 10 && file.len() < 512 << 10, "{}", file.len());

    let (status, body) = dev.upload(&mockups(&first), Some("One"), "1.png", file.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let kept = body["id"].as_str().unwrap().to_owned();
    let (status, body) = dev.upload(&mockups(&second), Some("Two"), "2.png", file.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    // A third does not fit into the organisation's megabyte, whichever application it is for.
    let (status, body) = dev.upload(&mockups(&second), Some("Three"), "3.png", file.clone()).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains("organisation") && message.contains("at most 1 MB"), "{message}");
    assert_eq!(stored_files(&app).len(), 4, "two images and their previews");
    assert_eq!(scratch_files(&app), 0);

    // Another organisation has a quota of its own.
    let mut other = app.signed_in_user("other@example.com", "Other").await;
    let (_, theirs) = draft(&mut other).await;
    let (status, body) = other.upload(&mockups(&theirs), Some("Theirs"), "t.png", file.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    assert_eq!(dev.delete(&format!("{}/{kept}", mockups(&first))).await.status(), StatusCode::NO_CONTENT);
    let (status, body) = dev.upload(&mockups(&second), Some("Three"), "3.png", file).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

#[tokio::test]
async fn a_removed_mockup_leaves_the_disk_at_once_unless_a_submitted_revision_shows_it() {
    let app = TestApp::spawn().await;
    // A submitted application sent back for changes: its one mockup is part of revision 1.
    let (mut dev, id) = submitted_as(&app, "dev@example.com").await;
    let mut admin = app.signed_in_admin().await;
    let mut rev = reviewer(&app, &mut admin, "rev@example.com").await;
    let path = format!("/api/v1/applications/{id}");
    let (status, _) = rev.post_json(&format!("{path}/assign"), json!({})).await;
    assert_eq!(status, StatusCode::OK);
    let decision = json!({"decision": "request_changes", "message": "Show revoking access."});
    let (status, body) = decide(&mut rev, &path, decision).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, application) = dev.get_json(&path).await;
    let submitted = application["application"]["mockups"][0]["id"].as_str().unwrap().to_owned();
    let (status, added) = dev.upload(&format!("{path}/mockups"), Some("Revoke access"), "r.png", png(20, 20)).await;
    assert_eq!(status, StatusCode::CREATED, "{added}");
    let added = added["id"].as_str().unwrap().to_owned();
    assert_eq!(stored_files(&app).len(), 4, "two images and their previews");

    // The new mockup's file and preview go with it.
    assert_eq!(dev.delete(&format!("{path}/mockups/{added}")).await.status(), StatusCode::NO_CONTENT);
    assert_eq!(stored_files(&app).len(), 2);
    assert_eq!(dev.get(&format!("{path}/mockups/{added}")).await.status(), StatusCode::NOT_FOUND);

    // The submitted one leaves the draft, but revision 1 still shows it.
    assert_eq!(dev.delete(&format!("{path}/mockups/{submitted}")).await.status(), StatusCode::NO_CONTENT);
    assert_eq!(stored_files(&app).len(), 2);
    assert_eq!(dev.get(&format!("{path}/mockups/{submitted}")).await.status(), StatusCode::OK);
    let (_, application) = dev.get_json(&path).await;
    assert_eq!(application["application"]["mockups"], json!([]));
}

/// A one-page PDF written by hand, so it can hold what no PDF library would write: `contents`
/// is the body of the page's content stream object (4), `extra` the bodies of objects 5, 6, ….
fn handmade_pdf(contents: &[u8], extra: &[Vec<u8>]) -> Vec<u8> {
    let mut objects: Vec<&[u8]> = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        contents,
    ];
    objects.extend(extra.iter().map(Vec::as_slice));
    let mut pdf = b"%PDF-1.5\n".to_vec();
    let mut offsets = Vec::new();
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
    pdf
}

/// A stream object's body: `dictionary` entries besides `/Length`, then `data`.
fn stream(dictionary: &str, data: &[u8]) -> Vec<u8> {
    let mut body = format!("<< /Length {} {dictionary} >>\nstream\n", data.len()).into_bytes();
    body.extend_from_slice(data);
    body.extend_from_slice(b"\nendstream");
    body
}

/// A zlib stream that inflates to `mib` MiB of zeros. One compressed MiB (byte-aligned and
/// not final, thanks to the sync flush) is repeated, which is fast even unoptimised.
fn zeros_deflated(mib: u64) -> Vec<u8> {
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(&vec![0; 1 << 20]).unwrap();
    encoder.flush().unwrap();
    let (header, one_mib) = encoder.get_ref().split_at(2);
    let mut deflated = header.to_vec();
    for _ in 0..mib {
        deflated.extend_from_slice(one_mib);
    }
    // An empty final block, then the Adler-32 of the zeros: a = 1, b = their count.
    deflated.extend_from_slice(&[0x03, 0x00]);
    deflated.extend_from_slice(&((((mib << 20) % 65521) << 16 | 1) as u32).to_be_bytes());
    deflated
}

const PAGE: &[u8] = b"BT /F1 12 Tf 72 712 Td (Consent) Tj ET";

/// The file field's message of a refused upload.
fn refusal(status: StatusCode, body: &serde_json::Value) -> String {
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    body["error"]["fields"]["file"][0].as_str().unwrap_or_else(|| panic!("no message on file: {body}")).to_owned()
}

/// The server still answers and still takes a good file.
async fn still_serving(dev: &mut common::Client, path: &str) {
    let (status, _) = dev.get_json(path.trim_end_matches("/mockups")).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = dev.upload(path, Some("Consent"), "ok.pdf", pdf()).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

#[tokio::test]
async fn pdfs_that_expand_into_bombs_are_refused_and_the_server_keeps_serving() {
    let (_app, mut dev, path) = setup().await;
    let page_bomb = handmade_pdf(&stream("/Filter /FlateDecode", &zeros_deflated(200)), &[]);
    let object_stream_bomb = handmade_pdf(
        &stream("", PAGE),
        &[stream("/Type /ObjStm /N 1 /First 4 /Filter /FlateDecode", &zeros_deflated(300))],
    );
    let layered_bomb = handmade_pdf(&stream("/Filter [/FlateDecode /FlateDecode]", &zeros_deflated_twice(200)), &[]);
    for (name, file) in [("page.pdf", page_bomb), ("objects.pdf", object_stream_bomb), ("layers.pdf", layered_bomb)] {
        assert!(file.len() < 1 << 20, "{name} is small on disk");
        let (status, body) = dev.upload(&path, Some("Bomb"), name, file).await;
        let message = refusal(status, &body);
        assert!(message.contains("expands to more than"), "{name}: {message}");
    }
    still_serving(&mut dev, &path).await;
}

/// Zeros deflated twice: the outer layer inflates to the inner zlib stream.
fn zeros_deflated_twice(mib: u64) -> Vec<u8> {
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(&zeros_deflated(mib)).unwrap();
    encoder.finish().unwrap()
}

#[tokio::test]
async fn deeply_nested_arrays_and_dictionaries_are_refused() {
    let (_app, mut dev, path) = setup().await;
    let depth = 10_000;
    let arrays = ["[".repeat(depth), "]".repeat(depth)].concat().into_bytes();
    let dictionaries = ["<< /A ".repeat(depth), "1".into(), " >>".repeat(depth)].concat().into_bytes();
    for (name, nested) in [("arrays.pdf", arrays), ("dictionaries.pdf", dictionaries)] {
        let (status, body) = dev.upload(&path, Some("Nested"), name, handmade_pdf(&stream("", PAGE), &[nested])).await;
        let message = refusal(status, &body);
        assert!(message.contains("damaged"), "{name}: {message}");
    }
    still_serving(&mut dev, &path).await;
}

#[tokio::test]
async fn truncated_pdfs_are_refused() {
    let (_app, mut dev, path) = setup().await;
    let whole = handmade_pdf(&stream("", PAGE), &[]);
    for keep in [whole.len() / 2, whole.len() * 9 / 10, whole.len() - 8] {
        let (status, body) = dev.upload(&path, Some("Cut"), "cut.pdf", whole[..keep].to_vec()).await;
        let message = refusal(status, &body);
        assert!(message.contains("damaged or truncated"), "{keep} bytes: {message}");
    }
    still_serving(&mut dev, &path).await;
}

#[tokio::test]
async fn a_pdf_that_needs_more_memory_to_check_than_allowed_is_refused() {
    let (_app, mut dev, path) = setup().await;
    // Ten million numbers in one array: 20 MB on disk, gigabytes once parsed into objects.
    let numbers = ["[".into(), "0 ".repeat(10_000_000), "]".into()].concat().into_bytes();
    let file = handmade_pdf(&stream("", PAGE), &[numbers]);
    assert!(file.len() as u64 <= 20 << 20);
    let (status, body) = dev.upload(&path, Some("Numbers"), "numbers.pdf", file).await;
    let message = refusal(status, &body);
    assert!(message.contains("too complex"), "{message}");
    still_serving(&mut dev, &path).await;
}
