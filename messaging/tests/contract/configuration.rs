//! The configuration under test: the plain path. (The layers crate runs the
//! same cases on its own configuration, `messaging-layers/tests/contract/`.)

use messaging::controls::postgres;
use messaging::{Consumer, ConsumerSettings, Handler, MessageStore};

/// A fresh Postgres message store, as the plain path connects to it.
pub async fn postgres_store() -> Option<MessageStore> {
    postgres::fresh_store().await
}

/// A consumer, as the plain path runs it: one message after another,
/// sleeping for the poll interval when there is nothing new.
pub fn consumer<H: Handler>(
    store: MessageStore,
    settings: ConsumerSettings,
    handler: H,
) -> Consumer<H> {
    Consumer::new(store, settings, handler)
}
