//! The transfers view: one row per transfer, with its status and the time
//! of each step it took.
//!
//! Written by the aggregator from the `fundsTransfer` category; read by the
//! web UI for the transfer page, the account page and the home page. The
//! table is `transfers` in `migrations/views/`.

use std::collections::BTreeMap;
use std::fmt;

use account_component::Money;
use messaging::Time;
use serde::Deserialize;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use uuid::Uuid;

use crate::Views;
use crate::bulk::{self, Value};
use crate::columns::{self, Code, parsed, parsed_optional};

/// Where a transfer stands: the step it reached last.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize)]
#[serde(try_from = "String")]
pub enum TransferStatus {
    /// Started: the ids of its steps are fixed, the withdrawal is asked for.
    Initiated,
    /// The money left the source account and is in flight.
    Withdrawn,
    /// The money reached the destination (the transfer ends with it).
    Deposited,
    /// Done.
    Transferred,
    /// The source refused the withdrawal: nothing moved.
    Cancelled,
    /// The destination refused the deposit: the money goes back.
    Refunding,
    /// The money went back to the source.
    Reversed,
    /// The source refused the refund too: the bank holds the money, until
    /// an operator releases it.
    RefundRejected,
    /// An operator chose an account for the money held; its answer is due.
    Releasing,
    /// The money held was paid into the account the operator chose.
    Released,
    /// Refused before it started (same account, a bad amount).
    Rejected,
}

impl TransferStatus {
    /// Is the transfer over, whatever the outcome? A refund refused is over
    /// as far as the process goes: the money waits for a person.
    pub fn has_ended(self) -> bool {
        matches!(
            self,
            Self::Transferred
                | Self::Cancelled
                | Self::Reversed
                | Self::Rejected
                | Self::RefundRejected
                | Self::Released
        )
    }

    /// Does the bank hold the transfer's money (until a release places it)?
    pub fn holds_money(self) -> bool {
        matches!(self, Self::RefundRejected | Self::Releasing)
    }
}

impl Code for TransferStatus {
    const ALL: &'static [Self] = &[
        Self::Initiated,
        Self::Withdrawn,
        Self::Deposited,
        Self::Transferred,
        Self::Cancelled,
        Self::Refunding,
        Self::Reversed,
        Self::RefundRejected,
        Self::Releasing,
        Self::Released,
        Self::Rejected,
    ];

    fn code(self) -> &'static str {
        match self {
            Self::Initiated => "initiated",
            Self::Withdrawn => "withdrawn",
            Self::Deposited => "deposited",
            Self::Transferred => "transferred",
            Self::Cancelled => "cancelled",
            Self::Refunding => "refunding",
            Self::Reversed => "reversed",
            Self::RefundRejected => "refund-rejected",
            Self::Releasing => "releasing",
            Self::Released => "released",
            Self::Rejected => "rejected",
        }
    }
}

impl TryFrom<String> for TransferStatus {
    type Error = columns::ColumnError;

    fn try_from(code: String) -> Result<Self, Self::Error> {
        columns::parse_code(&code)
    }
}

impl fmt::Display for TransferStatus {
    /// The status in words: `refund rejected`.
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::RefundRejected => formatter.write_str("held: refund refused"),
            other => formatter.write_str(other.code()),
        }
    }
}

/// A step of a transfer, each with a time column of its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    Initiated,
    Withdrawn,
    Deposited,
    Transferred,
    Cancelled,
    DepositRejected,
    Reversed,
    RefundRejected,
    ReleaseRequested,
    Released,
    Rejected,
}

/// A transfer, as the views hold it.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Transfer {
    pub funds_transfer_id: Uuid,
    /// The source account.
    pub withdrawal_account_id: Uuid,
    /// The destination account.
    pub deposit_account_id: Uuid,
    pub amount: Money,
    pub status: TransferStatus,
    /// Why it was refused, cancelled or reversed, in words.
    pub reason: Option<String>,
    /// When it was asked for (the command's time).
    pub requested_time: Time,
    /// When each step happened, for the steps that did.
    pub initiated_time: Option<Time>,
    pub withdrawn_time: Option<Time>,
    pub deposited_time: Option<Time>,
    pub transferred_time: Option<Time>,
    pub cancelled_time: Option<Time>,
    pub deposit_rejected_time: Option<Time>,
    pub reversed_time: Option<Time>,
    pub refund_rejected_time: Option<Time>,
    pub release_requested_time: Option<Time>,
    pub released_time: Option<Time>,
    pub rejected_time: Option<Time>,
    /// The account an operator released the money held to (or is
    /// releasing it to).
    pub release_account_id: Option<Uuid>,
    /// The global position of the last event applied to this row.
    pub last_position: i64,
}

impl Transfer {
    /// Records when `step` happened.
    pub fn record_step(&mut self, step: Step, time: Time) {
        let column = match step {
            Step::Initiated => &mut self.initiated_time,
            Step::Withdrawn => &mut self.withdrawn_time,
            Step::Deposited => &mut self.deposited_time,
            Step::Transferred => &mut self.transferred_time,
            Step::Cancelled => &mut self.cancelled_time,
            Step::DepositRejected => &mut self.deposit_rejected_time,
            Step::Reversed => &mut self.reversed_time,
            Step::RefundRejected => &mut self.refund_rejected_time,
            Step::ReleaseRequested => &mut self.release_requested_time,
            Step::Released => &mut self.released_time,
            Step::Rejected => &mut self.rejected_time,
        };
        *column = Some(time);
    }
}

/// The columns of a row, in the order the reads and writes below use.
pub(crate) const COLUMNS: &str = "funds_transfer_id, withdrawal_account_id, \
    deposit_account_id, amount, status, reason, requested_time, initiated_time, \
    withdrawn_time, deposited_time, transferred_time, cancelled_time, \
    deposit_rejected_time, reversed_time, refund_rejected_time, release_requested_time, \
    released_time, rejected_time, release_account_id, last_position";

