//! A message as it was read back from the store.

use uuid::Uuid;

use crate::{Message, MessageError, Metadata, StoreError, StreamName, Time};

/// A message read from the store: where it is, when it was written, and its
/// data and metadata as the JSON text that was stored.
///
/// The JSON is kept as text and parsed only when a handler asks for it, with
/// [`StoredMessage::decode`] and [`StoredMessage::metadata`]. Reading never
/// fails because of what a message contains; only handling can. That way a
/// malformed message written by some other client cannot stop a consumer from
/// reading its category: the consumer sees it, reports it and parks it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredMessage {
    /// The message's unique id.
    pub id: Uuid,
    /// The stream it was written to.
    pub stream_name: StreamName,
    /// Its type, such as `"Deposited"`.
    pub message_type: String,
    /// Its position in its stream, from 0.
    pub position: i64,
    /// Its position in the whole store.
    pub global_position: i64,
    /// Its data, as JSON text (`"null"` when the store has none).
    pub data: String,
    /// Its metadata, as JSON text, when it has any.
    pub metadata: Option<String>,
    /// When the store received it.
    pub time: Time,
}

impl StoredMessage {
    /// True when this message is of type `M`.
    pub fn is<M: Message>(&self) -> bool {
        self.message_type == M::TYPE
    }

    /// Parses the data into the message type `M`. An error names the stream
    /// and position of the message, so it can be found and looked at.
    pub fn decode<M: Message>(&self) -> Result<M, MessageError> {
        serde_json::from_str(&self.data).map_err(|error| self.unhandleable(error.to_string()))
    }

    /// Parses the metadata. A message without metadata has empty metadata.
    pub fn metadata(&self) -> Result<Metadata, MessageError> {
        match &self.metadata {
            None => Ok(Metadata::default()),
            Some(json) => serde_json::from_str::<Option<Metadata>>(json)
                .map(Option::unwrap_or_default)
                .map_err(|error| self.unhandleable(format!("unreadable metadata: {error}"))),
        }
    }

    /// The global position a category read continues from after this
    /// message. A message at the largest position there is leaves none, and
    /// reading on would wrap around or repeat: that is an error naming the
    /// message, never an overflow.
    pub fn next_global_position(&self) -> Result<i64, StoreError> {
        self.global_position
            .checked_add(1)
            .ok_or_else(|| StoreError::PositionExhausted {
                stream_name: self.stream_name.clone(),
                global_position: self.global_position,
            })
    }

    /// An error saying this message cannot be handled, and why. Handlers use
    /// it when a message parses but breaks the contract (an account id in the
    /// data that is not the one in the stream name, say).
    pub fn unhandleable(&self, reason: impl Into<String>) -> MessageError {
        MessageError::Unhandleable {
            stream_name: self.stream_name.clone(),
            position: self.position,
            global_position: self.global_position,
            message_type: self.message_type.clone(),
            reason: reason.into(),
        }
    }
}
