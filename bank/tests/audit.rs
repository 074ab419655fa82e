//! The auditor passes a bank that did everything right, and catches each
//! kind of damage planted in a copy of it, each by the invariant meant for
//! it, with every other invariant quiet: on Postgres and on SQLite.

use std::time::Duration;

use account_component::client::AccountCommand;
use account_component::messages::commands::{Close, Deposit, Open, Withdraw};
use account_component::messages::events as account;
use account_component::{Money, streams as account_streams};
use bank::audit::{Expect, Report, audit};
use funds_transfer_component::client::TransferCommand;
use funds_transfer_component::messages::commands::{ReleaseHeldRefund, Transfer};
use funds_transfer_component::messages::events as transfer;
use funds_transfer_component::streams as transfer_streams;
use messaging::controls::postgres;
use messaging::controls::sqlite::TemporaryFile;
use messaging::{
    Clock, Component, ComponentSettings, ConsumerGroup, ExpectedVersion, Message, MessageStore,
    NewMessage, StoredMessage, StreamName, Time,
};
use sqlx::Connection;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;
use views::ViewDatabase;

#[derive(Clone, Copy, Debug)]
enum Backend {
    Postgres,
    Sqlite,
}

/// A message store with an honest history, and what the tests need to know
/// of it.
struct Honest {
    store: MessageStore,
    /// Where the store is, to copy it.
    location: String,
    accounts: Vec<Uuid>,
    /// An account whose money came in from outside and stays.
    rich: Uuid,
    _file: Option<TemporaryFile>,
}

/// Components running in this process, each stoppable on its own.
struct Running(
    Vec<(
        CancellationToken,
        JoinHandle<Result<(), messaging::ConsumerError>>,
    )>,
);

impl Running {
    fn start(&mut self, start: impl FnOnce(&CancellationToken) -> Component) -> usize {
        let token = CancellationToken::new();
        let task = tokio::spawn(start(&token).run());
        self.0.push((token, task));
        self.0.len() - 1
    }

    async fn stop(&mut self, index: usize) {
        let (token, task) = &mut self.0[index];
        token.cancel();
        task.await.expect("task").expect("stopped cleanly");
    }

    async fn stop_all(mut self) {
        for index in 0..self.0.len() {
            if !self.0[index].1.is_finished() {
                self.stop(index).await;
            }
        }
    }
}

fn settings(member: Option<i64>) -> ComponentSettings {
    ComponentSettings {
        poll_interval: Duration::from_millis(10),
        consumer_group: member.map(|member| ConsumerGroup::new(member, 2).expect("a group")),
    }
}

async fn sent(command: impl Future<Output = Result<Uuid, messaging::StoreError>>) {
    command.await.expect("sent");
}

/// Closes an account and waits until its stream says it is closed.
async fn close(store: &MessageStore, account_id: Uuid) {
    let close = Close {
        account_id,
        time: Time::now(),
    };
    sent(AccountCommand::close(&close).expect("encodes").send(store)).await;
    until(
        store,
        &account_streams::account_stream(account_id),
        "Closed",
    )
    .await;
}

