use messaging::{Message, Time};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Close an account. Only an account with a balance of zero can be closed;
/// closing a closed account changes nothing.
///
/// A close has no id of its own: the account tells two closes apart by the
/// global position of each command, which its answer carries as `sequence`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Close {
    /// The account to close.
    pub account_id: Uuid,
    /// When it was asked for.
    pub time: Time,
}

impl Message for Close {
    const TYPE: &'static str = "Close";
}
