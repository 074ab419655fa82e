//! The view database: Postgres or a SQLite file, through one connection type.
//!
//! The views live in a database of their own, apart from the message store:
//! they are not the truth, only a copy of it shaped for reading, and they can
//! be dropped and rebuilt at any time. `migrations/views/` holds their tables,
//! one file per database, each table explained.

use std::future::Future;
use std::pin::Pin;
use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::pool::PoolConnectionMetadata;
use sqlx::{AnyConnection, AnyPool, Executor};

const POSTGRES_SCHEMA: &str = include_str!("../../migrations/views/postgres/001_views.sql");
const SQLITE_SCHEMA: &str = include_str!("../../migrations/views/sqlite/001_views.sql");

/// The shape of the views the schema files create: `views_schema.version`.
/// The files say what happens when a database holds another.
pub const SCHEMA_VERSION: i64 = 6;

/// Every table the views consist of, in the order a rebuild drops them.
pub const TABLES: [&str; 9] = [
    "accounts",
    "statement_lines",
    "transfers",
    "commands",
    "aggregator_positions",
    "aggregators",
    "consumers",
    "dead_letters",
    "views_schema",
];

/// Which database the views live in. The SQL is the same for both (see
/// `migrations/views/README.md`); only schema files, transaction starts and
/// connection settings differ.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Postgres,
    Sqlite,
}

/// A pool of connections to the view database.
///
/// It uses sqlx's `Any` driver, which speaks to Postgres or SQLite behind
/// one type. The views only need text and integers, which both databases
/// store alike, so one implementation serves both.
#[derive(Clone, Debug)]
pub struct ViewDatabase {
    pool: AnyPool,
    kind: Kind,
}

/// How a pool checks a connection before it hands it out, in place of
/// sqlx's ping of every one (the idle-ping layer, `messaging-layers`, checks
/// only those that sat idle a while).
pub type BeforeAcquire =
    for<'c> fn(
        &'c mut AnyConnection,
        PoolConnectionMetadata,
    ) -> Pin<Box<dyn Future<Output = Result<bool, sqlx::Error>> + Send + 'c>>;

impl ViewDatabase {
    /// Connects to `postgres://...` or `sqlite://path` (created if missing).
    pub async fn connect(url: &str, max_connections: u32) -> Result<ViewDatabase, sqlx::Error> {
        ViewDatabase::connect_checking_with(url, max_connections, None).await
    }

    /// The same, its pool checking connections with `check` before it hands
    /// them out, when given.
    pub async fn connect_checking_with(
        url: &str,
        max_connections: u32,
        check: Option<BeforeAcquire>,
    ) -> Result<ViewDatabase, sqlx::Error> {
        sqlx::any::install_default_drivers();
        let (kind, url) = if url.starts_with("sqlite:") {
            let url = if url.contains('?') {
                url.to_string()
            } else {
                format!("{url}?mode=rwc")
            };
            (Kind::Sqlite, url)
        } else {
            (Kind::Postgres, url.to_string())
        };
        let options = AnyConnectOptions::from_str(&url)?;
        let mut pool = AnyPoolOptions::new()
            .max_connections(if kind == Kind::Sqlite {
                4
            } else {
                max_connections
            })
            .acquire_timeout(Duration::from_secs(10));
        if let Some(check) = check {
            pool = pool.test_before_acquire(false).before_acquire(check);
        }
        let pool = pool
            .after_connect(move |connection, _| {
                Box::pin(async move {
                    if kind == Kind::Sqlite {
                        // Readers read while the aggregator writes (WAL), a
                        // busy writer is waited for, and the views trade
                        // durability for speed: they can always be rebuilt.
                        connection
                            .execute(
                                "PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 30000; \
                                 PRAGMA synchronous = NORMAL;",
                            )
                            .await?;
                    } else {
                        // Every query of the views finds its rows by key, so
                        // a plan made once, without the values, serves every
                        // call. Left to choose, Postgres plans a statement
                        // afresh on every call whenever the plan made without
                        // values looks a little dearer than those made with
                        // them; for the account page's statement (five
                        // subqueries) that planning cost more than running
                        // it, and whether it happened changed from one
                        // benchmark run to the next.
                        connection
                            .execute("SET plan_cache_mode = force_generic_plan")
                            .await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        Ok(ViewDatabase { pool, kind })
    }

    /// The connection pool.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Which database this is.
    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// Whether the views are there, of the shape this code reads
    /// ([`SCHEMA_VERSION`]). The aggregator makes them; the web UI, which
    /// only reads, waits for them at start-up.
    pub async fn are_installed(&self) -> bool {
        let version: Result<Option<i64>, sqlx::Error> =
            sqlx::query_scalar("SELECT version FROM views_schema")
                .fetch_optional(&self.pool)
                .await;
        // No such table (yet) reads as "not installed", as does an older
        // shape the aggregator has still to rebuild.
        matches!(version, Ok(Some(version)) if version == SCHEMA_VERSION)
    }

    /// Creates the tables if missing (and, on Postgres, lets the web UI's
    /// role read them). Views of another shape ([`SCHEMA_VERSION`]) are
    /// dropped first, so the aggregator rebuilds them from the start.
    pub async fn install(&self) -> Result<(), sqlx::Error> {
        match self.kind {
            // The file checks the version itself, inside its transaction.
            Kind::Postgres => {
                sqlx::raw_sql(POSTGRES_SCHEMA).execute(&self.pool).await?;
            }
            Kind::Sqlite => {
                let mut transaction = self.begin().await?;
                let version: Option<i64> = sqlx::query_scalar("SELECT version FROM views_schema")
                    .fetch_optional(&mut *transaction)
                    .await
                    // No such table: no views yet, or views from before
                    // they had a version.
                    .unwrap_or(None);
                if version != Some(SCHEMA_VERSION) {
                    for table in TABLES {
                        let drop = format!("DROP TABLE IF EXISTS {table}");
                        sqlx::raw_sql(sqlx::AssertSqlSafe(drop))
                            .execute(&mut *transaction)
                            .await?;
                    }
                }
                sqlx::raw_sql(SQLITE_SCHEMA)
                    .execute(&mut *transaction)
                    .await?;
                transaction.commit().await?;
            }
        }
        Ok(())
    }

    /// Drops every view table and creates them again, empty.
    pub async fn reset(&self) -> Result<(), sqlx::Error> {
        for table in TABLES {
            let drop = format!("DROP TABLE IF EXISTS {table}");
            sqlx::raw_sql(sqlx::AssertSqlSafe(drop))
                .execute(&self.pool)
                .await?;
        }
        self.install().await
    }

    /// Starts a transaction. On SQLite it takes the write lock at once
    /// (BEGIN IMMEDIATE): two writers that both read first and then tried to
    /// write would otherwise deadlock, and SQLite would fail one at once
    /// instead of letting it wait.
    pub async fn begin(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>, sqlx::Error> {
        match self.kind {
            Kind::Postgres => self.pool.begin().await,
            Kind::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
        }
    }
}
