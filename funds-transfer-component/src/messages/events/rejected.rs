use account_component::Money;
use messaging::{Message, Time};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::messages::RejectionReason;
use crate::messages::commands::Transfer;

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
    /// When the transfer was asked for (the command's time).
    pub time: Time,
    /// When the funds-transfer component refused it.
    pub processed_time: Time,
}

impl Rejected {
    /// The transfer `transfer` asked for, refused for `reason`.
    pub fn answering(
        transfer: &Transfer,
        reason: RejectionReason,
        processed_time: Time,
    ) -> Rejected {
        Rejected {
            funds_transfer_id: transfer.funds_transfer_id,
            withdrawal_account_id: transfer.withdrawal_account_id,
            deposit_account_id: transfer.deposit_account_id,
            amount: transfer.amount,
            reason,
            time: transfer.time,
            processed_time,
        }
    }
}

impl Message for Rejected {
    const TYPE: &'static str = "Rejected";
}
