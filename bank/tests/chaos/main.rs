//! The fault-injection run: clients move money, through the store and
//! through the web UI's forms, while a chaos driver kills, duplicates and
//! rewinds the bank's processes, restarts Postgres and writes poison
//! messages. Then, at rest, three records must agree:
//!
//! - the auditor finds no violation in the store and the views;
//! - the clients' own ledger (what they sent, and the outcome the bank
//!   reported for each) implies the balances the account streams hold;
//! - the views show those same balances.
//!
//! Two runs: the bank on Postgres with each part a process of its own (the
//! account component a consumer group of two), and a shorter one of the
//! embedded bank on its SQLite files, as `cargo run` runs it.
//!
//! Bounded for CI (300 operations). Bigger by hand; and with the seed a run
//! printed, to make the same choices again (the timing, and so the
//! interleaving, will differ):
//!
//! ```sh
//! CHAOS_OPERATIONS=3000 cargo test --release -p bank --test chaos -- --nocapture
//! SEED=42 cargo test -p bank --test chaos -- --nocapture
//! ```

#[path = "../support/bank_cluster.rs"]
mod bank_cluster;
#[path = "../support/bank_commands.rs"]
mod bank_commands;
#[allow(dead_code)]
#[path = "../support/http.rs"]
mod http;
#[allow(dead_code)]
#[path = "../support/ledger.rs"]
mod ledger;

mod clients;
mod faults;
mod rest;
mod scenario;
mod under_test;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use account_component::streams as account_streams;
use account_component::{Account, Money};
use bank::audit::{Expect, audit};
use messaging::EntityStore;
use test_processes::Dice;
use throwaway_postgres::Server;
use tokio::task::JoinSet;
use uuid::Uuid;
use views::Views;

use crate::clients::{Channel, World};
use crate::faults::Driver;
use crate::ledger::{Ledger, Tally};
use crate::under_test::{ChaosBank, Layout};

