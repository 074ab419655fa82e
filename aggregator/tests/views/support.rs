//! What the views tests share: a message store and views on Postgres or
//! SQLite, the components running in this process, and a busy bank.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::time::Duration;

use account_component::Money;
use account_component::client::AccountCommand;
use account_component::messages::commands::{Close, Deposit, Open, Withdraw};
use funds_transfer_component::client::TransferCommand;
use funds_transfer_component::messages::commands::Transfer;
use messaging::controls::postgres;
use messaging::controls::sqlite::TemporaryFile;
use messaging::{Clock, Component, ComponentSettings, MessageStore, Time};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;
use views::account_page::StatementLines;
use views::{ViewDatabase, Views};

/// Where the test puts its message store and views.
#[derive(Clone, Copy, Debug)]
pub enum Backend {
    Postgres,
    Sqlite,
}

pub struct Bank {
    pub store: MessageStore,
    pub views: ViewDatabase,
    pub backend: Backend,
    _files: Vec<TemporaryFile>,
}

impl Bank {
    pub async fn new(backend: Backend) -> Option<Bank> {
        match backend {
            Backend::Postgres => {
                let store = postgres::fresh_store().await?;
                let view_url = postgres::fresh_database("views").await?;
                let views = ViewDatabase::connect(&view_url, 5).await.expect("views");
                views.install().await.expect("installed");
                Some(Bank {
                    store,
                    views,
                    backend,
                    _files: vec![],
                })
            }
            Backend::Sqlite => {
                let (store, store_file) = messaging::controls::sqlite::fresh_store().await;
                let (views, _, views_file) = fresh_sqlite_views().await;
                Some(Bank {
                    store,
                    views,
                    backend,
                    _files: vec![store_file, views_file],
                })
            }
        }
    }

    /// Another, empty view database of the same kind.
    pub async fn other_views(&self) -> (ViewDatabase, Option<TemporaryFile>) {
        match self.backend {
            Backend::Postgres => {
                let url = postgres::fresh_database("views").await.expect("postgres");
                let views = ViewDatabase::connect(&url, 5).await.expect("views");
                views.install().await.expect("installed");
                (views, None)
            }
            Backend::Sqlite => {
                let (views, _, file) = fresh_sqlite_views().await;
                (views, Some(file))
            }
        }
    }

    pub fn read(&self) -> Views {
        Views::new(&self.views)
    }
}

pub async fn fresh_sqlite_views() -> (ViewDatabase, String, TemporaryFile) {
    let file = TemporaryFile::new("views");
    let views = ViewDatabase::connect(&file.url(), 5).await.expect("views");
    views.install().await.expect("installed");
    (views, file.url(), file)
}

/// The account and funds-transfer components, running in this process.
pub struct Components {
    shutdown: CancellationToken,
    tasks: Vec<tokio::task::JoinHandle<Result<(), messaging::ConsumerError>>>,
}

impl Components {
    pub fn start(store: &MessageStore) -> Components {
        let settings = ComponentSettings {
            poll_interval: Duration::from_millis(20),
            ..ComponentSettings::default()
        };
        let shutdown = CancellationToken::new();
        let mut accounts = Component::new(store.clone(), settings, &shutdown);
        account_component::start(&mut accounts, store.clone(), Clock::system());
        let mut transfers = Component::new(store.clone(), settings, &shutdown);
        funds_transfer_component::start(&mut transfers, store.clone(), Clock::system());
        Components {
            tasks: vec![tokio::spawn(accounts.run()), tokio::spawn(transfers.run())],
            shutdown,
        }
    }

    pub async fn stop(self) {
        self.shutdown.cancel();
        for task in self.tasks {
            task.await.expect("task").expect("stopped cleanly");
        }
    }
}