/// Waits until `stream` holds a message of type `message_type`.
async fn until(store: &MessageStore, stream: &StreamName, message_type: &str) {
    for _ in 0..1000 {
        let messages = store.read_stream(stream, 0, 1000).await.expect("read");
        if messages.iter().any(|m| m.message_type == message_type) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("{stream} never got a {message_type}");
}

/// An account id that the consumer group member `member` (of 2) handles.
fn account_of_member(member: i64) -> Uuid {
    let group = ConsumerGroup::new(member, 2).expect("a group");
    loop {
        let id = Uuid::new_v4();
        if group.includes(&account_streams::account_stream(id)) {
            return id;
        }
    }
}

/// A bank that opened accounts, took deposits, paid a withdrawal and
/// refused one, closed an account, made transfers that completed, were
/// cancelled and were reversed, and held the money of one whose refund was
/// refused, until an operator released it.
async fn honest(backend: Backend) -> Option<Honest> {
    let (store, location, file) = match backend {
        Backend::Postgres => {
            let url = postgres::fresh_database("audit_honest").await?;
            (postgres::store_at(&url).await, url, None)
        }
        Backend::Sqlite => {
            let (store, file) = messaging::controls::sqlite::fresh_store().await;
            let path = file.path().display().to_string();
            (store, path, Some(file))
        }
    };
    let mut running = Running(Vec::new());
    running.start(|token| {
        let mut component = Component::new(store.clone(), settings(None), token);
        funds_transfer_component::start(&mut component, store.clone(), Clock::system());
        component
    });
    let member = |index: i64| {
        let store = store.clone();
        move |token: &CancellationToken| {
            let mut component = Component::new(store.clone(), settings(Some(index)), token);
            account_component::start(&mut component, store, Clock::system());
            component
        }
    };
    running.start(member(0));
    let second = running.start(member(1));

    let accounts: Vec<Uuid> = (0..4).map(|_| Uuid::new_v4()).collect();
    let (held_from, held_to, release_to) =
        (account_of_member(0), account_of_member(1), Uuid::new_v4());
    for account_id in accounts.iter().chain([&held_from, &held_to, &release_to]) {
        let open = Open {
            account_id: *account_id,
            customer_id: Uuid::new_v4(),
            holder_name: "Audited".into(),
            time: Time::now(),
        };
        sent(AccountCommand::open(&open).expect("encodes").send(&store)).await;
    }
    for (account_id, cents) in accounts
        .iter()
        .map(|a| (*a, 10_000))
        .chain([(held_from, 1_000)])
    {
        let deposit = Deposit {
            deposit_id: Uuid::new_v4(),
            account_id,
            amount: Money::from_cents(cents),
            time: Time::now(),
            reference: None,
        };
        sent(
            AccountCommand::deposit(&deposit)
                .expect("encodes")
                .send(&store),
        )
        .await;
    }
    for (account_id, cents) in [
        (accounts[0], 500),
        (accounts[1], 1_000_000),
        (accounts[3], 10_000),
    ] {
        let withdraw = Withdraw {
            withdrawal_id: Uuid::new_v4(),
            account_id,
            amount: Money::from_cents(cents),
            time: Time::now(),
            reference: None,
        };
        sent(
            AccountCommand::withdraw(&withdraw)
                .expect("encodes")
                .send(&store),
        )
        .await;
    }
    for account_id in [accounts[3], held_to] {
        until(
            &store,
            &account_streams::account_stream(account_id),
            "Opened",
        )
        .await;
        tokio::time::sleep(Duration::from_millis(200)).await;
        close(&store, account_id).await;
    }
    let mut transfers = Vec::new();
    for (from, to, cents) in [(0, 1, 2_000), (1, 2, 1_000_000), (2, 3, 700), (1, 0, 300)] {
        let transfer = Transfer {
            funds_transfer_id: Uuid::new_v4(),
            withdrawal_account_id: accounts[from],
            deposit_account_id: accounts[to],
            amount: Money::from_cents(cents),
            time: Time::now(),
            reference: None,
        };
        sent(
            TransferCommand::transfer(&transfer)
                .expect("encodes")
                .send(&store),
        )
        .await;
        transfers.push(transfer.funds_transfer_id);
    }

    // The held refund, step by step: the destination's member is stopped,
    // so the money leaves the source, which closes, before the destination
    // refuses it and the refund comes back to a closed account.
    running.stop(second).await;
    let held = Transfer {
        funds_transfer_id: Uuid::new_v4(),
        withdrawal_account_id: held_from,
        deposit_account_id: held_to,
        amount: Money::from_cents(1_000),
        time: Time::now(),
        reference: None,
    };
    sent(
        TransferCommand::transfer(&held)
            .expect("encodes")
            .send(&store),
    )
    .await;
    until(
        &store,
        &account_streams::account_stream(held_from),
        "Withdrawn",
    )
    .await;
    close(&store, held_from).await;
    running.start(member(1));
    let held_stream = transfer_streams::transfer_stream(held.funds_transfer_id);
    until(&store, &held_stream, "RefundRejected").await;
    let release = ReleaseHeldRefund {
        funds_transfer_id: held.funds_transfer_id,
        release_id: Uuid::new_v4(),
        account_id: release_to,
        time: Time::now(),
    };
    let command = TransferCommand::release_held_refund(&release).expect("encodes");
    sent(command.send(&store)).await;
    until(&store, &held_stream, "Released").await;
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
    // Let the last answers land, then stop.
    tokio::time::sleep(Duration::from_millis(300)).await;
    running.stop_all().await;
    Some(Honest {
        rich: accounts[2],
        accounts,
        store,
        location,
        _file: file,
    })
}

/// A copy of the honest store, to damage, and views built from it.
struct Copy {
    store: MessageStore,
    views: ViewDatabase,
    _files: Vec<TemporaryFile>,
}

async fn copy(honest: &Honest, backend: Backend) -> Copy {
    match backend {
        Backend::Postgres => {
            // A database copied from a template must have no connections.
            postgres::drop_connections(&honest.location).await;
            let source = honest.location.rsplit('/').next().expect("a database name");
            let url = postgres::fresh_database("audit_copy")
                .await
                .expect("postgres");
            let name = url.rsplit('/').next().expect("a database name").to_string();
            let admin = url.replacen(&format!("/{name}"), "/postgres", 1);
            let mut connection = sqlx::PgConnection::connect(&admin).await.expect("admin");
            for statement in [
                format!("DROP DATABASE \"{name}\""),
                format!("CREATE DATABASE \"{name}\" TEMPLATE \"{source}\""),
            ] {
                sqlx::raw_sql(sqlx::AssertSqlSafe(statement))
                    .execute(&mut connection)
                    .await
                    .expect("copied");
            }
            let store = postgres::store_at(&url).await;
            let views_url = postgres::fresh_database("audit_views")
                .await
                .expect("postgres");
            let views = ViewDatabase::connect(&views_url, 2).await.expect("views");
            views.install().await.expect("installed");
            aggregator::catch_up(&store, &views, 500)
                .await
                .expect("views");
            Copy {
                store,
                views,
                _files: vec![],
            }
        }
        Backend::Sqlite => {
            let file = TemporaryFile::new("audit-copy");
            sqlx::query("VACUUM INTO ?")
                .bind(file.path().display().to_string())
                .execute(honest.store.as_sqlite().expect("sqlite").pool())
                .await
                .expect("copied");
            let store = MessageStore::connect(&file.url(), 4)
                .await
                .expect("the copy");
            let views_file = TemporaryFile::new("audit-views");
            let views = ViewDatabase::connect(&views_file.url(), 2)
                .await
                .expect("views");
            views.install().await.expect("installed");
            aggregator::catch_up(&store, &views, 500)
                .await
                .expect("views");
            Copy {
                store,
                views,
                _files: vec![file, views_file],
            }
        }
    }
}

fn message<M: Message>(event: &M) -> NewMessage {
    NewMessage::new(event).expect("encodes")
}

/// Writes `message` to `stream` and reads it back, as stored.
async fn write(store: &MessageStore, stream: &StreamName, message: NewMessage) -> StoredMessage {
    store
        .write_message(stream, &message, ExpectedVersion::Any)
        .await
        .expect("planted");
    store
        .read_last(stream, None)
        .await
        .expect("read")
        .expect("written")
}

/// A command, its reservation and an answer, each following the one
/// before, as the account component would write them; the answer is
/// whatever `answer` makes of the reservation.
async fn command_reserved_answered<C: Message, A: Message>(
    store: &MessageStore,
    account_id: Uuid,
    transaction_id: Uuid,
    command: &C,
    correlation: Option<&StreamName>,
    answer: &A,
) {
    let mut sent = message(command);
    if let Some(correlation) = correlation {
        sent = sent.correlated_with(correlation);
    }
    let sent = write(store, &account_streams::command_stream(account_id), sent).await;
    let reservation = account_streams::transaction_stream(account_id, transaction_id);
    let copy = NewMessage::follow(command, &sent).expect("follows");
    let reserved = write(store, &reservation, copy).await;
    let event = NewMessage::follow(answer, &reserved).expect("follows");
    write(store, &account_streams::account_stream(account_id), event).await;
}

/// The kinds of damage, each meant for one invariant.
#[derive(Clone, Copy, Debug)]
enum Damage {
    AnEventWithNoCommand,
    AWrongAmount,
    ADepositAppliedTwice,
    ATransferWhoseDepositDiffersFromItsWithdrawal,
    AViewRowOffByACent,
    AMissingStatementLine,
}

impl Damage {
    const ALL: [Damage; 6] = [
        Damage::AnEventWithNoCommand,
        Damage::AWrongAmount,
        Damage::ADepositAppliedTwice,
        Damage::ATransferWhoseDepositDiffersFromItsWithdrawal,
        Damage::AViewRowOffByACent,
        Damage::AMissingStatementLine,
    ];

    /// The invariant that must catch it.
    fn caught_by(self) -> &'static str {
        match self {
            Damage::AnEventWithNoCommand | Damage::AWrongAmount => {
                "every answer traces to its command"
            }
            Damage::ADepositAppliedTwice => "every command is applied at most once",
            Damage::ATransferWhoseDepositDiffersFromItsWithdrawal => {
                "each transfer's steps carry its amount and accounts"
            }
            Damage::AViewRowOffByACent | Damage::AMissingStatementLine => {
                "balances and statements agree with the account streams"
            }
        }
    }

    async fn plant(self, honest: &Honest, copy: &Copy) {
        let store = &copy.store;
        let rich = honest.rich;
        match self {
            Damage::AnEventWithNoCommand => {
                let deposited = account::Deposited {
                    deposit_id: Uuid::new_v4(),
                    ..account_component::controls::events::deposited(
                        rich,
                        Money::from_cents(700),
                        1_000_000,
                    )
                };
                write(
                    store,
                    &account_streams::account_stream(rich),
                    message(&deposited),
                )
                .await;
            }
            Damage::AWrongAmount => {
                let deposit = Deposit {
                    deposit_id: Uuid::new_v4(),
                    account_id: rich,
                    amount: Money::from_cents(500),
                    time: Time::now(),
                    reference: None,
                };
                let deposited = account::Deposited {
                    amount: Money::from_cents(900),
                    ..account::Deposited::answering(&deposit, 1_000_000, Time::now())
                };
                command_reserved_answered(
                    store,
                    rich,
                    deposit.deposit_id,
                    &deposit,
                    None,
                    &deposited,
                )
                .await;
            }
            Damage::ADepositAppliedTwice => {
                let stream = account_streams::account_stream(rich);
                let events = store.read_stream(&stream, 0, 1000).await.expect("read");
                let applied = events
                    .iter()
                    .find(|event| event.message_type == "Deposited")
                    .expect("a deposit");
                // The same decision, written again: a new message id, the
                // same deposit, caused by the same reservation.
                let again = NewMessage {
                    id: Uuid::new_v4(),
                    message_type: applied.message_type.clone(),
                    data: applied.data.clone(),
                    metadata: applied.metadata().expect("metadata"),
                };
                write(store, &stream, again).await;
            }
            Damage::ATransferWhoseDepositDiffersFromItsWithdrawal => {
                let (from, to) = (rich, honest.accounts[0]);
                let transfer = Transfer {
                    funds_transfer_id: Uuid::new_v4(),
                    withdrawal_account_id: from,
                    deposit_account_id: to,
                    amount: Money::from_cents(3_000),
                    time: Time::now(),
                    reference: None,
                };
                let initiated = transfer::Initiated::answering(&transfer, Time::now());
                let stream = transfer_streams::transfer_stream(transfer.funds_transfer_id);
                write(store, &stream, message(&initiated)).await;
                let withdraw = Withdraw {
                    withdrawal_id: initiated.withdrawal_id,
                    account_id: from,
                    amount: transfer.amount,
                    time: Time::now(),
                    reference: None,
                };
                let withdrawn = account::Withdrawn::answering(&withdraw, 1_000_000, Time::now());
                command_reserved_answered(
                    store,
                    from,
                    withdraw.withdrawal_id,
                    &withdraw,
                    Some(&stream),
                    &withdrawn,
                )
                .await;
                // The deposit asked for, reserved and made: 20.00 of 30.00.
                let deposit = Deposit {
                    deposit_id: initiated.deposit_id,
                    account_id: to,
                    amount: Money::from_cents(2_000),
                    time: Time::now(),
                    reference: None,
                };
                let deposited = account::Deposited::answering(&deposit, 1_000_001, Time::now());
                command_reserved_answered(
                    store,
                    to,
                    deposit.deposit_id,
                    &deposit,
                    Some(&stream),
                    &deposited,
                )
                .await;
                let done = transfer::Transferred {
                    funds_transfer_id: transfer.funds_transfer_id,
                    time: Time::now(),
                    processed_time: Time::now(),
                };
                write(store, &stream, message(&done)).await;
            }
            Damage::AViewRowOffByACent => {
                sqlx::query("UPDATE accounts SET balance = balance + 1 WHERE account_id = $1")
                    .bind(rich.to_string())
                    .execute(copy.views.pool())
                    .await
                    .expect("planted");
            }
            Damage::AMissingStatementLine => {
                sqlx::query(
                    "DELETE FROM statement_lines WHERE account_id = $1 AND global_position = \
                     (SELECT min(global_position) FROM statement_lines WHERE account_id = $1)",
                )
                .bind(rich.to_string())
                .execute(copy.views.pool())
                .await
                .expect("planted");
            }
        }
    }
}

