//! Reading what people type: every field checked, with a message that says
//! how to fix it. A form that fails any check writes nothing.

use account_component::{Money, MoneyError};
use serde::Deserialize;
use uuid::Uuid;

/// The longest name an account may carry.
pub const HOLDER_NAME_LIMIT: usize = 100;

/// A form with an amount: deposit or withdraw.
#[derive(Debug, Default, Deserialize)]
pub struct AmountInput {
    /// The id generated when the form was rendered: the deposit or
    /// withdrawal id. Submitting the same form twice sends the same id.
    #[serde(default)]
    pub command_id: Option<String>,
    #[serde(default)]
    pub amount: Option<String>,
}

/// The transfer form.
#[derive(Debug, Default, Deserialize)]
pub struct TransferInput {
    #[serde(default)]
    pub command_id: Option<String>,
    #[serde(default)]
    pub to_account_id: Option<String>,
    #[serde(default)]
    pub amount: Option<String>,
}

/// The open-an-account form.
#[derive(Debug, Default, Deserialize)]
pub struct OpenInput {
    #[serde(default)]
    pub command_id: Option<String>,
    #[serde(default)]
    pub holder_name: Option<String>,
}

/// The release form of the operations page: the money a transfer holds,
/// to an account.
#[derive(Debug, Default, Deserialize)]
pub struct ReleaseInput {
    #[serde(default)]
    pub command_id: Option<String>,
    #[serde(default)]
    pub account_id: Option<String>,
}

/// The close form: just its id.
#[derive(Debug, Default, Deserialize)]
pub struct CloseInput {
    #[serde(default)]
    pub command_id: Option<String>,
}

/// The id a form was rendered with. It is a hidden field, so a bad one means
/// the form was tampered with or is from an older version of the page.
pub fn command_id(input: Option<&str>) -> Result<Uuid, String> {
    input
        .and_then(|text| Uuid::parse_str(text.trim()).ok())
        .ok_or_else(|| "This form is out of date. Please try again.".to_string())
}

/// The command id and the amount of a deposit or withdrawal form, or the
/// first thing wrong with them.
pub fn command_id_and_amount(input: &AmountInput) -> Result<(Uuid, Money), String> {
    let id = command_id(input.command_id.as_deref())?;
    Ok((id, amount(input.amount.as_deref())?))
}

/// An amount of money, more than zero, exactly as typed: `12.34`.
pub fn amount(input: Option<&str>) -> Result<Money, String> {
    let amount = Money::parse(input.unwrap_or_default()).map_err(|error| match error {
        MoneyError::Empty => "Enter an amount, such as 12.34.".to_string(),
        MoneyError::NotANumber => "Enter the amount as a number, such as 12.34.".to_string(),
        MoneyError::TooManyDecimals => "Use at most two decimal places, such as 12.34.".to_string(),
        MoneyError::TooLarge => "That amount is too large.".to_string(),
    })?;
    if !amount.is_positive() {
        return Err("The amount must be more than zero.".to_string());
    }
    Ok(amount)
}

/// The name on a new account: not blank, not too long, no control
/// characters (a NUL byte or a line break has no place in a name).
pub fn holder_name(input: Option<&str>) -> Result<String, String> {
    let name = input.unwrap_or_default().trim();
    if name.is_empty() {
        return Err("Enter the name on the account.".to_string());
    }
    if name.chars().count() > HOLDER_NAME_LIMIT {
        return Err(format!("Use at most {HOLDER_NAME_LIMIT} characters."));
    }
    if name.chars().any(char::is_control) {
        return Err("The name cannot contain control characters.".to_string());
    }
    Ok(name.to_string())
}

/// An account id chosen from a list, or typed.
pub fn account_id(input: Option<&str>) -> Result<Uuid, String> {
    input
        .and_then(|text| Uuid::parse_str(text.trim()).ok())
        .ok_or_else(|| "Choose an account.".to_string())
}

#[cfg(test)]
mod tests {
    use account_component::Money;

    use super::{amount, command_id, holder_name};

    #[test]
    fn an_amount_is_read_exactly_into_cents() {
        assert_eq!(amount(Some("12.34")), Ok(Money::from_cents(1234)));
        assert_eq!(amount(Some(" 0.01 ")), Ok(Money::from_cents(1)));
    }

    #[test]
    fn each_bad_amount_says_what_is_wrong() {
        let message = |text: &str| amount(Some(text)).expect_err(text);
        assert!(message("").contains("Enter an amount"));
        assert!(message("abc").contains("as a number"));
        assert!(message("1.234").contains("two decimal places"));
        assert!(message("99999999999999999999").contains("too large"));
        assert!(message("0").contains("more than zero"));
        assert!(message("-5").contains("as a number") || message("-5").contains("more than zero"));
        assert!(amount(None).is_err());
    }

    #[test]
    fn a_name_must_be_present_short_and_printable() {
        assert_eq!(holder_name(Some("  Ada  ")), Ok("Ada".to_string()));
        assert!(holder_name(Some("   ")).is_err());
        assert!(holder_name(Some(&"x".repeat(101))).is_err());
        assert!(holder_name(Some("Ada\0Lovelace")).is_err());
        assert_eq!(
            holder_name(Some("Zoë 😀 <b>")),
            Ok("Zoë 😀 <b>".to_string())
        );
    }

    #[test]
    fn a_command_id_must_be_a_uuid() {
        assert!(command_id(Some("not-a-uuid")).is_err());
        assert!(command_id(None).is_err());
        assert!(command_id(Some("00000000-0000-4000-8000-000000000001")).is_ok());
    }
}
