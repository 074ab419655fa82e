use account_component::Money;
use messaging::{Message, Time};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Move `amount` from one account to another. `funds_transfer_id`
/// identifies the transfer for good: sending it again transfers once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Transfer {
    /// The transfer's id: its idempotence key, and the id of its streams.
    pub funds_transfer_id: Uuid,
    /// The source account, where the money is withdrawn.
    pub withdrawal_account_id: Uuid,
    /// The destination account, where it is deposited.
    pub deposit_account_id: Uuid,
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

impl Message for Transfer {
    const TYPE: &'static str = "Transfer";
}
