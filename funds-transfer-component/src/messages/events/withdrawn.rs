use account_component::Money;
use account_component::messages::events as account;
use messaging::{Message, Time};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The source account has withdrawn the money: it is now in flight.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Withdrawn {
    pub funds_transfer_id: Uuid,
    /// The withdrawal's id, as `Initiated` fixed it.
    pub withdrawal_id: Uuid,
    /// The source account.
    pub account_id: Uuid,
    pub amount: Money,
    /// When the source account withdrew it (its event's processed time).
    pub time: Time,
    /// When the funds-transfer component recorded it.
    pub processed_time: Time,
}

impl Withdrawn {
    /// The source account's `withdrawn`, recorded as a step of the transfer.
    pub fn answering(
        withdrawn: &account::Withdrawn,
        funds_transfer_id: Uuid,
        processed_time: Time,
    ) -> Withdrawn {
        Withdrawn {
            funds_transfer_id,
            withdrawal_id: withdrawn.withdrawal_id,
            account_id: withdrawn.account_id,
            amount: withdrawn.amount,
            time: withdrawn.processed_time,
            processed_time,
        }
    }
}

impl Message for Withdrawn {
    const TYPE: &'static str = "Withdrawn";
}
