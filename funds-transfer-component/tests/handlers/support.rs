use funds_transfer_component::controls;
use funds_transfer_component::handlers::account::events::AccountEventHandler;
use funds_transfer_component::handlers::commands::CommandHandler;
use funds_transfer_component::handlers::events::EventHandler;
use funds_transfer_component::streams;
use messaging::store::RecordedWrite;
use messaging::{Clock, MessageStore, NewMessage};

pub fn store() -> MessageStore {
    MessageStore::in_memory()
}

fn clock() -> Clock {
    Clock::fixed(controls::time::processed())
}

pub fn commands(store: &MessageStore) -> CommandHandler {
    let transfers = funds_transfer_component::store::build(store.clone());
    CommandHandler::new(store.clone(), transfers, clock())
}

pub fn events(store: &MessageStore) -> EventHandler {
    EventHandler::new(
        store.clone(),
        funds_transfer_component::store::build(store.clone()),
        clock(),
    )
}

pub fn account_events(store: &MessageStore) -> AccountEventHandler {
    AccountEventHandler::new(
        store.clone(),
        funds_transfer_component::store::build(store.clone()),
        clock(),
    )
}

/// Writes the example transfer's history.
pub async fn given_transfer(store: &MessageStore, history: &[NewMessage]) {
    controls::store::given(
        store,
        &streams::transfer_stream(controls::id::transfer()),
        history,
    )
    .await;
}

pub fn message<M: messaging::Message>(event: &M) -> NewMessage {
    account_component::controls::history::message(event)
}

pub fn writes(store: &MessageStore) -> Vec<RecordedWrite> {
    store.as_memory().expect("memory").writes()
}

pub fn only_write(store: &MessageStore) -> RecordedWrite {
    let mut writes = writes(store);
    assert_eq!(writes.len(), 1, "expected exactly one write: {writes:#?}");
    writes.remove(0)
}
