//! The auditor passes a bank that did everything right, and catches each
//! kind of damage when it is planted in the store or the views.

use std::time::Duration;

use account_component::client::AccountCommand;
use account_component::messages::commands::{Close, Deposit, Open, Withdraw};
use account_component::messages::events as account;
use account_component::{Money, streams as account_streams};
use bank::audit::{Expect, audit};
use funds_transfer_component::client::TransferCommand;
use funds_transfer_component::messages::commands::Transfer;
use funds_transfer_component::messages::events as transfer;
use funds_transfer_component::streams as transfer_streams;
use messaging::controls::sqlite::{TemporaryFile, fresh_store};
use messaging::{
    Clock, ComponentSettings, ExpectedVersion, IdGenerator, MessageStore, NewMessage, StreamName,
    Time,
};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;
use views::ViewDatabase;

struct Bank {
    store: MessageStore,
    views: ViewDatabase,
    accounts: Vec<Uuid>,
    transfers: Vec<Uuid>,
    _files: (TemporaryFile, TemporaryFile),
}

async fn send<F: Future<Output = Result<Uuid, messaging::StoreError>>>(sending: F) {
    sending.await.expect("sent");
}

/// A bank that opened accounts, took deposits and a withdrawal, and made
/// transfers that completed, were cancelled, and were reversed.
async fn honest_bank() -> Bank {
    let (store, store_file) = fresh_store().await;
    let views_file = TemporaryFile::new("audit-views");
    let views = ViewDatabase::connect(&views_file.url(), 2)
        .await
        .expect("views");
    views.install().await.expect("installed");
    let shutdown = CancellationToken::new();
    let settings = ComponentSettings {
        poll_interval: Duration::from_millis(10),
        ..ComponentSettings::default()
    };
    let components = [
        account_component::start(store.clone(), &settings, Clock::system(), &shutdown),
        funds_transfer_component::start(
            store.clone(),
            &settings,
            Clock::system(),
            IdGenerator::random(),
            &shutdown,
        ),
    ];
    let running: Vec<_> = components
        .into_iter()
        .map(|component| tokio::spawn(component.run()))
        .collect();

    let accounts: Vec<Uuid> = (0..4).map(|_| Uuid::new_v4()).collect();
    for account_id in &accounts {
        let open = Open {
            account_id: *account_id,
            customer_id: Uuid::new_v4(),
            holder_name: "Audited".into(),
            time: Time::now(),
        };
        send(AccountCommand::open(&open).expect("encodes").send(&store)).await;
        let deposit = Deposit {
            deposit_id: Uuid::new_v4(),
            account_id: *account_id,
            amount: Money::from_cents(10_000),
            time: Time::now(),
        };
        send(
            AccountCommand::deposit(&deposit)
                .expect("encodes")
                .send(&store),
        )
        .await;
    }
    let withdraw = Withdraw {
        withdrawal_id: Uuid::new_v4(),
        account_id: accounts[0],
        amount: Money::from_cents(500),
        time: Time::now(),
    };
    send(
        AccountCommand::withdraw(&withdraw)
            .expect("encodes")
            .send(&store),
    )
    .await;
    let closed = accounts[3];
    tokio::time::sleep(Duration::from_millis(300)).await;
    let empty = Withdraw {
        withdrawal_id: Uuid::new_v4(),
        account_id: closed,
        amount: Money::from_cents(10_000),
        time: Time::now(),
    };
    send(
        AccountCommand::withdraw(&empty)
            .expect("encodes")
            .send(&store),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    send(
        AccountCommand::close(&Close {
            account_id: closed,
            time: Time::now(),
        })
        .expect("encodes")
        .send(&store),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;

    let mut transfers = Vec::new();
    for (from, to, cents) in [(0, 1, 2_000), (1, 2, 1_000_000), (2, 3, 700), (1, 0, 300)] {
        let transfer = Transfer {
            funds_transfer_id: Uuid::new_v4(),
            withdrawal_account_id: accounts[from],
            deposit_account_id: accounts[to],
            amount: Money::from_cents(cents),
            time: Time::now(),
        };
        send(
            TransferCommand::transfer(&transfer)
                .expect("encodes")
                .send(&store),
        )
        .await;
        transfers.push(transfer.funds_transfer_id);
    }
    for id in &transfers {
        let stream = transfer_streams::transfer_stream(*id);
        for _ in 0..500 {
            let events = store.read_stream(&stream, 0, 100).await.expect("read");
            if events.iter().any(|e| {
                matches!(
                    e.message_type.as_str(),
                    "Transferred" | "Cancelled" | "Reversed"
                )
            }) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    shutdown.cancel();
    for task in running {
        task.await.expect("task").expect("stopped");
    }
    aggregator::catch_up(&store, &views, 500)
        .await
        .expect("views");
    Bank {
        store,
        views,
        accounts,
        transfers,
        _files: (store_file, views_file),
    }
}

fn message<M: messaging::Message>(event: &M) -> NewMessage {
    NewMessage::new(event).expect("encodes")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_honest_bank_passes_every_invariant() {
    let bank = honest_bank().await;
    let report = audit(&bank.store, Some(&bank.views), Expect::Quiescent)
        .await
        .expect("audited");
    let mut printed = Vec::new();
    report.print(&mut printed).expect("printed");
    let printed = String::from_utf8_lossy(&printed);
    assert_eq!(report.violations(), 0, "{printed}");
    assert!(
        printed.contains("4 transfers, 4 ended, 0 unfinished"),
        "{printed}"
    );
    assert!(
        printed.contains("deposits 400.00 - withdrawals 105.00"),
        "{printed}"
    );
    assert!(
        printed.contains("the views equal a rebuild from scratch"),
        "{printed}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_kind_of_damage_is_caught_by_its_invariant() {
    let bank = honest_bank().await;
    let store = &bank.store;
    let stream = |id: Uuid| account_streams::account_stream(id);

    // A deposit applied twice.
    let events = store
        .read_stream(&stream(bank.accounts[2]), 0, 100)
        .await
        .expect("read");
    let deposited: account::Deposited = events
        .iter()
        .find(|e| e.message_type == "Deposited")
        .expect("a deposit")
        .decode()
        .expect("decodes");
    store
        .write_message(
            &stream(bank.accounts[2]),
            &message(&deposited),
            ExpectedVersion::Any,
        )
        .await
        .expect("planted");
    // Money taken that was not there.
    let overdraft = account_component::controls::events::withdrawn(
        bank.accounts[1],
        Money::from_cents(50_000_000),
        999,
    );
    store
        .write_message(
            &stream(bank.accounts[1]),
            &message(&overdraft),
            ExpectedVersion::Any,
        )
        .await
        .expect("planted");
    // Money deposited for a transfer that never started.
    let stray = account_component::controls::events::deposited(
        bank.accounts[0],
        Money::from_cents(1),
        1000,
    );
    let stray = message(&stray).correlated_with(&transfer_streams::transfer_stream(Uuid::new_v4()));
    store
        .write_message(&stream(bank.accounts[0]), &stray, ExpectedVersion::Any)
        .await
        .expect("planted");
    // A transfer that ended twice.
    let ended_twice = transfer::Cancelled {
        funds_transfer_id: bank.transfers[0],
        reason: account_component::messages::Reason::InsufficientFunds,
        time: Time::now(),
        processed_time: Time::now(),
    };
    store
        .write_message(
            &transfer_streams::transfer_stream(bank.transfers[0]),
            &message(&ended_twice),
            ExpectedVersion::Any,
        )
        .await
        .expect("planted");
    // A stream with a hole in its positions.
    sqlx::query("INSERT INTO messages (position, stream_name, type, data, id, category) VALUES (3, 'thing-1', 'Happened', '{}', ?, 'thing')")
        .bind(Uuid::new_v4().to_string())
        .execute(store.as_sqlite().expect("sqlite").pool())
        .await
        .expect("planted");
    // A view that says something the events do not.
    sqlx::query("UPDATE accounts SET balance = balance + 1 WHERE account_id = $1")
        .bind(bank.accounts[3].to_string())
        .execute(bank.views.pool())
        .await
        .expect("planted");

    let report = audit(store, Some(&bank.views), Expect::Quiescent)
        .await
        .expect("audited");
    let caught = |name: &str, expected: &str| {
        let violations = report.violations_of(name);
        assert!(
            violations.iter().any(|v| v.contains(expected)),
            "{name}: {violations:?}"
        );
    };
    caught(
        "one outcome per deposit id and per withdrawal id",
        &deposited.deposit_id.to_string(),
    );
    caught(
        "no balance ever went negative",
        stream(bank.accounts[1]).as_str(),
    );
    caught("money is conserved", "which never started");
    caught(
        "every transfer ended exactly once",
        &bank.transfers[0].to_string(),
    );
    caught("positions are contiguous in every stream", "thing-1");
    caught("the views equal a rebuild from scratch", "accounts");
    assert_eq!(StreamName::from_stored("thing-1").category(), "thing");
}
