//! The Postgres backend: Rust calls to the Message DB functions in
//! `migrations/message-store/postgres`.
//!
//! The path is short: a read is one call to `get_stream_messages` or
//! `get_category_messages`, a write one call to `write_message` ([`write`]).
//! Writes can be taken over by a [`PostgresWriter`], which is how the layers
//! crate (`messaging-layers`) puts group commit and notifications after the
//! commit on top; reads are the same either way.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use futures_util::future::BoxFuture;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions, PgRow};
use sqlx::{PgPool, Row};
use uuid::Uuid;

mod install;
mod message_arrays;
mod write;

pub use message_arrays::MessageArrays;
pub use write::{write_alone, write_error};

use super::writes::Writes;
use crate::{
    CategoryRead, ExpectedVersion, NewMessage, StoreError, StoredMessage, StreamName, Time,
};

/// A message store in a Postgres database with the Message DB functions.
#[derive(Clone, Debug)]
pub struct PostgresStore {
    pool: PgPool,
    /// The SQL functions this handle writes through (see [`Writes`]).
    functions: WriteFunctions,
    /// Who makes the writes, when not the plain path.
    writer: Option<Arc<dyn PostgresWriter>>,
}

/// Makes a Postgres store's writes in place of the plain path (one write on
/// its own: [`write_alone`]). It must keep every promise of the store, which
/// the contract tests hold it to.
pub trait PostgresWriter: Send + Sync + fmt::Debug {
    /// Writes `messages`, in order, to `stream_name`, if it is at
    /// `expected_version`, with the SQL `functions`, on `pool`; returns the
    /// position of the last.
    fn write<'a>(
        &'a self,
        pool: &'a PgPool,
        functions: WriteFunctions,
        stream_name: &'a StreamName,
        messages: &'a [NewMessage],
        expected_version: ExpectedVersion,
    ) -> BoxFuture<'a, Result<i64, StoreError>>;
}

/// The SQL functions a handle writes through, by what it may write (see
/// [`Writes`](crate::store::Writes)).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct WriteFunctions {
    /// Writes one message: `write_message`, or a restricted twin.
    pub one: &'static str,
    /// Writes several, in one statement: `write_messages`, or a twin.
    pub many: &'static str,
}

/// How long a caller waits for a connection before the store reports a
/// transient error (which consumers retry with backoff).
pub const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);

impl PostgresStore {
    /// Connects with a pool of at most `max_connections` connections. The
    /// store must already be installed (see [`PostgresStore::install`]).
    pub async fn connect(url: &str, max_connections: u32) -> Result<PostgresStore, StoreError> {
        let pool = PgPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect_with(PgConnectOptions::from_str(url)?)
            .await?;
        Ok(PostgresStore::on(pool))
    }

    /// The store on a pool of connections made elsewhere.
    pub fn on(pool: PgPool) -> PostgresStore {
        PostgresStore {
            pool,
            functions: Writes::Anything.functions().into(),
            writer: None,
        }
    }

    /// The same store, its writes made by `writer`.
    pub fn written_by(self, writer: Arc<dyn PostgresWriter>) -> PostgresStore {
        PostgresStore {
            writer: Some(writer),
            ..self
        }
    }

    /// The same store, writing through the functions for `writes`.
    pub(crate) fn writing(self, writes: Writes) -> PostgresStore {
        PostgresStore {
            functions: writes.functions().into(),
            ..self
        }
    }

    /// The connection pool, for the few callers that need plain SQL (tests,
    /// benchmarks, the operator commands).
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// Installs (or re-installs, harmlessly) the message store: the same SQL
    /// files as `migrations/message-store/postgres`, in the same order. The
    /// connection must be allowed to create roles, schemas and tables.
    pub async fn install(&self) -> Result<(), StoreError> {
        let mut connection = self.pool.acquire().await?;
        for (name, script) in install::INSTALL_SCRIPTS {
            tracing::debug!(script = name, "installing the message store");
            sqlx::raw_sql(script).execute(&mut *connection).await?;
        }
        Ok(())
    }

