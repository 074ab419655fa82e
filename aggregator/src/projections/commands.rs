//! The commands view: what was asked, and whether its answer has been seen.

use std::collections::BTreeMap;

use account_component::messages::commands::{Close, Deposit, Open, Withdraw};
use account_component::streams as account_streams;
use funds_transfer_component::messages::commands::Transfer;
use messaging::{Message, MessageError, StoredMessage, Time};
use sqlx::AnyConnection;

use super::bulk::{self, Value};
use super::{Unhandleable, decode_all};

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
struct Requested {
    key: String,
    kind: &'static str,
    account_id: Option<String>,
    funds_transfer_id: Option<String>,
    amount: Option<i64>,
    time: Time,
}

fn decode(message: &StoredMessage) -> Result<Option<Requested>, MessageError> {
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
                return Err(message.unhandleable("misaddressed close"));
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
        _ => return Ok(None),
    };
    Ok(Some(requested))
}

/// Applies a batch of commands from `account:command` or
/// `fundsTransfer:command`: each is a request, keyed by its effect.
pub async fn apply_batch<'a>(
    connection: &mut AnyConnection,
    messages: &[&'a StoredMessage],
) -> Result<Vec<Unhandleable<'a>>, sqlx::Error> {
    let (decoded, unhandleable) = decode_all(messages, decode);
    // The first copy of a command is the request; a later copy (a re-sent
    // command) changes nothing, within the batch or across batches.
    let mut requests: BTreeMap<String, (Requested, i64)> = BTreeMap::new();
    for (message, requested) in decoded {
        requests
            .entry(requested.key.clone())
            .or_insert((requested, message.global_position));
    }
    let rows: Vec<Vec<Value>> = requests
        .into_values()
        .map(|(requested, position)| {
            vec![
                requested.key.into(),
                requested.kind.to_string().into(),
                requested.account_id.into(),
                requested.funds_transfer_id.into(),
                requested.amount.into(),
                requested.time.to_string().into(),
                position.into(),
            ]
        })
        .collect();
    // The row may exist already, created by the answer, when the aggregator
    // read the answer first.
    bulk::insert(
        connection,
        "INSERT INTO commands (command_key, kind, account_id, funds_transfer_id, amount, requested_time, request_position)",
        "ON CONFLICT (command_key) DO UPDATE SET requested_time = excluded.requested_time, \
         request_position = excluded.request_position \
         WHERE commands.request_position IS NULL OR commands.request_position > excluded.request_position",
        &rows,
    )
    .await?;
    Ok(unhandleable)
}

/// A command's answer, as an event shows it.
#[derive(Debug)]
pub struct Processed {
    pub key: String,
    pub kind: &'static str,
    pub account_id: Option<String>,
    pub funds_transfer_id: Option<String>,
    pub amount: Option<i64>,
    pub outcome: String,
    pub time: Time,
}

/// Records that each command was answered by the event at the given global
/// position. The first answer is kept.
pub async fn processed(
    connection: &mut AnyConnection,
    answers: Vec<(Processed, i64)>,
) -> Result<(), sqlx::Error> {
    let mut first: BTreeMap<String, (Processed, i64)> = BTreeMap::new();
    for (answer, position) in answers {
        first
            .entry(answer.key.clone())
            .or_insert((answer, position));
    }
    let rows: Vec<Vec<Value>> = first
        .into_values()
        .map(|(answer, position)| {
            vec![
                answer.key.into(),
                answer.kind.to_string().into(),
                answer.account_id.into(),
                answer.funds_transfer_id.into(),
                answer.amount.into(),
                position.into(),
                answer.outcome.into(),
                answer.time.to_string().into(),
            ]
        })
        .collect();
    bulk::insert(
        connection,
        "INSERT INTO commands (command_key, kind, account_id, funds_transfer_id, amount, processed_position, outcome, processed_time)",
        "ON CONFLICT (command_key) DO UPDATE SET processed_position = excluded.processed_position, \
         outcome = excluded.outcome, processed_time = excluded.processed_time \
         WHERE commands.processed_position IS NULL OR commands.processed_position > excluded.processed_position",
        &rows,
    )
    .await
}
