use messaging::{Message, Time};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The transfer is complete: withdrawn from one account, deposited into the
/// other. Written in the same transaction as `Deposited`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Transferred {
    pub funds_transfer_id: Uuid,
    pub time: Time,
    pub processed_time: Time,
}

impl Message for Transferred {
    const TYPE: &'static str = "Transferred";
}
