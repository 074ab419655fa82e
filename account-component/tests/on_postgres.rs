//! The account component on a real Postgres, with its real consumers (and,
//! once, its real binary): commands written with plain SQL, re-sent,
//! re-delivered, and handled by racing instances.

use std::process::Stdio;
use std::time::Duration;

use account_component::messages::Reason;
use account_component::messages::events::{DepositRejected, Deposited, WithdrawalRejected};
use account_component::{Account, Money, streams};
use messaging::consumer::Recorded;
use messaging::controls::postgres;
use messaging::{
    Clock, Component, ComponentSettings, ConsumerGroup, ExpectedVersion, MessageStore, NewMessage,
    StoredMessage,
};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

/// A running instance of the component.
struct Running {
    shutdown: CancellationToken,
    task: JoinHandle<Result<(), messaging::ConsumerError>>,
}

impl Running {
    fn start(store: &MessageStore, group: Option<ConsumerGroup>) -> Running {
        let settings = ComponentSettings {
            consumer_group: group,
            poll_interval: Duration::from_millis(50),
        };
        let shutdown = CancellationToken::new();
        let mut component = Component::new(store.clone(), settings, &shutdown);
        account_component::start(&mut component, store.clone(), Clock::system());
        Running {
            shutdown,
            task: tokio::spawn(component.run()),
        }
    }

    async fn stop(self) {
        self.shutdown.cancel();
        self.task.await.expect("task").expect("stopped cleanly");
    }
}

/// Writes a command with plain SQL, as any client of the store could.
async fn sql_command(
    store: &MessageStore,
    account_id: Uuid,
    command_type: &str,
    data: serde_json::Value,
) {
    let pool = store.as_postgres().expect("postgres").pool();
    sqlx::query(
        "SELECT message_store.write_message(gen_random_uuid()::varchar, $1, $2, $3::jsonb)",
    )
    .bind(format!("account:command-{account_id}"))
    .bind(command_type)
    .bind(data.to_string())
    .execute(pool)
    .await
    .expect("written with SQL");
}

async fn open(store: &MessageStore, account_id: Uuid) {
    sql_command(
        store,
        account_id,
        "Open",
        serde_json::json!({
            "accountId": account_id,
            "customerId": Uuid::new_v4(),
            "holderName": "Grace Hopper",
            "time": "2026-11-26T10:00:00.000Z",
        }),
    )
    .await;
}

async fn transaction(store: &MessageStore, kind: &str, account_id: Uuid, id: Uuid, cents: i64) {
    let id_key = if kind == "Deposit" {
        "depositId"
    } else {
        "withdrawalId"
    };
    sql_command(
        store,
        account_id,
        kind,
        serde_json::json!({
            id_key: id,
            "accountId": account_id,
            "amount": cents,
            "time": "2026-11-26T10:00:00.000Z",
        }),
    )
    .await;
}

async fn events(store: &MessageStore, account_id: Uuid) -> Vec<StoredMessage> {
    store
        .read_stream(&streams::account_stream(account_id), 0, 10_000)
        .await
        .expect("read")
}

async fn count_of(store: &MessageStore, account_id: Uuid, message_type: &str) -> usize {
    events(store, account_id)
        .await
        .iter()
        .filter(|event| event.message_type == message_type)
        .count()
}

async fn balance(store: &MessageStore, account_id: Uuid) -> Money {
    let accounts = account_component::store::build(store.clone());
    let (account, _): (Account, i64) = accounts.fetch(account_id).await.expect("fetched");
    account.balance
}

