//! The Postgres backend: Rust calls to the Message DB functions in
//! `migrations/message-store/postgres`.
//!
//! The plain path is short: a read is one call to `get_stream_messages` or
//! `get_category_messages`, a write one call to `write_message`
//! ([`single_write`]). The other modules here are performance layers, each
//! saying at its top what it buys and what it costs:
//!
//! - [`group_commit`]: the writes waiting for one category's lock share one
//!   transaction, and so one flush of the disk;
//! - [`message_arrays`]: such a group, or a write of several messages, goes
//!   in one statement (`write_messages`), one round trip;
//! - [`notifier`]: listeners are told of new messages after the commit, by a
//!   task of its own, instead of from inside every write's transaction.

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions, PgRow};
use sqlx::{PgPool, Row};
use uuid::Uuid;

mod group_commit;
mod install;
mod message_arrays;
mod notifier;
mod single_write;

use group_commit::GroupCommit;
use notifier::Notifier;

pub use notifier::PAUSE_BETWEEN_NOTIFICATIONS;

use super::idle_ping::ping_if_idle;
use super::writes::Writes;
use crate::{
    CategoryRead, ExpectedVersion, NewMessage, StoreError, StoredMessage, StreamName, Time,
};

/// A message store in a Postgres database with the Message DB functions.
#[derive(Clone, Debug)]
pub struct PostgresStore {
    pool: PgPool,
    groups: GroupCommit,
    notifier: Notifier,
}

/// The SQL functions a handle writes through, by what it may write (see
/// [`Writes`](crate::store::Writes)).
#[derive(Clone, Copy, Debug)]
pub(super) struct WriteFunctions {
    /// Writes one message: `write_message`, or a restricted twin.
    pub(super) one: &'static str,
    /// Writes several, in one statement: `write_messages`, or a twin.
    pub(super) many: &'static str,
}

impl PostgresStore {
    /// Connects with a pool of at most `max_connections` connections. The
    /// store must already be installed (see [`PostgresStore::install`]).
    pub async fn connect(url: &str, max_connections: u32) -> Result<PostgresStore, StoreError> {
        // This store sends the new-message notifications itself, after the
        // writes commit ([`Notifier`]), so the trigger must not, even where
        // the database's default asks it to.
        let options =
            PgConnectOptions::from_str(url)?.options([(NOTIFY_IN_TRIGGER_SETTING, "off")]);
        let pool = PgPoolOptions::new()
            .max_connections(max_connections)
            // A round trip to check each connection before each query would
            // double the round trips of the store; see `idle_ping`.
            .test_before_acquire(false)
            .before_acquire(ping_if_idle)
            // A component that cannot get a connection within this time
            // reports a transient error and its consumer retries with backoff.
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await?;
        Ok(PostgresStore {
            notifier: Notifier::start(pool.clone()),
            pool,
            groups: GroupCommit::new(Writes::Anything.functions().into()),
        })
    }

    /// The same store, writing through the functions for `writes`. Its
    /// writes gather in groups of their own.
    pub(crate) fn writing(self, writes: Writes) -> PostgresStore {
        PostgresStore {
            groups: GroupCommit::new(writes.functions().into()),
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

    /// Writes in the next group commit of the stream's category (see
    /// [`group_commit`]), then has listeners told.
    pub(super) async fn write(
        &self,
        stream_name: &StreamName,
        messages: &[NewMessage],
        expected_version: ExpectedVersion,
    ) -> Result<i64, StoreError> {
        let position = self
            .groups
            .write(&self.pool, stream_name, messages, expected_version)
            .await?;
        self.notifier.new_messages_in(stream_name.category());
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
const NOTIFY_IN_TRIGGER_SETTING: &str = "message_store.notify_in_trigger";

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
