//! The views tell the truth: the accounts and statements against the
//! account streams themselves, the other views against a rebuild.
//!
//! A rebuild runs the same projection code as the live views, so comparing
//! with it finds drift (a batch applied twice, a row skipped), not a
//! projection that is wrong. The accounts and the statements, where money
//! is shown, are therefore checked against a replay of the account streams
//! that shares no code with the aggregator.

use std::collections::BTreeMap;

use account_component::Money;
use messaging::MessageStore;
use uuid::Uuid;
use views::statement::Entry;
use views::{ViewDatabase, Views};

use super::Invariant;
use super::records::{Answer, Direction, Records};

/// A statement line as the account stream implies it.
#[derive(Debug, PartialEq, Eq)]
struct Line {
    global_position: i64,
    entry: Entry,
    transaction_id: Uuid,
    amount: Money,
    balance_after: Money,
}

/// Each account's balance and statement in the views, against its stream.
pub async fn agree_with_the_streams(
    records: &Records,
    views: &ViewDatabase,
) -> anyhow::Result<Invariant> {
    let mut streams: BTreeMap<Uuid, Vec<&Answer>> = BTreeMap::new();
    for account in &records.opened {
        streams.entry(*account).or_default();
    }
    for answer in &records.answers {
        streams.entry(answer.account_id).or_default().push(answer);
    }
    let read = Views::new(views);
    let mut violations = Vec::new();
    let mut lines_checked = 0;
    for (account, answers) in &streams {
        let mut balance = Money::ZERO;
        let mut expected = Vec::new();
        for answer in answers {
            // A damaged store's balance may go beyond what a `Money` holds;
            // the views cannot show it either, and the line disagrees.
            let after = i128::from(balance.cents()) + answer.change();
            let bounded = after.clamp(i128::from(i64::MIN), i128::from(i64::MAX));
            balance = Money::from_cents(i64::try_from(bounded).unwrap_or_default());
            expected.push(Line {
                global_position: answer.global_position,
                entry: entry(answer),
                transaction_id: answer.transaction_id,
                amount: answer.amount,
                balance_after: balance,
            });
        }
        let shown = read.statement(*account, None).await?;
        let shown: Vec<Line> = shown
            .into_iter()
            .map(|line| Line {
                global_position: line.global_position,
                entry: line.entry,
                transaction_id: line.transaction_id,
                amount: line.amount,
                balance_after: line.balance_after,
            })
            .collect();
        lines_checked += expected.len();
        for line in &expected {
            match shown.iter().find(|s| s.global_position == line.global_position) {
                None => violations.push(format!(
                    "account {account}: the {:?} at global position {} has no statement line",
                    line.entry, line.global_position
                )),
                Some(shown) if shown != line => violations.push(format!(
                    "account {account}: the statement shows {shown:?} where the stream says {line:?}"
                )),
                Some(_) => {}
            }
        }
        for line in &shown {
            if !expected
                .iter()
                .any(|e| e.global_position == line.global_position)
            {
                violations.push(format!(
                    "account {account}: the statement shows {line:?}, which no event says"
                ));
            }
        }
        let in_the_views = read.account(*account).await?.map(|row| row.balance);
        if answers.iter().any(|answer| answer.accepted) && in_the_views != Some(balance) {
            violations.push(format!(
                "account {account}: the views show a balance of {in_the_views:?}, its stream {balance}"
            ));
        }
    }
    Ok(Invariant {
        name: "balances and statements agree with the account streams",
        checked: format!("{} accounts, {lines_checked} lines", streams.len()),
        violations,
    })
}

fn entry(answer: &Answer) -> Entry {
    match (answer.direction, answer.accepted) {
        (Direction::In, true) => Entry::Deposit,
        (Direction::In, false) => Entry::DepositRejected,
        (Direction::Out, true) => Entry::Withdrawal,
        (Direction::Out, false) => Entry::WithdrawalRejected,
    }
}

/// The other views (transfers, commands) against a rebuild from scratch,
/// in a temporary SQLite file, compared row for row (as text, which both
/// databases render alike).
pub async fn equal_a_rebuild(
    store: &MessageStore,
    views: &ViewDatabase,
) -> anyhow::Result<Invariant> {
    let folder = std::env::temp_dir().join(format!(
        "bank-audit-{}-{}",
        std::process::id(),
        Uuid::new_v4()
    ));
    std::fs::create_dir_all(&folder)?;
    let url = format!("sqlite://{}", folder.join("views.sqlite").display());
    let rebuilt = ViewDatabase::connect(&url, 2).await?;
    rebuilt.install().await?;
    aggregator::catch_up(store, &rebuilt, 1000).await?;
    let live = Views::new(views).snapshot().await?;
    let fresh = Views::new(&rebuilt).snapshot().await?;
    rebuilt.pool().close().await;
    let _ = std::fs::remove_dir_all(&folder);
    let mut violations = Vec::new();
    let mut rows = 0;
    for table in ["transfers", "commands"] {
        let fresh_rows = fresh.get(table).cloned().unwrap_or_default();
        let live_rows = live.get(table).cloned().unwrap_or_default();
        rows += fresh_rows.len();
        if live_rows != fresh_rows {
            let missing = fresh_rows
                .iter()
                .filter(|row| !live_rows.contains(row))
                .count();
            let extra: Vec<&String> = live_rows
                .iter()
                .filter(|row| !fresh_rows.contains(row))
                .collect();
            violations.push(format!(
                "{table}: {missing} row(s) of the rebuild missing from the live views, {} not in it; \
                 first: {:?}",
                extra.len(),
                extra.first()
            ));
        }
    }
    Ok(Invariant {
        name: "transfers and commands in the views equal a rebuild",
        checked: format!("{rows} rows in 2 tables"),
        violations,
    })
}
