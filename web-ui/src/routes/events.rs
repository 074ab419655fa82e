//! `GET /events?...`: a waiting page's token as a stream of server-sent
//! events, sent at once and again whenever it changes (see `live.rs` for
//! what wakes the stream and what bounds it).

use std::convert::Infallible;
use std::time::Duration;

use axum::Extension;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::stream;
use tokio::time::Instant;

use super::watch::WatchQuery;
use crate::AppState;
use crate::live::{Listener, LiveUpdates, STREAM_LIFETIME};

/// How long the browser waits before it reconnects to an ended stream.
const RECONNECT_AFTER: Duration = Duration::from_secs(1);

/// What one stream carries between events.
struct Streaming {
    state: AppState,
    query: WatchQuery,
    listener: Listener,
    /// The token sent last; `None` before the first.
    sent: Option<String>,
    ends: Instant,
}

/// `GET /events?...`, with the same query as `/watch`.
pub async fn stream(
    State(state): State<AppState>,
    Extension(live): Extension<LiveUpdates>,
    Query(query): Query<WatchQuery>,
) -> Response {
    let Some(listener) = live.listen() else {
        // Every place is taken: the page asks `/watch` now and then instead.
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::RETRY_AFTER, "5")],
            "Too many live pages; this one will refresh instead.",
        )
            .into_response();
    };
    let streaming = Streaming {
        state,
        query,
        listener,
        sent: None,
        ends: Instant::now() + STREAM_LIFETIME,
    };
    let events = stream::unfold(streaming, |mut streaming| async move {
        let token = next_token(&mut streaming).await?;
        let mut event = Event::default().event("token").data(&token);
        if streaming.sent.is_none() {
            event = event.retry(RECONNECT_AFTER);
        }
        streaming.sent = Some(token);
        Some((Ok::<_, Infallible>(event), streaming))
    });
    Sse::new(events)
        .keep_alive(KeepAlive::default())
        .into_response()
}

/// The next token to send: the current one at first, then each that differs
/// from the last sent, read when the views announce a change. `None` ends
/// the stream: the server shuts down, or the stream has lasted its time.
async fn next_token(streaming: &mut Streaming) -> Option<String> {
    loop {
        if streaming.sent.is_some() {
            tokio::select! {
                () = streaming.listener.shutdown.cancelled() => return None,
                () = tokio::time::sleep_until(streaming.ends) => return None,
                changed = streaming.listener.changes.changed() => changed.ok()?,
            }
        }
        match streaming.query.current_token(&streaming.state.views).await {
            Ok(token) if streaming.sent.as_ref() != Some(&token) => return Some(token),
            Ok(_) => {}
            // Unreadable for now: wait for the next change and try again
            // (or, before the first event, end: the browser reconnects).
            Err(error) => {
                tracing::debug!(%error, "could not read a live page's token");
                streaming.sent.as_ref()?;
            }
        }
    }
}
