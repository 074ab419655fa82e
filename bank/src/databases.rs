//! Where the bank keeps its messages and its views.

use std::path::Path;

use anyhow::Context;
use messaging::MessageStore;
use sqlx::Connection;
use sqlx::postgres::PgConnection;

/// The message store and the view database, opened and installed.
#[derive(Clone, Debug)]
pub struct Databases {
    pub store: MessageStore,
    pub views: views::ViewDatabase,
}

/// The URLs of the embedded databases in `data_dir`.
pub fn embedded_urls(data_dir: &Path) -> (String, String) {
    (
        format!("sqlite://{}", data_dir.join("messages.sqlite").display()),
        format!("sqlite://{}", data_dir.join("views.sqlite").display()),
    )
}

/// For `--postgres URL`: the message store in that database, the views in a
/// database of their own beside it, named `{database}_views`.
pub fn postgres_urls(url: &str) -> (String, String) {
    let (base, database) = url.rsplit_once('/').unwrap_or((url, "message_store"));
    let (database, options) = database
        .split_once('?')
        .map_or((database, ""), |(d, o)| (d, o));
    let options = if options.is_empty() {
        String::new()
    } else {
        format!("?{options}")
    };
    (url.to_string(), format!("{base}/{database}_views{options}"))
}

impl Databases {
    /// Opens both databases, creating and installing what is missing: the
    /// SQLite files and their schemas, or on Postgres the message store (in
    /// an existing database) and the views database.
    pub async fn open(store_url: &str, views_url: &str) -> anyhow::Result<Databases> {
        if let Some(path) = store_url.strip_prefix("sqlite://")
            && let Some(folder) = Path::new(path).parent()
        {
            std::fs::create_dir_all(folder)
                .with_context(|| format!("creating {}", folder.display()))?;
        }
        let store = crate::layers::message_store(store_url, 10)
            .await
            .with_context(|| format!("opening the message store at {store_url}"))?;
        if let Some(postgres) = store.as_postgres() {
            postgres
                .install()
                .await
                .context("installing the message store")?;
            create_postgres_database(views_url).await?;
        }
        let views = crate::layers::view_database(views_url, 10)
            .await
            .with_context(|| format!("opening the views at {views_url}"))?;
        views.install().await.context("installing the views")?;
        Ok(Databases { store, views })
    }
}

impl Databases {
    /// Opens the message store and the views as they are, installing and
    /// creating nothing: for the operator commands that only read (`print`,
    /// `audit`). Under least privilege they run as a role that may read the
    /// store but not install it (compose runs the audit as the aggregator's
    /// role), and an audit must never reshape the views it checks.
    pub async fn open_existing(store_url: &str, views_url: &str) -> anyhow::Result<Databases> {
        let store = crate::layers::message_store(store_url, 10)
            .await
            .with_context(|| format!("opening the message store at {store_url}"))?;
        let views = crate::layers::view_database(views_url, 10)
            .await
            .with_context(|| format!("opening the views at {views_url}"))?;
        Ok(Databases { store, views })
    }
}

/// Creates the database a Postgres URL names, if it does not exist.
async fn create_postgres_database(url: &str) -> anyhow::Result<()> {
    let Some((base, database)) = url.rsplit_once('/') else {
        return Ok(());
    };
    let database = database.split('?').next().unwrap_or(database);
    let mut admin = PgConnection::connect(&format!("{base}/postgres"))
        .await
        .context("connecting to the postgres database to create the views database")?;
    let exists: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT FROM pg_database WHERE datname = $1)")
            .bind(database)
            .fetch_one(&mut admin)
            .await?;
    if !exists {
        let create = format!("CREATE DATABASE \"{}\"", database.replace('"', ""));
        sqlx::raw_sql(sqlx::AssertSqlSafe(create))
            .execute(&mut admin)
            .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::postgres_urls;

    #[test]
    fn the_views_live_beside_the_message_store() {
        assert_eq!(
            postgres_urls("postgres://u@h:5432/bank"),
            (
                "postgres://u@h:5432/bank".into(),
                "postgres://u@h:5432/bank_views".into()
            )
        );
        assert_eq!(
            postgres_urls("postgres://h/bank?sslmode=disable").1,
            "postgres://h/bank_views?sslmode=disable"
        );
    }
}
