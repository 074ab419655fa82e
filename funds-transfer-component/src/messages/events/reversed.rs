use account_component::messages::Reason;
use account_component::messages::events as account;
use messaging::{Message, Time};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The refund reached the source account: the transfer is undone, and over.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Reversed {
    pub funds_transfer_id: Uuid,
    /// The refund's id, as `Initiated` fixed it.
    pub refund_id: Uuid,
    /// Why the destination refused the deposit.
    pub reason: Reason,
    /// When the source took the refund back (its event's processed time).
    pub time: Time,
    /// When the funds-transfer component recorded it.
    pub processed_time: Time,
}

impl Reversed {
    /// The source account's `refunded` (its `Deposited` of the refund),
    /// undoing a transfer the destination refused for `reason`.
    pub fn answering(
        refunded: &account::Deposited,
        reason: Reason,
        funds_transfer_id: Uuid,
        processed_time: Time,
    ) -> Reversed {
        Reversed {
            funds_transfer_id,
            refund_id: refunded.deposit_id,
            reason,
            time: refunded.processed_time,
            processed_time,
        }
    }
}

impl Message for Reversed {
    const TYPE: &'static str = "Reversed";
}
