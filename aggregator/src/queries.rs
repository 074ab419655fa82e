//! Reading the views: everything the web UI shows, as typed rows.
//!
//! This is the only way the web UI learns anything about accounts and
//! transfers. It never asks a component and never reads the message store
//! for business data (the message inspector, which shows the raw messages
//! for teaching, is separate and clearly labelled).

pub mod account_page;

use std::collections::BTreeMap;
use std::sync::Arc;

use account_component::Money;
use serde::Deserialize;
use sqlx::any::AnyRow;
use sqlx::{AnyPool, Row};
use uuid::Uuid;

use crate::view_database::ViewDatabase;

/// An account as the views show it.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct AccountView {
    pub account_id: String,
    pub customer_id: Option<String>,
    pub holder_name: Option<String>,
    pub balance: Money,
    /// `open`, `closed` or `unopened`.
    pub status: String,
    pub opened_time: Option<String>,
    pub closed_time: Option<String>,
    pub last_position: i64,
}

/// One line of an account's statement.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct StatementLine {
    pub global_position: i64,
    pub position: i64,
    /// `deposit`, `withdrawal`, `deposit rejected`, `withdrawal rejected`.
    pub entry: String,
    pub transaction_id: String,
    pub amount: Money,
    pub balance_after: Money,
    pub reason: Option<String>,
    pub funds_transfer_id: Option<String>,
    pub time: String,
}

/// A transfer and the time of each of its steps.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct TransferView {
    pub funds_transfer_id: String,
    pub withdrawal_account_id: String,
    pub deposit_account_id: String,
    pub amount: Money,
    pub status: String,
    pub reason: Option<String>,
    pub requested_time: String,
    pub initiated_time: Option<String>,
    pub withdrawn_time: Option<String>,
    pub deposited_time: Option<String>,
    pub transferred_time: Option<String>,
    pub cancelled_time: Option<String>,
    pub deposit_rejected_time: Option<String>,
    pub reversed_time: Option<String>,
    pub refund_rejected_time: Option<String>,
    pub rejected_time: Option<String>,
}

impl TransferView {
    /// Is the transfer over (whatever the outcome)?
    pub fn has_ended(&self) -> bool {
        matches!(
            self.status.as_str(),
            "transferred" | "cancelled" | "reversed" | "rejected"
        )
    }
}

/// A command and, once seen, its outcome.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct CommandView {
    pub command_key: String,
    pub kind: String,
    pub account_id: Option<String>,
    pub funds_transfer_id: Option<String>,
    pub amount: Option<Money>,
    pub requested_time: Option<String>,
    pub request_position: Option<i64>,
    pub processed_position: Option<i64>,
    pub outcome: Option<String>,
    pub processed_time: Option<String>,
}

impl CommandView {
    /// Has its outcome been seen?
    pub fn is_processed(&self) -> bool {
        self.processed_position.is_some()
    }
}

/// A consumer's recorded position and lag.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsumerView {
    pub position_stream: String,
    pub category: String,
    pub position: Option<i64>,
    pub lag: i64,
    pub updated_time: String,
}

/// A message a consumer parked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeadLetterView {
    pub global_position: i64,
    pub consumer: String,
    pub stream_name: String,
    pub position: i64,
    pub message_type: String,
    pub error: String,
    pub time: String,
}

/// Read access to the views.
#[derive(Clone, Debug)]
pub struct Views {
    pool: AnyPool,
    /// The account page's one statement, in this database's dialect.
    account_page_statement: Arc<str>,
}

const ACCOUNT_COLUMNS: &str = "account_id, customer_id, holder_name, balance, status, \
                               opened_time, closed_time, last_position";
const TRANSFER_COLUMNS: &str = "funds_transfer_id, withdrawal_account_id, deposit_account_id, \
    amount, status, reason, requested_time, initiated_time, withdrawn_time, deposited_time, \
    transferred_time, cancelled_time, deposit_rejected_time, reversed_time, \
    refund_rejected_time, rejected_time";
const LINE_COLUMNS: &str = "global_position, position, entry, transaction_id, amount, \
                            balance_after, reason, funds_transfer_id, time";
const COMMAND_COLUMNS: &str = "command_key, kind, account_id, funds_transfer_id, amount, \
    requested_time, request_position, processed_position, outcome, processed_time";
/// Which commands are pending, as `c`, with their account as `a`: requested,
/// their outcome not seen yet, and not a `Close` of an account that is
/// closed already (nothing answers that one, so it counts as done). The
/// pending list and the account page both read from here.
const PENDING_COMMANDS: &str = "commands c LEFT JOIN accounts a ON a.account_id = c.account_id \
    WHERE c.request_position IS NOT NULL AND c.processed_position IS NULL \
      AND NOT (c.kind = 'close' AND a.status = 'closed')";

impl Views {
    /// Reads the views in `database`.
    pub fn new(database: &ViewDatabase) -> Views {
        Views {
            pool: database.pool().clone(),
            account_page_statement: account_page::statement(database.kind()).into(),
        }
    }

