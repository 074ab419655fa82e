//! The Postgres backend: Rust calls to the Message DB functions in
//! `migrations/message-store/postgres`.

use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgDatabaseError, PgPoolOptions, PgRow};
use sqlx::{PgConnection, PgPool, Row};
use std::str::FromStr;
use uuid::Uuid;

use super::group_commit::GroupCommit;
use super::idle_ping::ping_if_idle;
use super::message_arrays::MessageArrays;
use super::notifier::Notifier;
use crate::{
    CategoryRead, ExpectedVersion, NewMessage, StoreError, StoredMessage, StreamName, Time,
};

/// The SQL files that install the message store, in the order they must run.
/// They are compiled into the binary, so a component can install the store it
/// needs at start-up with nothing but a database URL.
const INSTALL_SCRIPTS: [(&str, &str); 12] = [
    (
        "001_role_and_schema.sql",
        include_str!("../../../migrations/message-store/postgres/001_role_and_schema.sql"),
    ),
    (
        "002_messages_table.sql",
        include_str!("../../../migrations/message-store/postgres/002_messages_table.sql"),
    ),
    (
        "003_message_type.sql",
        include_str!("../../../migrations/message-store/postgres/003_message_type.sql"),
    ),
    (
        "004_stream_name_functions.sql",
        include_str!("../../../migrations/message-store/postgres/004_stream_name_functions.sql"),
    ),
    (
        "005_acquire_lock.sql",
        include_str!("../../../migrations/message-store/postgres/005_acquire_lock.sql"),
    ),
    (
        "006_category_index.sql",
        include_str!("../../../migrations/message-store/postgres/006_category_index.sql"),
    ),
    (
        "007_write_message.sql",
        include_str!("../../../migrations/message-store/postgres/007_write_message.sql"),
    ),
    (
        "008_read_functions.sql",
        include_str!("../../../migrations/message-store/postgres/008_read_functions.sql"),
    ),
    (
        "009_message_store_version.sql",
        include_str!("../../../migrations/message-store/postgres/009_message_store_version.sql"),
    ),
    (
        "010_summary_views.sql",
        include_str!("../../../migrations/message-store/postgres/010_summary_views.sql"),
    ),
    (
        "011_new_message_notifications.sql",
        include_str!(
            "../../../migrations/message-store/postgres/011_new_message_notifications.sql"
        ),
    ),
    (
        "012_privileges.sql",
        include_str!("../../../migrations/message-store/postgres/012_privileges.sql"),
    ),
];

/// A message store in a Postgres database with the Message DB functions.
#[derive(Clone, Debug)]
pub struct PostgresStore {
    pool: PgPool,
    groups: GroupCommit,
    notifier: Notifier,
}

impl PostgresStore {
    /// Connects with a pool of at most `max_connections` connections. The
    /// store must already be installed (see [`PostgresStore::install`]).
    pub async fn connect(url: &str, max_connections: u32) -> Result<PostgresStore, StoreError> {
        // This store sends the new-message notifications itself, after the
        // writes commit ([`Notifier`]), so the trigger must not.
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
            groups: GroupCommit::default(),
        })
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
        for (name, script) in INSTALL_SCRIPTS {
            tracing::debug!(script = name, "installing the message store");
            sqlx::raw_sql(script).execute(&mut *connection).await?;
        }
        Ok(())
    }

    /// Writes in the next group commit of the stream's category (see
    /// [`super::group_commit`]), then has listeners told.
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

/// The session setting that tells the notification trigger to stay quiet
/// (see `011_new_message_notifications.sql`).
const NOTIFY_IN_TRIGGER_SETTING: &str = "message_store.notify_in_trigger";

/// Writes `messages` to `stream_name` on their own (not in a group).
pub(super) async fn write_alone(
    pool: &PgPool,
    stream_name: &StreamName,
    messages: &[NewMessage],
    expected_version: ExpectedVersion,
) -> Result<i64, StoreError> {
    let mut connection = pool.acquire().await?;
    if let [message] = messages {
        // One message is Message DB's own `write_message`, one statement.
        return write_message(&mut connection, stream_name, message, expected_version).await;
    }
    // Several messages to one stream are one call to `write_messages`: one
    // statement, so all of them or none. The category lock taken by the
    // first is held to the end of the statement, so nothing can come
    // between them.
    let mut arrays = MessageArrays::default();
    arrays.push(stream_name, messages, expected_version)?;
    let positions = arrays
        .write(&mut connection)
        .await
        .map_err(|error| write_error(error, stream_name, messages, expected_version))?;
    positions.last().copied().ok_or_else(|| {
        StoreError::MalformedRow(format!("no position for the write to {stream_name}"))
    })
}

/// One call to `write_message`.
async fn write_message(
    connection: &mut PgConnection,
    stream_name: &StreamName,
    message: &NewMessage,
    expected_version: ExpectedVersion,
) -> Result<i64, StoreError> {
    let metadata = super::metadata_json(message)?;
    sqlx::query_scalar("SELECT message_store.write_message($1, $2, $3, $4::jsonb, $5::jsonb, $6)")
        .bind(message.id.to_string())
        .bind(stream_name.as_str())
        .bind(&message.message_type)
        .bind(&message.data)
        .bind(metadata)
        .bind(expected_version.as_argument())
        .fetch_one(connection)
        .await
        .map_err(|error| {
            write_error(
                error,
                stream_name,
                std::slice::from_ref(message),
                expected_version,
            )
        })
}

/// Turns the database's refusals of a write of `messages` to `stream_name`
/// into the typed errors writers act on.
fn write_error(
    error: sqlx::Error,
    stream_name: &StreamName,
    messages: &[NewMessage],
    expected_version: ExpectedVersion,
) -> StoreError {
    if let sqlx::Error::Database(database_error) = &error {
        let text = database_error.message();
        // "Wrong expected version: 0 (Stream: account-1, Stream Version: 1)".
        // Only a write's first message can meet it: the ones after it follow
        // it under the category's lock.
        if text.starts_with("Wrong expected version:") {
            let actual = text
                .rsplit("Stream Version: ")
                .next()
                .and_then(|rest| rest.trim_end_matches(')').parse().ok())
                .unwrap_or(-1);
            return StoreError::WrongExpectedVersion {
                stream_name: stream_name.clone(),
                expected: expected_version.as_argument().unwrap_or(-1),
                actual,
            };
        }
        if database_error.is_unique_violation()
            && database_error.constraint() == Some("messages_id")
        {
            // The server names the id in its detail ("Key (id)=(...) already
            // exists."); of several messages, that is the one to report.
            let detail = database_error
                .try_downcast_ref::<PgDatabaseError>()
                .and_then(PgDatabaseError::detail)
                .unwrap_or_default();
            let named = messages
                .iter()
                .find(|message| detail.contains(&message.id.to_string()))
                .or(messages.first());
            if let Some(message) = named {
                return StoreError::DuplicateMessageId { id: message.id };
            }
        }
    }
    StoreError::Database(error)
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

#[cfg(test)]
mod tests {
    #[test]
    fn every_migration_file_is_installed_from_rust_in_name_order() {
        let folder = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../migrations/message-store/postgres"
        );
        let mut files: Vec<String> = std::fs::read_dir(folder)
            .expect("migrations folder")
            .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
            .filter(|name| name.ends_with(".sql"))
            .collect();
        files.sort();
        let installed: Vec<String> = super::INSTALL_SCRIPTS
            .iter()
            .map(|(name, _)| (*name).to_string())
            .collect();
        assert_eq!(installed, files);
    }
}
