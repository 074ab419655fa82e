use account_component::messages::Reason;
use account_component::messages::events as account;
use messaging::{Message, Time};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The source account refused the withdrawal, so nothing moved and the
/// transfer is over.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Cancelled {
    pub funds_transfer_id: Uuid,
    /// The source account's reason (insufficient funds, closed, ...).
    pub reason: Reason,
    /// When the source account refused (its event's processed time).
    pub time: Time,
    /// When the funds-transfer component recorded it.
    pub processed_time: Time,
}

impl Cancelled {
    /// The source account's refusal, `rejected`, ending the transfer.
    pub fn answering(
        rejected: &account::WithdrawalRejected,
        funds_transfer_id: Uuid,
        processed_time: Time,
    ) -> Cancelled {
        Cancelled {
            funds_transfer_id,
            reason: rejected.reason,
            time: rejected.processed_time,
            processed_time,
        }
    }
}

impl Message for Cancelled {
    const TYPE: &'static str = "Cancelled";
}
