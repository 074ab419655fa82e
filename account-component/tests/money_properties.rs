//! Properties of `Money::parse`, checked on many generated inputs: it is
//! exact, it never overflows into a wrong value or panics, and what it
//! writes it reads back.

use account_component::{Money, MoneyError};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn every_amount_reads_back_what_it_writes(cents in any::<i64>()) {
        let money = Money::from_cents(cents);
        prop_assert_eq!(Money::parse(&money.to_string()), Ok(money));
    }

    #[test]
    fn whole_units_and_two_decimals_are_exact(whole in 0i64..=92_233_720_368_547_757, hundredths in 0i64..100) {
        let text = format!("{whole}.{hundredths:02}");
        prop_assert_eq!(Money::parse(&text), Ok(Money::from_cents(whole * 100 + hundredths)));
        prop_assert_eq!(Money::parse(&format!("-{text}")), Ok(Money::from_cents(-(whole * 100 + hundredths))));
    }

    #[test]
    fn one_decimal_means_tenths(whole in 0i64..1_000_000_000, tenths in 0i64..10) {
        prop_assert_eq!(Money::parse(&format!("{whole}.{tenths}")), Ok(Money::from_cents(whole * 100 + tenths * 10)));
    }

    #[test]
    fn a_third_decimal_is_always_refused(whole in 0u32..1_000_000, decimals in "[0-9]{3,8}") {
        prop_assert_eq!(Money::parse(&format!("{whole}.{decimals}")), Err(MoneyError::TooManyDecimals));
    }

    #[test]
    fn anything_too_large_is_refused_rather_than_wrapped(digits in "[1-9][0-9]{17,40}") {
        prop_assert_eq!(Money::parse(&digits), Err(MoneyError::TooLarge));
    }

    #[test]
    fn no_text_makes_it_panic_and_whatever_it_accepts_is_canonical(text in any::<String>()) {
        if let Ok(money) = Money::parse(&text) {
            prop_assert_eq!(Money::parse(&money.to_string()), Ok(money));
        }
    }

    #[test]
    fn text_with_anything_but_digits_a_point_and_a_leading_minus_is_refused(
        prefix in "[0-9]{0,3}",
        stray in "[^0-9.\\-\\s]",
        suffix in "[0-9]{0,3}",
    ) {
        let text = format!("{prefix}{stray}{suffix}");
        prop_assert!(Money::parse(&text).is_err(), "{} was accepted", text);
    }
}
