//! Stores from the past: message stores written by earlier releases of the
//! bank, kept in `tests/fixtures/stores/`, opened with this one.
//!
//! A message store keeps every message for ever, so every release must read
//! what every earlier one wrote. A release that renamed a field, or made an
//! optional one required, would lose every account's history on the day it
//! is deployed; this is the test that fails first. Each fixture is a SQLite
//! message store written through the bank's own forms (opens, deposits, a
//! refused withdrawal, transfers, a cancelled one and a reversed one, a
//! close), and beside it what the views showed at the time. The test
//! builds the views again from the old store with this release's
//! aggregator, and checks that every balance and statement is what it was,
//! that the audit is clean, and that new commands work on those accounts.
//!
//! Before a release changes a message, make the fixture of the release
//! *before* the change, with its own code (see CHANGING_MESSAGES.md):
//!
//! ```sh
//! STORE_FIXTURE=2026-12-07 cargo test -p bank --test stores_from_the_past -- --ignored
//! ```

#[path = "support/bank_process.rs"]
mod bank_process;
#[path = "support/http.rs"]
mod http;

use std::path::{Path, PathBuf};

use bank_process::{DataFolder, bank, start, stop};
use http::{deposit, open, open_and_deposit, request, send_form, wait_for};
use views::{ViewDatabase, Views};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/stores")
}

/// Waits until the page at `path` shows a transfer with status `status`.
async fn transfer_ends(address: &str, location: &str, status: &str) {
    let path = location.split('?').next().expect("a path");
    wait_for(
        address,
        path,
        &format!(r#"data-testid="transfer-status">{status}<"#),
    )
    .await;
}

async fn balance_is(address: &str, account: &str, balance: &str) {
    wait_for(
        address,
        &format!("/accounts/{account}"),
        &format!(r#"data-testid="balance">{balance}<"#),
    )
    .await;
}

async fn transfer(address: &str, from: &str, to: &str, amount: &str) -> String {
    send_form(
        address,
        from,
        "Transfer</h2>",
        "transfers",
        &[("to_account_id", to), ("amount", amount)],
    )
    .await
}

async fn switch(address: &str, component: &str, to: &str) {
    let switched = request(
        address,
        "POST",
        &format!("/operations/components/{component}/{to}"),
        Some(&[]),
    )
    .await;
    assert_eq!(switched.status, 303, "{}", switched.body);
}

/// The history every fixture holds, written through the forms: each kind
/// of message the bank writes, at least once.
async fn write_a_history(address: &str) {
    let ada = open_and_deposit(address, "Ada", "100.00").await;
    let grace = open_and_deposit(address, "Grace", "50.00").await;
    let alan = open_and_deposit(address, "Alan", "10.00").await;
    let edsger = open(address, "Edsger").await;
    balance_is(address, &alan, "10.00").await;

    // A withdrawal, and one refused for want of funds.
    send_form(
        address,
        &grace,
        "Withdraw</h2>",
        "withdrawals",
        &[("amount", "20.00")],
    )
    .await;
    send_form(
        address,
        &alan,
        "Withdraw</h2>",
        "withdrawals",
        &[("amount", "1000.00")],
    )
    .await;
    balance_is(address, &grace, "30.00").await;

    // A transfer, and one cancelled because the source is short.
    let done = transfer(address, &ada, &grace, "30.00").await;
    transfer_ends(address, &done, "transferred").await;
    let cancelled = transfer(address, &alan, &ada, "500.00").await;
    transfer_ends(address, &cancelled, "cancelled").await;

    // A transfer reversed: the destination closes while the accounts wait,
    // so the deposit is refused and the money goes back.
    wait_for(
        address,
        &format!("/accounts/{edsger}"),
        "Close the account</h2>",
    )
    .await;
    switch(address, "account-component", "pause").await;
    let reversed = transfer(address, &ada, &edsger, "5.00").await;
    send_form(address, &edsger, "Close the account</h2>", "close", &[]).await;
    switch(address, "account-component", "resume").await;
    transfer_ends(address, &reversed, "reversed").await;

    // And one more deposit, after it all.
    deposit(address, &grace, "0.01").await;
    balance_is(address, &grace, "60.01").await;
    balance_is(address, &ada, "70.00").await;
}

/// What the views show of every account, in words: its holder, status and
/// balance, and its statement, line by line. Made the same way when the
/// fixture is written and when it is opened, so the two can be compared.
async fn summary(data_dir: &Path) -> String {
    let (_, views_url) = bank::databases::embedded_urls(data_dir);
    let database = ViewDatabase::connect(&views_url, 1)
        .await
        .expect("the views open");
    let views = Views::new(&database);
    let mut accounts = views.accounts().await.expect("the accounts");
    accounts.sort_by(|a, b| a.holder_name.cmp(&b.holder_name));
    let mut lines = Vec::new();
    for account in accounts {
        lines.push(format!(
            "{} {:?} {}",
            account.holder_name.as_deref().unwrap_or("?"),
            account.status,
            account.balance
        ));
        for line in views
            .statement(account.account_id, None)
            .await
            .expect("a statement")
        {
            lines.push(format!(
                "  {:?} {} -> {}{}",
                line.entry,
                line.amount,
                line.balance_after,
                line.reason
                    .map(|reason| format!(" ({reason})"))
                    .unwrap_or_default()
            ));
        }
    }
    lines.join("\n") + "\n"
}

/// Writes this release's fixture, named by `STORE_FIXTURE`. Run by hand,
/// with the code of the release before a change (see the top of the file).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "writes a fixture: run by hand before a message changes"]
async fn write_the_store_of_this_release() {
    let name = std::env::var("STORE_FIXTURE").expect("STORE_FIXTURE names the fixture");
    let data_dir = DataFolder::new("store-fixture");
    let (running, address) = start(&data_dir).await;
    write_a_history(&address).await;
    stop(running).await;
    let report = bank(&["audit"], &data_dir);
    assert!(report.ends_with("violations: 0\n"), "{report}");
    // `VACUUM INTO` writes one compact file, with whatever the write-ahead
    // log still held: a copy of the file alone could miss the last writes.
    std::fs::create_dir_all(fixtures()).expect("the fixtures folder");
    let copy = fixtures().join(format!("{name}.sqlite"));
    let _ = std::fs::remove_file(&copy);
    sqlx::any::install_default_drivers();
    let mut store = <sqlx::AnyConnection as sqlx::Connection>::connect(
        &bank::databases::embedded_urls(&data_dir).0,
    )
    .await
    .expect("the store opens");
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "VACUUM INTO '{}'",
        copy.display().to_string().replace('\'', "''")
    )))
    .execute(&mut store)
    .await
    .expect("the store copied");
    std::fs::write(
        fixtures().join(format!("{name}.summary")),
        summary(&data_dir).await,
    )
    .expect("the summary written");
}

