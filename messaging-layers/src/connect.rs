//! Opening a message store with the store layers on.

use std::str::FromStr;
use std::sync::Arc;

use messaging::store::postgres::{ACQUIRE_TIMEOUT, NOTIFY_IN_TRIGGER_SETTING, PostgresStore};
use messaging::{MessageStore, StoreError};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use crate::group_commit::GroupCommit;
use crate::idle_ping::ping_if_idle;
use crate::notifier::Notifying;

/// Connects by URL, as [`MessageStore::connect`] does, with the layers a
/// production process wants on Postgres: group commit, notifications after
/// the commit, and pings only for idle connections. (SQLite needs none: its
/// one writer commits alone, and its writes announce themselves in the
/// process.)
pub async fn connect(url: &str, max_connections: u32) -> Result<MessageStore, StoreError> {
    if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
        return MessageStore::connect(url, max_connections).await;
    }
    // This store sends the notifications itself, after the writes commit
    // (`notifier.rs`), so the trigger must not, even where the database's
    // default asks it to.
    let options = PgConnectOptions::from_str(url)?.options([(NOTIFY_IN_TRIGGER_SETTING, "off")]);
    let pool = PgPoolOptions::new()
        .max_connections(max_connections)
        .test_before_acquire(false)
        .before_acquire(ping_if_idle)
        .acquire_timeout(ACQUIRE_TIMEOUT)
        .connect_with(options)
        .await?;
    let group_commit = Arc::new(GroupCommit::default());
    let writes = Notifying::new(Some(group_commit), pool.clone());
    Ok(MessageStore::from(
        PostgresStore::on(pool).written_by(Arc::new(writes)),
    ))
}
