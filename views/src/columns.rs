//! How typed values are kept in the views' columns, and read back.
//!
//! The views hold only text and integers, which Postgres and SQLite store
//! alike, so that one set of SQL statements serves both databases (see
//! `migrations/views/README.md`). The Rust side is typed all the same: a
//! status is an enum, an amount is [`Money`], an id a [`Uuid`], a time a
//! [`Time`]. This module is the one place where they become text and come
//! back, so neither the aggregator (which writes) nor the web UI (which
//! reads) ever formats a value for the other to parse.
//!
//! - Ids are their canonical text (`5d1f0e7c-...`), times ISO 8601 UTC text
//!   (`2026-11-26T10:00:00.000Z`, which sorts correctly as text), money its
//!   number of cents.
//! - Statuses, kinds and outcomes are short codes (`open`,
//!   `deposit-rejected`): each enum says its codes once, by implementing
//!   [`Code`].

use std::str::FromStr;

use account_component::Money;
use messaging::Time;
use sqlx::Row;
use sqlx::any::AnyRow;
use uuid::Uuid;

/// A value stored in a text column as one of a fixed set of short codes.
///
/// Implementing it takes the list of values and the code of each; reading a
/// code back, from a row or from JSON, is then the same for every enum. The
/// code is also what the web UI puts in a CSS class (`status-open`), so
/// codes are lowercase words joined by hyphens.
pub trait Code: Copy + Sized + 'static {
    /// Every value, each with a code of its own.
    const ALL: &'static [Self];

    /// The text stored for this value.
    fn code(self) -> &'static str;

    /// The value stored as `code`, if it is one.
    fn from_code(code: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|value| value.code() == code)
    }
}

/// A text column holds something that is not what it should be: an unknown
/// code, an id that is not a UUID, a time that is not ISO 8601. The views
/// are written only by the aggregator, so this means they were written by
/// another version of it, or by hand; rebuilding them puts it right.
#[derive(Debug, thiserror::Error)]
#[error("the view column holds {found:?}, which is not {expected}")]
pub struct ColumnError {
    found: String,
    expected: &'static str,
}

/// Reads a code back: for `#[serde(try_from = "String")]` and for rows.
pub fn parse_code<T: Code>(code: &str) -> Result<T, ColumnError> {
    T::from_code(code).ok_or_else(|| ColumnError {
        found: code.to_string(),
        expected: std::any::type_name::<T>(),
    })
}

/// The text column `name` of `row`, read as a `T` (a UUID, a time, a code).
pub fn parsed<T: FromColumn>(row: &AnyRow, name: &str) -> Result<T, sqlx::Error> {
    let text: String = row.try_get(name)?;
    T::from_column(&text).map_err(|error| decode_error(name, error))
}

/// The same for a column that may be NULL.
pub fn parsed_optional<T: FromColumn>(row: &AnyRow, name: &str) -> Result<Option<T>, sqlx::Error> {
    let text: Option<String> = row.try_get(name)?;
    text.map(|text| T::from_column(&text))
        .transpose()
        .map_err(|error| decode_error(name, error))
}

/// The integer column `name` of `row`, as money.
pub fn money(row: &AnyRow, name: &str) -> Result<Money, sqlx::Error> {
    Ok(Money::from_cents(row.try_get(name)?))
}

/// The same for a column that may be NULL.
pub fn money_optional(row: &AnyRow, name: &str) -> Result<Option<Money>, sqlx::Error> {
    Ok(row.try_get::<Option<i64>, _>(name)?.map(Money::from_cents))
}

fn decode_error(name: &str, error: ColumnError) -> sqlx::Error {
    sqlx::Error::ColumnDecode {
        index: name.to_string(),
        source: Box::new(error),
    }
}

/// A type kept as text in a column.
pub trait FromColumn: Sized {
    /// Reads the column's text back.
    fn from_column(text: &str) -> Result<Self, ColumnError>;
}

impl FromColumn for Uuid {
    fn from_column(text: &str) -> Result<Self, ColumnError> {
        Uuid::from_str(text).map_err(|_| ColumnError {
            found: text.to_string(),
            expected: "an id",
        })
    }
}

impl FromColumn for Time {
    fn from_column(text: &str) -> Result<Self, ColumnError> {
        Time::parse(text).map_err(|_| ColumnError {
            found: text.to_string(),
            expected: "an ISO 8601 time",
        })
    }
}

impl<T: Code> FromColumn for T {
    fn from_column(text: &str) -> Result<Self, ColumnError> {
        parse_code(text)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::fmt::Debug;

    use super::*;
    use crate::accounts::AccountStatus;
    use crate::commands::{CommandKind, Outcome};
    use crate::statement::Entry;
    use crate::transfers::TransferStatus;

    fn round_trips<T: Code + PartialEq + Debug>() {
        let codes: BTreeSet<&str> = T::ALL.iter().map(|value| value.code()).collect();
        assert_eq!(codes.len(), T::ALL.len(), "two values share a code");
        for value in T::ALL {
            assert_eq!(T::from_code(value.code()), Some(*value));
            assert_eq!(T::from_column(value.code()).ok(), Some(*value));
        }
    }

    #[test]
    fn every_code_reads_back_as_its_value() {
        round_trips::<AccountStatus>();
        round_trips::<Entry>();
        round_trips::<TransferStatus>();
        round_trips::<CommandKind>();
        round_trips::<Outcome>();
    }

    #[test]
    fn what_is_not_a_code_or_an_id_or_a_time_says_what_it_found() {
        let error = parse_code::<Outcome>("rejected: insufficient funds").expect_err("no code");
        assert!(error.to_string().contains("rejected: insufficient funds"));
        assert!(Uuid::from_column("close").is_err());
        assert!(Time::from_column("2026-11-26 10:00").is_err());
        let json = serde_json::from_str::<AccountStatus>("\"shut\"");
        assert!(json.is_err(), "JSON is read through the same codes");
    }
}
