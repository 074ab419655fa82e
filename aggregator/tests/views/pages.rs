//! The UI's reads: the account page in one statement, the directory a page
//! at a time, and the pools and plans behind them.

use std::time::Duration;

use messaging::Time;
use messaging::controls::postgres;
use uuid::Uuid;
use views::account_page::{DESTINATIONS_SHOWN, StatementLines, TRANSFERS_SHOWN};
use views::accounts::{Account, AccountStatus};
use views::directory::PageStart;
use views::{ViewDatabase, Views};

use crate::support::*;

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

crate::support::on_both!(
    the_account_page_reads_in_one_statement_what_each_query_reads,
    accounts_are_found_a_page_at_a_time_and_by_the_start_of_a_name
);