async fn eventually<F, Fut>(mut condition: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    for _ in 0..1500 {
        if condition().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    false
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deposit_written_with_plain_sql_becomes_a_deposited_event() {
    let Some(store) = postgres::fresh_store().await else {
        return;
    };
    let running = Running::start(&store, None);
    let account = Uuid::new_v4();
    open(&store, account).await;
    assert!(eventually(|| async { count_of(&store, account, "Opened").await == 1 }).await);

    let deposit = Uuid::new_v4();
    transaction(&store, "Deposit", account, deposit, 1234).await;

    assert!(eventually(|| async { count_of(&store, account, "Deposited").await == 1 }).await);
    running.stop().await;
    let deposited: Deposited = events(&store, account).await[1]
        .decode()
        .expect("Deposited");
    assert_eq!(deposited.deposit_id, deposit);
    assert_eq!(deposited.amount, Money::from_cents(1234));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_deposit_sent_twice_as_two_messages_is_applied_once() {
    let Some(store) = postgres::fresh_store().await else {
        return;
    };
    let account = Uuid::new_v4();
    open(&store, account).await;
    let deposit = Uuid::new_v4();
    transaction(&store, "Deposit", account, deposit, 500).await;
    transaction(&store, "Deposit", account, deposit, 500).await;
    // A different deposit afterwards shows when both copies have been seen.
    transaction(&store, "Deposit", account, Uuid::new_v4(), 1).await;

    let running = Running::start(&store, None);
    assert!(eventually(|| async { count_of(&store, account, "Deposited").await == 2 }).await);
    running.stop().await;
    assert_eq!(balance(&store, account).await, Money::from_cents(501));
}

async fn position_of(store: &MessageStore, stream: &str) -> Option<i64> {
    store
        .read_last(
            &messaging::StreamName::from_stored(stream),
            Some("Recorded"),
        )
        .await
        .expect("read")
        .map(|message| message.decode::<Recorded>().expect("Recorded").position)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rewinding_the_consumers_and_restarting_redelivers_and_writes_nothing_new() {
    let Some(store) = postgres::fresh_store().await else {
        return;
    };
    let account = Uuid::new_v4();
    open(&store, account).await;
    for cents in [100, 200, 300] {
        transaction(&store, "Deposit", account, Uuid::new_v4(), cents).await;
    }
    transaction(&store, "Withdraw", account, Uuid::new_v4(), 50).await;
    let running = Running::start(&store, None);
    assert!(eventually(|| async { events(&store, account).await.len() == 5 }).await);
    running.stop().await;
    let before = events(&store, account).await;
    let head = position_of(&store, "accountTransaction+position")
        .await
        .expect("recorded");

    for stream in ["account:command+position", "accountTransaction+position"] {
        let rewind = NewMessage::new(&Recorded { position: 0 }).expect("encodes");
        store
            .write_message(
                &messaging::StreamName::from_stored(stream),
                &rewind,
                ExpectedVersion::Any,
            )
            .await
            .expect("rewound");
    }
    let running = Running::start(&store, None);
    // Caught up again: every message was handled a second time.
    assert!(
        eventually(|| async {
            position_of(&store, "accountTransaction+position").await == Some(head)
        })
        .await
    );
    running.stop().await;
    assert_eq!(events(&store, account).await, before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_consumer_group_members_process_every_accounts_commands_exactly_once() {
    let Some(store) = postgres::fresh_store().await else {
        return;
    };
    let accounts: Vec<Uuid> = (0..12).map(|_| Uuid::new_v4()).collect();
    for account in &accounts {
        open(&store, *account).await;
        for _ in 0..4 {
            transaction(&store, "Deposit", *account, Uuid::new_v4(), 100).await;
        }
    }
    let first = Running::start(&store, Some(ConsumerGroup::new(0, 2).expect("valid")));
    let second = Running::start(&store, Some(ConsumerGroup::new(1, 2).expect("valid")));
    for account in &accounts {
        assert!(eventually(|| async { count_of(&store, *account, "Deposited").await == 4 }).await);
    }
    first.stop().await;
    second.stop().await;
    for account in &accounts {
        assert_eq!(count_of(&store, *account, "Opened").await, 1);
        assert_eq!(count_of(&store, *account, "Deposited").await, 4);
        assert_eq!(balance(&store, *account).await, Money::from_cents(400));
    }
    // Each member kept its own position.
    assert!(
        position_of(&store, "accountTransaction+position-member-0-of-2")
            .await
            .is_some()
    );
    assert!(
        position_of(&store, "accountTransaction+position-member-1-of-2")
            .await
            .is_some()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_started_by_mistake_with_the_same_subscription_never_apply_a_transaction_twice()
 {
    let Some(store) = postgres::fresh_store().await else {
        return;
    };
    let account = Uuid::new_v4();
    open(&store, account).await;
    let first = Running::start(&store, None);
    let second = Running::start(&store, None);
    let mut expected = 0;
    for n in 0..30i64 {
        let id = Uuid::new_v4();
        if n % 3 == 2 {
            transaction(&store, "Withdraw", account, id, 40).await;
            expected -= 40;
        } else {
            transaction(&store, "Deposit", account, id, 50).await;
            // Re-sent, as a retrying client would.
            transaction(&store, "Deposit", account, id, 50).await;
            expected += 50;
        }
    }
    assert!(
        eventually(|| async {
            count_of(&store, account, "Deposited").await
                + count_of(&store, account, "Withdrawn").await
                == 30
        })
        .await
    );
    // Let both instances finish whatever else they would do.
    tokio::time::sleep(Duration::from_millis(500)).await;
    first.stop().await;
    second.stop().await;
    assert_eq!(count_of(&store, account, "Deposited").await, 20);
    assert_eq!(count_of(&store, account, "Withdrawn").await, 10);
    assert_eq!(balance(&store, account).await, Money::from_cents(expected));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_are_events_that_carry_their_reason() {
    let Some(store) = postgres::fresh_store().await else {
        return;
    };
    let (open_account, closed_account, unopened_account) =
        (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
    open(&store, open_account).await;
    open(&store, closed_account).await;
    sql_command(
        &store,
        closed_account,
        "Close",
        serde_json::json!({"accountId": closed_account, "time": "2026-11-26T10:00:00.000Z"}),
    )
    .await;
    transaction(&store, "Deposit", open_account, Uuid::new_v4(), 100).await;
    transaction(&store, "Withdraw", open_account, Uuid::new_v4(), 101).await;
    let running = Running::start(&store, None);
    assert!(eventually(|| async { count_of(&store, closed_account, "Closed").await == 1 }).await);
    transaction(&store, "Deposit", closed_account, Uuid::new_v4(), 100).await;
    transaction(&store, "Withdraw", unopened_account, Uuid::new_v4(), 100).await;

    assert!(
        eventually(|| async { count_of(&store, open_account, "WithdrawalRejected").await == 1 })
            .await
    );
    assert!(
        eventually(|| async { count_of(&store, closed_account, "DepositRejected").await == 1 })
            .await
    );
    assert!(
        eventually(|| async {
            count_of(&store, unopened_account, "WithdrawalRejected").await == 1
        })
        .await
    );
    running.stop().await;

    let reason_of = |events: Vec<StoredMessage>, kind: &str| -> Reason {
        let event = events
            .into_iter()
            .find(|e| e.message_type == kind)
            .expect("found");
        if kind == "DepositRejected" {
            event.decode::<DepositRejected>().expect("decodes").reason
        } else {
            event
                .decode::<WithdrawalRejected>()
                .expect("decodes")
                .reason
        }
    };
    assert_eq!(
        reason_of(events(&store, open_account).await, "WithdrawalRejected"),
        Reason::InsufficientFunds
    );
    assert_eq!(
        reason_of(events(&store, closed_account).await, "DepositRejected"),
        Reason::AccountClosed
    );
    assert_eq!(
        reason_of(events(&store, unopened_account).await, "WithdrawalRejected"),
        Reason::AccountNotOpen
    );
    assert_eq!(balance(&store, open_account).await, Money::from_cents(100));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_handles_commands_and_stops_cleanly_on_sigterm() {
    let Some(url) = postgres::fresh_database("account_binary").await else {
        return;
    };
    let store = postgres::store_at(&url).await;
    let mut process =
        tokio::process::Command::new(test_processes::workspace_binary("account-component"))
            .env("MESSAGE_STORE_URL", &url)
            .env("POLL_INTERVAL_MS", "50")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("the binary starts");
    let account = Uuid::new_v4();
    open(&store, account).await;
    transaction(&store, "Deposit", account, Uuid::new_v4(), 700).await;
    assert!(eventually(|| async { count_of(&store, account, "Deposited").await == 1 }).await);

    let pid = process.id().expect("running").to_string();
    let signalled = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill runs");
    assert!(signalled.success());
    let status = tokio::time::timeout(Duration::from_secs(20), process.wait())
        .await
        .expect("stops within the timeout")
        .expect("exit status");
    assert!(status.success(), "{status:?}");
    assert!(
        position_of(&store, "accountTransaction+position")
            .await
            .is_some()
    );
}

#[test]
fn the_binary_explains_its_settings() {
    let output = std::process::Command::new(test_processes::workspace_binary("account-component"))
        .arg("--help")
        .output()
        .expect("runs");
    let help = String::from_utf8_lossy(&output.stdout);
    for variable in [
        "MESSAGE_STORE_URL",
        "CONSUMER_GROUP_MEMBER",
        "CONSUMER_GROUP_SIZE",
        "POLL_INTERVAL_MS",
    ] {
        assert!(
            help.contains(variable),
            "--help does not mention {variable}:\n{help}"
        );
    }
}

/// The SQL blocks that follow `<!-- readme-sql: {name} -->` in the README.
fn readme_sql(name: &str) -> String {
    let readme = include_str!("../../README.md");
    let marker = format!("<!-- readme-sql: {name} -->");
    let after = readme
        .split_once(&marker)
        .expect("the README has the marker")
        .1;
    let block = after.split_once("```sql").expect("a SQL block").1;
    block
        .split_once("```")
        .expect("the block ends")
        .0
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_readmes_psql_example_opens_an_account_and_deposits_once() {
    let Some(url) = postgres::fresh_database("account_readme").await else {
        return;
    };
    let store = postgres::store_at(&url).await;
    let running = Running::start(&store, None);
    let as_role = {
        let (scheme, rest) = url.split_once("://").expect("a URL");
        format!(
            "{scheme}://message_store@{}",
            rest.split_once('@').map_or(rest, |(_, host)| host)
        )
    };
    let psql = |sql: String| {
        let output = std::process::Command::new("psql")
            .args([
                "--no-psqlrc",
                "--set",
                "ON_ERROR_STOP=1",
                "--dbname",
                &as_role,
                "--command",
                &sql,
            ])
            .output()
            .expect("psql runs");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).to_string()
    };
    psql(readme_sql("send"));
    psql(readme_sql("send")); // The same deposit, sent twice.
    let account: Uuid = "11111111-1111-4111-8111-111111111111"
        .parse()
        .expect("uuid");
    assert!(eventually(|| async { count_of(&store, account, "Deposited").await == 1 }).await);
    tokio::time::sleep(Duration::from_millis(300)).await;
    running.stop().await;

    let shown = psql(readme_sql("read"));
    assert!(
        shown.contains("Opened") && shown.contains("Deposited"),
        "{shown}"
    );
    assert_eq!(count_of(&store, account, "Deposited").await, 1);
    assert_eq!(balance(&store, account).await, Money::from_cents(1234));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_poison_command_is_parked_with_the_reason_and_the_next_one_is_handled() {
    let Some(store) = postgres::fresh_store().await else {
        return;
    };
    let (account, other) = (Uuid::new_v4(), Uuid::new_v4());
    open(&store, account).await;
    // Garbled data, and a command whose data names another account than
    // its stream: neither can ever be handled.
    sql_command(
        &store,
        account,
        "Deposit",
        serde_json::json!({ "depositId": "not-a-uuid", "amount": "lots" }),
    )
    .await;
    sql_command(
        &store,
        account,
        "Deposit",
        serde_json::json!({ "depositId": Uuid::new_v4(), "accountId": other, "amount": 100, "time": "2026-11-26T10:00:00.000Z" }),
    )
    .await;
    transaction(&store, "Deposit", account, Uuid::new_v4(), 250).await;

    let running = Running::start(&store, None);
    assert!(eventually(|| async { count_of(&store, account, "Deposited").await == 1 }).await);
    running.stop().await;

    let parked = store
        .read_category(&messaging::CategoryRead::new(
            messaging::Category::new("account:command+deadLetter").expect("valid"),
        ))
        .await
        .expect("read");
    let parked: Vec<messaging::consumer::DeadLettered> = parked
        .iter()
        .map(|message| message.decode().expect("a dead letter"))
        .collect();
    assert_eq!(parked.len(), 2, "{parked:#?}");
    assert!(
        parked
            .iter()
            .all(|letter| letter.stream_name == format!("account:command-{account}"))
    );
    assert_eq!(
        parked
            .iter()
            .map(|letter| letter.position)
            .collect::<Vec<_>>(),
        vec![1, 2]
    );
    assert!(
        parked[1].error.contains("not the account of its stream"),
        "{}",
        parked[1].error
    );
    assert_eq!(balance(&store, account).await, Money::from_cents(250));
    assert_eq!(balance(&store, other).await, Money::ZERO);
}
