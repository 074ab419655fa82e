use messaging::{Message, Time};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::messages::commands::Close;

/// The account was closed. It accepts no deposits or withdrawals from now on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Closed {
    pub account_id: Uuid,
    /// When the close was asked for (the command's time).
    pub time: Time,
    /// When the account component closed it.
    pub processed_time: Time,
    /// The global position of the `Close` command.
    pub sequence: i64,
}

impl Closed {
    /// The account `close` asked about, closed.
    pub fn answering(close: &Close, sequence: i64, processed_time: Time) -> Closed {
        Closed {
            account_id: close.account_id,
            time: close.time,
            processed_time,
            sequence,
        }
    }
}

impl Message for Closed {
    const TYPE: &'static str = "Closed";
}
