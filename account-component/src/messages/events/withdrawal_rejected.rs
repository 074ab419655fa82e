use messaging::{Message, Time};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::Money;
use crate::messages::Reason;
use crate::messages::commands::Withdraw;

/// A withdrawal was refused, and why. Nothing left the account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WithdrawalRejected {
    /// The refused `Withdraw`'s id.
    pub withdrawal_id: Uuid,
    pub account_id: Uuid,
    /// The amount that was not withdrawn.
    pub amount: Money,
    pub reason: Reason,
    /// When the withdrawal was asked for (the command's time).
    pub time: Time,
    /// The command's reference, carried to the statement (optional: events
    /// written before references existed have none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// When the account component refused it.
    pub processed_time: Time,
    /// The global position of the reserved `Withdraw`.
    pub sequence: i64,
}

impl WithdrawalRejected {
    /// The withdrawal `withdraw` asked for, refused for `reason`.
    pub fn answering(
        withdraw: &Withdraw,
        reason: Reason,
        sequence: i64,
        processed_time: Time,
    ) -> WithdrawalRejected {
        WithdrawalRejected {
            withdrawal_id: withdraw.withdrawal_id,
            account_id: withdraw.account_id,
            amount: withdraw.amount,
            reason,
            time: withdraw.time,
            reference: withdraw.reference.clone(),
            processed_time,
            sequence,
        }
    }
}

impl Message for WithdrawalRejected {
    const TYPE: &'static str = "WithdrawalRejected";
}
