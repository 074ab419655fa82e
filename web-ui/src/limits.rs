//! What keeps one client from exhausting the server.
//!
//! Every request costs the server something (a connection to the views, a
//! task, memory for the body), and a bank that anyone can reach must bound
//! each of those, or one careless or hostile client takes it away from
//! everybody else:
//!
//! - a body is at most [`BODY_LIMIT`] bytes (413 beyond it, unread);
//! - a request gets [`REQUEST_TIMEOUT`] to be answered (503 after it);
//! - at most [`REQUESTS_IN_FLIGHT`] requests are worked on at once; the
//!   next wait for a place;
//! - the message inspector, the one page that reads the message store, gets
//!   only [`INSPECTIONS_IN_FLIGHT`] of those places and turns away the
//!   next ones at once (503): a flood of inspections cannot starve the
//!   forms;
//! - live-update streams are bounded apart (see `live.rs`): they last
//!   long, and hold no request place once their answer has begun;
//! - and before any of that, the connections themselves (`startup.rs`): a
//!   client gets [`HEADER_READ_TIMEOUT`] to send a request's headers, and a
//!   connection kept alive gets as long to start its next request; headers
//!   are at most [`HEADER_LIMIT`] bytes (431 beyond); at most
//!   [`CONNECTIONS`] are open at once, and the next wait to be accepted.
//!   The request timeout above starts only once a request has been read,
//!   so without these a client that sends its headers a byte at a time, or
//!   opens connections and sends nothing, would hold each connection for
//!   ever.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tokio::sync::Semaphore;

/// The largest request body accepted. The bank's forms are a few hundred
/// bytes; anything far larger is a mistake or an attack.
pub const BODY_LIMIT: usize = 16 * 1024;

/// How long a request may take. A page is one statement and a form one
/// write, a few milliseconds each; this only ends requests stuck behind a
/// database that does not answer.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// How many requests are worked on at once.
pub const REQUESTS_IN_FLIGHT: usize = 256;

/// How many of them may be message inspections.
pub const INSPECTIONS_IN_FLIGHT: usize = 4;

/// How long a client has to send a request's headers, and how long a
/// connection kept alive may wait for its next request. A browser sends its
/// headers in one packet; only a client that means to hold connections open
/// takes seconds.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// The largest request head (the request line and its headers). A
/// browser's is well under 2 KB.
pub const HEADER_LIMIT: usize = 16 * 1024;

/// How many connections are open at once. Each costs a task and buffers,
/// and none is refused: the next waits in the kernel's queue until one
/// closes.
pub const CONNECTIONS: usize = 1024;

/// The bounds an app is built with: the constants above, unless a test
/// needs others.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub body: usize,
    pub request_timeout: Duration,
    pub requests_in_flight: usize,
    pub inspections_in_flight: usize,
    /// How many live-update streams at once (see `live.rs`).
    pub live_streams: usize,
    pub header_read_timeout: Duration,
    pub header_limit: usize,
    pub connections: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            body: BODY_LIMIT,
            request_timeout: REQUEST_TIMEOUT,
            requests_in_flight: REQUESTS_IN_FLIGHT,
            inspections_in_flight: INSPECTIONS_IN_FLIGHT,
            live_streams: crate::live::LIVE_STREAMS,
            header_read_timeout: HEADER_READ_TIMEOUT,
            header_limit: HEADER_LIMIT,
            connections: CONNECTIONS,
        }
    }
}

/// The places for inspections, shared by every request.
#[derive(Clone, Debug)]
pub struct InspectionSlots(Arc<Semaphore>);

impl InspectionSlots {
    /// `slots` inspections at once.
    pub fn new(slots: usize) -> InspectionSlots {
        InspectionSlots(Arc::new(Semaphore::new(slots)))
    }
}

/// Lets an inspection through if a place is free, and turns it away with
/// 503 if not, rather than letting it queue behind the others.
pub async fn limit_inspections(
    State(slots): State<InspectionSlots>,
    request: Request,
    next: Next,
) -> Response {
    let Ok(_place) = slots.0.clone().try_acquire_owned() else {
        tracing::warn!("turned an inspection away: too many at once");
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "The message inspector is busy. Please try again in a moment.",
        )
            .into_response();
    };
    next.run(request).await
}
