//! The arguments of `message_store.write_messages`: one array per column,
//! one element per message.
//!
//! Postgres takes a whole list of messages in one statement this way, so
//! writing several costs one round trip to the server instead of a BEGIN,
//! one call per message and a COMMIT (see `007_write_message.sql`). The
//! statement is its own transaction: all of the messages are written, or,
//! when the server answers with an error, none.

use sqlx::PgConnection;

use crate::{ExpectedVersion, NewMessage, StoreError, StreamName};

/// Messages to write, column by column, in the order they are to be written.
#[derive(Debug, Default)]
pub struct MessageArrays {
    ids: Vec<String>,
    stream_names: Vec<String>,
    types: Vec<String>,
    data: Vec<String>,
    metadata: Vec<Option<String>>,
    expected_versions: Vec<Option<i64>>,
}

impl MessageArrays {
    /// Adds one write: `messages`, in order, to `stream_name`, the n-th at
    /// the n-th version after `expected_version`, as a caller's write to one
    /// stream means.
    pub fn push(
        &mut self,
        stream_name: &StreamName,
        messages: &[NewMessage],
        expected_version: ExpectedVersion,
    ) -> Result<(), StoreError> {
        for (n, message) in messages.iter().enumerate() {
            // Encoded first: a message that cannot be encoded is refused
            // before any of its columns grow, so the arrays always agree in
            // length. (The caller then writes none of them.)
            let metadata = crate::store::metadata_json(message)?;
            self.ids.push(message.id.to_string());
            self.stream_names.push(stream_name.as_str().to_string());
            self.types.push(message.message_type.clone());
            self.data.push(message.data.clone());
            self.metadata.push(metadata);
            self.expected_versions
                .push(expected_version.nth(n).as_argument());
        }
        Ok(())
    }

    /// Writes every message in one statement, with `function`
    /// (`write_messages`, or a restricted twin); returns each one's position
    /// in its stream, in order.
    pub async fn write(
        &self,
        connection: &mut PgConnection,
        function: &'static str,
    ) -> Result<Vec<i64>, sqlx::Error> {
        // The data and metadata travel as text, as in a single write, and
        // Postgres parses them into jsonb.
        let sql =
            format!("SELECT message_store.{function}($1, $2, $3, $4::jsonb[], $5::jsonb[], $6)");
        sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .bind(&self.ids)
            .bind(&self.stream_names)
            .bind(&self.types)
            .bind(&self.data)
            .bind(&self.metadata)
            .bind(&self.expected_versions)
            .fetch_one(connection)
            .await
    }
}
