//! What a consumer hands each message to.

use std::future::Future;

use crate::{FetchError, MessageError, StoreError, StoredMessage};

/// Handles the messages of one category. The plain consumer hands them over
/// one at a time, in the category's order; the lanes layer hands over
/// several entities' at once, each entity's still in order, and so a handler
/// may rely on the order of one entity's messages, never on the order
/// between entities.
///
/// A handler must be *idempotent*: the consumer guarantees every message is
/// handled at least once, not exactly once. After a crash between a handler's
/// write and the consumer recording its position, the same message arrives
/// again, and handling it again must change nothing. The components show the
/// two ways to achieve that: reservation streams and sequence numbers.
///
/// Messages of types the handler does not know are simply ignored (return
/// `Ok`): a category is shared by many writers and may carry messages meant
/// for someone else.
pub trait Handler: Send + Sync {
    /// Handles one message. Returning an error tells the consumer what kind
    /// of failure it was, and so what to do next; see [`HandlerError`].
    fn handle(
        &self,
        message: &StoredMessage,
    ) -> impl Future<Output = Result<(), HandlerError>> + Send;
}

/// Why a handler could not handle a message. The two kinds get opposite
/// treatment, so a handler must not confuse them.
#[derive(Debug, thiserror::Error)]
pub enum HandlerError {
    /// The infrastructure failed: the database is unreachable, or someone
    /// else wrote to the stream first (a wrong expected version). The message
    /// itself is fine, so the consumer retries it: at once for a wrong
    /// expected version (the handler fetches fresh state and decides again),
    /// with growing pauses for a transient database error, and by stopping
    /// with a clear error for anything else.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The message itself cannot be handled (its data does not parse, or it
    /// breaks the contract). Retrying cannot help, so the consumer parks it
    /// in a dead-letter stream and goes on.
    #[error(transparent)]
    Message(#[from] MessageError),
}

impl From<FetchError> for HandlerError {
    fn from(error: FetchError) -> Self {
        match error {
            FetchError::Store(error) => HandlerError::Store(error),
            FetchError::Message(error) => HandlerError::Message(error),
        }
    }
}
