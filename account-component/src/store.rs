//! The account entity store.

use messaging::{EntityStore, MessageStore};

use crate::{Account, streams};

/// Fetches accounts by id, projected from `account-{id}`, with an in-memory
/// cache and a snapshot every 100 events, so that a long-lived account does
/// not have to be replayed from its first event after a restart.
pub fn build(store: MessageStore) -> EntityStore<Account> {
    EntityStore::new(store, streams::CATEGORY).with_snapshots(100)
}
