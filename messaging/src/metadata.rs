//! Metadata: where a message came from, in Eventide's own keys.

use serde::{Deserialize, Serialize};

use crate::StoredMessage;

/// What a message carries besides its data: the message that caused it, the
/// process it belongs to, and where to reply.
///
/// The JSON keys are the camelCase keys Eventide writes, so a Ruby Eventide
/// component reading this bank's store understands them, and the other way
/// round. Absent keys are left out of the JSON rather than written as null.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Metadata {
    /// The stream of the message that caused this one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub causation_message_stream_name: Option<String>,
    /// That message's position in its stream.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub causation_message_position: Option<i64>,
    /// That message's global position.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub causation_message_global_position: Option<i64>,
    /// The stream of the process this message belongs to, such as
    /// `fundsTransfer-7`. It is copied from message to message, so the
    /// account's `Withdrawn` event still names the transfer that asked for
    /// the withdrawal, and the transfer's consumer can find it by reading the
    /// `account` category with correlation `fundsTransfer`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correlation_stream_name: Option<String>,
    /// Where the recipient should send a reply, if anywhere.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_stream_name: Option<String>,
    /// The version of the message's schema, for messages that have changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema_version: Option<String>,
}

impl Metadata {
    /// Metadata for a message caused by `previous`: the causation keys point
    /// at `previous`, and the correlation and reply keys are copied from it.
    /// It is the metadata half of following a message
    /// ([`NewMessage::follow`](crate::NewMessage::follow)), and how a chain
    /// of messages stays traceable: the message inspector walks it
    /// backwards.
    pub fn caused_by(previous: &StoredMessage, previous_metadata: &Metadata) -> Metadata {
        Metadata {
            causation_message_stream_name: Some(previous.stream_name.to_string()),
            causation_message_position: Some(previous.position),
            causation_message_global_position: Some(previous.global_position),
            correlation_stream_name: previous_metadata.correlation_stream_name.clone(),
            reply_stream_name: previous_metadata.reply_stream_name.clone(),
            schema_version: None,
        }
    }

    /// True when no key is set; such metadata is stored as NULL.
    pub fn is_empty(&self) -> bool {
        *self == Metadata::default()
    }

    /// The category of the correlation stream (`fundsTransfer` for
    /// `fundsTransfer-7`), as correlated category reads compare it.
    pub fn correlation_category(&self) -> Option<&str> {
        self.correlation_stream_name
            .as_deref()
            .map(|name| name.split_once('-').map_or(name, |(category, _)| category))
    }
}

#[cfg(test)]
mod tests {
    use super::Metadata;

    #[test]
    fn keys_are_eventides_camel_case_keys() {
        let metadata = Metadata {
            causation_message_stream_name: Some("thing:command-1".into()),
            causation_message_position: Some(3),
            causation_message_global_position: Some(42),
            correlation_stream_name: Some("delivery-7".into()),
            reply_stream_name: Some("reply-1".into()),
            schema_version: Some("1".into()),
        };
        let json = serde_json::to_value(&metadata).expect("serializes");
        for key in [
            "causationMessageStreamName",
            "causationMessagePosition",
            "causationMessageGlobalPosition",
            "correlationStreamName",
            "replyStreamName",
            "schemaVersion",
        ] {
            assert!(json.get(key).is_some(), "{key} missing from {json}");
        }
    }

    #[test]
    fn absent_keys_are_left_out() {
        let json = serde_json::to_string(&Metadata::default()).expect("serializes");
        assert_eq!(json, "{}");
    }

    #[test]
    fn the_correlation_category_is_the_category_of_the_correlation_stream() {
        let metadata = Metadata {
            correlation_stream_name: Some("delivery-7".into()),
            ..Metadata::default()
        };
        assert_eq!(metadata.correlation_category(), Some("delivery"));
    }
}
