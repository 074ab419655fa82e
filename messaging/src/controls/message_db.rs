//! Message DB itself, installed from a copy of its repository, for the tests
//! and benchmarks that hold this store up against it.
//!
//! Nothing of Message DB is part of this repository. A developer fetches it
//! (`git clone https://github.com/message-db/message-db`, at tag `v1.3.0`)
//! and names the folder in `MESSAGE_DB_SOURCE`; this applies its SQL files
//! in the order its `database/install.sh` does.

use std::path::{Path, PathBuf};

use sqlx::Connection;
use sqlx::postgres::PgConnection;

/// The files of Message DB's installation, in `install.sh`'s order. (Its
/// role, `message_store`, is the one this store's installation makes: the
/// file leaves an existing role as it is.)
const FILES: [&str; 31] = [
    "roles/message-store.sql",
    "schema/message-store.sql",
    "extensions/pgcrypto.sql",
    "tables/messages.sql",
    "types/message.sql",
    "functions/message-store-version.sql",
    "functions/hash-64.sql",
    "functions/acquire-lock.sql",
    "functions/category.sql",
    "functions/is-category.sql",
    "functions/id.sql",
    "functions/cardinal-id.sql",
    "functions/stream-version.sql",
    "functions/write-message.sql",
    "functions/get-stream-messages.sql",
    "functions/get-category-messages.sql",
    "functions/get-last-stream-message.sql",
    "indexes/messages-id.sql",
    "indexes/messages-stream.sql",
    "indexes/messages-category.sql",
    "views/stream-summary.sql",
    "views/type-summary.sql",
    "views/stream-type-summary.sql",
    "views/type-stream-summary.sql",
    "views/category-type-summary.sql",
    "views/type-category-summary.sql",
    "privileges/schema.sql",
    "privileges/table.sql",
    "privileges/sequence.sql",
    "privileges/functions.sql",
    "privileges/views.sql",
];

/// Where a copy of Message DB is, from `MESSAGE_DB_SOURCE`: the folder of
/// its repository (the one holding `database/`).
pub fn source_from_environment() -> Option<PathBuf> {
    let folder = PathBuf::from(std::env::var_os("MESSAGE_DB_SOURCE")?);
    folder
        .join("database/VERSION.txt")
        .is_file()
        .then_some(folder)
}

/// Installs Message DB from `source` into the (empty) database at `url`.
pub async fn install(url: &str, source: &Path) -> Result<String, InstallError> {
    let database = source.join("database");
    let version = std::fs::read_to_string(database.join("VERSION.txt"))
        .map_err(|error| InstallError::Source(error.to_string()))?;
    let mut connection = PgConnection::connect(url).await?;
    // Its functions call each other unqualified, as a role whose search
    // path starts with `message_store` would.
    sqlx::raw_sql("SET search_path = message_store, public; SET client_min_messages = warning")
        .execute(&mut connection)
        .await?;
    for file in FILES {
        let sql = std::fs::read_to_string(database.join(file))
            .map_err(|error| InstallError::Source(format!("{file}: {error}")))?;
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
            .execute(&mut connection)
            .await
            .map_err(|error| InstallError::File(file.to_string(), error))?;
    }
    let _ = connection.close().await;
    Ok(version.trim().to_string())
}

/// Why Message DB could not be installed.
#[derive(Debug, thiserror::Error)]
pub enum InstallError {
    #[error("reading Message DB's files: {0}")]
    Source(String),
    #[error("connecting: {0}")]
    Connect(#[from] sqlx::Error),
    #[error("applying {0}: {1}")]
    File(String, sqlx::Error),
}
