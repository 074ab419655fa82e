//! The accounts and statement views, from the `account` category.
//!
//! A batch of account events is *folded*: the rows of the accounts it
//! touches are read once, each event is applied to its row in memory, in
//! order, by the plain functions below, and then the changed rows, the new
//! statement lines and the answered commands are written back in a few
//! statements. A row skips any event at or below its `last_position`: it
//! has seen that one already.

use std::collections::BTreeMap;

use account_component::Money;
use account_component::messages::Reason;
use account_component::messages::events::{
    CloseRejected, Closed, DepositRejected, Deposited, Opened, WithdrawalRejected, Withdrawn,
};
use account_component::streams;
use messaging::{Message, MessageError, StoredMessage, Time};
use sqlx::AnyConnection;
use uuid::Uuid;
use views::accounts::{self, Account, AccountStatus};
use views::commands::{self, Answer, CommandKind, Outcome, key};
use views::statement::{self, Entry, StatementLine};

use super::{Unhandleable, decode_all, transfer_of};

/// What an event does to its account's row.
#[derive(Debug)]
enum Change {
    Opened {
        customer_id: Uuid,
        /// The names on the account, as the row shows them: joined.
        holder_name: String,
    },
    /// A deposit, withdrawal or refusal: a statement line, and a change of
    /// the balance (none for a refusal).
    Line {
        entry: Entry,
        transaction_id: Uuid,
        amount: Money,
        reason: Option<String>,
        reference: Option<String>,
        /// Whether it answers the command the transaction id names. Not so
        /// for a command refused because another had reserved its id: that
        /// refusal answers a command of its own, which the commands view
        /// knows nothing of (its row is the first command's).
        answers_the_transaction: bool,
    },
    /// `sequence` is the global position of the `Close`.
    Closed { sequence: i64 },
    /// Changes no row; answers the `Close`.
    CloseRejected { sequence: i64, reason: String },
}

/// An account event, decoded: which account, what it changes, and when.
struct Decoded {
    account_id: Uuid,
    change: Change,
    time: Time,
}

/// What an account event changes; `None` for events the views ignore.
fn decode(event: &StoredMessage) -> Result<Option<Decoded>, MessageError> {
    let account_id = streams::account_id_of(&event.stream_name)
        .ok_or_else(|| event.unhandleable("its stream is not an account's"))?;
    let line = |entry, transaction_id, amount, reason: Option<Reason>, reference| Change::Line {
        entry,
        transaction_id,
        amount,
        reason: reason.map(|reason| reason.to_string()),
        reference,
        answers_the_transaction: !reason.is_some_and(Reason::answers_a_command),
    };
    let (change, time) = match event.message_type.as_str() {
        Opened::TYPE => {
            let e: Opened = event.decode()?;
            let change = Change::Opened {
                customer_id: e.customer_id,
                holder_name: e.holders.join(" & "),
            };
            (change, e.processed_time)
        }
        Deposited::TYPE => {
            let e: Deposited = event.decode()?;
            let change = line(Entry::Deposit, e.deposit_id, e.amount, None, e.reference);
            (change, e.processed_time)
        }
        Withdrawn::TYPE => {
            let e: Withdrawn = event.decode()?;
            let change = line(
                Entry::Withdrawal,
                e.withdrawal_id,
                e.amount,
                None,
                e.reference,
            );
            (change, e.processed_time)
        }
        DepositRejected::TYPE => {
            let e: DepositRejected = event.decode()?;
            let change = line(
                Entry::DepositRejected,
                e.deposit_id,
                e.amount,
                Some(e.reason),
                e.reference,
            );
            (change, e.processed_time)
        }
        WithdrawalRejected::TYPE => {
            let e: WithdrawalRejected = event.decode()?;
            let change = line(
                Entry::WithdrawalRejected,
                e.withdrawal_id,
                e.amount,
                Some(e.reason),
                e.reference,
            );
            (change, e.processed_time)
        }
        Closed::TYPE => {
            let e: Closed = event.decode()?;
            let change = Change::Closed {
                sequence: e.sequence,
            };
            (change, e.processed_time)
        }
        CloseRejected::TYPE => {
            let e: CloseRejected = event.decode()?;
            let change = Change::CloseRejected {
                sequence: e.sequence,
                reason: e.reason.to_string(),
            };
            (change, e.processed_time)
        }
        _ => return Ok(None),
    };
    Ok(Some(Decoded {
        account_id,
        change,
        time,
    }))
}

