//! Values as people read them.

use account_component::Money;
use messaging::Time;

/// An amount as people read it, its thousands apart: `12.34`,
/// `1,234,567.00`, `-0.05`. (Forms take amounts without separators; the
/// pages only show them.)
pub fn money(amount: Money) -> String {
    account_component::grouped(i128::from(amount.cents()))
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
