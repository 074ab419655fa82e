//! What is wrong with a message whose content cannot be handled.

use crate::StreamName;

/// A message whose content cannot be handled: its data does not parse into
/// the type its name promises, its metadata is not readable, or it breaks the
/// message contract in some other way.
///
/// This is never an infrastructure problem, so retrying will not help. A
/// consumer parks such a message in a dead-letter stream, with this error,
/// and goes on (see [`Consumer`](crate::Consumer)); it is never dropped
/// silently. The error always says where the message is, so a person can
/// find it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MessageError {
    /// The message, as stored, cannot be handled.
    #[error(
        "{message_type} message at position {position} of stream {stream_name} \
         (global position {global_position}) cannot be handled: {reason}"
    )]
    Unhandleable {
        stream_name: StreamName,
        position: i64,
        global_position: i64,
        message_type: String,
        reason: String,
    },
    /// A message to be written cannot be turned into JSON. With derived
    /// `Serialize` implementations this does not happen; it is here so that
    /// the possibility is handled rather than ignored.
    #[error("a {message_type} message cannot be encoded as JSON: {reason}")]
    Unencodable {
        message_type: &'static str,
        reason: String,
    },
}
