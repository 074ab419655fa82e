//! MDB: this store beside Message DB 1.3.0 itself, on the same server, with
//! the same data and the same calls, every operation a Message DB client
//! makes. Each figure is this store's, its baseline Message DB's.
//!
//! Message DB is installed from a copy of its repository named in
//! `MESSAGE_DB_SOURCE` (see `messaging::controls::message_db`); without one
//! the rung says so and is skipped.

use std::sync::Arc;
use std::time::{Duration, Instant};

use benchmarks::{BenchPostgres, say};
use messaging::controls::message_db;
use messaging::controls::postgres::store_at;
use sqlx::Executor;
use sqlx::postgres::{PgPool, PgPoolOptions};
use test_processes::Dice;
use uuid::Uuid;

use crate::report::Rung;

/// Streams per category in the filled table.
const STREAMS: i64 = 20_000;
/// How many times each write is measured on each side.
const WRITE_ROUNDS: usize = 3;
/// How long each read is measured, per round.
const READING: Duration = Duration::from_secs(2);

/// One of the two stores: a pool whose sessions find Message DB's functions
/// unqualified, as its role's search path would.
struct Side {
    pool: PgPool,
}

impl Side {
    async fn at(url: &str) -> anyhow::Result<Side> {
        let pool = PgPoolOptions::new()
            .max_connections(4)
            .test_before_acquire(false)
            .after_connect(|connection, _| {
                Box::pin(async move {
                    connection
                        .execute("SET search_path = message_store, public")
                        .await?;
                    Ok(())
                })
            })
            .connect(url)
            .await?;
        Ok(Side { pool })
    }
}

/// The rung, or nothing when no copy of Message DB is at hand.
pub async fn rungs(
    postgres: &BenchPostgres,
    writes: usize,
    messages: usize,
) -> anyhow::Result<Vec<Rung>> {
    let Some(source) = message_db::source_from_environment() else {
        say(
            "MDB skipped: set MESSAGE_DB_SOURCE to a copy of the message-db repository \
             (tag v1.3.0) to measure this store beside Message DB.",
        );
        return Ok(Vec::new());
    };
    let ours_url = postgres.create_database("ladder_mdb_ours").await?;
    store_at(&ours_url).await;
    let theirs_url = postgres.create_database("ladder_mdb_theirs").await?;
    let version = message_db::install(&theirs_url, &source).await?;
    say(&format!(
        "MDB: Message DB {version} installed beside this store"
    ));
    let sides = [Side::at(&ours_url).await?, Side::at(&theirs_url).await?];

    let mut rungs = Vec::new();
    for (clients, shared, target) in [(1, true, 1.1), (4, true, 1.0), (4, false, 1.0)] {
        let layout = if shared {
            "one category"
        } else {
            "a category each"
        };
        // A write waits for the disk, whose speed wanders from second to
        // second on a shared machine: three rounds, the sides taking turns
        // to go first, and the better figure of each side.
        let mut figures = [0.0_f64; 2];
        for round in 0..WRITE_ROUNDS {
            let order = if round % 2 == 0 { [0, 1] } else { [1, 0] };
            for side in order {
                let figure = write(&sides[side].pool, clients, shared, writes).await?;
                figures[side] = figures[side].max(figure);
            }
        }
        rungs.push(
            Rung::new(
                "MDB",
                format!("write_message from SQL, {clients} client(s), {layout}"),
                figures[0],
                "writes/s",
            )
            .against("Message DB", figures[1])
            .target_ratio(target),
        );
    }

    for side in &sides {
        fill(&side.pool, messages).await?;
    }
    let last = messages as i64;
    let reads: [(&str, Read, f64); 6] = [
        ("get_stream_messages, a stream of 50", Read::Stream, 1.0),
        ("get_last_stream_message", Read::Last, 1.0),
        ("get_category_messages, batches of 100", Read::Category, 1.0),
        ("  the same near the tail", Read::Tail, 1.0),
        ("  by correlation", Read::Correlation, 1.0),
        (
            "  by consumer group and correlation",
            Read::GroupAndCorrelation,
            3.0,
        ),
    ];
    for (name, read, target) in reads {
        // Two rounds each, alternating, and the better of each: the
        // machine's own noise should not decide a ratio.
        let mut figures = [0.0_f64; 2];
        for _ in 0..2 {
            for (side, figure) in sides.iter().zip(&mut figures) {
                *figure = figure.max(calls_per_second(&side.pool, read, last).await?);
            }
        }
        rungs.push(
            Rung::new(
                "MDB",
                format!("{name}, {messages} messages"),
                figures[0],
                "calls/s",
            )
            .against("Message DB", figures[1])
            .target_ratio(target),
        );
    }
    for side in sides {
        side.pool.close().await;
    }
    Ok(rungs)
}

