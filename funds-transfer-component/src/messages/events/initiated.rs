use account_component::Money;
use messaging::{Message, Time};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The transfer started. It fixes, once and for all, the ids of the
/// withdrawal, the deposit and a possible refund, so that every retry of
/// every step sends the same ids and the accounts apply each step once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Initiated {
    pub funds_transfer_id: Uuid,
    pub withdrawal_account_id: Uuid,
    pub deposit_account_id: Uuid,
    pub withdrawal_id: Uuid,
    pub deposit_id: Uuid,
    pub refund_id: Uuid,
    pub amount: Money,
    pub time: Time,
    pub processed_time: Time,
}

impl Message for Initiated {
    const TYPE: &'static str = "Initiated";
}
