//! The accounts and statements views, from the `account` category.

use account_component::messages::events::{
    CloseRejected, Closed, DepositRejected, Deposited, Opened, WithdrawalRejected, Withdrawn,
};
use account_component::{Money, streams};
use messaging::{Message, StoredMessage, Time};
use sqlx::{AnyConnection, Row};
use uuid::Uuid;

use super::commands::{self, Processed, key};
use super::{ApplyError, transfer_of};

/// Applies one account event.
pub async fn apply(
    connection: &mut AnyConnection,
    event: &StoredMessage,
) -> Result<(), ApplyError> {
    let account_id = streams::account_id_of(&event.stream_name)
        .ok_or_else(|| event.unhandleable("its stream is not an account's"))?;
    match event.message_type.as_str() {
        Opened::TYPE => {
            let opened: Opened = event.decode()?;
            open(connection, account_id, &opened, event.global_position).await?;
            let answer = answer(
                &key::open(account_id),
                "open",
                account_id,
                "opened",
                opened.processed_time,
            );
            commands::processed(connection, answer, event.global_position).await
        }
        Deposited::TYPE => {
            let deposited: Deposited = event.decode()?;
            let line = Line {
                entry: "deposit",
                transaction_id: deposited.deposit_id,
                amount: deposited.amount,
                change: deposited.amount,
                reason: None,
                time: deposited.processed_time,
            };
            record(connection, event, account_id, line).await?;
            let answer = Processed {
                amount: Some(deposited.amount.cents()),
                ..answer(
                    &deposited.deposit_id.to_string(),
                    "deposit",
                    account_id,
                    "deposited",
                    deposited.processed_time,
                )
            };
            commands::processed(connection, answer, event.global_position).await
        }
        Withdrawn::TYPE => {
            let withdrawn: Withdrawn = event.decode()?;
            let line = Line {
                entry: "withdrawal",
                transaction_id: withdrawn.withdrawal_id,
                amount: withdrawn.amount,
                change: Money::from_cents(-withdrawn.amount.cents()),
                reason: None,
                time: withdrawn.processed_time,
            };
            record(connection, event, account_id, line).await?;
            let answer = Processed {
                amount: Some(withdrawn.amount.cents()),
                ..answer(
                    &withdrawn.withdrawal_id.to_string(),
                    "withdraw",
                    account_id,
                    "withdrawn",
                    withdrawn.processed_time,
                )
            };
            commands::processed(connection, answer, event.global_position).await
        }
        DepositRejected::TYPE => {
            let rejected: DepositRejected = event.decode()?;
            let line = Line {
                entry: "deposit rejected",
                transaction_id: rejected.deposit_id,
                amount: rejected.amount,
                change: Money::ZERO,
                reason: Some(rejected.reason.to_string()),
                time: rejected.processed_time,
            };
            record(connection, event, account_id, line).await?;
            let outcome = format!("rejected: {}", rejected.reason);
            let answer = Processed {
                amount: Some(rejected.amount.cents()),
                ..answer(
                    &rejected.deposit_id.to_string(),
                    "deposit",
                    account_id,
                    &outcome,
                    rejected.processed_time,
                )
            };
            commands::processed(connection, answer, event.global_position).await
        }
        WithdrawalRejected::TYPE => {
            let rejected: WithdrawalRejected = event.decode()?;
            let line = Line {
                entry: "withdrawal rejected",
                transaction_id: rejected.withdrawal_id,
                amount: rejected.amount,
                change: Money::ZERO,
                reason: Some(rejected.reason.to_string()),
                time: rejected.processed_time,
            };
            record(connection, event, account_id, line).await?;
            let outcome = format!("rejected: {}", rejected.reason);
            let answer = Processed {
                amount: Some(rejected.amount.cents()),
                ..answer(
                    &rejected.withdrawal_id.to_string(),
                    "withdraw",
                    account_id,
                    &outcome,
                    rejected.processed_time,
                )
            };
            commands::processed(connection, answer, event.global_position).await
        }
        Closed::TYPE => {
            let closed: Closed = event.decode()?;
            sqlx::query(
                "UPDATE accounts SET status = 'closed', closed_time = $2, last_position = $3 \
                 WHERE account_id = $1 AND last_position < $3",
            )
            .bind(account_id.to_string())
            .bind(closed.processed_time.to_string())
            .bind(event.global_position)
            .execute(&mut *connection)
            .await?;
            let key = key::close(account_id, closed.sequence);
            let answer = answer(&key, "close", account_id, "closed", closed.processed_time);
            commands::processed(connection, answer, event.global_position).await
        }
        CloseRejected::TYPE => {
            let rejected: CloseRejected = event.decode()?;
            let key = key::close(account_id, rejected.sequence);
            let outcome = format!("rejected: {}", rejected.reason);
            let answer = answer(&key, "close", account_id, &outcome, rejected.processed_time);
            commands::processed(connection, answer, event.global_position).await
        }
        _ => Ok(()),
    }
}

