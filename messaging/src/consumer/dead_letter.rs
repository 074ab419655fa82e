//! Where a consumer parks a message it cannot handle.

use md5::{Digest, Md5};
use serde::{Deserialize, Serialize};
use uuid::{Builder, Uuid};

use super::ConsumerSettings;
use crate::{
    ExpectedVersion, Message, MessageError, MessageStore, NewMessage, StoreError, StoredMessage,
    StreamName,
};

/// A message that a consumer could not handle, parked with the reason.
///
/// The policy, in one place: a message whose *content* is bad (its data does
/// not parse into its type, or breaks the contract) can never be handled, no
/// matter how often it is retried. Stopping the consumer would make one bad
/// message take the whole component down, which autonomy forbids; skipping it
/// silently could lose a command without a trace. So the consumer writes this
/// record to `{category}+deadLetter` (or `{category}+deadLetter-{identifier}`),
/// logs an error, and goes on. Nothing is lost: the record says where the
/// original is, what it contained and why it was refused, an operator can see
/// it (the web UI's operations page lists them), and once the cause is fixed
/// the original can be re-sent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeadLettered {
    /// The consumer that refused the message.
    pub consumer: String,
    /// Where the message is.
    pub stream_name: String,
    pub position: i64,
    pub global_position: i64,
    /// What it is.
    pub message_id: Uuid,
    pub message_type: String,
    /// Its data, as the JSON text that was stored.
    pub data: String,
    /// Why it could not be handled.
    pub error: String,
}

impl Message for DeadLettered {
    const TYPE: &'static str = "DeadLettered";
}

/// Writes dead letters for one consumer.
#[derive(Clone, Debug)]
pub struct DeadLetterStream {
    store: MessageStore,
    stream_name: StreamName,
    consumer: String,
}

impl DeadLetterStream {
    /// Parks messages in `stream_name` on behalf of `consumer`.
    pub fn new(store: MessageStore, stream_name: StreamName, consumer: String) -> Self {
        DeadLetterStream {
            store,
            stream_name,
            consumer,
        }
    }

    /// Parks `message`. Parking the same message twice (it was re-delivered
    /// after a crash) writes one record: the record's id is derived from the
    /// consumer and the message, and the store refuses a duplicate id.
    pub async fn park(
        &self,
        message: &StoredMessage,
        error: &MessageError,
    ) -> Result<(), StoreError> {
        let record = DeadLettered {
            consumer: self.consumer.clone(),
            stream_name: message.stream_name.to_string(),
            position: message.position,
            global_position: message.global_position,
            message_id: message.id,
            message_type: message.message_type.clone(),
            data: message.data.clone(),
            error: error.to_string(),
        };
        let id = self.record_id(message);
        // The original's metadata may be what is broken, so the record does
        // not `follow` it; it names the original in its data instead.
        let new_message = NewMessage::new(&record)
            .map_err(|error| StoreError::InvalidRequest(error.to_string()))?
            .with_id(id);
        match self
            .store
            .write_message(&self.stream_name, &new_message, ExpectedVersion::Any)
            .await
        {
            Ok(_) | Err(StoreError::DuplicateMessageId { .. }) => Ok(()),
            Err(error) => Err(error),
        }
    }

    /// The dead-letter stream of the consumer `settings` describe.
    pub fn of(
        store: &MessageStore,
        settings: &ConsumerSettings,
    ) -> Result<DeadLetterStream, StoreError> {
        Ok(DeadLetterStream::new(
            store.clone(),
            settings.dead_letter_stream()?,
            settings.name(),
        ))
    }

    fn record_id(&self, message: &StoredMessage) -> Uuid {
        let mut hasher = Md5::new();
        hasher.update(self.stream_name.as_str().as_bytes());
        hasher.update(message.id.as_bytes());
        Builder::from_md5_bytes(hasher.finalize().into()).into_uuid()
    }
}
