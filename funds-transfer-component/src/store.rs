//! The funds-transfer entity store.

use messaging::{EntityStore, MessageStore};

use crate::{FundsTransfer, streams};

/// Fetches transfers by id from `fundsTransfer-{id}`. A transfer has at most
/// a handful of events, so it needs no snapshots; the cache spares the reads.
pub fn build(store: MessageStore) -> EntityStore<FundsTransfer> {
    EntityStore::new(store, streams::CATEGORY)
}