    /// Writes on its own, or through the writer that took writes over.
    pub(super) async fn write(
        &self,
        stream_name: &StreamName,
        messages: &[NewMessage],
        expected_version: ExpectedVersion,
    ) -> Result<i64, StoreError> {
        match &self.writer {
            None => {
                write_alone(
                    &self.pool,
                    self.functions,
                    stream_name,
                    messages,
                    expected_version,
                )
                .await
            }
            Some(writer) => {
                writer
                    .write(
                        &self.pool,
                        self.functions,
                        stream_name,
                        messages,
                        expected_version,
                    )
                    .await
            }
        }
    }

    pub(super) async fn read_stream(
        &self,
        stream_name: &StreamName,
        from_position: i64,
        batch_size: u32,
    ) -> Result<Vec<StoredMessage>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, stream_name, type, position, global_position, data, metadata, time \
             FROM message_store.get_stream_messages($1, $2, $3)",
        )
        .bind(stream_name.as_str())
        .bind(from_position)
        .bind(i64::from(batch_size))
        .fetch_all(&self.pool)
        .await
        .map_err(invalid_request_or_database)?;
        rows.iter().map(stored_message).collect()
    }

    pub(super) async fn read_category(
        &self,
        read: &CategoryRead,
    ) -> Result<Vec<StoredMessage>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, stream_name, type, position, global_position, data, metadata, time \
             FROM message_store.get_category_messages($1, $2, $3, $4, $5, $6)",
        )
        .bind(read.category.as_str())
        .bind(read.from_global_position)
        .bind(i64::from(read.batch_size))
        .bind(read.correlation.as_ref().map(|category| category.as_str()))
        .bind(read.consumer_group.map(|group| i64::from(group.member())))
        .bind(read.consumer_group.map(|group| i64::from(group.size())))
        .fetch_all(&self.pool)
        .await
        .map_err(invalid_request_or_database)?;
        rows.iter().map(stored_message).collect()
    }

    pub(super) async fn read_last(
        &self,
        stream_name: &StreamName,
        message_type: Option<&str>,
    ) -> Result<Option<StoredMessage>, StoreError> {
        let row = sqlx::query(
            "SELECT id, stream_name, type, position, global_position, data, metadata, time \
             FROM message_store.get_last_stream_message($1, $2)",
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
            sqlx::query_scalar("SELECT message_store.stream_version($1)")
                .bind(stream_name.as_str())
                .fetch_one(&self.pool)
                .await?,
        )
    }
}

impl PostgresStore {
    /// Every stream's message count and lowest and highest position.
    pub(super) async fn stream_summaries(
        &self,
    ) -> Result<Vec<(String, i64, i64, i64)>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT stream_name, count(*), min(position), max(position) \
             FROM message_store.messages GROUP BY stream_name",
        )
        .fetch_all(&self.pool)
        .await?)
    }
}

/// The session setting that tells the notification trigger whether to
/// notify (see `011_new_message_notifications.sql`).
pub const NOTIFY_IN_TRIGGER_SETTING: &str = "message_store.notify_in_trigger";

impl From<(&'static str, &'static str)> for WriteFunctions {
    fn from((one, many): (&'static str, &'static str)) -> Self {
        WriteFunctions { one, many }
    }
}

/// Message DB raises its argument checks ("Must be a category: ...") as plain
/// exceptions (SQLSTATE P0001); they are the caller's mistake, not the
/// database's.
fn invalid_request_or_database(error: sqlx::Error) -> StoreError {
    match &error {
        sqlx::Error::Database(database_error)
            if database_error.code().as_deref() == Some("P0001") =>
        {
            StoreError::InvalidRequest(database_error.message().to_string())
        }
        _ => StoreError::Database(error),
    }
}

fn stored_message(row: &PgRow) -> Result<StoredMessage, StoreError> {
    let id: String = row.try_get("id")?;
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
        time: Time::from_utc_timestamp(row.try_get("time")?),
    })
}
