//! The web UI's own metrics: requests answered, by route and status, and how
//! long they took, in Prometheus's text format (served with the process's
//! other metrics by the host layer, `messaging_layers::host`, at `METRICS_ADDRESS`).
//!
//! | metric | kind | labels |
//! |---|---|---|
//! | `bank_web_requests_total` | counter | `method`, `route` (the router's pattern, such as `/accounts/{account_id}`), `status` |
//! | `bank_web_request_duration_seconds` | histogram | none |
//!
//! The route is the pattern, not the path, so that a thousand accounts make
//! one series rather than a thousand.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;

/// The upper bounds of the latency histogram's buckets, in seconds.
const BUCKETS: [f64; 11] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// (method, route, status) → requests answered.
static REQUESTS: Mutex<BTreeMap<(String, String, u16), u64>> = Mutex::new(BTreeMap::new());
/// Requests at or under each bucket's bound, then all of them (`+Inf`).
static DURATIONS: [AtomicU64; BUCKETS.len() + 1] = [const { AtomicU64::new(0) }; BUCKETS.len() + 1];
/// The sum of every request's duration, in microseconds.
static DURATION_SUM_MICROS: AtomicU64 = AtomicU64::new(0);

/// Middleware: counts the request and times its answer.
pub async fn count_requests(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().to_string();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", MatchedPath::as_str)
        .to_string();
    let response = next.run(request).await;
    let elapsed = started.elapsed();
    {
        let mut requests = REQUESTS
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        *requests
            .entry((method, route, response.status().as_u16()))
            .or_default() += 1;
    }
    let seconds = elapsed.as_secs_f64();
    for (bucket, bound) in DURATIONS.iter().zip(BUCKETS.iter().chain([&f64::INFINITY])) {
        if seconds <= *bound {
            bucket.fetch_add(1, Ordering::Relaxed);
        }
    }
    let micros = u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX);
    DURATION_SUM_MICROS.fetch_add(micros, Ordering::Relaxed);
    response
}

/// The web UI's metrics in the text format.
pub fn render() -> String {
    // No label value here needs escaping: a method is an HTTP token (which
    // holds no quote, backslash or line break), a route one of the router's
    // own patterns, a status three digits.
    let mut text = String::new();
    let _ = writeln!(
        text,
        "# HELP bank_web_requests_total Requests answered, by method, route and status."
    );
    let _ = writeln!(text, "# TYPE bank_web_requests_total counter");
    let requests = REQUESTS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .clone();
    for ((method, route, status), count) in requests {
        let _ = writeln!(
            text,
            "bank_web_requests_total{{method=\"{}\",route=\"{}\",status=\"{status}\"}} {count}",
            method, route
        );
    }
    let metric = "bank_web_request_duration_seconds";
    let _ = writeln!(text, "# HELP {metric} Time to answer a request.");
    let _ = writeln!(text, "# TYPE {metric} histogram");
    for (bucket, bound) in DURATIONS.iter().zip(BUCKETS.iter()) {
        let count = bucket.load(Ordering::Relaxed);
        let _ = writeln!(text, "{metric}_bucket{{le=\"{bound}\"}} {count}");
    }
    let total = DURATIONS[BUCKETS.len()].load(Ordering::Relaxed);
    let _ = writeln!(text, "{metric}_bucket{{le=\"+Inf\"}} {total}");
    let sum = DURATION_SUM_MICROS.load(Ordering::Relaxed) as f64 / 1e6;
    let _ = writeln!(text, "{metric}_sum {sum}");
    let _ = writeln!(text, "{metric}_count {total}");
    text
}
