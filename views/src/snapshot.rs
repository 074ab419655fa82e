//! Every row the events decide, as text: how two view databases are
//! compared.
//!
//! Views are disposable: dropped and rebuilt from the message store, they
//! must come out identical. The rebuild tests and the auditor check that by
//! comparing snapshots of two view databases built from the same events.

use std::collections::BTreeMap;

use sqlx::any::AnyRow;
use sqlx::{Column, Row};

use crate::Views;

/// Each table's rows, rendered as text, in key order.
pub type Snapshot = BTreeMap<&'static str, Vec<String>>;

impl Views {
    /// Every row of the views that events decide, by table and in key order.
    /// (The operations tables are readings of the moment and are left out.)
    pub async fn snapshot(&self) -> Result<Snapshot, sqlx::Error> {
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

/// A row as text: every column, by name, whatever its type.
fn render(row: &AnyRow) -> String {
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
