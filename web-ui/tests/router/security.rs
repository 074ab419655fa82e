//! Cross-site posts, oversized bodies, security headers, escaping.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};

use crate::support::TestApp;

fn form_post(uri: &str) -> axum::http::request::Builder {
    Request::post(uri).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_form_posted_from_another_site_is_refused_and_writes_nothing() {
    let app = TestApp::new().await;
    let body = format!("command_id={}&holder_name=Mallory", uuid::Uuid::new_v4());
    let cross_site = form_post("/accounts")
        .header("sec-fetch-site", "cross-site")
        .body(Body::from(body.clone()))
        .expect("request");
    assert_eq!(app.send(cross_site).await.status, StatusCode::FORBIDDEN);
    let other_origin = form_post("/accounts")
        .header(header::HOST, "bank.example")
        .header(header::ORIGIN, "https://evil.example")
        .body(Body::from(body.clone()))
        .expect("request");
    assert_eq!(app.send(other_origin).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.messages_written(), 0);

    let same_origin = form_post("/accounts")
        .header(header::HOST, "bank.example")
        .header(header::ORIGIN, "http://bank.example")
        .body(Body::from(body))
        .expect("request");
    assert_eq!(app.send(same_origin).await.status, StatusCode::SEE_OTHER);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_over_the_limit_is_refused_with_413_and_writes_nothing() {
    let app = TestApp::new().await;
    let huge = format!(
        "command_id={}&holder_name={}",
        uuid::Uuid::new_v4(),
        "x".repeat(web_ui::app::BODY_LIMIT + 1)
    );
    let request = form_post("/accounts")
        .header("sec-fetch-site", "same-origin")
        .body(Body::from(huge))
        .expect("request");
    assert_eq!(
        app.send(request).await.status,
        StatusCode::PAYLOAD_TOO_LARGE
    );
    assert_eq!(app.messages_written(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_response_carries_the_security_headers() {
    let app = TestApp::new().await;
    for uri in ["/", "/no/such/page", "/static/style.css"] {
        let response = app.get(uri).await;
        let csp = response.headers["content-security-policy"]
            .to_str()
            .expect("text");
        assert!(
            csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"),
            "{uri}"
        );
        assert_eq!(response.headers["x-content-type-options"], "nosniff");
        assert_eq!(response.headers["x-frame-options"], "DENY");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn markup_in_a_name_is_shown_as_text_never_run() {
    let app = TestApp::new().await;
    let account = app.open_account("<script>alert('x')</script> & Co").await;
    let page = app.get(&format!("/accounts/{account}")).await;
    assert!(
        page.body.contains("&#60;script&#62;") || page.body.contains("&lt;script&gt;"),
        "escaped"
    );
    assert!(!page.body.contains("<script>alert"));
}
