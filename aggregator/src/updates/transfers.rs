//! The transfers view, from the `fundsTransfer` category.
//!
//! Folded like the accounts view: the touched rows are read once, each event
//! is applied in memory, and the changed rows are written back together.

use std::collections::BTreeMap;

use account_component::Money;
use funds_transfer_component::messages::events::{
    Cancelled, DepositRejected, Deposited, Initiated, RefundRejected, Rejected, ReleaseRejected,
    ReleaseRequested, Released, Reversed, Transferred, Withdrawn,
};
use funds_transfer_component::streams;
use messaging::{Message, MessageError, StoredMessage, Time};
use sqlx::AnyConnection;
use uuid::Uuid;
use views::commands::{self, Answer, CommandKind, Outcome, key};
use views::transfers::{self, Step, Transfer, TransferStatus};

use super::{Unhandleable, decode_all};

/// What an event does to its transfer's row.
enum Change {
    /// The first event, `Initiated` or `Rejected`, creates the row.
    Start {
        from: Uuid,
        to: Uuid,
        amount: Money,
        /// When the transfer was asked for.
        requested: Time,
    },
    /// A later step: nothing more than the status, the reason and the time.
    Step,
    /// A step of releasing the money held, to `account_id`; the end of the
    /// attempt answers the operator's command.
    Release {
        release_id: Uuid,
        account_id: Uuid,
        outcome: Option<Outcome>,
    },
}

/// A transfer event, decoded.
struct Decoded {
    funds_transfer_id: Uuid,
    change: Change,
    status: TransferStatus,
    /// The step whose time the event records, if it records one.
    step: Option<Step>,
    reason: Option<String>,
    /// When the step happened (the event's processed time).
    time: Time,
}

/// What a transfer event changes; `None` for events the views ignore.
fn decode(event: &StoredMessage) -> Result<Option<Decoded>, MessageError> {
    let step = |id, status, step, reason: Option<String>, time| Decoded {
        funds_transfer_id: id,
        change: Change::Step,
        status,
        step: Some(step),
        reason,
        time,
    };
    let decoded = match event.message_type.as_str() {
        Initiated::TYPE => {
            let e: Initiated = event.decode()?;
            let start = Change::Start {
                from: e.withdrawal_account_id,
                to: e.deposit_account_id,
                amount: e.amount,
                requested: e.time,
            };
            Decoded {
                change: start,
                ..step(
                    e.funds_transfer_id,
                    TransferStatus::Initiated,
                    Step::Initiated,
                    None,
                    e.processed_time,
                )
            }
        }
        Rejected::TYPE => {
            let e: Rejected = event.decode()?;
            let start = Change::Start {
                from: e.withdrawal_account_id,
                to: e.deposit_account_id,
                amount: e.amount,
                requested: e.time,
            };
            let reason = Some(e.reason.to_string());
            Decoded {
                change: start,
                ..step(
                    e.funds_transfer_id,
                    TransferStatus::Rejected,
                    Step::Rejected,
                    reason,
                    e.processed_time,
                )
            }
        }
        Withdrawn::TYPE => {
            let e: Withdrawn = event.decode()?;
            step(
                e.funds_transfer_id,
                TransferStatus::Withdrawn,
                Step::Withdrawn,
                None,
                e.processed_time,
            )
        }
        Deposited::TYPE => {
            let e: Deposited = event.decode()?;
            step(
                e.funds_transfer_id,
                TransferStatus::Deposited,
                Step::Deposited,
                None,
                e.processed_time,
            )
        }
        Transferred::TYPE => {
            let e: Transferred = event.decode()?;
            step(
                e.funds_transfer_id,
                TransferStatus::Transferred,
                Step::Transferred,
                None,
                e.processed_time,
            )
        }
        Cancelled::TYPE => {
            let e: Cancelled = event.decode()?;
            let reason = Some(e.reason.to_string());
            step(
                e.funds_transfer_id,
                TransferStatus::Cancelled,
                Step::Cancelled,
                reason,
                e.processed_time,
            )
        }
        DepositRejected::TYPE => {
            let e: DepositRejected = event.decode()?;
            let reason = Some(e.reason.to_string());
            step(
                e.funds_transfer_id,
                TransferStatus::Refunding,
                Step::DepositRejected,
                reason,
                e.processed_time,
            )
        }
        Reversed::TYPE => {
            let e: Reversed = event.decode()?;
            let reason = Some(e.reason.to_string());
            step(
                e.funds_transfer_id,
                TransferStatus::Reversed,
                Step::Reversed,
                reason,
                e.processed_time,
            )
        }
        RefundRejected::TYPE => {
            let e: RefundRejected = event.decode()?;
            let reason = Some(e.reason.to_string());
            step(
                e.funds_transfer_id,
                TransferStatus::RefundRejected,
                Step::RefundRejected,
                reason,
                e.processed_time,
            )
        }
        ReleaseRequested::TYPE => {
            let e: ReleaseRequested = event.decode()?;
            let change = Change::Release {
                release_id: e.release_id,
                account_id: e.account_id,
                outcome: None,
            };
            let status = TransferStatus::Releasing;
            Decoded {
                change,
                ..step(
                    e.funds_transfer_id,
                    status,
                    Step::ReleaseRequested,
                    None,
                    e.processed_time,
                )
            }
        }
        Released::TYPE => {
            let e: Released = event.decode()?;
            let change = Change::Release {
                release_id: e.release_id,
                account_id: e.account_id,
                outcome: Some(Outcome::Released),
            };
            let status = TransferStatus::Released;
            Decoded {
                change,
                ..step(
                    e.funds_transfer_id,
                    status,
                    Step::Released,
                    None,
                    e.processed_time,
                )
            }
        }
        ReleaseRejected::TYPE => {
            let e: ReleaseRejected = event.decode()?;
            // The money is held again; no step is done.
            Decoded {
                funds_transfer_id: e.funds_transfer_id,
                change: Change::Release {
                    release_id: e.release_id,
                    account_id: e.account_id,
                    outcome: Some(Outcome::Rejected),
                },
                status: TransferStatus::RefundRejected,
                step: None,
                reason: Some(format!("the release was refused: {}", e.reason)),
                time: e.processed_time,
            }
        }
        _ => return Ok(None),
    };
    if streams::transfer_id_of(event.stream_name.as_str()) != Some(decoded.funds_transfer_id) {
        return Err(event.unhandleable("its fundsTransferId is not the transfer of its stream"));
    }
    Ok(Some(decoded))
}

