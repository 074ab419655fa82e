//! Telling listeners about new messages after the writes have committed.
//!
//! The trigger in `011_new_message_notifications.sql` would notify from
//! inside each write's transaction, and Postgres commits notifying
//! transactions one at a time, disk flush included. So the Rust writer tells
//! the trigger to stay quiet, and after each commit hands the category to
//! this notifier instead. A task of its own sends the notifications, in a
//! statement that writes nothing (and so commits without waiting for the
//! disk), and the writer does not wait for it.
//!
//! Like the consumer's signal, the notifier coalesces: categories handed to
//! it while it was sending are sent together, once each, in one statement. A
//! busy category costs a notification per round trip, not per message.
//!
//! A notification that cannot be sent costs latency, never a message:
//! consumers still poll.

use std::collections::BTreeSet;

use sqlx::PgPool;
use tokio::sync::mpsc;

/// The sending half; the task ends when the last clone is dropped (with the
/// last clone of the store).
#[derive(Clone, Debug)]
pub(super) struct Notifier {
    categories: mpsc::UnboundedSender<String>,
}

impl Notifier {
    /// Starts the notifying task on `pool`.
    pub(super) fn start(pool: PgPool) -> Notifier {
        let (categories, received) = mpsc::unbounded_channel();
        tokio::spawn(send_notifications(pool, received));
        Notifier { categories }
    }

    /// Asks for listeners of `category` to be told it has new messages. Call
    /// it only once the messages have committed.
    pub(super) fn new_messages_in(&self, category: &str) {
        // Only fails when the task has ended, which it does only once every
        // sender is gone; there is no one left to tell.
        let _ = self.categories.send(category.to_string());
    }
}

async fn send_notifications(pool: PgPool, mut received: mpsc::UnboundedReceiver<String>) {
    while let Some(first) = received.recv().await {
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
