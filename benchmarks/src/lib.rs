//! Shared pieces of the benchmarks: a durable Postgres to measure, timing,
//! and a table that prints each figure beside its baseline.
//!
//! Figures from different days or machines cannot be compared, so every
//! benchmark measures its baseline in the same run and prints the ratio.

use std::time::{Duration, Instant};

use anyhow::Context;
use messaging::{Metadata, NewMessage};
use sqlx::Connection;
use sqlx::postgres::PgConnection;
use throwaway_postgres::{Cluster, ClusterSettings};
use uuid::Uuid;

/// The Postgres a benchmark measures: `BENCH_DATABASE_URL` (a superuser URL
/// to a server whose settings you chose), or a private cluster that flushes
/// every commit to disk, as production would.
#[derive(Debug)]
pub struct BenchPostgres {
    admin_url: String,
    _cluster: Option<Cluster>,
}

impl BenchPostgres {
    /// Connects to `BENCH_DATABASE_URL` or starts a durable cluster.
    pub fn start() -> anyhow::Result<BenchPostgres> {
        if let Ok(url) = std::env::var("BENCH_DATABASE_URL") {
            return Ok(BenchPostgres {
                admin_url: url,
                _cluster: None,
            });
        }
        let settings = ClusterSettings {
            durable: true,
            extra: vec![
                ("shared_buffers".into(), "256MB".into()),
                ("max_wal_size".into(), "4GB".into()),
            ],
        };
        let cluster = Cluster::start(&settings).context("starting a durable Postgres")?;
        Ok(BenchPostgres {
            admin_url: cluster.url("postgres"),
            _cluster: Some(cluster),
        })
    }

    /// Creates a database and returns its URL.
    pub async fn create_database(&self, name: &str) -> anyhow::Result<String> {
        let mut admin = PgConnection::connect(&self.admin_url).await?;
        let drop = format!("DROP DATABASE IF EXISTS \"{name}\"");
        sqlx::raw_sql(sqlx::AssertSqlSafe(drop))
            .execute(&mut admin)
            .await?;
        let create = format!("CREATE DATABASE \"{name}\"");
        sqlx::raw_sql(sqlx::AssertSqlSafe(create))
            .execute(&mut admin)
            .await?;
        let base = self
            .admin_url
            .rsplit_once('/')
            .map_or(self.admin_url.as_str(), |(base, _)| base);
        Ok(format!("{base}/{name}"))
    }

    /// The size of the messages table (with its indexes) in `url`'s database.
    pub async fn table_size(&self, url: &str) -> anyhow::Result<String> {
        let mut connection = PgConnection::connect(url).await?;
        Ok(sqlx::query_scalar(
            "SELECT count(*) || ' messages, ' || pg_size_pretty(pg_total_relation_size('message_store.messages')) \
             FROM message_store.messages",
        )
        .fetch_one(&mut connection)
        .await?)
    }

    /// The server settings that decide commit throughput, for the header.
    pub async fn settings_summary(&self) -> anyhow::Result<String> {
        let mut admin = PgConnection::connect(&self.admin_url).await?;
        let mut lines = Vec::new();
        for setting in [
            "server_version",
            "synchronous_commit",
            "fsync",
            "wal_sync_method",
            "shared_buffers",
            "max_connections",
        ] {
            let value: String = sqlx::query_scalar("SELECT current_setting($1)")
                .bind(setting)
                .fetch_one(&mut admin)
                .await?;
            lines.push(format!("{setting}={value}"));
        }
        Ok(lines.join(" "))
    }
}

/// Runs `work` and returns how long it took.
pub async fn timed<F, Fut, T>(work: F) -> anyhow::Result<(T, Duration)>
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = anyhow::Result<T>>,
{
    let start = Instant::now();
    let value = work().await?;
    Ok((value, start.elapsed()))
}

/// Operations per second.
pub fn rate(operations: u64, elapsed: Duration) -> f64 {
    operations as f64 / elapsed.as_secs_f64().max(f64::EPSILON)
}

/// One line of a results table.
#[derive(Debug, Clone)]
pub struct Row {
    /// What was measured.
    pub name: String,
    /// The figure, per second.
    pub per_second: f64,
    /// The baseline's name and figure, when the row has one.
    pub baseline: Option<(String, f64)>,
}

