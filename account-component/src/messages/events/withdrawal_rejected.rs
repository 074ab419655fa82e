use messaging::{Message, Time};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::Money;
use crate::messages::Reason;

/// A withdrawal was refused, and why. Nothing left the account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WithdrawalRejected {
    pub withdrawal_id: Uuid,
    pub account_id: Uuid,
    pub amount: Money,
    pub reason: Reason,
    pub time: Time,
    pub processed_time: Time,
    /// The global position of the reserved `Withdraw`.
    pub sequence: i64,
}

impl Message for WithdrawalRejected {
    const TYPE: &'static str = "WithdrawalRejected";
}
