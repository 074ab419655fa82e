//! The accounts and statements views, from the `account` category.
//!
//! A batch of account events is *folded*: the rows of the accounts it
//! touches are read once, each event is applied to its row in memory, in
//! order, by the plain functions below, and then the changed rows, the new
//! statement lines and the answered commands are written back in a few
//! multi-row statements. A row skips any event at or below its
//! `last_position`: it has seen that one already.

use std::collections::BTreeMap;

use account_component::messages::events::{
    CloseRejected, Closed, DepositRejected, Deposited, Opened, WithdrawalRejected, Withdrawn,
};
use account_component::streams;
use messaging::{Message, MessageError, StoredMessage, Time};
use sqlx::{AnyConnection, Row};
use uuid::Uuid;

use super::bulk::{self, Value};
use super::commands::{self, Processed, key};
use super::{Unhandleable, decode_all, transfer_of};

/// An account's row, as the views hold it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountRow {
    pub account_id: String,
    pub customer_id: Option<String>,
    pub holder_name: Option<String>,
    pub balance: i64,
    pub status: String,
    pub opened_time: Option<String>,
    pub closed_time: Option<String>,
    pub last_position: i64,
}

impl AccountRow {
    /// An account the views have not seen opened (yet).
    fn unopened(account_id: Uuid) -> AccountRow {
        AccountRow {
            account_id: account_id.to_string(),
            customer_id: None,
            holder_name: None,
            balance: 0,
            status: "unopened".to_string(),
            opened_time: None,
            closed_time: None,
            last_position: 0,
        }
    }
}

/// A statement line, as the views hold it.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Line {
    account_id: String,
    global_position: i64,
    position: i64,
    entry: &'static str,
    transaction_id: String,
    amount: i64,
    balance_after: i64,
    reason: Option<String>,
    funds_transfer_id: Option<String>,
    time: String,
}

/// What an event does to its account's row.
#[derive(Debug)]
enum Change {
    Opened {
        customer_id: Uuid,
        holder_name: String,
        time: Time,
    },
    /// A deposit, withdrawal or refusal: a statement line, and a balance
    /// change (zero for a refusal).
    Line {
        entry: &'static str,
        transaction_id: Uuid,
        amount: i64,
        change: i64,
        reason: Option<String>,
        time: Time,
    },
    Closed {
        time: Time,
    },
    /// Answers a command, changes no row.
    Nothing,
}

/// An account event, decoded.
struct Decoded {
    account_id: Uuid,
    change: Change,
    answer: Processed,
}

fn answer(
    key: String,
    kind: &'static str,
    account_id: Uuid,
    amount: Option<i64>,
    outcome: String,
    time: Time,
) -> Processed {
    Processed {
        key,
        kind,
        account_id: Some(account_id.to_string()),
        funds_transfer_id: None,
        amount,
        outcome,
        time,
    }
}

