//! The message store: the "dumb pipe" that components talk through.
//!
//! Components never call each other. A component writes commands and events
//! to streams here, and reads the categories it cares about back. The store
//! knows nothing of what the messages mean; it only promises four things:
//!
//! 1. A write names the stream version it was decided on, and fails if the
//!    stream has moved (optimistic concurrency, [`ExpectedVersion`]).
//! 2. Several messages written to one stream together are written together,
//!    or not at all.
//! 3. A category read returns messages in global position order and never
//!    skips one that commits late (the per-category lock on Postgres, the
//!    single writer on SQLite).
//! 4. A message id is written at most once.
//!
//! [`MessageStore`] is one concrete type with three backends: Postgres (the
//! production store, with Message DB's SQL interface), SQLite (the embedded
//! store that `cargo run` uses) and memory (a substitute for tests). The same
//! contract test suite runs against all three (`messaging/tests/contract`).

mod category_read;
mod error;
mod expected_version;
mod memory;
mod position_audit;
pub mod postgres;
mod sqlite;
mod writes;

use std::path::Path;

pub use category_read::{CategoryRead, ConsumerGroup};
pub use error::{StoreError, is_transient};
pub use expected_version::ExpectedVersion;
pub use memory::{MemoryStore, RecordedWrite, WriteFailure};
pub use position_audit::PositionAudit;
pub use postgres::PostgresStore;
pub use sqlite::SqliteStore;
pub use writes::Writes;

use crate::{NewMessage, StoredMessage, StreamName};

/// A handle on a message store. Cloning it is cheap and shares the
/// connections.
#[derive(Clone, Debug)]
pub struct MessageStore {
    backend: Backend,
    /// Which streams this handle may write to (see [`Writes`]).
    writes: Writes,
}

#[derive(Clone, Debug)]
enum Backend {
    Postgres(PostgresStore),
    Sqlite(SqliteStore),
    Memory(MemoryStore),
}

