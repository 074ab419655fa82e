use account_component::messages::Reason;
use messaging::{Message, Time};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The source account refused the withdrawal, so nothing moved and the
/// transfer is over.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Cancelled {
    pub funds_transfer_id: Uuid,
    /// The source account's reason (insufficient funds, closed, ...).
    pub reason: Reason,
    pub time: Time,
    pub processed_time: Time,
}

impl Message for Cancelled {
    const TYPE: &'static str = "Cancelled";
}
