//! Reading what people type: every field checked, with a message that says
//! how to fix it. A form that fails any check writes nothing.

use account_component::{Money, MoneyError};

use crate::form_id::FormId;
use serde::Deserialize;
use uuid::Uuid;

/// The longest name an account may carry.
pub const HOLDER_NAME_LIMIT: usize = 100;

/// The longest reference a deposit, a withdrawal or a transfer may carry:
/// what a line of a statement has room for.
pub const REFERENCE_LIMIT: usize = 140;

/// A form with an amount: deposit or withdraw.
#[derive(Debug, Default, Deserialize)]
pub struct AmountInput {
    /// The id generated when the form was rendered (see `form_id.rs`).
    /// Submitting the same form twice sends the same id.
    #[serde(default)]
    pub command_id: Option<String>,
    #[serde(default)]
    pub amount: Option<String>,
    /// Optional: what the customer will recognise it by on the statement.
    #[serde(default)]
    pub reference: Option<String>,
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
    #[serde(default)]
    pub reference: Option<String>,
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

/// What a deposit or withdrawal form says, checked.
#[derive(Debug)]
pub struct AmountFields {
    pub form_id: FormId,
    pub amount: Money,
    pub reference: Option<String>,
}

/// The fields of a deposit or withdrawal form, or the first thing wrong
/// with them.
pub fn amount_fields(input: &AmountInput) -> Result<AmountFields, String> {
    Ok(AmountFields {
        form_id: FormId::parse(input.command_id.as_deref())?,
        amount: amount(input.amount.as_deref())?,
        reference: reference(input.reference.as_deref())?,
    })
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
/// characters (a NUL byte or a line break has no place in a name), and
/// nothing invisible (see [`is_invisible`]).
pub fn holder_name(input: Option<&str>) -> Result<String, String> {
    let name = input.unwrap_or_default().trim();
    if name.is_empty() {
        return Err("Enter the name on the account.".to_string());
    }
    if name.chars().count() > HOLDER_NAME_LIMIT {
        return Err(format!("Use at most {HOLDER_NAME_LIMIT} characters."));
    }
    shown_as_typed(name, "name")?;
    Ok(name.to_string())
}

/// A reference, if one was typed: optional, and otherwise held to the same
/// rules as a name (a statement shows exactly what was typed), at most
/// [`REFERENCE_LIMIT`] characters.
pub fn reference(input: Option<&str>) -> Result<Option<String>, String> {
    let reference = input.unwrap_or_default().trim();
    if reference.is_empty() {
        return Ok(None);
    }
    if reference.chars().count() > REFERENCE_LIMIT {
        return Err(format!(
            "Use at most {REFERENCE_LIMIT} characters in the reference."
        ));
    }
    shown_as_typed(reference, "reference")?;
    Ok(Some(reference.to_string()))
}

/// Refuses a text that would not be shown as it was typed: one with control
/// characters (a NUL byte or a line break has no place in a name) or
/// invisible ones (see [`is_invisible`]). `what` names the field.
fn shown_as_typed(text: &str, what: &str) -> Result<(), String> {
    if text.chars().any(char::is_control) {
        return Err(format!("The {what} cannot contain control characters."));
    }
    if let Some(invisible) = text.chars().find(|c| is_invisible(*c)) {
        return Err(format!(
            "The {what} cannot contain invisible characters (it has U+{:04X}).",
            u32::from(invisible)
        ));
    }
    Ok(())
}

/// Is `c` a character that is not drawn but changes how the text around it
/// is drawn or read: a right-to-left override (which turns "Bob\u{202E}evil"
/// into "Boblive" on the page), a zero-width space or joiner (two names that
/// look the same and are not), a soft hyphen, a line or paragraph separator?
/// These are Unicode's *format* characters (general category Cf) and the
/// two separators, listed here as of Unicode 15: a name shows exactly what
/// was typed, or it is refused.
pub fn is_invisible(c: char) -> bool {
    matches!(
        u32::from(c),
        0x00AD
            | 0x0600..=0x0605
            | 0x061C
            | 0x06DD
            | 0x070F
            | 0x0890..=0x0891
            | 0x08E2
            | 0x180E
            | 0x200B..=0x200F
            | 0x2028..=0x202E
            | 0x2060..=0x2064
            | 0x2066..=0x206F
            | 0xFEFF
            | 0xFFF9..=0xFFFB
            | 0x110BD
            | 0x110CD
            | 0x13430..=0x1343F
            | 0x1BCA0..=0x1BCA3
            | 0x1D173..=0x1D17A
            | 0xE0001
            | 0xE0020..=0xE007F
    )
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

    use super::{REFERENCE_LIMIT, amount, holder_name, is_invisible, reference};

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
    fn a_reference_is_optional_trimmed_short_and_printable() {
        assert_eq!(reference(None), Ok(None));
        assert_eq!(reference(Some("   ")), Ok(None));
        assert_eq!(
            reference(Some("  Rent, May  ")),
            Ok(Some("Rent, May".to_string()))
        );
        let longest = "é".repeat(REFERENCE_LIMIT);
        assert_eq!(reference(Some(&longest)), Ok(Some(longest.clone())));
        let error = reference(Some(&format!("{longest}é"))).expect_err("too long");
        assert!(error.contains("at most 140 characters"), "{error}");
        let error = reference(Some("Rent\nMay")).expect_err("a line break");
        assert!(
            error.contains("reference cannot contain control"),
            "{error}"
        );
        let error = reference(Some("Rent\u{202E}yaM")).expect_err("an override");
        assert!(error.contains("U+202E"), "{error}");
    }

    #[test]
    fn a_name_with_invisible_characters_is_refused_saying_which() {
        for name in [
            "Bob\u{202E}evil",
            "Ada\u{200B}Lovelace",
            "Ada\u{2066}Lovelace\u{2069}",
            "Soft\u{00AD}hyphen",
            "Tag\u{E0041}",
        ] {
            let error = holder_name(Some(name)).expect_err(name);
            assert!(error.contains("invisible characters"), "{error}");
        }
        let error = holder_name(Some("Bob\u{202E}evil")).expect_err("refused");
        assert!(error.contains("U+202E"), "{error}");
    }

    #[test]
    fn names_in_every_script_are_accepted() {
        for name in [
            "Ada Lovelace",
            "José Ñúñez",
            "محمد",
            "李小龙",
            "Zoë O'Brien-Smith",
        ] {
            assert_eq!(holder_name(Some(name)).as_deref(), Ok(name));
        }
        assert!(!is_invisible(' '));
        assert!(!is_invisible('\u{0627}'));
    }
}
