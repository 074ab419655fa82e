use account_component::messages::Reason;
use account_component::messages::events as account;
use messaging::{Message, Time};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The account an operator chose refused the money (it is closed): the bank
/// still holds it, and another release can choose another account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReleaseRejected {
    pub funds_transfer_id: Uuid,
    /// The attempt's id, and its deposit's.
    pub release_id: Uuid,
    /// The account that refused.
    pub account_id: Uuid,
    /// Its reason.
    pub reason: Reason,
    /// When the account refused (its event's processed time).
    pub time: Time,
    /// When the funds-transfer component recorded it.
    pub processed_time: Time,
}

impl ReleaseRejected {
    /// The chosen account's refusal, `rejected`.
    pub fn answering(
        rejected: &account::DepositRejected,
        funds_transfer_id: Uuid,
        processed_time: Time,
    ) -> ReleaseRejected {
        ReleaseRejected {
            funds_transfer_id,
            release_id: rejected.deposit_id,
            account_id: rejected.account_id,
            reason: rejected.reason,
            time: rejected.processed_time,
            processed_time,
        }
    }
}

impl Message for ReleaseRejected {
    const TYPE: &'static str = "ReleaseRejected";
}