/// `count` writes from `clients` clients, each to one of 100 streams of a
/// shared category or of its own; writes per second.
async fn write(pool: &PgPool, clients: usize, shared: bool, count: usize) -> anyhow::Result<f64> {
    let prefix = Arc::new(format!("w{clients}{}", if shared { "s" } else { "o" }));
    let started = Instant::now();
    let tasks: Vec<_> = (0..clients)
        .map(|client| {
            let (pool, prefix) = (pool.clone(), Arc::clone(&prefix));
            tokio::spawn(async move {
                for n in 0..count / clients {
                    let category = if shared {
                        prefix.to_string()
                    } else {
                        format!("{prefix}{client}")
                    };
                    let stream = format!(
                        "{category}-{}",
                        Uuid::from_u128((client * 1000 + n % 100) as u128)
                    );
                    sqlx::query("SELECT write_message($1, $2, 'Deposited', $3::jsonb)")
                        .bind(Uuid::new_v4().to_string())
                        .bind(stream)
                        .bind(r#"{"amount": 100}"#)
                        .execute(&pool)
                        .await?;
                }
                Ok::<_, anyhow::Error>(())
            })
        })
        .collect();
    for task in tasks {
        task.await??;
    }
    Ok((count / clients * clients) as f64 / started.elapsed().as_secs_f64())
}

/// Fills the table with `count` messages in four categories, 20,000 streams
/// each, every tenth account event correlated with a transfer; analysed.
async fn fill(pool: &PgPool, count: usize) -> anyhow::Result<()> {
    let mut connection = pool.acquire().await?;
    // The rows go in by one statement; the store's trigger has no one to
    // wake, and Message DB has none.
    sqlx::raw_sql("SET message_store.notify_in_trigger = off")
        .execute(&mut *connection)
        .await?;
    let step = 100_000;
    for start in (0..count).step_by(step) {
        let end = (start + step).min(count) - 1;
        sqlx::query(
            "INSERT INTO messages (id, stream_name, position, type, data, metadata)
             SELECT md5('m' || n)::uuid,
                    (ARRAY['account', 'accountTransaction', 'fundsTransfer', 'account:command'])[1 + n % 4]
                      || '-' || md5('s' || ((n / 4) % $3))::uuid,
                    (n / 4) / $3,
                    'Deposited',
                    '{\"amount\": 100}',
                    CASE WHEN n % 40 = 0
                      THEN jsonb_build_object('correlationStreamName', 'fundsTransfer-' || n) END
             FROM generate_series($1::bigint, $2::bigint) AS n",
        )
        .bind(start as i64)
        .bind(end as i64)
        .bind(STREAMS)
        .execute(&mut *connection)
        .await?;
    }
    sqlx::raw_sql("VACUUM ANALYZE messages")
        .execute(&mut *connection)
        .await?;
    Ok(())
}

/// The reads measured.
#[derive(Clone, Copy, Debug)]
enum Read {
    Stream,
    Last,
    Category,
    Tail,
    Correlation,
    GroupAndCorrelation,
}

/// Calls of `read` per second, from one client, for [`READING`], with
/// positions and streams drawn from the same seed on both sides.
async fn calls_per_second(pool: &PgPool, read: Read, last: i64) -> anyhow::Result<f64> {
    let mut dice = Dice::seeded(7);
    let mut connection = pool.acquire().await?;
    let started = Instant::now();
    let mut calls = 0u64;
    while started.elapsed() < READING {
        // The stream's name is made in SQL, as `fill` made it.
        let stream = dice.below(STREAMS as u64) as i64;
        let position = 1 + dice.below(last.max(1) as u64) as i64;
        let near_the_tail = (last - 2_000 + dice.below(1_000) as i64).max(1);
        let query = match read {
            Read::Stream => sqlx::query(
                "SELECT * FROM get_stream_messages('account-' || md5('s' || $1::text)::uuid, 0, 50)",
            )
            .bind(stream),
            Read::Last => sqlx::query(
                "SELECT * FROM get_last_stream_message('account-' || md5('s' || $1::text)::uuid)",
            )
            .bind(stream),
            Read::Category => {
                sqlx::query("SELECT * FROM get_category_messages('account', $1, 100)").bind(position)
            }
            Read::Tail => sqlx::query("SELECT * FROM get_category_messages('account', $1, 100)")
                .bind(near_the_tail),
            Read::Correlation => sqlx::query(
                "SELECT * FROM get_category_messages('account', $1, 100, 'fundsTransfer')",
            )
            .bind(position),
            Read::GroupAndCorrelation => sqlx::query(
                "SELECT * FROM get_category_messages('account', $1, 100, 'fundsTransfer', 1, 4)",
            )
            .bind(position),
        };
        query.fetch_all(&mut *connection).await?;
        calls += 1;
    }
    Ok(calls as f64 / started.elapsed().as_secs_f64())
}
