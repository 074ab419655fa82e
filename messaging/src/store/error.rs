//! What can go wrong talking to the message store.

use uuid::Uuid;

use crate::StreamName;

/// A failure of the message store, as opposed to a problem with a message's
/// content ([`MessageError`](crate::MessageError)).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The stream is not at the version the writer decided on: someone else
    /// wrote to it first. This is optimistic concurrency doing its job. The
    /// writer must fetch the stream again and decide again; nothing was
    /// written.
    #[error("wrong expected version {expected} for stream {stream_name}: its version is {actual}")]
    WrongExpectedVersion {
        stream_name: StreamName,
        expected: i64,
        actual: i64,
    },
    /// A message with this id is already in the store. Nothing was written.
    #[error("a message with id {id} is already in the store")]
    DuplicateMessageId { id: Uuid },
    /// The request itself is invalid (a stream name where a category is
    /// needed, a consumer group member outside the group, ...). The text is
    /// Message DB's own.
    #[error("{0}")]
    InvalidRequest(String),
    /// A row came back in a shape we cannot read.
    #[error("unreadable row from the message store: {0}")]
    MalformedRow(String),
    /// The database failed, or could not be reached. Nothing was written.
    #[error("message store database error: {0}")]
    Database(#[from] sqlx::Error),
    /// A write was sent and no answer came back (the connection broke): it
    /// may have been written, or not. Sending the same write again is safe,
    /// and tells: its expected version or its message id makes a second copy
    /// fail if the first was written.
    #[error("the message store did not answer a write, which may or may not have been made: {0}")]
    OutcomeUnknown(#[source] sqlx::Error),
    /// A message's global position is the largest there is, so no read can
    /// start after it. `write_message` takes positions from a sequence that
    /// never comes near; such a row was inserted by other means, and reading
    /// past it would wrap around to the start, or repeat forever.
    #[error(
        "the message at global position {global_position} ({stream_name}) leaves no position \
         to read after it; it was not written by write_message"
    )]
    PositionExhausted {
        stream_name: StreamName,
        global_position: i64,
    },
    /// The connection that listened for new messages is gone and could not
    /// be re-established. Polling carries on without it.
    #[error("the new-message listener lost its connection")]
    SignalLost,
}

impl StoreError {
    /// True for failures that go away by themselves: the database restarting,
    /// a dropped connection, a full connection pool, a busy SQLite file, a
    /// deadlock or serialization failure that Postgres resolved by aborting
    /// us. Consumers retry these with backoff, forever, and never skip the
    /// message they were handling.
    pub fn is_transient(&self) -> bool {
        match self {
            StoreError::Database(error) => is_transient(error),
            StoreError::OutcomeUnknown(_) | StoreError::SignalLost => true,
            _ => false,
        }
    }

    /// True when a write may or may not have been made (see
    /// [`StoreError::OutcomeUnknown`]).
    pub fn outcome_is_unknown(&self) -> bool {
        matches!(self, StoreError::OutcomeUnknown(_))
    }

    /// True for a wrong expected version.
    pub fn is_wrong_expected_version(&self) -> bool {
        matches!(self, StoreError::WrongExpectedVersion { .. })
    }
}

/// Whether a database error will likely go away by itself (see
/// [`StoreError::is_transient`]). Public so that other databases the bank
/// talks to, such as the views, retry by the same rule.
pub fn is_transient(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::Protocol(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(database_error) => {
            let code = database_error.code();
            let code = code.as_deref().unwrap_or_default();
            // Postgres SQLSTATE classes: 08 connection exception,
            // 40 transaction rollback (serialization failure, deadlock),
            // 53 insufficient resources (too many connections),
            // 57P0x the server is shutting down or starting up.
            code.starts_with("08")
                || code.starts_with("40")
                || code.starts_with("53")
                || code.starts_with("57P")
                // SQLite: SQLITE_BUSY (5) and SQLITE_LOCKED (6), and their
                // extended codes, which keep the low byte.
                || code.parse::<i32>().is_ok_and(|code| matches!(code & 0xff, 5 | 6))
        }
        _ => false,
    }
}
