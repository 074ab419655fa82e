//! The transfers view, from the `fundsTransfer` category.

use funds_transfer_component::messages::events::{
    Cancelled, DepositRejected, Deposited, Initiated, RefundRejected, Rejected, Reversed,
    Transferred, Withdrawn,
};
use messaging::{Message, StoredMessage, Time};
use sqlx::AnyConnection;
use uuid::Uuid;

use super::ApplyError;
use super::commands::{self, Processed};

/// Applies one transfer event.
pub async fn apply(
    connection: &mut AnyConnection,
    event: &StoredMessage,
) -> Result<(), ApplyError> {
    let position = event.global_position;
    match event.message_type.as_str() {
        Initiated::TYPE => {
            let initiated: Initiated = event.decode()?;
            let row = Started {
                id: initiated.funds_transfer_id,
                from: initiated.withdrawal_account_id,
                to: initiated.deposit_account_id,
                amount: initiated.amount.cents(),
                status: "initiated",
                reason: None,
                requested_time: initiated.time,
                step_column: "initiated_time",
                step_time: initiated.processed_time,
            };
            start(connection, &row, position).await?;
            processed(connection, &row, "initiated", position).await
        }
        Rejected::TYPE => {
            let rejected: Rejected = event.decode()?;
            let row = Started {
                id: rejected.funds_transfer_id,
                from: rejected.withdrawal_account_id,
                to: rejected.deposit_account_id,
                amount: rejected.amount.cents(),
                status: "rejected",
                reason: Some(rejected.reason.to_string()),
                requested_time: rejected.time,
                step_column: "rejected_time",
                step_time: rejected.processed_time,
            };
            start(connection, &row, position).await?;
            let outcome = format!("rejected: {}", rejected.reason);
            processed(connection, &row, &outcome, position).await
        }
        Withdrawn::TYPE => {
            let withdrawn: Withdrawn = event.decode()?;
            step(
                connection,
                withdrawn.funds_transfer_id,
                "withdrawn",
                None,
                "withdrawn_time",
                withdrawn.processed_time,
                position,
            )
            .await
        }
        Deposited::TYPE => {
            let deposited: Deposited = event.decode()?;
            step(
                connection,
                deposited.funds_transfer_id,
                "deposited",
                None,
                "deposited_time",
                deposited.processed_time,
                position,
            )
            .await
        }
        Transferred::TYPE => {
            let transferred: Transferred = event.decode()?;
            step(
                connection,
                transferred.funds_transfer_id,
                "transferred",
                None,
                "transferred_time",
                transferred.processed_time,
                position,
            )
            .await
        }
        Cancelled::TYPE => {
            let cancelled: Cancelled = event.decode()?;
            let reason = Some(cancelled.reason.to_string());
            step(
                connection,
                cancelled.funds_transfer_id,
                "cancelled",
                reason,
                "cancelled_time",
                cancelled.processed_time,
                position,
            )
            .await
        }
        DepositRejected::TYPE => {
            let rejected: DepositRejected = event.decode()?;
            let reason = Some(rejected.reason.to_string());
            step(
                connection,
                rejected.funds_transfer_id,
                "refunding",
                reason,
                "deposit_rejected_time",
                rejected.processed_time,
                position,
            )
            .await
        }
        Reversed::TYPE => {
            let reversed: Reversed = event.decode()?;
            let reason = Some(reversed.reason.to_string());
            step(
                connection,
                reversed.funds_transfer_id,
                "reversed",
                reason,
                "reversed_time",
                reversed.processed_time,
                position,
            )
            .await
        }
        RefundRejected::TYPE => {
            let rejected: RefundRejected = event.decode()?;
            let reason = Some(format!("refund refused: {}", rejected.reason));
            step(
                connection,
                rejected.funds_transfer_id,
                "refund rejected",
                reason,
                "refund_rejected_time",
                rejected.processed_time,
                position,
            )
            .await
        }
        _ => Ok(()),
    }
}

/// The first event of a transfer, which creates its row.
struct Started {
    id: Uuid,
    from: Uuid,
    to: Uuid,
    amount: i64,
    status: &'static str,
    reason: Option<String>,
    requested_time: Time,
    step_column: &'static str,
    step_time: Time,
}

async fn start(
    connection: &mut AnyConnection,
    row: &Started,
    position: i64,
) -> Result<(), ApplyError> {
    let insert = format!(
        "INSERT INTO transfers (funds_transfer_id, withdrawal_account_id, deposit_account_id, \
                                amount, status, reason, requested_time, {}, last_position) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
         ON CONFLICT (funds_transfer_id) DO NOTHING",
        row.step_column
    );
    sqlx::query(sqlx::AssertSqlSafe(insert))
        .bind(row.id.to_string())
        .bind(row.from.to_string())
        .bind(row.to.to_string())
        .bind(row.amount)
        .bind(row.status)
        .bind(row.reason.clone())
        .bind(row.requested_time.to_string())
        .bind(row.step_time.to_string())
        .bind(position)
        .execute(&mut *connection)
        .await?;
    Ok(())
}

async fn processed(
    connection: &mut AnyConnection,
    row: &Started,
    outcome: &str,
    position: i64,
) -> Result<(), ApplyError> {
    let answer = Processed {
        key: row.id.to_string(),
        kind: "transfer",
        account_id: Some(row.from.to_string()),
        funds_transfer_id: Some(row.id.to_string()),
        amount: Some(row.amount),
        outcome: outcome.to_string(),
        time: row.step_time,
    };
    commands::processed(connection, answer, position).await
}

/// A later step: the status, the reason if any, and the step's time, once.
async fn step(
    connection: &mut AnyConnection,
    id: Uuid,
    status: &str,
    reason: Option<String>,
    column: &'static str,
    time: Time,
    position: i64,
) -> Result<(), ApplyError> {
    let update = format!(
        "UPDATE transfers SET status = $2, reason = coalesce($3, reason), \
                              {column} = $4, last_position = $5 \
         WHERE funds_transfer_id = $1 AND last_position < $5"
    );
    sqlx::query(sqlx::AssertSqlSafe(update))
        .bind(id.to_string())
        .bind(status)
        .bind(reason)
        .bind(time.to_string())
        .bind(position)
        .execute(&mut *connection)
        .await?;
    Ok(())
}
