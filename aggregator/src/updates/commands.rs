//! The commands view's requests, from `account:command` and
//! `fundsTransfer:command`. (The answers come with the events: see the
//! accounts and transfers updates.)

use account_component::messages::commands::{Close, Deposit, Open, Withdraw};
use account_component::streams as account_streams;
use funds_transfer_component::messages::commands::{ReleaseHeldRefund, Transfer};
use messaging::{Message, MessageError, StoredMessage};
use sqlx::AnyConnection;
use views::commands::{self, CommandKind, Request, key};

use super::{Unhandleable, decode_all};

/// A command, as a request keyed by its effect; `None` for other messages.
fn decode(message: &StoredMessage) -> Result<Option<Request>, MessageError> {
    let request = |command_key, kind, account_id, amount, time| Request {
        command_key,
        message_id: message.id,
        kind,
        account_id: Some(account_id),
        funds_transfer_id: None,
        amount,
        time,
        position: message.global_position,
    };
    let requested = match message.message_type.as_str() {
        Open::TYPE => {
            let open: Open = message.decode()?;
            let key = key::open(open.account_id);
            request(key, CommandKind::Open, open.account_id, None, open.time)
        }
        Deposit::TYPE => {
            let deposit: Deposit = message.decode()?;
            let key = key::transaction(deposit.deposit_id);
            let amount = Some(deposit.amount);
            request(
                key,
                CommandKind::Deposit,
                deposit.account_id,
                amount,
                deposit.time,
            )
        }
        Withdraw::TYPE => {
            let withdraw: Withdraw = message.decode()?;
            let key = key::transaction(withdraw.withdrawal_id);
            let amount = Some(withdraw.amount);
            request(
                key,
                CommandKind::Withdraw,
                withdraw.account_id,
                amount,
                withdraw.time,
            )
        }
        Close::TYPE => {
            let close: Close = message.decode()?;
            // The answer names the close by the command's global position
            // and the account of its stream; a close addressed elsewhere
            // would never be answered under this key.
            if account_streams::account_id_of(&message.stream_name) != Some(close.account_id) {
                return Err(message.unhandleable("misaddressed close"));
            }
            let key = key::close(close.account_id, message.global_position);
            request(key, CommandKind::Close, close.account_id, None, close.time)
        }
        Transfer::TYPE => {
            let transfer: Transfer = message.decode()?;
            let id = transfer.funds_transfer_id;
            let amount = Some(transfer.amount);
            let from = transfer.withdrawal_account_id;
            Request {
                funds_transfer_id: Some(id),
                ..request(
                    key::transaction(id),
                    CommandKind::Transfer,
                    from,
                    amount,
                    transfer.time,
                )
            }
        }
        ReleaseHeldRefund::TYPE => {
            let release: ReleaseHeldRefund = message.decode()?;
            let key = key::release(release.release_id);
            Request {
                funds_transfer_id: Some(release.funds_transfer_id),
                ..request(
                    key,
                    CommandKind::Release,
                    release.account_id,
                    None,
                    release.time,
                )
            }
        }
        _ => return Ok(None),
    };
    Ok(Some(requested))
}

/// Applies a batch of commands: each is a request, keyed by its effect.
pub async fn apply_batch<'a>(
    connection: &mut AnyConnection,
    messages: &[&'a StoredMessage],
) -> Result<Vec<Unhandleable<'a>>, sqlx::Error> {
    let (decoded, unhandleable) = decode_all(messages, decode);
    let requests = decoded.into_iter().map(|(_, request)| request).collect();
    commands::record_requests(connection, requests).await?;
    Ok(unhandleable)
}
