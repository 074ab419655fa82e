use account_component::Money;
use account_component::messages::Reason;
use account_component::messages::events as account;
use messaging::{Message, Time};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The source account refused the refund too: it was closed while the money
/// was in flight (its balance reached zero and its owner closed it).
///
/// The money is not lost: it stays with the bank, recorded here with the
/// transfer, and the auditor counts it as held. Where it goes is a decision
/// for a person, so the process stops here rather than guessing, until an
/// operator releases it (`ReleaseHeldRefund`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RefundRejected {
    pub funds_transfer_id: Uuid,
    /// The refused refund's id, as `Initiated` fixed it.
    pub refund_id: Uuid,
    /// The source account, which refused it.
    pub account_id: Uuid,
    /// The money the bank now holds.
    pub amount: Money,
    /// The source's reason (it is closed).
    pub reason: Reason,
    /// When the source refused (its event's processed time).
    pub time: Time,
    /// When the funds-transfer component recorded it.
    pub processed_time: Time,
}

impl RefundRejected {
    /// The source account's refusal of the refund, `rejected`.
    pub fn answering(
        rejected: &account::DepositRejected,
        funds_transfer_id: Uuid,
        processed_time: Time,
    ) -> RefundRejected {
        RefundRejected {
            funds_transfer_id,
            refund_id: rejected.deposit_id,
            account_id: rejected.account_id,
            amount: rejected.amount,
            reason: rejected.reason,
            time: rejected.processed_time,
            processed_time,
        }
    }
}

impl Message for RefundRejected {
    const TYPE: &'static str = "RefundRejected";
}
