use account_component::Money;
use messaging::{Message, Time};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::messages::commands::ReleaseHeldRefund;

/// An operator asked for the money the transfer holds to be paid into an
/// account; the deposit is sent next.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReleaseRequested {
    pub funds_transfer_id: Uuid,
    /// The attempt's id, and its deposit's.
    pub release_id: Uuid,
    /// The account chosen.
    pub account_id: Uuid,
    /// The money held: the transfer's amount.
    pub amount: Money,
    /// When the operator asked (the command's time).
    pub time: Time,
    /// When the funds-transfer component recorded it.
    pub processed_time: Time,
}

impl ReleaseRequested {
    /// The release `release` asked for, of the `amount` held.
    pub fn answering(
        release: &ReleaseHeldRefund,
        amount: Money,
        processed_time: Time,
    ) -> ReleaseRequested {
        ReleaseRequested {
            funds_transfer_id: release.funds_transfer_id,
            release_id: release.release_id,
            account_id: release.account_id,
            amount,
            time: release.time,
            processed_time,
        }
    }
}

impl Message for ReleaseRequested {
    const TYPE: &'static str = "ReleaseRequested";
}
