//! Every paged list: page numbers far past the end are clamped, never overflow.

mod common;

use common::TestApp;
use common::fixtures::{reviewer, submitted_as};
use reqwest::StatusCode;

#[tokio::test]
async fn huge_page_numbers_answer_an_empty_last_page_on_every_paged_list() {
    let app = TestApp::spawn().await;
    let mut admin = app.signed_in_admin().await;
    let mut rev = reviewer(&app, &mut admin, "rev@example.com").await;
    submitted_as(&app, "dev@example.com").await;

    let lists =
        ["/api/v1/users?", "/api/v1/audit?", "/api/v1/mail/outbox?", "/api/v1/applications?", "/api/v1/review/queue?"];
    for list in lists {
        for page in ["18446744073709551615", "18446744073709551614", "1000001"] {
            let client = if list.contains("review") { &mut rev } else { &mut admin };
            let (status, body) = client.get_json(&format!("{list}page={page}")).await;
            assert_eq!(status, StatusCode::OK, "{list}page={page}: {body}");
            assert_eq!(body["page"], 1_000_000, "{list}page={page}: clamped to the last page there may be");
        }
        let client = if list.contains("review") { &mut rev } else { &mut admin };
        let (status, body) = client.get_json(&format!("{list}page=0")).await;
        assert_eq!(status, StatusCode::OK, "{list}page=0: {body}");
        assert_eq!(body["page"], 1, "{list}page=0");
    }

    // The pages that show these lists read the same page numbers from their URLs.
    for page in ["/admin/users", "/admin/audit", "/admin/mail", "/applications"] {
        let r = admin.get(&format!("{page}?page=18446744073709551615")).await;
        assert_eq!(r.status(), StatusCode::OK, "{page}");
    }
    let r = rev.get("/review?page=18446744073709551615").await;
    assert_eq!(r.status(), StatusCode::OK, "/review");
}
