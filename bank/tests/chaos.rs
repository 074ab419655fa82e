//! The fault-injection run: concurrent clients move money while a chaos
//! driver kills and restarts components, rewinds consumers, runs duplicate
//! instances and restarts Postgres; then, at rest, the auditor must find
//! nothing lost, created or doubled.
//!
//! Bounded for CI (300 operations). Bigger by hand:
//!
//! ```sh
//! CHAOS_OPERATIONS=3000 cargo test --release -p bank --test chaos -- --nocapture
//! ```

#[path = "support/bank_cluster.rs"]
mod bank_cluster;
#[path = "support/bank_commands.rs"]
mod bank_commands;

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use account_component::Money;
use account_component::client::AccountCommand;
use account_component::messages::commands::{Deposit, Withdraw};
use bank::audit::{Expect, audit};
use bank_cluster::cluster_with_bank_databases;
use bank_commands::{deposit, open, send_until_sent};
use funds_transfer_component::client::TransferCommand;
use funds_transfer_component::messages::commands::Transfer;
use messaging::consumer::Recorded;
use messaging::controls::postgres::{Server, store_at};
use messaging::{
    Category, CategoryRead, ExpectedVersion, MessageStore, NewMessage, StoreError, StreamName, Time,
};
use sqlx::Row;
use test_processes::{Dice, RunningProcess, workspace_binary};
use throwaway_postgres::{Cluster, ClusterSettings};
use tokio::sync::Mutex;
use uuid::Uuid;
use views::ViewDatabase;

const COMPONENTS: [&str; 3] = [
    "account-component",
    "funds-transfer-component",
    "aggregator",
];
const ACCOUNTS: usize = 8;
const CLIENTS: usize = 4;

/// Every command the clients sent, by kind, to check each was answered.
#[derive(Default)]
struct Sent {
    deposits: Vec<Uuid>,
    withdrawals: Vec<Uuid>,
    transfers: Vec<Uuid>,
}

/// What the chaos driver did.
#[derive(Default, Debug)]
struct Counts {
    kills: usize,
    restarts: usize,
    redeliveries: usize,
    duplicates: usize,
    postgres_restarts: usize,
}

struct Bank {
    cluster: Cluster,
    store: MessageStore,
    views: ViewDatabase,
    environment: Vec<(String, String)>,
}

impl Bank {
    async fn start() -> Bank {
        // Durable: an immediate restart is a crash, and with fsync or
        // synchronous_commit off Postgres would rightly forget the last
        // commits it acknowledged, commands the clients saw accepted.
        let durable = ClusterSettings {
            durable: true,
            extra: vec![],
        };
        let cluster = cluster_with_bank_databases(&durable).await;
        let store = store_at(&cluster.url("bank")).await;
        let views_url = cluster.url("bank_views");
        let views = ViewDatabase::connect(&views_url, 2).await.expect("views");
        views.install().await.expect("installed");
        let environment = vec![
            ("MESSAGE_STORE_URL".to_string(), cluster.url("bank")),
            ("VIEW_DATABASE_URL".to_string(), views_url),
            ("POLL_INTERVAL_MS".to_string(), "50".to_string()),
            ("RUST_LOG".to_string(), "warn".to_string()),
        ];
        Bank {
            cluster,
            store,
            views,
            environment,
        }
    }

    fn process(&self, name: &str) -> RunningProcess {
        let environment: Vec<(&str, &str)> = self
            .environment
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        RunningProcess::start(&workspace_binary(name, name), &environment)
    }
}

/// One client: random deposits, withdrawals and transfers; in its second
/// half, half of them involve one hot account. Some are sent twice with the
/// same ids, as a client that timed out and retried would.
async fn client(
    store: MessageStore,
    accounts: Arc<Vec<Uuid>>,
    operations: usize,
    seed: u64,
    sent: Arc<Mutex<Sent>>,
    resent: Arc<AtomicUsize>,
) {
    let mut dice = Dice::seeded(seed);
    let pick = |dice: &mut Dice, hot: bool| {
        if hot && dice.below(2) == 0 {
            accounts[0]
        } else {
            accounts[dice.below(ACCOUNTS as u64) as usize]
        }
    };
    for n in 0..operations {
        let hot = n >= operations / 2;
        let amount = Money::from_cents(1 + dice.below(20_000) as i64);
        let resend = dice.below(10) == 0;
        let times = if resend { 2 } else { 1 };
        match dice.below(20) {
            0..=6 => {
                let deposit = Deposit {
                    deposit_id: Uuid::new_v4(),
                    account_id: pick(&mut dice, hot),
                    amount,
                    time: Time::now(),
                };
                for _ in 0..times {
                    let command = AccountCommand::deposit(&deposit).expect("encodes");
                    send_until_sent(|| command.send(&store)).await;
                }
                sent.lock().await.deposits.push(deposit.deposit_id);
            }
            7..=10 => {
                let withdraw = Withdraw {
                    withdrawal_id: Uuid::new_v4(),
                    account_id: pick(&mut dice, hot),
                    amount,
                    time: Time::now(),
                };
                for _ in 0..times {
                    let command = AccountCommand::withdraw(&withdraw).expect("encodes");
                    send_until_sent(|| command.send(&store)).await;
                }
                sent.lock().await.withdrawals.push(withdraw.withdrawal_id);
            }
            _ => {
                let from = pick(&mut dice, hot);
                let mut to = pick(&mut dice, hot);
                while to == from {
                    to = accounts[dice.below(ACCOUNTS as u64) as usize];
                }
                let transfer = Transfer {
                    funds_transfer_id: Uuid::new_v4(),
                    withdrawal_account_id: from,
                    deposit_account_id: to,
                    amount,
                    time: Time::now(),
                };
                for _ in 0..times {
                    let command = TransferCommand::transfer(&transfer).expect("encodes");
                    send_until_sent(|| command.send(&store)).await;
                }
                sent.lock().await.transfers.push(transfer.funds_transfer_id);
            }
        }
        if resend {
            resent.fetch_add(1, Ordering::Relaxed);
        }
        // Paced so that the run lasts long enough for the chaos to strike
        // in the middle of things (about 10 s for 300 operations).
        tokio::time::sleep(Duration::from_millis(60 + dice.below(120))).await;
    }
}