/// Every fixture: its views built again by this release are what they
/// were, its audit is clean, and its accounts take new commands.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_store_from_the_past_opens_with_this_release() {
    let mut stores: Vec<PathBuf> = std::fs::read_dir(fixtures())
        .expect("the fixtures")
        .map(|entry| entry.expect("an entry").path())
        .filter(|path| {
            path.extension()
                .is_some_and(|extension| extension == "sqlite")
        })
        .collect();
    stores.sort();
    assert!(!stores.is_empty(), "no fixture in {}", fixtures().display());
    for store in stores {
        opens_with_this_release(&store).await;
    }
}

async fn opens_with_this_release(store: &Path) {
    let expected = std::fs::read_to_string(store.with_extension("summary")).expect("its summary");
    let data_dir = DataFolder::new("store-from-the-past");
    std::fs::create_dir_all(&data_dir).expect("a data folder");
    std::fs::copy(store, data_dir.join("messages.sqlite")).expect("the store copied");

    // The views are built from nothing, by this release's aggregator.
    let (running, address) = start(&data_dir).await;
    let ada = wait_for(&address, "/", "Ada").await;
    assert_eq!(ada.status, 200);
    let mut seen = String::new();
    for _ in 0..300 {
        seen = summary(&data_dir).await;
        if seen == expected {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(seen, expected, "{}: the views differ", store.display());
    stop(running).await;
    let report = bank(&["audit"], &data_dir);
    assert!(report.ends_with("violations: 0\n"), "{report}");

    // New commands on the old accounts: a deposit and a transfer.
    let (running, address) = start(&data_dir).await;
    let accounts = Views::new(
        &ViewDatabase::connect(&bank::databases::embedded_urls(&data_dir).1, 1)
            .await
            .expect("the views open"),
    )
    .accounts()
    .await
    .expect("the accounts");
    let id_of = |name: &str| {
        accounts
            .iter()
            .find(|account| account.holder_name.as_deref() == Some(name))
            .map(|account| account.account_id.to_string())
            .expect("an account of that name")
    };
    let (ada, grace) = (id_of("Ada"), id_of("Grace"));
    deposit(&address, &ada, "1.00").await;
    let moved = transfer(&address, &ada, &grace, "2.00").await;
    transfer_ends(&address, &moved, "transferred").await;
    balance_is(&address, &ada, "69.00").await;
    balance_is(&address, &grace, "62.01").await;
    stop(running).await;
    let report = bank(&["audit"], &data_dir);
    assert!(report.ends_with("violations: 0\n"), "{report}");
}
