//! L6 and the category reads: a million account events, read raw, read
//! filtered, and aggregated into views from nothing.

use std::time::Instant;

use messaging::{Category, CategoryRead, ConsumerGroup, MessageStore};

use crate::report::Rung;

/// Writes `accounts` accounts of `per_account` events each (an `Opened`,
/// then `Deposited`s), interleaved across the table as real traffic would
/// be, one in ten correlated with a transfer. The accounts are numbered from
/// `first`, which names their streams. Plain SQL, in bulk: the writing is
/// not what is measured here.
pub async fn prepare(
    store: &MessageStore,
    accounts: i64,
    per_account: i64,
    first: i64,
) -> anyhow::Result<()> {
    let pool = benchmarks::postgres_pool(store)?;
    sqlx::raw_sql("ALTER TABLE message_store.messages DISABLE TRIGGER messages_notify")
        .execute(&pool)
        .await?;
    // Positions (rounds) outermost, accounts innermost: each account's
    // stream is spread over the whole table.
    for round in 0..per_account {
        sqlx::query(
            "INSERT INTO message_store.messages (id, stream_name, position, type, data, metadata)
             SELECT gen_random_uuid(),
                    'account-' || md5('account' || a)::uuid,
                    $1,
                    CASE WHEN $1 = 0 THEN 'Opened' ELSE 'Deposited' END,
                    CASE WHEN $1 = 0 THEN jsonb_build_object(
                        'accountId', md5('account' || a)::uuid, 'customerId', md5('customer' || a)::uuid,
                        'holders', jsonb_build_array('Holder ' || a), 'time', '2026-11-26T10:00:00.000Z',
                        'processedTime', '2026-11-26T10:00:00.001Z', 'sequence', 0)
                    ELSE jsonb_build_object(
                        'depositId', gen_random_uuid(), 'accountId', md5('account' || a)::uuid,
                        'amount', 100 + $1, 'time', '2026-11-26T10:00:00.000Z',
                        'processedTime', '2026-11-26T10:00:00.001Z', 'sequence', $1) END,
                    CASE WHEN (a + $1) % 10 = 0
                         THEN jsonb_build_object('correlationStreamName', 'fundsTransfer-' || md5('transfer' || a || $1)::uuid)
                    END
             FROM generate_series($3, $3 + $2 - 1) a",
        )
        .bind(round)
        .bind(accounts)
        .bind(first)
        .execute(&pool)
        .await?;
    }
    sqlx::raw_sql("ALTER TABLE message_store.messages ENABLE TRIGGER messages_notify; ANALYZE message_store.messages;")
        .execute(&pool)
        .await?;
    Ok(())
}

/// Reads `read` batch after batch, up to `limit` rows; returns rows/s.
async fn read_rate(
    store: &MessageStore,
    mut read: CategoryRead,
    limit: usize,
) -> anyhow::Result<f64> {
    let start = Instant::now();
    let mut rows = 0;
    while rows < limit {
        let batch = store.read_category(&read).await?;
        let Some(last) = batch.last() else { break };
        read.from_global_position = last.global_position + 1;
        rows += batch.len();
    }
    Ok(rows as f64 / start.elapsed().as_secs_f64())
}

/// The category reads, and L6.
pub async fn rungs(
    store: &MessageStore,
    views_url: &str,
    events: usize,
) -> anyhow::Result<Vec<Rung>> {
    let account = Category::constant("account");
    let read = || CategoryRead::new(account.clone()).batch_size(1000);
    let raw = read_rate(store, read(), events).await?;
    let mut rungs = vec![Rung::new(
        "reads",
        format!("category read of {events} events, batches of 1000"),
        raw,
        "rows/s",
    )];

    let sample = 100_000;
    let head = read_rate(store, read(), sample).await?;
    let tail = read_rate(
        store,
        read().from_global_position(events as i64 - sample as i64),
        sample,
    )
    .await?;
    rungs.push(
        Rung::new(
            "reads",
            format!("  the last {sample} rows of the table"),
            tail,
            "rows/s",
        )
        .against("the first rows", head)
        .target_ratio(0.7),
    );
    let group = read_rate(
        store,
        read().consumer_group(Some(ConsumerGroup::new(0, 4)?)),
        events,
    )
    .await?;
    rungs.push(
        Rung::new("reads", "  consumer group member 0 of 4", group, "rows/s")
            .against("unfiltered", raw),
    );
    let correlated = read_rate(
        store,
        read().correlation(Some(Category::constant("fundsTransfer"))),
        events,
    )
    .await?;
    rungs.push(
        Rung::new(
            "reads",
            "  correlation fundsTransfer (1 in 10)",
            correlated,
            "rows/s",
        )
        .against("unfiltered", raw),
    );

    let pool = benchmarks::postgres_pool(store)?;
    // The plan of a read near the end of the table, as the store's
    // `get_category_messages` runs it: its statement is written out in the
    // function, so after a few calls Postgres runs it with a generic plan,
    // one made without the values. Either index keeps the rows in global
    // order; what must not appear is a sequential scan and a sort, whose cost
    // grows with the table. (The connection is taken out of the pool, so
    // that its plan setting goes with it when it closes.)
    let mut connection = pool.acquire().await?.detach();
    sqlx::raw_sql(
        "SET plan_cache_mode = force_generic_plan; \
         PREPARE category_read(varchar, bigint, bigint, bigint, bigint) AS \
         SELECT * FROM message_store.messages m \
         WHERE message_store.category(m.stream_name) = $1 AND m.global_position >= $2 \
           AND ($4 IS NULL \
                OR mod(abs(message_store.hash_64(message_store.cardinal_id(m.stream_name))), $5) = $4) \
         ORDER BY m.global_position LIMIT $3",
    )
    .execute(&mut connection)
    .await?;
    let plan: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "EXPLAIN EXECUTE category_read('account', {}, 1000, NULL, NULL)",
        events.saturating_sub(1000)
    )))
    .fetch_all(&mut connection)
    .await?;
    drop(connection);
    let in_order = plan.iter().any(|line| line.contains("Index Scan"))
        && !plan
            .iter()
            .any(|line| line.contains("Seq Scan") || line.contains("Sort"));
    rungs.push(
        Rung::new(
            "reads",
            format!(
                "  generic plan at the tail: {}",
                plan.get(1).or(plan.first()).map_or("", |l| l.trim())
            ),
            0.0,
            "",
        )
        .target("reads an index in order, no sort", in_order),
    );

    let views = views::ViewDatabase::connect(views_url, 4).await?;
    views.install().await?;
    let start = Instant::now();
    let applied = aggregator::catch_up(store, &views, 1000).await?;
    let aggregated = applied as f64 / start.elapsed().as_secs_f64();
    rungs.push(
        Rung::new(
            "L6",
            format!("aggregator catching up on {applied} events from empty views"),
            aggregated,
            "events/s",
        )
        .against("raw category read", raw)
        .target_ratio(0.3),
    );
    let floor = crate::view_floor::rate(store, views_url, applied as i64).await?;
    rungs.push(
        Rung::new(
            "L6",
            "  floor: Postgres alone writing the same rows (INSERT ... SELECT, 1000 a transaction)",
            floor,
            "events/s",
        )
        .against("raw category read", raw),
    );
    rungs.push(
        Rung::new("L6", "  the aggregator", aggregated, "events/s").against("the floor", floor),
    );
    Ok(rungs)
}
