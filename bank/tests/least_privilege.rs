//! Least privilege on Postgres: each binary's role can do what it needs and
//! is refused everything else, by the database itself.

use std::time::Duration;

use account_component::Money;
use account_component::client::AccountCommand;
use account_component::messages::commands::{Deposit, Open};
use messaging::controls::postgres::{fresh_database, store_at};
use messaging::store::Writes;
use messaging::{Clock, Component, ComponentSettings, MessageStore, NewMessage, StreamName, Time};
use sqlx::Connection;
use sqlx::postgres::PgConnection;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

struct Databases {
    store_url: String,
    views_url: String,
}

/// The same URL, connecting as `role` (the test cluster trusts local users).
fn as_role(url: &str, role: &str) -> String {
    let (scheme, rest) = url.split_once("://").expect("a URL");
    format!(
        "{scheme}://{role}@{}",
        rest.split_once('@').map_or(rest, |(_, host)| host)
    )
}

/// A message store and a views database with the roles installed, and the
/// views created by the aggregator's role, as in production.
async fn databases() -> Option<Databases> {
    let store_url = fresh_database("privilege_store").await?;
    store_at(&store_url).await;
    let views_url = fresh_database("privilege_views").await?;
    bank::roles::install(&store_url, &views_url)
        .await
        .expect("roles installed");
    let views = views::ViewDatabase::connect(&as_role(&views_url, "bank_aggregator"), 1)
        .await
        .expect("the aggregator connects");
    views
        .install()
        .await
        .expect("the aggregator creates and owns the views");
    Some(Databases {
        store_url,
        views_url,
    })
}

async fn refused(url: &str, role: &str, sql: &str, expected: &str) {
    let mut connection = PgConnection::connect(&as_role(url, role))
        .await
        .expect("connects");
    let error = sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
        .execute(&mut connection)
        .await
        .expect_err(&format!("{role} may not: {sql}"));
    assert!(
        error.to_string().contains(expected),
        "{role}: {sql}: {error}"
    );
}

async fn allowed(url: &str, role: &str, sql: &str) {
    let mut connection = PgConnection::connect(&as_role(url, role))
        .await
        .expect("connects");
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
        .execute(&mut connection)
        .await
        .unwrap_or_else(|error| panic!("{role} may: {sql}: {error}"));
}