/// The command an account event answers, and how; `None` for a refusal of
/// a command whose id was in use (see `Change::Line`).
fn answer(decoded: &Decoded, event: &StoredMessage) -> Option<Answer> {
    let account_id = decoded.account_id;
    let (command_key, kind, outcome, amount, reason) = match &decoded.change {
        Change::Opened { .. } => (
            key::open(account_id),
            CommandKind::Open,
            Outcome::Opened,
            None,
            None,
        ),
        Change::Line {
            answers_the_transaction: false,
            ..
        } => return None,
        Change::Line {
            entry,
            transaction_id,
            amount,
            reason,
            ..
        } => {
            let (kind, outcome) = match entry {
                Entry::Deposit => (CommandKind::Deposit, Outcome::Deposited),
                Entry::Withdrawal => (CommandKind::Withdraw, Outcome::Withdrawn),
                Entry::DepositRejected => (CommandKind::Deposit, Outcome::Rejected),
                Entry::WithdrawalRejected => (CommandKind::Withdraw, Outcome::Rejected),
            };
            let key = key::transaction(*transaction_id);
            (key, kind, outcome, Some(*amount), reason.clone())
        }
        Change::Closed { sequence } => (
            key::close(account_id, *sequence),
            CommandKind::Close,
            Outcome::Closed,
            None,
            None,
        ),
        Change::CloseRejected { sequence, reason } => (
            key::close(account_id, *sequence),
            CommandKind::Close,
            Outcome::Rejected,
            None,
            Some(reason.clone()),
        ),
    };
    Some(Answer {
        command_key,
        kind,
        account_id: Some(account_id),
        funds_transfer_id: None,
        amount,
        outcome,
        reason,
        time: decoded.time,
        position: event.global_position,
    })
}

/// Applies one event to the account rows; returns the statement line it
/// adds, if any. Does nothing when the row has seen the event already.
fn update(
    rows: &mut BTreeMap<Uuid, Account>,
    decoded: &Decoded,
    event: &StoredMessage,
) -> Result<Option<StatementLine>, MessageError> {
    let position = event.global_position;
    let row = match &decoded.change {
        Change::CloseRejected { .. } => return Ok(None),
        // A close applies to the row it finds: a close always follows an
        // opening in the account's stream.
        Change::Closed { .. } => match rows.get_mut(&decoded.account_id) {
            Some(row) => row,
            None => return Ok(None),
        },
        _ => rows
            .entry(decoded.account_id)
            .or_insert_with(|| Account::unopened(decoded.account_id)),
    };
    if position <= row.last_position {
        return Ok(None);
    }
    row.last_position = position;
    match &decoded.change {
        Change::Opened {
            customer_id,
            holder_name,
        } => {
            row.customer_id = Some(*customer_id);
            row.holder_name = Some(holder_name.clone());
            row.status = AccountStatus::Open;
            row.opened_time = Some(decoded.time);
            Ok(None)
        }
        Change::Closed { .. } => {
            row.status = AccountStatus::Closed;
            row.closed_time = Some(decoded.time);
            Ok(None)
        }
        Change::Line {
            entry,
            transaction_id,
            amount,
            reason,
            reference,
            ..
        } => {
            // The component refused anything that would overflow, so an
            // overflow here means the stream was written by someone else.
            let overflow = || event.unhandleable("the balance would overflow");
            row.balance = match entry {
                Entry::Deposit => row.balance.checked_add(*amount).ok_or_else(overflow)?,
                Entry::Withdrawal => row.balance.checked_sub(*amount).ok_or_else(overflow)?,
                Entry::DepositRejected | Entry::WithdrawalRejected => row.balance,
            };
            Ok(Some(StatementLine {
                account_id: row.account_id,
                global_position: position,
                position: event.position,
                entry: *entry,
                transaction_id: *transaction_id,
                amount: *amount,
                balance_after: row.balance,
                reason: reason.clone(),
                reference: reference.clone(),
                funds_transfer_id: transfer_of(event)?,
                time: decoded.time,
            }))
        }
        Change::CloseRejected { .. } => Ok(None),
    }
}

/// Applies a batch of account events to the views.
pub async fn apply_batch<'a>(
    connection: &mut AnyConnection,
    events: &[&'a StoredMessage],
) -> Result<Vec<Unhandleable<'a>>, sqlx::Error> {
    let (decoded, mut unhandleable) = decode_all(events, decode);
    let ids = decoded.iter().map(|(_, found)| found.account_id);
    let mut rows = accounts::load(connection, ids).await?;
    let before = rows.clone();
    let mut lines = Vec::new();
    let mut answers = Vec::new();
    for (event, found) in decoded {
        match update(&mut rows, &found, event) {
            Ok(line) => {
                lines.extend(line);
                answers.extend(answer(&found, event));
            }
            Err(error) => unhandleable.push(Unhandleable {
                message: event,
                error,
            }),
        }
    }
    let changed = rows
        .iter()
        .filter(|(id, row)| before.get(id) != Some(*row))
        .map(|(_, row)| row);
    accounts::save(connection, changed).await?;
    statement::add(connection, &lines).await?;
    commands::record_answers(connection, answers).await?;
    Ok(unhandleable)
}
