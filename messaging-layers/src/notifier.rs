//! Telling listeners about new messages after the writes have committed.
//!
//! What it buys: notifying writes of every category no longer commit in
//! single file, and a lone writer no longer pays a notification per write
//! (0.8 of SQL's `write_message` before, 1.0 after). What it costs: a task,
//! and a listener hears of a write up to [`PAUSE_BETWEEN_NOTIFICATIONS`]
//! later. How:
//!
//! Notifying from inside each write's transaction (what the trigger in
//! `011_new_message_notifications.sql` does for a session that asks) makes
//! Postgres commit notifying transactions one at a time, disk flush
//! included. So after each commit the Rust writer hands the category to
//! this notifier instead. A task of its own sends the notifications, in a
//! statement that writes nothing (and so commits without waiting for the
//! disk), and the writer does not wait for it.
//!
//! Like the consumer's signal, the notifier coalesces: categories handed to
//! it while it was sending are sent together, once each, in one statement.
//! And it sends at most one statement every [`PAUSE_BETWEEN_NOTIFICATIONS`]: a
//! notifying statement is not free (a transaction, Postgres's notification
//! queue, a wake-up for every listener), and a writer that writes one
//! message after another, each in a fraction of a millisecond, paid for one
//! per write: the ladder's lone Rust writer ran at 0.8 of `write_message`
//! from SQL with a notification per write, and at 1.0 with this pause. A
//! listener hears of a write at most this much later, which is small beside
//! what it does when woken (the ladder's command-to-view latency did not
//! grow), and a category written a thousand times in a second wakes its
//! listeners at most five hundred times.
//!
//! A notification that cannot be sent costs latency, never a message:
//! consumers still poll.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use futures_util::future::BoxFuture;
use messaging::store::postgres::{PostgresWriter, WriteFunctions, write_alone};
use messaging::{ExpectedVersion, NewMessage, StoreError, StreamName};
use sqlx::PgPool;
use tokio::sync::mpsc;
use tokio::time::Instant;

/// A writer that has listeners told of each write once it has committed:
/// its writes are made by `writes` (or on their own, the plain path), then
/// the category is handed to the notifier.
#[derive(Debug)]
pub struct Notifying {
    writes: Option<Arc<dyn PostgresWriter>>,
    notifier: Notifier,
}

impl Notifying {
    /// Writes made by `writes` (group commit, say), or on their own, with
    /// the notifications sent on `pool`.
    pub fn new(writes: Option<Arc<dyn PostgresWriter>>, pool: PgPool) -> Notifying {
        Notifying {
            writes,
            notifier: Notifier::start(pool),
        }
    }
}

impl PostgresWriter for Notifying {
    fn write<'a>(
        &'a self,
        pool: &'a PgPool,
        functions: WriteFunctions,
        stream_name: &'a StreamName,
        messages: &'a [NewMessage],
        expected_version: ExpectedVersion,
    ) -> BoxFuture<'a, Result<i64, StoreError>> {
        Box::pin(async move {
            let position = match &self.writes {
                Some(writes) => {
                    writes
                        .write(pool, functions, stream_name, messages, expected_version)
                        .await
                }
                None => write_alone(pool, functions, stream_name, messages, expected_version).await,
            }?;
            self.notifier.new_messages_in(stream_name.category());
            Ok(position)
        })
    }
}

/// The sending half; the task ends when the last clone is dropped (with the
/// last clone of the store).
#[derive(Clone, Debug)]
struct Notifier {
    categories: mpsc::UnboundedSender<String>,
}

impl Notifier {
    /// Starts the notifying task on `pool`.
    fn start(pool: PgPool) -> Notifier {
        let (categories, received) = mpsc::unbounded_channel();
        tokio::spawn(send_notifications(pool, received));
        Notifier { categories }
    }

    /// Asks for listeners of `category` to be told it has new messages. Call
    /// it only once the messages have committed.
    fn new_messages_in(&self, category: &str) {
        // Only fails when the task has ended, which it does only once every
        // sender is gone; there is no one left to tell.
        let _ = self.categories.send(category.to_string());
    }
}

/// The least time between two notifying statements. The categories handed
/// over meanwhile wait, and go together in the next.
pub const PAUSE_BETWEEN_NOTIFICATIONS: Duration = Duration::from_millis(2);

async fn send_notifications(pool: PgPool, mut received: mpsc::UnboundedReceiver<String>) {
    let mut last_sent: Option<Instant> = None;
    while let Some(first) = received.recv().await {
        // Wait out the pause since the last statement; categories handed
        // over meanwhile join this one.
        if let Some(last_sent) = last_sent {
            tokio::time::sleep_until(last_sent + PAUSE_BETWEEN_NOTIFICATIONS).await;
        }
        last_sent = Some(Instant::now());
        let mut categories = BTreeSet::from([first]);
        while let Ok(more) = received.try_recv() {
            categories.insert(more);
        }
        let categories: Vec<String> = categories.into_iter().collect();
        let sent = sqlx::query(
            "SELECT pg_notify('message_store', category) FROM unnest($1::text[]) AS category",
        )
        .bind(&categories)
        .execute(&pool)
        .await;
        if let Err(error) = sent {
            tracing::debug!(%error, ?categories, "could not send new-message notifications");
        }
    }
}
