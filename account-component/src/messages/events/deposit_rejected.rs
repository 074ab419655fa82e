use messaging::{Message, Time};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::Money;
use crate::messages::Reason;

/// A deposit was refused, and why (the account is not open, or closed).
/// Nothing entered the account; whoever sent the money gets it back.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DepositRejected {
    pub deposit_id: Uuid,
    pub account_id: Uuid,
    pub amount: Money,
    pub reason: Reason,
    pub time: Time,
    pub processed_time: Time,
    /// The global position of the reserved `Deposit`.
    pub sequence: i64,
}

impl Message for DepositRejected {
    const TYPE: &'static str = "DepositRejected";
}
