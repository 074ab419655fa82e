//! The accounts view: one row per account, what the top of its page shows.
//!
//! Written by the aggregator from the `account` category (`Opened`,
//! `Deposited`, `Withdrawn`, `Closed`, ...); read by the web UI for the home
//! page and the account page. The table is `accounts` in
//! `migrations/views/`.

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

/// Where an account stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize)]
#[serde(try_from = "String")]
pub enum AccountStatus {
    /// The views have seen events for the account (a refused deposit, say)
    /// but not its opening. Such an account is not shown.
    Unopened,
    /// Open: it takes deposits and withdrawals.
    Open,
    /// Closed: it takes nothing more.
    Closed,
}

impl Code for AccountStatus {
    const ALL: &'static [Self] = &[Self::Unopened, Self::Open, Self::Closed];

    fn code(self) -> &'static str {
        match self {
            Self::Unopened => "unopened",
            Self::Open => "open",
            Self::Closed => "closed",
        }
    }
}

impl TryFrom<String> for AccountStatus {
    type Error = columns::ColumnError;

    fn try_from(code: String) -> Result<Self, Self::Error> {
        columns::parse_code(&code)
    }
}

impl fmt::Display for AccountStatus {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.code())
    }
}

/// An account, as the views hold it.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Account {
    pub account_id: Uuid,
    pub customer_id: Option<Uuid>,
    pub holder_name: Option<String>,
    /// The sum of its deposits minus its withdrawals. Derived here, from the
    /// events; no event carries a balance.
    pub balance: Money,
    pub status: AccountStatus,
    /// When the account component opened it (the event's processed time).
    pub opened_time: Option<Time>,
    pub closed_time: Option<Time>,
    /// The global position of the last event applied to this row: an event
    /// at or below it has been applied already, and is skipped.
    pub last_position: i64,
}

impl Account {
    /// An account the views have not seen opened (yet).
    pub fn unopened(account_id: Uuid) -> Account {
        Account {
            account_id,
            customer_id: None,
            holder_name: None,
            balance: Money::ZERO,
            status: AccountStatus::Unopened,
            opened_time: None,
            closed_time: None,
            last_position: 0,
        }
    }

    /// Was it ever opened (and so shown)?
    pub fn was_opened(&self) -> bool {
        self.status != AccountStatus::Unopened
    }

    /// Is it open now?
    pub fn is_open(&self) -> bool {
        self.status == AccountStatus::Open
    }
}

/// The columns of a row, in the order the reads and writes below use.
pub(crate) const COLUMNS: &str = "account_id, customer_id, holder_name, balance, status, \
                                  opened_time, closed_time, last_position";

pub(crate) fn from_row(row: &AnyRow) -> Result<Account, sqlx::Error> {
    Ok(Account {
        account_id: parsed(row, "account_id")?,
        customer_id: parsed_optional(row, "customer_id")?,
        holder_name: row.try_get("holder_name")?,
        balance: columns::money(row, "balance")?,
        status: parsed(row, "status")?,
        opened_time: parsed_optional(row, "opened_time")?,
        closed_time: parsed_optional(row, "closed_time")?,
        last_position: row.try_get("last_position")?,
    })
}

fn values(account: &Account) -> Vec<Value> {
    vec![
        account.account_id.into(),
        account.customer_id.into(),
        account.holder_name.clone().into(),
        account.balance.into(),
        account.status.code().into(),
        account.opened_time.into(),
        account.closed_time.into(),
        account.last_position.into(),
    ]
}

/// The aggregator's read: the rows of these accounts that the views have.
pub async fn load(
    connection: &mut AnyConnection,
    ids: impl IntoIterator<Item = Uuid>,
) -> Result<BTreeMap<Uuid, Account>, sqlx::Error> {
    let ids: Vec<String> = ids.into_iter().map(|id| id.to_string()).collect();
    let select = format!("SELECT {COLUMNS} FROM accounts");
    let rows = bulk::select_where_in(connection, &select, "account_id", &ids).await?;
    let mut accounts = BTreeMap::new();
    for row in rows {
        let account = from_row(&row)?;
        accounts.insert(account.account_id, account);
    }
    Ok(accounts)
}

/// The aggregator's write: these rows, inserted or updated. A row already
/// at or beyond a newer position is left alone, so writing a row twice, or
/// an older one after a newer, changes nothing.
pub async fn save<'a>(
    connection: &mut AnyConnection,
    accounts: impl IntoIterator<Item = &'a Account>,
) -> Result<(), sqlx::Error> {
    let rows: Vec<Vec<Value>> = accounts.into_iter().map(values).collect();
    bulk::insert(
        connection,
        &format!("INSERT INTO accounts ({COLUMNS})"),
        "ON CONFLICT (account_id) DO UPDATE SET customer_id = excluded.customer_id, \
         holder_name = excluded.holder_name, balance = excluded.balance, \
         status = excluded.status, opened_time = excluded.opened_time, \
         closed_time = excluded.closed_time, last_position = excluded.last_position \
         WHERE accounts.last_position < excluded.last_position",
        &rows,
    )
    .await
}

/// The web UI's reads.
impl Views {
    /// Every account that was opened, oldest first: for audits, tests and
    /// the benchmark ladder. No page reads this (its cost grows with the
    /// bank); pages find accounts through `directory.rs`.
    pub async fn accounts(&self) -> Result<Vec<Account>, sqlx::Error> {
        let unopened = AccountStatus::Unopened.code();
        let sql = format!(
            "SELECT {COLUMNS} FROM accounts WHERE status <> '{unopened}' \
             ORDER BY opened_time, account_id"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(from_row).collect()
    }

    /// One account, if the views have seen it (perhaps only as unopened).
    pub async fn account(&self, account_id: Uuid) -> Result<Option<Account>, sqlx::Error> {
        let sql = format!("SELECT {COLUMNS} FROM accounts WHERE account_id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(account_id.to_string())
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(from_row).transpose()
    }
}
