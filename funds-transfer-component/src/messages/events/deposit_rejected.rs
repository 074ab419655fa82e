use account_component::Money;
use account_component::messages::Reason;
use messaging::{Message, Time};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The destination account refused the deposit (it is closed, say). The
/// money has left the source already, so it is refunded there next.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DepositRejected {
    pub funds_transfer_id: Uuid,
    pub deposit_id: Uuid,
    pub account_id: Uuid,
    pub amount: Money,
    pub reason: Reason,
    pub time: Time,
    pub processed_time: Time,
}

impl Message for DepositRejected {
    const TYPE: &'static str = "DepositRejected";
}
