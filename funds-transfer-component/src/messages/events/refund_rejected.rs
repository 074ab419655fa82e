use account_component::Money;
use account_component::messages::Reason;
use messaging::{Message, Time};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The source account refused the refund too: it was closed while the money
/// was in flight (its balance reached zero and its owner closed it).
///
/// The money is not lost: it stays with the bank, recorded here with the
/// transfer, and the auditor counts it as held in flight. Returning it (to a
/// reopened account, or by other means) is a decision for a person, so the
/// process stops here rather than guessing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RefundRejected {
    pub funds_transfer_id: Uuid,
    pub refund_id: Uuid,
    pub account_id: Uuid,
    pub amount: Money,
    pub reason: Reason,
    pub time: Time,
    pub processed_time: Time,
}

impl Message for RefundRejected {
    const TYPE: &'static str = "RefundRejected";
}
