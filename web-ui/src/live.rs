//! Live updates: pages that wait for something change in place as soon as
//! the views do.
//!
//! A page that waits (a command pending, a transfer under way, the
//! operations page) opens one stream of server-sent events, `/events`, and
//! keeps it while it is open (`routes/events.rs`). The stream sends the
//! page's *token* (a short text of what the page shows, see
//! `routes/watch.rs`) at once and again whenever it changes; the page's
//! script then fetches itself and swaps in the new content.
//!
//! What tells the streams to look is not a poll per page. One task for the
//! whole server watches how far the aggregator has got ([`Views::progress`],
//! one small query every [`PROGRESS_INTERVAL`], and none while no page
//! listens) and announces each change on a `tokio::sync::watch` channel.
//! Each stream then re-reads its own token once. So a hundred open pages
//! cost the database one query a tick, plus one per page per actual change.
//!
//! The server bounds what the streams hold: at most [`LIVE_STREAMS`] at
//! once (the next are turned away with 503, and the page falls back to
//! asking `/watch` now and then), each for at most [`STREAM_LIFETIME`] (the
//! browser reconnects by itself), and every stream ends when the server
//! shuts down, so that a graceful shutdown is not held open by them.

use std::sync::{Arc, Weak};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};
use tokio_util::sync::CancellationToken;
use views::Views;

/// How often the server asks the views how far they have got, while any
/// page listens.
pub const PROGRESS_INTERVAL: Duration = Duration::from_millis(100);

/// How many streams the server holds at once.
pub const LIVE_STREAMS: usize = 512;

/// How long one stream lasts before the server ends it (the browser's
/// EventSource opens another a second later).
pub const STREAM_LIFETIME: Duration = Duration::from_secs(300);

/// The server's side of live updates, shared by every stream.
#[derive(Clone, Debug)]
pub struct LiveUpdates {
    /// Announces a change of the views: the number is a count of changes,
    /// only ever compared with itself.
    changes: Arc<watch::Sender<u64>>,
    places: Arc<Semaphore>,
    shutdown: CancellationToken,
}

/// A stream's hold on the server: its place among [`LIVE_STREAMS`], and what
/// wakes it.
#[derive(Debug)]
pub struct Listener {
    pub changes: watch::Receiver<u64>,
    pub shutdown: CancellationToken,
    _place: OwnedSemaphorePermit,
}

impl LiveUpdates {
    /// Starts watching `views` for at most `streams` pages at once, until
    /// `shutdown` (or until the router holding this is dropped).
    pub fn start(views: Views, streams: usize, shutdown: CancellationToken) -> LiveUpdates {
        let changes = Arc::new(watch::Sender::new(0));
        tokio::spawn(watch_the_views(
            views,
            Arc::downgrade(&changes),
            shutdown.clone(),
        ));
        LiveUpdates {
            changes,
            places: Arc::new(Semaphore::new(streams)),
            shutdown,
        }
    }

    /// A place for one more stream, or `None` when all are taken.
    pub fn listen(&self) -> Option<Listener> {
        let place = Arc::clone(&self.places).try_acquire_owned().ok()?;
        Some(Listener {
            changes: self.changes.subscribe(),
            shutdown: self.shutdown.clone(),
            _place: place,
        })
    }
}

/// The one task that asks the views how far they have got, and announces
/// every change. It ends with the server, or when nothing holds the channel
/// any more (the router was dropped).
async fn watch_the_views(
    views: Views,
    changes: Weak<watch::Sender<u64>>,
    shutdown: CancellationToken,
) {
    let mut last: Option<String> = None;
    loop {
        tokio::select! {
            () = shutdown.cancelled() => return,
            () = tokio::time::sleep(PROGRESS_INTERVAL) => {}
        }
        let Some(changes) = changes.upgrade() else {
            return;
        };
        if changes.receiver_count() == 0 {
            // No page listens: ask nothing, and announce the first reading
            // after someone does.
            last = None;
            continue;
        }
        match views.progress().await {
            Ok(progress) if last.as_ref() != Some(&progress) => {
                last = Some(progress);
                changes.send_modify(|count| *count = count.wrapping_add(1));
            }
            Ok(_) => {}
            // The views are unreachable for now; the pages keep what they
            // show, and the next tick asks again.
            Err(error) => tracing::debug!(%error, "could not read the views' progress"),
        }
    }
}
