//! The aggregator on real databases: the views are idempotent, rebuildable
//! row for row, consistent with the components' own entities, and the web
//! UI's role can only read them.

use std::collections::BTreeMap;
use std::time::Duration;

use account_component::Money;
use account_component::client::AccountCommand;
use account_component::messages::commands::{Close, Deposit, Open, Withdraw};
use account_component::messages::events::Deposited;
use aggregator::Settings;
use aggregator::updates::Source;
use funds_transfer_component::client::TransferCommand;
use funds_transfer_component::messages::commands::{ReleaseHeldRefund, Transfer};
use funds_transfer_component::messages::events::{Initiated, ReleaseRequested, Released};
use messaging::controls::postgres;
use messaging::controls::sqlite::TemporaryFile;
use messaging::{
    CategoryRead, Clock, Component, ComponentSettings, ExpectedVersion, MessageStore, NewMessage,
    StreamName, Time,
};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;
use views::account_page::{DESTINATIONS_SHOWN, StatementLines, TRANSFERS_SHOWN};
use views::accounts::{Account, AccountStatus};
use views::commands::{CommandKind, Outcome};
use views::directory::PageStart;
use views::statement::Entry;
use views::{ViewDatabase, Views};

/// Where the test puts its message store and views.
#[derive(Clone, Copy, Debug)]
enum Backend {
    Postgres,
    Sqlite,
}

struct Bank {
    store: MessageStore,
    views: ViewDatabase,
    backend: Backend,
    _files: Vec<TemporaryFile>,
}

