//! The statement view: one line per deposit, withdrawal or refusal of an
//! account, each with the balance after it.
//!
//! Written by the aggregator from the `account` category; read by the web UI
//! for the account page. The table is `statement_lines` in
//! `migrations/views/`. A line's identity is the global position of the
//! event it shows, so inserting a line twice leaves one.

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

/// What a statement line records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize)]
#[serde(try_from = "String")]
pub enum Entry {
    /// Money came in (`Deposited`).
    Deposit,
    /// Money went out (`Withdrawn`).
    Withdrawal,
    /// A deposit was refused (`DepositRejected`); the balance is unchanged.
    DepositRejected,
    /// A withdrawal was refused (`WithdrawalRejected`); the balance is
    /// unchanged.
    WithdrawalRejected,
}

impl Entry {
    /// Was it refused (so that it moved no money)?
    pub fn is_rejected(self) -> bool {
        matches!(self, Entry::DepositRejected | Entry::WithdrawalRejected)
    }
}

impl Code for Entry {
    const ALL: &'static [Self] = &[
        Self::Deposit,
        Self::Withdrawal,
        Self::DepositRejected,
        Self::WithdrawalRejected,
    ];

    fn code(self) -> &'static str {
        match self {
            Self::Deposit => "deposit",
            Self::Withdrawal => "withdrawal",
            Self::DepositRejected => "deposit-rejected",
            Self::WithdrawalRejected => "withdrawal-rejected",
        }
    }
}

impl TryFrom<String> for Entry {
    type Error = columns::ColumnError;

    fn try_from(code: String) -> Result<Self, Self::Error> {
        columns::parse_code(&code)
    }
}

impl fmt::Display for Entry {
    /// The entry in words: `deposit rejected`.
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(match self {
            Entry::Deposit => "deposit",
            Entry::Withdrawal => "withdrawal",
            Entry::DepositRejected => "deposit rejected",
            Entry::WithdrawalRejected => "withdrawal rejected",
        })
    }
}

/// One line of an account's statement.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct StatementLine {
    pub account_id: Uuid,
    /// The global position of the event the line shows: its identity.
    pub global_position: i64,
    /// The event's position in the account's stream: the statement's order.
    pub position: i64,
    pub entry: Entry,
    /// The deposit's or the withdrawal's id.
    pub transaction_id: Uuid,
    /// The amount asked for, moved or not (see `entry`).
    pub amount: Money,
    /// The balance after this line. Derived here, never carried by events.
    pub balance_after: Money,
    /// Why it was refused, in words, for a refused line.
    pub reason: Option<String>,
    /// What the customer wrote to recognise it, if anything.
    pub reference: Option<String>,
    /// The transfer the line belongs to, from the event's correlation.
    pub funds_transfer_id: Option<Uuid>,
    /// When the account component processed it.
    pub time: Time,
}

/// The columns of a line, in the order the reads and writes below use.
pub(crate) const COLUMNS: &str = "account_id, global_position, position, entry, \
    transaction_id, amount, balance_after, reason, reference, funds_transfer_id, time";

fn from_row(row: &AnyRow) -> Result<StatementLine, sqlx::Error> {
    Ok(StatementLine {
        account_id: parsed(row, "account_id")?,
        global_position: row.try_get("global_position")?,
        position: row.try_get("position")?,
        entry: parsed(row, "entry")?,
        transaction_id: parsed(row, "transaction_id")?,
        amount: columns::money(row, "amount")?,
        balance_after: columns::money(row, "balance_after")?,
        reason: row.try_get("reason")?,
        reference: row.try_get("reference")?,
        funds_transfer_id: parsed_optional(row, "funds_transfer_id")?,
        time: parsed(row, "time")?,
    })
}

fn values(line: &StatementLine) -> Vec<Value> {
    vec![
        line.account_id.into(),
        line.global_position.into(),
        line.position.into(),
        line.entry.code().into(),
        line.transaction_id.into(),
        line.amount.into(),
        line.balance_after.into(),
        line.reason.clone().into(),
        line.reference.clone().into(),
        line.funds_transfer_id.into(),
        line.time.into(),
    ]
}

/// The aggregator's write: new lines. A line that is there already (the
/// same event, applied again) is left as it is.
pub async fn add(
    connection: &mut AnyConnection,
    lines: &[StatementLine],
) -> Result<(), sqlx::Error> {
    let rows: Vec<Vec<Value>> = lines.iter().map(values).collect();
    bulk::insert(
        connection,
        &format!("INSERT INTO statement_lines ({COLUMNS})"),
        "ON CONFLICT (account_id, global_position) DO NOTHING",
        &rows,
    )
    .await
}

/// The web UI's reads.
impl Views {
    /// An account's statement in the order of its events: the whole of it,
    /// or only its `latest` lines. (The newest lines are found by global
    /// position, the table's key, which within one account's stream is in
    /// the same order as the stream's positions.)
    pub async fn statement(
        &self,
        account_id: Uuid,
        latest: Option<i64>,
    ) -> Result<Vec<StatementLine>, sqlx::Error> {
        let rows = match latest {
            None => {
                let sql = format!(
                    "SELECT {COLUMNS} FROM statement_lines WHERE account_id = $1 \
                     ORDER BY position"
                );
                sqlx::query(sqlx::AssertSqlSafe(sql))
                    .bind(account_id.to_string())
                    .fetch_all(&self.pool)
                    .await?
            }
            Some(latest) => {
                let sql = format!(
                    "SELECT {COLUMNS} FROM (SELECT {COLUMNS} FROM statement_lines \
                     WHERE account_id = $1 ORDER BY global_position DESC LIMIT $2) AS latest \
                     ORDER BY position"
                );
                sqlx::query(sqlx::AssertSqlSafe(sql))
                    .bind(account_id.to_string())
                    .bind(latest)
                    .fetch_all(&self.pool)
                    .await?
            }
        };
        rows.iter().map(from_row).collect()
    }
}
