//! Every paged list: page numbers outside 1 to 1,000,000 are refused by the API (as its
//! document says), clamped by the pages, and never overflow.

use crate::common;

use common::fixtures::{reviewer, submitted_as};
use common::{TestApp, json};
use reqwest::StatusCode;

#[tokio::test]
async fn page_numbers_out_of_range_are_refused_on_every_paged_list() {
    let app = TestApp::spawn().await;
    let mut admin = app.signed_in_admin().await;
    let mut rev = reviewer(&app, &mut admin, "rev@example.com").await;
    let (mut dev, id) = submitted_as(&app, "dev@example.com").await;
    let (status, _) = dev.post_json(&format!("/api/v1/applications/{id}/messages"), json!({"body": "Hello"})).await;
    assert_eq!(status, StatusCode::CREATED);

    let lists = [
        "/api/v1/users?",
        "/api/v1/audit?",
        "/api/v1/mail/outbox?",
        "/api/v1/applications?",
        "/api/v1/review/queue?",
        "/api/v1/review/dashboard?",
        &format!("/api/v1/applications/{id}/messages?"),
    ];
    for list in lists {
        let client = if list.contains("review") { &mut rev } else { &mut admin };
        for page in ["18446744073709551615", "18446744073709551616", "1000001", "0", "-1"] {
            let (status, body) = client.get_json(&format!("{list}page={page}")).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{list}page={page}: {body}");
            assert_eq!(body["error"]["code"], "bad_request", "{list}page={page}");
        }
        let (status, body) = client.get_json(&format!("{list}page=1000000")).await;
        assert_eq!(status, StatusCode::OK, "{list}page=1000000: {body}");
        assert_eq!(body["page"], 1_000_000, "{list}: the last page there may be");
    }

    // The pages that show these lists read the same page numbers from their URLs, where a
    // person may have edited them: they show a page rather than an error.
    for page in ["/admin/users", "/admin/audit", "/admin/mail", "/applications"] {
        let r = admin.get(&format!("{page}?page=18446744073709551615")).await;
        assert_eq!(r.status(), StatusCode::OK, "{page}");
    }
    let r = rev.get("/review?page=18446744073709551615").await;
    assert_eq!(r.status(), StatusCode::OK, "/review");
}

#[tokio::test]
async fn a_message_thread_is_paged_with_the_latest_messages_first() {
    let app = TestApp::spawn().await;
    let (mut dev, id) = submitted_as(&app, "dev@example.com").await;
    let thread = format!("/api/v1/applications/{id}/messages");
    for n in 1..=51 {
        let (status, body) = dev.post_json(&thread, json!({"body": format!("Message {n}")})).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }

    // Page 1: the latest 50, oldest first, as the unpaged thread was.
    let (status, latest) = dev.get_json(&thread).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (latest["page"].as_u64(), latest["per_page"].as_u64(), latest["total"].as_u64()),
        (Some(1), Some(50), Some(51))
    );
    let bodies: Vec<&str> =
        latest["messages"].as_array().unwrap().iter().map(|m| m["body"].as_str().unwrap()).collect();
    assert_eq!((bodies.len(), bodies[0], bodies[49]), (50, "Message 2", "Message 51"));

    let (_, older) = dev.get_json(&format!("{thread}?page=2")).await;
    assert_eq!(older["messages"].as_array().unwrap().len(), 1);
    assert_eq!(older["messages"][0]["body"], "Message 1");

    // The status page shows the latest and links to the older ones.
    let page = dev.get(&format!("/applications/{id}")).await.text().await.unwrap();
    assert!(page.contains("Message 51") && !page.contains("Message 1<"), "latest only");
    assert!(page.contains("Older messages") && page.contains("?messages=2#messages"));
}

#[tokio::test]
async fn the_reviewer_dashboard_is_paged() {
    let app = TestApp::spawn().await;
    let mut admin = app.signed_in_admin().await;
    let mut rev = reviewer(&app, &mut admin, "rev@example.com").await;
    let (_, id) = submitted_as(&app, "dev@example.com").await;
    let (status, body) = rev.post_json(&format!("/api/v1/applications/{id}/assign"), json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let (status, dashboard) = rev.get_json("/api/v1/review/dashboard").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (dashboard["page"].as_u64(), dashboard["per_page"].as_u64(), dashboard["total"].as_u64()),
        (Some(1), Some(25), Some(1))
    );
    assert_eq!(dashboard["assigned"][0]["id"], id.as_str());
    let (_, beyond) = rev.get_json("/api/v1/review/dashboard?page=2").await;
    assert_eq!((beyond["assigned"].as_array().unwrap().len(), beyond["total"].as_u64()), (0, Some(1)));
}
