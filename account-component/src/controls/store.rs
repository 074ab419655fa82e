//! Putting examples into a store, the way tests need them.

use messaging::{ExpectedVersion, Message, MessageStore, NewMessage, StoredMessage, StreamName};

use crate::streams;

/// Writes an account's history to `account-{id}` of the example account,
/// then forgets those writes in a memory store's record, so that a test sees
/// only what the handler under test writes.
pub async fn given_history(store: &MessageStore, history: &[NewMessage]) {
    given(
        store,
        &streams::account_stream(super::id::account()),
        history,
    )
    .await;
}

/// Writes `messages` to `stream_name`; see [`given_history`].
pub async fn given(store: &MessageStore, stream_name: &StreamName, messages: &[NewMessage]) {
    if messages.is_empty() {
        return;
    }
    if let Err(error) = store
        .write(stream_name, messages, ExpectedVersion::Any)
        .await
    {
        panic!("cannot write the given messages to {stream_name}: {error}");
    }
    if let Some(memory) = store.as_memory() {
        memory.clear_writes();
    }
}

/// Writes `message` to `stream_name` and returns it as a consumer would
/// receive it (with its position and global position), ready to hand to a
/// handler. Like [`given`], it leaves no trace in a memory store's record.
pub async fn arriving<M: Message>(
    store: &MessageStore,
    stream_name: &StreamName,
    message: &M,
) -> StoredMessage {
    given(store, stream_name, &[super::history::message(message)]).await;
    match store.read_last(stream_name, None).await {
        Ok(Some(stored)) => stored,
        other => panic!("the message just written to {stream_name} is not there: {other:?}"),
    }
}
