//! The auditor answers any store: amounts as large as a form accepts, and
//! messages the components had to park (data that is not JSON, data of the
//! wrong shape, metadata that is not JSON, a command addressed to another
//! account than its stream's). It never overflows and never stops; the
//! parked messages are listed as parked, not reported as commands nobody
//! answered.

#[path = "support/bank_process.rs"]
mod bank_process;
#[path = "support/http.rs"]
mod http;

use std::time::Duration;

use account_component::streams as account_streams;
use bank::audit::{Expect, Report, audit};
use bank_process::{DataFolder, bank, start, stop};
use http::{deposit, open_and_deposit, wait_for};
use messaging::{Clock, Component, ComponentSettings, MessageStore, StreamName};
use proptest::prelude::*;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

/// Writes a message exactly as given, with no checks, the way a careless
/// script could write straight into a SQLite store.
async fn write_raw(
    store: &MessageStore,
    stream: &StreamName,
    message_type: &str,
    data: &str,
    metadata: Option<&str>,
) {
    let pool = store.as_sqlite().expect("a SQLite store").pool();
    let category = stream.category().to_string();
    let hash = stream.cardinal_id().map(messaging::hash_64);
    sqlx::query(
        "INSERT INTO messages (position, stream_name, type, data, metadata, id, category, \
         cardinal_id_hash) \
         VALUES ((SELECT coalesce(max(position), -1) + 1 FROM messages WHERE stream_name = ?1), \
                 ?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )
    .bind(stream.as_str())
    .bind(message_type)
    .bind(data)
    .bind(metadata)
    .bind(Uuid::new_v4().to_string())
    .bind(category)
    .bind(hash)
    .execute(pool)
    .await
    .expect("written");
}

/// A message of each kind a consumer parks, or a command with an extreme
/// amount.
#[derive(Clone, Debug)]
enum Sent {
    /// A `Deposit` or `Withdraw` of `cents`, well formed.
    Transaction {
        deposit: bool,
        account: usize,
        cents: i64,
    },
    /// Data that is not JSON at all.
    NotJson { account: usize },
    /// JSON, but not a `Deposit`.
    WrongShape { account: usize },
    /// A good `Deposit` whose metadata is not JSON.
    BrokenMetadata { account: usize, cents: i64 },
    /// A good `Deposit` of another account, in this account's stream.
    Misaddressed { account: usize, other: usize },
}

impl Sent {
    /// Whether a consumer parks it.
    fn is_parked(&self) -> bool {
        !matches!(self, Sent::Transaction { .. })
    }
}

fn extreme_cents() -> impl Strategy<Value = i64> {
    prop_oneof![
        Just(i64::MAX),
        Just(i64::MAX - 1),
        Just(i64::MIN),
        Just(-1),
        Just(0),
        Just(1),
        1i64..1_000_000,
    ]
}

fn sent(accounts: usize) -> impl Strategy<Value = Sent> {
    let account = 0..accounts;
    prop_oneof![
        (any::<bool>(), account.clone(), extreme_cents()).prop_map(|(deposit, account, cents)| {
            Sent::Transaction {
                deposit,
                account,
                cents,
            }
        }),
        account
            .clone()
            .prop_map(|account| Sent::NotJson { account }),
        account
            .clone()
            .prop_map(|account| Sent::WrongShape { account }),
        (account.clone(), extreme_cents())
            .prop_map(|(account, cents)| Sent::BrokenMetadata { account, cents }),
        (account.clone(), account)
            .prop_filter("another account", |(one, other)| one != other)
            .prop_map(|(account, other)| Sent::Misaddressed { account, other }),
    ]
}

fn transaction(deposit: bool, account: Uuid, cents: i64) -> (&'static str, String) {
    let (message_type, key) = if deposit {
        ("Deposit", "depositId")
    } else {
        ("Withdraw", "withdrawalId")
    };
    let data = format!(
        r#"{{"{key}": "{}", "accountId": "{account}", "amount": {cents}, "time": "2026-11-26T10:00:00.000Z"}}"#,
        Uuid::new_v4()
    );
    (message_type, data)
}

/// Writes `sent` into the command stream of its account.
async fn write(store: &MessageStore, accounts: &[Uuid], sent: &Sent) {
    let stream = |account: usize| account_streams::command_stream(accounts[account]);
    match *sent {
        Sent::Transaction {
            deposit,
            account,
            cents,
        } => {
            let (message_type, data) = transaction(deposit, accounts[account], cents);
            write_raw(store, &stream(account), message_type, &data, None).await;
        }
        Sent::NotJson { account } => {
            write_raw(store, &stream(account), "Deposit", r#"{"depositId":"#, None).await;
        }
        Sent::WrongShape { account } => {
            let data = r#"{"depositId": "not an id", "amount": "lots"}"#;
            write_raw(store, &stream(account), "Deposit", data, None).await;
        }
        Sent::BrokenMetadata { account, cents } => {
            let (message_type, data) = transaction(true, accounts[account], cents);
            write_raw(
                store,
                &stream(account),
                message_type,
                &data,
                Some("{broken"),
            )
            .await;
        }
        Sent::Misaddressed { account, other } => {
            let (message_type, data) = transaction(true, accounts[other], 100);
            write_raw(store, &stream(account), message_type, &data, None).await;
        }
    }
}

/// Runs the components on a fresh SQLite store, opens `accounts` accounts,
/// writes `sent`, and audits the store once the bank has settled: the first
/// report with no violation and every bad message parked, or the last one
/// after ten seconds.
async fn audited(accounts: usize, sent: &[Sent]) -> Report {
    let (store, _file) = messaging::controls::sqlite::fresh_store().await;
    let settings = ComponentSettings {
        poll_interval: Duration::from_millis(5),
        ..ComponentSettings::default()
    };
    let shutdown = CancellationToken::new();
    let mut account_component = Component::new(store.clone(), settings, &shutdown);
    account_component::start(&mut account_component, store.clone(), Clock::system());
    let mut transfer_component = Component::new(store.clone(), settings, &shutdown);
    funds_transfer_component::start(&mut transfer_component, store.clone(), Clock::system());
    tokio::spawn(account_component.run());
    tokio::spawn(transfer_component.run());
    let ids: Vec<Uuid> = (0..accounts).map(|_| Uuid::new_v4()).collect();
    for id in &ids {
        let open = format!(
            r#"{{"accountId": "{id}", "customerId": "{}", "holderName": "Extreme", "time": "2026-11-26T10:00:00.000Z"}}"#,
            Uuid::new_v4()
        );
        write_raw(
            &store,
            &account_streams::command_stream(*id),
            "Open",
            &open,
            None,
        )
        .await;
    }
    for message in sent {
        write(&store, &ids, message).await;
    }
    let parked = sent.iter().filter(|message| message.is_parked()).count();
    let mut report = Report::default();
    for _ in 0..200 {
        report = audit(&store, None, Expect::Quiescent)
            .await
            .expect("the auditor answers");
        if report.violations() == 0 && report.parked.len() == parked {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    shutdown.cancel();
    report
}

fn printed(report: &Report) -> String {
    let mut out = Vec::new();
    report.print(&mut out).expect("printed");
    String::from_utf8_lossy(&out).to_string()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn the_auditor_answers_a_store_of_extreme_amounts_and_parked_messages(
        sent in prop::collection::vec(sent(3), 1..8),
    ) {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a runtime");
        let report = runtime.block_on(audited(3, &sent));
        let parked = sent.iter().filter(|message| message.is_parked()).count();
        prop_assert_eq!(report.violations(), 0, "{}", printed(&report));
        prop_assert_eq!(report.parked.len(), parked, "{}", printed(&report));
    }
}

/// The largest amount the deposit form accepts: every cent an `i64` holds.
const LARGEST: &str = "92233720368547758.07";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bank_audit_passes_after_two_deposits_of_the_largest_amount() {
    let data_dir = DataFolder::new("audit-largest");
    let (running, address) = start(&data_dir).await;
    let first = open_and_deposit(&address, "First", LARGEST).await;
    let second = open_and_deposit(&address, "Second", LARGEST).await;
    for account in [&first, &second] {
        wait_for(
            &address,
            &format!("/accounts/{account}"),
            r#"balance">92,233,720,368,547,758.07<"#,
        )
        .await;
    }
    // A third is refused: the balance would go beyond what it can hold.
    deposit(&address, &first, "1").await;
    wait_for(
        &address,
        &format!("/accounts/{first}"),
        "the balance would exceed its limit",
    )
    .await;
    stop(running).await;

    let report = bank(&["audit"], &data_dir);
    assert!(report.ends_with("violations: 0\n"), "{report}");
    assert!(
        report.contains("184,467,440,737,095,516.14 in accounts"),
        "the sum is shown whole, grouped as the pages group money: {report}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bank_audit_lists_a_parked_command_with_broken_metadata_and_passes() {
    let data_dir = DataFolder::new("audit-parked");
    let (running, address) = start(&data_dir).await;
    let account = open_and_deposit(&address, "Parked", "5").await;
    wait_for(
        &address,
        &format!("/accounts/{account}"),
        r#"balance">5.00<"#,
    )
    .await;
    let (store_url, _) = bank::databases::embedded_urls(&data_dir);
    let store = MessageStore::connect(&store_url, 1)
        .await
        .expect("the store");
    let id: Uuid = account.parse().expect("an id");
    let (message_type, data) = transaction(true, id, 700);
    let stream = account_streams::command_stream(id);
    write_raw(&store, &stream, message_type, &data, Some("{broken")).await;
    wait_for(&address, "/operations", "unreadable metadata").await;
    stop(running).await;

    let report = bank(&["audit"], &data_dir);
    assert!(report.ends_with("violations: 0\n"), "{report}");
    assert!(report.contains("Parked messages"), "{report}");
    assert!(
        report.contains(&format!("Deposit at {stream} position 2")),
        "{report}"
    );
}