impl MessageStore {
    /// Connects by URL: `postgres://...` for Postgres (the store must be
    /// installed; see [`PostgresStore::install`]), `sqlite://path` or
    /// `sqlite:path` for a SQLite file (created if missing).
    pub async fn connect(url: &str, max_connections: u32) -> Result<MessageStore, StoreError> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let store = PostgresStore::connect(url, max_connections).await?;
            return Ok(MessageStore::from(store));
        }
        if let Some(path) = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
        {
            let store = SqliteStore::open(Path::new(path)).await?;
            return Ok(MessageStore::from(store));
        }
        Err(StoreError::InvalidRequest(format!(
            "unsupported message store URL {url:?}: use postgres://... or sqlite://path"
        )))
    }

    /// A new, empty store in memory, for tests.
    pub fn in_memory() -> MessageStore {
        MessageStore::from(MemoryStore::default())
    }

    /// The same store, allowed to write only the streams `writes` allows: a
    /// web UI's handle writes only commands. On Postgres it writes through
    /// the functions its role is granted for that (see [`Writes`]).
    pub fn restricted_to(self, writes: Writes) -> MessageStore {
        let backend = match self.backend {
            Backend::Postgres(store) => Backend::Postgres(store.writing(writes)),
            other => other,
        };
        MessageStore { backend, writes }
    }

    /// Which streams this handle may write to.
    pub fn writes(&self) -> Writes {
        self.writes
    }

    /// The Postgres backend, if this is one.
    pub fn as_postgres(&self) -> Option<&PostgresStore> {
        match &self.backend {
            Backend::Postgres(store) => Some(store),
            _ => None,
        }
    }

    /// The SQLite backend, if this is one.
    pub fn as_sqlite(&self) -> Option<&SqliteStore> {
        match &self.backend {
            Backend::Sqlite(store) => Some(store),
            _ => None,
        }
    }

    /// The in-memory backend, if this is one; tests read its record of writes.
    pub fn as_memory(&self) -> Option<&MemoryStore> {
        match &self.backend {
            Backend::Memory(store) => Some(store),
            _ => None,
        }
    }

    /// Writes `messages`, in order, to `stream_name`, all or none, if the
    /// stream is at `expected_version`. Returns the position of the last one.
    pub async fn write(
        &self,
        stream_name: &StreamName,
        messages: &[NewMessage],
        expected_version: ExpectedVersion,
    ) -> Result<i64, StoreError> {
        if messages.is_empty() {
            return Err(StoreError::InvalidRequest(format!(
                "nothing to write to {stream_name}"
            )));
        }
        if !self.writes.allows(stream_name) {
            return Err(StoreError::InvalidRequest(format!(
                "this handle on the store writes only {} streams, and {stream_name} is not one",
                self.writes.description()
            )));
        }
        let position = match &self.backend {
            Backend::Postgres(store) => store.write(stream_name, messages, expected_version).await,
            Backend::Sqlite(store) => store.write(stream_name, messages, expected_version).await,
            Backend::Memory(store) => store.write(stream_name, messages, expected_version),
        }?;
        tracing::trace!(
            stream = %stream_name,
            count = messages.len(),
            position,
            "wrote",
        );
        Ok(position)
    }

    /// Writes one message; see [`MessageStore::write`].
    pub async fn write_message(
        &self,
        stream_name: &StreamName,
        message: &NewMessage,
        expected_version: ExpectedVersion,
    ) -> Result<i64, StoreError> {
        self.write(stream_name, std::slice::from_ref(message), expected_version)
            .await
    }

    /// Up to `batch_size` messages of one stream, from `from_position` on.
    pub async fn read_stream(
        &self,
        stream_name: &StreamName,
        from_position: i64,
        batch_size: u32,
    ) -> Result<Vec<StoredMessage>, StoreError> {
        if stream_name.is_category() {
            return Err(StoreError::InvalidRequest(format!(
                "Must be a stream name: {stream_name}"
            )));
        }
        match &self.backend {
            Backend::Postgres(store) => {
                store
                    .read_stream(stream_name, from_position, batch_size)
                    .await
            }
            Backend::Sqlite(store) => {
                store
                    .read_stream(stream_name, from_position, batch_size)
                    .await
            }
            Backend::Memory(store) => Ok(store.read_stream(stream_name, from_position, batch_size)),
        }
    }

    /// A batch of a category's messages; see [`CategoryRead`].
    pub async fn read_category(
        &self,
        read: &CategoryRead,
    ) -> Result<Vec<StoredMessage>, StoreError> {
        match &self.backend {
            Backend::Postgres(store) => store.read_category(read).await,
            Backend::Sqlite(store) => store.read_category(read).await,
            Backend::Memory(store) => Ok(store.read_category(read)),
        }
    }

    /// The last message of a stream, optionally the last of one type.
    pub async fn read_last(
        &self,
        stream_name: &StreamName,
        message_type: Option<&str>,
    ) -> Result<Option<StoredMessage>, StoreError> {
        match &self.backend {
            Backend::Postgres(store) => store.read_last(stream_name, message_type).await,
            Backend::Sqlite(store) => store.read_last(stream_name, message_type).await,
            Backend::Memory(store) => Ok(store.read_last(stream_name, message_type)),
        }
    }

    /// The position of a stream's last message, or `None` if it is empty.
    pub async fn stream_version(
        &self,
        stream_name: &StreamName,
    ) -> Result<Option<i64>, StoreError> {
        match &self.backend {
            Backend::Postgres(store) => store.stream_version(stream_name).await,
            Backend::Sqlite(store) => store.stream_version(stream_name).await,
            Backend::Memory(store) => Ok(store.stream_version(stream_name)),
        }
    }

    /// Checks every stream in the store: are its positions 0, 1, 2, ... with
    /// nothing missing? Not part of Message DB's interface; the bank's
    /// auditor uses it. It reads a summary of the whole store, so it is for
    /// audits, not for code paths.
    pub async fn audit_positions(&self) -> Result<PositionAudit, StoreError> {
        let summary = match &self.backend {
            Backend::Postgres(store) => store.stream_summaries().await?,
            Backend::Sqlite(store) => store.stream_summaries().await?,
            Backend::Memory(store) => store.stream_summaries(),
        };
        let mut audit = PositionAudit::default();
        for (stream_name, count, first, last) in summary {
            audit.check(&stream_name, count, first, last);
        }
        Ok(audit)
    }
}

impl From<PostgresStore> for MessageStore {
    fn from(store: PostgresStore) -> Self {
        MessageStore {
            backend: Backend::Postgres(store),
            writes: Writes::Anything,
        }
    }
}

impl From<SqliteStore> for MessageStore {
    fn from(store: SqliteStore) -> Self {
        MessageStore {
            backend: Backend::Sqlite(store),
            writes: Writes::Anything,
        }
    }
}

impl From<MemoryStore> for MessageStore {
    fn from(store: MemoryStore) -> Self {
        MessageStore {
            backend: Backend::Memory(store),
            writes: Writes::Anything,
        }
    }
}

/// A message's metadata as stored: JSON text, or NULL when it has none.
fn metadata_json(message: &NewMessage) -> Result<Option<String>, StoreError> {
    if message.metadata.is_empty() {
        return Ok(None);
    }
    serde_json::to_string(&message.metadata)
        .map(Some)
        .map_err(|error| StoreError::InvalidRequest(format!("unencodable metadata: {error}")))
}
