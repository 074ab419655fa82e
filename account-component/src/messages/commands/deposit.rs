use messaging::{Message, Time};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::Money;

/// Put money into an account.
///
/// `deposit_id` identifies this deposit for good: sending the same deposit
/// again, with the same id, deposits the money once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Deposit {
    /// The deposit's id: its idempotence key. The reservation stream
    /// `accountTransaction-{accountId}+{depositId}` is named after it.
    pub deposit_id: Uuid,
    /// The account to put the money into.
    pub account_id: Uuid,
    /// How much, in cents; it must be more than zero.
    pub amount: Money,
    /// When it was asked for.
    pub time: Time,
    /// What the customer wrote to recognise it on the statement, if
    /// anything (added 2026-12: an optional field, so messages without it,
    /// old and new, read as they always did).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
}

impl Message for Deposit {
    const TYPE: &'static str = "Deposit";
}