/// What an account event changes, and which command it answers.
fn decode(event: &StoredMessage) -> Result<Option<Decoded>, MessageError> {
    let account_id = streams::account_id_of(&event.stream_name)
        .ok_or_else(|| event.unhandleable("its stream is not an account's"))?;
    let (change, answer) = match event.message_type.as_str() {
        Opened::TYPE => {
            let opened: Opened = event.decode()?;
            let done = answer(
                key::open(account_id),
                "open",
                account_id,
                None,
                "opened".into(),
                opened.processed_time,
            );
            let change = Change::Opened {
                customer_id: opened.customer_id,
                holder_name: opened.holder_name,
                time: opened.processed_time,
            };
            (change, done)
        }
        Deposited::TYPE => {
            let e: Deposited = event.decode()?;
            let amount = e.amount.cents();
            let done = answer(
                e.deposit_id.to_string(),
                "deposit",
                account_id,
                Some(amount),
                "deposited".into(),
                e.processed_time,
            );
            (
                Change::Line {
                    entry: "deposit",
                    transaction_id: e.deposit_id,
                    amount,
                    change: amount,
                    reason: None,
                    time: e.processed_time,
                },
                done,
            )
        }
        Withdrawn::TYPE => {
            let e: Withdrawn = event.decode()?;
            let amount = e.amount.cents();
            let done = answer(
                e.withdrawal_id.to_string(),
                "withdraw",
                account_id,
                Some(amount),
                "withdrawn".into(),
                e.processed_time,
            );
            (
                Change::Line {
                    entry: "withdrawal",
                    transaction_id: e.withdrawal_id,
                    amount,
                    change: -amount,
                    reason: None,
                    time: e.processed_time,
                },
                done,
            )
        }
        DepositRejected::TYPE => {
            let e: DepositRejected = event.decode()?;
            let amount = e.amount.cents();
            let outcome = format!("rejected: {}", e.reason);
            let done = answer(
                e.deposit_id.to_string(),
                "deposit",
                account_id,
                Some(amount),
                outcome,
                e.processed_time,
            );
            let reason = Some(e.reason.to_string());
            (
                Change::Line {
                    entry: "deposit rejected",
                    transaction_id: e.deposit_id,
                    amount,
                    change: 0,
                    reason,
                    time: e.processed_time,
                },
                done,
            )
        }
        WithdrawalRejected::TYPE => {
            let e: WithdrawalRejected = event.decode()?;
            let amount = e.amount.cents();
            let outcome = format!("rejected: {}", e.reason);
            let done = answer(
                e.withdrawal_id.to_string(),
                "withdraw",
                account_id,
                Some(amount),
                outcome,
                e.processed_time,
            );
            let reason = Some(e.reason.to_string());
            (
                Change::Line {
                    entry: "withdrawal rejected",
                    transaction_id: e.withdrawal_id,
                    amount,
                    change: 0,
                    reason,
                    time: e.processed_time,
                },
                done,
            )
        }
        Closed::TYPE => {
            let e: Closed = event.decode()?;
            let done = answer(
                key::close(account_id, e.sequence),
                "close",
                account_id,
                None,
                "closed".into(),
                e.processed_time,
            );
            (
                Change::Closed {
                    time: e.processed_time,
                },
                done,
            )
        }
        CloseRejected::TYPE => {
            let e: CloseRejected = event.decode()?;
            let outcome = format!("rejected: {}", e.reason);
            (
                Change::Nothing,
                answer(
                    key::close(account_id, e.sequence),
                    "close",
                    account_id,
                    None,
                    outcome,
                    e.processed_time,
                ),
            )
        }
        _ => return Ok(None),
    };
    Ok(Some(Decoded {
        account_id,
        change,
        answer,
    }))
}

/// Applies one event to the account rows; returns the statement line it
/// adds, if any. Does nothing when the row has seen the event already.
fn apply(
    rows: &mut BTreeMap<Uuid, AccountRow>,
    decoded: &Decoded,
    event: &StoredMessage,
) -> Result<Option<Line>, MessageError> {
    let position = event.global_position;
    let row = match &decoded.change {
        Change::Nothing => return Ok(None),
        // A close or an opening of an account applies to the row it finds
        // (a close always follows an opening in the account's stream).
        Change::Closed { .. } => match rows.get_mut(&decoded.account_id) {
            Some(row) => row,
            None => return Ok(None),
        },
        _ => rows
            .entry(decoded.account_id)
            .or_insert_with(|| AccountRow::unopened(decoded.account_id)),
    };
    if position <= row.last_position {
        return Ok(None);
    }
    row.last_position = position;
    match &decoded.change {
        Change::Opened {
            customer_id,
            holder_name,
            time,
        } => {
            row.customer_id = Some(customer_id.to_string());
            row.holder_name = Some(holder_name.clone());
            row.status = "open".to_string();
            row.opened_time = Some(time.to_string());
            Ok(None)
        }
        Change::Closed { time } => {
            row.status = "closed".to_string();
            row.closed_time = Some(time.to_string());
            Ok(None)
        }
        Change::Line {
            entry,
            transaction_id,
            amount,
            change,
            reason,
            time,
        } => {
            // The component refused anything that would overflow, so an
            // overflow here means the stream was written by someone else.
            row.balance = row
                .balance
                .checked_add(*change)
                .ok_or_else(|| event.unhandleable("the balance would overflow"))?;
            Ok(Some(Line {
                account_id: row.account_id.clone(),
                global_position: position,
                position: event.position,
                entry,
                transaction_id: transaction_id.to_string(),
                amount: *amount,
                balance_after: row.balance,
                reason: reason.clone(),
                funds_transfer_id: transfer_of(event)?,
                time: time.to_string(),
            }))
        }
        Change::Nothing => Ok(None),
    }
}

