use messaging::{Message, Time};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::Money;

/// Put money into an account.
///
/// `deposit_id` identifies this deposit for good: sending the same deposit
/// again, with the same id, deposits the money once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Deposit {
    pub deposit_id: Uuid,
    pub account_id: Uuid,
    pub amount: Money,
    pub time: Time,
}

impl Message for Deposit {
    const TYPE: &'static str = "Deposit";
}
