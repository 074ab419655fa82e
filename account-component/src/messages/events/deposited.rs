use messaging::{Message, Time};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::Money;
use crate::messages::commands::Deposit;

/// Money was put into the account. The event carries the amount, never the
/// resulting balance: the balance is derived by adding up the events.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Deposited {
    /// The `Deposit`'s id, which the answer carries back to whoever asked.
    pub deposit_id: Uuid,
    pub account_id: Uuid,
    pub amount: Money,
    /// When the deposit was asked for (the command's time).
    pub time: Time,
    /// The command's reference, carried to the statement (optional: events
    /// written before references existed have none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// When the account component made it.
    pub processed_time: Time,
    /// The global position of the reserved `Deposit`.
    pub sequence: i64,
}

impl Deposited {
    /// The deposit `deposit` asked for, made.
    pub fn answering(deposit: &Deposit, sequence: i64, processed_time: Time) -> Deposited {
        Deposited {
            deposit_id: deposit.deposit_id,
            account_id: deposit.account_id,
            amount: deposit.amount,
            time: deposit.time,
            reference: deposit.reference.clone(),
            processed_time,
            sequence,
        }
    }
}

impl Message for Deposited {
    const TYPE: &'static str = "Deposited";
}
