//! Scraping the binaries' metrics from their published ports.

use crate::http::request;

/// Every binary's metrics, scraped once from its published port.
pub async fn scrape_every_metrics_port() {
    let consumers = [
        ("127.0.0.1:9105", "account:command (member-0-of-2)"),
        ("127.0.0.1:9106", "account:command (member-1-of-2)"),
        ("127.0.0.1:9102", "fundsTransfer:command"),
        ("127.0.0.1:9103", "account (aggregator)"),
    ];
    for (address, consumer) in consumers {
        let scraped = scrape(address).await;
        for family in [
            "bank_consumer_messages_handled_total",
            "bank_consumer_position",
            "bank_consumer_lag",
            "bank_consumer_messages_parked",
        ] {
            let series = format!("{family}{{consumer=\"{consumer}\"}} ");
            assert!(
                scraped.contains(&series),
                "{address} lacks {series}:\n{scraped}"
            );
        }
    }
    let web = scrape("127.0.0.1:9104").await;
    let pages =
        r#"bank_web_requests_total{method="GET",route="/accounts/{account_id}",status="200"} "#;
    assert!(metric(&web, pages) > 0, "{web}");
    assert!(
        metric(&web, "bank_web_request_duration_seconds_count ") > 0,
        "{web}"
    );
}

pub async fn scrape(address: &str) -> String {
    let response = request(address, "GET", "/metrics", None).await;
    assert_eq!(response.status, 200, "{address}");
    response.body
}

/// The value on the line that starts with `series`, or 0.
pub fn metric(scraped: &str, series: &str) -> i64 {
    scraped
        .lines()
        .find_map(|line| line.strip_prefix(series)?.trim().parse().ok())
        .unwrap_or(0)
}
