//! Values as people read them.

use account_component::Money;
use messaging::Time;

/// An amount as people read it, its thousands apart: `12.34`,
/// `1,234,567.00`, `-0.05`. (Forms take amounts without separators; the
/// pages only show them.)
pub fn money(amount: Money) -> String {
    let text = amount.to_string();
    let (sign, digits) = text.split_at(usize::from(text.starts_with('-')));
    let (whole, cents) = digits.split_once('.').unwrap_or((digits, "00"));
    let mut grouped = String::with_capacity(whole.len() + whole.len() / 3);
    for (n, digit) in whole.chars().enumerate() {
        if n > 0 && (whole.len() - n) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    format!("{sign}{grouped}.{cents}")
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_grouped_by_thousands() {
        for (cents, shown) in [
            (0, "0.00"),
            (1234, "12.34"),
            (99_999, "999.99"),
            (100_000, "1,000.00"),
            (123_456_789, "1,234,567.89"),
            (-5, "-0.05"),
            (-100_000_000, "-1,000,000.00"),
        ] {
            assert_eq!(money(Money::from_cents(cents)), shown);
        }
    }
}