/// Opens accounts, deposits, withdraws, closes one, and transfers between
/// them (some too large, some to the closed account). Returns the ids of the
/// accounts and transfers.
pub async fn activity(store: &MessageStore) -> (Vec<Uuid>, Vec<Uuid>) {
    let accounts: Vec<Uuid> = (0..5).map(|_| Uuid::new_v4()).collect();
    for (n, account_id) in accounts.iter().enumerate() {
        let open = Open {
            account_id: *account_id,
            customer_id: Uuid::new_v4(),
            holder_name: format!("Holder {n}"),
            time: Time::now(),
        };
        AccountCommand::open(&open)
            .expect("encodes")
            .send(store)
            .await
            .expect("sent");
        let deposit = Deposit {
            deposit_id: Uuid::new_v4(),
            account_id: *account_id,
            amount: Money::from_cents(10_000),
            time: Time::now(),
            reference: None,
        };
        AccountCommand::deposit(&deposit)
            .expect("encodes")
            .send(store)
            .await
            .expect("sent");
    }
    let withdraw = Withdraw {
        withdrawal_id: Uuid::new_v4(),
        account_id: accounts[0],
        amount: Money::from_cents(2_500),
        time: Time::now(),
        reference: None,
    };
    AccountCommand::withdraw(&withdraw)
        .expect("encodes")
        .send(store)
        .await
        .expect("sent");
    let too_much = Withdraw {
        withdrawal_id: Uuid::new_v4(),
        account_id: accounts[1],
        amount: Money::from_cents(1_000_000),
        time: Time::now(),
        reference: None,
    };
    AccountCommand::withdraw(&too_much)
        .expect("encodes")
        .send(store)
        .await
        .expect("sent");
    let closed = Uuid::new_v4();
    let open = Open {
        account_id: closed,
        customer_id: Uuid::new_v4(),
        holder_name: "Closed".into(),
        time: Time::now(),
    };
    AccountCommand::open(&open)
        .expect("encodes")
        .send(store)
        .await
        .expect("sent");
    AccountCommand::close(&Close {
        account_id: closed,
        time: Time::now(),
    })
    .expect("encodes")
    .send(store)
    .await
    .expect("sent");

    let mut transfers = Vec::new();
    for n in 0..12usize {
        let (from, to) = (
            accounts[n % 5],
            if n % 4 == 3 {
                closed
            } else {
                accounts[(n + 1) % 5]
            },
        );
        let amount = Money::from_cents(if n % 5 == 4 {
            5_000_000
        } else {
            1_000 + n as i64
        });
        let transfer = Transfer {
            funds_transfer_id: Uuid::new_v4(),
            withdrawal_account_id: from,
            deposit_account_id: to,
            amount,
            time: Time::now(),
            reference: None,
        };
        TransferCommand::transfer(&transfer)
            .expect("encodes")
            .send(store)
            .await
            .expect("sent");
        transfers.push(transfer.funds_transfer_id);
    }
    (accounts, transfers)
}

/// Waits until every transfer has ended in the store itself.
pub async fn wait_for_transfers(store: &MessageStore, transfers: &[Uuid]) {
    for id in transfers {
        let stream = funds_transfer_component::streams::transfer_stream(*id);
        let mut ended = false;
        for _ in 0..1000 {
            let events = store.read_stream(&stream, 0, 100).await.expect("read");
            if events.iter().any(|e| {
                matches!(
                    e.message_type.as_str(),
                    "Transferred" | "Cancelled" | "Reversed"
                )
            }) {
                ended = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert!(ended, "transfer {id} never ended");
    }
}

pub async fn busy_bank(backend: Backend) -> Option<(Bank, Vec<Uuid>, Vec<Uuid>)> {
    let bank = Bank::new(backend).await?;
    let components = Components::start(&bank.store);
    let (accounts, transfers) = activity(&bank.store).await;
    wait_for_transfers(&bank.store, &transfers).await;
    // Let the last account commands (the refused withdrawal, the close) land.
    tokio::time::sleep(Duration::from_millis(300)).await;
    components.stop().await;
    Some((bank, accounts, transfers))
}

pub async fn snapshot(views: &ViewDatabase) -> BTreeMap<&'static str, Vec<String>> {
    Views::new(views).snapshot().await.expect("snapshot")
}

/// The whole of a statement, as far as a test's statement goes.
pub const WHOLE_STATEMENT: StatementLines = StatementLines {
    before: None,
    lines: i64::MAX,
};

/// The latest lines of a statement, as many as the account page reads (its
/// 50, and one more to tell whether there are earlier ones).
pub const LATEST_PAGE: StatementLines = StatementLines {
    before: None,
    lines: 51,
};

/// Declares each case, an `async fn(Backend)`, as two tests: on Postgres
/// views and on SQLite views.
macro_rules! on_both {
    ($($case:ident),* $(,)?) => {
        mod postgres_views { $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)] async fn $case() { super::$case(crate::support::Backend::Postgres).await } )* }
        mod sqlite_views { $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)] async fn $case() { super::$case(crate::support::Backend::Sqlite).await } )* }
    };
}
pub(crate) use on_both;
