//! Example times.

use crate::Time;

/// The time examples are effective at: 2000-01-01T00:00:00.001Z.
pub fn example() -> Time {
    Time::from_unix_milliseconds(946_684_800_001).unwrap_or_else(|_| Time::now())
}

/// One second after [`example`]: when a handler processed something.
pub fn processed() -> Time {
    example().plus_milliseconds(1000)
}