/// Rewinds a consumer to half its recorded position, so that it handles
/// those messages again after its next start.
async fn rewind(bank: &Bank, dice: &mut Dice) -> Option<&'static str> {
    let consumers = [
        ("account:command+position", "account-component"),
        ("accountTransaction+position", "account-component"),
        ("fundsTransfer:command+position", "funds-transfer-component"),
        ("fundsTransfer+position", "funds-transfer-component"),
        ("account+position-fundsTransfer", "funds-transfer-component"),
    ];
    if dice.below(6) == 0 {
        let rewound = sqlx::query("UPDATE aggregator_positions SET position = position / 2")
            .execute(bank.views.pool())
            .await;
        return rewound.ok().map(|_| "aggregator");
    }
    let (stream, component) = consumers[dice.below(consumers.len() as u64) as usize];
    let stream = StreamName::from_stored(stream);
    let recorded = bank
        .store
        .read_last(&stream, Some("Recorded"))
        .await
        .ok()??;
    let position = recorded.decode::<Recorded>().ok()?.position / 2;
    let message = NewMessage::new(&Recorded { position }).ok()?;
    bank.store
        .write_message(&stream, &message, ExpectedVersion::Any)
        .await
        .ok()?;
    Some(component)
}

/// Whether every command sent was answered and the views caught up.
async fn at_rest(bank: &Bank, sent: &Sent) -> Result<bool, StoreError> {
    let read_all = |category: &'static str| {
        let store = bank.store.clone();
        async move {
            let mut read = CategoryRead::new(Category::constant(category)).batch_size(5000);
            let mut all = Vec::new();
            loop {
                let batch = store.read_category(&read).await?;
                let Some(last) = batch.last() else {
                    return Ok::<_, StoreError>(all);
                };
                read.from_global_position = last.global_position + 1;
                all.extend(batch);
            }
        }
    };
    let mut answered = HashSet::new();
    for event in read_all("account").await? {
        if let Ok(data) = serde_json::from_str::<serde_json::Value>(&event.data) {
            for key in ["depositId", "withdrawalId"] {
                if let Some(id) = data[key].as_str().and_then(|id| Uuid::parse_str(id).ok()) {
                    answered.insert(id);
                }
            }
        }
    }
    let mut ended = HashSet::new();
    for event in read_all("fundsTransfer").await? {
        if matches!(
            event.message_type.as_str(),
            "Transferred" | "Cancelled" | "Reversed"
        ) {
            ended.extend(
                event
                    .stream_name
                    .id()
                    .and_then(|id| Uuid::parse_str(id).ok()),
            );
        }
    }
    let commands_done = sent
        .deposits
        .iter()
        .chain(&sent.withdrawals)
        .all(|id| answered.contains(id))
        && sent.transfers.iter().all(|id| ended.contains(id));
    if !commands_done {
        return Ok(false);
    }
    // The aggregator has applied everything there is.
    let positions: BTreeMap<String, i64> =
        match sqlx::query("SELECT category, position FROM aggregator_positions")
            .fetch_all(bank.views.pool())
            .await
        {
            Ok(rows) => rows
                .iter()
                .filter_map(|row| {
                    Some((row.try_get("category").ok()?, row.try_get("position").ok()?))
                })
                .collect(),
            Err(_) => return Ok(false),
        };
    for category in [
        "account",
        "fundsTransfer",
        "account:command",
        "fundsTransfer:command",
    ] {
        let from = positions.get(category).copied().unwrap_or(0) + 1;
        let read = CategoryRead::new(Category::constant(category))
            .from_global_position(from)
            .batch_size(1);
        if !bank.store.read_category(&read).await?.is_empty() {
            return Ok(false);
        }
    }
    Ok(true)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn money_is_neither_lost_nor_doubled_whatever_fails() {
    if Server::shared().is_none() {
        return;
    }
    let operations: usize = std::env::var("CHAOS_OPERATIONS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(300);
    let mut dice = Dice::from_environment();
    let bank = Bank::start().await;
    let mut running: BTreeMap<&str, RunningProcess> = COMPONENTS
        .iter()
        .map(|name| (*name, bank.process(name)))
        .collect();

    let accounts: Arc<Vec<Uuid>> = Arc::new((0..ACCOUNTS).map(|_| Uuid::new_v4()).collect());
    for account in accounts.iter() {
        open(&bank.store, *account).await;
        deposit(&bank.store, *account, Money::from_cents(50_000)).await;
    }

    let sent = Arc::new(Mutex::new(Sent::default()));
    let resent = Arc::new(AtomicUsize::new(0));
    let clients: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let (store, accounts, sent, resent) = (
                bank.store.clone(),
                Arc::clone(&accounts),
                Arc::clone(&sent),
                Arc::clone(&resent),
            );
            let seed = dice.below(u64::MAX);
            tokio::spawn(client(
                store,
                accounts,
                operations / CLIENTS,
                seed,
                sent,
                resent,
            ))
        })
        .collect();
    let clients_done = Arc::new(AtomicBool::new(false));
    let watcher = {
        let clients_done = Arc::clone(&clients_done);
        tokio::spawn(async move {
            for client in clients {
                client.await.expect("a client");
            }
            clients_done.store(true, Ordering::SeqCst);
        })
    };

    // The chaos driver, while the clients work.
    let mut counts = Counts::default();
    let mut duplicate: Option<RunningProcess> = None;
    let started = Instant::now();
    let mut round = 0;
    while !clients_done.load(Ordering::SeqCst) {
        tokio::time::sleep(Duration::from_millis(150 + dice.below(450))).await;
        round += 1;
        if let Some(mut extra) = duplicate.take() {
            extra.kill().await;
        }
        // Postgres restarts once cleanly, then once as a crash.
        if round == 4 || round == 9 {
            let mode = if round == 4 { "fast" } else { "immediate" };
            bank.cluster.stop(mode).expect("postgres stops");
            tokio::time::sleep(Duration::from_millis(300)).await;
            bank.cluster.start_again().expect("postgres starts");
            counts.postgres_restarts += 1;
            continue;
        }
        let name = COMPONENTS[dice.below(COMPONENTS.len() as u64) as usize];
        match dice.below(3) {
            0 => {
                if let Some(process) = running.get_mut(name) {
                    process.restart().await;
                    counts.kills += 1;
                    counts.restarts += 1;
                }
            }
            1 => {
                if let Some(component) = rewind(&bank, &mut dice).await
                    && let Some(process) = running.get_mut(component)
                {
                    process.restart().await;
                    counts.redeliveries += 1;
                    counts.restarts += 1;
                }
            }
            _ => {
                duplicate = Some(bank.process(name));
                counts.duplicates += 1;
            }
        }
    }
    watcher.await.expect("clients");
    if let Some(mut extra) = duplicate.take() {
        extra.kill().await;
    }
    if counts.postgres_restarts == 0 {
        bank.cluster.stop("immediate").expect("postgres stops");
        bank.cluster.start_again().expect("postgres starts");
        counts.postgres_restarts += 1;
    }
    for process in running.values_mut() {
        if !process.is_running() {
            process.restart().await;
            counts.restarts += 1;
        }
    }

    let sent = sent.lock().await;
    let quiet_since = Instant::now();
    let mut quiet = false;
    while quiet_since.elapsed() < Duration::from_secs(300) {
        if at_rest(&bank, &sent).await.unwrap_or(false) {
            quiet = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let quiescence = quiet_since.elapsed();
    assert!(quiet, "the bank never came to rest");

    let report = audit(&bank.store, Some(&bank.views), Expect::Quiescent)
        .await
        .expect("audited");
    let mut printed = Vec::new();
    report.print(&mut printed).expect("printed");
    eprintln!("{}", String::from_utf8_lossy(&printed));
    let operations_done = sent.deposits.len() + sent.withdrawals.len() + sent.transfers.len();
    eprintln!(
        "chaos: {operations_done} operations ({} deposits, {} withdrawals, {} transfers, {} re-sent with the same ids) \
         in {:.1}s; kills {}, restarts {}, re-deliveries {}, duplicates {}, postgres restarts {}; \
         violations {}; time to quiescence {:.1}s",
        sent.deposits.len(),
        sent.withdrawals.len(),
        sent.transfers.len(),
        resent.load(Ordering::Relaxed),
        started.elapsed().as_secs_f64(),
        counts.kills,
        counts.restarts,
        counts.redeliveries,
        counts.duplicates,
        counts.postgres_restarts,
        report.violations(),
        quiescence.as_secs_f64(),
    );
    assert_eq!(report.violations(), 0);
    assert!(
        counts.kills + counts.redeliveries >= 1 && counts.postgres_restarts >= 1,
        "{counts:?}"
    );
    for process in running.values_mut() {
        process.kill().await;
    }
}
