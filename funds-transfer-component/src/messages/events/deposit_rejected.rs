use account_component::Money;
use account_component::messages::Reason;
use account_component::messages::events as account;
use messaging::{Message, Time};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The destination account refused the deposit (it is closed, say). The
/// money has left the source already, so it is refunded there next.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DepositRejected {
    pub funds_transfer_id: Uuid,
    /// The refused deposit's id, as `Initiated` fixed it.
    pub deposit_id: Uuid,
    /// The destination account.
    pub account_id: Uuid,
    pub amount: Money,
    /// The destination's reason.
    pub reason: Reason,
    /// When the destination refused (its event's processed time).
    pub time: Time,
    /// When the funds-transfer component recorded it.
    pub processed_time: Time,
}

impl DepositRejected {
    /// The destination account's refusal, `rejected`, recorded as a step.
    pub fn answering(
        rejected: &account::DepositRejected,
        funds_transfer_id: Uuid,
        processed_time: Time,
    ) -> DepositRejected {
        DepositRejected {
            funds_transfer_id,
            deposit_id: rejected.deposit_id,
            account_id: rejected.account_id,
            amount: rejected.amount,
            reason: rejected.reason,
            time: rejected.processed_time,
            processed_time,
        }
    }
}

impl Message for DepositRejected {
    const TYPE: &'static str = "DepositRejected";
}
