//! The SQLite backend: the same semantics as Message DB, in one file.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow, SqliteSynchronous,
};
use sqlx::{Row, SqlitePool};
use tokio::sync::broadcast;
use uuid::Uuid;

use crate::hash::hash_64;
use crate::{
    CategoryRead, ExpectedVersion, NewMessage, StoreError, StoredMessage, StreamName, Time,
};

const SCHEMA: &str = include_str!("../../../migrations/message-store/sqlite/001_messages.sql");

/// A message store in a SQLite file, for running the whole bank in one
/// process with nothing installed.
#[derive(Clone, Debug)]
pub struct SqliteStore {
    pool: SqlitePool,
    /// Every writer is in this process, so new messages are announced on an
    /// in-process channel (the role LISTEN/NOTIFY plays on Postgres).
    new_messages: broadcast::Sender<Arc<str>>,
}

impl SqliteStore {
    /// Opens (creating if needed) the store in the file at `path`.
    pub async fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            // Write-ahead logging lets readers read while a writer writes, so
            // consumers polling the store do not hold up the handlers.
            .journal_mode(SqliteJournalMode::Wal)
            // FULL: a committed message survives a power cut. This is the
            // store of record; speed is the views' business.
            .synchronous(SqliteSynchronous::Full)
            // Writers take turns; a writer waits for its turn rather than
            // failing at once.
            .busy_timeout(Duration::from_secs(30));
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await?;
        sqlx::raw_sql(SCHEMA).execute(&pool).await?;
        let (new_messages, _) = broadcast::channel(1024);
        Ok(SqliteStore { pool, new_messages })
    }

    /// The connection pool, for tests and operator commands.
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// The category of each write from now on, as this store makes it: for
    /// a listener in this process (the wake-ups layer) to hear of new
    /// messages at once instead of at its next poll.
    pub fn written_categories(&self) -> broadcast::Receiver<Arc<str>> {
        self.new_messages.subscribe()
    }

    pub(super) async fn write(
        &self,
        stream_name: &StreamName,
        messages: &[NewMessage],
        expected_version: ExpectedVersion,
    ) -> Result<i64, StoreError> {
        // BEGIN IMMEDIATE takes SQLite's write lock before we read the
        // stream's version, so no other writer can move the stream between
        // our check and our insert. (A plain BEGIN would take it only at the
        // first INSERT, and two writers could both pass the check.)
        let mut transaction = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let version: i64 = sqlx::query_scalar(
            "SELECT coalesce(max(position), -1) FROM messages WHERE stream_name = ?",
        )
        .bind(stream_name.as_str())
        .fetch_one(&mut *transaction)
        .await?;
        expected_version.check(stream_name, version)?;
        let category = stream_name.category().to_string();
        let cardinal_id_hash = stream_name.cardinal_id().map(hash_64);
        let mut position = version;
        for message in messages {
            position += 1;
            let metadata = super::metadata_json(message)?;
            sqlx::query(
                "INSERT INTO messages \
                 (position, stream_name, type, data, metadata, id, \
                  category, correlation_category, cardinal_id_hash) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(position)
            .bind(stream_name.as_str())
            .bind(&message.message_type)
            .bind(&message.data)
            .bind(metadata)
            .bind(message.id.to_string())
            .bind(&category)
            .bind(message.metadata.correlation_category())
            .bind(cardinal_id_hash)
            .execute(&mut *transaction)
            .await
            .map_err(|error| insert_error(error, message.id))?;
        }
        transaction.commit().await?;
        // Nobody listening is fine: the send only fails when no one is.
        let _ = self.new_messages.send(Arc::from(category.as_str()));
        Ok(position)
    }

    pub(super) async fn read_stream(
        &self,
        stream_name: &StreamName,
        from_position: i64,
        batch_size: u32,
    ) -> Result<Vec<StoredMessage>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, stream_name, type, position, global_position, data, metadata, time \
             FROM messages WHERE stream_name = ? AND position >= ? \
             ORDER BY position LIMIT ?",
        )
        .bind(stream_name.as_str())
        .bind(from_position)
        .bind(i64::from(batch_size))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(stored_message).collect()
    }

    pub(super) async fn read_category(
        &self,
        read: &CategoryRead,
    ) -> Result<Vec<StoredMessage>, StoreError> {
        // The optional filters are written as "parameter is NULL or the
        // column matches"; SQLite still walks the category index in order.
        let rows = sqlx::query(
            "SELECT id, stream_name, type, position, global_position, data, metadata, time \
             FROM messages \
             WHERE category = ?1 AND global_position >= ?2 \
               AND (?3 IS NULL OR correlation_category = ?3) \
               AND (?4 IS NULL OR abs(cardinal_id_hash) % ?5 = ?4) \
             ORDER BY global_position LIMIT ?6",
        )
        .bind(read.category.as_str())
        .bind(read.from_global_position)
        .bind(read.correlation.as_ref().map(|category| category.as_str()))
        .bind(read.consumer_group.map(|group| i64::from(group.member())))
        .bind(read.consumer_group.map(|group| i64::from(group.size())))
        .bind(i64::from(read.batch_size))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(stored_message).collect()
    }

    pub(super) async fn read_last(
        &self,
        stream_name: &StreamName,
        message_type: Option<&str>,
    ) -> Result<Option<StoredMessage>, StoreError> {
        let row = sqlx::query(
            "SELECT id, stream_name, type, position, global_position, data, metadata, time \
             FROM messages WHERE stream_name = ?1 AND (?2 IS NULL OR type = ?2) \
             ORDER BY position DESC LIMIT 1",
        )
        .bind(stream_name.as_str())
        .bind(message_type)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(stored_message).transpose()
    }

    pub(super) async fn stream_version(
        &self,
        stream_name: &StreamName,
    ) -> Result<Option<i64>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT max(position) FROM messages WHERE stream_name = ?")
                .bind(stream_name.as_str())
                .fetch_one(&self.pool)
                .await?,
        )
    }
}

impl SqliteStore {
    /// Every stream's message count and lowest and highest position.
    pub(super) async fn stream_summaries(
        &self,
    ) -> Result<Vec<(String, i64, i64, i64)>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT stream_name, count(*), min(position), max(position) FROM messages GROUP BY stream_name",
        )
        .fetch_all(&self.pool)
        .await?)
    }
}

fn insert_error(error: sqlx::Error, id: Uuid) -> StoreError {
    if let sqlx::Error::Database(database_error) = &error
        && database_error.is_unique_violation()
        && database_error.message().contains("messages.id")
    {
        return StoreError::DuplicateMessageId { id };
    }
    StoreError::Database(error)
}

fn stored_message(row: &SqliteRow) -> Result<StoredMessage, StoreError> {
    let id: String = row.try_get("id")?;
    let time: String = row.try_get("time")?;
    Ok(StoredMessage {
        id: Uuid::parse_str(&id).map_err(|_| StoreError::MalformedRow(format!("id {id:?}")))?,
        stream_name: StreamName::from_stored(row.try_get::<String, _>("stream_name")?),
        message_type: row.try_get("type")?,
        position: row.try_get("position")?,
        global_position: row.try_get("global_position")?,
        data: row
            .try_get::<Option<String>, _>("data")?
            .unwrap_or_else(|| "null".to_string()),
        metadata: row.try_get("metadata")?,
        time: Time::parse(&time).map_err(|error| StoreError::MalformedRow(error.to_string()))?,
    })
}
