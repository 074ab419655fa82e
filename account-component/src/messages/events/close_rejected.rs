use messaging::{Message, Time};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::messages::Reason;
use crate::messages::commands::Close;

/// A close was refused, and why (the balance is not zero, or the account was
/// never opened).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CloseRejected {
    pub account_id: Uuid,
    pub reason: Reason,
    /// When the close was asked for (the command's time).
    pub time: Time,
    /// When the account component refused it.
    pub processed_time: Time,
    /// The global position of the `Close` command.
    pub sequence: i64,
}

impl CloseRejected {
    /// The close `close` asked for, refused for `reason`.
    pub fn answering(
        close: &Close,
        reason: Reason,
        sequence: i64,
        processed_time: Time,
    ) -> CloseRejected {
        CloseRejected {
            account_id: close.account_id,
            reason,
            time: close.time,
            processed_time,
            sequence,
        }
    }
}

impl Message for CloseRejected {
    const TYPE: &'static str = "CloseRejected";
}