    /// The accounts that were opened, oldest first.
    pub async fn accounts(&self) -> Result<Vec<AccountView>, sqlx::Error> {
        let sql = format!(
            "SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE status <> 'unopened' \
             ORDER BY opened_time, account_id"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(account).collect()
    }

    /// One account, if the views have seen it.
    pub async fn account(&self, account_id: Uuid) -> Result<Option<AccountView>, sqlx::Error> {
        let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE account_id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(account_id.to_string())
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(account).transpose()
    }

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
                    "SELECT {LINE_COLUMNS} FROM statement_lines WHERE account_id = $1 ORDER BY position"
                );
                sqlx::query(sqlx::AssertSqlSafe(sql))
                    .bind(account_id.to_string())
                    .fetch_all(&self.pool)
                    .await?
            }
            Some(latest) => {
                let sql = format!(
                    "SELECT {LINE_COLUMNS} FROM (SELECT {LINE_COLUMNS} FROM statement_lines \
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
        rows.iter()
            .map(|row| {
                Ok(StatementLine {
                    global_position: row.try_get("global_position")?,
                    position: row.try_get("position")?,
                    entry: row.try_get("entry")?,
                    transaction_id: row.try_get("transaction_id")?,
                    amount: Money::from_cents(row.try_get("amount")?),
                    balance_after: Money::from_cents(row.try_get("balance_after")?),
                    reason: row.try_get("reason")?,
                    funds_transfer_id: row.try_get("funds_transfer_id")?,
                    time: row.try_get("time")?,
                })
            })
            .collect()
    }

    /// The most recent transfers, newest first.
    pub async fn recent_transfers(&self, limit: i64) -> Result<Vec<TransferView>, sqlx::Error> {
        let sql = format!(
            "SELECT {TRANSFER_COLUMNS} FROM transfers \
             ORDER BY requested_time DESC, funds_transfer_id LIMIT $1"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(transfer).collect()
    }

    /// The transfers from or to an account, newest first.
    pub async fn transfers_of(&self, account_id: Uuid) -> Result<Vec<TransferView>, sqlx::Error> {
        let sql = format!(
            "SELECT {TRANSFER_COLUMNS} FROM transfers \
             WHERE withdrawal_account_id = $1 OR deposit_account_id = $1 \
             ORDER BY requested_time DESC, funds_transfer_id"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(account_id.to_string())
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(transfer).collect()
    }

    /// One transfer, if the views have seen it.
    pub async fn transfer(
        &self,
        funds_transfer_id: Uuid,
    ) -> Result<Option<TransferView>, sqlx::Error> {
        let sql = format!("SELECT {TRANSFER_COLUMNS} FROM transfers WHERE funds_transfer_id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(funds_transfer_id.to_string())
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(transfer).transpose()
    }

    /// A command by its key (a deposit id, a transfer id, `open:{account}`).
    pub async fn command(&self, command_key: &str) -> Result<Option<CommandView>, sqlx::Error> {
        let sql = format!("SELECT {COMMAND_COLUMNS} FROM commands WHERE command_key = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(command_key.to_string())
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(command).transpose()
    }

    /// An account's commands of one kind, newest first.
    pub async fn commands_of(
        &self,
        account_id: Uuid,
        kind: &str,
    ) -> Result<Vec<CommandView>, sqlx::Error> {
        let sql = format!(
            "SELECT {COMMAND_COLUMNS} FROM commands WHERE account_id = $1 AND kind = $2 \
             ORDER BY coalesce(request_position, processed_position) DESC"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(account_id.to_string())
            .bind(kind.to_string())
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(command).collect()
    }

    /// Commands requested whose outcome has not been seen yet, oldest first,
    /// for one account or for all. A `Close` of an account that is closed
    /// already is answered by nothing, so it counts as done.
    pub async fn pending_commands(
        &self,
        account_id: Option<Uuid>,
    ) -> Result<Vec<CommandView>, sqlx::Error> {
        let columns = COMMAND_COLUMNS
            .split(", ")
            .map(|column| format!("c.{}", column.trim()))
            .collect::<Vec<_>>()
            .join(", ");
        // Two texts rather than one with "$1 IS NULL OR c.account_id = $1":
        // a plan made for that one text cannot use the account in an index,
        // and every account page would walk the pending index of the whole
        // bank (see `commands_pending_by_account` in the schema).
        let of_the_account = if account_id.is_some() {
            "AND c.account_id = $1"
        } else {
            ""
        };
        let sql = format!(
            "SELECT {columns} FROM {PENDING_COMMANDS} {of_the_account} ORDER BY c.request_position"
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        if let Some(account_id) = account_id {
            query = query.bind(account_id.to_string());
        }
        let rows = query.fetch_all(&self.pool).await?;
        rows.iter().map(command).collect()
    }

    /// Every consumer's position and lag.
    pub async fn consumers(&self) -> Result<Vec<ConsumerView>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT position_stream, category, position, lag, updated_time \
             FROM consumers ORDER BY category, position_stream",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(ConsumerView {
                    position_stream: row.try_get("position_stream")?,
                    category: row.try_get("category")?,
                    position: row.try_get("position")?,
                    lag: row.try_get("lag")?,
                    updated_time: row.try_get("updated_time")?,
                })
            })
            .collect()
    }

    /// The messages consumers parked, newest first.
    pub async fn dead_letters(&self) -> Result<Vec<DeadLetterView>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT global_position, consumer, stream_name, position, message_type, error, time \
             FROM dead_letters ORDER BY global_position DESC",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(DeadLetterView {
                    global_position: row.try_get("global_position")?,
                    consumer: row.try_get("consumer")?,
                    stream_name: row.try_get("stream_name")?,
                    position: row.try_get("position")?,
                    message_type: row.try_get("message_type")?,
                    error: row.try_get("error")?,
                    time: row.try_get("time")?,
                })
            })
            .collect()
    }

    /// Every row of the views that events decide, as text, by table and in
    /// key order. Two view databases built from the same events have equal
    /// snapshots; the rebuild tests and the auditor compare them. (The
    /// operations tables are readings of the moment and are left out.)
    pub async fn snapshot(&self) -> Result<BTreeMap<&'static str, Vec<String>>, sqlx::Error> {
        let tables: [(&'static str, &str); 4] = [
            ("accounts", "SELECT * FROM accounts ORDER BY account_id"),
            (
                "statement_lines",
                "SELECT * FROM statement_lines ORDER BY account_id, global_position",
            ),
            (
                "transfers",
                "SELECT * FROM transfers ORDER BY funds_transfer_id",
            ),
            ("commands", "SELECT * FROM commands ORDER BY command_key"),
        ];
        let mut snapshot = BTreeMap::new();
        for (table, sql) in tables {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                .fetch_all(&self.pool)
                .await?;
            snapshot.insert(table, rows.iter().map(render).collect());
        }
        Ok(snapshot)
    }
}

