use messaging::{Message, Time};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::Money;

/// Money was put into the account. The event carries the amount, never the
/// resulting balance: the balance is derived by adding up the events.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Deposited {
    pub deposit_id: Uuid,
    pub account_id: Uuid,
    pub amount: Money,
    pub time: Time,
    pub processed_time: Time,
    /// The global position of the reserved `Deposit`.
    pub sequence: i64,
}

impl Message for Deposited {
    const TYPE: &'static str = "Deposited";
}
