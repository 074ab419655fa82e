//! What every handler test needs.

use account_component::controls;
use account_component::handlers::commands::CommandHandler;
use account_component::handlers::commands::transactions::TransactionHandler;
use messaging::store::RecordedWrite;
use messaging::{Clock, MessageStore};

/// A fresh in-memory store.
pub fn store() -> MessageStore {
    MessageStore::in_memory()
}

/// The commands handler over `store`, with a clock fixed at the controls'
/// processing time.
pub fn commands(store: &MessageStore) -> CommandHandler {
    CommandHandler::new(
        store.clone(),
        account_component::store::build(store.clone()),
        Clock::fixed(controls::time::processed()),
    )
}

/// The transactions handler over `store`.
pub fn transactions(store: &MessageStore) -> TransactionHandler {
    TransactionHandler::new(
        store.clone(),
        account_component::store::build(store.clone()),
        Clock::fixed(controls::time::processed()),
    )
}

/// Every write the handler made (the givens are not recorded).
pub fn writes(store: &MessageStore) -> Vec<RecordedWrite> {
    store.as_memory().expect("a memory store").writes()
}

/// The handler's only write; fails the test if it made none or several.
pub fn only_write(store: &MessageStore) -> RecordedWrite {
    let mut writes = writes(store);
    assert_eq!(writes.len(), 1, "expected exactly one write: {writes:#?}");
    writes.remove(0)
}