/// Clients writing to the store; one more posts the web UI's forms.
const CLIENTS_THROUGH_THE_STORE: usize = 3;
/// Accounts opened, and funded, before the clients start.
const STARTING_ACCOUNTS: usize = 8;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_postgres_with_every_part_a_process_no_money_is_lost_or_doubled() {
    if Server::shared().is_none() {
        return;
    }
    run(Layout::Processes, operations()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_embedded_sqlite_bank_survives_the_same_faults() {
    run(Layout::Embedded, operations() / 3).await;
}

fn operations() -> usize {
    std::env::var("CHAOS_OPERATIONS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(300)
}

/// The two runs take turns: each is a bank of several processes and a few
/// clients, and on a small machine two at once starve each other's chaos
/// driver, which then strikes a handful of times in a whole run.
static ONE_RUN_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

async fn run(layout: Layout, operations: usize) {
    let _turn = ONE_RUN_AT_A_TIME.lock().await;
    let mut dice = Dice::from_environment();
    let mut bank = ChaosBank::start(layout).await;
    let world = World {
        store: bank.store.clone(),
        views: bank.views.clone(),
        web: bank.web.clone(),
        ledger: Arc::new(Ledger::default()),
    };
    for _ in 0..STARTING_ACCOUNTS {
        let account = clients::open(&world, Channel::Store, false).await;
        let amount = Money::from_cents(50_000);
        clients::deposit(&world, Channel::Store, account, amount, false).await;
    }
    scenario::reversal(&world).await;
    if layout == Layout::Processes {
        scenario::held_refund(&world, &mut bank).await;
    }

    let started = Instant::now();
    let mut clients = JoinSet::new();
    for n in 0..=CLIENTS_THROUGH_THE_STORE {
        let channel = if n == 0 { Channel::Web } else { Channel::Store };
        let share = operations / (CLIENTS_THROUGH_THE_STORE + 1);
        let seed = dice.below(u64::MAX);
        clients.spawn(clients::client(world.clone(), channel, share, seed));
    }
    let mut driver = Driver::new(Dice::seeded(dice.below(u64::MAX)));
    loop {
        tokio::select! {
            done = clients.join_next() => match done {
                Some(client) => client.expect("a client panicked"),
                None => break,
            },
            () = tokio::time::sleep(driver.pause()) => driver.strike(&mut bank).await,
        }
    }
    let busy = started.elapsed();
    driver.finish(&mut bank).await;

    let limit = Duration::from_secs(300);
    let quiescence = rest::wait_for_rest(&bank.store, &bank.views, &world.ledger, limit)
        .await
        .unwrap_or_else(|busy| panic!("the bank never came to rest: {busy}"));
    bank.check_alive();

    let report = audit(&bank.store, Some(&bank.views), Expect::Quiescent)
        .await
        .expect("audited");
    let mut printed = Vec::new();
    report.print(&mut printed).expect("printed");
    eprintln!("{}", String::from_utf8_lossy(&printed));

    let views = Views::new(&bank.views);
    let (expected, tally) = world
        .ledger
        .expected(&views, &bank.store)
        .await
        .expect("the outcomes");
    let differences = differences_from_the_ledger(&bank, &expected).await;
    let parked = faults::parked_by_components(&bank.store)
        .await
        .expect("read");

    eprintln!(
        "chaos ({layout:?}): {}; {} re-sent with the same ids, {} through the web UI; \
         in {:.1}s; {}; violations {}; balances differing from the clients' ledger {}; \
         time to quiescence {:.1}s",
        tally,
        Ledger::count(&world.ledger.resent),
        Ledger::count(&world.ledger.through_the_web),
        busy.as_secs_f64(),
        driver.faults,
        report.violations(),
        differences.len(),
        quiescence.as_secs_f64(),
    );
    assert_eq!(report.violations(), 0, "the auditor found violations");
    assert!(differences.is_empty(), "{differences:#?}");
    for poison in &driver.faults.poison {
        assert!(
            parked.contains(poison),
            "poison message {poison} was not parked"
        );
    }
    assert_every_kind_happened(layout, &tally, &world.ledger, &driver.faults);
    bank.kill_everything().await;
}

/// Every account whose balance, in the account stream or in the views,
/// is not what the clients' ledger implies.
async fn differences_from_the_ledger(
    bank: &ChaosBank,
    expected: &BTreeMap<Uuid, i64>,
) -> Vec<String> {
    let entities = EntityStore::<Account>::new(bank.store.clone(), account_streams::CATEGORY);
    let views = Views::new(&bank.views);
    let mut differences = Vec::new();
    for (account, cents) in expected {
        let (entity, _) = entities.fetch(*account).await.expect("the account");
        if entity.balance.cents() != *cents {
            differences.push(format!(
                "{account}: the ledger says {cents}, its stream {}",
                entity.balance.cents()
            ));
        }
        let row = views.account(*account).await.expect("the views");
        let shown = row.map(|row| row.balance.cents());
        if shown != Some(*cents) {
            differences.push(format!(
                "{account}: the ledger says {cents}, the views {shown:?}"
            ));
        }
    }
    let in_views = views.accounts().await.expect("the views").len();
    if in_views != expected.len() {
        differences.push(format!(
            "the views show {in_views} accounts, the clients opened {}",
            expected.len()
        ));
    }
    differences
}

/// The run covers the whole bank: at least one of every kind of command,
/// outcome and fault. (A held refund needs a consumer group member stopped
/// on purpose, and Postgres a cluster to restart: those only in the run of
/// processes on Postgres.)
fn assert_every_kind_happened(
    layout: Layout,
    tally: &Tally,
    ledger: &Ledger,
    faults: &faults::Faults,
) {
    let kinds = [
        ("opens", tally.opens),
        ("deposits", tally.deposits),
        ("withdrawals", tally.withdrawals),
        ("transfers", tally.transfers),
        ("transferred", tally.transferred),
        ("cancelled", tally.cancelled),
        ("reversed", tally.reversed),
        ("closed", tally.closed),
        ("resent", Ledger::count(&ledger.resent)),
        ("through the web", Ledger::count(&ledger.through_the_web)),
        ("kills", faults.kills),
        ("re-deliveries", faults.redeliveries),
        ("duplicates", faults.duplicates),
        ("poison messages", faults.poison.len()),
    ];
    for (kind, count) in kinds {
        assert!(count >= 1, "no {kind} in this run: {tally:?} {faults}");
    }
    if layout == Layout::Processes {
        let only_here = [
            ("held", tally.held),
            ("released", tally.released),
            ("postgres restarts", faults.postgres_restarts),
        ];
        for (kind, count) in only_here {
            assert!(count >= 1, "no {kind} in this run: {tally:?} {faults}");
        }
    }
}
