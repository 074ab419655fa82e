//! Finding accounts: a page of them, newest first, and a search by name or
//! id. The web UI's home page, the transfer form's choice of destination and
//! the inspector's picker all find accounts this way.
//!
//! Every read here is bounded: it asks for one page of rows, walks an index
//! to them (`accounts_by_opening` or `accounts_by_name`, see
//! `migrations/views/`) and stops. So a bank with a hundred thousand
//! accounts shows its home page as quickly as a bank with ten. Listing every
//! account, as these pages once did, costs time and bytes in proportion to
//! the bank: two seconds and 20 MB a page at 100,000 accounts.

use std::collections::HashMap;

use sqlx::any::AnyRow;
use uuid::Uuid;

use crate::Views;
use crate::accounts::{self, Account};
use crate::bulk;
use crate::database::Kind;

/// Where a page of accounts starts, in the home page's order (newest first).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PageStart {
    /// The newest accounts.
    Newest,
    /// The accounts opened just before this one (the next page).
    OlderThan(Uuid),
    /// The accounts opened just after this one (the previous page).
    NewerThan(Uuid),
}

/// One page of accounts, newest first, and where its neighbours start.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AccountsPage {
    pub accounts: Vec<Account>,
    /// Set when newer accounts exist: the first account shown, from which
    /// the previous page continues ([`PageStart::NewerThan`]).
    pub newer: Option<Uuid>,
    /// Set when older accounts exist: the last account shown, from which the
    /// next page continues ([`PageStart::OlderThan`]).
    pub older: Option<Uuid>,
}

/// What a search found: at most the number asked for, and whether there
/// were more (then the page asks for more of the name).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Found {
    pub accounts: Vec<Account>,
    pub more: bool,
}

/// The highest character there is. Text starting with `t` sorts, byte by
/// byte, at or after `t` and before `t` followed by this.
const HIGHEST_CHARACTER: char = '\u{10FFFF}';

impl Views {
    /// A page of `size` opened accounts, newest first, starting at `start`.
    pub async fn accounts_page(
        &self,
        start: PageStart,
        size: i64,
    ) -> Result<AccountsPage, sqlx::Error> {
        // Keyset paging: a page continues from an account's place in the
        // order (opened_time, account_id), looked up by the account's key.
        // Comparing the pair in one go is what lets the database walk the
        // index `accounts_by_opening` from that place, in either direction.
        // The newer page is read upwards from the cursor, then turned round.
        let (from_the_cursor, direction) = match start {
            PageStart::Newest => ("", "DESC"),
            PageStart::OlderThan(_) => (
                "AND (opened_time, account_id) < \
                 (SELECT opened_time, account_id FROM accounts WHERE account_id = $2)",
                "DESC",
            ),
            PageStart::NewerThan(_) => (
                "AND (opened_time, account_id) > \
                 (SELECT opened_time, account_id FROM accounts WHERE account_id = $2)",
                "ASC",
            ),
        };
        // One more row than the page shows tells whether another page
        // follows in the direction read.
        let sql = format!(
            "SELECT {} FROM accounts \
             WHERE opened_time IS NOT NULL {from_the_cursor} \
             ORDER BY opened_time {direction}, account_id {direction} LIMIT $1",
            accounts::COLUMNS
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(size + 1);
        if let PageStart::OlderThan(cursor) | PageStart::NewerThan(cursor) = start {
            query = query.bind(cursor.to_string());
        }
        let rows = query.fetch_all(&self.pool).await?;
        let mut accounts = rows
            .iter()
            .map(accounts::from_row)
            .collect::<Result<Vec<_>, _>>()?;
        let more_beyond = accounts.len() as i64 > size;
        accounts.truncate(size.max(0) as usize);
        if matches!(start, PageStart::NewerThan(_)) {
            // Read upwards from the cursor; shown newest first, as every page.
            accounts.reverse();
        }
        let first = accounts.first().map(|account| account.account_id);
        let last = accounts.last().map(|account| account.account_id);
        // Where the neighbouring pages start. On the cursor's side there is
        // always one (the cursor, at least); on the far side only if the
        // extra row came.
        let (newer, older) = match start {
            PageStart::Newest => (None, last.filter(|_| more_beyond)),
            PageStart::OlderThan(_) => (first, last.filter(|_| more_beyond)),
            PageStart::NewerThan(_) => (first.filter(|_| more_beyond), last),
        };
        Ok(AccountsPage {
            accounts,
            newer,
            older,
        })
    }

    /// At most `limit` opened accounts whose holder's name starts with
    /// `text` (whatever the case), in the order of their names; or the
    /// account whose id `text` is.
    pub async fn find_accounts(&self, text: &str, limit: i64) -> Result<Found, sqlx::Error> {
        let text = text.trim();
        if let Ok(account_id) = Uuid::parse_str(text) {
            let account = self.account(account_id).await?;
            return Ok(Found {
                accounts: account.filter(Account::was_opened).into_iter().collect(),
                more: false,
            });
        }
        if text.is_empty() {
            return Ok(Found::default());
        }
        let sql = find_statement(self.kind);
        let rows: Vec<AnyRow> = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(text.to_string())
            .bind(format!("{text}{HIGHEST_CHARACTER}"))
            .bind(limit + 1)
            .fetch_all(&self.pool)
            .await?;
        let mut accounts = rows
            .iter()
            .map(accounts::from_row)
            .collect::<Result<Vec<_>, _>>()?;
        let more = accounts.len() as i64 > limit;
        accounts.truncate(limit.max(0) as usize);
        Ok(Found { accounts, more })
    }

    /// The holders' names of these accounts, for the ones the views know:
    /// what a list of transfers needs to name both sides, without reading
    /// every account.
    pub async fn holder_names(
        &self,
        ids: impl IntoIterator<Item = Uuid>,
    ) -> Result<HashMap<Uuid, String>, sqlx::Error> {
        let ids: Vec<String> = ids.into_iter().map(|id| id.to_string()).collect();
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let mut connection = self.pool.acquire().await?;
        let select = format!("SELECT {} FROM accounts", accounts::COLUMNS);
        let rows = bulk::select_where_in(&mut connection, &select, "account_id", &ids).await?;
        let mut names = HashMap::new();
        for row in &rows {
            let account = accounts::from_row(row)?;
            if let Some(name) = account.holder_name {
                names.insert(account.account_id, name);
            }
        }
        Ok(names)
    }
}

/// The search by name, for one database. `$1` is the text, `$2` the text
/// followed by [`HIGHEST_CHARACTER`], `$3` how many rows to read. Both sides
/// of each comparison go through the database's own `lower`, so a name and
/// what was typed are folded alike; the expression is written as the index
/// `accounts_by_name` is, so that the database walks that index.
fn find_statement(kind: Kind) -> String {
    let name = match kind {
        Kind::Postgres => r#"(lower(holder_name) COLLATE "C")"#,
        Kind::Sqlite => "lower(holder_name)",
    };
    format!(
        "SELECT {} FROM accounts \
         WHERE {name} >= lower($1) AND {name} < lower($2) AND opened_time IS NOT NULL \
         ORDER BY {name}, account_id LIMIT $3",
        accounts::COLUMNS
    )
}
