//! A write: one call to Message DB's `write_message`, or, for several
//! messages to one stream, one call to `write_messages`.
//!
//! This is the plain path (and the one the group-commit layer falls back to
//! when a group cannot be written together). It also turns what went wrong
//! into the typed errors writers act on: a wrong expected version, a message
//! id written before, a write refused by the server (nothing written), or a
//! write whose answer never came (perhaps written, perhaps not).

use sqlx::postgres::PgDatabaseError;
use sqlx::{PgConnection, PgPool};

use super::WriteFunctions;
use super::message_arrays::MessageArrays;
use crate::store::metadata_json;
use crate::{ExpectedVersion, NewMessage, StoreError, StreamName};

/// Writes `messages` to `stream_name` on their own (not in a group), with
/// `functions`.
pub async fn write_alone(
    pool: &PgPool,
    functions: WriteFunctions,
    stream_name: &StreamName,
    messages: &[NewMessage],
    expected_version: ExpectedVersion,
) -> Result<i64, StoreError> {
    let mut connection = pool.acquire().await?;
    if let [message] = messages {
        // One message is Message DB's own `write_message`, one statement.
        let function = functions.one;
        return write_message(
            &mut connection,
            function,
            stream_name,
            message,
            expected_version,
        )
        .await;
    }
    // Several messages to one stream are one call to `write_messages`: one
    // statement, so all of them or none. The category lock taken by the
    // first is held to the end of the statement, so nothing can come
    // between them.
    let mut arrays = MessageArrays::default();
    arrays.push(stream_name, messages, expected_version)?;
    let positions = arrays
        .write(&mut connection, functions.many)
        .await
        .map_err(|error| write_error(error, stream_name, messages, expected_version))?;
    positions.last().copied().ok_or_else(|| {
        StoreError::MalformedRow(format!("no position for the write to {stream_name}"))
    })
}

/// One call to `function`: `write_message`, or a restricted twin.
async fn write_message(
    connection: &mut PgConnection,
    function: &'static str,
    stream_name: &StreamName,
    message: &NewMessage,
    expected_version: ExpectedVersion,
) -> Result<i64, StoreError> {
    let metadata = metadata_json(message)?;
    let sql = format!("SELECT message_store.{function}($1, $2, $3, $4::jsonb, $5::jsonb, $6)");
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
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

/// Turns what went wrong with a write of `messages` to `stream_name`, once
/// it was sent, into the typed errors writers act on.
pub fn write_error(
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
        // The store's own refusals ("Only :command streams may be written
        // here ...") are the caller's mistake; nothing was written.
        if database_error.code().as_deref() == Some("P0001") {
            return StoreError::InvalidRequest(text.to_string());
        }
        // Any other answer from the server means it refused the
        // statement: nothing was written.
        return StoreError::Database(error);
    }
    match error {
        // The pool gave no connection: nothing was sent.
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed => StoreError::Database(error),
        // The statement was sent, or being sent, and no answer came: the
        // connection broke. The write may have committed or not; only
        // sending it again (which expected versions and message ids make
        // safe) will tell.
        _ => StoreError::OutcomeUnknown(error),
    }
}
