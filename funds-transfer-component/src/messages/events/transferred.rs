use account_component::messages::events as account;
use messaging::{Message, Time};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The transfer is complete: withdrawn from one account, deposited into the
/// other. Written in the same transaction as `Deposited`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Transferred {
    pub funds_transfer_id: Uuid,
    /// When the destination deposited the money (its event's processed
    /// time): the moment the transfer was complete.
    pub time: Time,
    /// When the funds-transfer component recorded it.
    pub processed_time: Time,
}

impl Transferred {
    /// The transfer, complete with the destination's `deposited`.
    pub fn answering(
        deposited: &account::Deposited,
        funds_transfer_id: Uuid,
        processed_time: Time,
    ) -> Transferred {
        Transferred {
            funds_transfer_id,
            time: deposited.processed_time,
            processed_time,
        }
    }
}

impl Message for Transferred {
    const TYPE: &'static str = "Transferred";
}