fn from_row(row: &AnyRow) -> Result<Transfer, sqlx::Error> {
    Ok(Transfer {
        funds_transfer_id: parsed(row, "funds_transfer_id")?,
        withdrawal_account_id: parsed(row, "withdrawal_account_id")?,
        deposit_account_id: parsed(row, "deposit_account_id")?,
        amount: columns::money(row, "amount")?,
        status: parsed(row, "status")?,
        reason: row.try_get("reason")?,
        requested_time: parsed(row, "requested_time")?,
        initiated_time: parsed_optional(row, "initiated_time")?,
        withdrawn_time: parsed_optional(row, "withdrawn_time")?,
        deposited_time: parsed_optional(row, "deposited_time")?,
        transferred_time: parsed_optional(row, "transferred_time")?,
        cancelled_time: parsed_optional(row, "cancelled_time")?,
        deposit_rejected_time: parsed_optional(row, "deposit_rejected_time")?,
        reversed_time: parsed_optional(row, "reversed_time")?,
        refund_rejected_time: parsed_optional(row, "refund_rejected_time")?,
        release_requested_time: parsed_optional(row, "release_requested_time")?,
        released_time: parsed_optional(row, "released_time")?,
        rejected_time: parsed_optional(row, "rejected_time")?,
        release_account_id: parsed_optional(row, "release_account_id")?,
        last_position: row.try_get("last_position")?,
    })
}

fn values(transfer: &Transfer) -> Vec<Value> {
    vec![
        transfer.funds_transfer_id.into(),
        transfer.withdrawal_account_id.into(),
        transfer.deposit_account_id.into(),
        transfer.amount.into(),
        transfer.status.code().into(),
        transfer.reason.clone().into(),
        transfer.requested_time.into(),
        transfer.initiated_time.into(),
        transfer.withdrawn_time.into(),
        transfer.deposited_time.into(),
        transfer.transferred_time.into(),
        transfer.cancelled_time.into(),
        transfer.deposit_rejected_time.into(),
        transfer.reversed_time.into(),
        transfer.refund_rejected_time.into(),
        transfer.release_requested_time.into(),
        transfer.released_time.into(),
        transfer.rejected_time.into(),
        transfer.release_account_id.into(),
        transfer.last_position.into(),
    ]
}

/// The aggregator's read: the rows of these transfers that the views have.
pub async fn load(
    connection: &mut AnyConnection,
    ids: impl IntoIterator<Item = Uuid>,
) -> Result<BTreeMap<Uuid, Transfer>, sqlx::Error> {
    let ids: Vec<String> = ids.into_iter().map(|id| id.to_string()).collect();
    let select = format!("SELECT {COLUMNS} FROM transfers");
    let rows = bulk::select_where_in(connection, &select, "funds_transfer_id", &ids).await?;
    let mut transfers = BTreeMap::new();
    for row in rows {
        let transfer = from_row(&row)?;
        transfers.insert(transfer.funds_transfer_id, transfer);
    }
    Ok(transfers)
}

/// The aggregator's write: these rows, inserted or updated, unless the row
/// in the views reflects a newer event already.
pub async fn save<'a>(
    connection: &mut AnyConnection,
    transfers: impl IntoIterator<Item = &'a Transfer>,
) -> Result<(), sqlx::Error> {
    let rows: Vec<Vec<Value>> = transfers.into_iter().map(values).collect();
    let updates: Vec<String> = COLUMNS
        .split(',')
        .map(str::trim)
        .skip(1)
        .map(|column| format!("{column} = excluded.{column}"))
        .collect();
    bulk::insert(
        connection,
        &format!("INSERT INTO transfers ({COLUMNS})"),
        &format!(
            "ON CONFLICT (funds_transfer_id) DO UPDATE SET {} \
             WHERE transfers.last_position < excluded.last_position",
            updates.join(", ")
        ),
        &rows,
    )
    .await
}

/// The web UI's reads.
impl Views {
    /// One transfer, if the views have seen it.
    pub async fn transfer(&self, funds_transfer_id: Uuid) -> Result<Option<Transfer>, sqlx::Error> {
        let sql = format!("SELECT {COLUMNS} FROM transfers WHERE funds_transfer_id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(funds_transfer_id.to_string())
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(from_row).transpose()
    }

    /// The most recent transfers, newest first.
    pub async fn recent_transfers(&self, limit: i64) -> Result<Vec<Transfer>, sqlx::Error> {
        let sql = format!(
            "SELECT {COLUMNS} FROM transfers \
             ORDER BY requested_time DESC, funds_transfer_id LIMIT $1"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(from_row).collect()
    }

    /// The transfers whose money the bank holds, oldest first: what an
    /// operator has to place.
    pub async fn held_transfers(&self) -> Result<Vec<Transfer>, sqlx::Error> {
        let sql = format!(
            "SELECT {COLUMNS} FROM transfers WHERE status IN ('{}', '{}') \
             ORDER BY requested_time, funds_transfer_id",
            TransferStatus::RefundRejected.code(),
            TransferStatus::Releasing.code(),
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(from_row).collect()
    }

    /// The transfers from or to an account, newest first.
    pub async fn transfers_of(&self, account_id: Uuid) -> Result<Vec<Transfer>, sqlx::Error> {
        let sql = format!(
            "SELECT {COLUMNS} FROM transfers \
             WHERE withdrawal_account_id = $1 OR deposit_account_id = $1 \
             ORDER BY requested_time DESC, funds_transfer_id"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(account_id.to_string())
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(from_row).collect()
    }
}
