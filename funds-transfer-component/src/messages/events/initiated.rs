use account_component::Money;
use messaging::{Message, Time};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::messages::commands::Transfer;
use crate::step_ids;

/// The transfer started. It fixes, once and for all, the ids of the
/// withdrawal, the deposit and a possible refund, so that every retry of
/// every step sends the same ids and the accounts apply each step once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Initiated {
    pub funds_transfer_id: Uuid,
    /// The source account.
    pub withdrawal_account_id: Uuid,
    /// The destination account.
    pub deposit_account_id: Uuid,
    /// The id of the `Withdraw` the source account will be sent.
    pub withdrawal_id: Uuid,
    /// The id of the `Deposit` the destination account will be sent.
    pub deposit_id: Uuid,
    /// The id of the `Deposit` back to the source, should the destination
    /// refuse: fixed now, though it is used only then.
    pub refund_id: Uuid,
    pub amount: Money,
    /// When the transfer was asked for (the command's time).
    pub time: Time,
    /// The transfer's reference, carried to both accounts' statements.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// When the funds-transfer component started it.
    pub processed_time: Time,
}

impl Initiated {
    /// The transfer `transfer` asked for, started, with its steps' ids
    /// derived from its id (see `step_ids.rs` for why they are derived).
    pub fn answering(transfer: &Transfer, processed_time: Time) -> Initiated {
        let id = transfer.funds_transfer_id;
        Initiated {
            funds_transfer_id: transfer.funds_transfer_id,
            withdrawal_account_id: transfer.withdrawal_account_id,
            deposit_account_id: transfer.deposit_account_id,
            withdrawal_id: step_ids::withdrawal_id(id),
            deposit_id: step_ids::deposit_id(id),
            refund_id: step_ids::refund_id(id),
            amount: transfer.amount,
            time: transfer.time,
            reference: transfer.reference.clone(),
            processed_time,
        }
    }
}

impl Message for Initiated {
    const TYPE: &'static str = "Initiated";
}
