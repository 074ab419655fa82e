//! Installing the bank's least-privilege roles on Postgres
//! (`migrations/roles/postgres`), from Rust: the tests use it, and an
//! operator can apply the same files with psql.

use sqlx::Connection;
use sqlx::postgres::PgConnection;

const ROLES: &str = include_str!("../../migrations/roles/postgres/001_roles.sql");
const MESSAGE_STORE: &str = include_str!("../../migrations/roles/postgres/002_message_store.sql");
const VIEWS: &str = include_str!("../../migrations/roles/postgres/003_views.sql");

/// Creates the roles and their privileges, connected as a superuser to the
/// message store's database and to the views' database.
pub async fn install(store_admin_url: &str, views_admin_url: &str) -> Result<(), sqlx::Error> {
    let mut store = PgConnection::connect(store_admin_url).await?;
    sqlx::raw_sql(ROLES).execute(&mut store).await?;
    sqlx::raw_sql(MESSAGE_STORE).execute(&mut store).await?;
    let mut views = PgConnection::connect(views_admin_url).await?;
    sqlx::raw_sql(VIEWS).execute(&mut views).await?;
    Ok(())
}
