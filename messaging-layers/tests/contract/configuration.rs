//! The configuration under test: the layered path, as the bank's binaries
//! run it.

use std::sync::Arc;

use messaging::controls::postgres;
use messaging::{Consumer, ConsumerSettings, Handler, MessageStore};
use messaging_layers::DEFAULT_LANES;
use messaging_layers::lanes::Lanes;
use messaging_layers::wake_ups::WakeUps;

/// A fresh Postgres message store, installed, with the store layers on.
pub async fn postgres_store() -> Option<MessageStore> {
    let url = postgres::fresh_database("layered").await?;
    postgres::store_at(&url).await;
    match messaging_layers::connect(&url, 10).await {
        Ok(store) => Some(store),
        Err(error) => panic!("cannot connect to {url} with the layers: {error}"),
    }
}

/// A consumer with the consumer layers on: the default lanes, and wake-ups.
pub fn consumer<H: Handler>(
    store: MessageStore,
    settings: ConsumerSettings,
    handler: H,
) -> Consumer<H> {
    lanes(store, settings, handler, DEFAULT_LANES)
}

/// The same, in `lanes` lanes.
pub fn lanes<H: Handler>(
    store: MessageStore,
    settings: ConsumerSettings,
    handler: H,
    lanes: u32,
) -> Consumer<H> {
    let wake_ups = WakeUps::new(
        store.clone(),
        settings.category.clone(),
        settings.poll_interval,
    );
    Consumer::new(store, settings, handler)
        .handling_batches_with(Arc::new(Lanes(lanes)))
        .waiting_with(Box::new(wake_ups))
}
