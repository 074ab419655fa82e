//! The message store benchmark: writes per second and category-read rows per
//! second, on Postgres and on SQLite, with the Postgres store set beside a
//! plain single-row INSERT + COMMIT into an identical table (its ceiling).
//!
//! ```sh
//! cargo run --release -p benchmarks --bin message-store -- [messages]
//! ```

use std::collections::HashMap;
use std::sync::Arc;

use benchmarks::{BenchPostgres, Row, print_table, rate, say, timed};
use messaging::controls::sqlite;
use messaging::{Category, CategoryRead, ConsumerGroup, ExpectedVersion, MessageStore, StreamName};
use uuid::Uuid;

/// Writers in the concurrent runs.
const WRITERS: usize = 8;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let messages: usize = std::env::args()
        .nth(1)
        .map(|text| text.parse())
        .transpose()?
        .unwrap_or(5_000);
    let postgres = BenchPostgres::start()?;
    say(&format!(
        "# Message store benchmark\n\n{messages} messages per run, {WRITERS} concurrent writers.\n\
         Postgres: {}",
        postgres.settings_summary().await?
    ));

    let url = postgres.create_database("bench_message_store").await?;
    let store = benchmarks::layered_store_at(&url).await?;
    let rows = postgres_rows(&store, messages).await?;
    print_table("Postgres", &rows);

    let (store, _file) = sqlite::fresh_store().await;
    let rows = store_rows(&store, messages).await?;
    print_table("SQLite (one file, synchronous=FULL)", &rows);
    Ok(())
}

/// The streams written to: 100 accounts per category, round robin.
fn stream(category: &str, n: usize, accounts: &[Uuid]) -> StreamName {
    StreamName::from_stored(format!("{category}-{}", accounts[n % accounts.len()]))
}

async fn postgres_rows(store: &MessageStore, messages: usize) -> anyhow::Result<Vec<Row>> {
    let pool = benchmarks::postgres_pool(store)?;
    benchmarks::create_plain_messages(&pool).await?;

    let accounts: Arc<Vec<Uuid>> = Arc::new((0..100).map(|_| Uuid::new_v4()).collect());
    let plain_one = {
        let (pool, accounts) = (pool.clone(), Arc::clone(&accounts));
        let ((), elapsed) =
            timed(|| plain_inserts(pool, accounts, "plainsingle".into(), messages)).await?;
        Row::new(
            "plain INSERT + COMMIT, 1 writer",
            rate(messages as u64, elapsed),
        )
    };
    let plain_many = {
        let ((), elapsed) = timed(|| async {
            let tasks: Vec<_> = (0..WRITERS)
                .map(|writer| {
                    let (pool, accounts) = (pool.clone(), Arc::clone(&accounts));
                    tokio::spawn(plain_inserts(
                        pool,
                        accounts,
                        format!("plain{writer}"),
                        messages / WRITERS,
                    ))
                })
                .collect();
            for task in tasks {
                task.await??;
            }
            Ok(())
        })
        .await?;
        Row::new(
            format!("plain INSERT + COMMIT, {WRITERS} writers"),
            rate(messages as u64, elapsed),
        )
    };

    let store_rows = store_rows(store, messages).await?;
    let mut rows = vec![plain_one.clone(), plain_many.clone()];
    for row in store_rows {
        let row = if row.name.starts_with("write_message, 1 writer") {
            row.against(&plain_one)
        } else if row.name.starts_with("write_message, 8 writers") {
            row.against(&plain_many)
        } else {
            row
        };
        rows.push(row);
    }
    Ok(rows)
}

async fn plain_inserts(
    pool: sqlx::PgPool,
    accounts: Arc<Vec<Uuid>>,
    category: String,
    count: usize,
) -> anyhow::Result<()> {
    let mut positions: HashMap<String, i64> = HashMap::new();
    let mut connection = pool.acquire().await?;
    for n in 0..count {
        let name = stream(&category, n, &accounts).to_string();
        let position = positions.entry(name.clone()).or_insert(-1);
        *position += 1;
        let message = benchmarks::event(n);
        sqlx::query(
            "INSERT INTO plain_messages (id, stream_name, position, type, data, metadata) \
             VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb)",
        )
        .bind(message.id)
        .bind(name)
        .bind(*position)
        .bind(&message.message_type)
        .bind(&message.data)
        .bind(serde_json::to_string(&message.metadata)?)
        .execute(&mut *connection)
        .await?;
    }
    Ok(())
}

/// Writes through the store, one writer and several, then reads the first
/// category back with and without a consumer group.
async fn store_rows(store: &MessageStore, messages: usize) -> anyhow::Result<Vec<Row>> {
    let accounts: Arc<Vec<Uuid>> = Arc::new((0..100).map(|_| Uuid::new_v4()).collect());
    let single = "single".to_string();
    let ((), one) = timed(|| {
        write_through(
            store.clone(),
            Arc::clone(&accounts),
            single.clone(),
            messages,
        )
    })
    .await?;
    let ((), many) = timed(|| async {
        let tasks: Vec<_> = (0..WRITERS)
            .map(|writer| {
                let (store, accounts) = (store.clone(), Arc::clone(&accounts));
                tokio::spawn(write_through(
                    store,
                    accounts,
                    format!("many{writer}"),
                    messages / WRITERS,
                ))
            })
            .collect();
        for task in tasks {
            task.await??;
        }
        Ok(())
    })
    .await?;

    let category = Category::new(single)?;
    let (read, plain_read) = timed(|| read_all(store, &category, None)).await?;
    let (grouped, group_read) = timed(|| async {
        let mut total = 0;
        for member in 0..2 {
            total += read_all(store, &category, Some(ConsumerGroup::new(member, 2)?)).await?;
        }
        Ok(total)
    })
    .await?;
    anyhow::ensure!(
        read == messages && grouped == messages,
        "read {read} and {grouped} of {messages}"
    );

    let read_row = Row::new(
        "category read, batches of 1000 (rows)",
        rate(read as u64, plain_read),
    );
    let group_row = Row::new(
        "category read, consumer group of 2 (rows)",
        rate(grouped as u64, group_read),
    )
    .against(&read_row);
    Ok(vec![
        Row::new("write_message, 1 writer", rate(messages as u64, one)),
        Row::new(
            format!("write_message, {WRITERS} writers, one category each"),
            rate(messages as u64, many),
        ),
        read_row,
        group_row,
    ])
}

async fn write_through(
    store: MessageStore,
    accounts: Arc<Vec<Uuid>>,
    category: String,
    count: usize,
) -> anyhow::Result<()> {
    for n in 0..count {
        store
            .write_message(
                &stream(&category, n, &accounts),
                &benchmarks::event(n),
                ExpectedVersion::Any,
            )
            .await?;
    }
    Ok(())
}

async fn read_all(
    store: &MessageStore,
    category: &Category,
    group: Option<ConsumerGroup>,
) -> anyhow::Result<usize> {
    let mut read = CategoryRead::new(category.clone())
        .batch_size(1000)
        .consumer_group(group);
    let mut total = 0;
    loop {
        let batch = store.read_category(&read).await?;
        let Some(last) = batch.last() else { break };
        read.from_global_position = last.global_position + 1;
        total += batch.len();
    }
    Ok(total)
}
