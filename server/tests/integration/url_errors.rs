//! An error carried in the URL (`__err`, how a form posted without JavaScript learns it
//! failed) shows only the portal's own messages: a crafted link cannot put text on a page.

use crate::common;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE;
use common::TestApp;
use reqwest::StatusCode;

fn login_page_with(error: &str) -> String {
    format!("/login?__path=/rpc/login&__err={}", URL_SAFE.encode(error))
}

#[tokio::test]
async fn a_crafted_error_in_the_url_shows_a_generic_message_and_a_real_one_shows_as_is() {
    let app = TestApp::spawn().await;
    let mut anon = app.client();

    let crafted = r#"{"Refused":"Your account is locked. Call +1 555 0100 to unlock it."}"#;
    let r = anon.get(&login_page_with(crafted)).await;
    assert_eq!(r.status(), StatusCode::OK);
    let page = r.text().await.unwrap();
    assert!(!page.contains("555 0100"), "the crafted text is not shown");
    assert!(page.contains("That did not work."), "a generic message instead");

    let crafted = r#"{"Validation":{"message":"Visit evil.example","fields":{"email":["Visit evil.example"]}}}"#;
    let page = anon.get(&login_page_with(crafted)).await.text().await.unwrap();
    assert!(!page.contains("evil.example"), "nor crafted field messages");

    // The answer a failed sign-in without JavaScript really gets is shown as it was.
    let page = anon.get(&login_page_with(r#"{"Refused":"Incorrect email or password."}"#)).await.text().await.unwrap();
    assert!(page.contains("Incorrect email or password."));
}
