use messaging::{Message, Time};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::Money;
use crate::messages::Reason;
use crate::messages::commands::Deposit;

/// A deposit was refused, and why (the account is not open, or closed).
/// Nothing entered the account; whoever sent the money gets it back.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DepositRejected {
    /// The refused `Deposit`'s id.
    pub deposit_id: Uuid,
    pub account_id: Uuid,
    /// The amount that was not deposited.
    pub amount: Money,
    pub reason: Reason,
    /// When the deposit was asked for (the command's time).
    pub time: Time,
    /// The command's reference, carried to the statement (optional: events
    /// written before references existed have none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// When the account component refused it.
    pub processed_time: Time,
    /// The global position of the reserved `Deposit`.
    pub sequence: i64,
}

impl DepositRejected {
    /// The deposit `deposit` asked for, refused for `reason`.
    pub fn answering(
        deposit: &Deposit,
        reason: Reason,
        sequence: i64,
        processed_time: Time,
    ) -> DepositRejected {
        DepositRejected {
            deposit_id: deposit.deposit_id,
            account_id: deposit.account_id,
            amount: deposit.amount,
            reason,
            time: deposit.time,
            reference: deposit.reference.clone(),
            processed_time,
            sequence,
        }
    }
}

impl Message for DepositRejected {
    const TYPE: &'static str = "DepositRejected";
}
