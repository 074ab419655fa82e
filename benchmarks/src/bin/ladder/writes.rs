//! L1 to L3: how fast messages can be written, from the raw limit of
//! Postgres to the Rust writer the components use, on the plain path (one
//! `write_message` per write) and with the store layers on (group commit
//! and notifications after the commit): what the layers buy.

use std::sync::Arc;
use std::time::Instant;

use messaging::{ExpectedVersion, StreamName};
use uuid::Uuid;

use crate::report::Rung;

/// Concurrent writers in each configuration.
pub const WRITERS: [usize; 3] = [1, 4, 16];

/// Where writer `writer` writes its n-th message: one of 100 streams of its
/// category, which is shared by every writer or its own.
fn stream(prefix: &str, writer: usize, shared: bool, n: usize) -> String {
    let category = if shared {
        prefix.to_string()
    } else {
        format!("{prefix}{writer}")
    };
    format!(
        "{category}-{}",
        Uuid::from_u128((writer * 1000 + n % 100) as u128)
    )
}

/// Runs `writers` tasks that each make `count / writers` writes with
/// `write`, and returns writes per second.
async fn run<F, Fut>(writers: usize, count: usize, write: F) -> anyhow::Result<f64>
where
    F: Fn(usize, usize) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = anyhow::Result<()>> + Send,
{
    let write = Arc::new(write);
    let start = Instant::now();
    let tasks: Vec<_> = (0..writers)
        .map(|writer| {
            let write = Arc::clone(&write);
            tokio::spawn(async move {
                for n in 0..count / writers {
                    write(writer, n).await?;
                }
                Ok::<_, anyhow::Error>(())
            })
        })
        .collect();
    for task in tasks {
        task.await??;
    }
    Ok((count / writers * writers) as f64 / start.elapsed().as_secs_f64())
}

/// L1, L2 and L3 for every number of writers.
pub async fn rungs(url: &str, count: usize) -> anyhow::Result<(Vec<Rung>, f64)> {
    let layered_store = benchmarks::layered_store_at(url).await?;
    let plain_store = messaging::controls::postgres::store_at(url).await;
    let pool = benchmarks::sql_client_pool(url).await?;
    benchmarks::create_plain_messages(&pool).await?;

    let mut rungs = Vec::new();
    let mut l2_one_writer = 0.0;
    for writers in WRITERS {
        let plain = {
            let pool = pool.clone();
            run(writers, count, move |writer, n| {
                let pool = pool.clone();
                async move {
                    let message = benchmarks::event(n);
                    // Position n in one of 100 streams of this writer, unique per stream.
                    sqlx::query(
                        "INSERT INTO plain_messages (id, stream_name, position, type, data, metadata) \
                         VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb)",
                    )
                    .bind(message.id)
                    .bind(stream(&format!("plain{writers}w"), writer, false, n))
                    .bind(n as i64)
                    .bind(&message.message_type)
                    .bind(&message.data)
                    .bind(serde_json::to_string(&message.metadata)?)
                    .execute(&pool)
                    .await?;
                    Ok(())
                }
            })
            .await?
        };
        rungs.push(Rung::new(
            "L1",
            format!("INSERT + COMMIT, {writers} writer(s)"),
            plain,
            "rows/s",
        ));

        for shared in [true, false] {
            let layout = if shared {
                "one category"
            } else {
                "a category each"
            };
            let prefix = format!("sql{writers}{}", if shared { "shared" } else { "own" });
            let sql = {
                let (pool, prefix) = (pool.clone(), prefix.clone());
                run(writers, count, move |writer, n| {
                    let (pool, prefix) = (pool.clone(), prefix.clone());
                    async move {
                        let message = benchmarks::event(n);
                        sqlx::query(
                            "SELECT message_store.write_message($1, $2, $3, $4::jsonb, $5::jsonb)",
                        )
                        .bind(message.id.to_string())
                        .bind(stream(&prefix, writer, shared, n))
                        .bind(&message.message_type)
                        .bind(&message.data)
                        .bind(serde_json::to_string(&message.metadata)?)
                        .execute(&pool)
                        .await?;
                        Ok(())
                    }
                })
                .await?
            };
            if writers == 1 && shared {
                l2_one_writer = sql;
            }
            rungs.push(
                Rung::new(
                    "L2",
                    format!("write_message from SQL, {writers} writer(s), {layout}"),
                    sql,
                    "rows/s",
                )
                .against(format!("L1 {writers}"), plain),
            );
            for (path, store) in [
                ("plain path", &plain_store),
                ("store layers", &layered_store),
            ] {
                let prefix = format!(
                    "rust{writers}{}{}",
                    if shared { "shared" } else { "own" },
                    path.replace(' ', "")
                );
                let rust = {
                    let (store, prefix) = (store.clone(), prefix.clone());
                    run(writers, count, move |writer, n| {
                        let (store, prefix) = (store.clone(), prefix.clone());
                        async move {
                            let name = StreamName::from_stored(stream(&prefix, writer, shared, n));
                            store
                                .write_message(&name, &benchmarks::event(n), ExpectedVersion::Any)
                                .await?;
                            Ok(())
                        }
                    })
                    .await?
                };
                let rung = Rung::new(
                    "L3",
                    format!("Rust writer, {path}, {writers} writer(s), {layout}"),
                    rust,
                    "rows/s",
                )
                .against(format!("L2 {writers}, {layout}"), sql);
                // The target is the writer the components use; the plain
                // path is measured beside it to show what the layers buy.
                rungs.push(if path == "store layers" {
                    rung.target_ratio(0.85)
                } else {
                    rung
                });
            }
        }
    }
    Ok((rungs, l2_one_writer))
}
