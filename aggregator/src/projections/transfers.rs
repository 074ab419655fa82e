//! The transfers view, from the `fundsTransfer` category.
//!
//! Folded like the accounts view: the touched rows are read once, each event
//! is applied in memory, and the changed rows are written back together.

use std::collections::BTreeMap;

use funds_transfer_component::messages::events::{
    Cancelled, DepositRejected, Deposited, Initiated, RefundRejected, Rejected, Reversed,
    Transferred, Withdrawn,
};
use funds_transfer_component::streams;
use messaging::{Message, MessageError, StoredMessage, Time};
use sqlx::{AnyConnection, Row};
use uuid::Uuid;

use super::bulk::{self, Value};
use super::commands::{self, Processed};
use super::{Unhandleable, decode_all};

/// The columns of a transfer row, in order.
const COLUMNS: [&str; 17] = [
    "funds_transfer_id",
    "withdrawal_account_id",
    "deposit_account_id",
    "amount",
    "status",
    "reason",
    "requested_time",
    "initiated_time",
    "withdrawn_time",
    "deposited_time",
    "transferred_time",
    "cancelled_time",
    "deposit_rejected_time",
    "reversed_time",
    "refund_rejected_time",
    "rejected_time",
    "last_position",
];

/// The step columns, each the time of one step.
const STEPS: [&str; 9] = [
    "initiated_time",
    "withdrawn_time",
    "deposited_time",
    "transferred_time",
    "cancelled_time",
    "deposit_rejected_time",
    "reversed_time",
    "refund_rejected_time",
    "rejected_time",
];

/// A transfer's row, as the views hold it.
#[derive(Clone, Debug, PartialEq, Eq)]
struct TransferRow {
    funds_transfer_id: String,
    withdrawal_account_id: String,
    deposit_account_id: String,
    amount: i64,
    status: String,
    reason: Option<String>,
    requested_time: String,
    /// The time of each step that happened, by column.
    steps: BTreeMap<&'static str, String>,
    last_position: i64,
}

/// What an event does to its transfer's row.
enum Change {
    /// The first event: `Initiated` or `Rejected` creates the row.
    Start {
        from: Uuid,
        to: Uuid,
        amount: i64,
        status: &'static str,
        reason: Option<String>,
        requested: Time,
        step: &'static str,
        time: Time,
    },
    /// A later step: a status, a reason perhaps, the step's time.
    Step {
        status: &'static str,
        reason: Option<String>,
        step: &'static str,
        time: Time,
    },
}

fn decode(event: &StoredMessage) -> Result<Option<(Uuid, Change)>, MessageError> {
    let step = |status, reason, step, time| Change::Step {
        status,
        reason,
        step,
        time,
    };
    let (id, change) = match event.message_type.as_str() {
        Initiated::TYPE => {
            let e: Initiated = event.decode()?;
            let change = Change::Start {
                from: e.withdrawal_account_id,
                to: e.deposit_account_id,
                amount: e.amount.cents(),
                status: "initiated",
                reason: None,
                requested: e.time,
                step: "initiated_time",
                time: e.processed_time,
            };
            (e.funds_transfer_id, change)
        }
        Rejected::TYPE => {
            let e: Rejected = event.decode()?;
            let change = Change::Start {
                from: e.withdrawal_account_id,
                to: e.deposit_account_id,
                amount: e.amount.cents(),
                status: "rejected",
                reason: Some(e.reason.to_string()),
                requested: e.time,
                step: "rejected_time",
                time: e.processed_time,
            };
            (e.funds_transfer_id, change)
        }
        Withdrawn::TYPE => {
            let e: Withdrawn = event.decode()?;
            (
                e.funds_transfer_id,
                step("withdrawn", None, "withdrawn_time", e.processed_time),
            )
        }
        Deposited::TYPE => {
            let e: Deposited = event.decode()?;
            (
                e.funds_transfer_id,
                step("deposited", None, "deposited_time", e.processed_time),
            )
        }
        Transferred::TYPE => {
            let e: Transferred = event.decode()?;
            (
                e.funds_transfer_id,
                step("transferred", None, "transferred_time", e.processed_time),
            )
        }
        Cancelled::TYPE => {
            let e: Cancelled = event.decode()?;
            (
                e.funds_transfer_id,
                step(
                    "cancelled",
                    Some(e.reason.to_string()),
                    "cancelled_time",
                    e.processed_time,
                ),
            )
        }
        DepositRejected::TYPE => {
            let e: DepositRejected = event.decode()?;
            (
                e.funds_transfer_id,
                step(
                    "refunding",
                    Some(e.reason.to_string()),
                    "deposit_rejected_time",
                    e.processed_time,
                ),
            )
        }
        Reversed::TYPE => {
            let e: Reversed = event.decode()?;
            (
                e.funds_transfer_id,
                step(
                    "reversed",
                    Some(e.reason.to_string()),
                    "reversed_time",
                    e.processed_time,
                ),
            )
        }
        RefundRejected::TYPE => {
            let e: RefundRejected = event.decode()?;
            let reason = Some(format!("refund refused: {}", e.reason));
            (
                e.funds_transfer_id,
                step(
                    "refund rejected",
                    reason,
                    "refund_rejected_time",
                    e.processed_time,
                ),
            )
        }
        _ => return Ok(None),
    };
    if streams::transfer_id_of(event.stream_name.as_str()) != Some(id) {
        return Err(event.unhandleable("its fundsTransferId is not the transfer of its stream"));
    }
    Ok(Some((id, change)))
}

