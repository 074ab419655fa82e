use messaging::{Message, Time};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::Money;

/// Take money out of an account, if the balance allows.
///
/// `withdrawal_id` identifies this withdrawal for good: sending it again
/// withdraws the money once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Withdraw {
    /// The withdrawal's id: its idempotence key, as for a deposit.
    pub withdrawal_id: Uuid,
    /// The account to take the money from.
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

impl Message for Withdraw {
    const TYPE: &'static str = "Withdraw";
}
