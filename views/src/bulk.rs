//! Writing many rows in few statements: a performance layer.
//!
//! What it buys: applying a batch of events one SQL statement at a time
//! costs a round trip per statement, and the aggregator would spend its life
//! waiting on them. So the aggregator folds a whole batch in memory and the
//! views write the result with multi-row `INSERT ... VALUES (...), (...)
//! ON CONFLICT ...` statements, a few per batch: catching up became about
//! seven times faster (see `benchmarks/README.md`). What it costs: SQL built
//! at run time, with numbered placeholders (`$1`, `$2`, ...) that both
//! Postgres and sqlx's SQLite driver accept, instead of fixed statements.

use std::collections::BTreeSet;

use account_component::Money;
use messaging::Time;
use sqlx::AnyConnection;
use sqlx::any::AnyRow;
use uuid::Uuid;

/// A value to bind: the views hold only text and integers (see
/// [`crate::columns`] for how typed values become them).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    Text(Option<String>),
    Integer(Option<i64>),
}

impl From<&'static str> for Value {
    fn from(code: &'static str) -> Self {
        Value::Text(Some(code.to_string()))
    }
}

impl From<Uuid> for Value {
    fn from(id: Uuid) -> Self {
        Value::Text(Some(id.to_string()))
    }
}

impl From<Option<Uuid>> for Value {
    fn from(id: Option<Uuid>) -> Self {
        Value::Text(id.map(|id| id.to_string()))
    }
}

impl From<Time> for Value {
    fn from(time: Time) -> Self {
        Value::Text(Some(time.to_string()))
    }
}

impl From<Option<Time>> for Value {
    fn from(time: Option<Time>) -> Self {
        Value::Text(time.map(|time| time.to_string()))
    }
}

impl From<Money> for Value {
    fn from(money: Money) -> Self {
        Value::Integer(Some(money.cents()))
    }
}

impl From<Option<Money>> for Value {
    fn from(money: Option<Money>) -> Self {
        Value::Integer(money.map(|money| money.cents()))
    }
}

impl From<String> for Value {
    fn from(text: String) -> Self {
        Value::Text(Some(text))
    }
}

impl From<Option<String>> for Value {
    fn from(text: Option<String>) -> Self {
        Value::Text(text)
    }
}

impl From<i64> for Value {
    fn from(number: i64) -> Self {
        Value::Integer(Some(number))
    }
}

impl From<Option<i64>> for Value {
    fn from(number: Option<i64>) -> Self {
        Value::Integer(number)
    }
}

/// Parameters per statement: below both Postgres' limit (65535) and
/// SQLite's (32766).
const PARAMETERS_PER_STATEMENT: usize = 30_000;

/// `($1, $2), ($3, $4)` for 2 rows of 2 columns.
fn placeholders(rows: usize, columns: usize) -> String {
    (0..rows)
        .map(|row| {
            let values: Vec<String> = (1..=columns)
                .map(|column| format!("${}", row * columns + column))
                .collect();
            format!("({})", values.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Runs `{into} VALUES (...), (...) {conflict}` for every row, in as few
/// statements as the parameter limits allow. `into` is
/// `INSERT INTO table (columns)`; every row has one value per column.
pub async fn insert(
    connection: &mut AnyConnection,
    into: &str,
    conflict: &str,
    rows: &[Vec<Value>],
) -> Result<(), sqlx::Error> {
    let Some(columns) = rows.first().map(Vec::len) else {
        return Ok(());
    };
    for chunk in rows.chunks((PARAMETERS_PER_STATEMENT / columns).max(1)) {
        let sql = format!(
            "{into} VALUES {} {conflict}",
            placeholders(chunk.len(), columns)
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for value in chunk.iter().flatten() {
            query = match value {
                Value::Text(text) => query.bind(text.clone()),
                Value::Integer(number) => query.bind(*number),
            };
        }
        query.execute(&mut *connection).await?;
    }
    Ok(())
}

/// Runs `{select} WHERE {key} IN (...)` for every distinct key, in chunks,
/// and returns all the rows.
pub async fn select_where_in(
    connection: &mut AnyConnection,
    select: &str,
    key: &str,
    keys: &[String],
) -> Result<Vec<AnyRow>, sqlx::Error> {
    // A batch names the same row many times; each is asked for once.
    let keys: Vec<&String> = keys.iter().collect::<BTreeSet<_>>().into_iter().collect();
    let mut rows = Vec::new();
    for chunk in keys.chunks(PARAMETERS_PER_STATEMENT) {
        let sql = format!(
            "{select} WHERE {key} IN ({})",
            placeholders(1, chunk.len())
                .trim_start_matches('(')
                .trim_end_matches(')')
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for key in chunk {
            query = query.bind((*key).clone());
        }
        rows.extend(query.fetch_all(&mut *connection).await?);
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::placeholders;

    #[test]
    fn placeholders_number_every_value_in_order() {
        assert_eq!(placeholders(2, 3), "($1, $2, $3), ($4, $5, $6)");
        assert_eq!(placeholders(1, 1), "($1)");
    }
}
