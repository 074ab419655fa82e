use messaging::{Message, Time};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Open an account for a customer. Opening an account that exists already
/// changes nothing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Open {
    pub account_id: Uuid,
    pub customer_id: Uuid,
    /// The name on the account, as the customer gave it.
    pub holder_name: String,
    /// When the customer asked.
    pub time: Time,
}

impl Message for Open {
    const TYPE: &'static str = "Open";
}
