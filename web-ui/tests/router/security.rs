//! Cross-site posts, oversized bodies, security headers, escaping.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};

use web_ui::limits::Limits;

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
        .header(header::HOST, "localhost")
        .header(header::ORIGIN, "https://evil.example")
        .body(Body::from(body.clone()))
        .expect("request");
    assert_eq!(app.send(other_origin).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.messages_written(), 0);

    let same_origin = form_post("/accounts")
        .header(header::HOST, "localhost")
        .header(header::ORIGIN, "http://localhost")
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
        "x".repeat(web_ui::limits::BODY_LIMIT + 1)
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_for_a_host_not_served_here_is_refused() {
    let app = TestApp::new().await;
    let foreign = |host: &'static str| {
        Request::get("/")
            .header(header::HOST, host)
            .body(Body::empty())
            .expect("request")
    };
    // DNS rebinding: a page on another site whose name now resolves to us.
    assert_eq!(
        app.send(foreign("evil.example")).await.status,
        StatusCode::MISDIRECTED_REQUEST
    );
    assert_eq!(
        app.send(foreign("localhost.evil.example")).await.status,
        StatusCode::MISDIRECTED_REQUEST
    );
    // The host it serves, in any case.
    assert_eq!(app.send(foreign("LocalHost")).await.status, StatusCode::OK);

    // A write for a foreign host is refused before it is read, even from
    // "the same origin" as the browser sees it.
    let body = format!("command_id={}&holder_name=Mallory", uuid::Uuid::new_v4());
    let rebound = form_post("/accounts")
        .header(header::HOST, "evil.example")
        .header(header::ORIGIN, "http://evil.example")
        .header("sec-fetch-site", "same-origin")
        .body(Body::from(body))
        .expect("request");
    assert_eq!(
        app.send(rebound).await.status,
        StatusCode::MISDIRECTED_REQUEST
    );
    assert_eq!(app.messages_written(), 0);
}

#[test]
fn the_default_hosts_are_the_loopback_names_with_the_port() {
    use web_ui::security::AllowedHosts;
    let hosts = AllowedHosts::loopback(3000);
    for host in ["localhost:3000", "127.0.0.1:3000", "[::1]:3000"] {
        assert!(hosts.allows(host), "{host}");
    }
    for host in [
        "localhost:3001",
        "localhost",
        "10.0.0.1:3000",
        "bank.example:3000",
    ] {
        assert!(!hosts.allows(host), "{host}");
    }
    // Port 0, as when binding, becomes the port bound.
    assert_eq!(
        AllowedHosts::loopback(0).on_port(4321),
        AllowedHosts::loopback(4321)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn html_pages_are_not_kept_and_the_assets_are() {
    let app = TestApp::new().await;
    for uri in ["/", "/operations", "/inspector", "/no/such/page"] {
        let response = app.get(uri).await;
        assert_eq!(
            response
                .headers
                .get(header::CACHE_CONTROL)
                .map(|v| v.to_str().ok()),
            Some(Some("no-store")),
            "{uri}"
        );
    }
    let stylesheet = app.get("/static/style.css").await;
    assert_eq!(
        stylesheet
            .headers
            .get(header::CACHE_CONTROL)
            .map(|v| v.to_str().ok()),
        Some(Some("max-age=300"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_inspector_turns_inspections_away_and_the_forms_still_work() {
    let app = TestApp::with_limits(Limits {
        inspections_in_flight: 0,
        ..Limits::default()
    })
    .await;
    let account = app.open_account("Still served").await;
    let inspection = app.get(&format!("/inspector?account={account}")).await;
    assert_eq!(inspection.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(inspection.body.contains("inspector is busy"));
    // The forms and pages do not wait for the inspector.
    app.deposit(&account, "5").await;
    let page = app.get(&format!("/accounts/{account}")).await;
    assert!(page.body.contains(r#"data-testid="balance">5.00<"#));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_that_takes_too_long_is_answered_503() {
    use sqlx::Connection;
    use tower::ServiceExt;

    let Some(url) = messaging::controls::postgres::fresh_database("slow_views").await else {
        return;
    };
    let views = views::ViewDatabase::connect(&url, 2).await.expect("views");
    views.install().await.expect("installed");
    // Someone holds the accounts table: every page that reads it waits.
    let mut holder = sqlx::PgConnection::connect(&url).await.expect("connects");
    sqlx::raw_sql("BEGIN; LOCK TABLE accounts IN ACCESS EXCLUSIVE MODE")
        .execute(&mut holder)
        .await
        .expect("locked");
    let state = web_ui::AppState {
        views: views::Views::new(&views),
        store: messaging::MessageStore::in_memory(),
        clock: messaging::Clock::system(),
        hosts: web_ui::security::AllowedHosts::listed(["localhost"]),
        components: web_ui::components::InProcess::default(),
    };
    let limits = Limits {
        request_timeout: std::time::Duration::from_millis(200),
        ..Limits::default()
    };
    let request = Request::get("/")
        .header(header::HOST, "localhost")
        .body(Body::empty())
        .expect("request");
    let started = std::time::Instant::now();
    let response = web_ui::app_with(state, limits)
        .oneshot(request)
        .await
        .expect("a response");
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    sqlx::raw_sql("ROLLBACK")
        .execute(&mut holder)
        .await
        .expect("released");
}
