use messaging::{Message, Time};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::messages::Reason;

/// A close was refused, and why (the balance is not zero, or the account was
/// never opened).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CloseRejected {
    pub account_id: Uuid,
    pub reason: Reason,
    pub time: Time,
    pub processed_time: Time,
    /// The global position of the `Close` command.
    pub sequence: i64,
}

impl Message for CloseRejected {
    const TYPE: &'static str = "CloseRejected";
}
