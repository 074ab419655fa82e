//! Both components as real processes on Postgres: 10 accounts, 300
//! concurrent transfers with random amounts (some over the balance, some to a
//! closed account), first undisturbed, then with the components killed
//! (SIGKILL) and restarted at random moments. Afterwards every transfer has
//! ended exactly once, and no money was created or lost.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use account_component::client::AccountCommand;
use account_component::messages::commands::{Close, Deposit, Open};
use account_component::{Money, streams as account_streams};
use funds_transfer_component::client::TransferCommand;
use funds_transfer_component::messages::commands::Transfer;
use messaging::controls::postgres;
use messaging::{Category, CategoryRead, MessageStore, StoredMessage, Time};
use test_processes::{Dice, RunningProcess, workspace_binary};
use uuid::Uuid;

const ACCOUNTS: usize = 10;
const TRANSFERS: usize = 300;

struct Bank {
    store: MessageStore,
    url: String,
    accounts: Vec<Uuid>,
    closed_account: Uuid,
    opening_total: Money,
}

async fn open_bank(dice: &mut Dice) -> Option<Bank> {
    let url = postgres::fresh_database("transfers").await?;
    let store = postgres::store_at(&url).await;
    let mut accounts = Vec::new();
    let mut opening_total = Money::ZERO;
    for n in 0..ACCOUNTS + 1 {
        let account_id = Uuid::new_v4();
        let open = Open {
            account_id,
            customer_id: Uuid::new_v4(),
            holder_name: format!("Customer {n}"),
            time: Time::now(),
        };
        AccountCommand::open(&open)
            .expect("encodes")
            .send(&store)
            .await
            .expect("sent");
        if n == ACCOUNTS {
            let close = Close {
                account_id,
                time: Time::now(),
            };
            AccountCommand::close(&close)
                .expect("encodes")
                .send(&store)
                .await
                .expect("sent");
            return Some(Bank {
                store,
                url,
                accounts,
                closed_account: account_id,
                opening_total,
            });
        }
        let amount = Money::from_cents(10_000 + dice.below(90_000) as i64);
        opening_total = opening_total.checked_add(amount).expect("small");
        let deposit = Deposit {
            deposit_id: Uuid::new_v4(),
            account_id,
            amount,
            time: Time::now(),
            reference: None,
        };
        AccountCommand::deposit(&deposit)
            .expect("encodes")
            .send(&store)
            .await
            .expect("sent");
        accounts.push(account_id);
    }
    None
}

fn start_components(url: &str) -> (RunningProcess, RunningProcess) {
    let environment = [
        ("MESSAGE_STORE_URL", url),
        ("POLL_INTERVAL_MS", "50"),
        ("RUST_LOG", "warn"),
    ];
    // The binaries are the bank's (`bank/src/bin/`), with its layers on.
    let accounts = RunningProcess::start(&workspace_binary("account-component"), &environment);
    let transfers =
        RunningProcess::start(&workspace_binary("funds-transfer-component"), &environment);
    (accounts, transfers)
}

/// Sends the transfers from several tasks at once.
async fn send_transfers(bank: &Bank, dice: &mut Dice) -> Vec<Uuid> {
    let mut planned = Vec::new();
    for _ in 0..TRANSFERS {
        let source = bank.accounts[dice.below(ACCOUNTS as u64) as usize];
        let destination = if dice.below(10) == 0 {
            bank.closed_account
        } else {
            let mut destination = source;
            while destination == source {
                destination = bank.accounts[dice.below(ACCOUNTS as u64) as usize];
            }
            destination
        };
        planned.push(Transfer {
            funds_transfer_id: Uuid::new_v4(),
            withdrawal_account_id: source,
            deposit_account_id: destination,
            // Mostly up to 100.00; one in five up to 2000.00, often more than
            // the source has left.
            amount: Money::from_cents(if dice.below(5) == 0 {
                1 + dice.below(200_000) as i64
            } else {
                1 + dice.below(10_000) as i64
            }),
            time: Time::now(),
            reference: None,
        });
    }
    let ids = planned
        .iter()
        .map(|transfer| transfer.funds_transfer_id)
        .collect();
    let senders: Vec<_> = planned
        .chunks(TRANSFERS / 10)
        .map(|chunk| {
            let (store, chunk) = (bank.store.clone(), chunk.to_vec());
            tokio::spawn(async move {
                for transfer in chunk {
                    TransferCommand::transfer(&transfer)
                        .expect("encodes")
                        .send(&store)
                        .await
                        .expect("sent");
                }
            })
        })
        .collect();
    for sender in senders {
        sender.await.expect("sender");
    }
    ids
}

async fn all_of(store: &MessageStore, category: &str) -> Vec<StoredMessage> {
    let mut read = CategoryRead::new(Category::new(category).expect("valid"));
    let mut all = Vec::new();
    loop {
        let batch = store.read_category(&read).await.expect("read");
        let Some(last) = batch.last() else { return all };
        read.from_global_position = last.global_position + 1;
        all.extend(batch);
    }
}

