//! The web UI's metrics: requests counted by route pattern and status, and
//! timed.

use web_ui::metrics::render;

use crate::support::TestApp;

/// The count on the line that starts with `series`, or 0 when there is none.
fn count(metrics: &str, series: &str) -> u64 {
    metrics
        .lines()
        .find_map(|line| line.strip_prefix(series)?.trim().parse().ok())
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_are_counted_by_route_pattern_and_status_and_timed() {
    let app = TestApp::new().await;
    let account_id = app.open_account("Ada Lovelace").await;
    let page =
        r#"bank_web_requests_total{method="GET",route="/accounts/{account_id}",status="200"}"#;
    let missing = r#"bank_web_requests_total{method="GET",route="unmatched",status="404"}"#;
    let timed = "bank_web_request_duration_seconds_count";
    // Other tests in this process make requests too, and the counts are
    // the process's: so each is compared with itself, before and after.
    let before = render();
    app.get(&format!("/accounts/{account_id}")).await;
    app.get(&format!("/accounts/{account_id}")).await;
    app.get("/no/such/page").await;
    let after = render();

    assert!(count(&after, page) >= count(&before, page) + 2, "{after}");
    assert!(count(&after, missing) > count(&before, missing), "{after}");
    assert!(count(&after, timed) >= count(&before, timed) + 3, "{after}");
    assert!(
        !after.contains(&account_id),
        "a series per account would grow without bound: {after}"
    );
    let infinity = r#"bank_web_request_duration_seconds_bucket{le="+Inf"}"#;
    assert_eq!(count(&after, infinity), count(&after, timed));
}
