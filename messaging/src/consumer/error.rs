//! Why a consumer stopped.

use crate::{StoreError, StreamName};

/// Why a consumer stopped.
#[derive(Debug, thiserror::Error)]
pub enum ConsumerError {
    /// A handler failed in a way retrying cannot fix.
    #[error(
        "consumer {consumer} stopped: handling {message_type} at position {position} of \
         {stream_name} (global position {global_position}) failed: {source}"
    )]
    Handler {
        consumer: String,
        stream_name: StreamName,
        position: i64,
        global_position: i64,
        message_type: String,
        #[source]
        source: StoreError,
    },
    /// A consumer's task panicked (a bug).
    #[error("a consumer panicked: {0}")]
    Panicked(String),
    /// The consumer could not read its category or its position.
    #[error("consumer {consumer} stopped: {source}")]
    Store {
        consumer: String,
        #[source]
        source: StoreError,
    },
}
