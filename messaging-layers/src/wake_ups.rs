//! Wake-ups: a consumer that has caught up is woken by a new message,
//! instead of finding it at its next poll.
//!
//! What it buys: a command reaches its handler, and an event the views, in
//! milliseconds rather than up to a poll interval later (the ladder's
//! command-to-view p99 is well under 100 ms with it). What it costs: a
//! listening connection per consumer on Postgres (a task on SQLite and in
//! memory), and notifications for someone to send: the notifier, on
//! Postgres (`notifier.rs`).
//!
//! It changes nothing of what a consumer reads, only when: it is the
//! consumer's [`Waiting`], which waits for a [`NewMessageSignal`] *or* the
//! poll interval, whichever comes first. Polling stays the correctness
//! path: a notification that is lost (a listener reconnecting) costs
//! latency, never a message.

use futures_util::future::BoxFuture;
use messaging::consumer::{Waited, Waiting};
use messaging::{Category, MessageStore};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

use crate::NewMessageSignal;

/// Waits for a new message in a category, or the poll interval.
#[derive(Debug)]
pub struct WakeUps {
    store: MessageStore,
    category: Category,
    poll_interval: Duration,
    /// Listening, once it could start (and again after it broke).
    signal: Option<NewMessageSignal>,
}

impl WakeUps {
    /// Wake-ups for a consumer of `category` that polls every
    /// `poll_interval`.
    pub fn new(store: MessageStore, category: Category, poll_interval: Duration) -> WakeUps {
        WakeUps {
            store,
            category,
            poll_interval,
            signal: None,
        }
    }
}

impl Waiting for WakeUps {
    fn before_reading(&mut self) -> BoxFuture<'_, ()> {
        Box::pin(async move {
            if self.signal.is_some() {
                return;
            }
            match NewMessageSignal::listen(&self.store, self.category.clone()).await {
                Ok(signal) => self.signal = Some(signal),
                // Polling carries on; the next read tries again.
                Err(error) => tracing::debug!(%error, "cannot listen for new messages yet"),
            }
        })
    }

    fn wait<'a>(&'a mut self, shutdown: &'a CancellationToken) -> BoxFuture<'a, Waited> {
        Box::pin(async move {
            let signal = self.signal.as_mut();
            let signalled = async {
                match signal {
                    Some(signal) => signal.wait().await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                () = shutdown.cancelled() => Waited::Stopped,
                () = tokio::time::sleep(self.poll_interval) => Waited::PollInterval,
                result = signalled => {
                    if let Err(error) = result {
                        tracing::debug!(%error, "new-message signal lost; polling until it is back");
                        self.signal = None;
                    }
                    Waited::Signalled
                }
            }
        })
    }

    /// While it listens, yes, for every write that notifies: a short batch
    /// needs no read after it that would find nothing, which saves a read
    /// per batch when busy. A write that sends no notification (from psql,
    /// from another process on SQLite, or while the listener reconnects)
    /// waits at most a poll interval, as on the plain path; none is lost.
    fn hears_every_write(&self) -> bool {
        self.signal.is_some()
    }
}
