use messaging::{Message, Time};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Pay out the money a transfer holds, to an account a person chose.
///
/// A transfer holds money when its destination refused the deposit and its
/// source then refused the refund (it was closed meanwhile): the money left
/// the source and belongs to no account (`RefundRejected`). Where it goes is
/// a decision for a person, an operator of the bank, who sends this.
///
/// `release_id` identifies this attempt for good: it becomes the id of the
/// deposit into the chosen account, so sending the same release again pays
/// once. If the chosen account refuses (it is closed too), the money stays
/// held, and a new release, with a new id, can choose another.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReleaseHeldRefund {
    /// The transfer that holds the money.
    pub funds_transfer_id: Uuid,
    /// This attempt's id, and the id of its deposit.
    pub release_id: Uuid,
    /// The account to pay the money into.
    pub account_id: Uuid,
    /// When it was asked for.
    pub time: Time,
}

impl Message for ReleaseHeldRefund {
    const TYPE: &'static str = "ReleaseHeldRefund";
}
