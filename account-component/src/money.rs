//! Money: whole cents in an `i64`, never floating point.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// An amount of money in cents (minor units).
///
/// Floating point cannot represent 0.10 exactly, so a float balance drifts
/// and two sums of the same deposits can differ. An integer number of cents
/// is exact, and every operation that could overflow is checked: the bank
/// refuses a deposit that would overflow a balance rather than wrapping it
/// around to a negative number.
///
/// In JSON an amount is its number of cents: `{"amount": 1234}` is 12.34.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Money(i64);

/// Why a text is not an amount of money.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    /// Nothing was typed.
    #[error("enter an amount")]
    Empty,
    /// Something other than digits, one optional decimal point and an
    /// optional leading minus sign.
    #[error("an amount is a number such as 12.34")]
    NotANumber,
    /// More than two digits after the decimal point.
    #[error("an amount has at most two decimal places")]
    TooManyDecimals,
    /// Beyond what an `i64` of cents can hold.
    #[error("that amount is too large")]
    TooLarge,
}

impl Money {
    /// No money.
    pub const ZERO: Money = Money(0);

    /// The largest amount: about 92 quadrillion.
    pub const MAX: Money = Money(i64::MAX);

    /// An amount of `cents` cents.
    pub const fn from_cents(cents: i64) -> Money {
        Money(cents)
    }

    /// The number of cents.
    pub const fn cents(&self) -> i64 {
        self.0
    }

    /// True for amounts above zero.
    pub const fn is_positive(&self) -> bool {
        self.0 > 0
    }

    /// The sum, or `None` if it would overflow.
    pub fn checked_add(self, other: Money) -> Option<Money> {
        self.0.checked_add(other.0).map(Money)
    }

    /// The difference, or `None` if it would overflow.
    pub fn checked_sub(self, other: Money) -> Option<Money> {
        self.0.checked_sub(other.0).map(Money)
    }

    /// Parses `12.34`, `12.3`, `12`, `.5`, `-3.00` exactly into cents. There
    /// is no detour through floating point: the digits are read as integers.
    /// Surrounding whitespace is ignored; anything else that is not part of a
    /// number is refused, including `+`, exponents and thousands separators.
    pub fn parse(text: &str) -> Result<Money, MoneyError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(MoneyError::Empty);
        }
        let (negative, unsigned) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let (whole, fraction) = match unsigned.split_once('.') {
            Some((whole, fraction)) => (whole, fraction),
            None => (unsigned, ""),
        };
        let all_digits = |part: &str| part.bytes().all(|byte| byte.is_ascii_digit());
        if (whole.is_empty() && fraction.is_empty()) || !all_digits(whole) || !all_digits(fraction)
        {
            return Err(MoneyError::NotANumber);
        }
        if fraction.len() > 2 {
            return Err(MoneyError::TooManyDecimals);
        }
        // Accumulate cents digit by digit with checked arithmetic, towards
        // the sign of the amount: a negative amount is built downwards, so
        // the whole range of an i64 parses, including its lowest value,
        // whose magnitude has no positive i64. A long string of digits
        // overflows into an error, never into a wrong value.
        let mut cents: i64 = 0;
        let digits = whole
            .bytes()
            .chain(fraction.bytes())
            .chain(std::iter::repeat_n(b'0', 2 - fraction.len()));
        for digit in digits {
            let digit = i64::from(digit - b'0');
            cents = cents
                .checked_mul(10)
                .and_then(|cents| {
                    if negative {
                        cents.checked_sub(digit)
                    } else {
                        cents.checked_add(digit)
                    }
                })
                .ok_or(MoneyError::TooLarge)?;
        }
        Ok(Money(cents))
    }
}

impl FromStr for Money {
    type Err = MoneyError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Money::parse(text)
    }
}

impl fmt::Display for Money {
    /// Writes the amount with two decimals: `12.34`, `-0.05`, `1000000.00`.
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        // `unsigned_abs` handles i64::MIN, whose negation would overflow.
        let cents = self.0.unsigned_abs();
        write!(formatter, "{sign}{}.{:02}", cents / 100, cents % 100)
    }
}

/// A number of cents as people read money, grouped by thousands: `-1,234.56`.
/// It takes an `i128`, so that a sum of many amounts (an auditor's total)
/// can be shown as well as one amount.
pub fn grouped(cents: i128) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let cents = cents.unsigned_abs();
    let whole = (cents / 100).to_string();
    let mut grouped = String::with_capacity(whole.len() + whole.len() / 3);
    for (n, digit) in whole.chars().enumerate() {
        if n > 0 && (whole.len() - n).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    format!("{sign}{grouped}.{:02}", cents % 100)
}

#[cfg(test)]
mod tests {
    use super::{Money, MoneyError, grouped};

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
            (2 * i128::from(i64::MAX), "184,467,440,737,095,516.14"),
        ] {
            assert_eq!(grouped(cents), shown);
        }
    }

    #[test]
    fn decimal_text_is_read_as_exact_cents() {
        assert_eq!(Money::parse("12.34"), Ok(Money::from_cents(1234)));
        assert_eq!(Money::parse("12.3"), Ok(Money::from_cents(1230)));
        assert_eq!(Money::parse("12"), Ok(Money::from_cents(1200)));
        assert_eq!(Money::parse("0.10"), Ok(Money::from_cents(10)));
        assert_eq!(Money::parse(".5"), Ok(Money::from_cents(50)));
        assert_eq!(Money::parse("7."), Ok(Money::from_cents(700)));
        assert_eq!(Money::parse(" 1.00 "), Ok(Money::from_cents(100)));
        assert_eq!(Money::parse("-3.05"), Ok(Money::from_cents(-305)));
    }

    #[test]
    fn text_that_is_not_an_amount_is_refused_with_a_reason() {
        assert_eq!(Money::parse(""), Err(MoneyError::Empty));
        assert_eq!(Money::parse("   "), Err(MoneyError::Empty));
        for text in [
            "abc", "1,00", "1e5", "+1", "--1", "1.2.3", ".", "-", "1 000", "١٢",
        ] {
            assert_eq!(Money::parse(text), Err(MoneyError::NotANumber), "{text}");
        }
        assert_eq!(Money::parse("1.234"), Err(MoneyError::TooManyDecimals));
    }

    #[test]
    fn amounts_beyond_an_i64_of_cents_are_too_large() {
        assert_eq!(Money::parse("92233720368547758.07"), Ok(Money::MAX));
        assert_eq!(
            Money::parse("92233720368547758.08"),
            Err(MoneyError::TooLarge)
        );
        assert_eq!(Money::parse(&"9".repeat(40)), Err(MoneyError::TooLarge));
    }

    #[test]
    fn amounts_are_written_with_two_decimals() {
        assert_eq!(Money::from_cents(1234).to_string(), "12.34");
        assert_eq!(Money::from_cents(5).to_string(), "0.05");
        assert_eq!(Money::from_cents(-5).to_string(), "-0.05");
        assert_eq!(
            Money::from_cents(i64::MIN).to_string(),
            "-92233720368547758.08"
        );
    }

    #[test]
    fn arithmetic_that_would_overflow_is_refused() {
        assert_eq!(Money::MAX.checked_add(Money::from_cents(1)), None);
        assert_eq!(
            Money::from_cents(5).checked_sub(Money::from_cents(7)),
            Some(Money::from_cents(-2))
        );
    }

    #[test]
    fn json_carries_cents_as_a_number() {
        assert_eq!(
            serde_json::to_string(&Money::from_cents(1234)).ok(),
            Some("1234".into())
        );
    }
}
