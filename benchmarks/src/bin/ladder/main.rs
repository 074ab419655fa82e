//! The benchmark ladder: from the raw write limit of Postgres to the bank
//! end to end, every figure printed beside its baseline from the same run.
//!
//! ```sh
//! cargo run --release -p benchmarks --bin ladder
//! LADDER_EVENTS=100000 cargo run --release -p benchmarks --bin ladder   # a quicker run
//! LADDER_RUNGS=L6,L7 cargo run --release -p benchmarks --bin ladder     # some rungs only
//! MESSAGE_DB_SOURCE=/path/to/message-db cargo run --release -p benchmarks --bin ladder  # with MDB
//! ```
//!
//! L1-L3 always run: they are the baselines the other rungs are divided by.
//! L7 includes L8, which reads the views L7 leaves behind.
//!
//! Throughput of an event-sourced system on Postgres is bounded by commits:
//! each write is a transaction whose commit waits for the WAL to reach the
//! disk, and the category lock makes one category's writes take turns. The
//! lower rungs measure those limits on this machine, now; the upper rungs
//! measure the bank against them, as ratios that can be compared across
//! machines and days.

mod aggregation;
mod components;
mod inspector;
mod message_db;
mod report;
mod scale;
mod view_floor;
mod web;
mod writes;

use benchmarks::{BenchPostgres, say};

fn environment_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
}

/// Whether `LADDER_RUNGS` (a comma-separated list, all when unset) asks
/// for this rung.
fn wanted(rung: &str) -> bool {
    std::env::var("LADDER_RUNGS").map_or(true, |rungs| {
        rungs
            .split(',')
            .any(|wanted| wanted.trim().eq_ignore_ascii_case(rung))
    })
}

fn machine() -> String {
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let memory = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .next()
                .map(|line| line.split_whitespace().nth(1).unwrap_or("0").to_string())
        })
        .and_then(|kib| kib.parse::<u64>().ok())
        .map_or(0, |kib| kib / 1024 / 1024);
    format!("{cores} cores, {memory} GiB")
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let writes = environment_number("LADDER_WRITES", 4000);
    let events = environment_number("LADDER_EVENTS", 1_000_000);
    let deposits = environment_number("LADDER_DEPOSITS", 5000);
    // Enough transfers that the CPU per transfer is the transfers' own, not
    // the components' start or the server's housekeeping after L4.
    let transfers = environment_number("LADDER_TRANSFERS", 8000);
    // Build the bank's binaries now: building one when a rung starts it
    // would count the compiler's time as the component's.
    for binary in components::BINARIES {
        test_processes::workspace_binary(binary);
    }
    // Only Cargo tells a program where Cargo is, so only under `cargo run`
    // did the lines above rebuild the components. Started directly, the
    // ladder runs whatever binaries `target/` holds, perhaps older than the
    // code it is meant to measure.
    if std::env::var_os("CARGO").is_none() {
        say(
            "Not started by Cargo: the components were not rebuilt and may be older than the code \
             (use `cargo run --release -p benchmarks --bin ladder`).",
        );
    }
    let postgres = BenchPostgres::start()?;
    say(&format!(
        "# The benchmark ladder\n\nMachine: {}. Postgres: {}.\n{writes} writes per L1-L3 configuration, \
         {deposits} deposits (L4), {transfers} transfers (L5), {events} events (L6).",
        machine(),
        postgres.settings_summary().await?
    ));

    let mut rungs = Vec::new();
    let url = postgres.create_database("ladder_writes").await?;
    let (write_rungs, l2) = writes::rungs(&url, writes).await?;
    let l2_at_four = write_rungs
        .iter()
        .find(|rung| rung.rung == "L2" && rung.name.contains("4 writer(s), one category"))
        .map_or(l2, |rung| rung.figure);
    rungs.extend(write_rungs);
    say(&format!(
        "messages table after L1-L3: {}",
        postgres.table_size(&url).await?
    ));

    // L7 paces itself at half the L4 maximum, so it needs L4.
    let mut l4_per_second = None;
    if wanted("L4") || wanted("L7") {
        let url = postgres.create_database("ladder_deposits").await?;
        let store = benchmarks::layered_store_at(&url).await?;
        let (deposit_rungs, l4) = components::deposits(&url, &store, deposits, l2).await?;
        rungs.extend(deposit_rungs);
        l4_per_second = Some(l4.per_second);
    }

    for hot in [false, true].into_iter().filter(|_| wanted("L5")) {
        let url = postgres
            .create_database(if hot { "ladder_hot" } else { "ladder_uniform" })
            .await?;
        let store = benchmarks::layered_store_at(&url).await?;
        rungs.extend(components::transfers(&url, &store, transfers, hot, l2).await?);
    }

    if wanted("L6") {
        let url = postgres.create_database("ladder_events").await?;
        let store = benchmarks::layered_store_at(&url).await?;
        let accounts = (events / 100).max(1) as i64;
        aggregation::prepare(&store, accounts, 100, 1).await?;
        say(&format!(
            "messages table at L6: {}",
            postgres.table_size(&url).await?
        ));
        let views_url = postgres.create_database("ladder_events_views").await?;
        rungs.extend(aggregation::rungs(&store, &views_url, events).await?);
    }

    if wanted("L9") {
        rungs.extend(inspector::rungs(&postgres, events).await?);
    }

    if wanted("L10") {
        rungs.extend(scale::rungs(&postgres).await?);
    }

    if wanted("MDB") {
        rungs.extend(message_db::rungs(&postgres, writes, events).await?);
    }

    let mut latency_views = String::new();
    let mut latency_store = None;
    let latency_rate = l4_per_second.filter(|_| wanted("L7"));
    for (wake, l4) in [true, false]
        .into_iter()
        .flat_map(|wake| latency_rate.map(|l4| (wake, l4)))
    {
        let url = postgres
            .create_database(if wake {
                "ladder_latency"
            } else {
                "ladder_polling"
            })
            .await?;
        let store = benchmarks::layered_store_at(&url).await?;
        let views_url = postgres
            .create_database(if wake {
                "ladder_latency_views"
            } else {
                "ladder_polling_views"
            })
            .await?;
        rungs.push(
            components::latency(&url, &views_url, &store, (l4 / 2.0).max(1.0), 10, wake).await?,
        );
        if wake {
            latency_views = views_url;
            latency_store = Some(store);
        }
    }

    if let Some(store) = latency_store {
        let views = views::ViewDatabase::connect(&latency_views, 2).await?;
        let account = views::Views::new(&views)
            .accounts()
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| anyhow::anyhow!("no account"))?;
        let account_id = account.account_id;
        rungs.extend(web::rungs(&store, &latency_views, account_id, l2_at_four).await?);
    }

    say(&format!("\n{}", report::table(&rungs)));
    Ok(())
}