impl Bank {
    async fn new(backend: Backend) -> Option<Bank> {
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
    async fn other_views(&self) -> (ViewDatabase, Option<TemporaryFile>) {
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

    fn read(&self) -> Views {
        Views::new(&self.views)
    }
}

async fn fresh_sqlite_views() -> (ViewDatabase, String, TemporaryFile) {
    let file = TemporaryFile::new("views");
    let views = ViewDatabase::connect(&file.url(), 5).await.expect("views");
    views.install().await.expect("installed");
    (views, file.url(), file)
}

/// The account and funds-transfer components, running in this process.
struct Components {
    shutdown: CancellationToken,
    tasks: Vec<tokio::task::JoinHandle<Result<(), messaging::ConsumerError>>>,
}

impl Components {
    fn start(store: &MessageStore) -> Components {
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

    async fn stop(self) {
        self.shutdown.cancel();
        for task in self.tasks {
            task.await.expect("task").expect("stopped cleanly");
        }
    }
}

/// Opens accounts, deposits, withdraws, closes one, and transfers between
/// them (some too large, some to the closed account). Returns the ids of the
/// accounts and transfers.
async fn activity(store: &MessageStore) -> (Vec<Uuid>, Vec<Uuid>) {
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
async fn wait_for_transfers(store: &MessageStore, transfers: &[Uuid]) {
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

async fn busy_bank(backend: Backend) -> Option<(Bank, Vec<Uuid>, Vec<Uuid>)> {
    let bank = Bank::new(backend).await?;
    let components = Components::start(&bank.store);
    let (accounts, transfers) = activity(&bank.store).await;
    wait_for_transfers(&bank.store, &transfers).await;
    // Let the last account commands (the refused withdrawal, the close) land.
    tokio::time::sleep(Duration::from_millis(300)).await;
    components.stop().await;
    Some((bank, accounts, transfers))
}

async fn snapshot(views: &ViewDatabase) -> BTreeMap<&'static str, Vec<String>> {
    Views::new(views).snapshot().await.expect("snapshot")
}

async fn applying_the_same_events_twice_or_in_overlapping_batches_changes_nothing(
    backend: Backend,
) {
    let Some((bank, _, _)) = busy_bank(backend).await else {
        return;
    };
    aggregator::catch_up(&bank.store, &bank.views, 500)
        .await
        .expect("caught up");
    let once = snapshot(&bank.views).await;
    assert!(once["statement_lines"].len() > 10, "{once:#?}");

    // Everything again, from the start.
    sqlx::query("UPDATE aggregator_positions SET position = 0")
        .execute(bank.views.pool())
        .await
        .expect("rewound");
    aggregator::catch_up(&bank.store, &bank.views, 500)
        .await
        .expect("caught up");
    assert_eq!(snapshot(&bank.views).await, once);

    // Small batches, starting half way, as after a crash mid-way.
    sqlx::query("UPDATE aggregator_positions SET position = position / 2")
        .execute(bank.views.pool())
        .await
        .expect("rewound");
    aggregator::catch_up(&bank.store, &bank.views, 3)
        .await
        .expect("caught up");
    assert_eq!(snapshot(&bank.views).await, once);
}

async fn rebuilt_views_equal_the_live_views_row_for_row(backend: Backend) {
    let Some(bank) = Bank::new(backend).await else {
        return;
    };
    // The live aggregator follows the components as they work.
    let shutdown = CancellationToken::new();
    let settings = Settings {
        poll_interval: Duration::from_millis(20),
        ..Settings::default()
    };
    let live = tokio::spawn(aggregator::run(
        bank.store.clone(),
        bank.views.clone(),
        settings,
        aggregator::Layers::default(),
        shutdown.clone(),
    ));
    let components = Components::start(&bank.store);
    let (_, transfers) = activity(&bank.store).await;
    wait_for_transfers(&bank.store, &transfers).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    components.stop().await;
    // Quiescent: the live views have caught up when a catch-up finds nothing.
    let read = bank.read();
    let mut caught_up = false;
    for _ in 0..500 {
        let pending = read.pending_commands(None).await.expect("read");
        let transfers_seen = read.recent_transfers(100).await.expect("read");
        if pending.is_empty()
            && transfers_seen.len() == transfers.len()
            && transfers_seen.iter().all(|t| t.status.has_ended())
        {
            caught_up = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(caught_up, "the live views never caught up");
    tokio::time::sleep(Duration::from_millis(300)).await;
    shutdown.cancel();
    live.await.expect("task").expect("stopped cleanly");
    let live_snapshot = snapshot(&bank.views).await;

    let (rebuilt, _file) = bank.other_views().await;
    aggregator::rebuild(&bank.store, &rebuilt, 500)
        .await
        .expect("rebuilt");
    assert_eq!(snapshot(&rebuilt).await, live_snapshot);

    // And in place: drop, replay, same rows.
    aggregator::rebuild(&bank.store, &bank.views, 7)
        .await
        .expect("rebuilt");
    assert_eq!(snapshot(&bank.views).await, live_snapshot);
}

async fn each_statement_ends_at_the_balance_of_the_view_and_of_the_entity(backend: Backend) {
    let Some((bank, accounts, _)) = busy_bank(backend).await else {
        return;
    };
    aggregator::catch_up(&bank.store, &bank.views, 500)
        .await
        .expect("caught up");
    let entities = account_component::store::build(bank.store.clone());
    let read = bank.read();
    let mut total = 0;
    for account_id in accounts {
        let view = read
            .account(account_id)
            .await
            .expect("read")
            .expect("in the views");
        let statement = read.statement(account_id, None).await.expect("read");
        let (entity, _) = entities.fetch(account_id).await.expect("fetched");
        assert_eq!(
            statement.last().expect("has lines").balance_after,
            view.balance
        );
        assert_eq!(view.balance, entity.balance);
        // Every line's balance follows from the one before.
        let mut running = Money::ZERO;
        for line in &statement {
            running = match line.entry {
                Entry::Deposit => running.checked_add(line.amount).expect("small"),
                Entry::Withdrawal => running.checked_sub(line.amount).expect("small"),
                _ => running,
            };
            assert_eq!(line.balance_after, running, "{line:?}");
        }
        total += view.balance.cents();
    }
    // Five deposits of 100.00 and one withdrawal of 25.00 came from outside;
    // transfers only move money between the accounts.
    assert_eq!(total, 5 * 10_000 - 2_500, "the views conserve money");
}

async fn the_pending_list_empties_once_the_commands_are_processed(backend: Backend) {
    let Some(bank) = Bank::new(backend).await else {
        return;
    };
    let (account_id, another_account_id) = (Uuid::new_v4(), Uuid::new_v4());
    // A name with quotes, a backslash and accents: the account page reads
    // it through JSON, which must give it back unchanged.
    let tricky_name = "Zoë \"Pending\" O'Brien \\ 名前";
    for (id, holder_name) in [(account_id, tricky_name), (another_account_id, "Another")] {
        let open = Open {
            account_id: id,
            customer_id: Uuid::new_v4(),
            holder_name: holder_name.into(),
            time: Time::now(),
        };
        AccountCommand::open(&open)
            .expect("encodes")
            .send(&bank.store)
            .await
            .expect("sent");
    }
    let deposit = Deposit {
        deposit_id: Uuid::new_v4(),
        account_id,
        amount: Money::from_cents(500),
        time: Time::now(),
    };
    let deposit_message = AccountCommand::deposit(&deposit)
        .expect("encodes")
        .send(&bank.store)
        .await
        .expect("sent");

    // The account component is down: the commands wait, visibly pending,
    // each on its own account's list and all of them on the bank's.
    aggregator::catch_up(&bank.store, &bank.views, 500)
        .await
        .expect("caught up");
    let kinds_pending = |account_id: Option<Uuid>| {
        let read = bank.read();
        async move {
            read.pending_commands(account_id)
                .await
                .expect("read")
                .into_iter()
                .map(|command| command.kind)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        kinds_pending(Some(account_id)).await,
        [CommandKind::Open, CommandKind::Deposit]
    );
    let page = bank
        .read()
        .account_page(account_id, WHOLE_STATEMENT)
        .await
        .expect("read");
    assert_eq!(page.account, None, "not opened yet");
    assert_eq!(
        page.pending,
        bank.read()
            .pending_commands(Some(account_id))
            .await
            .expect("read")
    );
    assert_eq!(
        kinds_pending(Some(another_account_id)).await,
        [CommandKind::Open]
    );
    assert_eq!(
        kinds_pending(None).await,
        [CommandKind::Open, CommandKind::Open, CommandKind::Deposit]
    );
    assert!(
        !bank
            .read()
            .sent_command(deposit_message)
            .await
            .expect("read")
            .expect("seen")
            .is_processed()
    );

    let components = Components::start(&bank.store);
    let mut emptied = false;
    for _ in 0..500 {
        aggregator::catch_up(&bank.store, &bank.views, 500)
            .await
            .expect("caught up");
        if bank
            .read()
            .pending_commands(None)
            .await
            .expect("read")
            .is_empty()
        {
            emptied = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    components.stop().await;
    assert!(emptied, "the commands stayed pending");
    let answered = bank
        .read()
        .sent_command(deposit_message)
        .await
        .expect("read")
        .expect("seen");
    assert_eq!(answered.outcome, Some(Outcome::Deposited));
    assert_eq!(answered.amount, Some(deposit.amount));
    let page = bank
        .read()
        .account_page(account_id, WHOLE_STATEMENT)
        .await
        .expect("read");
    let account = page.account.expect("opened");
    assert_eq!(account.holder_name.as_deref(), Some(tricky_name));
    assert_eq!(account.balance, Money::from_cents(500));
    assert!(page.pending.is_empty());
}

async fn the_account_page_reads_in_one_statement_what_each_query_reads(backend: Backend) {
    let Some((bank, accounts, _)) = busy_bank(backend).await else {
        return;
    };
    aggregator::catch_up(&bank.store, &bank.views, 500)
        .await
        .expect("caught up");
    let read = bank.read();
    let everyone = read.accounts().await.expect("read");
    // The newest other accounts, as the transfer form first offers them.
    let mut newest = read
        .accounts_page(PageStart::Newest, DESTINATIONS_SHOWN + 1)
        .await
        .expect("read")
        .accounts;
    let (mut with_transfers, mut with_more_lines) = (0, 0);
    for &account_id in &accounts {
        let whole = read
            .account_page(account_id, WHOLE_STATEMENT)
            .await
            .expect("read");
        assert_eq!(whole.account, read.account(account_id).await.expect("read"));
        assert_eq!(
            whole.statement,
            read.statement(account_id, None).await.expect("read")
        );
        assert_eq!(
            whole.pending,
            read.pending_commands(Some(account_id)).await.expect("read")
        );
        let mut transfers = read.transfers_of(account_id).await.expect("read");
        transfers.truncate(TRANSFERS_SHOWN as usize);
        assert_eq!(whole.transfers, transfers);
        // Both sides of every transfer shown are named.
        for transfer in &whole.transfers {
            for side in [transfer.withdrawal_account_id, transfer.deposit_account_id] {
                let holder = everyone.iter().find(|account| account.account_id == side);
                assert_eq!(
                    whole.names.get(&side),
                    holder.and_then(|account| account.holder_name.as_ref())
                );
            }
        }
        let mut others: Vec<_> = newest
            .iter()
            .filter(|account| account.account_id != account_id)
            .cloned()
            .collect();
        others.truncate(DESTINATIONS_SHOWN as usize);
        assert_eq!(whole.destinations, others);
        // Both sides of every transfer the statement's lines belong to.
        let line_transfers: std::collections::BTreeSet<Uuid> = whole
            .statement
            .iter()
            .filter_map(|line| line.funds_transfer_id)
            .collect();
        assert_eq!(
            whole
                .line_transfers
                .keys()
                .copied()
                .collect::<std::collections::BTreeSet<_>>(),
            line_transfers
        );
        for (id, sides) in &whole.line_transfers {
            let transfer = read.transfer(*id).await.expect("read").expect("known");
            assert_eq!(sides.withdrawal_account_id, transfer.withdrawal_account_id);
            assert_eq!(sides.deposit_account_id, transfer.deposit_account_id);
            let holder = |id: Uuid| {
                everyone
                    .iter()
                    .find(|account| account.account_id == id)
                    .and_then(|account| account.holder_name.clone())
            };
            assert_eq!(
                sides.withdrawal_holder,
                holder(transfer.withdrawal_account_id)
            );
            assert_eq!(sides.deposit_holder, holder(transfer.deposit_account_id));
        }

        let latest = read
            .account_page(
                account_id,
                StatementLines {
                    before: None,
                    lines: 2,
                },
            )
            .await
            .expect("read");
        assert_eq!(
            latest.statement,
            read.statement(account_id, Some(2)).await.expect("read")
        );
        assert_eq!(
            latest.statement[..],
            whole.statement[whole.statement.len().saturating_sub(2)..]
        );
        // The page before the last line: the two lines before it.
        if let Some(last) = whole.statement.last() {
            let before = read
                .account_page(
                    account_id,
                    StatementLines {
                        before: Some(last.global_position),
                        lines: 2,
                    },
                )
                .await
                .expect("read");
            let end = whole.statement.len() - 1;
            assert_eq!(
                before.statement[..],
                whole.statement[end.saturating_sub(2)..end]
            );
        }
        with_transfers += usize::from(!whole.transfers.is_empty());
        with_more_lines += usize::from(whole.statement.len() > 2);
    }
    // The comparisons above compared something.
    assert!(with_transfers > 0 && with_more_lines > 0);
    assert!(
        accounts
            .iter()
            .all(|id| { everyone.iter().any(|account| account.account_id == *id) })
    );

    let stranger = read
        .account_page(Uuid::new_v4(), WHOLE_STATEMENT)
        .await
        .expect("read");
    assert_eq!(stranger.account, None);
    assert!(stranger.statement.is_empty() && stranger.transfers.is_empty());
    newest.truncate(DESTINATIONS_SHOWN as usize);
    assert_eq!(stranger.destinations, newest);
}

/// The home page's paging and search, on rows written straight into the
/// accounts view: 45 opened accounts, a minute apart, and one unopened.
async fn accounts_are_found_a_page_at_a_time_and_by_the_start_of_a_name(backend: Backend) {
    let Some(bank) = Bank::new(backend).await else {
        return;
    };
    let start = Time::parse("2026-01-01T00:00:00.000Z").expect("a time");
    let names = ["Ann Lee", "anna Bell", "Annika", "Bo", "Åsa"];
    let opened: Vec<Account> = (0..45)
        .map(|n| Account {
            customer_id: Some(Uuid::new_v4()),
            holder_name: Some(format!("{} {n}", names[n % names.len()])),
            status: AccountStatus::Open,
            opened_time: Some(start.plus_milliseconds(60_000 * n as i64)),
            last_position: 1,
            ..Account::unopened(Uuid::new_v4())
        })
        .collect();
    let unopened = Account::unopened(Uuid::new_v4());
    let mut connection = bank.views.pool().acquire().await.expect("a connection");
    views::accounts::save(&mut connection, opened.iter().chain([&unopened]))
        .await
        .expect("saved");
    drop(connection);
    let read = bank.read();
    let ids = |accounts: &[Account]| accounts.iter().map(|a| a.account_id).collect::<Vec<_>>();
    let newest_first: Vec<Uuid> = opened.iter().rev().map(|a| a.account_id).collect();

    // Newest first, 20 at a time: 20, 20, then 5, each page continuing from
    // the last account of the one before, and back again.
    let first = read
        .accounts_page(PageStart::Newest, 20)
        .await
        .expect("read");
    assert_eq!(ids(&first.accounts), newest_first[..20]);
    assert_eq!(first.newer, None);
    assert_eq!(first.older, Some(newest_first[19]));
    let second = read
        .accounts_page(PageStart::OlderThan(newest_first[19]), 20)
        .await
        .expect("read");
    assert_eq!(ids(&second.accounts), newest_first[20..40]);
    assert_eq!(second.newer, Some(newest_first[20]));
    assert_eq!(second.older, Some(newest_first[39]));
    let last = read
        .accounts_page(PageStart::OlderThan(newest_first[39]), 20)
        .await
        .expect("read");
    assert_eq!(ids(&last.accounts), newest_first[40..]);
    assert_eq!(last.older, None, "the unopened account is not listed");
    let back = read
        .accounts_page(PageStart::NewerThan(newest_first[40]), 20)
        .await
        .expect("read");
    assert_eq!(back, second);
    let back_to_the_start = read
        .accounts_page(PageStart::NewerThan(newest_first[20]), 20)
        .await
        .expect("read");
    assert_eq!(ids(&back_to_the_start.accounts), newest_first[..20]);
    assert_eq!(back_to_the_start.newer, None);

    // By the start of the name, whatever its case, in the order of names.
    let found = read.find_accounts("ann", 100).await.expect("read");
    let mut expected: Vec<&Account> = opened
        .iter()
        .filter(|a| {
            a.holder_name
                .as_deref()
                .is_some_and(|n| n.to_lowercase().starts_with("ann"))
        })
        .collect();
    expected.sort_by_key(|a| {
        (
            a.holder_name.clone().map(|n| n.to_lowercase()),
            a.account_id,
        )
    });
    assert_eq!(found.accounts.len(), 27, "Ann Lee, anna Bell, Annika");
    assert_eq!(
        ids(&found.accounts),
        expected.iter().map(|a| a.account_id).collect::<Vec<_>>()
    );
    assert!(!found.more);
    let narrowed = read.find_accounts("  ANNA b ", 5).await.expect("read");
    assert_eq!(narrowed.accounts.len(), 5);
    assert!(narrowed.more, "9 accounts are anna Bell's");
    assert!(narrowed.accounts.iter().all(|a| {
        a.holder_name
            .as_deref()
            .is_some_and(|n| n.starts_with("anna Bell"))
    }));
    let asa = read.find_accounts("Åsa 4", 10).await.expect("read");
    assert_eq!(asa.accounts.len(), 2, "Åsa 4 and Åsa 44");
    assert!(
        read.find_accounts("nobody", 10)
            .await
            .expect("read")
            .accounts
            .is_empty()
    );
    assert!(
        read.find_accounts("%", 10)
            .await
            .expect("read")
            .accounts
            .is_empty(),
        "no wildcards"
    );
    let by_id = read
        .find_accounts(&opened[7].account_id.to_string(), 10)
        .await
        .expect("read");
    assert_eq!(ids(&by_id.accounts), [opened[7].account_id]);
    let not_opened = read
        .find_accounts(&unopened.account_id.to_string(), 10)
        .await
        .expect("read");
    assert!(not_opened.accounts.is_empty());

    let named = read
        .holder_names([
            opened[0].account_id,
            opened[1].account_id,
            unopened.account_id,
        ])
        .await
        .expect("read");
    assert_eq!(named.len(), 2);
    assert_eq!(
        named.get(&opened[1].account_id),
        opened[1].holder_name.as_ref()
    );
}

/// The whole of a statement, as far as a test's statement goes.
const WHOLE_STATEMENT: StatementLines = StatementLines {
    before: None,
    lines: i64::MAX,
};

/// The latest lines of a statement, as many as the account page reads (its
/// 50, and one more to tell whether there are earlier ones).
const LATEST_PAGE: StatementLines = StatementLines {
    before: None,
    lines: 51,
};

async fn lag_reaches_zero_when_the_consumers_catch_up(backend: Backend) {
    let Some(bank) = Bank::new(backend).await else {
        return;
    };
    let components = Components::start(&bank.store);
    let (_, transfers) = activity(&bank.store).await;
    wait_for_transfers(&bank.store, &transfers).await;
    aggregator::catch_up(&bank.store, &bank.views, 500)
        .await
        .expect("caught up");
    let mut operations =
        aggregator::operations::Operations::new(bank.store.clone(), bank.views.clone());
    let mut all_zero = false;
    for _ in 0..300 {
        operations.refresh().await.expect("refreshed");
        let consumers = bank.read().consumers().await.expect("read");
        if consumers.len() >= 5 + 4 && consumers.iter().all(|c| c.lag == 0) {
            all_zero = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    components.stop().await;
    assert!(all_zero, "{:#?}", bank.read().consumers().await);

    // With the components stopped, a new command is lag for its consumer.
    let deposit = Deposit {
        deposit_id: Uuid::new_v4(),
        account_id: Uuid::new_v4(),
        amount: Money::from_cents(1),
        time: Time::now(),
    };
    AccountCommand::deposit(&deposit)
        .expect("encodes")
        .send(&bank.store)
        .await
        .expect("sent");
    operations.refresh().await.expect("refreshed");
    let consumers = bank.read().consumers().await.expect("read");
    let commands = consumers
        .iter()
        .find(|c| c.position_stream == "account:command+position")
        .expect("listed");
    assert_eq!(commands.lag, 1);
}

async fn an_event_that_cannot_be_applied_is_parked_and_the_rest_applied(backend: Backend) {
    let Some(bank) = Bank::new(backend).await else {
        return;
    };
    let account_id = Uuid::new_v4();
    let stream = StreamName::from_stored(format!("account-{account_id}"));
    let garbled = NewMessage {
        id: Uuid::new_v4(),
        message_type: "Deposited".into(),
        data: r#"{"amount":"lots"}"#.into(),
        metadata: Default::default(),
    };
    bank.store
        .write_message(&stream, &garbled, ExpectedVersion::Any)
        .await
        .expect("written");
    let opened = account_component::messages::events::Opened {
        account_id,
        ..account_component::controls::events::opened()
    };
    bank.store
        .write_message(
            &stream,
            &NewMessage::new(&opened).expect("encodes"),
            ExpectedVersion::Any,
        )
        .await
        .expect("written");

    aggregator::catch_up(&bank.store, &bank.views, 500)
        .await
        .expect("caught up");

    assert_eq!(
        bank.read()
            .account(account_id)
            .await
            .expect("read")
            .expect("opened")
            .status,
        AccountStatus::Open
    );
    let parked = bank
        .store
        .read_last(
            &StreamName::from_stored("account+deadLetter-aggregator"),
            None,
        )
        .await
        .expect("read")
        .expect("parked");
    let parked: messaging::consumer::DeadLettered = parked.decode().expect("decodes");
    assert_eq!(parked.stream_name, stream.to_string());
    assert_eq!(parked.position, 0);
}

/// Postgres plans the account page's statement once per connection: left to
/// choose, it may plan it afresh on every call, which cost more than running
/// it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_plans_the_account_page_once_per_connection() {
    let Some(url) = postgres::fresh_database("views").await else {
        return;
    };
    // One connection, so that every call below is planned in one session.
    let views = ViewDatabase::connect(&url, 1).await.expect("views");
    views.install().await.expect("installed");
    let read = Views::new(&views);
    for _ in 0..8 {
        read.account_page(Uuid::new_v4(), LATEST_PAGE)
            .await
            .expect("read");
    }
    let (generic, custom): (i64, i64) = sqlx::query_as(
        "SELECT generic_plans, custom_plans FROM pg_prepared_statements \
         WHERE statement LIKE '%statement_lines%' AND statement LIKE '%transfers%'",
    )
    .fetch_one(views.pool())
    .await
    .expect("the page's statement is prepared");
    assert_eq!((generic, custom), (8, 0));
}

/// The views' pool with the idle-ping layer on, as the bank's binaries open
/// it, pings a connection only after it sat idle
/// (`messaging_layers::idle_ping`), not before every query. So after
/// Postgres has dropped the pool's connections and a quiet second, a page
/// is still read, on a fresh connection.
#[tokio::test]
async fn a_page_after_the_database_dropped_the_idle_connections_is_read() {
    let Some(url) = postgres::fresh_database("views").await else {
        return;
    };
    let check = Some(messaging_layers::idle_ping::ping_if_idle as views::BeforeAcquire);
    let views = ViewDatabase::connect_checking_with(&url, 2, check)
        .await
        .expect("views");
    views.install().await.expect("installed");
    let read = Views::new(&views);
    read.account_page(Uuid::new_v4(), LATEST_PAGE)
        .await
        .expect("read");

    let dropped = postgres::drop_connections(&url).await;
    assert!(dropped >= 1, "the views had no connection to drop");

    tokio::time::sleep(messaging_layers::idle_ping::IDLE_BEFORE_PING + Duration::from_millis(200))
        .await;
    read.account_page(Uuid::new_v4(), LATEST_PAGE)
        .await
        .expect("read on a fresh connection");
}

async fn the_views_are_not_rebuilt_under_a_running_aggregator(backend: Backend) {
    let Some(bank) = Bank::new(backend).await else {
        return;
    };
    let shutdown = CancellationToken::new();
    let live = tokio::spawn(aggregator::run(
        bank.store.clone(),
        bank.views.clone(),
        Settings::default(),
        aggregator::Layers::default(),
        shutdown.clone(),
    ));
    // Once it has said it is there (within a second of starting, or a few
    // on a busy machine), a rebuild refuses.
    let mut announced = false;
    for _ in 0..300 {
        let running = views::presence::running(bank.views.pool()).await;
        if running.is_ok_and(|running| !running.is_empty()) {
            announced = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(announced, "the aggregator never said it was running");
    let refused = match aggregator::rebuild(&bank.store, &bank.views, 500).await {
        Err(error @ aggregator::AggregatorError::ViewsInUse { .. }) => error,
        other => panic!("the rebuild went ahead under a running aggregator: {other:?}"),
    };
    assert!(
        refused.to_string().contains("stop it before rebuilding"),
        "{refused}"
    );

    shutdown.cancel();
    live.await.expect("task").expect("stopped cleanly");
    aggregator::rebuild(&bank.store, &bank.views, 500)
        .await
        .expect("rebuilt once the aggregator stopped");
}

/// A release and the deposit that pays it out carry the same id (the
/// release's), which is what makes the payment idempotent. They are two
/// commands all the same, a `ReleaseHeldRefund` and a `Deposit`, and so two
/// rows, whichever category the aggregator happens to read first.
async fn a_release_and_its_deposit_are_two_rows_whichever_is_read_first(backend: Backend) {
    let Some(bank) = Bank::new(backend).await else {
        return;
    };
    let (transfer_id, account_id, release_id) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
    let transfer_stream = funds_transfer_component::streams::transfer_stream(transfer_id);
    let (time, amount) = (Time::now(), Money::from_cents(1_000));
    let release = ReleaseHeldRefund {
        funds_transfer_id: transfer_id,
        release_id,
        account_id,
        time,
    };
    let deposit = Deposit {
        deposit_id: release_id,
        account_id,
        amount,
        time,
    };
    let deposited = Deposited::answering(&deposit, 1, time);
    // The transfer whose money is held: it has to have started for the
    // views to follow its later steps.
    let transfer = Transfer {
        funds_transfer_id: transfer_id,
        withdrawal_account_id: Uuid::new_v4(),
        deposit_account_id: Uuid::new_v4(),
        amount,
        time,
    };
    let initiated = Initiated::answering(&transfer, time);
    let deposit_message = NewMessage::new(&deposit)
        .expect("encodes")
        .correlated_with(&transfer_stream);
    let messages = [
        (
            transfer_stream.clone(),
            NewMessage::new(&initiated).expect("encodes"),
        ),
        (
            funds_transfer_component::streams::command_stream(transfer_id),
            NewMessage::new(&release)
                .expect("encodes")
                .with_id(release_id),
        ),
        (
            transfer_stream.clone(),
            NewMessage::new(&ReleaseRequested::answering(&release, amount, time)).expect("encodes"),
        ),
        (
            account_component::streams::command_stream(account_id),
            deposit_message.clone(),
        ),
        (
            account_component::streams::account_stream(account_id),
            NewMessage::new(&deposited)
                .expect("encodes")
                .correlated_with(&transfer_stream),
        ),
        (
            transfer_stream.clone(),
            NewMessage::new(&Released::answering(&deposited, transfer_id, time)).expect("encodes"),
        ),
    ];
    for (stream, message) in &messages {
        bank.store
            .write_message(stream, message, ExpectedVersion::Any)
            .await
            .expect("written");
    }

    // In the order the aggregator reads the categories, then in reverse.
    aggregator::catch_up(&bank.store, &bank.views, 100)
        .await
        .expect("caught up");
    let (reversed, _file) = bank.other_views().await;
    for source in Source::ALL.into_iter().rev() {
        let read = CategoryRead::new(source.category());
        let batch = bank.store.read_category(&read).await.expect("read");
        aggregator::batch::apply(&bank.store, &reversed, source, &batch)
            .await
            .expect("applied");
    }
    let in_order = snapshot(&bank.views).await;
    assert_eq!(snapshot(&reversed).await["commands"], in_order["commands"]);

    let read = bank.read();
    let row = read.sent_command(release_id).await.expect("read");
    let row = row.expect("the release has a row");
    assert_eq!(
        (row.kind, row.outcome),
        (CommandKind::Release, Some(Outcome::Released))
    );
    let row = read.sent_command(deposit_message.id).await.expect("read");
    let row = row.expect("the deposit has a row");
    assert_eq!(
        (row.kind, row.outcome),
        (CommandKind::Deposit, Some(Outcome::Deposited))
    );
}

macro_rules! on_both {
    ($($case:ident),*) => {
        mod postgres_views { $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)] async fn $case() { super::$case(super::Backend::Postgres).await } )* }
        mod sqlite_views { $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)] async fn $case() { super::$case(super::Backend::Sqlite).await } )* }
    };
}

on_both!(
    applying_the_same_events_twice_or_in_overlapping_batches_changes_nothing,
    rebuilt_views_equal_the_live_views_row_for_row,
    each_statement_ends_at_the_balance_of_the_view_and_of_the_entity,
    the_pending_list_empties_once_the_commands_are_processed,
    the_account_page_reads_in_one_statement_what_each_query_reads,
    accounts_are_found_a_page_at_a_time_and_by_the_start_of_a_name,
    lag_reaches_zero_when_the_consumers_catch_up,
    an_event_that_cannot_be_applied_is_parked_and_the_rest_applied,
    the_views_are_not_rebuilt_under_a_running_aggregator,
    a_release_and_its_deposit_are_two_rows_whichever_is_read_first
);

#[test]
fn the_binary_explains_its_settings() {
    let output = std::process::Command::new(test_processes::workspace_binary("aggregator"))
        .arg("--help")
        .output()
        .expect("runs");
    let help = String::from_utf8_lossy(&output.stdout);
    for expected in [
        "MESSAGE_STORE_URL",
        "VIEW_DATABASE_URL",
        "POLL_INTERVAL_MS",
        "rebuild",
    ] {
        assert!(help.contains(expected), "{expected} missing from:\n{help}");
    }
}
