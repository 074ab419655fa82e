use account_component::Money;
use account_component::messages::events as account;
use messaging::{Message, Time};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The destination account has received the money.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Deposited {
    pub funds_transfer_id: Uuid,
    /// The deposit's id, as `Initiated` fixed it.
    pub deposit_id: Uuid,
    /// The destination account.
    pub account_id: Uuid,
    pub amount: Money,
    /// When the destination deposited it (its event's processed time).
    pub time: Time,
    /// When the funds-transfer component recorded it.
    pub processed_time: Time,
}

impl Deposited {
    /// The destination account's `deposited`, recorded as a step.
    pub fn answering(
        deposited: &account::Deposited,
        funds_transfer_id: Uuid,
        processed_time: Time,
    ) -> Deposited {
        Deposited {
            funds_transfer_id,
            deposit_id: deposited.deposit_id,
            account_id: deposited.account_id,
            amount: deposited.amount,
            time: deposited.processed_time,
            processed_time,
        }
    }
}

impl Message for Deposited {
    const TYPE: &'static str = "Deposited";
}
