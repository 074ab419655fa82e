//! Everything the account page shows, read with one SELECT: a performance
//! layer over the reads of each view.
//!
//! The page shows an account, a page of its statement lines, its pending
//! commands, its latest transfers (with their parties' names), and the
//! newest other accounts (the transfer form's first choices). Every part is
//! bounded, so the page costs the same in a bank of ten accounts or of a
//! hundred thousand. Read one query at a time, that is six round
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

use std::collections::HashMap;

use serde::Deserialize;
use sqlx::Row;
use sqlx::any::AnyRow;
use uuid::Uuid;

use crate::Views;
use crate::accounts::{self, Account};
use crate::commands::{self, Command};
use crate::database::Kind;
use crate::statement::{self, StatementLine};
use crate::transfers::{self, Transfer};

/// What the account page shows, read at one moment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountPage {
    /// The account, if the views have seen it (perhaps only as unopened).
    pub account: Option<Account>,
    /// A page of its statement lines (see [`StatementLines`]), in the
    /// statement's order.
    pub statement: Vec<StatementLine>,
    /// Its commands still waiting for an answer, oldest first.
    pub pending: Vec<Command>,
    /// Its latest [`TRANSFERS_SHOWN`] transfers, from or to it, newest first.
    pub transfers: Vec<Transfer>,
    /// The holders' names of both sides of those transfers.
    pub names: HashMap<Uuid, String>,
    /// Both sides of each transfer the statement's lines belong to, by
    /// transfer.
    pub line_transfers: HashMap<Uuid, TransferSides>,
    /// The newest [`DESTINATIONS_SHOWN`] other opened accounts, newest first.
    pub destinations: Vec<Account>,
}

/// How many of an account's transfers its page lists.
pub const TRANSFERS_SHOWN: i64 = 20;

/// How many accounts the transfer form offers before anyone searches.
pub const DESTINATIONS_SHOWN: i64 = 20;

/// Which of an account's statement lines the page shows: the `lines` latest
/// ones, or the `lines` latest before a global position (the page before).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StatementLines {
    pub before: Option<i64>,
    pub lines: i64,
}

/// Both sides of a transfer, with their holders' names (when the views
/// know them).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct TransferSides {
    pub funds_transfer_id: Uuid,
    pub withdrawal_account_id: Uuid,
    pub deposit_account_id: Uuid,
    pub withdrawal_holder: Option<String>,
    pub deposit_holder: Option<String>,
}

/// A holder's name, as the statement's `names` part carries it.
#[derive(Deserialize)]
struct HolderName {
    account_id: Uuid,
    holder_name: Option<String>,
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

/// The statement, for one database. `$1` is the account, `$2` how many
/// statement lines to read, `$3` the global position they come before. Each
/// part reads as its single query in [`Views`] does, with the same filters
/// and the same order (the order moves into the aggregate, where it decides
/// the order of the array), and each is bounded.
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
    let name = json.object_of("", "account_id, holder_name");
    let account_columns = accounts::COLUMNS;
    let line_columns = statement::COLUMNS;
    let transfer_columns = transfers::COLUMNS;
    let pending = commands::pending_commands();
    let parties = format!(
        "{}('funds_transfer_id', t.funds_transfer_id, \
           'withdrawal_account_id', t.withdrawal_account_id, \
           'deposit_account_id', t.deposit_account_id, \
           'withdrawal_holder', w.holder_name, 'deposit_holder', d.holder_name)",
        json.object
    );
    // The transfers are read once, as `shown`, for two parts: the list, and
    // the names of the accounts on both sides of it. The statement lines
    // are read once, as `lines`, for two as well: the lines, and both sides
    // of the transfers they belong to (to name the other side, and to tell
    // a refund: a deposit for a transfer that took its money from this very
    // account).
    //
    // CAST(... AS text), not `::text`: SQLite knows only the standard
    // spelling. An empty group gives NULL on Postgres and `[]` on SQLite;
    // both read as an empty list.
    format!(
        "WITH shown AS ( \
           SELECT {transfer_columns} FROM transfers \
           WHERE withdrawal_account_id = $1 OR deposit_account_id = $1 \
           ORDER BY requested_time DESC, funds_transfer_id LIMIT {TRANSFERS_SHOWN}), \
         lines AS ( \
           SELECT {line_columns} FROM statement_lines \
           WHERE account_id = $1 AND global_position < $3 \
           ORDER BY global_position DESC LIMIT $2) \
         SELECT \
           CAST((SELECT {account} FROM accounts WHERE account_id = $1) AS text) AS account, \
           CAST((SELECT {array}({line} ORDER BY position) FROM lines) AS text) AS statement, \
           CAST((SELECT {array}({parties}) FROM transfers t \
                 LEFT JOIN accounts w ON w.account_id = t.withdrawal_account_id \
                 LEFT JOIN accounts d ON d.account_id = t.deposit_account_id \
                 WHERE t.funds_transfer_id IN (SELECT funds_transfer_id FROM lines)) \
                AS text) AS line_transfers, \
           CAST((SELECT {array}({command} ORDER BY c.request_position) \
                 FROM {pending} AND c.account_id = $1) AS text) AS pending, \
           CAST((SELECT {array}({transfer} ORDER BY requested_time DESC, funds_transfer_id) \
                 FROM shown) AS text) AS transfers, \
           CAST((SELECT {array}({name}) FROM accounts WHERE account_id IN \
                   (SELECT withdrawal_account_id FROM shown \
                    UNION SELECT deposit_account_id FROM shown)) AS text) AS names, \
           CAST((SELECT {array}({account} ORDER BY opened_time DESC, account_id DESC) FROM \
                   (SELECT {account_columns} FROM accounts \
                    WHERE opened_time IS NOT NULL AND account_id <> $1 \
                    ORDER BY opened_time DESC, account_id DESC \
                    LIMIT {DESTINATIONS_SHOWN}) AS newest) AS text) AS destinations"
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
    /// Everything the account page shows, from one snapshot, with the
    /// statement `lines` asked for.
    pub async fn account_page(
        &self,
        account_id: Uuid,
        lines: StatementLines,
    ) -> Result<AccountPage, sqlx::Error> {
        let row = self.account_page_row(account_id, lines).await?;
        let names: Vec<HolderName> = part(&row, "names")?;
        Ok(AccountPage {
            account: part(&row, "account")?,
            statement: part(&row, "statement")?,
            pending: part(&row, "pending")?,
            transfers: part(&row, "transfers")?,
            line_transfers: part::<Vec<TransferSides>>(&row, "line_transfers")?
                .into_iter()
                .map(|sides| (sides.funds_transfer_id, sides))
                .collect(),
            names: names
                .into_iter()
                .filter_map(|name| Some((name.account_id, name.holder_name?)))
                .collect(),
            destinations: part(&row, "destinations")?,
        })
    }

    async fn account_page_row(
        &self,
        account_id: Uuid,
        lines: StatementLines,
    ) -> Result<AnyRow, sqlx::Error> {
        // "Before no position" is before a position no line reaches: both
        // databases take it.
        sqlx::query(sqlx::AssertSqlSafe(&*self.account_page_statement))
            .bind(account_id.to_string())
            .bind(lines.lines)
            .bind(lines.before.unwrap_or(i64::MAX))
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
