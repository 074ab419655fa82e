use account_component::Money;
use messaging::{Message, Time};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Move `amount` from one account to another. `funds_transfer_id`
/// identifies the transfer for good: sending it again transfers once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Transfer {
    pub funds_transfer_id: Uuid,
    pub withdrawal_account_id: Uuid,
    pub deposit_account_id: Uuid,
    pub amount: Money,
    pub time: Time,
}

impl Message for Transfer {
    const TYPE: &'static str = "Transfer";
}
