//! Times as messages carry them: UTC, millisecond precision, ISO 8601 text.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{OffsetDateTime, PrimitiveDateTime, UtcOffset};

/// A point in time, in UTC, to the millisecond.
///
/// Eventide writes times as `2026-11-26T10:00:00.000Z`, and so do we, so that
/// a Ruby consumer could read this bank's messages and a person can write a
/// command with plain SQL. Keeping only milliseconds means a time survives a
/// round trip through JSON unchanged, which the idempotence checks and the
/// view rebuild tests rely on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Time(OffsetDateTime);

/// A text that is not an ISO 8601 time.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not an ISO 8601 time: {0:?}")]
pub struct TimeError(String);

impl Time {
    /// The current time of this machine. Code that decides with the time
    /// takes it from a [`Clock`](crate::Clock) instead, so tests can fix it.
    pub fn now() -> Time {
        Time::from_offset_date_time(OffsetDateTime::now_utc())
    }

    /// Parses an RFC 3339 time (`2026-11-26T10:00:00.000Z`, or with another
    /// offset or precision), converting it to UTC milliseconds.
    pub fn parse(text: &str) -> Result<Time, TimeError> {
        OffsetDateTime::parse(text, &Rfc3339)
            .map(Time::from_offset_date_time)
            .map_err(|_| TimeError(text.to_string()))
    }

    /// The time `milliseconds` after 1970-01-01T00:00:00Z.
    pub fn from_unix_milliseconds(milliseconds: i64) -> Result<Time, TimeError> {
        OffsetDateTime::from_unix_timestamp_nanos(i128::from(milliseconds) * 1_000_000)
            .map(Time)
            .map_err(|_| TimeError(format!("{milliseconds} ms since 1970")))
    }

    /// Milliseconds since 1970-01-01T00:00:00Z.
    pub fn unix_milliseconds(&self) -> i64 {
        // Whole milliseconds by construction, and within i64 for any date
        // `time` can represent.
        i64::try_from(self.0.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
    }

    /// The time `milliseconds` later (or earlier, when negative).
    pub fn plus_milliseconds(&self, milliseconds: i64) -> Time {
        Time(self.0 + time::Duration::milliseconds(milliseconds))
    }

    /// The time as people read it, to the second: `2026-11-26 10:00:00 UTC`.
    pub fn to_readable(&self) -> String {
        let format = format_description!("[year]-[month]-[day] [hour]:[minute]:[second] UTC");
        // Formatting a valid date with a fixed description cannot fail; the
        // fallback only satisfies the type.
        self.0.format(format).unwrap_or_else(|_| self.to_string())
    }

    /// A Postgres `timestamp without time zone`, which the message store
    /// fills with UTC.
    pub(crate) fn from_utc_timestamp(timestamp: PrimitiveDateTime) -> Time {
        Time::from_offset_date_time(timestamp.assume_utc())
    }

    fn from_offset_date_time(time: OffsetDateTime) -> Time {
        let utc = time.to_offset(UtcOffset::UTC);
        let whole_milliseconds = u32::from(utc.millisecond()) * 1_000_000;
        // Dropping everything below a millisecond keeps the nanosecond in
        // range, so this cannot fail; the fallback only satisfies the type.
        Time(utc.replace_nanosecond(whole_milliseconds).unwrap_or(utc))
    }
}

impl fmt::Display for Time {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let format = format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
        );
        let text = self.0.format(format).map_err(|_| fmt::Error)?;
        formatter.write_str(&text)
    }
}

impl Serialize for Time {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Time {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Time::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::Time;

    #[test]
    fn it_is_written_as_iso_8601_utc_with_milliseconds() {
        let time = Time::from_unix_milliseconds(1_795_687_200_123).expect("valid");
        assert_eq!(time.to_string(), "2026-11-26T10:00:00.123Z");
    }

    #[test]
    fn people_read_it_to_the_second() {
        let time = Time::from_unix_milliseconds(1_795_687_200_123).expect("valid");
        assert_eq!(time.to_readable(), "2026-11-26 10:00:00 UTC");
    }

    #[test]
    fn it_reads_back_what_it_writes() {
        let time = Time::parse("2026-11-26T10:00:00.000Z").expect("valid");
        assert_eq!(Time::parse(&time.to_string()), Ok(time));
    }

    #[test]
    fn other_offsets_are_converted_to_utc() {
        let time = Time::parse("2026-11-26T11:00:00.5+01:00").expect("valid");
        assert_eq!(time.to_string(), "2026-11-26T10:00:00.500Z");
    }

    #[test]
    fn precision_below_a_millisecond_is_dropped() {
        let time = Time::parse("2026-11-26T10:00:00.123456789Z").expect("valid");
        assert_eq!(time.to_string(), "2026-11-26T10:00:00.123Z");
    }

    #[test]
    fn json_carries_it_as_a_string() {
        let time = Time::parse("2026-11-26T10:00:00.000Z").expect("valid");
        let json = serde_json::to_string(&time).expect("serializes");
        assert_eq!(json, "\"2026-11-26T10:00:00.000Z\"");
        assert_eq!(serde_json::from_str::<Time>(&json).ok(), Some(time));
    }

    #[test]
    fn a_malformed_time_is_refused() {
        assert!(Time::parse("yesterday").is_err());
        assert!(serde_json::from_str::<Time>("\"2026-13-01T00:00:00Z\"").is_err());
    }
}
