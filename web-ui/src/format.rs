//! Values as people read them.

use account_component::Money;
use messaging::Time;

/// An amount: `12.34`.
pub fn money(amount: Money) -> String {
    amount.to_string()
}

/// A time, to the second: `2026-11-26 10:00:00 UTC`.
pub fn time(time: Time) -> String {
    time.to_readable()
}

/// The first block of an id, for places where no name is known.
pub fn short_id(id: uuid::Uuid) -> String {
    let text = id.to_string();
    text.split('-').next().unwrap_or(&text).to_string()
}
