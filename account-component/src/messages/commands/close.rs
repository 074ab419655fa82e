use messaging::{Message, Time};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Close an account. Only an account with a balance of zero can be closed;
/// closing a closed account changes nothing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Close {
    pub account_id: Uuid,
    pub time: Time,
}

impl Message for Close {
    const TYPE: &'static str = "Close";
}
