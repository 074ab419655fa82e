use messaging::{Message, Time};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::Money;

/// Money was taken out of the account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Withdrawn {
    pub withdrawal_id: Uuid,
    pub account_id: Uuid,
    pub amount: Money,
    pub time: Time,
    pub processed_time: Time,
    /// The global position of the reserved `Withdraw`.
    pub sequence: i64,
}

impl Message for Withdrawn {
    const TYPE: &'static str = "Withdrawn";
}