/// Applies one event; returns the answer to a command when the event
/// answers one (`Initiated` or `Rejected` a `Transfer`, the end of a release
/// a `ReleaseHeldRefund`).
fn update(rows: &mut BTreeMap<Uuid, Transfer>, decoded: Decoded, position: i64) -> Option<Answer> {
    let id = decoded.funds_transfer_id;
    match decoded.change {
        Change::Start {
            from,
            to,
            amount,
            requested,
        } => {
            if rows.contains_key(&id) {
                return None;
            }
            let mut row = Transfer {
                funds_transfer_id: id,
                withdrawal_account_id: from,
                deposit_account_id: to,
                amount,
                status: decoded.status,
                reason: decoded.reason.clone(),
                requested_time: requested,
                initiated_time: None,
                withdrawn_time: None,
                deposited_time: None,
                transferred_time: None,
                cancelled_time: None,
                deposit_rejected_time: None,
                reversed_time: None,
                refund_rejected_time: None,
                release_requested_time: None,
                released_time: None,
                rejected_time: None,
                release_account_id: None,
                last_position: position,
            };
            if let Some(step) = decoded.step {
                row.record_step(step, decoded.time);
            }
            rows.insert(id, row);
            let outcome = match decoded.status {
                TransferStatus::Rejected => Outcome::Rejected,
                _ => Outcome::Initiated,
            };
            Some(Answer {
                command_key: key::transaction(id),
                kind: CommandKind::Transfer,
                account_id: Some(from),
                funds_transfer_id: Some(id),
                amount: Some(amount),
                outcome,
                reason: decoded.reason,
                time: decoded.time,
                position,
            })
        }
        Change::Step => {
            step(rows, &decoded, position);
            None
        }
        Change::Release {
            release_id,
            account_id,
            outcome,
        } => {
            let row = step(rows, &decoded, position)?;
            row.release_account_id = Some(account_id);
            Some(Answer {
                command_key: key::release(release_id),
                kind: CommandKind::Release,
                account_id: Some(account_id),
                funds_transfer_id: Some(id),
                amount: Some(row.amount),
                outcome: outcome?,
                reason: decoded.reason,
                time: decoded.time,
                position,
            })
        }
    }
}

/// Applies a later step to its row: its status, its reason, its time. A
/// step of a transfer the views have not seen start cannot happen in order,
/// and a step seen already is skipped: both give `None`.
fn step<'a>(
    rows: &'a mut BTreeMap<Uuid, Transfer>,
    decoded: &Decoded,
    position: i64,
) -> Option<&'a mut Transfer> {
    let row = rows.get_mut(&decoded.funds_transfer_id)?;
    if position <= row.last_position {
        return None;
    }
    row.status = decoded.status;
    row.reason = decoded.reason.clone().or(row.reason.take());
    if let Some(step) = decoded.step {
        row.record_step(step, decoded.time);
    }
    row.last_position = position;
    Some(row)
}

/// Applies a batch of transfer events to the views.
pub async fn apply_batch<'a>(
    connection: &mut AnyConnection,
    events: &[&'a StoredMessage],
) -> Result<Vec<Unhandleable<'a>>, sqlx::Error> {
    let (decoded, unhandleable) = decode_all(events, decode);
    let ids = decoded.iter().map(|(_, found)| found.funds_transfer_id);
    let mut rows = transfers::load(connection, ids).await?;
    let before = rows.clone();
    let mut answers = Vec::new();
    for (event, found) in decoded {
        answers.extend(update(&mut rows, found, event.global_position));
    }
    let changed = rows
        .iter()
        .filter(|(id, row)| before.get(id) != Some(*row))
        .map(|(_, row)| row);
    transfers::save(connection, changed).await?;
    commands::record_answers(connection, answers).await?;
    Ok(unhandleable)
}
