//! L6's floor: what Postgres alone needs to write the rows the aggregator
//! writes.
//!
//! L6 compares the aggregator with reading the events, but building the
//! views is mostly writing: every `Deposited` becomes a statement line and a
//! command's answer, and its account's row changes. This rung writes those
//! same rows with no aggregator at all: three `INSERT ... SELECT` statements
//! per batch of 1000 events, reading the messages inside Postgres, in one
//! transaction per batch as the aggregator does. No client decodes a
//! message, folds a row or sends a value. Whatever the aggregator does, it
//! cannot build these views faster than this, so this figure divided by the
//! raw read is the highest L6 ratio the views' tables allow on this machine.
//!
//! It knows only the two event types L6 writes (`Opened`, `Deposited`), and
//! it checks that it wrote what the aggregator wrote: the same number of
//! rows in each table and the same total balance.

use std::time::Instant;

use messaging::MessageStore;
use sqlx::PgPool;

const VIEWS_SCHEMA: &str = include_str!("../../../../migrations/views/postgres/001_views.sql");

/// One batch of events, `$1` to `$2` by global position, as the views'
/// rows. The statement lines come first: each needs its account's balance
/// before the batch.
const BATCH: [&str; 3] = [
    "INSERT INTO floor.statement_lines (account_id, global_position, position, entry, \
       transaction_id, amount, balance_after, reason, funds_transfer_id, time) \
     SELECT d.account_id, d.global_position, d.position, 'deposit', d.data->>'depositId', d.amount, \
            coalesce((SELECT balance FROM floor.accounts a WHERE a.account_id = d.account_id), 0) \
              + sum(d.amount) OVER (PARTITION BY d.account_id ORDER BY d.global_position), \
            NULL, message_store.id(d.metadata->>'correlationStreamName'), d.data->>'processedTime' \
     FROM (SELECT message_store.id(stream_name) AS account_id, global_position, position, data, \
                  metadata, (data->>'amount')::bigint AS amount \
           FROM message_store.messages \
           WHERE global_position BETWEEN $1 AND $2 AND type = 'Deposited') d \
     ON CONFLICT (account_id, global_position) DO NOTHING",
    "INSERT INTO floor.commands (command_key, kind, account_id, amount, processed_position, \
       outcome, processed_time) \
     SELECT CASE WHEN type = 'Opened' THEN 'open:' || message_store.id(stream_name) \
                 ELSE data->>'depositId' END, \
            CASE WHEN type = 'Opened' THEN 'open' ELSE 'deposit' END, \
            message_store.id(stream_name), (data->>'amount')::bigint, global_position, \
            CASE WHEN type = 'Opened' THEN 'opened' ELSE 'deposited' END, data->>'processedTime' \
     FROM message_store.messages WHERE global_position BETWEEN $1 AND $2 \
     ON CONFLICT (command_key) DO UPDATE SET processed_position = excluded.processed_position, \
       outcome = excluded.outcome, processed_time = excluded.processed_time \
     WHERE commands.processed_position IS NULL \
        OR commands.processed_position > excluded.processed_position",
    "INSERT INTO floor.accounts AS a (account_id, customer_id, holder_name, balance, status, \
       opened_time, last_position) \
     SELECT message_store.id(stream_name), max(data->>'customerId'), max(data->'holders'->>0), \
            coalesce(sum((data->>'amount')::bigint), 0), \
            CASE WHEN bool_or(type = 'Opened') THEN 'open' ELSE 'unopened' END, \
            max(data->>'processedTime') FILTER (WHERE type = 'Opened'), max(global_position) \
     FROM message_store.messages WHERE global_position BETWEEN $1 AND $2 \
     GROUP BY 1 \
     ON CONFLICT (account_id) DO UPDATE SET balance = a.balance + excluded.balance, \
       customer_id = coalesce(excluded.customer_id, a.customer_id), \
       holder_name = coalesce(excluded.holder_name, a.holder_name), \
       status = CASE WHEN excluded.status = 'open' THEN 'open' ELSE a.status END, \
       opened_time = coalesce(excluded.opened_time, a.opened_time), \
       last_position = excluded.last_position \
     WHERE a.last_position < excluded.last_position",
];

/// The batch's position, recorded with its rows.
const POSITION: &str = "INSERT INTO floor.aggregator_positions (category, position) \
     VALUES ('account', $1) ON CONFLICT (category) DO UPDATE SET position = excluded.position";

/// What both sets of views must agree on: the rows of each table, and the
/// money. `schema` is "" or "floor.".
async fn totals(pool: &PgPool, schema: &str) -> anyhow::Result<(i64, i64, i64, i64)> {
    let sql = format!(
        "SELECT (SELECT count(*) FROM {schema}statement_lines), \
                (SELECT count(*) FROM {schema}commands), \
                (SELECT count(*) FROM {schema}accounts), \
                (SELECT sum(balance)::bigint FROM {schema}accounts)"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .fetch_one(pool)
        .await?)
}

/// Writes the view rows of the store's first `events` events (global
/// positions 1 to `events`: L6's database holds nothing else) in schema
/// `floor` of the store's own database; returns events/s. Fails if the rows
/// differ from those the aggregator wrote into `views_url`.
pub async fn rate(store: &MessageStore, views_url: &str, events: i64) -> anyhow::Result<f64> {
    let pool = benchmarks::postgres_pool(store)?;
    let mut connection = pool.acquire().await?.detach();
    // The views' own schema file, in a schema of its own: the same tables
    // and indexes, so the same cost per row.
    sqlx::raw_sql(
        "DROP SCHEMA IF EXISTS floor CASCADE; CREATE SCHEMA floor; SET search_path = floor",
    )
    .execute(&mut connection)
    .await?;
    sqlx::raw_sql(VIEWS_SCHEMA).execute(&mut connection).await?;
    drop(connection);

    let start = Instant::now();
    for first in (1..=events).step_by(1000) {
        let last = (first + 999).min(events);
        let mut transaction = pool.begin().await?;
        for statement in BATCH {
            sqlx::query(statement)
                .bind(first)
                .bind(last)
                .execute(&mut *transaction)
                .await?;
        }
        sqlx::query(POSITION)
            .bind(last)
            .execute(&mut *transaction)
            .await?;
        transaction.commit().await?;
    }
    let per_second = events as f64 / start.elapsed().as_secs_f64();

    let floor = totals(&pool, "floor.").await?;
    let aggregated = totals(&PgPool::connect(views_url).await?, "").await?;
    anyhow::ensure!(
        floor == aggregated,
        "the floor wrote other rows than the aggregator: (lines, commands, accounts, total balance) \
         {floor:?} against {aggregated:?}"
    );
    Ok(per_second)
}
