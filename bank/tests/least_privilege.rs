//! Least privilege on Postgres: each binary's role can do what it needs and
//! is refused everything else, by the database itself.

use account_component::Money;
use account_component::client::AccountCommand;
use account_component::messages::commands::Deposit;
use messaging::controls::postgres::{fresh_database, store_at};
use messaging::{MessageStore, NewMessage, StreamName, Time};
use sqlx::Connection;
use sqlx::postgres::PgConnection;
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
    for role in [
        "bank_account_component",
        "bank_funds_transfer_component",
        "bank_aggregator",
    ] {
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_web_ui_appends_commands_and_nothing_else() {
    let Some(db) = databases().await else { return };
    let web = MessageStore::connect(&as_role(&db.store_url, "bank_web"), 1)
        .await
        .expect("connects");
    let account_id = Uuid::new_v4();
    let deposit = Deposit {
        deposit_id: Uuid::new_v4(),
        account_id,
        amount: Money::from_cents(100),
        time: Time::now(),
    };
    AccountCommand::deposit(&deposit)
        .expect("encodes")
        .send(&web)
        .await
        .expect("a command is allowed");
    assert_eq!(
        web.read_stream(
            &account_component::streams::command_stream(account_id),
            0,
            10
        )
        .await
        .expect("it can read")
        .len(),
        1
    );

    // An event written by the UI would create money: the database refuses it.
    let forged = account_component::messages::events::Deposited {
        deposit_id: Uuid::new_v4(),
        account_id,
        amount: Money::from_cents(1_000_000),
        time: Time::now(),
        processed_time: Time::now(),
        sequence: 1,
    };
    for stream in [
        format!("account-{account_id}"),
        format!("fundsTransfer-{account_id}"),
        format!("accountTransaction-{account_id}+x"),
    ] {
        let error = web
            .write_message(
                &StreamName::from_stored(stream.clone()),
                &NewMessage::new(&forged).expect("encodes"),
                messaging::ExpectedVersion::Any,
            )
            .await
            .expect_err(&stream);
        assert!(
            error.to_string().contains("row-level security"),
            "{stream}: {error}"
        );
    }
    for sql in REWRITES {
        refused(&db.store_url, "bank_web", sql, "permission denied").await;
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
async fn the_aggregator_owns_the_views_and_can_rebuild_them() {
    let Some(db) = databases().await else { return };
    let views = views::ViewDatabase::connect(&as_role(&db.views_url, "bank_aggregator"), 1)
        .await
        .expect("connects");
    let store = MessageStore::connect(&as_role(&db.store_url, "bank_aggregator"), 2)
        .await
        .expect("connects");
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