/// Applies one event; returns the command it answers, if it is the first.
fn apply(
    rows: &mut BTreeMap<Uuid, TransferRow>,
    id: Uuid,
    change: Change,
    position: i64,
) -> Option<Processed> {
    match change {
        Change::Start {
            from,
            to,
            amount,
            status,
            reason,
            requested,
            step,
            time,
        } => {
            if rows.contains_key(&id) {
                return None;
            }
            let outcome = match &reason {
                Some(reason) => format!("rejected: {reason}"),
                None => "initiated".to_string(),
            };
            rows.insert(
                id,
                TransferRow {
                    funds_transfer_id: id.to_string(),
                    withdrawal_account_id: from.to_string(),
                    deposit_account_id: to.to_string(),
                    amount,
                    status: status.to_string(),
                    reason,
                    requested_time: requested.to_string(),
                    steps: BTreeMap::from([(step, time.to_string())]),
                    last_position: position,
                },
            );
            Some(Processed {
                key: id.to_string(),
                kind: "transfer",
                account_id: Some(from.to_string()),
                funds_transfer_id: Some(id.to_string()),
                amount: Some(amount),
                outcome,
                time,
            })
        }
        Change::Step {
            status,
            reason,
            step,
            time,
        } => {
            // A step of a transfer the views have not seen start cannot
            // happen in order; a step seen already is skipped.
            let row = rows.get_mut(&id)?;
            if position <= row.last_position {
                return None;
            }
            row.status = status.to_string();
            row.reason = reason.or(row.reason.take());
            row.steps.insert(step, time.to_string());
            row.last_position = position;
            None
        }
    }
}

/// Applies a batch of transfer events to the views.
pub async fn apply_batch<'a>(
    connection: &mut AnyConnection,
    events: &[&'a StoredMessage],
) -> Result<Vec<Unhandleable<'a>>, sqlx::Error> {
    let (decoded, unhandleable) = decode_all(events, decode);
    let ids: Vec<String> = decoded.iter().map(|(_, (id, _))| id.to_string()).collect();
    let mut rows = load(connection, &ids).await?;
    let before = rows.clone();
    let mut answers = Vec::new();
    for (event, (id, change)) in decoded {
        if let Some(answer) = apply(&mut rows, id, change, event.global_position) {
            answers.push((answer, event.global_position));
        }
    }
    let changed: Vec<Vec<Value>> = rows
        .iter()
        .filter(|(id, row)| before.get(id) != Some(*row))
        .map(|(_, row)| {
            let mut values: Vec<Value> = vec![
                row.funds_transfer_id.clone().into(),
                row.withdrawal_account_id.clone().into(),
                row.deposit_account_id.clone().into(),
                row.amount.into(),
                row.status.clone().into(),
                row.reason.clone().into(),
                row.requested_time.clone().into(),
            ];
            values.extend(
                STEPS
                    .iter()
                    .map(|step| Value::Text(row.steps.get(step).cloned())),
            );
            values.push(row.last_position.into());
            values
        })
        .collect();
    let updates: Vec<String> = COLUMNS[1..]
        .iter()
        .map(|column| format!("{column} = excluded.{column}"))
        .collect();
    bulk::insert(
        connection,
        &format!("INSERT INTO transfers ({})", COLUMNS.join(", ")),
        &format!(
            "ON CONFLICT (funds_transfer_id) DO UPDATE SET {} WHERE transfers.last_position < excluded.last_position",
            updates.join(", ")
        ),
        &changed,
    )
    .await?;
    commands::processed(connection, answers).await?;
    Ok(unhandleable)
}

async fn load(
    connection: &mut AnyConnection,
    ids: &[String],
) -> Result<BTreeMap<Uuid, TransferRow>, sqlx::Error> {
    let found = bulk::select_where_in(
        connection,
        &format!("SELECT {} FROM transfers", COLUMNS.join(", ")),
        "funds_transfer_id",
        ids,
    )
    .await?;
    let mut rows = BTreeMap::new();
    for row in found {
        let funds_transfer_id: String = row.try_get("funds_transfer_id")?;
        let Ok(id) = funds_transfer_id.parse::<Uuid>() else {
            continue;
        };
        let mut steps = BTreeMap::new();
        for step in STEPS {
            if let Some(time) = row.try_get::<Option<String>, _>(step)? {
                steps.insert(step, time);
            }
        }
        rows.insert(
            id,
            TransferRow {
                funds_transfer_id,
                withdrawal_account_id: row.try_get("withdrawal_account_id")?,
                deposit_account_id: row.try_get("deposit_account_id")?,
                amount: row.try_get("amount")?,
                status: row.try_get("status")?,
                reason: row.try_get("reason")?,
                requested_time: row.try_get("requested_time")?,
                steps,
                last_position: row.try_get("last_position")?,
            },
        );
    }
    Ok(rows)
}
