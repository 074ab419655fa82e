//! The database goes away under the running components, then comes back:
//! they stay up, wait without spinning, and carry on where they were.

#[path = "support/bank_cluster.rs"]
mod bank_cluster;
#[path = "support/bank_commands.rs"]
mod bank_commands;

use std::time::Duration;

use account_component::Money;
use bank_cluster::cluster_with_bank_databases;
use bank_commands::{deposit, open, transfer};
use messaging::controls::postgres::{Server, store_at};
use messaging::{CategoryRead, MessageStore};
use test_processes::{RunningProcess, workspace_binary};
use throwaway_postgres::ClusterSettings;
use uuid::Uuid;

async fn count(store: &MessageStore, category: &str, message_type: &str) -> usize {
    let read =
        CategoryRead::new(messaging::Category::new(category).expect("valid")).batch_size(10_000);
    match store.read_category(&read).await {
        Ok(messages) => messages
            .iter()
            .filter(|m| m.message_type == message_type)
            .count(),
        Err(_) => 0,
    }
}

async fn eventually<F: Future<Output = bool>>(mut condition: impl FnMut() -> F) -> bool {
    for _ in 0..600 {
        if condition().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn components_wait_out_a_database_outage_without_spinning_and_resume() {
    if Server::shared().is_none() {
        return;
    }
    let cluster = cluster_with_bank_databases(&ClusterSettings::default()).await;
    let store_url = cluster.url("bank");
    let store = store_at(&store_url).await;
    let views_url = cluster.url("bank_views");
    let environment = [
        ("MESSAGE_STORE_URL", store_url.as_str()),
        ("VIEW_DATABASE_URL", views_url.as_str()),
        ("POLL_INTERVAL_MS", "50"),
        ("RUST_LOG", "info"),
    ];
    let mut processes: Vec<RunningProcess> = [
        "account-component",
        "funds-transfer-component",
        "aggregator",
    ]
    .iter()
    .map(|name| RunningProcess::start(&workspace_binary(name), &environment))
    .collect();

    let (from, to) = (Uuid::new_v4(), Uuid::new_v4());
    open(&store, from).await;
    open(&store, to).await;
    deposit(&store, from, Money::from_cents(10_000)).await;
    assert!(eventually(|| async { count(&store, "account", "Deposited").await == 1 }).await);
    // The aggregator too is past its start-up (which installs the views and
    // fails at once if the database is not there: a supervisor's business,
    // not this test's) and has applied the deposit.
    let views = views::ViewDatabase::connect(&views_url, 2)
        .await
        .expect("views");
    let read = views::Views::new(&views);
    let balance_of = |account: Uuid| {
        let read = &read;
        async move {
            read.account(account)
                .await
                .ok()
                .flatten()
                .map(|account| account.balance)
        }
    };
    assert!(
        eventually(|| async { balance_of(from).await == Some(Money::from_cents(10_000)) }).await
    );

    // The database goes away.
    cluster.stop("fast").expect("stops");
    tokio::time::sleep(Duration::from_millis(500)).await;
    let before: Vec<u64> = processes
        .iter()
        .map(|p| p.cpu_ticks().expect("running"))
        .collect();
    tokio::time::sleep(Duration::from_secs(3)).await;
    for (process, before) in processes.iter_mut().zip(before) {
        assert!(
            process.is_running(),
            "a component exited when the database went away"
        );
        let used = process.cpu_ticks().expect("running") - before;
        // Three seconds of waiting with backoff costs a few ticks; a busy
        // loop would burn up to 300 (100 ticks per second of CPU).
        assert!(
            used < 50,
            "a component spun while the database was away: {used} ticks in 3 s"
        );
    }

    // It comes back; the components carry on by themselves.
    cluster.start_again().expect("starts again");
    let deposit_id = deposit(&store, from, Money::from_cents(5_000)).await;
    let transfer_id = transfer(&store, from, to, Money::from_cents(2_500)).await;
    assert!(
        eventually(|| async { count(&store, "account", "Deposited").await == 3 }).await,
        "deposit {deposit_id} was not processed"
    );
    assert!(
        eventually(|| async { count(&store, "fundsTransfer", "Transferred").await == 1 }).await,
        "transfer {transfer_id} did not complete"
    );
    assert!(
        eventually(|| async { balance_of(to).await == Some(Money::from_cents(2_500)) }).await,
        "the aggregator did not resume"
    );
    for process in &mut processes {
        assert!(process.is_running());
        assert!(
            process.terminate(Duration::from_secs(20)).await,
            "a component did not stop cleanly"
        );
    }
}
