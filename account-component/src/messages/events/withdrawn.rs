use messaging::{Message, Time};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::Money;
use crate::messages::commands::Withdraw;

/// Money was taken out of the account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Withdrawn {
    /// The `Withdraw`'s id, which the answer carries back to whoever asked.
    pub withdrawal_id: Uuid,
    pub account_id: Uuid,
    pub amount: Money,
    /// When the withdrawal was asked for (the command's time).
    pub time: Time,
    /// The command's reference, carried to the statement (optional: events
    /// written before references existed have none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// When the account component made it.
    pub processed_time: Time,
    /// The global position of the reserved `Withdraw`.
    pub sequence: i64,
}

impl Withdrawn {
    /// The withdrawal `withdraw` asked for, made.
    pub fn answering(withdraw: &Withdraw, sequence: i64, processed_time: Time) -> Withdrawn {
        Withdrawn {
            withdrawal_id: withdraw.withdrawal_id,
            account_id: withdraw.account_id,
            amount: withdraw.amount,
            time: withdraw.time,
            reference: withdraw.reference.clone(),
            processed_time,
            sequence,
        }
    }
}

impl Message for Withdrawn {
    const TYPE: &'static str = "Withdrawn";
}
