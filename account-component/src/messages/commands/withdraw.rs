use messaging::{Message, Time};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::Money;

/// Take money out of an account, if the balance allows.
///
/// `withdrawal_id` identifies this withdrawal for good: sending it again
/// withdraws the money once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Withdraw {
    pub withdrawal_id: Uuid,
    pub account_id: Uuid,
    pub amount: Money,
    pub time: Time,
}

impl Message for Withdraw {
    const TYPE: &'static str = "Withdraw";
}
