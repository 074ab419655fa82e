use messaging::{Message, Time};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The account was opened.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Opened {
    pub account_id: Uuid,
    pub customer_id: Uuid,
    pub holder_name: String,
    /// When the customer asked.
    pub time: Time,
    /// When the account component opened it.
    pub processed_time: Time,
    /// The global position of the `Open` command.
    pub sequence: i64,
}

impl Message for Opened {
    const TYPE: &'static str = "Opened";
}
