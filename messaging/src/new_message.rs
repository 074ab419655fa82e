//! A message on its way into the store.

use uuid::Uuid;

use crate::{Message, MessageError, Metadata, StoredMessage, StreamName};

/// A message ready to be written: its id, type, data as JSON text, and
/// metadata.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewMessage {
    /// A fresh random id unless set with [`NewMessage::with_id`].
    pub id: Uuid,
    /// The message type, from [`Message::TYPE`].
    pub message_type: String,
    /// The message's attributes, as JSON text.
    pub data: String,
    /// Causation, correlation and the rest.
    pub metadata: Metadata,
}

impl NewMessage {
    /// A message with no history: empty metadata and a random id.
    pub fn new<M: Message>(message: &M) -> Result<NewMessage, MessageError> {
        let data = serde_json::to_string(message).map_err(|error| MessageError::Unencodable {
            message_type: M::TYPE,
            reason: error.to_string(),
        })?;
        Ok(NewMessage {
            id: Uuid::new_v4(),
            message_type: M::TYPE.to_string(),
            data,
            metadata: Metadata::default(),
        })
    }

    /// A message caused by `previous`: its metadata points back at
    /// `previous` and carries on its correlation (Eventide's `follow`).
    pub fn follow<M: Message>(
        message: &M,
        previous: &StoredMessage,
    ) -> Result<NewMessage, MessageError> {
        let metadata = Metadata::caused_by(previous, &previous.metadata()?);
        Ok(NewMessage::new(message)?.with_metadata(metadata))
    }

    /// The same message with the given id. The store refuses a second message
    /// with an id it has seen, which makes a chosen id an idempotence key.
    pub fn with_id(mut self, id: Uuid) -> NewMessage {
        self.id = id;
        self
    }

    /// The same message with the given metadata.
    pub fn with_metadata(mut self, metadata: Metadata) -> NewMessage {
        self.metadata = metadata;
        self
    }

    /// The same message, correlated with the process stream `stream`: every
    /// message that follows from it will carry the same correlation.
    pub fn correlated_with(mut self, stream: &StreamName) -> NewMessage {
        self.metadata.correlation_stream_name = Some(stream.to_string());
        self
    }

    /// Parses the data back into `M`. Tests use it to look at what a handler
    /// wrote.
    pub fn decode<M: Message>(&self) -> Result<M, serde_json::Error> {
        serde_json::from_str(&self.data)
    }
}

#[cfg(test)]
mod tests {
    use serde::{Deserialize, Serialize};

    use super::NewMessage;
    use crate::{Message, StoredMessage, StreamName, Time};

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct SomethingHappened {
        thing_id: u32,
    }

    impl Message for SomethingHappened {
        const TYPE: &'static str = "SomethingHappened";
    }

    fn previous(metadata: Option<&str>) -> StoredMessage {
        StoredMessage {
            id: uuid::Uuid::nil(),
            stream_name: StreamName::from_stored("thing:command-1"),
            message_type: "DoSomething".into(),
            position: 3,
            global_position: 42,
            data: "{}".into(),
            metadata: metadata.map(str::to_string),
            time: Time::now(),
        }
    }

    #[test]
    fn data_is_camel_case_json() {
        let message = NewMessage::new(&SomethingHappened { thing_id: 7 }).expect("encodes");
        assert_eq!(message.data, r#"{"thingId":7}"#);
        assert_eq!(message.message_type, "SomethingHappened");
    }

    #[test]
    fn following_points_the_causation_at_the_previous_message() {
        let message = NewMessage::follow(&SomethingHappened { thing_id: 7 }, &previous(None))
            .expect("encodes");
        assert_eq!(
            message.metadata.causation_message_stream_name.as_deref(),
            Some("thing:command-1")
        );
        assert_eq!(message.metadata.causation_message_position, Some(3));
        assert_eq!(message.metadata.causation_message_global_position, Some(42));
    }

    #[test]
    fn following_carries_the_correlation_on() {
        let previous = previous(Some(r#"{"correlationStreamName":"process-9"}"#));
        let message =
            NewMessage::follow(&SomethingHappened { thing_id: 7 }, &previous).expect("encodes");
        assert_eq!(
            message.metadata.correlation_stream_name.as_deref(),
            Some("process-9")
        );
    }

    #[test]
    fn following_a_message_with_unreadable_metadata_is_an_error_naming_it() {
        let previous = previous(Some(r#"{"causationMessagePosition":"three"}"#));
        let error = NewMessage::follow(&SomethingHappened { thing_id: 7 }, &previous)
            .expect_err("metadata is unreadable");
        assert!(error.to_string().contains("thing:command-1"), "{error}");
    }
}
