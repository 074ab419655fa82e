//! Example amounts.

use crate::Money;

/// The amount of example deposits and withdrawals: 11.00.
pub fn amount() -> Money {
    Money::from_cents(1100)
}

/// The balance of an example open account: 100.00.
pub fn balance() -> Money {
    Money::from_cents(10_000)
}
