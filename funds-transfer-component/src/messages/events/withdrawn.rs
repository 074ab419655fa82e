use account_component::Money;
use messaging::{Message, Time};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The source account has withdrawn the money: it is now in flight.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Withdrawn {
    pub funds_transfer_id: Uuid,
    pub withdrawal_id: Uuid,
    pub account_id: Uuid,
    pub amount: Money,
    pub time: Time,
    pub processed_time: Time,
}

impl Message for Withdrawn {
    const TYPE: &'static str = "Withdrawn";
}