/// Applies a batch of account events to the views.
pub async fn apply_batch<'a>(
    connection: &mut AnyConnection,
    events: &[&'a StoredMessage],
) -> Result<Vec<Unhandleable<'a>>, sqlx::Error> {
    let (decoded, mut unhandleable) = decode_all(events, decode);
    let ids: Vec<String> = decoded
        .iter()
        .map(|(_, d)| d.account_id.to_string())
        .collect();
    let mut rows = load(connection, &ids).await?;
    let before = rows.clone();
    let mut lines = Vec::new();
    let mut answers = Vec::new();
    for (event, found) in decoded {
        match apply(&mut rows, &found, event) {
            Ok(line) => {
                lines.extend(line);
                answers.push((found.answer, event.global_position));
            }
            Err(error) => unhandleable.push(Unhandleable {
                message: event,
                error,
            }),
        }
    }
    let changed: Vec<Vec<Value>> = rows
        .iter()
        .filter(|(id, row)| before.get(id) != Some(*row))
        .map(|(_, row)| {
            vec![
                row.account_id.clone().into(),
                row.customer_id.clone().into(),
                row.holder_name.clone().into(),
                row.balance.into(),
                row.status.clone().into(),
                row.opened_time.clone().into(),
                row.closed_time.clone().into(),
                row.last_position.into(),
            ]
        })
        .collect();
    bulk::insert(
        connection,
        "INSERT INTO accounts (account_id, customer_id, holder_name, balance, status, opened_time, closed_time, last_position)",
        "ON CONFLICT (account_id) DO UPDATE SET customer_id = excluded.customer_id, \
         holder_name = excluded.holder_name, balance = excluded.balance, status = excluded.status, \
         opened_time = excluded.opened_time, closed_time = excluded.closed_time, \
         last_position = excluded.last_position \
         WHERE accounts.last_position < excluded.last_position",
        &changed,
    )
    .await?;
    let lines: Vec<Vec<Value>> = lines
        .into_iter()
        .map(|line| {
            vec![
                line.account_id.into(),
                line.global_position.into(),
                line.position.into(),
                line.entry.to_string().into(),
                line.transaction_id.into(),
                line.amount.into(),
                line.balance_after.into(),
                line.reason.into(),
                line.funds_transfer_id.into(),
                line.time.into(),
            ]
        })
        .collect();
    bulk::insert(
        connection,
        "INSERT INTO statement_lines (account_id, global_position, position, entry, transaction_id, \
         amount, balance_after, reason, funds_transfer_id, time)",
        "ON CONFLICT (account_id, global_position) DO NOTHING",
        &lines,
    )
    .await?;
    commands::processed(connection, answers).await?;
    Ok(unhandleable)
}

/// The rows of these accounts that the views have.
async fn load(
    connection: &mut AnyConnection,
    ids: &[String],
) -> Result<BTreeMap<Uuid, AccountRow>, sqlx::Error> {
    let found = bulk::select_where_in(
        connection,
        "SELECT account_id, customer_id, holder_name, balance, status, opened_time, closed_time, last_position FROM accounts",
        "account_id",
        ids,
    )
    .await?;
    let mut rows = BTreeMap::new();
    for row in found {
        let account_id: String = row.try_get("account_id")?;
        let Ok(id) = account_id.parse::<Uuid>() else {
            continue;
        };
        rows.insert(
            id,
            AccountRow {
                account_id,
                customer_id: row.try_get("customer_id")?,
                holder_name: row.try_get("holder_name")?,
                balance: row.try_get("balance")?,
                status: row.try_get("status")?,
                opened_time: row.try_get("opened_time")?,
                closed_time: row.try_get("closed_time")?,
                last_position: row.try_get("last_position")?,
            },
        );
    }
    Ok(rows)
}
