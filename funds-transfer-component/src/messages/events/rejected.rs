use account_component::Money;
use messaging::{Message, Time};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::messages::RejectionReason;

/// The transfer was refused before it started; no account was asked for
/// anything.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Rejected {
    pub funds_transfer_id: Uuid,
    pub withdrawal_account_id: Uuid,
    pub deposit_account_id: Uuid,
    pub amount: Money,
    pub reason: RejectionReason,
    pub time: Time,
    pub processed_time: Time,
}

impl Message for Rejected {
    const TYPE: &'static str = "Rejected";
}
