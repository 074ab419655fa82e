use account_component::Money;
use account_component::messages::events as account;
use messaging::{Message, Time};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The money the transfer held was paid into the account an operator chose:
/// the bank holds nothing for it any more, and the transfer is over.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Released {
    pub funds_transfer_id: Uuid,
    /// The attempt's id, and its deposit's.
    pub release_id: Uuid,
    /// The account that took the money.
    pub account_id: Uuid,
    pub amount: Money,
    /// When the account took it (its event's processed time).
    pub time: Time,
    /// When the funds-transfer component recorded it.
    pub processed_time: Time,
}

impl Released {
    /// The chosen account's `deposited`, closing the transfer.
    pub fn answering(
        deposited: &account::Deposited,
        funds_transfer_id: Uuid,
        processed_time: Time,
    ) -> Released {
        Released {
            funds_transfer_id,
            release_id: deposited.deposit_id,
            account_id: deposited.account_id,
            amount: deposited.amount,
            time: deposited.processed_time,
            processed_time,
        }
    }
}

impl Message for Released {
    const TYPE: &'static str = "Released";
}
