//! L4, L5 and L7: the components end to end, as the processes they are in
//! production, on a store prepared beforehand.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use account_component::client::AccountCommand;
use account_component::messages::commands::Deposit;
use account_component::messages::events::{Deposited, Opened};
use account_component::{Money, streams as account_streams};
use funds_transfer_component::client::TransferCommand;
use funds_transfer_component::messages::commands::Transfer;
use messaging::{ExpectedVersion, MessageStore, NewMessage, StreamName, Time};
use test_processes::{ProcessStat, RunningProcess, workspace_binary};
use tokio::sync::Mutex;
use uuid::Uuid;

use crate::report::Rung;

/// Opens `count` accounts by writing their events directly (the component
/// is not what is measured here), each with `balance` deposited.
pub async fn open_accounts(
    store: &MessageStore,
    count: usize,
    balance: Money,
) -> anyhow::Result<Vec<Uuid>> {
    let mut accounts = Vec::new();
    for n in 0..count {
        let account_id = Uuid::new_v4();
        let opened = Opened {
            account_id,
            customer_id: Uuid::new_v4(),
            holders: vec![format!("Account {n}")],
            time: Time::now(),
            processed_time: Time::now(),
            sequence: 0,
        };
        let mut events = vec![NewMessage::new(&opened)?];
        if balance.is_positive() {
            let deposited = Deposited {
                deposit_id: Uuid::new_v4(),
                account_id,
                amount: balance,
                time: Time::now(),
                processed_time: Time::now(),
                sequence: 0,
                reference: None,
            };
            events.push(NewMessage::new(&deposited)?);
        }
        store
            .write(
                &account_streams::account_stream(account_id),
                &events,
                ExpectedVersion::INITIAL,
            )
            .await?;
        accounts.push(account_id);
    }
    Ok(accounts)
}

/// The binaries the rungs start, each named like its package.
pub const BINARIES: [&str; 3] = [
    "account-component",
    "funds-transfer-component",
    "aggregator",
];

/// Starts one of the bank's binaries (the release build beside this one).
pub fn start(binary: &str, environment: &[(&str, &str)]) -> RunningProcess {
    RunningProcess::start(&workspace_binary(binary), environment)
}

/// How many messages of these types `category` holds after global position
/// `after`, and the last global position it holds.
async fn count_after(
    pool: &sqlx::PgPool,
    category: &str,
    types: &[String],
    after: i64,
) -> anyhow::Result<(i64, Option<i64>)> {
    Ok(sqlx::query_as(
        "SELECT count(*) FILTER (WHERE type = ANY($1)), max(global_position) \
         FROM message_store.messages \
         WHERE message_store.category(stream_name) = $2 AND global_position > $3",
    )
    .bind(types)
    .bind(category)
    .bind(after)
    .fetch_one(pool)
    .await?)
}

