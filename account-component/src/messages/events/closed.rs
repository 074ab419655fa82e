use messaging::{Message, Time};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The account was closed. It accepts no deposits or withdrawals from now on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Closed {
    pub account_id: Uuid,
    pub time: Time,
    pub processed_time: Time,
    /// The global position of the `Close` command.
    pub sequence: i64,
}

impl Message for Closed {
    const TYPE: &'static str = "Closed";
}
