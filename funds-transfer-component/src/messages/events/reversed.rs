use account_component::messages::Reason;
use messaging::{Message, Time};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The refund reached the source account: the transfer is undone, and over.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Reversed {
    pub funds_transfer_id: Uuid,
    pub refund_id: Uuid,
    /// Why the destination refused the deposit.
    pub reason: Reason,
    pub time: Time,
    pub processed_time: Time,
}

impl Message for Reversed {
    const TYPE: &'static str = "Reversed";
}