/// For each transfer, the types of its events.
async fn transfer_events(store: &MessageStore) -> HashMap<Uuid, Vec<String>> {
    let mut events: HashMap<Uuid, Vec<String>> = HashMap::new();
    for message in all_of(store, "fundsTransfer").await {
        let id = message
            .stream_name
            .id()
            .and_then(|id| Uuid::parse_str(id).ok())
            .expect("uuid");
        events.entry(id).or_default().push(message.message_type);
    }
    events
}

const ENDINGS: [&str; 3] = ["Transferred", "Cancelled", "Reversed"];

fn ended(events: &[String]) -> bool {
    events.iter().any(|event| ENDINGS.contains(&event.as_str()))
}

async fn wait_until_every_transfer_ended(store: &MessageStore, ids: &[Uuid]) {
    let deadline = Instant::now() + Duration::from_secs(240);
    loop {
        let events = transfer_events(store).await;
        let open = ids
            .iter()
            .filter(|id| !events.get(id).is_some_and(|e| ended(e)))
            .count();
        if open == 0 {
            return;
        }
        assert!(Instant::now() < deadline, "{open} transfers never ended");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// Balances computed from the account events alone.
async fn replayed_balances(store: &MessageStore) -> HashMap<Uuid, i64> {
    let mut balances: HashMap<Uuid, i64> = HashMap::new();
    for event in all_of(store, "account").await {
        let account = account_streams::account_id_of(&event.stream_name).expect("account id");
        let data: serde_json::Value = serde_json::from_str(&event.data).expect("json");
        let amount = data["amount"].as_i64().unwrap_or_default();
        let entry = balances.entry(account).or_default();
        match event.message_type.as_str() {
            "Deposited" => *entry += amount,
            "Withdrawn" => *entry -= amount,
            _ => {}
        }
    }
    balances
}

async fn check_invariants(bank: &Bank, ids: &[Uuid]) {
    let events = transfer_events(&bank.store).await;
    let mut outcomes: HashMap<&str, usize> = HashMap::new();
    for id in ids {
        let events = &events[id];
        let endings: Vec<&String> = events
            .iter()
            .filter(|e| ENDINGS.contains(&e.as_str()))
            .collect();
        assert_eq!(
            endings.len(),
            1,
            "transfer {id} ended {endings:?}: {events:?}"
        );
        assert_eq!(
            events.iter().filter(|e| *e == "Initiated").count(),
            1,
            "{id}: {events:?}"
        );
        *outcomes.entry(endings[0].as_str()).or_default() += 1;
    }
    eprintln!("outcomes: {outcomes:?}");
    // The run exercised every ending.
    for ending in ENDINGS {
        assert!(
            outcomes.get(ending).is_some_and(|count| *count > 0),
            "no {ending}: {outcomes:?}"
        );
    }

    let balances = replayed_balances(&bank.store).await;
    let total: i64 = balances.values().sum();
    assert_eq!(
        total,
        bank.opening_total.cents(),
        "money was created or lost"
    );
    assert_eq!(
        balances
            .get(&bank.closed_account)
            .copied()
            .unwrap_or_default(),
        0
    );
    let accounts = account_component::store::build(bank.store.clone());
    for account in bank.accounts.iter().chain([&bank.closed_account]) {
        let replayed = balances.get(account).copied().unwrap_or_default();
        assert!(replayed >= 0, "account {account} went negative");
        let (entity, _) = accounts.fetch(*account).await.expect("fetched");
        assert_eq!(entity.balance.cents(), replayed, "account {account}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_transfers_end_exactly_once_and_conserve_money() {
    let mut dice = Dice::from_environment();
    let Some(bank) = open_bank(&mut dice).await else {
        return;
    };
    let (mut accounts, mut transfers) = start_components(&bank.url);

    let ids = send_transfers(&bank, &mut dice).await;
    wait_until_every_transfer_ended(&bank.store, &ids).await;

    assert!(
        accounts.terminate(Duration::from_secs(20)).await,
        "account component stops cleanly"
    );
    assert!(
        transfers.terminate(Duration::from_secs(20)).await,
        "funds transfer stops cleanly"
    );
    check_invariants(&bank, &ids).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transfers_survive_components_killed_at_random_moments() {
    let mut dice = Dice::from_environment();
    let Some(bank) = open_bank(&mut dice).await else {
        return;
    };
    let (mut accounts, mut transfers) = start_components(&bank.url);

    let ids = send_transfers(&bank, &mut dice).await;
    let mut kills = 0;
    for _ in 0..8 {
        tokio::time::sleep(Duration::from_millis(200 + dice.below(800))).await;
        if dice.below(2) == 0 {
            accounts.restart().await;
        } else {
            transfers.restart().await;
        }
        kills += 1;
    }
    eprintln!("killed and restarted {kills} times");
    wait_until_every_transfer_ended(&bank.store, &ids).await;

    accounts.kill().await;
    transfers.kill().await;
    check_invariants(&bank, &ids).await;
}
