//! A fresh Postgres database per test, on the throwaway cluster.

use sqlx::Connection;
use sqlx::postgres::PgConnection;

use crate::MessageStore;
use crate::store::PostgresStore;

pub use throwaway_postgres::{Server, postgres_is_required};

/// A new, empty database on the test server, and its URL. `None` when no
/// Postgres is available (the test then skips, after a loud message; under
/// `CI=true` it fails instead).
pub async fn fresh_database(prefix: &str) -> Option<String> {
    let server = Server::shared()?;
    let name = server.unique_database_name(prefix);
    let mut admin = match PgConnection::connect(server.admin_url()).await {
        Ok(connection) => connection,
        Err(error) => panic!(
            "cannot reach the test Postgres at {}: {error}",
            server.admin_url()
        ),
    };
    let create = format!("CREATE DATABASE \"{name}\"");
    if let Err(error) = sqlx::raw_sql(sqlx::AssertSqlSafe(create))
        .execute(&mut admin)
        .await
    {
        panic!("cannot create test database {name}: {error}");
    }
    let _ = admin.close().await;
    Some(server.url(&name))
}

/// A new Postgres database with the message store installed, connected as
/// the superuser. `None` when no Postgres is available.
pub async fn fresh_store() -> Option<MessageStore> {
    let url = fresh_database("message_store").await?;
    Some(store_at(&url).await)
}

/// The message store at `url`, installed if it is not already.
pub async fn store_at(url: &str) -> MessageStore {
    let store = match PostgresStore::connect(url, 10).await {
        Ok(store) => store,
        Err(error) => panic!("cannot connect to {url}: {error}"),
    };
    if let Err(error) = store.install().await {
        panic!("cannot install the message store at {url}: {error}");
    }
    MessageStore::from(store)
}

/// Has the server drop every connection to the database at `url` but this
/// one, as a restart of the database would; returns how many it dropped.
/// For tests of what a pool does with connections that died while idle.
pub async fn drop_connections(url: &str) -> i64 {
    let mut admin = match PgConnection::connect(url).await {
        Ok(connection) => connection,
        Err(error) => panic!("cannot connect to {url}: {error}"),
    };
    let dropped = sqlx::query_scalar(
        "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = current_database() AND pid <> pg_backend_pid()) AS terminated",
    )
    .fetch_one(&mut admin)
    .await;
    let _ = admin.close().await;
    match dropped {
        Ok(dropped) => dropped,
        Err(error) => panic!("cannot drop the connections to {url}: {error}"),
    }
}