/// Waits until `count` messages of `types` exist in `category`; returns the
/// time it took.
///
/// It counts only what is new since its last look: counting the whole table
/// every few milliseconds would keep a core busy scanning, and the bank
/// would be measured on what is left. "New" is by global position within one
/// category, which is gap-free there (the category lock) and indexed; across
/// categories a lower position can commit after a higher one, and a cursor
/// would step over it.
async fn until(
    store: &MessageStore,
    category: &str,
    types: &[&str],
    expected: i64,
    start: Instant,
) -> anyhow::Result<Duration> {
    let pool = benchmarks::postgres_pool(store)?;
    let types: Vec<String> = types.iter().map(|t| (*t).to_string()).collect();
    let (mut seen, mut cursor) = (0, 0);
    loop {
        let (new, last) = count_after(&pool, category, &types, cursor).await?;
        seen += new;
        cursor = last.unwrap_or(cursor);
        if seen >= expected {
            return Ok(start.elapsed());
        }
        anyhow::ensure!(
            start.elapsed() < Duration::from_secs(600),
            "gave up waiting for {types:?}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Sends `commands` from eight tasks at once.
async fn send_all<T: Send + Sync + 'static>(
    store: &MessageStore,
    commands: Vec<T>,
    send: fn(&T) -> anyhow::Result<NewMessage>,
    stream: fn(&T) -> StreamName,
) -> anyhow::Result<()> {
    let commands = Arc::new(commands);
    let tasks: Vec<_> = (0..8)
        .map(|task| {
            let (store, commands) = (store.clone(), Arc::clone(&commands));
            tokio::spawn(async move {
                for command in commands.iter().skip(task).step_by(8) {
                    store
                        .write_message(&stream(command), &send(command)?, ExpectedVersion::Any)
                        .await?;
                }
                Ok::<_, anyhow::Error>(())
            })
        })
        .collect();
    for task in tasks {
        task.await??;
    }
    Ok(())
}

/// The figures of L4, for L7 to pace itself by.
pub struct Deposits {
    pub per_second: f64,
}

/// L4: N deposit commands waiting, then the account component.
pub async fn deposits(
    url: &str,
    store: &MessageStore,
    count_of: usize,
    l2: f64,
) -> anyhow::Result<(Vec<Rung>, Deposits)> {
    let accounts = open_accounts(store, 50, Money::ZERO).await?;
    let deposits: Vec<Deposit> = (0..count_of)
        .map(|n| Deposit {
            deposit_id: Uuid::new_v4(),
            account_id: accounts[n % accounts.len()],
            amount: Money::from_cents(100),
            time: Time::now(),
            reference: None,
        })
        .collect();
    send_all(
        store,
        deposits,
        |deposit| Ok(AccountCommand::deposit(deposit)?.message().clone()),
        |deposit| account_streams::command_stream(deposit.account_id),
    )
    .await?;
    let start = Instant::now();
    let process = start_component("account-component", url, true);
    let elapsed = until(
        store,
        account_streams::CATEGORY.as_str(),
        &["Deposited"],
        count_of as i64,
        start,
    )
    .await?;
    let memory = process.peak_memory_kib().unwrap_or_default();
    let per_second = count_of as f64 / elapsed.as_secs_f64();
    Ok((
        vec![
            Rung::new(
                "L4",
                format!("account component: {count_of} deposits end to end"),
                per_second,
                "deposits/s",
            ),
            Rung::new(
                "L4",
                "  the same, as writes (2 per deposit: reservation, event)",
                per_second * 2.0,
                "writes/s",
            )
            .against("L2 1 writer, one category", l2)
            .target_ratio(0.5),
            Rung::new(
                "mem",
                "account component peak RSS under L4",
                memory as f64 / 1024.0,
                "MiB",
            ),
        ],
        Deposits { per_second },
    ))
}

fn start_component(binary: &str, url: &str, wake: bool) -> RunningProcess {
    start(
        binary,
        &[
            ("MESSAGE_STORE_URL", url),
            ("POLL_INTERVAL_MS", "10"),
            ("WAKE_ON_NEW_MESSAGES", if wake { "true" } else { "false" }),
            ("RUST_LOG", "warn"),
        ],
    )
}

/// L5: N transfer commands waiting, then both components.
pub async fn transfers(
    url: &str,
    store: &MessageStore,
    count_of: usize,
    hot: bool,
    l2: f64,
) -> anyhow::Result<Vec<Rung>> {
    let accounts = open_accounts(store, 20, Money::from_cents(100_000_000)).await?;
    let mut dice = test_processes::Dice::seeded(7);
    let transfers: Vec<Transfer> = (0..count_of)
        .map(|_| {
            let pick = |dice: &mut test_processes::Dice| {
                accounts[dice.below(accounts.len() as u64) as usize]
            };
            let mut from = pick(&mut dice);
            if hot && dice.below(2) == 0 {
                from = accounts[0];
            }
            let mut to = pick(&mut dice);
            while to == from {
                to = pick(&mut dice);
            }
            Transfer {
                funds_transfer_id: Uuid::new_v4(),
                withdrawal_account_id: from,
                deposit_account_id: to,
                amount: Money::from_cents(100),
                time: Time::now(),
                reference: None,
            }
        })
        .collect();
    send_all(
        store,
        transfers,
        |transfer| Ok(TransferCommand::transfer(transfer)?.message().clone()),
        |transfer| funds_transfer_component::streams::command_stream(transfer.funds_transfer_id),
    )
    .await?;
    let postgres_before = postgres_cpu_ticks();
    let start = Instant::now();
    let accounts_process = start_component("account-component", url, true);
    let transfers_process = start_component("funds-transfer-component", url, true);
    let elapsed = until(
        store,
        funds_transfer_component::streams::CATEGORY.as_str(),
        &["Transferred", "Cancelled", "Reversed"],
        count_of as i64,
        start,
    )
    .await?;
    let per_second = count_of as f64 / elapsed.as_secs_f64();
    let (busiest, messages_in_busiest) = busiest_category(store).await?;
    let writes_per_transfer = messages_in_busiest as f64 / count_of as f64;
    // Where the CPU went, per transfer: the answer to "what is the next
    // bottleneck" when commits no longer are.
    let cpu_ms = |ticks: u64| ticks as f64 / TICKS_PER_SECOND * 1000.0 / count_of as f64;
    let account_cpu = cpu_ms(accounts_process.cpu_ticks().unwrap_or_default());
    let transfer_cpu = cpu_ms(transfers_process.cpu_ticks().unwrap_or_default());
    let postgres_cpu = cpu_ms(postgres_cpu_ticks().saturating_sub(postgres_before));
    let total_cpu = account_cpu + transfer_cpu + postgres_cpu;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as f64;
    let which = if hot { "one hot account" } else { "uniform" };
    let mib =
        |process: &RunningProcess| process.peak_memory_kib().unwrap_or_default() as f64 / 1024.0;
    Ok(vec![
        Rung::new(
            "L5",
            format!("transfers end to end, 20 accounts, {which}"),
            per_second,
            "transfers/s",
        ),
        Rung::new(
            "L5",
            format!("  the same x {writes_per_transfer:.1} writes in {busiest}, {which}"),
            per_second * writes_per_transfer,
            "writes/s",
        )
        .against("L2 1 writer, one category", l2)
        .target_ratio(0.5),
        Rung::new(
            "cpu",
            format!(
                "CPU per transfer ({which}): account {account_cpu:.2}, funds transfer \
                 {transfer_cpu:.2}, Postgres {postgres_cpu:.2} ms; busy, of {cores} cores"
            ),
            total_cpu * per_second / 1000.0,
            "cores",
        ),
        Rung::new(
            "mem",
            format!("account component peak RSS under L5 ({which})"),
            mib(&accounts_process),
            "MiB",
        ),
        Rung::new(
            "mem",
            format!("funds-transfer component peak RSS under L5 ({which})"),
            mib(&transfers_process),
            "MiB",
        ),
    ])
}

/// The category with the most messages in `store`, and how many it has.
/// L5's target is set by the writes one transfer makes in its busiest
/// category (whose commits take turns), so the ladder counts them rather than
/// assume them: in this bank it is `fundsTransfer`, four per transfer
/// (initiated, withdrawn, deposited, transferred).
async fn busiest_category(store: &MessageStore) -> anyhow::Result<(String, i64)> {
    Ok(sqlx::query_as(
        "SELECT message_store.category(stream_name), count(*) FROM message_store.messages \
         GROUP BY 1 ORDER BY 2 DESC LIMIT 1",
    )
    .fetch_one(&benchmarks::postgres_pool(store)?)
    .await?)
}

/// Clock ticks per second in `/proc`'s CPU times (USER_HZ): 100 on Linux.
const TICKS_PER_SECOND: f64 = 100.0;

/// The CPU time every process named `postgres` has used so far, in ticks:
/// the server and its backends, the bank's connections among them.
fn postgres_cpu_ticks() -> u64 {
    let Ok(processes) = std::fs::read_dir("/proc") else {
        return 0;
    };
    processes
        .flatten()
        .filter_map(|process| std::fs::read_to_string(process.path().join("stat")).ok())
        .filter_map(|stat| {
            let stat = ProcessStat::parse(&stat)?;
            (stat.name == "postgres").then_some(stat.cpu_ticks)
        })
        .sum()
}

/// L7: deposits at a fixed rate; the time until each shows in the views.
pub async fn latency(
    url: &str,
    views_url: &str,
    store: &MessageStore,
    rate: f64,
    seconds: u64,
    wake: bool,
) -> anyhow::Result<Rung> {
    let accounts = open_accounts(store, 20, Money::ZERO).await?;
    let views = views::ViewDatabase::connect(views_url, 2).await?;
    views.install().await?;
    let environment = [
        ("MESSAGE_STORE_URL", url),
        ("VIEW_DATABASE_URL", views_url),
        ("POLL_INTERVAL_MS", "100"),
        ("WAKE_ON_NEW_MESSAGES", if wake { "true" } else { "false" }),
        ("RUST_LOG", "warn"),
    ];
    let _account = start("account-component", &environment);
    let _aggregator = start("aggregator", &environment);
    tokio::time::sleep(Duration::from_secs(1)).await;

    let sent: Arc<Mutex<HashMap<String, Instant>>> = Arc::default();
    let total = (rate * seconds as f64) as usize;
    let sender = {
        let (store, sent, accounts) = (store.clone(), Arc::clone(&sent), accounts.clone());
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(Duration::from_secs_f64(1.0 / rate));
            for n in 0..total {
                ticks.tick().await;
                let deposit = Deposit {
                    deposit_id: Uuid::new_v4(),
                    account_id: accounts[n % accounts.len()],
                    amount: Money::from_cents(1),
                    time: Time::now(),
                    reference: None,
                };
                sent.lock()
                    .await
                    .insert(deposit.deposit_id.to_string(), Instant::now());
                AccountCommand::deposit(&deposit)?.send(&store).await?;
            }
            Ok::<_, anyhow::Error>(())
        })
    };
    let mut latencies = Vec::new();
    let mut watermark = 0i64;
    let deadline = Instant::now() + Duration::from_secs(seconds + 60);
    while latencies.len() < total && Instant::now() < deadline {
        let rows: Vec<(String, i64)> = sqlx::query_as(
            "SELECT command_key, processed_position FROM commands \
             WHERE kind = 'deposit' AND processed_position > $1 ORDER BY processed_position",
        )
        .bind(watermark)
        .fetch_all(views.pool())
        .await?;
        let now = Instant::now();
        let sent = sent.lock().await;
        for (key, position) in rows {
            watermark = watermark.max(position);
            if let Some(at) = sent.get(&key) {
                latencies.push(now.duration_since(*at));
            }
        }
        drop(sent);
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    sender.await??;
    latencies.sort();
    let at = |fraction: f64| {
        latencies
            .get(
                ((latencies.len() as f64 * fraction) as usize)
                    .min(latencies.len().saturating_sub(1)),
            )
            .copied()
            .unwrap_or_default()
    };
    let (p50, p99, max) = (
        at(0.5),
        at(0.99),
        latencies.last().copied().unwrap_or_default(),
    );
    let how = if wake {
        "with LISTEN/NOTIFY wake-ups"
    } else {
        "polling only (100 ms)"
    };
    let rung = Rung::new(
        "L7",
        format!(
            "command to view at {rate:.0}/s, {how}: p50 {:.0} ms, max {:.0} ms; p99",
            p50.as_secs_f64() * 1000.0,
            max.as_secs_f64() * 1000.0
        ),
        p99.as_secs_f64() * 1000.0,
        "ms",
    );
    Ok(if wake {
        rung.target("p99 <= 100 ms", p99 <= Duration::from_millis(100))
    } else {
        rung
    })
}