fn answer<'a>(
    key: &str,
    kind: &'a str,
    account_id: Uuid,
    outcome: &str,
    time: Time,
) -> Processed<'a> {
    Processed {
        key: key.to_string(),
        kind,
        account_id: Some(account_id.to_string()),
        funds_transfer_id: None,
        amount: None,
        outcome: outcome.to_string(),
        time,
    }
}

async fn open(
    connection: &mut AnyConnection,
    account_id: Uuid,
    opened: &Opened,
    global_position: i64,
) -> Result<(), ApplyError> {
    // The row may exist already as 'unopened', if transactions were refused
    // before the account was opened.
    sqlx::query(
        "INSERT INTO accounts (account_id, customer_id, holder_name, balance, status, \
                               opened_time, last_position) \
         VALUES ($1, $2, $3, 0, 'open', $4, $5) \
         ON CONFLICT (account_id) DO UPDATE SET \
           customer_id = excluded.customer_id, holder_name = excluded.holder_name, \
           status = 'open', opened_time = excluded.opened_time, \
           last_position = excluded.last_position \
         WHERE accounts.last_position < excluded.last_position",
    )
    .bind(account_id.to_string())
    .bind(opened.customer_id.to_string())
    .bind(opened.holder_name.clone())
    .bind(opened.processed_time.to_string())
    .bind(global_position)
    .execute(&mut *connection)
    .await?;
    Ok(())
}

/// A statement line about to be recorded.
struct Line {
    entry: &'static str,
    transaction_id: Uuid,
    amount: Money,
    /// What the line does to the balance (zero for a rejection).
    change: Money,
    reason: Option<String>,
    time: Time,
}

/// Moves the balance and writes the statement line, once.
///
/// The balance moves only if the account row has not seen this event, and
/// the statement line takes the balance the move produced, so a line's
/// `balance_after` is always the balance right after it. If the row has seen
/// the event, its line exists already and nothing is written.
async fn record(
    connection: &mut AnyConnection,
    event: &StoredMessage,
    account_id: Uuid,
    line: Line,
) -> Result<(), ApplyError> {
    let funds_transfer_id = transfer_of(event)?;
    sqlx::query(
        "INSERT INTO accounts (account_id, balance, status, last_position) \
         VALUES ($1, 0, 'unopened', 0) ON CONFLICT (account_id) DO NOTHING",
    )
    .bind(account_id.to_string())
    .execute(&mut *connection)
    .await?;
    let moved = sqlx::query(
        "UPDATE accounts SET balance = balance + $2, last_position = $3 \
         WHERE account_id = $1 AND last_position < $3 \
         RETURNING balance",
    )
    .bind(account_id.to_string())
    .bind(line.change.cents())
    .bind(event.global_position)
    .fetch_optional(&mut *connection)
    .await?;
    let Some(row) = moved else {
        return Ok(());
    };
    let balance_after: i64 = row.try_get("balance")?;
    sqlx::query(
        "INSERT INTO statement_lines (account_id, global_position, position, entry, \
                                      transaction_id, amount, balance_after, reason, \
                                      funds_transfer_id, time) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
         ON CONFLICT (account_id, global_position) DO NOTHING",
    )
    .bind(account_id.to_string())
    .bind(event.global_position)
    .bind(event.position)
    .bind(line.entry)
    .bind(line.transaction_id.to_string())
    .bind(line.amount.cents())
    .bind(balance_after)
    .bind(line.reason)
    .bind(funds_transfer_id)
    .bind(line.time.to_string())
    .execute(&mut *connection)
    .await?;
    Ok(())
}
