//! The commands view: what was asked, and whether its answer has been seen.

use account_component::messages::commands::{Close, Deposit, Open, Withdraw};
use account_component::streams as account_streams;
use funds_transfer_component::messages::commands::Transfer;
use messaging::{Message, StoredMessage, Time};
use sqlx::AnyConnection;

use super::ApplyError;

/// What identifies a command's effect, and so its row.
pub mod key {
    use uuid::Uuid;

    /// An `Open`: an account opens once.
    pub fn open(account_id: Uuid) -> String {
        format!("open:{account_id}")
    }

    /// A `Close`: the account answers each with the command's global
    /// position as its sequence.
    pub fn close(account_id: Uuid, global_position: i64) -> String {
        format!("close:{account_id}:{global_position}")
    }
}

/// A command as requested.
struct Requested<'a> {
    key: String,
    kind: &'a str,
    account_id: Option<String>,
    funds_transfer_id: Option<String>,
    amount: Option<i64>,
    time: Time,
}

/// Applies a command from `account:command` or `fundsTransfer:command`.
pub async fn apply(
    connection: &mut AnyConnection,
    message: &StoredMessage,
) -> Result<(), ApplyError> {
    let requested = match message.message_type.as_str() {
        Open::TYPE => {
            let open: Open = message.decode()?;
            Requested {
                key: key::open(open.account_id),
                kind: "open",
                account_id: Some(open.account_id.to_string()),
                funds_transfer_id: None,
                amount: None,
                time: open.time,
            }
        }
        Deposit::TYPE => {
            let deposit: Deposit = message.decode()?;
            Requested {
                key: deposit.deposit_id.to_string(),
                kind: "deposit",
                account_id: Some(deposit.account_id.to_string()),
                funds_transfer_id: None,
                amount: Some(deposit.amount.cents()),
                time: deposit.time,
            }
        }
        Withdraw::TYPE => {
            let withdraw: Withdraw = message.decode()?;
            Requested {
                key: withdraw.withdrawal_id.to_string(),
                kind: "withdraw",
                account_id: Some(withdraw.account_id.to_string()),
                funds_transfer_id: None,
                amount: Some(withdraw.amount.cents()),
                time: withdraw.time,
            }
        }
        Close::TYPE => {
            let close: Close = message.decode()?;
            if account_streams::account_id_of(&message.stream_name) != Some(close.account_id) {
                return Err(message.unhandleable("misaddressed close").into());
            }
            Requested {
                key: key::close(close.account_id, message.global_position),
                kind: "close",
                account_id: Some(close.account_id.to_string()),
                funds_transfer_id: None,
                amount: None,
                time: close.time,
            }
        }
        Transfer::TYPE => {
            let transfer: Transfer = message.decode()?;
            Requested {
                key: transfer.funds_transfer_id.to_string(),
                kind: "transfer",
                account_id: Some(transfer.withdrawal_account_id.to_string()),
                funds_transfer_id: Some(transfer.funds_transfer_id.to_string()),
                amount: Some(transfer.amount.cents()),
                time: transfer.time,
            }
        }
        _ => return Ok(()),
    };
    // The first copy of a command is the request; a later copy (a re-sent
    // command) changes nothing. The row may exist already, created by the
    // answer, when the aggregator read the answer first.
    sqlx::query(
        "INSERT INTO commands (command_key, kind, account_id, funds_transfer_id, amount, \
                               requested_time, request_position) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (command_key) DO UPDATE SET \
           requested_time = excluded.requested_time, \
           request_position = excluded.request_position \
         WHERE commands.request_position IS NULL \
            OR commands.request_position > excluded.request_position",
    )
    .bind(requested.key)
    .bind(requested.kind)
    .bind(requested.account_id)
    .bind(requested.funds_transfer_id)
    .bind(requested.amount)
    .bind(requested.time.to_string())
    .bind(message.global_position)
    .execute(&mut *connection)
    .await?;
    Ok(())
}

/// A command's answer, as an event shows it.
#[derive(Debug)]
pub struct Processed<'a> {
    pub key: String,
    pub kind: &'a str,
    pub account_id: Option<String>,
    pub funds_transfer_id: Option<String>,
    pub amount: Option<i64>,
    pub outcome: String,
    pub time: Time,
}

/// Records that the command with this key has been answered by the event at
/// `global_position`. The first answer is kept.
pub async fn processed(
    connection: &mut AnyConnection,
    processed: Processed<'_>,
    global_position: i64,
) -> Result<(), ApplyError> {
    sqlx::query(
        "INSERT INTO commands (command_key, kind, account_id, funds_transfer_id, amount, \
                               processed_position, outcome, processed_time) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
         ON CONFLICT (command_key) DO UPDATE SET \
           processed_position = excluded.processed_position, \
           outcome = excluded.outcome, \
           processed_time = excluded.processed_time \
         WHERE commands.processed_position IS NULL \
            OR commands.processed_position > excluded.processed_position",
    )
    .bind(processed.key)
    .bind(processed.kind)
    .bind(processed.account_id)
    .bind(processed.funds_transfer_id)
    .bind(processed.amount)
    .bind(global_position)
    .bind(processed.outcome)
    .bind(processed.time.to_string())
    .execute(&mut *connection)
    .await?;
    Ok(())
}