impl Row {
    /// A row without a baseline.
    pub fn new(name: impl Into<String>, per_second: f64) -> Row {
        Row {
            name: name.into(),
            per_second,
            baseline: None,
        }
    }

    /// The same row, compared with `baseline`.
    pub fn against(mut self, baseline: &Row) -> Row {
        self.baseline = Some((baseline.name.clone(), baseline.per_second));
        self
    }
}

/// Prints rows as a Markdown table: figure, baseline, ratio.
pub fn print_table(title: &str, rows: &[Row]) {
    let mut out = format!(
        "\n### {title}\n\n| measurement | per second | baseline | ratio |\n|---|---:|---|---:|\n"
    );
    for row in rows {
        let (baseline, ratio) = match &row.baseline {
            Some((name, figure)) => (name.clone(), format!("{:.2}", row.per_second / figure)),
            None => ("-".to_string(), "-".to_string()),
        };
        out.push_str(&format!(
            "| {} | {:.0} | {} | {} |\n",
            row.name, row.per_second, baseline, ratio
        ));
    }
    // Benchmarks report on standard output; that is their whole job.
    #[allow(clippy::print_stdout)]
    {
        print!("{out}");
    }
}

/// The message store at `url`, installed, with the store layers on (group
/// commit, notifications after the commit), as the bank's processes open
/// it: the benchmarks' clients write as the web UI does, so the consumers
/// they measure wake up as they would in the bank.
pub async fn layered_store_at(url: &str) -> anyhow::Result<messaging::MessageStore> {
    messaging::controls::postgres::store_at(url).await;
    Ok(messaging_layers::connect(url, 10).await?)
}

/// The Postgres pool behind `store`: the benchmarks measure Postgres, and
/// some of their preparation is plain SQL.
pub fn postgres_pool(store: &messaging::MessageStore) -> anyhow::Result<sqlx::PgPool> {
    store
        .as_postgres()
        .map(|postgres| postgres.pool().clone())
        .context("the benchmarks need the Postgres store")
}

/// An event-shaped message, the size and shape of a `Deposited`: what the
/// write benchmarks write, so that their figures are for realistic rows.
pub fn event(n: usize) -> NewMessage {
    let data = serde_json::json!({
        "depositId": Uuid::new_v4(),
        "accountId": Uuid::new_v4(),
        "amount": 1234 + n,
        "time": "2026-11-26T10:00:00.000Z",
        "processedTime": "2026-11-26T10:00:00.001Z",
        "sequence": n,
    });
    NewMessage {
        id: Uuid::new_v4(),
        message_type: "Deposited".into(),
        data: data.to_string(),
        metadata: Metadata {
            causation_message_stream_name: Some(format!(
                "accountTransaction-{}+{}",
                Uuid::new_v4(),
                Uuid::new_v4()
            )),
            causation_message_position: Some(0),
            causation_message_global_position: Some(n as i64),
            ..Metadata::default()
        },
    }
}

/// A pool at `url` as any SQL client would have it: none of the store's own
/// session settings (so, like a Message DB client, it is not notified for;
/// see `011_new_message_notifications.sql`). The SQL rungs measure the store
/// as Message DB's clients meet it. Like the bank's own pools, it
/// does not ping a connection before every query (sqlx's default): a
/// baseline is the best a plain client can do, one round trip a statement.
pub async fn sql_client_pool(url: &str) -> anyhow::Result<sqlx::PgPool> {
    Ok(sqlx::postgres::PgPoolOptions::new()
        .max_connections(10)
        .test_before_acquire(false)
        .connect(url)
        .await?)
}

/// Creates `plain_messages`, the baseline for writes: a table shaped and
/// indexed like `messages`, to be written with one plain INSERT per
/// transaction (no function, no lock, no trigger).
pub async fn create_plain_messages(pool: &sqlx::PgPool) -> anyhow::Result<()> {
    sqlx::raw_sql(
        "CREATE TABLE plain_messages (LIKE message_store.messages INCLUDING ALL EXCLUDING DEFAULTS);
         CREATE SEQUENCE plain_messages_seq;
         ALTER TABLE plain_messages ALTER global_position SET DEFAULT nextval('plain_messages_seq');
         ALTER TABLE plain_messages ALTER time SET DEFAULT (now() AT TIME ZONE 'utc');",
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// Prints a line of the report.
#[allow(clippy::print_stdout)]
pub fn say(line: &str) {
    println!("{line}");
}
