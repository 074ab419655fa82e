//! Being told that a category has new messages, instead of only polling.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use sqlx::PgPool;
use sqlx::postgres::PgListener;
use tokio::sync::{Notify, broadcast};
use tokio::task::JoinHandle;

use messaging::{Category, MessageStore, StoreError};

/// The channel the Postgres store's trigger notifies on, with the category of
/// the new message as payload (see
/// `migrations/message-store/postgres/011_new_message_notifications.sql`).
const CHANNEL: &str = "message_store";

/// A wake-up call for a consumer of one category that has caught up.
///
/// It is an optimization, never the correctness path: a consumer always polls
/// too, so a notification that is lost (the listener was reconnecting) costs
/// latency, not messages. A notification is also only a hint: the consumer
/// reads the category to see what, if anything, is new.
///
/// Notifications arrive one per message written, but one read fetches all of
/// a category's new messages. So the signal *coalesces* them: a task of its
/// own receives every notification and leaves at most one wake-up waiting
/// ([`Notify::notify_one`] keeps a single permit). A consumer that was busy
/// while a thousand messages arrived wakes once, reads them all, and goes
/// back to sleep, instead of reading the empty category a thousand times.
#[derive(Debug)]
pub struct NewMessageSignal {
    shared: Arc<Shared>,
    listening: JoinHandle<()>,
}

#[derive(Debug, Default)]
struct Shared {
    woken: Notify,
    /// Set when the listener has failed beyond its own reconnecting.
    broken: AtomicBool,
}

impl Shared {
    fn wake(&self) {
        self.woken.notify_one();
    }

    fn break_down(&self) {
        self.broken.store(true, Ordering::SeqCst);
        self.woken.notify_one();
    }
}

impl NewMessageSignal {
    /// Starts listening for new messages in `category`: on Postgres, on a
    /// connection of its own (LISTEN); on SQLite and in memory, to the
    /// store's announcements of its writes in this process.
    pub async fn listen(
        store: &MessageStore,
        category: Category,
    ) -> Result<NewMessageSignal, StoreError> {
        if let Some(postgres) = store.as_postgres() {
            return NewMessageSignal::listen_on(postgres.pool(), category).await;
        }
        let written = match (store.as_sqlite(), store.as_memory()) {
            (Some(sqlite), _) => sqlite.written_categories(),
            (None, Some(memory)) => memory.written_categories(),
            (None, None) => {
                return Err(StoreError::InvalidRequest(
                    "this store cannot tell of new messages".to_string(),
                ));
            }
        };
        Ok(NewMessageSignal::local(written, category))
    }

    /// LISTENs on a dedicated Postgres connection.
    async fn listen_on(pool: &PgPool, category: Category) -> Result<NewMessageSignal, StoreError> {
        let mut listener = PgListener::connect_with(pool).await?;
        listener.listen(CHANNEL).await?;
        let shared = Arc::new(Shared::default());
        let listening = tokio::spawn({
            let shared = Arc::clone(&shared);
            async move {
                loop {
                    match listener.recv().await {
                        Ok(notification) if notification.payload() == category.as_str() => {
                            shared.wake();
                        }
                        Ok(_) => {}
                        Err(error) => {
                            tracing::debug!(%error, "new-message listener lost");
                            shared.break_down();
                            return;
                        }
                    }
                }
            }
        });
        Ok(NewMessageSignal { shared, listening })
    }

    /// Follows the in-process channel of the SQLite and memory stores.
    fn local(mut receiver: broadcast::Receiver<Arc<str>>, category: Category) -> NewMessageSignal {
        let shared = Arc::new(Shared::default());
        let listening = tokio::spawn({
            let shared = Arc::clone(&shared);
            async move {
                loop {
                    match receiver.recv().await {
                        Ok(written) if &*written == category.as_str() => shared.wake(),
                        Ok(_) => {}
                        // We fell behind the channel: something may be new.
                        Err(broadcast::error::RecvError::Lagged(_)) => shared.wake(),
                        // The store is gone; only polling is left, and it
                        // will report the store's errors itself.
                        Err(broadcast::error::RecvError::Closed) => return,
                    }
                }
            }
        });
        NewMessageSignal { shared, listening }
    }

    /// Waits until a message may have been written to the category since the
    /// last wake-up. An error means the signal is broken (the connection is
    /// gone and could not be re-established); the caller falls back to
    /// polling, and may listen again later.
    pub async fn wait(&mut self) -> Result<(), StoreError> {
        self.shared.woken.notified().await;
        if self.shared.broken.load(Ordering::SeqCst) {
            return Err(StoreError::SignalLost);
        }
        Ok(())
    }
}

impl Drop for NewMessageSignal {
    /// The listening task (and with it the LISTEN connection) ends with the
    /// signal.
    fn drop(&mut self) {
        self.listening.abort();
    }
}
