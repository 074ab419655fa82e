//! Everything the account page shows, read with one SELECT: a performance
//! layer over the reads of each view.
//!
//! The page shows an account, its latest statement lines, its pending
//! commands, its transfers, and the other accounts (to name them and to
//! offer them as destinations). Read one query at a time, that is five round
//! trips to the database, and most of the page's time went into them, not
//! into rendering: a round trip costs both processes a wake-up and a trip
//! through the network stack, and each query's rows are converted one
//! column at a time.
//!
//! So the page is one statement. Each part is a subquery that the database
//! turns into JSON text (an object, or an array of objects), and the
//! statement returns one row with one column per part. The parts also come
//! from one snapshot of the views, so what the page shows is consistent with
//! itself: a balance and the statement line that produced it, never one
//! without the other.
//!
//! Postgres and SQLite both build JSON, under different names
//! (`json_build_object`/`json_agg` and `json_object`/`json_group_array`);
//! that is the only difference between the two texts of the statement.

use serde::Deserialize;
use sqlx::Row;
use sqlx::any::AnyRow;
use uuid::Uuid;

use crate::Views;
use crate::accounts::{self, Account, AccountStatus};
use crate::columns::Code;
use crate::commands::{self, Command};
use crate::database::Kind;
use crate::statement::{self, StatementLine};
use crate::transfers::{self, Transfer};

/// What the account page shows, read at one moment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountPage {
    /// The account, if the views have seen it (perhaps only as unopened).
    pub account: Option<Account>,
    /// Its latest statement lines (or all of them), in the statement's order.
    pub statement: Vec<StatementLine>,
    /// Its commands still waiting for an answer, oldest first.
    pub pending: Vec<Command>,
    /// The transfers from or to it, newest first.
    pub transfers: Vec<Transfer>,
    /// Every opened account (this one included), oldest first.
    pub accounts: Vec<Account>,
}

/// The JSON functions each database spells its own way.
struct JsonFunctions {
    /// Builds an object from alternating keys and values.
    object: &'static str,
    /// Gathers the objects of a group into an array.
    array: &'static str,
}

impl JsonFunctions {
    fn of(kind: Kind) -> JsonFunctions {
        match kind {
            Kind::Postgres => JsonFunctions {
                object: "json_build_object",
                array: "json_agg",
            },
            Kind::Sqlite => JsonFunctions {
                object: "json_object",
                array: "json_group_array",
            },
        }
    }

    /// `object('a', a, 'b', b)` for the columns `a, b`, each taken from
    /// `table` (a table alias, or "" for none).
    fn object_of(&self, table: &str, columns: &str) -> String {
        let pairs: Vec<String> = columns
            .split(',')
            .map(str::trim)
            .map(|column| {
                let qualified = if table.is_empty() {
                    column.to_string()
                } else {
                    format!("{table}.{column}")
                };
                format!("'{column}', {qualified}")
            })
            .collect();
        format!("{}({})", self.object, pairs.join(", "))
    }
}

/// The statement, for one database. `$1` is the account, `$2` how many of
/// the latest lines to show. Each part reads as its single query in
/// [`Views`] does, with the same filters and the same order (the order moves
/// into the aggregate, where it decides the order of the array).
///
/// Public for the benchmark ladder, which measures the page against this
/// statement run alone.
pub fn statement(kind: Kind) -> String {
    let json = JsonFunctions::of(kind);
    let array = json.array;
    let account = json.object_of("", accounts::COLUMNS);
    let line = json.object_of("", statement::COLUMNS);
    let command = json.object_of("c", commands::COLUMNS);
    let transfer = json.object_of("", transfers::COLUMNS);
    let line_columns = statement::COLUMNS;
    let pending = commands::pending_commands();
    let unopened = AccountStatus::Unopened.code();
    // CAST(... AS text), not `::text`: SQLite knows only the standard
    // spelling. An empty group gives NULL on Postgres and `[]` on SQLite;
    // both read as an empty list.
    format!(
        "SELECT \
           CAST((SELECT {account} FROM accounts WHERE account_id = $1) AS text) AS account, \
           CAST((SELECT {array}({line} ORDER BY position) FROM \
                   (SELECT {line_columns} FROM statement_lines WHERE account_id = $1 \
                    ORDER BY global_position DESC LIMIT $2) AS latest) AS text) AS statement, \
           CAST((SELECT {array}({command} ORDER BY c.request_position) \
                 FROM {pending} AND c.account_id = $1) AS text) AS pending, \
           CAST((SELECT {array}({transfer} ORDER BY requested_time DESC, funds_transfer_id) \
                 FROM transfers \
                 WHERE withdrawal_account_id = $1 OR deposit_account_id = $1) AS text) AS transfers, \
           CAST((SELECT {array}({account} ORDER BY opened_time, account_id) \
                 FROM accounts WHERE status <> '{unopened}') AS text) AS accounts"
    )
}

/// One part of the row: absent (NULL) is "nothing", else JSON text.
fn part<T: for<'de> Deserialize<'de> + Default>(
    row: &AnyRow,
    name: &str,
) -> Result<T, sqlx::Error> {
    let Some(text) = row.try_get::<Option<String>, _>(name)? else {
        return Ok(T::default());
    };
    serde_json::from_str(&text).map_err(|error| sqlx::Error::ColumnDecode {
        index: name.to_string(),
        source: Box::new(error),
    })
}

impl Views {
    /// Everything the account page shows, from one snapshot: the whole
    /// statement, or only its `latest` lines.
    pub async fn account_page(
        &self,
        account_id: Uuid,
        latest: Option<i64>,
    ) -> Result<AccountPage, sqlx::Error> {
        let row = self.account_page_row(account_id, latest).await?;
        Ok(AccountPage {
            account: part(&row, "account")?,
            statement: part(&row, "statement")?,
            pending: part(&row, "pending")?,
            transfers: part(&row, "transfers")?,
            accounts: part(&row, "accounts")?,
        })
    }

    async fn account_page_row(
        &self,
        account_id: Uuid,
        latest: Option<i64>,
    ) -> Result<AnyRow, sqlx::Error> {
        // No limit is a limit no statement reaches: both databases take it.
        sqlx::query(sqlx::AssertSqlSafe(&*self.account_page_statement))
            .bind(account_id.to_string())
            .bind(latest.unwrap_or(i64::MAX))
            .fetch_one(&self.pool)
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_object_names_each_column_by_itself() {
        let json = JsonFunctions::of(Kind::Sqlite);
        assert_eq!(
            json.object_of("c", "kind, amount"),
            "json_object('kind', c.kind, 'amount', c.amount)"
        );
        assert_eq!(
            JsonFunctions::of(Kind::Postgres).object_of("", "kind"),
            "json_build_object('kind', kind)"
        );
    }
}
