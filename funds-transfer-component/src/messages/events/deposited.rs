use account_component::Money;
use messaging::{Message, Time};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The destination account has received the money.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Deposited {
    pub funds_transfer_id: Uuid,
    pub deposit_id: Uuid,
    pub account_id: Uuid,
    pub amount: Money,
    pub time: Time,
    pub processed_time: Time,
}

impl Message for Deposited {
    const TYPE: &'static str = "Deposited";
}
