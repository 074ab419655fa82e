//! Where a consumer remembers how far it has read.

use serde::{Deserialize, Serialize};

use super::ConsumerSettings;
use crate::{ExpectedVersion, Message, MessageStore, NewMessage, StoreError, StreamName};

/// "This consumer has handled everything up to this global position": the
/// message a consumer writes to its position stream, as Eventide does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recorded {
    /// The global position of the last message handled.
    pub position: i64,
}

impl Message for Recorded {
    const TYPE: &'static str = "Recorded";
}

/// A consumer's position, kept in the message store itself, in the stream
/// `{category}+position` (or `{category}+position-{identifier}`).
///
/// Keeping it in the store rather than somewhere else means a consumer needs
/// nothing but the store, and an operator can see and even rewind it with
/// plain SQL: write a `Recorded` with a lower position and restart, and the
/// consumer handles those messages again (which, handlers being idempotent,
/// changes nothing).
#[derive(Clone, Debug)]
pub struct PositionStore {
    store: MessageStore,
    stream_name: StreamName,
}

impl PositionStore {
    /// The position store in `stream_name`.
    pub fn new(store: MessageStore, stream_name: StreamName) -> PositionStore {
        PositionStore { store, stream_name }
    }

    /// The position store of the consumer `settings` describe.
    pub fn of(
        store: &MessageStore,
        settings: &ConsumerSettings,
    ) -> Result<PositionStore, StoreError> {
        Ok(PositionStore::new(
            store.clone(),
            settings.position_stream()?,
        ))
    }

    /// The stream the positions are kept in.
    pub fn stream_name(&self) -> &StreamName {
        &self.stream_name
    }

    /// The last recorded position, or `None` if the consumer never recorded
    /// one (it then starts at the beginning of the category).
    pub async fn get(&self) -> Result<Option<i64>, StoreError> {
        let Some(message) = self
            .store
            .read_last(&self.stream_name, Some(Recorded::TYPE))
            .await?
        else {
            return Ok(None);
        };
        let recorded: Recorded = message
            .decode()
            .map_err(|error| StoreError::MalformedRow(error.to_string()))?;
        Ok(Some(recorded.position))
    }

    /// The global position to read from: the one after the last recorded
    /// (the last message handled), or 1, Message DB's first, when none is.
    pub async fn start(&self) -> Result<i64, StoreError> {
        match self.get().await? {
            None => Ok(1),
            Some(position) => position.checked_add(1).ok_or_else(|| {
                StoreError::InvalidRequest(format!(
                    "the recorded position {position} leaves no position to read after it"
                ))
            }),
        }
    }

    /// Records `position`. Any expected version will do: a consumer's
    /// position stream has one writer, and order is all that matters.
    pub async fn put(&self, position: i64) -> Result<(), StoreError> {
        let message = NewMessage::new(&Recorded { position })
            .map_err(|error| StoreError::InvalidRequest(error.to_string()))?;
        self.store
            .write_message(&self.stream_name, &message, ExpectedVersion::Any)
            .await?;
        Ok(())
    }
}