fn account(row: &AnyRow) -> Result<AccountView, sqlx::Error> {
    Ok(AccountView {
        account_id: row.try_get("account_id")?,
        customer_id: row.try_get("customer_id")?,
        holder_name: row.try_get("holder_name")?,
        balance: Money::from_cents(row.try_get("balance")?),
        status: row.try_get("status")?,
        opened_time: row.try_get("opened_time")?,
        closed_time: row.try_get("closed_time")?,
        last_position: row.try_get("last_position")?,
    })
}

fn transfer(row: &AnyRow) -> Result<TransferView, sqlx::Error> {
    Ok(TransferView {
        funds_transfer_id: row.try_get("funds_transfer_id")?,
        withdrawal_account_id: row.try_get("withdrawal_account_id")?,
        deposit_account_id: row.try_get("deposit_account_id")?,
        amount: Money::from_cents(row.try_get("amount")?),
        status: row.try_get("status")?,
        reason: row.try_get("reason")?,
        requested_time: row.try_get("requested_time")?,
        initiated_time: row.try_get("initiated_time")?,
        withdrawn_time: row.try_get("withdrawn_time")?,
        deposited_time: row.try_get("deposited_time")?,
        transferred_time: row.try_get("transferred_time")?,
        cancelled_time: row.try_get("cancelled_time")?,
        deposit_rejected_time: row.try_get("deposit_rejected_time")?,
        reversed_time: row.try_get("reversed_time")?,
        refund_rejected_time: row.try_get("refund_rejected_time")?,
        rejected_time: row.try_get("rejected_time")?,
    })
}

fn command(row: &AnyRow) -> Result<CommandView, sqlx::Error> {
    Ok(CommandView {
        command_key: row.try_get("command_key")?,
        kind: row.try_get("kind")?,
        account_id: row.try_get("account_id")?,
        funds_transfer_id: row.try_get("funds_transfer_id")?,
        amount: row
            .try_get::<Option<i64>, _>("amount")?
            .map(Money::from_cents),
        requested_time: row.try_get("requested_time")?,
        request_position: row.try_get("request_position")?,
        processed_position: row.try_get("processed_position")?,
        outcome: row.try_get("outcome")?,
        processed_time: row.try_get("processed_time")?,
    })
}

/// A row as text: every column, by name, whatever its type.
fn render(row: &AnyRow) -> String {
    use sqlx::Column;
    row.columns()
        .iter()
        .map(|column| {
            let name = column.name();
            let value = row
                .try_get::<Option<i64>, _>(name)
                .map(|value| value.map(|v| v.to_string()))
                .or_else(|_| row.try_get::<Option<String>, _>(name))
                .unwrap_or_else(|error| Some(format!("<{error}>")));
            format!("{name}={}", value.unwrap_or_else(|| "NULL".to_string()))
        })
        .collect::<Vec<_>>()
        .join(" ")
}