const REWRITES: [&str; 3] = [
    "UPDATE message_store.messages SET type = 'Deposited'",
    "DELETE FROM message_store.messages",
    "TRUNCATE message_store.messages",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_components_append_and_read_but_never_rewrite_history() {
    let Some(db) = databases().await else { return };
    for role in ["bank_account_component", "bank_funds_transfer_component"] {
        allowed(&db.store_url, role, "SELECT message_store.write_message(gen_random_uuid()::varchar, 'account-1', 'Opened', '{}')").await;
        allowed(
            &db.store_url,
            role,
            "SELECT * FROM message_store.get_category_messages('account')",
        )
        .await;
        for sql in REWRITES {
            refused(&db.store_url, role, sql, "permission denied").await;
        }
        refused(
            &db.store_url,
            role,
            "CREATE TABLE message_store.mine (x int)",
            "permission denied",
        )
        .await;
    }
    for role in ["bank_account_component", "bank_funds_transfer_component"] {
        refused(
            &db.views_url,
            role,
            "SELECT * FROM accounts",
            "permission denied",
        )
        .await;
    }
}

/// What no role but the writers may do in the message store: insert rows
/// itself (choosing their global position), call `write_message`, or take
/// a category's lock and hold it.
async fn refused_every_direct_write(url: &str, role: &str) {
    refused(
        url,
        role,
        "INSERT INTO message_store.messages (id, stream_name, position, type, data, global_position) \
         VALUES (gen_random_uuid(), 'account:command-1', 0, 'Deposit', '{}', 9223372036854775806)",
        "permission denied for table messages",
    )
    .await;
    refused(
        url,
        role,
        "SELECT message_store.write_message(gen_random_uuid()::varchar, 'account-1', 'Deposited', '{}')",
        "permission denied for function write_message",
    )
    .await;
    refused(
        url,
        role,
        "SELECT message_store.acquire_lock('account-1')",
        "permission denied for function acquire_lock",
    )
    .await;
    refused(
        url,
        role,
        "SELECT pg_advisory_lock(message_store.hash_64('account'))",
        "permission denied for function pg_advisory_lock",
    )
    .await;
    for sql in REWRITES {
        refused(url, role, sql, "permission denied").await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_web_ui_writes_commands_through_its_function_and_nothing_else() {
    let Some(db) = databases().await else { return };
    refused_every_direct_write(&db.store_url, "bank_web").await;
    // Its function refuses an event, whatever the caller.
    refused(
        &db.store_url,
        "bank_web",
        "SELECT message_store.write_command(gen_random_uuid()::varchar, 'account-1', 'Deposited', \
         '{\"amount\": 1000000}')",
        "Only :command streams may be written here (Stream: account-1)",
    )
    .await;

    // A command through the function is handled as before: the account
    // component, on its own role, opens the account and takes the deposit.
    let web = MessageStore::connect(&as_role(&db.store_url, "bank_web"), 2)
        .await
        .expect("connects")
        .restricted_to(Writes::OnlyCommands);
    let account_id = Uuid::new_v4();
    let open = Open {
        account_id,
        customer_id: Uuid::new_v4(),
        holder_name: "Through the function".into(),
        time: Time::now(),
    };
    AccountCommand::open(&open)
        .expect("encodes")
        .send(&web)
        .await
        .expect("a command is allowed");
    let deposit = Deposit {
        deposit_id: Uuid::new_v4(),
        account_id,
        amount: Money::from_cents(100),
        time: Time::now(),
        reference: None,
    };
    AccountCommand::deposit(&deposit)
        .expect("encodes")
        .send(&web)
        .await
        .expect("a command is allowed");
    let component_store =
        MessageStore::connect(&as_role(&db.store_url, "bank_account_component"), 4)
            .await
            .expect("connects");
    let shutdown = CancellationToken::new();
    let mut component = Component::new(
        component_store.clone(),
        ComponentSettings::default(),
        &shutdown,
    );
    account_component::start(&mut component, component_store, Clock::system());
    let running = tokio::spawn(component.run());
    let stream = account_component::streams::account_stream(account_id);
    let mut events = Vec::new();
    for _ in 0..200 {
        events = web.read_stream(&stream, 0, 10).await.expect("it can read");
        if events.len() == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    shutdown.cancel();
    running.await.expect("task").expect("stopped cleanly");
    let types: Vec<&str> = events.iter().map(|e| e.message_type.as_str()).collect();
    assert_eq!(types, ["Opened", "Deposited"]);

    // An event written by the UI would create money: its handle refuses it
    // before sending, and a handle that did not would meet the database.
    let forged = account_component::messages::events::Deposited {
        deposit_id: Uuid::new_v4(),
        account_id,
        amount: Money::from_cents(1_000_000),
        time: Time::now(),
        processed_time: Time::now(),
        sequence: 1,
        reference: None,
    };
    let unrestricted = MessageStore::connect(&as_role(&db.store_url, "bank_web"), 1)
        .await
        .expect("connects");
    for stream in [
        format!("account-{account_id}"),
        format!("fundsTransfer-{account_id}"),
        format!("accountTransaction-{account_id}+x"),
    ] {
        let stream = StreamName::from_stored(stream);
        let message = NewMessage::new(&forged).expect("encodes");
        let error = web
            .write_message(&stream, &message, messaging::ExpectedVersion::Any)
            .await
            .expect_err("refused by the handle");
        assert!(
            error.to_string().contains("writes only command streams"),
            "{stream}: {error}"
        );
        let error = unrestricted
            .write_message(&stream, &message, messaging::ExpectedVersion::Any)
            .await
            .expect_err("refused by the database");
        assert!(
            error.to_string().contains("permission denied"),
            "{stream}: {error}"
        );
    }

    allowed(&db.views_url, "bank_web", "SELECT * FROM accounts").await;
    for sql in [
        "INSERT INTO accounts (account_id, status, last_position) VALUES ('x', 'open', 1)",
        "UPDATE accounts SET balance = 1000000",
        "DELETE FROM statement_lines",
        "UPDATE aggregator_positions SET position = 0",
        "CREATE TABLE mine (x int)",
        "DROP TABLE accounts",
    ] {
        refused(&db.views_url, "bank_web", sql, "").await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_aggregator_reads_and_parks_dead_letters_and_writes_nothing_else() {
    let Some(db) = databases().await else { return };
    refused_every_direct_write(&db.store_url, "bank_aggregator").await;
    refused(
        &db.store_url,
        "bank_aggregator",
        "SELECT message_store.write_dead_letter(gen_random_uuid()::varchar, 'account-1', 'Deposited', '{}')",
        "Only +deadLetter streams may be written here (Stream: account-1)",
    )
    .await;
    refused(
        &db.store_url,
        "bank_aggregator",
        "SELECT message_store.write_command(gen_random_uuid()::varchar, 'account:command-1', 'Deposit', '{}')",
        "permission denied for function write_command",
    )
    .await;

    // An event it cannot apply is parked, through its function, and the
    // views are built as before.
    let superuser = store_at(&db.store_url).await;
    let account_id = Uuid::new_v4();
    let garbled = NewMessage {
        id: Uuid::new_v4(),
        message_type: "Deposited".into(),
        data: r#"{"amount":"lots"}"#.into(),
        metadata: Default::default(),
    };
    superuser
        .write_message(
            &account_component::streams::account_stream(account_id),
            &garbled,
            messaging::ExpectedVersion::Any,
        )
        .await
        .expect("written");
    let store = MessageStore::connect(&as_role(&db.store_url, "bank_aggregator"), 2)
        .await
        .expect("connects")
        .restricted_to(Writes::OnlyDeadLetters);
    let views = views::ViewDatabase::connect(&as_role(&db.views_url, "bank_aggregator"), 1)
        .await
        .expect("connects");
    aggregator::catch_up(&store, &views, 100)
        .await
        .expect("caught up, the garbled event parked");
    let parked = store
        .read_last(
            &StreamName::from_stored("account+deadLetter-aggregator"),
            None,
        )
        .await
        .expect("read")
        .expect("parked");
    assert_eq!(parked.message_type, "DeadLettered");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_aggregator_owns_the_views_and_can_rebuild_them() {
    let Some(db) = databases().await else { return };
    let views = views::ViewDatabase::connect(&as_role(&db.views_url, "bank_aggregator"), 1)
        .await
        .expect("connects");
    let store = MessageStore::connect(&as_role(&db.store_url, "bank_aggregator"), 2)
        .await
        .expect("connects")
        .restricted_to(Writes::OnlyDeadLetters);
    aggregator::rebuild(&store, &views, 100)
        .await
        .expect("the aggregator drops and recreates its views");
    allowed(
        &db.views_url,
        "bank_aggregator",
        "UPDATE aggregator_positions SET position = 0",
    )
    .await;
    // The web UI can still read what the aggregator recreated.
    allowed(&db.views_url, "bank_web", "SELECT * FROM transfers").await;
}

/// The operator's audit, as compose runs it: the `bank` binary as the
/// aggregator's role, which may read the store and owns the views but may
/// not install the store nor create databases. It reads, installs nothing,
/// and reports a clean bank.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_audit_runs_as_the_aggregators_role() {
    let Some(db) = databases().await else { return };
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_bank"))
        .arg("audit")
        .env(
            "MESSAGE_STORE_URL",
            as_role(&db.store_url, "bank_aggregator"),
        )
        .env(
            "VIEW_DATABASE_URL",
            as_role(&db.views_url, "bank_aggregator"),
        )
        .env("RUST_LOG", "warn")
        .output()
        .expect("runs");
    let printed = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{printed}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(printed.contains("violations: 0"), "{printed}");
}
