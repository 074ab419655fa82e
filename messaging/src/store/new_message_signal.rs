//! Being told that a category has new messages, instead of only polling.

use std::sync::Arc;

use sqlx::PgPool;
use sqlx::postgres::PgListener;
use tokio::sync::broadcast;

use crate::{Category, StoreError};

/// The channel the Postgres store's trigger notifies on, with the category of
/// the new message as payload (see
/// `migrations/message-store/postgres/011_new_message_notifications.sql`).
const CHANNEL: &str = "message_store";

/// A wake-up call for consumers that have caught up.
///
/// It is an optimization, never the correctness path: a consumer always polls
/// too, so a notification that is lost (the listener was reconnecting) costs
/// latency, not messages. A notification is also only a hint: the consumer
/// reads the category to see what, if anything, is new.
#[derive(Debug)]
pub struct NewMessageSignal {
    source: Source,
}

#[derive(Debug)]
enum Source {
    /// LISTEN on a dedicated Postgres connection.
    Postgres(Box<PgListener>),
    /// The in-process channel of the SQLite and memory stores.
    Local(broadcast::Receiver<Arc<str>>),
}

impl NewMessageSignal {
    pub(super) async fn listen(pool: &PgPool) -> Result<NewMessageSignal, StoreError> {
        let mut listener = PgListener::connect_with(pool).await?;
        listener.listen(CHANNEL).await?;
        Ok(NewMessageSignal {
            source: Source::Postgres(Box::new(listener)),
        })
    }

    pub(super) fn local(receiver: broadcast::Receiver<Arc<str>>) -> NewMessageSignal {
        NewMessageSignal {
            source: Source::Local(receiver),
        }
    }

    /// Waits until a message may have been written to `category`. An error
    /// means the signal is broken (the connection is gone and could not be
    /// re-established); the caller falls back to polling.
    pub async fn wait_for(&mut self, category: &Category) -> Result<(), StoreError> {
        loop {
            match &mut self.source {
                Source::Postgres(listener) => {
                    let notification = listener.recv().await?;
                    if notification.payload() == category.as_str() {
                        return Ok(());
                    }
                }
                Source::Local(receiver) => match receiver.recv().await {
                    Ok(written) if &*written == category.as_str() => return Ok(()),
                    Ok(_) => {}
                    // We fell behind the channel: something may be new.
                    Err(broadcast::error::RecvError::Lagged(_)) => return Ok(()),
                    // The store is gone; only polling is left, and it will
                    // report the store's errors itself.
                    Err(broadcast::error::RecvError::Closed) => std::future::pending::<()>().await,
                },
            }
        }
    }
}