fn printed(report: &Report) -> String {
    let mut printed = Vec::new();
    report.print(&mut printed).expect("printed");
    String::from_utf8_lossy(&printed).to_string()
}

async fn the_honest_bank_passes_and_each_damage_is_caught_by_its_own_invariant(backend: Backend) {
    let Some(honest) = honest(backend).await else {
        return;
    };
    let untouched = copy(&honest, backend).await;
    let report = audit(&untouched.store, Some(&untouched.views), Expect::Quiescent)
        .await
        .expect("audited");
    let text = printed(&report);
    assert_eq!(report.violations(), 0, "{text}");
    assert!(
        text.contains("5 transfers, 5 ended, 0 unfinished"),
        "{text}"
    );
    assert!(text.contains("1 refunds refused, 10.00 released"), "{text}");
    assert_eq!(report.invariants.len(), 10, "{text}");

    for damage in Damage::ALL {
        let copy = copy(&honest, backend).await;
        damage.plant(&honest, &copy).await;
        // The views follow the store, as a running aggregator would; what
        // was planted in the views themselves stays.
        aggregator::catch_up(&copy.store, &copy.views, 500)
            .await
            .expect("views");
        let report = audit(&copy.store, Some(&copy.views), Expect::Quiescent)
            .await
            .expect("audited");
        let text = printed(&report);
        for invariant in &report.invariants {
            if invariant.name == damage.caught_by() {
                assert!(
                    !invariant.violations.is_empty(),
                    "{damage:?} was not caught by {}:\n{text}",
                    invariant.name
                );
            } else {
                assert!(
                    invariant.violations.is_empty(),
                    "{damage:?} was caught by {} too:\n{text}",
                    invariant.name
                );
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_postgres() {
    the_honest_bank_passes_and_each_damage_is_caught_by_its_own_invariant(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_sqlite() {
    the_honest_bank_passes_and_each_damage_is_caught_by_its_own_invariant(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_busy_bank_is_not_blamed_for_what_is_still_under_way() {
    let (store, _file) = messaging::controls::sqlite::fresh_store().await;
    let account_id = Uuid::new_v4();
    let deposit = Deposit {
        deposit_id: Uuid::new_v4(),
        account_id,
        amount: Money::from_cents(100),
        time: Time::now(),
        reference: None,
    };
    sent(
        AccountCommand::deposit(&deposit)
            .expect("encodes")
            .send(&store),
    )
    .await;
    // Nothing has answered it yet: a busy bank is fine, one at rest is not.
    let busy = audit(&store, None, Expect::Busy).await.expect("audited");
    assert_eq!(busy.violations(), 0, "{}", printed(&busy));
    let at_rest = audit(&store, None, Expect::Quiescent)
        .await
        .expect("audited");
    assert!(
        !at_rest
            .violations_of("every command was answered")
            .is_empty(),
        "{}",
        printed(&at_rest)
    );
}
